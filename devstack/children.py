"""Starting the services and the simulator as child processes, prefixing their output,
and stopping them in order."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from devstack.env import service_env, stack_env
from devstack.plan import listening_ports, runnable_services
from fairwind.infra.processes import InfraError, free_port, port_open, terminate


def spawn(
    command: list[str], env: dict[str, str], output: int | IO[bytes]
) -> subprocess.Popen[bytes]:
    """A child in its own session (so Ctrl-C reaches us first and we stop it in order)."""
    return subprocess.Popen(
        command,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def service_command(name: str) -> list[str]:
    return [sys.executable, "-m", f"services.{name}", "serve"]


def sim_command(extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "sim", *extra]


def mail_command(port: int, maildir: Path) -> list[str]:
    """A local SMTP server that keeps what notify sends in a Maildir (aiosmtpd's own)."""
    listen = f"127.0.0.1:{port}"
    return [sys.executable, "-m", "aiosmtpd", "-n", "-l", listen, "-c", MAILBOX, str(maildir)]


MAILBOX = "aiosmtpd.handlers.Mailbox"


def sms_command(port: int, log: Path) -> list[str]:
    """A local SMS provider (``devstack/smsbox.py``) that writes each text to ``log``."""
    return [sys.executable, "-m", "devstack.smsbox", "--port", str(port), "--log", str(log)]


@dataclass(frozen=True)
class Outlets:
    """Where notify's messages go on a local stack: an SMTP server keeping a Maildir and a
    local SMS provider writing JSON lines, both under ``root``."""

    root: Path
    mail_port: int = field(default_factory=free_port)
    sms_port: int = field(default_factory=free_port)

    @property
    def maildir(self) -> Path:
        return (self.root / "mail").resolve()

    @property
    def texts(self) -> Path:
        return (self.root / "sms.jsonl").resolve()

    def commands(self) -> dict[str, list[str]]:
        return {
            "mail": mail_command(self.mail_port, self.maildir),
            "sms": sms_command(self.sms_port, self.texts),
        }

    def env(self) -> dict[str, str]:
        """What notify is told of them."""
        return {
            "FAIRWIND_SMTP_PORT": str(self.mail_port),
            "FAIRWIND_SMS_API_URL": f"http://127.0.0.1:{self.sms_port}",
        }

    def banner(self) -> list[str]:
        return [
            f"  mail      what notify e-mails: one file per message in {self.maildir}/new",
            f"  sms       what notify texts: one JSON line per message in {self.texts}",
        ]


@contextmanager
def services_running(
    infra_env: dict[str, str], offset: int, extra: dict[str, str], logs: Path
) -> Iterator[list[str]]:
    """Every service with an entrypoint, logging to ``logs/<name>.log``, until the block
    ends (for tests and benchmarks), with notify's outlets (``Outlets(logs)``). Raises
    InfraError if one never listens."""
    services = runnable_services()
    children = []
    shared = stack_env(offset)
    try:
        if "notify" in services:  # its mail and texts, under ``logs``
            outlets = Outlets(logs)
            for name, command in outlets.commands().items():
                with (logs / f"{name}.log").open("wb") as log:
                    children.append(spawn(command, dict(os.environ), log))
            extra = extra | outlets.env()
        for name in services:
            with (logs / f"{name}.log").open("wb") as log:
                env = service_env(name, infra_env, offset) | shared | extra
                children.append(spawn(service_command(name), env, log))
        if not wait_listening(listening_ports(services, offset), 120, threading.Event()):
            raise InfraError(f"a service did not start listening; see {logs}")
        yield services
    finally:
        for child in children:
            terminate(child.pid, timeout_s=15)


def wait_listening(ports: list[int], timeout_s: float, stop: threading.Event) -> bool:
    deadline = time.monotonic() + timeout_s
    while not all(port_open("127.0.0.1", port) for port in ports):
        if stop.wait(0.2) or time.monotonic() > deadline:
            return False
    return True


def _pipe(prefix: str, stream: IO[bytes], lock: threading.Lock) -> None:
    for raw in iter(stream.readline, b""):
        with lock:
            sys.stdout.write(f"{prefix} | {raw.decode(errors='replace')}")
            sys.stdout.flush()


class Stack:
    """The child processes, their prefixed output, and stopping them in order."""

    def __init__(self, grace_s: float) -> None:
        self.grace_s = grace_s
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()

    def say(self, text: str) -> None:
        with self.lock:
            print(text, flush=True)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> None:
        child = spawn(command, env, subprocess.PIPE)
        self.children[name] = child
        assert child.stdout is not None
        threading.Thread(
            target=_pipe, args=(f"{name:<9}", child.stdout, self.lock), daemon=True
        ).start()

    def reap(self) -> None:
        for name, child in list(self.children.items()):
            if child.poll() is not None:
                note = " (the platform keeps running)" if name == "sim" else ""
                self.say(f"{name:<9} | exited with code {child.returncode}{note}")
                del self.children[name]

    def stop(self) -> None:
        sim = self.children.pop("sim", None)
        if sim is not None:
            terminate(sim.pid, timeout_s=self.grace_s)
        for child in self.children.values():
            terminate(child.pid, timeout_s=self.grace_s)

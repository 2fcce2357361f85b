"""Starting the services and the simulator as child processes, prefixing their output,
and stopping them in order."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from devstack.env import service_env, stack_env
from devstack.plan import listening_ports, runnable_services
from fairwind.infra.processes import InfraError, port_open, terminate


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


@contextmanager
def services_running(
    infra_env: dict[str, str], offset: int, extra: dict[str, str], logs: Path
) -> Iterator[list[str]]:
    """Every service with an entrypoint, logging to ``logs/<name>.log``, until the block
    ends (for tests and benchmarks). Raises InfraError if one never listens."""
    services = runnable_services()
    children = []
    shared = stack_env(offset)
    try:
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

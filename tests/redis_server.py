"""A real, throwaway redis-server (or sentinel) for tests.

Tests never rely on a system service: each ``RedisServer`` runs its own process on a free
loopback port (and a unix socket) in a private temp dir, without persistence, and is killed on
``stop()``. Unit tests share one per session; tests that break a server (stop it, pause it) start
their own so they cannot disturb the others.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A loopback port nobody listens on right now (redis cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process; ``sentinel_for`` makes it a sentinel monitoring that server."""

    def __init__(
        self,
        *,
        sentinel_for: RedisServer | None = None,
        master_name: str = "mymaster",
        tls_files: tuple[Path, Path] | None = None,
        startup_timeout: float = 10.0,
    ) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.tls_port = 0
        self.tls_files = tls_files  # (certificate, key): also listen with TLS on tls_port
        self.sentinel_for = sentinel_for
        self.master_name = master_name
        self.startup_timeout = startup_timeout
        self._dir = Path(tempfile.mkdtemp(prefix="casb-redis-"))
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def _log(self) -> Path:
        return self._dir / "redis.log"

    @property
    def unix_socket(self) -> Path:
        return self._dir / "redis.sock"

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def tls_url(self) -> str:
        return f"rediss://{self.host}:{self.tls_port}/0"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.unix_socket}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> Self:
        """Start on a fresh free port; retried because another process may grab the port."""
        last = ""
        for _ in range(5):
            self.port, self.tls_port = free_port(), 0
            self._proc = subprocess.Popen(
                self._command(),
                cwd=self._dir,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready():
                return self
            last = self._kill()
        raise RuntimeError(f"redis-server did not start: {last}")

    def restart(self) -> Self:
        """Kill and start again on the same port, as an operator restarting Redis would."""
        self._kill()
        self._proc = subprocess.Popen(
            self._command(), cwd=self._dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not self._wait_ready():
            raise RuntimeError(f"redis-server did not restart: {self._kill()}")
        return self

    def stop(self) -> None:
        """Kill the server; the data dir stays until ``cleanup()`` so it can be restarted."""
        self._kill()

    def cleanup(self) -> None:
        self._kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    def command(self, *args: str) -> bytes:
        """Send one command over a raw socket and return the raw reply (no client library)."""
        with socket.create_connection((self.host, self.port), timeout=2) as s:
            s.sendall(_encode(args))
            return s.recv(65536)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def _command(self) -> list[str]:
        if self.sentinel_for is None:
            tls: list[str] = []
            if self.tls_files:
                self.tls_port = self.tls_port or free_port()
                cert, key = self.tls_files
                tls = ["--tls-port", str(self.tls_port), "--tls-cert-file", str(cert),
                       "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert),
                       "--tls-auth-clients", "no"]  # fmt: skip
            return [
                REDIS_SERVER,
                "--port", str(self.port),
                "--bind", self.host,
                "--unixsocket", str(self.unix_socket),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self._dir),
                "--logfile", str(self._log),
                *tls,
            ]  # fmt: skip
        # A sentinel rewrites its config file, so it must be a real file it can write.
        conf = self._dir / "sentinel.conf"
        master = self.sentinel_for
        conf.write_text(
            f"port {self.port}\nbind {self.host}\ndir {self._dir}\nlogfile {self._log}\n"
            f"sentinel monitor {self.master_name} {master.host} {master.port} 1\n"
        )
        return [REDIS_SERVER, str(conf), "--sentinel"]

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self.running:
                return False
            with contextlib.suppress(OSError):
                if self.command("PING").startswith(b"+PONG"):
                    return True
            time.sleep(0.01)
        return False

    def _kill(self) -> str:
        proc, self._proc = self._proc, None
        if proc is None:
            return ""
        proc.kill()
        proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            return self._log.read_text(errors="replace")[-2000:]
        return ""


def _encode(args: tuple[str, ...]) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)

"""Start `casb run` as a real process and wait until it listens."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASB = Path(sys.executable).with_name("casb")
_LISTEN = re.compile(r"casb-gateway listening on [^\s]*?:(\d+)")
_ADMIN = re.compile(r"admin: http://[^:]+:(\d+)/metrics")


@dataclass
class Gateway:
    proc: subprocess.Popen[bytes]
    port: int
    admin_port: int
    workdir: Path
    log: Path

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca_cert(self) -> Path:
        return self.workdir / "certs" / "mitmproxy-ca-cert.pem"

    @property
    def audit_file(self) -> Path:
        return self.workdir / "audit.jsonl"

    @property
    def policy_dir(self) -> Path:
        return self.workdir / "policies"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def start_gateway(
    workdir: Path, args: list[str], env: dict[str, str] | None = None, timeout: float = 60
) -> Gateway:
    log = workdir / "gateway.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
        [
            str(CASB),
            "run",
            "--listen-port",
            "0",
            "--admin-port",
            "0",
            "--certs-dir",
            str(workdir / "certs"),
            "--audit-log",
            str(workdir / "audit.jsonl"),
            *args,
        ],
        cwd=workdir,
        stdout=fh,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        m, a = _LISTEN.search(text), _ADMIN.search(text)
        if m and a:
            return Gateway(proc, int(m.group(1)), int(a.group(1)), workdir, log)
        if proc.poll() is not None:
            raise RuntimeError(f"gateway exited with {proc.returncode}:\n{text}")
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"gateway did not start in {timeout}s:\n{log.read_text()}")

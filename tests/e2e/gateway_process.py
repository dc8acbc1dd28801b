"""Start `casb run` as a real process and wait until it listens."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

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

    def events(self) -> list[dict[str, Any]]:
        """Every audit event written so far."""
        return [json.loads(line) for line in self.audit_file.read_text().splitlines() if line]

    def events_for_host(self, host: str, *, timeout: float = 10,
                        want: Callable[[dict[str, Any]], bool] = lambda e: True,
                        ) -> list[dict[str, Any]]:
        """Events for requests to ``host``, waiting until one satisfies ``want`` (a stream or
        a WebSocket is decided after the client has its answer, so its event comes later)."""
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            found = [e for e in self.events() if (e.get("request") or {}).get("host") == host]
            if any(want(e) for e in found):
                return found
            time.sleep(0.05)
        return found

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


E2E_DIR = Path(__file__).resolve().parent


def start_routed_gateway(work: Path, origin_port: int, origin_ca: Path, config: str,
                         *, files: dict[str, str] | None = None, e2e_pack: bool = True,
                         args: list[str] | None = None) -> Gateway:
    """A gateway in ``work`` with the shipped packs (+ the e2e pack), ``config`` as its
    config.yaml, extra ``files``, and every upstream connection routed to the test origin."""
    shutil.copytree(ROOT / "policies", work / "policies")
    if e2e_pack:
        shutil.copy(E2E_DIR / "policies" / "e2e.yaml", work / "policies" / "e2e.yaml")
    (work / "config.yaml").write_text(config)
    for name, text in (files or {}).items():
        (work / name).write_text(text)
    return start_gateway(
        work,
        ["--config", "config.yaml", "-s", str(E2E_DIR / "route_origin.py"),
         "--set", f"ssl_verify_upstream_trusted_ca={origin_ca}", *(args or [])],
        env={"E2E_ORIGIN": f"127.0.0.1:{origin_port}"},
    )


def proxied_client(gw: Gateway, *, auth: str = "", timeout: float = 30) -> httpx.Client:
    """An httpx client that goes through ``gw`` and trusts its CA (``auth``: "user:pass")."""
    ctx = ssl.create_default_context(cafile=str(gw.ca_cert))
    proxy = f"http://{auth + '@' if auth else ''}127.0.0.1:{gw.port}"
    return httpx.Client(proxy=proxy, verify=ctx, timeout=timeout)

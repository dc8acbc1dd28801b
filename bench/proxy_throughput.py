"""Throughput through `casb run` (default policy, DLP on) against plain mitmdump, same run.

Both proxies intercept TLS, route to the same loopback HTTPS origin through the same routing
script, and are driven by the same keep-alive clients. We report requests per second and the
ratio casb / mitmdump for small GETs and 1 MiB uploads (scanned, no findings).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.e2e.gateway_process import ROOT, start_gateway
from tests.e2e.origin import make_pki, serve

BIN = Path(sys.executable).parent
ROUTE = ROOT / "tests" / "e2e" / "route_origin.py"
WORKERS = 2
THREADS = 4
SMALL_URL = "https://bench.example.org/small"
UPLOAD_URL = "https://www.googleapis.com/upload/drive/v3/files?uploadType=media"
_TEXT = ("the quarterly report covers revenue growth across regions while the team reviews "
         "pipeline forecasts and hiring plans for next year with updated budget figures")
WORDS = _TEXT.split(" ")


def prose(size: int, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        out += (" ".join(rnd.choice(WORDS) for _ in range(12)) + ".\n").encode()
    return bytes(out[:size])


def _worker(proxy: str, cafile: str, scenario: str, seconds: float,
            q: mp.Queue[tuple[int, int]]) -> None:
    ctx = ssl.create_default_context(cafile=cafile)
    body = prose(1 << 20) if scenario == "upload" else b""
    done = [0]
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + 1.0  # warm-up second: connections and certificates
    stop_at = start_at + seconds

    def loop() -> None:
        with httpx.Client(proxy=proxy, verify=ctx, timeout=30) as c:
            while time.monotonic() < stop_at:
                try:
                    if scenario == "upload":
                        r = c.post(UPLOAD_URL, content=body,
                                   headers={"Content-Type": "text/plain"})
                    else:
                        r = c.get(SMALL_URL)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if time.monotonic() >= start_at:
                    with lock:
                        if ok:
                            done[0] += 1
                        else:
                            errors[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.put((done[0], errors[0]))


def measure(proxy: str, cafile: Path, scenario: str, seconds: float) -> tuple[float, int]:
    ctx = mp.get_context("spawn")
    q: mp.Queue[tuple[int, int]] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(proxy, str(cafile), scenario, seconds, q))
             for _ in range(WORKERS)]
    for p in procs:
        p.start()
    results = [q.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    return sum(r[0] for r in results) / seconds, sum(r[1] for r in results)


def start_mitmdump(work: Path, origin_ca: Path, env: dict[str, str],
                   extra: list[str] | None = None) -> tuple[subprocess.Popen[bytes], str, Path]:
    port_file = work / "mitmdump.log"
    (work / "certs").mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [str(BIN / "mitmdump"), "--set", "flow_detail=0",
         "--listen-host", "127.0.0.1", "--listen-port", "0",
         "--set", f"confdir={work / 'certs'}",
         "--set", f"ssl_verify_upstream_trusted_ca={origin_ca}",
         "--set", "connection_strategy=lazy", "--set", "termlog_verbosity=info", "-s", str(ROUTE),
         *(extra or [])],
        stdout=port_file.open("wb"), stderr=subprocess.STDOUT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = re.search(r"listening at 127\.0\.0\.1:(\d+)", port_file.read_text())
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}", work / "certs" / "mitmproxy-ca-cert.pem"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"mitmdump did not start:\n{port_file.read_text()}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(seconds: float = 8.0, rounds: int = 2) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="casb-bench-"))
    try:
        origin_ca, cert, key = make_pki(tmp)
        origin, server = serve(cert, key)
        env = {"E2E_ORIGIN": f"127.0.0.1:{origin.port}"}
        mwork, cwork = tmp / "mitmdump", tmp / "casb"
        mwork.mkdir()
        cwork.mkdir()
        mproc, mproxy, mca = start_mitmdump(mwork, origin_ca, env)
        shutil.copytree(ROOT / "policies", cwork / "policies")
        gw = start_gateway(cwork, ["--policy-dir", "policies", "-s", str(ROUTE),
                                   "--set", f"ssl_verify_upstream_trusted_ca={origin_ca}"],
                           env=env)
        targets: dict[str, tuple[str, Path, Callable[[], float]]] = {
            "mitmdump": (mproxy, mca, lambda: rss_mb(mproc.pid)),
            "casb": (gw.proxy_url, gw.ca_cert, lambda: rss_mb(gw.proc.pid)),
        }
        results: dict[tuple[str, str], list[float]] = {}
        print(f"# proxy throughput: {WORKERS} client processes x {THREADS} keep-alive "
              f"connections, {seconds:.0f}s per run, {rounds} alternating rounds", flush=True)
        for scenario in ("small GET", "1 MiB upload"):
            key_s = "upload" if scenario != "small GET" else "small"
            for rnd in range(rounds):
                for name, (proxy, ca, _) in targets.items():
                    rps, errors = measure(proxy, ca, key_s, seconds)
                    results.setdefault((scenario, name), []).append(rps)
                    print(f"  {scenario:13s} round {rnd + 1} {name:9s} {rps:8.1f} req/s"
                          f"{f'  ({errors} errors)' if errors else ''}", flush=True)
        print("\n| scenario | mitmdump req/s | casb req/s | ratio | goal |")
        print("|---|---|---|---|---|")
        for scenario, goal in (("small GET", 0.8), ("1 MiB upload", 0.7)):
            m = statistics.median(results[(scenario, "mitmdump")])
            c = statistics.median(results[(scenario, "casb")])
            ratio = c / m if m else 0.0
            print(f"| {scenario} | {m:.1f} | {c:.1f} | {ratio:.2f} | >= {goal} "
                  f"{'met' if ratio >= goal else 'NOT met'} |")
        print(f"\nresident memory after the runs: mitmdump {targets['mitmdump'][2]():.0f} MB, "
              f"casb {targets['casb'][2]():.0f} MB")
        mproc.terminate()
        mproc.wait(10)
        gw.stop()
        server.shutdown()
        server.server_close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

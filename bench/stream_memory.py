"""Resident memory while a 1 GiB upload streams through `casb run` and through plain mitmdump.

Both proxies intercept TLS and route to the same loopback HTTPS origin, which reads each body
in small pieces, counts its bytes and discards them (no body is ever held in memory). The
client generates the upload on the fly (an iterator with a Content-Length header). The proxy's
VmRSS is sampled every 0.2 s; we report its peak and the upload's throughput. mitmdump runs
with ``stream_large_bodies=1m`` (it forwards without looking); casb streams and scans every
chunk (``dlp.limits.stream_threshold``, 1 MiB by default). Goal: casb stays under 300 MB.

Two more checks on casb: the clean upload's audit event shows ~1 GiB scanned, and the same
upload with a card number in its very last bytes is blocked (the origin gets less than all).
"""

from __future__ import annotations

import json
import shutil
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bench.proxy_throughput import prose, rss_mb, start_mitmdump
from tests.e2e.gateway_process import start_routed_gateway
from tests.e2e.origin import make_pki, tls_handler

SIZE = 1 << 30
CHUNK = 1 << 20
URL = "https://www.googleapis.com/upload/drive/v3/files?uploadType=media"
CARD_TAIL = b" card 4111 1111 1111 1111 end\n"
GOAL_MB = 300
CONFIG = """\
identity:
  ip_map: {"127.0.0.0/8": alice}
policy:
  dir: policies
  packs: [default]
"""


@dataclass
class Upload:
    path: str
    expected: int
    received: int = 0
    complete: bool = False


@dataclass
class DiscardOrigin:
    port: int
    uploads: list[Upload] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout: float = 30) -> list[Upload]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.uploads) >= count:
                    return list(self.uploads)
            time.sleep(0.05)
        with self.lock:
            return list(self.uploads)


def serve_discard(cert_file: Path, key_file: Path) -> tuple[DiscardOrigin, ThreadingHTTPServer]:
    """An HTTPS origin that counts each request body's bytes and throws them away."""
    ref: list[DiscardOrigin] = []

    class Handler(tls_handler(cert_file, key_file, timeout=120)):  # type: ignore[misc]
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            up = Upload(self.path, length)
            try:
                while up.received < length:
                    piece = self.rfile.read1(min(1 << 18, length - up.received))
                    if not piece:
                        break
                    up.received += len(piece)
            except (OSError, ssl.SSLError):
                pass
            up.complete = up.received == length
            origin = ref[0]
            with origin.lock:
                origin.uploads.append(up)
            if not up.complete:
                self.close_connection = True
                return
            out = json.dumps({"received": up.received}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_POST = do_PUT = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    origin = DiscardOrigin(server.server_address[1])
    ref.append(origin)
    threading.Thread(target=server.serve_forever, daemon=True, name="discard-origin").start()
    return origin, server


def body(size: int, tail: bytes = b"") -> Iterator[bytes]:
    """``size`` bytes of prose, 1 MiB at a time, ending in ``tail``: never one big buffer."""
    block = prose(CHUNK)
    left = size - len(tail)
    while left > 0:
        n = min(CHUNK, left)
        yield block[:n]
        left -= n
    if tail:
        yield tail


class Sampler:
    """Peak VmRSS of one process, read every ``interval`` seconds in a thread."""

    def __init__(self, read: Callable[[], float], interval: float = 0.2) -> None:
        self.read, self.interval = read, interval
        self.peak = self.start = read()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.peak = max(self.peak, self.read())
            except OSError:
                return

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.read())


@dataclass
class Run:
    proxy: str
    case: str
    seconds: float
    idle_mb: float
    peak_mb: float
    outcome: str
    origin_bytes: int

    @property
    def mb_s(self) -> float:
        return SIZE / 1e6 / self.seconds if self.seconds else 0.0


def upload(name: str, case: str, proxy: str, ca: Path, pid: int, origin: DiscardOrigin,
           tail: bytes = b"") -> Run:
    with origin.lock:
        origin.uploads.clear()
    ctx = ssl.create_default_context(cafile=str(ca))
    with httpx.Client(proxy=proxy, verify=ctx, timeout=300) as c, \
            Sampler(lambda: rss_mb(pid)) as rss:
        t0 = time.monotonic()
        try:
            r = c.post(URL, content=body(SIZE, tail),
                       headers={"Content-Type": "text/plain", "Content-Length": str(SIZE)})
            outcome = f"HTTP {r.status_code}"
        except httpx.HTTPError as e:
            outcome = type(e).__name__
        seconds = time.monotonic() - t0
    got = origin.wait_for(1, timeout=10)
    run = Run(name, case, seconds, rss.start, rss.peak, outcome,
              got[0].received if got else 0)
    print(f"  {name:8s} {case:13s} {run.seconds:6.1f}s {run.mb_s:7.1f} MB/s  "
          f"RSS idle {run.idle_mb:5.0f} MB, peak {run.peak_mb:5.0f} MB  client: {outcome}, "
          f"origin got {run.origin_bytes} of {SIZE} bytes", flush=True)
    return run


def _last_event(audit: Path, host: str) -> dict[str, Any] | None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = [e for line in audit.read_text().splitlines() if line
                  for e in [json.loads(line)]
                  if (e.get("request") or {}).get("host") == host
                  and e.get("direction") == "request"]
        if events:
            return events[-1]
        time.sleep(0.1)
    return None


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="casb-stream-bench-"))
    mproc = None
    gw = None
    server = None
    try:
        origin_ca, cert, key = make_pki(tmp)
        origin, server = serve_discard(cert, key)
        env = {"E2E_ORIGIN": f"127.0.0.1:{origin.port}"}
        (tmp / "mitmdump").mkdir()
        (tmp / "casb").mkdir()
        mproc, mproxy, mca = start_mitmdump(tmp / "mitmdump", origin_ca, env,
                                            extra=["--set", "stream_large_bodies=1m"])
        gw = start_routed_gateway(tmp / "casb", origin.port, origin_ca, CONFIG,
                                  e2e_pack=False)
        print(f"# stream memory: one {SIZE >> 20} MiB upload (generated on the fly, "
              f"Content-Length) per run, VmRSS sampled every 0.2 s", flush=True)
        m = upload("mitmdump", "clean", mproxy, mca, mproc.pid, origin)
        c = upload("casb", "clean", gw.proxy_url, gw.ca_cert, gw.proc.pid, origin)
        clean_event = _last_event(gw.audit_file, "www.googleapis.com")
        gw.audit_file.write_text("")
        b = upload("casb", "card at end", gw.proxy_url, gw.ca_cert, gw.proc.pid, origin,
                   tail=CARD_TAIL)
        block_event = _last_event(gw.audit_file, "www.googleapis.com")

        print("\n| proxy | upload | seconds | MB/s | idle RSS MB | peak RSS MB |")
        print("|---|---|---|---|---|---|")
        for r in (m, c, b):
            print(f"| {r.proxy} | {r.case} | {r.seconds:.1f} | {r.mb_s:.1f} | "
                  f"{r.idle_mb:.0f} | {r.peak_mb:.0f} |")
        peak = max(c.peak_mb, b.peak_mb)
        print(f"\ncasb peak RSS {peak:.0f} MB: goal < {GOAL_MB} MB "
              f"{'met' if peak < GOAL_MB else 'NOT met'}; mitmdump {m.peak_mb:.0f} MB; "
              f"throughput casb/mitmdump {c.mb_s / m.mb_s if m.mb_s else 0:.2f}")
        if clean_event:
            print(f"clean upload event: action={clean_event.get('action')} "
                  f"bytes_scanned={clean_event.get('bytes_scanned')} "
                  f"body_bytes={(clean_event.get('request') or {}).get('body_bytes')}")
        else:
            print("clean upload event: NONE found")
        scanned_ok = bool(clean_event) and int(clean_event.get("bytes_scanned") or 0) \
            >= SIZE * 0.99
        print(f"  scanned ~1 GiB: {'yes' if scanned_ok else 'NO'}; origin got all of it: "
              f"{'yes' if c.origin_bytes == SIZE else 'NO'}")
        if block_event:
            print(f"card-at-end event: action={block_event.get('action')} "
                  f"rule={block_event.get('rule')} "
                  f"findings={[f.get('detector') for f in block_event.get('findings') or []]} "
                  f"bytes_scanned={block_event.get('bytes_scanned')}")
        else:
            print("card-at-end event: NONE found")
        blocked_ok = bool(block_event) and block_event.get("action") == "block" \
            and b.origin_bytes < SIZE
        print(f"  blocked, origin got less than the full body: "
              f"{'yes' if blocked_ok else 'NO'} ({b.origin_bytes} < {SIZE})")
    finally:
        if mproc is not None:
            mproc.terminate()
            mproc.wait(10)
        if gw is not None:
            gw.stop()
        if server is not None:
            server.shutdown()
            server.server_close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

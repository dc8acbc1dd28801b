"""Vault benchmark: tokenize / detokenize operations per second, file key and SoftHSM2, and the
latency tokenization adds to a request (and detokenization to its response) with a 10 KB JSON
body through the engine, against the same engine auditing the same findings.

Everything runs in this process on a temporary SQLite store (the embedded default).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gateway.apps import AppContext
from gateway.audit import AuditLog
from gateway.config import load_config
from gateway.engine import Engine
from gateway.metrics import Metrics
from gateway.request import RequestInfo, Subject
from gateway.state import open_store
from gateway.vault import (
    FileKeyProvider,
    KeyProvider,
    Pkcs11KeyProvider,
    TokenSpec,
    Vault,
)
from tests.gateway.vault.conftest import SOFTHSM_MODULE, init_softhsm

CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
AWS = "AKIAZ7VRSQ5TJNLWPX4Q"

TOKENIZE_PACK = """\
name: bench-tokenize
rules:
  - id: tok
    when: {categories: [ai], activities: [prompt], detectors: {ids: [credit_card, us_ssn],
           categories: [credentials]}}
    action: %s
  - id: detok
    when: {categories: [ai], direction: response}
    action: %s
"""


def _rate(fn: Callable[[int], object], seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        for _ in range(50):
            fn(n)
            n += 1
    return n / elapsed


def _ops(name: str, provider: KeyProvider, store_dir: Path, seconds: float,
         cache_seconds: float) -> None:
    store = open_store(f"sqlite:///{store_dir / (name + '.db')}", timeout=5)
    vault = Vault(store, provider, cache_seconds=cache_seconds)
    rows = []
    for label, spec, value, det in (
        ("card ff1", TokenSpec(), CARD, "credit_card"),
        ("ssn ff1 deterministic", TokenSpec(deterministic=True), SSN, "us_ssn"),
        ("aws key vault token", TokenSpec(format="vault"), AWS, "aws_access_key_id"),
    ):
        tokens: list[str] = []

        def tok(_i: int, spec: TokenSpec = spec, value: str = value, det: str = det,
                tokens: list[str] = tokens) -> None:
            tokens.append(vault.tokenize(value, detector=det, spec=spec, tenant="bench:-",
                                         owner="alice")[0])

        t_rate = _rate(tok, seconds)

        def detok(i: int, tokens: list[str] = tokens) -> None:
            vault.detokenize(tokens[i % len(tokens)], user="alice")

        d_rate = _rate(detok, seconds)
        rows.append((label, t_rate, d_rate))
    cache = f"data keys cached {cache_seconds:g} s" if cache_seconds else "no key cache"
    print(f"  {name} ({cache}):")
    for label, t_rate, d_rate in rows:
        print(f"    {label:24s} tokenize {t_rate:8.0f}/s   detokenize {d_rate:8.0f}/s")
    store.close()


def _engine(work: Path, tokenize: bool) -> Engine:
    pol = work / ("pol-tok" if tokenize else "pol-base")
    pol.mkdir()
    (pol / "bench.yaml").write_text(
        TOKENIZE_PACK % (("tokenize", "detokenize") if tokenize else ("audit", "audit")))
    cfg = load_config(None, environ={}, overrides={
        "certs_dir": str(work / "certs"), "policy": {"dir": str(pol), "packs": ["bench-tokenize"]},
        "audit": {"file": None}})
    (work / "certs").mkdir(exist_ok=True)
    store = open_store(f"sqlite:///{work / 'certs' / 'state.db'}", timeout=5)
    return Engine.build(cfg, audit=AuditLog([]), metrics=Metrics(), hmac_key=os.urandom(32),
                        store=store)


def _body() -> bytes:
    filler = ("Please summarise the quarterly numbers for the board and keep it short. " * 4)
    messages = [{"role": "user", "content": filler} for _ in range(30)]
    messages.append({"role": "user",
                     "content": f"My card is {CARD}, SSN {SSN}, AWS key id {AWS}."})
    body = json.dumps({"model": "auto", "messages": messages}).encode()
    return body


def _latency(work: Path, seconds: float) -> None:
    req = RequestInfo("POST", "https", "chatgpt.com", 443, "/backend-api/conversation",
                      (("content-type", "application/json"),))
    subject = Subject("alice", client_ip="127.0.0.1", source="ipmap")
    body = _body()
    results = {}
    for tokenize in (False, True):
        engine = _engine(work, tokenize)
        app: AppContext = engine.classify(req, body)
        assert app.app_id == "chatgpt" and app.activity == "prompt", app
        out = engine.judge("request", req, subject, app, body,
                           content_type="application/json", content_encoding=None)
        sent = out.body or body
        if tokenize:
            assert CARD.encode() not in sent and out.decision.action.value == "tokenize"
        times_req, times_resp = [], []
        t_end = time.perf_counter() + seconds
        while time.perf_counter() < t_end:
            t0 = time.perf_counter()
            v = engine.judge("request", req, subject, app, body,
                             content_type="application/json", content_encoding=None)
            t1 = time.perf_counter()
            r = engine.judge("response", req, subject, app, v.body or body,
                             content_type="application/json", content_encoding=None,
                             status=200)
            t2 = time.perf_counter()
            if tokenize:
                assert r.body is not None and json.loads(r.body) == json.loads(body)
            times_req.append(t1 - t0)
            times_resp.append(t2 - t1)
        results[tokenize] = (statistics.median(times_req), statistics.median(times_resp),
                             len(times_req))
        engine.store.close()
    (b_req, b_resp, n_b), (t_req, t_resp, n_t) = results[False], results[True]
    print(f"  engine, {len(body)} byte JSON prompt with a card, an SSN and an AWS key "
          f"(file key; medians of {n_b} / {n_t} runs):")
    print(f"    request : audit {b_req * 1e3:6.2f} ms   tokenize   {t_req * 1e3:6.2f} ms   "
          f"added {(t_req - b_req) * 1e3:+.2f} ms")
    print(f"    response: audit {b_resp * 1e3:6.2f} ms   detokenize {t_resp * 1e3:6.2f} ms   "
          f"added {(t_resp - b_resp) * 1e3:+.2f} ms")


def main(seconds: float = 2.0) -> None:
    print("vault benchmark")
    work = Path(tempfile.mkdtemp(prefix="casb-vault-bench-"))
    try:
        _ops("file key", FileKeyProvider(work / "kek.key"), work, seconds, 300)
        hsm = init_softhsm(work / "softhsm", label="casb-bench")
        os.environ["SOFTHSM2_CONF"] = str(hsm.directory / "softhsm2.conf")
        p = Pkcs11KeyProvider(SOFTHSM_MODULE, hsm.label, hsm.pin, key_label="bench-kek")
        _ops("SoftHSM2", p, work, seconds, 300)
        _ops("SoftHSM2", p, work, seconds, 0)
        p.close()
        _latency(work, seconds * 2)
    finally:
        shutil.rmtree(work, ignore_errors=True)

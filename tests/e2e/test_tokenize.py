"""Tokenize on the way out, detokenize on the way back, through real gateway processes.

Prompts are posted to ChatGPT's conversation endpoint (classified as an AI prompt by the
catalog); the loopback origin echoes the body it received (``?echo=1``), so the response shows
what the AI app saw, and the client sees what the gateway made of the answer. Alice uses
127.0.0.1, Bob 127.0.0.2 (the client binds to that source address).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import ssl
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpcore
import httpx
import pytest

from tests.e2e.gateway_process import ROOT, Gateway, start_gateway
from tests.e2e.origin import Origin
from tests.e2e.test_gateway import metric
from tests.gateway.vault.conftest import SOFTHSM_MODULE, SoftHsm, init_softhsm

pytestmark = pytest.mark.e2e

HERE = Path(__file__).parent
PROMPT_URL = "https://chatgpt.com/backend-api/conversation?echo=1"
CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
AWS = "AKIAZ7VRSQ5TJNLWPX4Q"
PROMPT = (f"My card is {CARD}, my SSN is {SSN} and our AWS key id is {AWS}. "
          "Write a short letter to the bank about them.")

CONFIG = """\
identity:
  ip_map: {{"127.0.0.0/8": alice, "127.0.0.2/32": bob}}
policy:
  dir: policies
  reload_interval: 0
{vault}
"""
HSM_VAULT = """\
vault:
  key_provider: pkcs11
  data_key_cache_seconds: 0
  pkcs11:
    module: {module}
    token_label: {label}
    pin: "{pin}"
    retry_after: 0.2
"""


def body(prompt: str) -> dict[str, object]:
    return {"action": "next", "model": "auto",
            "messages": [{"id": "m1", "author": {"role": "user"},
                          "content": {"content_type": "text", "parts": [prompt]}}]}


def start(work: Path, origin: Origin, origin_pki: tuple[Path, Path, Path], vault: str = "",
          env: dict[str, str] | None = None) -> Gateway:
    shutil.copytree(ROOT / "policies", work / "policies")
    (work / "config.yaml").write_text(CONFIG.format(vault=vault))
    return start_gateway(
        work,
        ["--config", "config.yaml", "-s", str(HERE / "route_origin.py"),
         "--set", f"ssl_verify_upstream_trusted_ca={origin_pki[0]}"],
        env={"E2E_ORIGIN": f"127.0.0.1:{origin.port}", **(env or {})},
    )


def client_for(gw: Gateway, source: str = "127.0.0.1") -> httpx.Client:
    """A client whose connections to the proxy come from ``source`` (a loopback address)."""
    ctx = ssl.create_default_context(cafile=str(gw.ca_cert))
    transport = httpx.HTTPTransport(verify=ctx)
    # Neither httpx nor httpcore's tunnel pass a local address on: bind in the network backend.
    transport._pool = httpcore.HTTPProxy(
        proxy_url=httpcore.URL(scheme=b"http", host=b"127.0.0.1", port=gw.port, target=b"/"),
        ssl_context=ctx, network_backend=_BoundBackend(source))
    return httpx.Client(transport=transport, timeout=30)


class _BoundBackend(httpcore.SyncBackend):
    def __init__(self, source: str) -> None:
        self.source = source

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        return super().connect_tcp(host, port, timeout, self.source, socket_options)


@pytest.fixture(scope="module")
def vault_gw(tmp_path_factory: pytest.TempPathFactory, origin: Origin,
             origin_pki: tuple[Path, Path, Path]) -> Iterator[Gateway]:
    gw = start(tmp_path_factory.mktemp("vault-gw"), origin, origin_pki)
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def alice(vault_gw: Gateway) -> Iterator[httpx.Client]:
    with client_for(vault_gw) as c:
        yield c


@pytest.fixture(scope="module")
def bob(vault_gw: Gateway) -> Iterator[httpx.Client]:
    with client_for(vault_gw, "127.0.0.2") as c:
        yield c


def received_prompt(origin: Origin) -> tuple[bytes, str]:
    (rec,) = origin.requests_to("/backend-api/conversation")
    raw = gzip.decompress(rec.body) if rec.header("content-encoding") == ["gzip"] else rec.body
    return rec.body, json.loads(raw)["messages"][0]["content"]["parts"][0]


def tokens_in(text: str) -> tuple[str, str, str]:
    m = re.fullmatch(r"My card is (\d{4} \d{4} \d{4} \d{4}), my SSN is (\d{3}-\d{2}-\d{4}) and "
                     r"our AWS key id is ([0-9A-Z]{20})\. Write a short letter to the bank about "
                     r"them\.", text)
    assert m, text
    return m.group(1), m.group(2), m.group(3)


def luhn_ok(number: str) -> bool:
    digits = [int(c) for c in number if c.isdigit()]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2)
                for i, d in enumerate(reversed(digits)))
    return total % 10 == 0


def test_a_prompt_reaches_the_ai_app_tokenized_and_the_answer_comes_back_in_clear(
        vault_gw: Gateway, alice: httpx.Client, fresh_origin: Origin) -> None:
    r = alice.post(PROMPT_URL, json=body(PROMPT))
    assert r.status_code == 200, r.text
    raw, seen = received_prompt(fresh_origin)
    for secret in (CARD, CARD.replace(" ", ""), SSN, AWS):
        assert secret.encode() not in raw
    card, ssn, aws = tokens_in(seen)  # same layout: lengths and separators kept
    assert card != CARD and not luhn_ok(card)  # deliberately Luhn-invalid
    assert ssn != SSN and aws != AWS
    # The echo (what the AI app would answer with) comes back detokenized, JSON intact.
    assert r.json() == body(PROMPT)
    events = vault_gw.events()
    req_event = next(e for e in reversed(events)
                     if e.get("direction") == "request" and e.get("action") == "tokenize")
    detail = req_event["detail"]
    assert isinstance(detail, dict)
    assert sorted(t["detector"] for t in detail["tokenized"]) == [
        "aws_access_key_id", "credit_card", "us_ssn"]
    resp_event = next(e for e in reversed(events)
                      if e.get("direction") == "response" and e.get("action") == "detokenize")
    rdetail = resp_event["detail"]
    assert isinstance(rdetail, dict) and rdetail["detokenized_count"] == 3
    log = vault_gw.audit_file.read_text()
    for secret in (CARD, CARD.replace(" ", ""), SSN, AWS, card, ssn, aws):
        assert secret not in log
    assert metric(vault_gw, "casb_vault_operations_total", op="detokenize", result="ok") >= 3


def test_gzip_bodies_are_tokenized_and_detokenized_too(
        alice: httpx.Client, fresh_origin: Origin) -> None:
    payload = gzip.compress(json.dumps(body(PROMPT)).encode())
    r = alice.post(PROMPT_URL, content=payload,
                   headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
    assert r.status_code == 200, r.text
    raw, seen = received_prompt(fresh_origin)
    assert raw[:2] == b"\x1f\x8b"  # still gzip on the wire
    tokens_in(seen)
    assert CARD not in seen and SSN not in seen and AWS not in seen
    assert r.json() == body(PROMPT)


def test_another_user_sees_the_tokens_not_the_values(
        alice: httpx.Client, bob: httpx.Client, fresh_origin: Origin) -> None:
    r = alice.post(PROMPT_URL, json=body(PROMPT))
    assert r.status_code == 200 and r.json() == body(PROMPT)
    _, seen = received_prompt(fresh_origin)
    card, ssn, aws = tokens_in(seen)
    assert card != CARD and ssn != SSN and aws != AWS
    # Alice's tokens reach Bob (a shared conversation): they stay tokens for him.
    fresh_origin.clear()
    r = bob.post(PROMPT_URL, json=body(seen))
    assert r.status_code == 200, r.text
    _, bob_sent = received_prompt(fresh_origin)
    assert bob_sent == seen  # our own tokens are not tokenized again
    answer = r.json()["messages"][0]["content"]["parts"][0]
    assert answer == seen and CARD not in answer and SSN not in answer
    # Bob's own values come back to Bob in clear.
    r = bob.post(PROMPT_URL, json=body(PROMPT))
    assert r.json() == body(PROMPT)


def test_a_random_look_alike_in_the_answer_is_not_touched(
        alice: httpx.Client, fresh_origin: Origin) -> None:
    text = "Reference 4000 1234 5678 9010 and 987-65-4320, order 2024-11-23."
    r = alice.post(PROMPT_URL, json=body(text))
    assert r.status_code == 200
    assert r.json() == body(text)


def test_an_upload_with_a_card_to_an_ai_app_stays_blocked(
        alice: httpx.Client, fresh_origin: Origin) -> None:
    r = alice.post("https://chatgpt.com/backend-api/files",
                   content=f"name,card\nJane,{CARD}\n".encode(),
                   headers={"Content-Type": "text/csv"})
    assert r.status_code == 403
    assert fresh_origin.requests_to("/backend-api/files") == []


# -- keys in an HSM (SoftHSM2) ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> SoftHsm:
    return init_softhsm(tmp_path_factory.mktemp("e2e-softhsm"), label="casb-e2e")


@pytest.fixture(scope="module")
def hsm_gw(tmp_path_factory: pytest.TempPathFactory, origin: Origin,
           origin_pki: tuple[Path, Path, Path], hsm: SoftHsm) -> Iterator[Gateway]:
    vault = HSM_VAULT.format(module=SOFTHSM_MODULE, label=hsm.label, pin=hsm.pin)
    gw = start(tmp_path_factory.mktemp("hsm-gw"), origin, origin_pki, vault,
               env={"SOFTHSM2_CONF": str(hsm.directory / "softhsm2.conf")})
    yield gw
    gw.stop()


def test_with_the_hsm_removed_tokenize_fails_closed_and_recovers_when_it_returns(
        hsm_gw: Gateway, hsm: SoftHsm, fresh_origin: Origin) -> None:
    with client_for(hsm_gw) as c:
        r = c.post(PROMPT_URL, json=body(PROMPT))
        assert r.status_code == 200 and r.json() == body(PROMPT)
        _, seen = received_prompt(fresh_origin)
        card, _, _ = tokens_in(seen)
        hsm.remove()
        try:
            time.sleep(0.3)  # past retry_after
            fresh_origin.clear()
            r = c.post(PROMPT_URL, json=body(PROMPT))
            assert r.status_code == 403, r.text  # blocked: never forwarded in clear
            assert fresh_origin.requests_to("/backend-api/conversation") == []
            assert metric(hsm_gw, "casb_fail_closed_total", stage="tokenize") >= 1
            assert metric(hsm_gw, "casb_vault_operations_total", op="tokenize",
                          result="key_unavailable") >= 1
            # Detokenize leaves tokens in place (the response is not blocked).
            r = c.post(PROMPT_URL, json=body(f"card {card}"))
            assert r.status_code == 200
            assert r.json() == body(f"card {card}")
            assert metric(hsm_gw, "casb_vault_operations_total", op="detokenize",
                          result="key_unavailable") >= 1
        finally:
            hsm.restore()
        time.sleep(0.3)
        fresh_origin.clear()
        r = c.post(PROMPT_URL, json=body(PROMPT))  # no restart needed
        assert r.status_code == 200 and r.json() == body(PROMPT)
        _, seen = received_prompt(fresh_origin)
        tokens_in(seen)
        r = c.post(PROMPT_URL, json=body(f"card {card}"))
        assert r.json() == body(f"card {CARD}")
    assert "PKCS#11" in hsm_gw.output()

"""Two gateway processes sharing one real redis-server: grants, lockouts and revocation seen by
both; Redis killed or paused -> MFA-protected apps fail closed within the budget."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.e2e.gateway_process import CASB, Gateway, proxied_client, start_routed_gateway
from tests.e2e.origin import Origin
from tests.e2e.test_gateway import DRIVE_UPLOAD, metric, multipart_with_card
from tests.redis_server import RedisServer

pytestmark = pytest.mark.e2e

PORTAL = "https://casb.gateway.internal"
CONSOLE = "https://console.aws.amazon.com/console/home?region=eu-west-1"
NAVIGATE = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
            "Accept": "text/html,application/xhtml+xml", "X-Casb-Device-Id": "laptop-7"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
REF = re.compile(r'name="r" value="([^"]*)"')
BUDGET = 1.0
CONFIG = f"""\
identity:
  ip_map: {{"127.0.0.0/8": dora}}
policy: {{dir: policies, packs: [default], reload_interval: 0}}
store: {{timeout: 0.25}}
mfa: {{max_failures: 3, lockout_seconds: 300, failure_delay: 0.05, max_failure_delay: 0.1,
      budget: {BUDGET}}}
"""


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory, redis: RedisServer, origin: Origin,
         origin_pki: tuple[Path, Path, Path]) -> Iterator[tuple[Gateway, Gateway]]:
    """Gateways A and B: one Redis, one CA and MFA key (B's certs dir is A's)."""
    base = tmp_path_factory.mktemp("redis-pair")
    args = ["--store", redis.url]
    (base / "a").mkdir()
    a = start_routed_gateway(base / "a", origin.port, origin_pki[0], CONFIG, e2e_pack=False,
                             args=args)
    try:
        (base / "b").mkdir()
        os.symlink(a.workdir / "certs", base / "b" / "certs")
        b = start_routed_gateway(base / "b", origin.port, origin_pki[0], CONFIG,
                                 e2e_pack=False, args=args)
    except BaseException:
        a.stop()
        raise
    yield a, b
    b.stop()
    a.stop()


@pytest.fixture(scope="module")
def via_a(pair: tuple[Gateway, Gateway]) -> Iterator[httpx.Client]:
    with proxied_client(pair[0]) as c:
        yield c


@pytest.fixture(scope="module")
def via_b(pair: tuple[Gateway, Gateway]) -> Iterator[httpx.Client]:
    with proxied_client(pair[1]) as c:
        yield c


def casb(gw: Gateway, redis: RedisServer, *args: str) -> str:
    out = subprocess.run([str(CASB), *args, "--config", "config.yaml", "--certs-dir", "certs",
                          "--store", redis.url], cwd=gw.workdir, capture_output=True,
                         text=True, timeout=60, check=True)
    return out.stdout


def enrolled(gw: Gateway, redis: RedisServer) -> pyotp.TOTP:
    casb(gw, redis, "mfa", "reset", "dora")
    totp = pyotp.parse_uri(casb(gw, redis, "mfa", "enroll", "dora", "--method", "totp").strip())
    assert isinstance(totp, pyotp.TOTP)
    return totp


def verify_form(client: httpx.Client) -> tuple[str, str]:
    r = client.get(CONSOLE, headers=NAVIGATE)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"], headers=NAVIGATE)
    return CSRF.search(page.text).group(1), REF.search(page.text).group(1)  # type: ignore[union-attr]


def post_code(client: httpx.Client, csrf: str, ref: str, code: str) -> httpx.Response:
    return client.post(f"{PORTAL}/verify", headers={"X-Casb-Device-Id": "laptop-7"},
                       data={"csrf": csrf, "r": ref, "method": "totp", "code": code})


def wrong(totp: pyotp.TOTP) -> str:
    return f"{(int(totp.now()) + 1) % 10**6:06d}"


def test_a_grant_obtained_through_gateway_a_is_honoured_by_gateway_b_and_revoked_on_both(
        pair: tuple[Gateway, Gateway], redis: RedisServer, via_a: httpx.Client,
        via_b: httpx.Client) -> None:
    a, _ = pair
    totp = enrolled(a, redis)
    assert via_b.get(CONSOLE, headers=NAVIGATE).status_code == 303
    csrf, ref = verify_form(via_a)
    r = post_code(via_a, csrf, ref, totp.now())
    assert r.status_code == 303 and r.headers["location"] == CONSOLE
    for client in (via_a, via_b):
        r = client.get(CONSOLE, headers=NAVIGATE)
        assert r.status_code == 200 and r.json()["path"].startswith("/console/home")
    # One command, against the shared store, ends the grant on both processes at once.
    casb(a, redis, "mfa", "revoke", "dora")
    assert via_a.get(CONSOLE, headers=NAVIGATE).status_code == 303
    assert via_b.get(CONSOLE, headers=NAVIGATE).status_code == 303


def test_a_lockout_reached_on_gateway_a_applies_on_gateway_b(
        pair: tuple[Gateway, Gateway], redis: RedisServer, via_a: httpx.Client,
        via_b: httpx.Client) -> None:
    a, _ = pair
    totp = enrolled(a, redis)
    csrf, ref = verify_form(via_a)
    statuses = []
    for _ in range(3):
        statuses.append(post_code(via_a, csrf, ref, wrong(totp)).status_code)
        time.sleep(0.15)  # past the progressive delay
    assert statuses == [400, 400, 429]
    csrf_b, ref_b = verify_form(via_b)
    r = post_code(via_b, csrf_b, ref_b, totp.now())
    assert r.status_code == 429 and "locked" in r.text
    assert via_b.get(CONSOLE, headers=NAVIGATE).status_code == 303
    assert "locked:        yes" in casb(a, redis, "mfa", "status", "dora")
    casb(a, redis, "mfa", "unlock", "dora")
    r = post_code(via_b, csrf_b, ref_b, totp.now())
    assert r.status_code == 303
    assert via_a.get(CONSOLE, headers=NAVIGATE).status_code == 200


def test_redis_paused_a_protected_request_is_answered_within_the_budget(
        pair: tuple[Gateway, Gateway], redis: RedisServer, via_a: httpx.Client) -> None:
    a, _ = pair
    enrolled(a, redis)
    assert via_a.get(CONSOLE, headers=NAVIGATE).status_code == 303  # warm connections
    before = metric(a, "casb_fail_closed_total", stage="stepup")
    assert redis.command("CLIENT", "PAUSE", "3000", "ALL").startswith(b"+OK")
    t0 = time.monotonic()
    try:
        r = via_a.get(CONSOLE, headers=NAVIGATE)
        elapsed = time.monotonic() - t0
    finally:
        # CLIENT UNPAUSE from another connection would be paused too: let the pause run out.
        time.sleep(max(0.0, 3.2 - (time.monotonic() - t0)))
    assert r.status_code == 503, r.text
    assert "temporarily unavailable" in r.text
    # The store's own timeout (0.25 s) usually answers first, the budget (1 s) at the latest;
    # the bound is generous for a loaded 2-core machine.
    assert elapsed < 3.0, elapsed
    assert metric(a, "casb_fail_closed_total", stage="stepup") > before


def test_redis_killed_protected_apps_fail_closed_and_other_traffic_follows_its_policy(
        pair: tuple[Gateway, Gateway], redis: RedisServer, via_a: httpx.Client,
        via_b: httpx.Client, fresh_origin: Origin) -> None:
    redis.stop()
    try:
        for client in (via_a, via_b):
            t0 = time.monotonic()
            r = client.get(CONSOLE, headers=NAVIGATE)
            assert time.monotonic() - t0 < 3.0
            assert r.status_code == 503
            assert r.headers["content-type"].startswith("text/html")
            assert "temporarily unavailable" in r.text and r.headers["x-casb-decision"] in r.text
            r = client.post("https://console.aws.amazon.com/api/x", json={},
                            headers={"Sec-Fetch-Mode": "cors"})
            assert r.status_code == 503
            assert r.json()["type"] == "tag:casb-gateway,2026:temporarily-unavailable"
            # Not MFA-protected: allowed traffic still passes, blocked traffic still blocks.
            r = client.get("https://example.org/plain")
            assert r.status_code == 200 and r.json()["path"] == "/plain"
            body, ctype = multipart_with_card()
            r = client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype})
            assert r.status_code == 403
        assert fresh_origin.requests_to("/console") == []
    finally:
        redis.restart()
    # Back on its feet (state is gone with the unpersisted Redis): challenged again.
    deadline = time.monotonic() + 10
    while via_a.get(CONSOLE, headers=NAVIGATE).status_code != 303:
        assert time.monotonic() < deadline
        time.sleep(0.2)

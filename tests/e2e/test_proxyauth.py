"""Proxy authentication through mitmproxy's proxyauth with an htpasswd file: who is who."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import httpx
import pytest

from tests.e2e.gateway_process import Gateway, proxied_client, start_routed_gateway
from tests.e2e.origin import Origin

pytestmark = pytest.mark.e2e
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def auth_gateway(tmp_path_factory: pytest.TempPathFactory, origin: Origin,
                 origin_pki: tuple[Path, Path, Path]) -> Iterator[Gateway]:
    sha = base64.b64encode(hashlib.sha1(b"s3cret-dave").digest()).decode()
    hashed = bcrypt.hashpw(b"s3cret-erin", bcrypt.gensalt(rounds=4)).decode()
    gw = start_routed_gateway(
        tmp_path_factory.mktemp("authgw"), origin.port, origin_pki[0],
        "identity:\n  proxyauth: '@htpasswd'\n  directory: directory.yaml\n"
        "  ip_map: {'127.0.0.0/8': nobody-by-address}\npolicy: {dir: policies}\n",
        files={"htpasswd": f"dave:{{SHA}}{sha}\nerin:{hashed}\n",
               "directory.yaml": "users:\n  dave: [finance]\n"},
        e2e_pack=False,
    )
    yield gw
    gw.stop()


def _client(gw: Gateway, user: str, password: str) -> httpx.Client:
    return proxied_client(gw, auth=f"{user}:{password}")


def test_an_authenticated_user_is_the_subject_with_directory_groups(
        auth_gateway: Gateway, origin: Origin) -> None:
    for user, password, groups in (("dave", "s3cret-dave", ["finance"]),
                                   ("erin", "s3cret-erin", [])):
        with _client(auth_gateway, user, password) as c:
            r = c.get(f"https://example.org/whoami-{user}")
        assert r.status_code == 200
        events = [json.loads(x) for x in auth_gateway.audit_file.read_text().splitlines()]
        [event] = [e for e in events if e.get("direction") == "request"
                   and e["request"]["path"] == f"/whoami-{user}"]
        assert event["subject"]["user"] == user
        assert event["subject"]["source"] == "proxyauth"
        assert event["subject"]["groups"] == groups


def test_a_wrong_password_gets_407_and_nothing_reaches_the_origin(
        auth_gateway: Gateway, origin: Origin) -> None:
    origin.clear()
    with _client(auth_gateway, "dave", "wrong") as c, pytest.raises(httpx.ProxyError) as exc:
        c.get("https://example.org/denied")
    assert "407" in str(exc.value)
    assert origin.requests_to("/denied") == []

"""Session-wide real parts: one HTTPS origin on loopback and one gateway process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.gateway_process import Gateway, proxied_client, start_routed_gateway
from tests.e2e.origin import Origin, make_pki, serve

HERE = Path(__file__).parent

CONFIG = """\
identity:
  ip_map: {"127.0.0.0/8": alice, "127.0.0.3/32": carol}
  directory: directory.yaml
policy:
  dir: policies
  packs: [e2e, default]
  reload_interval: 0.3
portal:
  brand_name: Example Corp Security
  support_contact: security@example.com
mfa: {max_failures: 4, lockout_seconds: 120, failure_delay: 0.05, max_failure_delay: 0.2,
      webauthn: {user_verification: required}}
"""


@pytest.fixture(scope="session")
def origin_pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def origin(origin_pki: tuple[Path, Path, Path]) -> Iterator[Origin]:
    _, cert, key = origin_pki
    o, server = serve(cert, key)
    yield o
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, origin: Origin, origin_pki: tuple[Path, Path, Path]
) -> Iterator[Gateway]:
    gw = start_routed_gateway(
        tmp_path_factory.mktemp("gateway"), origin.port, origin_pki[0], CONFIG,
        files={"directory.yaml": "users:\n  alice: [staff]\n  bob: [finance]\n"},
    )
    yield gw
    gw.stop()


@pytest.fixture(scope="session")
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    with proxied_client(gateway) as c:
        yield c


@pytest.fixture()
def fresh_origin(origin: Origin) -> Origin:
    origin.clear()
    return origin

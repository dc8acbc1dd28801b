"""Vaults on a real SQLite store with a file KEK, and a SoftHSM2 token in a temporary directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.state import Store, open_store
from gateway.vault import FileKeyProvider, Vault

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "4321"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'state.db'}", timeout=2.0)
    yield s
    s.close()


@pytest.fixture()
def vault(store: Store, tmp_path: Path) -> Vault:
    return Vault(store, FileKeyProvider(tmp_path / "kek.key"), cache_seconds=60)


@dataclass
class SoftHsm:
    directory: Path
    tokens: Path
    label: str
    pin: str

    def remove(self) -> None:
        self.tokens.rename(self.tokens.with_name("tokens.removed"))

    def restore(self) -> None:
        self.tokens.with_name("tokens.removed").rename(self.tokens)


def init_softhsm(directory: Path, label: str = "casb-test") -> SoftHsm:
    """A fresh SoftHSM2 token in ``directory`` (SOFTHSM2_CONF must point there)."""
    if not SOFTHSM_MODULE.exists() or shutil.which("softhsm2-util") is None:
        pytest.fail("SoftHSM2 is not installed (apt-get install softhsm2; it is in the Makefile)")
    tokens = directory / "tokens"
    tokens.mkdir(parents=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    "log.level = ERROR\nslots.removable = true\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", label,
                    "--pin", PIN, "--so-pin", "87654321"], check=True, env=env,
                   capture_output=True)
    return SoftHsm(directory, tokens, label, PIN)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """One token per test session: the PKCS#11 library reads SOFTHSM2_CONF once per process."""
    directory = tmp_path_factory.mktemp("softhsm")
    hsm = init_softhsm(directory)
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(directory / "softhsm2.conf")
    yield hsm
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old

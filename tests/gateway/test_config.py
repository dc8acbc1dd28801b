"""Configuration: YAML file, CASB_* overrides, errors with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import load_config
from gateway.errors import ConfigError


def test_defaults_need_no_file_and_no_redis() -> None:
    cfg = load_config(environ={})
    assert (cfg.listen.host, cfg.listen.port, cfg.admin.port) == ("127.0.0.1", 8080, 9090)
    assert cfg.store_url.startswith("sqlite:///") and cfg.store_url.endswith("certs/state.db")
    assert cfg.policy.packs == ("ai-apps", "default")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    f = tmp_path / "casb.yaml"
    f.write_text("listen:\n  port: 3128\npolicy:\n  packs: [default]\n")
    cfg = load_config(f, environ={"CASB_POLICY__PACKS": "[pci-dss, default]",
                                  "CASB_STORE__URL": "redis://127.0.0.1:6379/0"})
    assert cfg.listen.port == 3128
    assert cfg.policy.packs == ("pci-dss", "default")
    assert cfg.store_url == "redis://127.0.0.1:6379/0"


def test_a_typo_in_the_file_names_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "casb.yaml"
    f.write_text("listen:\n  port: 8080\naudit:\n  stdout: true\n  max_byte: 10\n")
    with pytest.raises(ConfigError) as exc:
        load_config(f, environ={})
    assert str(exc.value).startswith(f"{f}:5: audit.max_byte: Extra inputs are not permitted")


def test_a_bad_cidr_in_the_address_map_is_quoted(tmp_path: Path) -> None:
    f = tmp_path / "casb.yaml"
    f.write_text("identity:\n  ip_map:\n    10.0.0.0/33: alice\n")
    with pytest.raises(ConfigError, match=r"'10\.0\.0\.0/33'"):
        load_config(f, environ={})


def test_a_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match=r"listen\.port"):
        load_config(environ={"CASB_LISTEN__PORT": "eighty"})


def test_secrets_in_configuration_are_not_printed() -> None:
    cfg = load_config(environ={"CASB_AUDIT__HMAC_KEY": "s3cr3t-key"})
    assert "s3cr3t-key" not in repr(cfg) and "s3cr3t-key" not in str(cfg.audit)
    assert cfg.audit.hmac_key is not None
    assert cfg.audit.hmac_key.get_secret_value() == "s3cr3t-key"

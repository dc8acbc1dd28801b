"""Options every ``casb`` subcommand shares, and the configuration they select."""

from __future__ import annotations

import argparse
from typing import Any

from gateway.config import GatewayConfig, load_config
from gateway.state import Store, open_store


def common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="FILE", help="YAML configuration file (or $CASB_CONFIG)")
    p.add_argument("--store", metavar="URL",
                   help="state store: sqlite:///PATH, redis://, rediss://, redis+sentinel://")
    p.add_argument("--policy-dir", metavar="DIR", help="policy directory (default: policies/)")
    p.add_argument("--certs-dir", metavar="DIR", help="CA and keys directory (default: certs/)")


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    o: dict[str, Any] = {}
    if getattr(args, "store", None):
        o.setdefault("store", {})["url"] = args.store
    if getattr(args, "policy_dir", None):
        o.setdefault("policy", {})["dir"] = args.policy_dir
    if getattr(args, "certs_dir", None):
        o["certs_dir"] = args.certs_dir
    if getattr(args, "listen_host", None):
        o.setdefault("listen", {})["host"] = args.listen_host
    if getattr(args, "listen_port", None) is not None:
        o.setdefault("listen", {})["port"] = args.listen_port
    if getattr(args, "mode", None):
        o.setdefault("listen", {})["mode"] = args.mode
    if getattr(args, "admin_port", None) is not None:
        o.setdefault("admin", {})["port"] = args.admin_port
    if getattr(args, "audit_log", None):
        o.setdefault("audit", {})["file"] = args.audit_log
    if getattr(args, "packs", None):
        o.setdefault("policy", {})["packs"] = args.packs
    return o


def config_from_args(args: argparse.Namespace) -> GatewayConfig:
    return load_config(args.config, overrides=overrides_from_args(args))


def open_cli_store(cfg: GatewayConfig) -> Store:
    """The store a running gateway uses, with a longer timeout: an operator can wait a second."""
    if cfg.store.url is None:
        cfg.certs_dir.mkdir(parents=True, exist_ok=True)  # the embedded store lives there
    return open_store(cfg.store_url, timeout=max(cfg.store.timeout, 2.0))

"""``casb vault ...``: key versions and operator tokenization, on a running gateway's store.

Every tokenize and detokenize done here is an audit event (``reason: operator``) in the
configured audit log, naming the operating-system user who ran it; values never are.
Values and tokens are read from standard input when not given, so they stay out of shell
history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from gateway.audit import AuditEvent, AuditLog, configured_sinks
from gateway.cliargs import config_from_args, open_cli_store
from gateway.config import GatewayConfig
from gateway.errors import CasbError
from gateway.policy import new_decision_id
from gateway.state import Store
from gateway.vault import TokenSpec, Vault, open_vault


def _open(args: argparse.Namespace) -> tuple[GatewayConfig, Store, Vault]:
    cfg = config_from_args(args)
    store = open_cli_store(cfg)
    return cfg, store, open_vault(cfg.vault, store, certs_dir=cfg.certs_dir)


def _with_vault(fn: Callable[[GatewayConfig, Vault, argparse.Namespace], int]
                ) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        cfg, store, vault = _open(args)
        try:
            return fn(cfg, vault, args)
        finally:
            vault.provider.close()
            store.close()
    return run


def _audit(cfg: GatewayConfig, action: str, detail: dict[str, Any]) -> None:
    log = AuditLog(configured_sinks(cfg.audit))
    try:
        log.emit(AuditEvent(decision_id=new_decision_id(), action=action, reason="operator",
                            detail={"operator": getpass.getuser(), **detail}))
    finally:
        log.close()


def _value(arg: str | None) -> str:
    if arg is not None and arg != "-":
        return arg
    return sys.stdin.readline().rstrip("\r\n")


def cmd_rotate(cfg: GatewayConfig, vault: Vault, args: argparse.Namespace) -> int:
    version = vault.rotate()
    _audit(cfg, "vault_rotate", {"key_version": version, "provider": vault.provider.name})
    print(f"vault key version {version} is now current ({vault.provider.name}); "
          "older versions still detokenize until retired")
    return 0


def cmd_retire(cfg: GatewayConfig, vault: Vault, args: argparse.Namespace) -> int:
    vault.retire(args.version)
    _audit(cfg, "vault_retire", {"key_version": args.version})
    print(f"vault key version {args.version} retired: its wrapped key is destroyed and its "
          "tokens can no longer be detokenized")
    return 0


def cmd_status(cfg: GatewayConfig, vault: Vault, args: argparse.Namespace) -> int:
    print(f"key provider: {vault.provider.name}; store: {vault.store.url}")
    for k in vault.versions():
        mark = " (current)" if k.current else ""
        retired = f", retired {k.retired}" if k.retired else ""
        print(f"  version {k.version}: {k.state}{mark}, created {k.created}{retired}, "
              f"wrapped by {k.provider}")
    vault.check()
    print("key provider: OK (the current data key unwraps)")
    return 0


def cmd_tokenize(cfg: GatewayConfig, vault: Vault, args: argparse.Namespace) -> int:
    spec = TokenSpec(format=args.format, deterministic=args.deterministic,
                     preserve=args.preserve, luhn=args.luhn, ttl=args.ttl)
    token, issued = vault.tokenize(_value(args.value), detector=args.detector, spec=spec,
                                   tenant=args.tenant, owner=args.user)
    _audit(cfg, "tokenize", {"detector": issued.detector, "format": issued.format,
                             "key_version": issued.version, "tenant": args.tenant,
                             "owner": args.user})
    print(token)
    return 0


def cmd_detokenize(cfg: GatewayConfig, vault: Vault, args: argparse.Namespace) -> int:
    try:
        value, info = vault.detokenize(_value(args.token), user=args.user,
                                       check_owner=args.user is not None)
    except CasbError as e:
        _audit(cfg, "detokenize", {"result": "refused", "error": type(e).__name__})
        raise
    _audit(cfg, "detokenize", {"result": "ok", "detector": info.detector,
                               "format": info.format, "key_version": info.version,
                               "token_ref": info.token_hmac[:16]})
    print(value)
    return 0


def add_parsers(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    v = sub.add_parser("vault", help="token vault: key versions, operator tokenization").\
        add_subparsers(dest="vault_command", required=True)
    r = v.add_parser("rotate", help="make a new data key version; new tokens use it")
    common(r)
    r.set_defaults(func=_with_vault(cmd_rotate))
    x = v.add_parser("retire", help="destroy a key version: its tokens no longer resolve")
    common(x)
    x.add_argument("version", type=int)
    x.set_defaults(func=_with_vault(cmd_retire))
    s = v.add_parser("status", help="key versions and a check of the key provider")
    common(s)
    s.set_defaults(func=_with_vault(cmd_status))
    t = v.add_parser("tokenize", help="print a token for a value (audited)")
    common(t)
    t.add_argument("value", nargs="?", help="the value (default: read one line from stdin)")
    t.add_argument("--detector", required=True, help="detector id, e.g. credit_card, us_ssn")
    t.add_argument("--format", choices=("ff1", "vault"), default="ff1")
    t.add_argument("--deterministic", action="store_true")
    t.add_argument("--preserve", choices=("none", "last4", "first6_last4"), default="none")
    t.add_argument("--luhn", choices=("invalid", "valid", "any"), default="invalid")
    t.add_argument("--ttl", type=int, metavar="SECONDS")
    t.add_argument("--tenant", default="operator:-", help="tenant context (app:tenant)")
    t.add_argument("--user", help="the user the token is issued to")
    t.set_defaults(func=_with_vault(cmd_tokenize))
    d = v.add_parser("detokenize", help="print the original of a token (audited)")
    common(d)
    d.add_argument("token", nargs="?", help="the token (default: read one line from stdin)")
    d.add_argument("--user", help="resolve as this user (owner check); default: operator")
    d.set_defaults(func=_with_vault(cmd_detokenize))

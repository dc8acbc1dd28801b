"""``casb mfa ...`` and ``casb risk show``: act on a running gateway's state (same store)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from gateway.cliargs import config_from_args, open_cli_store
from gateway.config import GatewayConfig
from gateway.mfa import MfaService, mfa_service
from gateway.risk import RiskEngine
from gateway.state import Store


def _open(args: argparse.Namespace) -> tuple[GatewayConfig, Store]:
    cfg = config_from_args(args)
    return cfg, open_cli_store(cfg)


def _with_mfa(fn: Callable[[MfaService, argparse.Namespace], int]) -> Callable[
        [argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        cfg, store = _open(args)
        try:
            return fn(mfa_service(cfg, store), args)
        finally:
            store.close()
    return run


def cmd_invite(mfa: MfaService, args: argparse.Namespace) -> int:
    code = mfa.invite(args.user)
    days = mfa.config.invite_ttl / 86400
    print(f"enrollment code for {args.user}: {code}")
    print(f"valid once, for {days:g} day(s); the user enters it at https://<portal>/enroll",
          file=sys.stderr)
    return 0


def cmd_enroll(mfa: MfaService, args: argparse.Namespace) -> int:
    if args.method == "email":
        if not args.email or "@" not in args.email:
            print("casb: --method email needs --email ADDRESS", file=sys.stderr)
            return 2
        if mfa.config.email is None:
            print("casb: warning: mfa.email (SMTP) is not configured; the address is kept "
                  "but no code can be sent", file=sys.stderr)
        mfa.set_email(args.user, args.email)
        print(f"{args.user}: e-mail codes go to {args.email}")
        return 0
    if mfa.record(args.user).totp and not args.replace:
        print(f"casb: {args.user} already has a second factor (use --replace, or reset)",
              file=sys.stderr)
        return 2
    uri = mfa.enroll_totp(args.user)
    print(uri)
    print("shown once: give it to the user's authenticator now", file=sys.stderr)
    return 0


def cmd_reset(mfa: MfaService, args: argparse.Namespace) -> int:
    mfa.reset(args.user)
    print(f"{args.user}: every factor, backup code, lockout and grant removed")
    return 0


def cmd_revoke(mfa: MfaService, args: argparse.Namespace) -> int:
    mfa.revoke(args.user)
    print(f"{args.user}: every step-up grant revoked, on every gateway node")
    return 0


def cmd_unlock(mfa: MfaService, args: argparse.Namespace) -> int:
    mfa.unlock(args.user)
    print(f"{args.user}: failure count and lockout cleared")
    return 0


def cmd_status(mfa: MfaService, args: argparse.Namespace) -> int:
    s = mfa.status(args.user)
    print(f"user:          {s.user}")
    print(f"factors:       {', '.join(s.methods) or 'none'}")
    for c in mfa.record(args.user).webauthn:
        print(f"  webauthn {c.get('name', '')}: counter {c.get('sign_count')}, "
              f"user verified at registration: {c.get('user_verified')}")
    print(f"backup codes:  {s.backup_codes_left} left")
    print(f"invited:       {'yes (enrollment code pending)' if s.invited else 'no'}")
    print(f"failures:      {s.failures}")
    print(f"locked:        {f'yes, {s.locked_for:.0f}s left' if s.locked_for else 'no'}")
    print(f"grants:        {len(s.grants)}")
    for g in s.grants:
        print(f"  {g}")
    return 0


def cmd_risk_show(args: argparse.Namespace) -> int:
    cfg, store = _open(args)
    try:
        score = RiskEngine(store, cfg.risk).score(args.user)
    finally:
        store.close()
    print(f"user:   {score.user}")
    print(f"risk:   {score.score}/100")
    if score.blocked_for is not None:
        print(f"blocked: {score.blocked_for:.0f}s left (automated response)")
    for s in score.signals:
        print(f"  {s.kind:<14} {s.weight:5.1f}  {s.reason}")
    if not score.signals:
        print("  no live signals")
    return 0


def cmd_risk_reset(args: argparse.Namespace) -> int:
    cfg, store = _open(args)
    try:
        RiskEngine(store, cfg.risk).clear(args.user)
    finally:
        store.close()
    print(f"{args.user}: risk signals, responses and block cleared")
    return 0


def add_parsers(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``casb mfa ...`` and ``casb risk ...``."""
    mfa = sub.add_parser("mfa", help="step-up MFA: invite, enroll, status, revoke, reset")
    msub = mfa.add_subparsers(dest="mfa_command", required=True)
    table: list[tuple[str, str, Callable[[MfaService, argparse.Namespace], int]]] = [
        ("invite", "issue a one-time enrollment code", cmd_invite),
        ("enroll", "provision TOTP (prints the otpauth:// URI once) or an e-mail address",
         cmd_enroll),
        ("status", "factors, backup codes, failures, lockout and grants", cmd_status),
        ("revoke", "end every step-up grant of the user now, on every node", cmd_revoke),
        ("reset", "remove every factor, code, lockout and grant", cmd_reset),
        ("unlock", "clear the failure count and lockout", cmd_unlock),
    ]
    for name, text, fn in table:
        p = msub.add_parser(name, help=text)
        common(p)
        p.add_argument("user")
        if name == "enroll":
            p.add_argument("--method", choices=("totp", "email"), default="totp")
            p.add_argument("--email", metavar="ADDRESS",
                           help="with --method email: where e-mail codes are sent")
            p.add_argument("--replace", action="store_true",
                           help="replace an existing TOTP factor")
        p.set_defaults(func=_with_mfa(fn))
    risk = sub.add_parser("risk", help="per-user risk score")
    rsub = risk.add_subparsers(dest="risk_command", required=True)
    show = rsub.add_parser("show", help="the score and the signals behind it")
    common(show)
    show.add_argument("user")
    show.set_defaults(func=cmd_risk_show)
    reset = rsub.add_parser("reset", help="clear the user's signals and any risk block")
    common(reset)
    reset.add_argument("user")
    reset.set_defaults(func=cmd_risk_reset)

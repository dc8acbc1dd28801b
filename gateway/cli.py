"""The ``casb`` command. Errors are one clear line on stderr and exit status 2, never a traceback.

``casb run`` starts the proxy through the ``casb.runners`` entry point (the mitmproxy adapter in
addons/), so the engine itself never imports mitmproxy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

from gateway import ca, mfa_cli, scan_cli, vault_cli
from gateway.apps import Catalog, load_catalog
from gateway.cliargs import common_options, config_from_args
from gateway.config import GatewayConfig
from gateway.dlp import DETECTOR_CATEGORIES, Detector, Limits, Scanner, load_detectors
from gateway.errors import CasbError
from gateway.identity import Directory, Identifier, load_directory
from gateway.policy import Facts, Vocabulary, load_dir, load_policies
from gateway.request import RequestInfo


def cmd_run(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    runners = entry_points(group="casb.runners", name="proxy")
    if not runners:
        print("casb: the proxy runner is not installed (pip install -e .)", file=sys.stderr)
        return 2
    run: Callable[..., int] = next(iter(runners)).load()
    return run(cfg, scripts=args.script or (), sets=args.set or ())


def _load_parts(cfg: GatewayConfig) -> tuple[Catalog, tuple[Detector, ...], Vocabulary]:
    catalog = load_catalog(cfg.catalog_file)
    detectors = load_detectors(cfg.dlp.detectors_file)
    vocab = Vocabulary(apps=set(catalog.apps), detectors={d.id for d in detectors},
                       detector_categories=DETECTOR_CATEGORIES)
    return catalog, detectors, vocab


def cmd_policy_check(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    directory = Path(args.dir) if args.dir else cfg.policy.dir
    _, _, vocab = _load_parts(cfg)
    packs = load_dir(directory, vocab)
    for name, lp in sorted(packs.items()):
        enabled = "enabled" if name in cfg.policy.packs else "available"
        print(f"ok  {lp.source.file}: pack {name!r}, {len(lp.pack.rules)} rules ({enabled})")
    load_policies(directory, cfg.policy.packs, vocab)
    print(f"policy OK: {len(packs)} pack(s), enabled: {', '.join(cfg.policy.packs)}; "
          f"catalog {len(vocab.apps)} apps; {len(vocab.detectors)} detectors")
    return 0


def cmd_policy_explain(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    catalog, detectors, vocab = _load_parts(cfg)
    policy = load_policies(cfg.policy.dir, cfg.policy.packs, vocab).policy
    url = urlsplit(args.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        print(f"casb: --url must be an absolute http(s) URL, got {args.url!r}", file=sys.stderr)
        return 2
    headers = [tuple(h.split(":", 1)) for h in args.header or []]
    if args.content_type:
        headers.append(("content-type", args.content_type))
    req = RequestInfo(
        method=args.method.upper(), scheme=url.scheme, host=url.hostname.lower(),
        port=url.port or (443 if url.scheme == "https" else 80),
        path=(url.path or "/") + (f"?{url.query}" if url.query else ""),
        headers=tuple((k.strip().lower(), v.strip()) for k, v in headers),
    )
    body = Path(args.body_file).read_bytes() if args.body_file else None
    directory = load_directory(cfg.identity.directory) if cfg.identity.directory else Directory()
    ident = Identifier(cfg.identity.ip_map, directory)
    subject = ident.subject(client_ip=args.client_ip or "", auth_user=args.user)
    app = catalog.classify(req, body)
    facts = Facts(subject=subject, app=app, direction="request", method=req.method,
                  host=req.host, body_size=len(body or b""))
    print(f"request:  {req.method} {req.url}")
    print(f"subject:  user={subject.user!r} groups={sorted(subject.groups)} via {subject.source}")
    print(f"app:      {app.app_id or 'unlisted'} ({app.name or '-'}), category={app.category}, "
          f"risk={app.risk}, activity={app.activity}, tenant={app.tenant!r}, "
          f"signature={app.signature}")
    if body is not None and policy.needs_content(facts):
        scanner = Scanner.build(detectors, hmac_key=os.urandom(32), limits=Limits())
        scan = scanner.scan_body(body, content_type=args.content_type,
                                 content_encoding=args.content_encoding)
        facts = Facts(subject=subject, app=app, direction="request", method=req.method,
                      host=req.host, body_size=len(body), scanned=True,
                      findings=scan.findings, file_type=scan.file_type,
                      unscannable=scan.unscannable)
        print(f"content:  {len(body)} bytes, type={scan.file_type}, "
              f"unscannable={scan.unscannable}")
        for f in scan.findings:
            print(f"  finding {f.detector} ({f.category}, {f.confidence.name.lower()}) "
                  f"at {f.location}: {f.masked}")
    decision = policy.evaluate(facts, explain=True)
    print("trace:")
    for line in decision.trace:
        print(f"  {line}")
    where = f" by {decision.pack}/{decision.rule_id}" if decision.rule_id else ""
    print(f"decision: {decision.action.value.upper()}{where} (reason: {decision.reason})")
    for hit in decision.monitored:
        print(f"  monitor: {hit.pack}/{hit.rule_id} would {hit.action.value}")
    return 0


def cmd_ca_export(args: argparse.Namespace) -> int:
    cfg = config_from_args(args)
    data = ca.export_ca(cfg.certs_dir, args.format)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out} ({args.format}); SHA-256 {ca.fingerprint(cfg.certs_dir)}",
              file=sys.stderr)
    elif args.format == "der":
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="casb", description="casb-gateway: an inline CASB proxy")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the gateway in the foreground")
    common_options(r)
    r.add_argument("--listen-host", help="proxy address (default 127.0.0.1)")
    r.add_argument("--listen-port", type=int, help="proxy port (default 8080)")
    r.add_argument("--mode", action="append",
                   help="mitmproxy mode: regular, transparent, upstream:URL, wireguard, "
                        "socks5 ... (repeatable)")
    r.add_argument("--admin-port", type=int, help="metrics and health port (default 9090)")
    r.add_argument("--audit-log", metavar="FILE", help="JSON-lines audit file")
    r.add_argument("--packs", nargs="+", metavar="NAME", help="policy packs to enforce, in order")
    r.add_argument("-s", "--script", action="append", metavar="FILE",
                   help="extra mitmproxy addon script, loaded after ours (repeatable)")
    r.add_argument("--set", action="append", metavar="KEY=VALUE",
                   help="any mitmproxy option (repeatable)")
    r.set_defaults(func=cmd_run)

    pol = sub.add_parser("policy", help="check and explain policies").add_subparsers(
        dest="policy_command", required=True)
    c = pol.add_parser("check", help="validate policies and catalog")
    common_options(c)
    c.add_argument("dir", nargs="?", help="policy directory (default: the configured one)")
    c.add_argument("--packs", nargs="+", metavar="NAME", help="packs to check as enabled")
    c.set_defaults(func=cmd_policy_check)
    e = pol.add_parser("explain", help="the decision the engine would take for a request")
    common_options(e)
    e.add_argument("--method", required=True)
    e.add_argument("--url", required=True)
    e.add_argument("--user", help="authenticated user name")
    e.add_argument("--client-ip", help="client address (for the address map)")
    e.add_argument("--body-file", metavar="F")
    e.add_argument("--content-type")
    e.add_argument("--content-encoding")
    e.add_argument("-H", "--header", action="append", metavar="NAME: VALUE")
    e.add_argument("--packs", nargs="+", metavar="NAME")
    e.set_defaults(func=cmd_policy_explain)

    cap = sub.add_parser("ca", help="the interception CA").add_subparsers(
        dest="ca_command", required=True)
    x = cap.add_parser("export", help="print or write the CA certificate")
    common_options(x)
    x.add_argument("--format", choices=("pem", "der"), default="pem")
    x.add_argument("--out", metavar="FILE")
    x.set_defaults(func=cmd_ca_export)

    # Subcommands defined in other modules register here, one call each:
    # module.add_parsers(sub, common_options) adds its parsers with set_defaults(func=...).
    mfa_cli.add_parsers(sub, common_options)
    vault_cli.add_parsers(sub, common_options)
    scan_cli.add_parsers(sub, common_options)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        rc: int = args.func(args)
    except CasbError as e:
        print(f"casb: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader went away (casb detectors | head): stop quietly, as Unix tools do; the
        # interpreter's last flush of stdout must not fail again
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE
    except OSError as e:
        print(f"casb: {e.strerror or e}: {getattr(e, 'filename', '') or ''}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return rc


if __name__ == "__main__":
    sys.exit(main())

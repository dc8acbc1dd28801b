"""``casb run``: our own mitmproxy Master with only the addons the gateway needs.

mitmdump dispatches every hook to ~30 default addons; a master with the handful we need is
markedly faster, and nothing unexpected (replay, map-local, ...) sits in the path.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from mitmproxy import addons as mitm_addons
from mitmproxy import ctx, exceptions, master, options
from mitmproxy.addons import errorcheck

from addons._flow import Holder
from addons.appid import AppId
from addons.hardening import Hardening
from addons.identity import Identity
from addons.inspect import Inspect
from addons.portal import Portal
from addons.reload import Reloader
from addons.stepup import StepUp
from addons.stream import Stream
from gateway import ca
from gateway.admin import AdminServer, admin_app
from gateway.audit import AuditLog, configured_sinks
from gateway.config import GatewayConfig
from gateway.engine import Engine, hmac_key_for
from gateway.errors import CasbError
from gateway.metrics import Metrics
from gateway.state import open_store

logger = logging.getLogger("casb")


def mitmproxy_addons() -> list[object]:
    """The built-in addons a forward/transparent/upstream gateway needs, nothing else."""
    from mitmproxy.addons import (
        block,
        core,
        disable_h2c,
        dns_resolver,
        next_layer,
        proxyauth,
        proxyserver,
        strip_dns_https_records,
        tlsconfig,
        upstream_auth,
    )

    return [
        core.Core(),
        block.Block(),
        proxyauth.ProxyAuth(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        disable_h2c.DisableH2C(),
        dns_resolver.DnsResolver(),
        strip_dns_https_records.StripDnsHttpsRecords(),
        upstream_auth.UpstreamAuth(),
    ]


class Ready:
    """Marks the gateway ready once its servers listen, and prints where and how to trust it."""

    def __init__(self, holder: Holder, admin_port: int | None) -> None:
        self.holder = holder
        self.admin_port = admin_port

    def running(self) -> None:
        ps = ctx.master.addons.get("proxyserver")
        addrs = ", ".join(f"{a[0]}:{a[1]}" for a in ps.listen_addrs()) if ps else "?"
        cfg = self.holder.engine.config
        cert = ca.ca_paths(cfg.certs_dir)[1].resolve()
        lines = [
            f"casb-gateway listening on {addrs} (mode {', '.join(cfg.listen.mode)})",
            f"  policy packs: {', '.join(self.holder.engine.policy.packs)} "
            f"({len(self.holder.engine.policy.rules)} rules) from {cfg.policy.dir}",
        ]
        if self.admin_port is not None:
            lines.append(f"  admin: http://{cfg.admin.host}:{self.admin_port}/metrics "
                         "/healthz /readyz")
        lines += [
            f"  CA certificate: {cert}",
            f"  SHA-256 fingerprint: {ca.fingerprint(cfg.certs_dir)}",
            "  Trust it on clients: casb ca export --out casb-ca.crt, then",
            "    Debian/Ubuntu: cp casb-ca.crt /usr/local/share/ca-certificates/ "
            "&& update-ca-certificates",
            "    curl: --cacert casb-ca.crt; browsers: import as a trusted root authority",
            f"  audit log: {cfg.audit.file or 'off'}{' + stdout' if cfg.audit.stdout else ''}",
        ]
        print("\n".join(lines), flush=True)
        self.holder.ready = True

    def done(self) -> None:
        self.holder.ready = False


def build_holder(cfg: GatewayConfig) -> Holder:
    metrics = Metrics()
    audit = AuditLog(
        configured_sinks(cfg.audit),
        on_event=lambda e: metrics.audit_events.labels(e.kind).inc(),
        on_failure=lambda name: metrics.audit_failures.labels(name).inc(),
    )
    ca.ensure_ca(cfg.certs_dir)
    store = open_store(cfg.store_url, timeout=cfg.store.timeout)
    engine = Engine.build(cfg, audit=audit, metrics=metrics, hmac_key=hmac_key_for(cfg),
                          store=store)
    return Holder(engine)


def run(cfg: GatewayConfig, *, scripts: Sequence[str] = (), sets: Sequence[str] = ()) -> int:
    """Run the gateway in the foreground until SIGINT/SIGTERM. Returns the exit status."""
    try:
        holder = build_holder(cfg)
    except CasbError as e:
        print(f"casb: {e}", file=sys.stderr)
        return 2
    return asyncio.run(_main(cfg, holder, scripts, sets))


async def _main(cfg: GatewayConfig, holder: Holder, scripts: Sequence[str],
                sets: Sequence[str]) -> int:
    logging.getLogger().setLevel(logging.INFO)
    for noisy in ("hpack", "asyncio", "quic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    opts = options.Options()
    m = master.Master(opts, with_termlog=True)
    admin: AdminServer | None = None
    if cfg.admin.port or cfg.admin.port == 0:
        def ready() -> tuple[bool, str]:
            if not holder.ready:
                return False, "not ready: proxy not listening"
            return True, f"ready: {len(holder.engine.policy.rules)} rules"

        admin = AdminServer(cfg.admin.host, cfg.admin.port,
                            admin_app(holder.engine.metrics.registry, ready))
    m.addons.add(*mitmproxy_addons())
    m.addons.add(Identity(holder), AppId(holder), Portal(holder), StepUp(holder),
                 Stream(holder), Inspect(holder), Hardening(holder),
                 Reloader(holder), Ready(holder, admin.port if admin else None))
    m.addons.add(mitm_addons.script.ScriptLoader(), errorcheck.ErrorCheck())
    try:
        opts.update(
            confdir=str(Path(cfg.certs_dir).resolve()),
            listen_host=cfg.listen.host,
            listen_port=cfg.listen.port,
            mode=list(cfg.listen.mode),
            proxyauth=cfg.identity.proxyauth,
            termlog_verbosity="warn",
            connection_strategy="lazy",
        )
        if cfg.mitmproxy:
            opts.update(**cfg.mitmproxy)
        if scripts:
            opts.update(scripts=list(scripts))
        if sets:
            opts.set(*sets)
    except exceptions.OptionsError as e:
        print(f"casb: invalid mitmproxy option: {e}", file=sys.stderr)
        return 2
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, m.shutdown)
    if admin is not None:
        admin.start()
    try:
        await m.run()
    finally:
        if admin is not None:
            admin.stop()
        holder.engine.audit.close()
        holder.engine.store.close()
    return 0

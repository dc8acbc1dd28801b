"""The engine facade the addons call: built whole from configuration, swapped whole on reload.

Everything here is plain data in, plain data out; the addons translate flows.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from gateway import ca
from gateway.apps import AppContext, Catalog, HeaderEdit, load_catalog, restriction_headers
from gateway.audit import (
    AppInfo,
    AuditEvent,
    AuditLog,
    MonitorHit,
    RequestSummary,
    SubjectInfo,
    summarize,
)
from gateway.config import GatewayConfig
from gateway.dlp import DETECTOR_CATEGORIES, Scanner, ScanResult, load_detectors
from gateway.errors import ContentError, PolicyError
from gateway.identity import Directory, Identifier, load_directory
from gateway.metrics import Metrics
from gateway.policy import (
    Action,
    Decision,
    Direction,
    Facts,
    Policies,
    Vocabulary,
    load_policies,
    new_decision_id,
)
from gateway.portal import Brand, Page, Pages
from gateway.request import RequestInfo, Subject
from gateway.state import Store

SUPPORTED_ACTIONS = frozenset({Action.ALLOW, Action.AUDIT, Action.REDACT, Action.BLOCK})
"""Actions the engine can carry out; a policy naming another one is refused at load."""

_UNKNOWN_APP = AppContext(app_id=None, name=None, category=None, risk=None, risk_reasons=(),
                          activity="browse", tenant=None, signature=None)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one message: the decision, and a page or a new body when it needs one."""

    decision: Decision
    page: Page | None = None
    body: bytes | None = None
    scan: ScanResult | None = None


def policy_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector for hot reload: names, sizes and mtimes of the policy files."""
    out = []
    for p in sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class Engine:
    """Catalog, policies, scanner, identity and pages for one configuration generation."""

    def __init__(
        self,
        config: GatewayConfig,
        *,
        catalog: Catalog,
        policies: Policies,
        scanner: Scanner,
        identifier: Identifier,
        pages: Pages,
        audit: AuditLog,
        metrics: Metrics,
        store: Store,
        signature: tuple[tuple[str, int, int], ...] = (),
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.policies = policies
        self.policy = policies.policy
        self.scanner = scanner
        self.identifier = identifier
        self.pages = pages
        self.audit = audit
        self.metrics = metrics
        self.store = store
        self.signature = signature
        metrics.rules.set(len(self.policy.rules))

    @classmethod
    def build(cls, config: GatewayConfig, *, audit: AuditLog, metrics: Metrics,
              hmac_key: bytes, store: Store) -> Engine:
        """Build every part or raise :class:`ConfigError`; nothing is half-loaded.

        Audit log, metrics and store outlive a generation: a reload shares them.
        """
        catalog = load_catalog(config.catalog_file)
        detectors = load_detectors(config.dlp.detectors_file)
        vocab = Vocabulary(
            apps=set(catalog.apps),
            detectors={d.id for d in detectors},
            detector_categories=DETECTOR_CATEGORIES,
        )
        signature = policy_signature(config.policy.dir)
        policies = load_policies(config.policy.dir, config.policy.packs, vocab)
        for pack, rule in policies.policy.rules:
            if rule.action not in SUPPORTED_ACTIONS:
                raise PolicyError(
                    f"action {rule.action.value!r} of rule {rule.id!r} is not available in this "
                    f"gateway (available: {', '.join(sorted(a.value for a in SUPPORTED_ACTIONS))})",
                    field=f"pack {pack}",
                )
        scanner = Scanner.build(detectors, hmac_key=hmac_key, limits=config.dlp.limits)
        directory = (load_directory(config.identity.directory)
                     if config.identity.directory else Directory())
        identifier = Identifier(config.identity.ip_map, directory)
        pages = Pages(Brand(config.portal.brand_name, config.portal.accent_color,
                            config.portal.support_contact))
        return cls(config, catalog=catalog, policies=policies, scanner=scanner,
                   identifier=identifier, pages=pages, audit=audit, metrics=metrics,
                   store=store, signature=signature)

    # -- per flow --------------------------------------------------------------------------
    def classify(self, req: RequestInfo, body: bytes | None = None) -> AppContext:
        return self.catalog.classify(req, body)

    def tenant_edit(self, host: str) -> HeaderEdit:
        return restriction_headers(host, self.policies.tenant_restrictions)

    def judge(
        self,
        direction: Direction,
        req: RequestInfo,
        subject: Subject,
        app: AppContext,
        body: bytes | None,
        *,
        content_type: str | None,
        content_encoding: str | None,
        status: int | None = None,
    ) -> Verdict:
        """Scan when a rule needs the body, decide, record, and prepare what the addon applies."""
        facts = Facts(subject=subject, app=app, direction=direction, method=req.method,
                      host=req.host, body_size=len(body or b""))
        scan: ScanResult | None = None
        if body and (direction == "request" or self.config.dlp.scan_responses) \
                and self.policy.needs_content(facts):
            t0 = time.perf_counter()
            scan = self.scanner.scan_body(body, content_type=content_type,
                                          content_encoding=content_encoding)
            self.metrics.scan_seconds.labels(direction).observe(time.perf_counter() - t0)
            self.metrics.bytes_scanned.labels(direction).inc(scan.bytes_scanned)
            if scan.unscannable:
                self.metrics.unscannable.labels(scan.unscannable.split(":", 1)[0]).inc()
            facts = replace(facts, scanned=True, findings=scan.findings,
                            file_type=scan.file_type, unscannable=scan.unscannable)
        decision = self.policy.evaluate(facts)
        verdict = self._apply(decision, req, app, body, scan, content_type, content_encoding)
        self.record(verdict.decision, direction, req, subject, app, scan=scan, status=status,
                    body_bytes=facts.body_size)
        return verdict

    def _apply(self, decision: Decision, req: RequestInfo, app: AppContext, body: bytes | None,
               scan: ScanResult | None, content_type: str | None,
               content_encoding: str | None) -> Verdict:
        unscannable = scan.unscannable if scan else None
        if decision.action is Action.BLOCK:
            return Verdict(decision, page=self.pages.blocked(decision, req, app,
                                                             unscannable=unscannable), scan=scan)
        if decision.action is Action.REDACT and body:
            try:
                new = self.scanner.redact(body, content_type=content_type,
                                          content_encoding=content_encoding,
                                          detectors=decision.redact_detectors or None)
            except ContentError as e:
                # Cannot rewrite safely: never forward the clear value.
                self.metrics.fail_closed.labels("redact").inc()
                blocked = replace(decision, action=Action.BLOCK, reason="unscannable")
                return Verdict(blocked, page=self.pages.blocked(blocked, req, app,
                                                                unscannable=e.reason), scan=scan)
            return Verdict(decision, body=new, scan=scan)
        return Verdict(decision, scan=scan)

    def fail(
        self,
        stage: str,
        error: BaseException,
        *,
        direction: Direction,
        req: RequestInfo | None,
        subject: Subject | None,
        app: AppContext | None,
    ) -> Verdict:
        """The configured verdict when one of our hooks fails: counted, recorded, explained."""
        self.metrics.addon_errors.labels(stage).inc()
        facts = None
        if subject is not None and app is not None and req is not None:
            facts = Facts(subject=subject, app=app, direction=direction, method=req.method,
                          host=req.host)
        action = self.policy.on_error(facts)
        decision = Decision(id=new_decision_id(), action=action, reason="error")
        if action is Action.BLOCK:
            self.metrics.fail_closed.labels(stage).inc()
        page = None
        if action is Action.BLOCK and req is not None:
            page = self.pages.blocked(decision, req, app or _UNKNOWN_APP)
        self.record(decision, direction, req, subject, app,
                    error=f"{stage}: {type(error).__name__}")
        return Verdict(decision, page=page)

    # -- evidence --------------------------------------------------------------------------
    def record(
        self,
        decision: Decision,
        direction: Direction,
        req: RequestInfo | None,
        subject: Subject | None,
        app: AppContext | None,
        *,
        scan: ScanResult | None = None,
        status: int | None = None,
        error: str | None = None,
        body_bytes: int = 0,
    ) -> None:
        m = self.metrics
        app_label = (app.app_id if app else None) or "unlisted"
        m.requests.labels(app_label, app.activity if app else "unknown", direction,
                          decision.action.value).inc()
        for f in decision.findings:
            m.findings.labels(f.detector, f.category).inc()
        for hit in decision.monitored:
            m.monitor_hits.labels(f"{hit.pack}/{hit.rule_id}", hit.action.value).inc()
        event = AuditEvent(
            kind="error" if error else "decision",
            decision_id=decision.id,
            subject=SubjectInfo(user=subject.user, groups=sorted(subject.groups),
                                client_ip=subject.client_ip, device_id=subject.device_id,
                                source=subject.source) if subject else None,
            app=AppInfo(id=app.app_id, name=app.name, category=app.category, risk=app.risk,
                        tenant=app.tenant, activity=app.activity) if app else None,
            request=RequestSummary(method=req.method, scheme=req.scheme, host=req.host,
                                   path=req.path_only, status=status,
                                   body_bytes=body_bytes)
            if req else None,
            direction=direction,
            pack=decision.pack,
            rule=decision.rule_id,
            action=decision.action.value,
            reason=decision.reason,
            monitored=[MonitorHit(pack=h.pack, rule=h.rule_id, would=h.action.value)
                       for h in decision.monitored],
            findings=summarize(decision.findings),
            file_type=scan.file_type if scan else None,
            unscannable=scan.unscannable if scan else None,
            bytes_scanned=scan.bytes_scanned if scan else 0,
            error=error,
        )
        self.audit.emit(event)

    def record_event(self, event: AuditEvent) -> None:
        self.audit.emit(event)

    def explain(self, facts: Facts) -> Decision:
        return self.policy.evaluate(facts, explain=True)

    def detector_ids(self) -> Collection[str]:
        return {d.id for d in self.scanner.detectors}


def hmac_key_for(config: GatewayConfig) -> bytes:
    if config.audit.hmac_key is not None:
        return config.audit.hmac_key.get_secret_value().encode()
    return ca.load_or_create_key(config.certs_dir / "audit-hmac.key")

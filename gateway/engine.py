"""The engine facade the addons call: built whole from configuration, swapped whole on reload.

Everything here is plain data in, plain data out; the addons translate flows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
from gateway.dlp import (
    DETECTOR_CATEGORIES,
    Scanner,
    ScanResult,
    StreamScan,
    load_detectors,
    public_addresses_only,
)
from gateway.errors import ContentError, PolicyError, StoreError
from gateway.identity import Directory, Identifier, load_directory
from gateway.metrics import Metrics
from gateway.mfa import MfaService, mfa_service
from gateway.policy import (
    Action,
    Decision,
    Direction,
    Facts,
    Policies,
    Vocabulary,
    allow_name,
    load_policies,
    new_decision_id,
)
from gateway.policy import (
    Coach as CoachParams,
)
from gateway.policy import (
    StepUp as StepUpParams,
)
from gateway.policy import (
    Tokenize as TokenizeParams,
)
from gateway.portal import Brand, Page, Pages
from gateway.portal._stepup import challenge, coach, portal_url, resume_url, unavailable
from gateway.request import RequestInfo, Subject
from gateway.risk import RiskEngine, RiskResponseTaken
from gateway.state import Store
from gateway.vault import (
    TokenSpec,
    Vault,
    VaultError,
    detokenize_body,
    detokenized_detail,
    open_vault,
    tokenize_body,
    tokenized_detail,
)

logger = logging.getLogger("casb")

SUPPORTED_ACTIONS = frozenset({Action.ALLOW, Action.AUDIT, Action.REDACT, Action.BLOCK,
                               Action.STEPUP, Action.COACH, Action.TOKENIZE,
                               Action.DETOKENIZE})
"""Actions the engine can carry out; a policy naming another one is refused at load."""

_GATED = (Action.STEPUP, Action.COACH)
"""Actions the gate answers before the body is read (a grant or an acknowledgement)."""
COACH_NEED = "your acknowledgement of a notice"
"""What a coach-protected app needs, in the "temporarily unavailable" page."""

_UNKNOWN_APP = AppContext(app_id=None, name=None, category=None, risk=None, risk_reasons=(),
                          activity="browse", tenant=None, signature=None)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to do with one message: the decision, and a page or a new body when it needs one."""

    decision: Decision
    page: Page | None = None
    body: bytes | None = None
    scan: ScanResult | None = None
    detail: dict[str, Any] | None = None
    """Extra facts for the audit event (what was tokenized or detokenized)."""


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


def _allowed_by(decision: Decision) -> str | None:
    """The allow-list of the rule that decided: its values are not rewritten either."""
    if decision.pack is None or decision.rule_id is None:
        return None
    return allow_name(decision.pack, decision.rule_id)


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
        vault: Vault | None = None,
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
        self.vault = vault or open_vault(config.vault, store, certs_dir=config.certs_dir)
        metrics.rules.set(len(self.policy.rules))
        self.mfa: MfaService = mfa_service(config, store)
        self.risk = RiskEngine(store, config.risk, on_response=self._risk_response,
                               revoke=self.mfa.revoke)
        if config.risk.enabled:
            self.mfa.on_failure = self._mfa_failed

    @classmethod
    def build(cls, config: GatewayConfig, *, audit: AuditLog, metrics: Metrics,
              hmac_key: bytes, store: Store, vault: Vault | None = None) -> Engine:
        """Build every part or raise :class:`ConfigError`; nothing is half-loaded.

        Audit log, metrics and store outlive a generation: a reload shares them.
        """
        catalog = load_catalog(config.catalog_file)
        detectors = load_detectors(config.dlp.detectors_file)
        if not config.dlp.private_addresses:
            detectors = public_addresses_only(detectors)
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
        scanner = Scanner.build(detectors, hmac_key=hmac_key, limits=config.dlp.limits
                                ).with_allow(policies.policy.allow)
        directory = (load_directory(config.identity.directory)
                     if config.identity.directory else Directory())
        identifier = Identifier(config.identity.ip_map, directory)
        pages = Pages(Brand(config.portal.brand_name, config.portal.accent_color,
                            config.portal.support_contact))
        return cls(config, catalog=catalog, policies=policies, scanner=scanner,
                   identifier=identifier, pages=pages, audit=audit, metrics=metrics,
                   store=store, signature=signature, vault=vault)

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
        streamed: bool = False,
        scanned: ScanResult | None = None,
        body_size: int | None = None,
    ) -> Verdict:
        """Scan when a rule needs the body, decide, record, and prepare what the addon applies.

        A streamed body (see :meth:`open_stream`) comes already scanned (``scanned``) with its
        size, and was forwarded as it came: a verdict that would rewrite it blocks instead.
        """
        facts = Facts(subject=subject, app=app, direction=direction, method=req.method,
                      host=req.host,
                      body_size=len(body or b"") if body_size is None else body_size,
                      risk=self.risk.cached(subject.user) if self.config.risk.enabled else None)
        scan: ScanResult | None = scanned
        query = req.path.partition("?")[2] \
            if direction == "request" and self.config.dlp.scan_queries else ""
        if ((scan is None and body) or query) \
                and (direction == "request" or self.config.dlp.scan_responses) \
                and self.policy.needs_content(facts):
            t0 = time.perf_counter()
            if scan is None and body:
                scan = self.scanner.scan_body(body, content_type=content_type,
                                              content_encoding=content_encoding)
            if query:
                scan = self._with_query(scan, query)
            self.metrics.scan_seconds.labels(direction).observe(time.perf_counter() - t0)
        if scan is not None:
            self.metrics.bytes_scanned.labels(direction).inc(scan.bytes_scanned)
            if scan.unscannable:
                self.metrics.unscannable.labels(scan.unscannable.split(":", 1)[0]).inc()
            facts = replace(facts, scanned=True, findings=scan.findings,
                            file_type=scan.file_type, unscannable=scan.unscannable)
        decision = self.policy.evaluate(facts)
        if streamed and decision.action not in (Action.ALLOW, Action.AUDIT, Action.BLOCK,
                                                Action.DETOKENIZE, Action.COACH):
            # already forwarded up to its last chunk: it cannot be rewritten, so it is cut
            self.metrics.fail_closed.labels("stream").inc()
            decision = replace(decision, action=Action.BLOCK, reason="unscannable")
        verdict = self._apply(decision, req, app, body, scan, content_type, content_encoding,
                              subject)
        if subject.user and self.config.risk.enabled and direction == "request":
            self.risk.later(subject.user, findings=len(decision.findings),
                            upload=facts.body_size if app.activity == "upload" else 0)
        self.record(verdict.decision, direction, req, subject, app, scan=scan, status=status,
                    body_bytes=facts.body_size, detail=verdict.detail)
        return verdict

    def _with_query(self, scan: ScanResult | None, query: str) -> ScanResult:
        """The body's scan plus the query string's, read as a form (``query:<name>``): a GET
        carries data too (``?q=`` of a search box or an AI chat), and a body rule covers it."""
        found = self.scanner.scan_body(query.encode("utf-8", "surrogateescape"),
                                       content_type="application/x-www-form-urlencoded",
                                       content_encoding=None)
        findings = tuple(replace(f, location="query:" + f.location.removeprefix("form:"))
                         for f in found.findings)
        if scan is None:
            return ScanResult(findings, found.bytes_scanned, None, found.unscannable)
        return ScanResult(scan.findings + findings, scan.bytes_scanned + found.bytes_scanned,
                          scan.file_type, scan.unscannable or found.unscannable)

    def open_stream(
        self,
        direction: Direction,
        req: RequestInfo,
        subject: Subject,
        app: AppContext,
        *,
        content_type: str | None,
        content_encoding: str | None,
        status: int | None = None,
    ) -> BodyStream:
        """A body judged while it streams: ``feed`` each chunk, then ``finish()`` once."""
        facts = Facts(subject=subject, app=app, direction=direction, method=req.method,
                      host=req.host)
        scan = None
        if (direction == "request" or self.config.dlp.scan_responses) \
                and self.policy.needs_content(facts):
            scan = self.scanner.open_stream(content_type=content_type,
                                            content_encoding=content_encoding)
        return BodyStream(self, direction, req, subject, app, scan, status)

    def _apply(self, decision: Decision, req: RequestInfo, app: AppContext, body: bytes | None,
               scan: ScanResult | None, content_type: str | None,
               content_encoding: str | None, subject: Subject | None = None) -> Verdict:
        unscannable = scan.unscannable if scan else None
        if decision.action is Action.STEPUP and subject is not None:
            # The stepup addon answered flows without a grant before the body was read; this
            # catches rules that matched only once the content was known.
            page = self.stepup_page(decision, req, subject, app)
            if page is not None:
                return Verdict(replace(decision, action=Action.BLOCK), page=page, scan=scan)
            return Verdict(decision, scan=scan)
        if decision.action is Action.COACH and subject is not None:
            page = self.coach_page(decision, req, subject, app)
            if page is not None:
                return Verdict(replace(decision, action=Action.BLOCK), page=page, scan=scan)
            return Verdict(replace(decision, reason="acknowledged"), scan=scan)
        if decision.action in (Action.REDACT, Action.TOKENIZE) and any(
                f.location.startswith("query:") and (not decision.redact_detectors
                                                     or f.detector in decision.redact_detectors)
                for f in decision.findings):
            # only the body is rewritten: a value in the URL would go out in clear
            self.metrics.fail_closed.labels("query").inc()
            decision = replace(decision, action=Action.BLOCK)
        if decision.action is Action.BLOCK:
            return Verdict(decision, page=self.pages.blocked(decision, req, app,
                                                             unscannable=unscannable), scan=scan)
        if decision.action is Action.REDACT and body:
            try:
                new = self.scanner.redact(body, content_type=content_type,
                                          content_encoding=content_encoding,
                                          detectors=decision.redact_detectors or None,
                                          allowed=_allowed_by(decision))
            except ContentError as e:
                # Cannot rewrite safely: never forward the clear value.
                self.metrics.fail_closed.labels("redact").inc()
                blocked = replace(decision, action=Action.BLOCK, reason="unscannable")
                return Verdict(blocked, page=self.pages.blocked(blocked, req, app,
                                                                unscannable=e.reason), scan=scan)
            return Verdict(decision, body=new, scan=scan)
        if decision.action is Action.TOKENIZE and body:
            return self._tokenize(decision, req, app, body, scan, content_type, content_encoding,
                                  subject)
        if decision.action is Action.DETOKENIZE and body:
            return self._detokenize(decision, body, scan, content_type, content_encoding,
                                    subject)
        return Verdict(decision, scan=scan)

    def _tokenize(self, decision: Decision, req: RequestInfo, app: AppContext, body: bytes,
                  scan: ScanResult | None, content_type: str | None,
                  content_encoding: str | None, subject: Subject | None) -> Verdict:
        p = decision.rule.tokenize_params if decision.rule is not None else TokenizeParams()
        spec = TokenSpec(format=p.format, deterministic=p.deterministic, preserve=p.preserve,
                         luhn=p.luhn, ttl=p.ttl)
        try:
            new, issued = tokenize_body(
                self.scanner, self.vault, body, content_type=content_type,
                content_encoding=content_encoding, detectors=decision.redact_detectors or None,
                spec=spec, tenant=f"{app.app_id or 'unlisted'}:{app.tenant or '-'}",
                owner=subject.user if subject else None, allowed=_allowed_by(decision))
        except (ContentError, VaultError, StoreError) as e:
            # Never forward the clear value: block, count, log, explain.
            reason = getattr(e, "reason", "store_error")
            self.metrics.fail_closed.labels("tokenize").inc()
            self.metrics.vault_ops.labels("tokenize", reason).inc()
            logger.error("casb: tokenization failed, request blocked (%s): %s", reason,
                         e if isinstance(e, VaultError) else type(e).__name__)
            blocked = replace(decision, action=Action.BLOCK,
                              reason="unscannable" if isinstance(e, ContentError) else "error",
                              message="This request could not be tokenized, so it was not "
                                      "sent.")
            return Verdict(blocked, page=self.pages.blocked(blocked, req, app, unscannable=(
                e.reason if isinstance(e, ContentError) else None)), scan=scan,
                detail={"tokenize_failed": reason})
        self.metrics.vault_ops.labels("tokenize", "ok").inc(len(issued))
        return Verdict(decision, body=new, scan=scan, detail=tokenized_detail(issued))

    def _detokenize(self, decision: Decision, body: bytes, scan: ScanResult | None,
                    content_type: str | None, content_encoding: str | None,
                    subject: Subject | None) -> Verdict:
        try:
            new, result = detokenize_body(self.scanner, self.vault, body,
                                          content_type=content_type,
                                          content_encoding=content_encoding,
                                          user=subject.user if subject else None)
        except ContentError as e:
            # Cannot rebuild the body: the tokens stay, the response goes on.
            self.metrics.vault_ops.labels("detokenize", e.reason).inc()
            return Verdict(decision, scan=scan, detail={"detokenize_failed": e.reason})
        self.metrics.vault_ops.labels("detokenize", "ok").inc(len(result.done))
        for why, n in result.left.items():
            self.metrics.vault_ops.labels("detokenize", why).inc(n)
        return Verdict(decision, body=new if result.done else None, scan=scan,
                       detail=detokenized_detail(result))

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

    # -- step-up and risk (called from a worker thread: they wait on the store) -------------
    def gate_needed(self, req: RequestInfo, subject: Subject, app: AppContext) -> bool:
        """Whether :meth:`stepup_gate` must run before this request goes on.

        It must when a stepup or coach rule could apply (rules that look at risk always could)
        or when risk responses may have suspended the user. Otherwise the risk signals of the
        request are noted in the background and the request does not wait on the store.
        """
        if subject.user and self.config.risk.enabled and self.config.risk.responses:
            return True
        if self.policy.stepup_possible(Facts(subject=subject, app=app, direction="request",
                                             method=req.method, host=req.host)):
            return True
        if subject.user and self.config.risk.enabled:
            self.risk.observe_later(subject.user, device=subject.device_id,
                                    client_ip=subject.client_ip, app_name=app.name,
                                    app_risk=app.risk)
        return False

    def stepup_gate(self, req: RequestInfo, subject: Subject, app: AppContext) -> Verdict | None:
        """Before the body is read: a page when step-up (or a risk block) stops this request.

        Risk is refreshed first so the policy sees the current score. Store failures make
        step-up-protected flows fail closed (503); other flows follow their policy.
        """
        risk: int | None = None
        if subject.user and self.config.risk.enabled:
            try:
                score = self.risk.assess(subject.user, device=subject.device_id,
                                         client_ip=subject.client_ip, app_name=app.name,
                                         app_risk=app.risk)
                risk = score.score
                if score.blocked_for is not None:
                    decision = Decision(id=new_decision_id(), action=Action.BLOCK,
                                        reason="rule", rule_id="risk-response",
                                        message="Access is suspended for a while because "
                                                "of unusual activity on your account.")
                    self.record(decision, "request", req, subject, app)
                    return Verdict(decision, page=self.pages.blocked(decision, req, app))
            except StoreError:
                self.metrics.store_failures.labels("risk").inc()
        facts = Facts(subject=subject, app=app, direction="request", method=req.method,
                      host=req.host, risk=risk)
        decision = self.policy.evaluate(facts)
        if decision.action not in _GATED:
            return None
        if decision.action is Action.COACH:
            page = self.coach_page(decision, req, subject, app)
        else:
            page = self.stepup_page(decision, req, subject, app)
        if page is None:
            return None
        action = Action.BLOCK if page.status == 503 else decision.action
        self.record(replace(decision, action=action), "request", req, subject, app,
                    status=page.status)
        return Verdict(decision, page=page)

    def stepup_unavailable(self, req: RequestInfo, subject: Subject,
                           app: AppContext) -> Verdict | None:
        """The gate ran out of time (store slow): fail closed where step-up applies."""
        self.metrics.store_failures.labels("budget").inc()
        facts = Facts(subject=subject, app=app, direction="request", method=req.method,
                      host=req.host)
        decision = self.policy.evaluate(facts)
        if decision.action not in _GATED:
            return None
        stage = decision.action.value
        self.metrics.fail_closed.labels(stage).inc()
        page = unavailable(self.pages, decision, req, app,
                           **({"need": COACH_NEED} if decision.action is Action.COACH else {}))
        self.record(replace(decision, action=Action.BLOCK), "request", req, subject, app,
                    status=503, error=f"{stage}: store over budget")
        return Verdict(decision, page=page)

    def stepup_page(self, decision: Decision, req: RequestInfo, subject: Subject,
                    app: AppContext) -> Page | None:
        """None when a valid grant covers the flow; else the challenge (or 503) to answer."""
        params = (decision.rule.stepup_params if decision.rule is not None
                  else StepUpParams())
        scope = (app.app_id or req.host) if params.per_app else "*"
        device = subject.device_id or "unknown"
        try:
            if subject.user is None:
                blocked = replace(decision, action=Action.BLOCK,
                                  message="This app needs a verified second factor, and the "
                                          "gateway does not know who you are.")
                return self.pages.blocked(blocked, req, app)
            if self.mfa.valid_grant(subject.user, device, scope, max_age=params.max_age,
                                    strength=params.strength):
                self.metrics.stepup.labels("granted").inc()
                return None
            pending = self.mfa.new_pending(
                url=resume_url(req),
                user=subject.user, device=device, scope=scope, strength=params.strength,
                max_age=params.max_age, decision_id=decision.id,
                app_name=app.name or req.host)
        except StoreError:
            self.metrics.store_failures.labels("mfa").inc()
            self.metrics.fail_closed.labels("stepup").inc()
            return unavailable(self.pages, decision, req, app)
        self.metrics.stepup.labels("challenged").inc()
        url = portal_url(self.config.portal.host, f"/verify?r={pending.id}")
        return challenge(self.pages, decision, req, app, url)

    def coach_page(self, decision: Decision, req: RequestInfo, subject: Subject,
                   app: AppContext) -> Page | None:
        """None when the user acknowledged this rule's notice recently on this device; else
        the way to the coach page (or 503: the store is down, so the flow fails closed)."""
        params = decision.rule.coach_params if decision.rule is not None else CoachParams()
        rule = decision.rule_id or "default"
        device = subject.device_id or "unknown"
        try:
            if subject.user is None:
                blocked = replace(decision, action=Action.BLOCK,
                                  message="This app shows a notice you must acknowledge, and "
                                          "the gateway does not know who you are.")
                return self.pages.blocked(blocked, req, app)
            if self.mfa.acknowledged(subject.user, device, rule, ttl=params.ttl):
                self.metrics.stepup.labels("coach_acknowledged").inc()
                return None
            pending = self.mfa.new_coach(
                url=resume_url(req),
                user=subject.user, device=device, rule=rule, ttl=params.ttl,
                decision_id=decision.id, app_name=app.name or req.host, app_id=app.app_id,
                activity=app.activity, message=params.message or decision.message or "",
                justification=params.justification)
        except StoreError:
            self.metrics.store_failures.labels("coach").inc()
            self.metrics.fail_closed.labels("coach").inc()
            return unavailable(self.pages, decision, req, app, need=COACH_NEED)
        self.metrics.stepup.labels("coached").inc()
        url = portal_url(self.config.portal.host, f"/coach?r={pending.id}")
        return coach(self.pages, decision, req, app, url)

    def _mfa_failed(self, user: str, method: str, failures: int) -> None:
        """A failed verification at the portal is a risk signal (same worker thread)."""
        self.risk.note(user, "mfa_failures",
                       f"{failures} failed verification(s) in a row (last: {method})")

    def _risk_response(self, taken: RiskResponseTaken) -> None:
        self.audit.emit(AuditEvent(kind="risk", subject=SubjectInfo(user=taken.user),
                                   action="risk_response",
                                   detail={"score": taken.score, "threshold": taken.at,
                                           "revoked_grants": taken.revoked,
                                           "block_seconds": taken.block_seconds}))

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
        detail: dict[str, Any] | None = None,
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
            detail=detail or {},
        )
        self.audit.emit(event)

    def record_event(self, event: AuditEvent) -> None:
        self.audit.emit(event)

    def explain(self, facts: Facts) -> Decision:
        return self.policy.evaluate(facts, explain=True)

    def detector_ids(self) -> Collection[str]:
        return {d.id for d in self.scanner.detectors}


class BodyStream:
    """One streamed body. ``feed(chunk)`` scans and returns what may be forwarded now: the
    previous chunk, so the last one is always held back; ``finish()`` decides (and records,
    once); ``release()`` hands over the held bytes when the verdict lets them through."""

    def __init__(self, engine: Engine, direction: Direction, req: RequestInfo,
                 subject: Subject, app: AppContext, scan: StreamScan | None,
                 status: int | None) -> None:
        self.engine = engine
        self.direction: Direction = direction
        self.req = req
        self.subject = subject
        self.app = app
        self.status = status
        self._scan = scan
        self._held = b""
        self._size = 0
        self._seconds = 0.0
        self.verdict: Verdict | None = None

    def feed(self, chunk: bytes) -> bytes:
        if self.verdict is not None:
            raise RuntimeError("body stream already finished")
        self._size += len(chunk)
        if self._scan is not None:
            t0 = time.perf_counter()
            self._scan.feed(chunk)
            self._seconds += time.perf_counter() - t0
        out, self._held = self._held, chunk
        return out

    def finish(self) -> Verdict:
        if self.verdict is not None:
            return self.verdict
        scan = None
        if self._scan is not None:
            t0 = time.perf_counter()
            scan = self._scan.finish()
            self._seconds += time.perf_counter() - t0
            self.engine.metrics.scan_seconds.labels(self.direction).observe(self._seconds)
        self.verdict = self.engine.judge(
            self.direction, self.req, self.subject, self.app, None, content_type=None,
            content_encoding=None, status=self.status, streamed=True, scanned=scan,
            body_size=self._size)
        return self.verdict

    def release(self) -> bytes:
        """The held-back tail, only after a verdict that forwards the body."""
        if self.verdict is None or self.verdict.decision.action is Action.BLOCK:
            return b""
        held, self._held = self._held, b""
        return held

    def close(self) -> None:
        """Abandoned (the peer went away): free the scanner's stream, record nothing."""
        if self._scan is not None and self.verdict is None:
            self._scan.close()
        self._held = b""


def hmac_key_for(config: GatewayConfig) -> bytes:
    if config.audit.hmac_key is not None:
        return config.audit.hmac_key.get_secret_value().encode()
    return ca.load_or_create_key(config.certs_dir / "audit-hmac.key")

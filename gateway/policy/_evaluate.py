"""First-match rule evaluation with a trace of every condition, so decisions explain themselves."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from gateway.apps import AppContext
from gateway.dlp import AllowList, Confidence, Finding
from gateway.policy._model import Action, DetectorCondition, Mode, Rule, Settings, When
from gateway.request import Subject

Direction = Literal["request", "response"]
_CONFIDENCE = {"low": Confidence.LOW, "medium": Confidence.MEDIUM, "high": Confidence.HIGH}


def new_decision_id() -> str:
    """Time-sortable, unguessable id shown on pages and in events: ``<ms hex>-<random hex>``."""
    return f"{int(time.time() * 1000):x}-{os.urandom(5).hex()}"


@dataclass(frozen=True, slots=True)
class Facts:
    """What is known about a flow when it is judged. Content fields are set after a scan."""

    subject: Subject
    app: AppContext
    direction: Direction
    method: str
    host: str
    body_size: int = 0
    scanned: bool = False
    findings: tuple[Finding, ...] = ()
    file_type: str | None = None
    unscannable: str | None = None
    risk: int | None = None


@dataclass(frozen=True, slots=True)
class RuleHit:
    pack: str
    rule_id: str
    action: Action
    mode: Mode
    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    action: Action
    """The action applied to the flow (monitor-only hits never change it)."""
    reason: Literal["rule", "default", "unscannable", "error", "acknowledged"]
    pack: str | None = None
    rule_id: str | None = None
    message: str | None = None
    monitored: tuple[RuleHit, ...] = ()
    """Rules in monitor mode that matched: what would have happened."""
    findings: tuple[Finding, ...] = ()
    redact_detectors: frozenset[str] = frozenset()
    """Detectors whose findings a redact or tokenize action rewrites."""
    rule: Rule | None = field(default=None, compare=False)
    """The deciding rule, for action parameters (stepup, coach, tokenize)."""
    trace: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class _Entry:
    pack: str
    rule: Rule


def allow_name(pack: str, rule_id: str) -> str:
    """The name of a rule's allow-list (:attr:`Finding.allowed` holds such names)."""
    return f"{pack}/{rule_id}"


def host_matches(host: str, pattern: str) -> bool:
    """``*.example.com`` matches example.com and its subdomains, never ``evilexample.com``."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower()
    if pattern.startswith("*."):
        base = pattern[2:]
        return host == base or host.endswith("." + base)
    return host == pattern


def _matching_findings(cond: DetectorCondition, findings: Sequence[Finding],
                       allow: str) -> list[Finding]:
    """``allow``: the name of the rule's allow-list; a value on it does not count."""
    floor = _CONFIDENCE[cond.min_confidence]
    out = []
    for f in findings:
        if f.confidence < floor or allow in f.allowed:
            continue
        if (cond.ids or cond.categories) and not (
            f.detector in cond.ids or f.category in cond.categories
        ):
            continue
        out.append(f)
    return out


class PolicySet:
    """The enabled packs' rules in order, their merged settings and tenant allow-lists."""

    def __init__(
        self,
        rules: Sequence[tuple[str, Rule]],
        settings: Settings,
        tenants: Mapping[str, frozenset[str]],
        packs: Sequence[str],
        allow: Sequence[AllowList] = (),
    ) -> None:
        self._rules = tuple(_Entry(p, r) for p, r in rules)
        self.settings = settings
        self.tenants = dict(tenants)
        self.packs = tuple(packs)
        self.allow = tuple(allow)
        """The rules' allow-lists, for the scanner (:meth:`gateway.dlp.Scanner.with_allow`)."""

    @property
    def rules(self) -> tuple[tuple[str, Rule], ...]:
        return tuple((e.pack, e.rule) for e in self._rules)

    # -- conditions that need no body ------------------------------------------------------
    def _context_ok(self, w: When, f: Facts, trace: list[str] | None) -> bool:
        def check(name: str, ok: bool, detail: str) -> bool:
            if trace is not None:
                trace.append(f"    {name}: {detail} -> {'yes' if ok else 'no'}")
            return ok

        s, a = f.subject, f.app
        if w.direction != "any" and not check(
            "direction", w.direction == f.direction, f"{f.direction} == {w.direction}"
        ):
            return False
        if w.users and not check("users", s.user in w.users, f"{s.user!r} in {list(w.users)}"):
            return False
        if w.groups and not check(
            "groups", bool(s.groups & set(w.groups)), f"{sorted(s.groups)} & {list(w.groups)}"
        ):
            return False
        if w.exclude_users and not check(
            "exclude_users", s.user not in w.exclude_users,
            f"{s.user!r} not in {list(w.exclude_users)}",
        ):
            return False
        if w.exclude_groups and not check(
            "exclude_groups", not (s.groups & set(w.exclude_groups)),
            f"{sorted(s.groups)} disjoint from {list(w.exclude_groups)}",
        ):
            return False
        if w.hosts and not check(
            "hosts", any(host_matches(f.host, p) for p in w.hosts),
            f"{f.host!r} matches {list(w.hosts)}",
        ):
            return False
        if w.apps and not check("apps", a.app_id in w.apps, f"{a.app_id!r} in {list(w.apps)}"):
            return False
        if w.categories and not check(
            "categories", a.category in w.categories, f"{a.category!r} in {list(w.categories)}"
        ):
            return False
        if w.app_risk is not None and not check(
            "app_risk", a.risk is not None and w.app_risk.contains(a.risk),
            f"{a.risk} in [{w.app_risk.min}, {w.app_risk.max}]",
        ):
            return False
        if w.activities and not check(
            "activities", a.activity in w.activities, f"{a.activity!r} in {list(w.activities)}"
        ):
            return False
        if w.tenant is not None:
            allowed = self.tenant_allowed(a)
            want = w.tenant == "allowed"
            if not check("tenant", allowed == want,
                         f"tenant {a.tenant!r} {'allowed' if allowed else 'not allowed'}"
                         f" for {a.app_id!r}; rule wants {w.tenant}"):
                return False
        if w.risk is not None and not check(
            "risk", f.risk is not None and w.risk.contains(f.risk),
            f"{f.risk} in [{w.risk.min}, {w.risk.max}]",
        ):
            return False
        if w.body_size is not None:
            return check("body_size", w.body_size.contains(f.body_size),
                         f"{f.body_size} in [{w.body_size.min}, {w.body_size.max}]")
        return True

    def tenant_allowed(self, app: AppContext) -> bool:
        """On the company allow-list of its app. No list for the app: no tenant is allowed."""
        allow = self.tenants.get(app.app_id or "", frozenset())
        return app.tenant is not None and app.tenant.lower() in allow

    def needs_content(self, facts: Facts) -> bool:
        """Whether any rule could use the body: only then is it read and scanned."""
        return any(
            e.rule.when.needs_content and self._context_ok(e.rule.when, facts, None)
            for e in self._rules
        )

    def stepup_possible(self, facts: Facts) -> bool:
        """Whether a stepup or coach rule could match this flow before its body is known.

        Rules with a ``risk`` condition count as possible: the score is only known after a
        store round trip, which is what this check lets most requests skip.
        """
        for e in self._rules:
            w = e.rule.when
            if e.rule.action not in (Action.STEPUP, Action.COACH):
                continue
            if w.risk is not None:
                return True
            if self._context_ok(w, facts, None):
                return True
        return False

    def covered(self, facts: Facts) -> bool:
        """Whether an enforcing content rule (block/redact/tokenize) applies to this flow."""
        return any(
            e.rule.mode is Mode.ENFORCE
            and e.rule.action in (Action.BLOCK, Action.REDACT, Action.TOKENIZE)
            and e.rule.when.needs_content
            and self._context_ok(e.rule.when, facts, None)
            for e in self._rules
        )

    def on_error(self, facts: Facts | None) -> Action:
        """The verdict when an addon fails; unknown context is treated as covered."""
        mode = self.settings.on_error
        if mode == "allow":
            return Action.ALLOW
        if mode == "block" or facts is None or self.covered(facts):
            return Action.BLOCK
        return Action.ALLOW

    # -- evaluation -----------------------------------------------------------------------
    def _content_ok(
        self, pack: str, rule: Rule, f: Facts, trace: list[str] | None
    ) -> tuple[bool, list[Finding]]:
        w = rule.when
        matched: list[Finding] = []
        if w.file_types:
            ok = f.file_type in w.file_types
            if trace is not None:
                trace.append(
                    f"    file_types: {f.file_type!r} in {list(w.file_types)} -> "
                    f"{'yes' if ok else 'no'}"
                )
            if not ok:
                return False, []
        if w.detectors is not None:
            matched = _matching_findings(w.detectors, f.findings, allow_name(pack, rule.id))
            ok = len(matched) >= w.detectors.min_count
            if trace is not None:
                names = sorted({m.detector for m in matched})
                trace.append(
                    f"    detectors: {len(matched)} finding(s) {names} >= "
                    f"{w.detectors.min_count} at confidence >= {w.detectors.min_confidence}"
                    f" -> {'yes' if ok else 'no'}"
                )
            if not ok:
                return False, []
        return True, matched

    def evaluate(self, facts: Facts, *, explain: bool = False) -> Decision:
        """First enforcing rule that matches wins; monitor rules are recorded and passed over."""
        trace: list[str] | None = [] if explain else None
        monitored: list[RuleHit] = []
        for e in self._rules:
            rule = e.rule
            if trace is not None:
                trace.append(f"rule {e.pack}/{rule.id} ({rule.action}, {rule.mode}):")
            if not self._context_ok(rule.when, facts, trace):
                continue
            action, reason = rule.action, "rule"
            hits: list[Finding] = []
            if rule.when.needs_content:
                fallback = (self.settings.unsupported_files
                            if (facts.unscannable or "").startswith("unsupported_file")
                            else self.settings.unscannable)
                policy = rule.unscannable or fallback
                if facts.unscannable is not None and policy != "skip":
                    action = Action.BLOCK if policy == "block" else Action.AUDIT
                    reason = "unscannable"
                    if trace is not None:
                        trace.append(f"    content unscannable ({facts.unscannable}) -> {policy}")
                else:
                    ok, hits = self._content_ok(e.pack, rule, facts, trace)
                    if not ok:
                        continue
            if rule.mode is Mode.MONITOR:
                monitored.append(RuleHit(e.pack, rule.id, action, rule.mode, reason))
                if trace is not None:
                    trace.append(f"    => matched in monitor mode: would {action}; continuing")
                continue
            if trace is not None:
                trace.append(f"    => matched: {action}")
            return Decision(
                id=new_decision_id(),
                action=action,
                reason=reason,  # type: ignore[arg-type]
                pack=e.pack,
                rule_id=rule.id,
                message=rule.message,
                monitored=tuple(monitored),
                findings=facts.findings,
                redact_detectors=frozenset(h.detector for h in hits),
                rule=rule,
                trace=tuple(trace or ()),
            )
        default = Action(self.settings.default_action)
        if trace is not None:
            trace.append(f"no rule matched: default action {default}")
        return Decision(
            id=new_decision_id(), action=default, reason="default",
            monitored=tuple(monitored), findings=facts.findings, trace=tuple(trace or ()),
        )

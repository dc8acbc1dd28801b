"""Policy packs as frozen pydantic models: what an operator writes in policies/*.yaml."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gateway.apps import TenantRestrictions


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(StrEnum):
    """What the gateway does with a flow. Ordered by how much they change the flow."""

    ALLOW = "allow"
    AUDIT = "audit"
    REDACT = "redact"
    TOKENIZE = "tokenize"
    """Replace findings by vault tokens before forwarding (request path)."""
    DETOKENIZE = "detokenize"
    """Replace tokens the vault issued by the original values (response path)."""
    STEPUP = "stepup"
    """Require a fresh verified MFA grant before the flow may proceed."""
    COACH = "coach"
    """Show a coaching page the user acknowledges (optionally with a justification) first."""
    BLOCK = "block"


class Mode(StrEnum):
    ENFORCE = "enforce"
    MONITOR = "monitor"
    """Decide and log what would have happened; evaluation goes on to the next rule."""


ConfidenceName = Literal["low", "medium", "high"]


class Range(_Model):
    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self

    def contains(self, value: int) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class Allow(_Model):
    """Known-safe values a rule does not count, without disabling a detector: exact values
    (compared without spaces, dots, dashes or case), regexes the whole value must match, and
    the published test data (:data:`gateway.dlp.TEST_VALUES`)."""

    values: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    test_values: bool = False

    @model_validator(mode="after")
    def _patterns_compile(self) -> Allow:
        for pattern in self.patterns:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"allow pattern {pattern!r} does not compile: {e}") from e
        return self

    def __bool__(self) -> bool:
        return bool(self.values or self.patterns or self.test_values)


class DetectorCondition(_Model):
    """Findings that count: by detector id or category (any of), at a minimum confidence."""

    ids: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_count: int = Field(1, ge=1)
    min_confidence: ConfidenceName = "medium"
    allow: Allow | None = None
    """Values this rule does not count (added to its pack's ``allow``)."""


class When(_Model):
    """All given conditions must hold; an empty list or a missing key means "any"."""

    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    exclude_users: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    """Host patterns: ``example.com`` or ``*.example.com`` (which also matches example.com)."""
    apps: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    app_risk: Range | None = None
    activities: tuple[str, ...] = ()
    direction: Literal["request", "response", "any"] = "request"
    tenant: Literal["allowed", "not_allowed"] | None = None
    """``not_allowed``: the tenant is unknown or not on the allow-list of its app (no list: any)."""
    detectors: DetectorCondition | None = None
    file_types: tuple[str, ...] = ()
    body_size: Range | None = None
    risk: Range | None = None
    """The subject's current risk score (0-100), when a risk engine provides one."""

    @property
    def needs_content(self) -> bool:
        return self.detectors is not None or bool(self.file_types)


class StepUp(_Model):
    """Parameters of ``action: stepup``."""

    max_age: int = Field(8 * 3600, ge=60, le=30 * 86400)
    """Seconds a verified grant stays valid."""
    strength: Literal["any", "phishing_resistant"] = "any"
    per_app: bool = False
    """Scope the grant to the app (otherwise one grant covers every app this rule protects)."""


class Coach(_Model):
    """Parameters of ``action: coach``."""

    message: str = Field("", max_length=2000)
    """Shown to the user on the coach page."""
    justification: bool = False
    """Require a short business justification (kept in the audit event) to continue."""
    ttl: int = Field(3600, ge=60, le=30 * 86400)
    """Seconds an acknowledgement covers the user, device and rule."""


class Tokenize(_Model):
    """Parameters of ``action: tokenize``."""

    format: Literal["ff1", "vault"] = "ff1"
    deterministic: bool = False
    """Same value, same token (per tenant key), so joins and searches in the SaaS still work."""
    preserve: Literal["none", "last4", "first6_last4"] = "none"
    luhn: Literal["invalid", "valid", "any"] = "invalid"
    ttl: int | None = Field(None, ge=60)
    """Seconds a vault token stays resolvable; None: no expiry."""


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    when: When = When()
    action: Action
    mode: Mode = Mode.ENFORCE
    unscannable: Literal["block", "audit", "skip"] | None = None
    """What to do when this rule needs the body and it cannot be scanned (default: settings)."""
    message: str | None = None
    """Shown to the user on the block page."""
    stepup: StepUp | None = None
    coach: Coach | None = None
    tokenize: Tokenize | None = None

    @model_validator(mode="after")
    def _params_fit_action(self) -> Rule:
        if self.stepup is not None and self.action is not Action.STEPUP:
            raise ValueError("'stepup' parameters need action: stepup")
        if self.coach is not None and self.action is not Action.COACH:
            raise ValueError("'coach' parameters need action: coach")
        if self.tokenize is not None and self.action is not Action.TOKENIZE:
            raise ValueError("'tokenize' parameters need action: tokenize")
        return self

    @property
    def stepup_params(self) -> StepUp:
        return self.stepup or StepUp()

    @property
    def coach_params(self) -> Coach:
        return self.coach or Coach()

    @property
    def tokenize_params(self) -> Tokenize:
        return self.tokenize or Tokenize()


class Settings(_Model):
    default_action: Literal["allow", "audit", "block"] = "allow"
    unscannable: Literal["block", "audit", "skip"] = "block"
    unsupported_files: Literal["block", "audit", "skip"] = "audit"
    """Like ``unscannable``, for file types the scanner does not extract yet (archives, office
    documents, PDF): audited by default so document uploads keep working, and visible."""
    on_error: Literal["block_covered", "block", "allow"] = "block_covered"
    """When an addon fails: block flows a content rule covers (default), block all, or allow."""


class Pack(_Model):
    """One policy file. A pack is enforced only when its name is in ``policy.packs``."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    description: str = ""
    settings: Settings | None = None
    tenants: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    """Company allow-list: app id -> tenants (domains, org ids, instance names)."""
    tenant_restrictions: TenantRestrictions | None = None
    allow: Allow | None = None
    """Values no rule of this pack counts."""
    rules: tuple[Rule, ...] = ()

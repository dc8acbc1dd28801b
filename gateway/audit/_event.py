"""The audit event: one per decision, never carrying a detected value in clear."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway.dlp import Finding

MAX_PREVIEWS = 5
MAX_HASHES = 50


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SubjectInfo(_Model):
    user: str | None
    groups: list[str] = Field(default_factory=list)
    client_ip: str = ""
    device_id: str | None = None
    source: str = "none"


class AppInfo(_Model):
    id: str | None
    name: str | None = None
    category: str | None = None
    risk: int | None = None
    tenant: str | None = None
    activity: str = "browse"


class RequestSummary(_Model):
    method: str
    scheme: str
    host: str
    path: str
    """Path only: query strings can carry secrets and are dropped."""
    body_bytes: int = 0
    status: int | None = None


class FindingSummary(_Model):
    """All findings of one detector in one flow: counts, masked previews and keyed hashes."""

    detector: str
    category: str
    count: int
    confidence: str
    masked: list[str]
    hmac: list[str]
    locations: list[str]


class MonitorHit(_Model):
    pack: str
    rule: str
    would: str


class AuditEvent(_Model):
    time: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="milliseconds"))
    kind: Literal["decision", "error", "policy_reload", "uninspected", "mfa", "risk",
                  "coach"] = "decision"
    decision_id: str | None = None
    subject: SubjectInfo | None = None
    app: AppInfo | None = None
    request: RequestSummary | None = None
    direction: str | None = None
    pack: str | None = None
    rule: str | None = None
    action: str | None = None
    reason: str | None = None
    monitored: list[MonitorHit] = Field(default_factory=list)
    findings: list[FindingSummary] = Field(default_factory=list)
    file_type: str | None = None
    unscannable: str | None = None
    bytes_scanned: int = 0
    scan_ms: float | None = None
    error: str | None = None
    """For kind=error: the exception class and stage, never a message with content."""
    detail: dict[str, Any] = Field(default_factory=dict)


def summarize(findings: Iterable[Finding]) -> list[FindingSummary]:
    """Group by detector; keep a few masked previews and the distinct keyed hashes."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.detector, []).append(f)
    out = []
    for detector, items in sorted(groups.items()):
        hashes = list(dict.fromkeys(f.hmac for f in items))
        previews = list(dict.fromkeys(f.masked for f in items))
        locations = list(dict.fromkeys(f.location for f in items))
        out.append(FindingSummary(
            detector=detector,
            category=items[0].category,
            count=len(items),
            confidence=max(items, key=lambda f: f.confidence).confidence.name.lower(),
            masked=previews[:MAX_PREVIEWS],
            hmac=hashes[:MAX_HASHES],
            locations=locations[:MAX_PREVIEWS],
        ))
    return out

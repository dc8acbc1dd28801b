"""Audit events (one per decision), their sinks, and the keyed hash key."""

from gateway.audit._event import (
    AppInfo,
    AuditEvent,
    FindingSummary,
    MonitorHit,
    RequestSummary,
    SubjectInfo,
    summarize,
)
from gateway.audit._sinks import AuditLog, JsonlFileSink, Sink, StreamSink, configured_sinks

__all__ = [
    "AppInfo",
    "AuditEvent",
    "AuditLog",
    "FindingSummary",
    "JsonlFileSink",
    "MonitorHit",
    "RequestSummary",
    "Sink",
    "StreamSink",
    "SubjectInfo",
    "configured_sinks",
    "summarize",
]

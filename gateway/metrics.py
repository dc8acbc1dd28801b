"""Prometheus metrics in a registry of their own (not the global one), so tests stay isolated."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Every metric the gateway exports. Label values are bounded (catalog ids, fixed names)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "casb_requests", "Decisions by app, activity, direction and action",
            ["app", "activity", "direction", "action"], registry=r)
        self.monitor_hits = Counter(
            "casb_monitor_hits", "Monitor-mode rule matches (what would have happened)",
            ["rule", "would"], registry=r)
        self.bytes_scanned = Counter(
            "casb_bytes_scanned", "Decoded bytes scanned by the DLP engine", ["direction"],
            registry=r)
        self.scan_seconds = Histogram(
            "casb_scan_seconds", "Time to decode, extract and scan one body", ["direction"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r)
        self.findings = Counter(
            "casb_findings", "Findings by detector", ["detector", "category"], registry=r)
        self.unscannable = Counter(
            "casb_unscannable", "Bodies that could not be inspected", ["reason"], registry=r)
        self.fail_closed = Counter(
            "casb_fail_closed", "Flows blocked because a check failed", ["stage"], registry=r)
        self.addon_errors = Counter(
            "casb_addon_errors", "Exceptions caught in our addons", ["stage"], registry=r)
        self.uninspected = Counter(
            "casb_uninspected", "Traffic the gateway could not inspect, or steered back to TCP",
            ["reason"], registry=r)
        self.reloads = Counter(
            "casb_policy_reloads", "Policy reload attempts", ["result"], registry=r)
        self.audit_events = Counter(
            "casb_audit_events", "Audit events emitted", ["kind"], registry=r)
        self.audit_failures = Counter(
            "casb_audit_write_failures", "Audit sink write failures (event sent to stderr)",
            ["sink"], registry=r)
        self.rules = Gauge("casb_policy_rules", "Rules in the enforced policy", registry=r)
        self.vault_ops = Counter(
            "casb_vault_operations", "Tokens issued or resolved (ok), or why a tokenization "
            "was refused (request blocked) or a token left in place", ["op", "result"],
            registry=r)
        self.stepup = Counter(
            "casb_stepup", "Step-up checks: granted (a valid grant) or challenged; coach "
            "checks: coach_acknowledged or coached", ["result"],
            registry=r)
        self.mfa_attempts = Counter(
            "casb_mfa_attempts", "Second-factor attempts at the portal", ["method", "result"],
            registry=r)
        self.store_failures = Counter(
            "casb_store_failures", "State store calls that failed or timed out", ["component"],
            registry=r)

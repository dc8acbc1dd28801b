"""Per-subject risk: decaying signals with reasons in the store, a 0-100 score, responses."""

from gateway.risk._engine import (
    DEFAULT_WEIGHTS,
    SIGNALS,
    RiskEngine,
    RiskResponseTaken,
    Score,
    Signal,
)

__all__ = ["DEFAULT_WEIGHTS", "SIGNALS", "RiskEngine", "RiskResponseTaken", "Score", "Signal"]

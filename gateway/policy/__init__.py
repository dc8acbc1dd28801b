"""Policy packs: models, loader (errors name file and line) and first-match evaluator."""

from gateway.policy._evaluate import (
    Decision,
    Direction,
    Facts,
    PolicySet,
    RuleHit,
    allow_name,
    host_matches,
    new_decision_id,
)
from gateway.policy._loader import LoadedPack, Policies, Vocabulary, load_dir, load_policies
from gateway.policy._model import (
    Action,
    Coach,
    DetectorCondition,
    Mode,
    Pack,
    Rule,
    Settings,
    StepUp,
    Tokenize,
    When,
)

__all__ = [
    "Action",
    "Coach",
    "Decision",
    "DetectorCondition",
    "Direction",
    "Facts",
    "LoadedPack",
    "Mode",
    "Pack",
    "Policies",
    "PolicySet",
    "Rule",
    "RuleHit",
    "Settings",
    "StepUp",
    "Tokenize",
    "Vocabulary",
    "When",
    "allow_name",
    "host_matches",
    "load_dir",
    "load_policies",
    "new_decision_id",
]

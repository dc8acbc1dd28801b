"""Load a policy directory: every file is validated, the enabled packs are merged in order."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from gateway import yamlsrc
from gateway.apps import ACTIVITIES, CATEGORIES, TenantRestrictions
from gateway.dlp import AllowList
from gateway.errors import PolicyError
from gateway.policy._evaluate import PolicySet, allow_name
from gateway.policy._model import Pack, Rule, Settings


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Names a policy may refer to; anything else is a typo we report at load."""

    apps: Collection[str]
    detectors: Collection[str]
    detector_categories: Collection[str]
    categories: Collection[str] = CATEGORIES
    activities: Collection[str] = ACTIVITIES


@dataclass(frozen=True, slots=True)
class LoadedPack:
    pack: Pack
    source: yamlsrc.Source


def _check_names(
    src: yamlsrc.Source, loc: tuple[str | int, ...], values: Iterable[str],
    known: Collection[str], what: str,
) -> None:
    for i, v in enumerate(values):
        if v not in known:
            hint = ", ".join(sorted(known)) if len(known) <= 20 else f"{len(known)} known"
            raise PolicyError(
                f"unknown {what} {v!r} (accepted: {hint})",
                file=src.file, line=src.line_of((*loc, i)),
                field=yamlsrc.format_loc((*loc, i)),
            )


def _check_rule(src: yamlsrc.Source, i: int, rule: Rule, vocab: Vocabulary) -> None:
    base: tuple[str | int, ...] = ("rules", i, "when")
    w = rule.when
    _check_names(src, (*base, "apps"), w.apps, vocab.apps, "app")
    _check_names(src, (*base, "categories"), w.categories, vocab.categories, "app category")
    _check_names(src, (*base, "activities"), w.activities, vocab.activities, "activity")
    if w.detectors is not None:
        d = (*base, "detectors")
        _check_names(src, (*d, "ids"), w.detectors.ids, vocab.detectors, "detector")
        _check_names(src, (*d, "categories"), w.detectors.categories,
                     vocab.detector_categories, "detector category")


def load_pack(path: Path, vocab: Vocabulary) -> LoadedPack:
    src = yamlsrc.load_file(path, PolicyError)
    if not isinstance(src.data, dict):
        raise PolicyError("a policy file must be a mapping with name and rules",
                          file=str(path), line=1)
    pack = yamlsrc.validate(Pack, src, PolicyError)
    seen: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in seen:
            raise PolicyError(f"duplicate rule id {rule.id!r} (first at rules[{seen[rule.id]}])",
                              file=src.file, line=src.line_of(("rules", i, "id")),
                              field=f"rules[{i}].id")
        seen[rule.id] = i
        _check_rule(src, i, rule, vocab)
    _check_names(src, ("tenants",), pack.tenants.keys(), vocab.apps, "app")
    return LoadedPack(pack, src)


def load_dir(directory: str | Path, vocab: Vocabulary) -> dict[str, LoadedPack]:
    """Validate every ``*.yaml``/``*.yml`` file in ``directory``; packs by name."""
    d = Path(directory)
    if not d.is_dir():
        raise PolicyError(f"policy directory not found: {d}")
    packs: dict[str, LoadedPack] = {}
    for path in sorted([*d.glob("*.yaml"), *d.glob("*.yml")]):
        lp = load_pack(path, vocab)
        if lp.pack.name in packs:
            raise PolicyError(
                f"pack name {lp.pack.name!r} is also used by {packs[lp.pack.name].source.file}",
                file=str(path), line=lp.source.line_of(("name",)), field="name",
            )
        packs[lp.pack.name] = lp
    if not packs:
        raise PolicyError(f"no policy files (*.yaml) in {d}")
    return packs


def _first_set[M: BaseModel](parts: Iterable[M | None], model: type[M]) -> M:
    """Field by field, the first enabled pack that sets a field wins."""
    values: dict[str, object] = {}
    for part in parts:
        if part is None:
            continue
        for name in part.model_fields_set:
            values.setdefault(name, getattr(part, name))
    return model.model_validate(values)


def _allow_list(pack: Pack, rule: Rule) -> AllowList | None:
    """A content rule's allow-list: its pack's ``allow`` and its own, merged."""
    if rule.when.detectors is None:
        return None
    parts = [a for a in (pack.allow, rule.when.detectors.allow) if a]
    if not parts:
        return None
    return AllowList.of(allow_name(pack.name, rule.id),
                        values=[v for a in parts for v in a.values],
                        patterns=[v for a in parts for v in a.patterns],
                        test_values=any(a.test_values for a in parts))


@dataclass(frozen=True, slots=True)
class Policies:
    """Everything the gateway enforces from the policy directory."""

    policy: PolicySet
    tenant_restrictions: TenantRestrictions
    available: tuple[str, ...]


def load_policies(directory: str | Path, enabled: Sequence[str], vocab: Vocabulary) -> Policies:
    """Validate the whole directory, then merge the enabled packs in the given order."""
    packs = load_dir(directory, vocab)
    missing = [n for n in enabled if n not in packs]
    if missing:
        raise PolicyError(
            f"enabled pack(s) {missing} not found in {directory} "
            f"(available: {', '.join(sorted(packs))})", field="policy.packs",
        )
    chosen = [packs[n].pack for n in enabled]
    tenants: dict[str, set[str]] = {}
    for p in chosen:
        for app, names in p.tenants.items():
            tenants.setdefault(app, set()).update(n.lower() for n in names)
    policy = PolicySet(
        rules=[(p.name, r) for p in chosen for r in p.rules],
        settings=_first_set((p.settings for p in chosen), Settings),
        tenants={k: frozenset(v) for k, v in tenants.items()},
        packs=[p.name for p in chosen],
        allow=[a for p in chosen for r in p.rules if (a := _allow_list(p, r)) is not None],
    )
    return Policies(policy, _first_set((p.tenant_restrictions for p in chosen),
                                      TenantRestrictions), tuple(sorted(packs)))

"""The declarative detector table: pydantic models and the loader.

A detector is data that carries its own proof (positive and negative examples). Loading
checks everything that can be checked without scanning: field types, unique ids, fixed
category and severity lists, known validator names, and that every pattern compiles in
Hyperscan with start-of-match tracking. Errors name file, line and field.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import hyperscan
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from gateway.errors import DetectorError
from gateway.yamlsrc import Source, format_loc, load_file, validate

from ._hsdb import compile_cached
from ._validators import VALIDATORS

__all__ = ["DEFAULT_DETECTORS", "Confidence", "Detector", "compile_database", "load_detectors"]

DEFAULT_DETECTORS = Path(__file__).with_name("detectors.yaml")

Category = Literal["pii", "financial", "health", "credentials", "network"]
Severity = Literal["low", "medium", "high", "critical"]
DETECTOR_CATEGORIES: tuple[str, ...] = get_args(Category)
"""Every detector category a policy may name, used or not by the shipped table."""


class Confidence(IntEnum):
    """How sure a finding is; ordered so policies can say ``confidence >= medium``."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, value: object) -> Confidence:
        """Accept ``"low"``/``"medium"``/``"high"`` (any case), a member, or its int value."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls[value.strip().upper()]
            except KeyError:
                pass
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                return cls(value)
            except ValueError:
                pass
        raise ValueError(f"expected one of 'low', 'medium', 'high' (got {value!r})")


ConfidenceField = Annotated[Confidence, BeforeValidator(Confidence.parse)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pattern(_Frozen):
    """One Hyperscan regex; ``keywords_required`` overrides the detector's for weak shapes."""

    regex: str = Field(min_length=1)
    keywords_required: bool | None = None
    prefilter: str | None = Field(default=None, min_length=1)
    """A cheaper expression that block scans run instead of ``regex``, in a database of
    their own: it must match, ending at the same offset, wherever ``regex`` matches (a
    suffix of it that starts at a rare literal, such as an e-mail's ``@domain``). Each of
    its hits is confirmed by ``regex`` in a bounded window before the hit. One pattern with
    a long unanchored run (an e-mail's local part) can cost a quarter of a whole database's
    scan time; gated by its literal it costs almost nothing. Stream scans use ``regex``."""

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"regex": data} if isinstance(data, str) else data

    @field_validator("regex", "prefilter")
    @classmethod
    def _ascii(cls, regex: str | None) -> str | None:
        # matches are mapped back to UTF-8 text; non-ASCII patterns would need UTF8/UCP modes
        if regex is not None and not regex.isascii():
            raise ValueError("patterns must be ASCII")
        return regex


class ConfidenceSpec(_Frozen):
    """Base confidence, raised when the validator passes and when a keyword is near."""

    base: ConfidenceField
    validated: ConfidenceField | None = None
    context: ConfidenceField | None = None


class Examples(_Frozen):
    positive: tuple[str, ...] = Field(min_length=1)
    negative: tuple[str, ...] = ()


class Detector(_Frozen):
    """One entry of detectors.yaml. See the file's header for the meaning of each field."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: str = Field(min_length=1)
    category: Category
    severity: Severity
    countries: tuple[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], ...] = ()
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    validator: str | None = None
    keywords: tuple[str, ...] = ()
    keywords_required: bool = False
    keyword_window: int = Field(default=64, ge=1, le=1024)
    keyword_scope: Literal["around", "before"] = "around"
    value_chars: str | None = None
    allow_values: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    """Lower-case words that, right before a value (a whole word; only spaces, ``:``, ``=``,
    ``#`` or ``-`` between), say it is something else of the same shape ("firmware 2.0.1.3",
    "section 4.2.1.3" are no IP addresses): such a match does not count. Only right before:
    "client version 2.1 from 10.0.0.5" still reports the address."""
    trim_prefixes: tuple[str, ...] = ()
    """Literal prefixes (any case) cut off the start of a match: a scheme the pattern has to
    consume to find the value, as ``mailto:`` before an address."""
    confidence: ConfidenceSpec
    examples: Examples

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, name: str | None) -> str | None:
        if name is not None and name not in VALIDATORS:
            raise ValueError(f"unknown validator {name!r}; known: {', '.join(sorted(VALIDATORS))}")
        return name

    @field_validator("keywords", "exclude_keywords")
    @classmethod
    def _lower_keywords(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        # non-ASCII keywords (fødselsnummer, 身份证) match as UTF-8 bytes; the scanner folds
        # only ASCII case, so they are written as they appear in lower-case text
        if any(not w.strip() for w in words):
            raise ValueError("keywords must be non-empty")
        return tuple(w.lower() for w in words)

    @field_validator("keywords")
    @classmethod
    def _joined_forms(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """A label of several words also as field names write it: "account number" is
        ``account_number``, ``account-number`` and (lower-cased) ``accountNumber`` too; a
        label with its colon ("sin:") also as the last part of a JSON key in text
        (``"box12_sin":``; not ``"uuid":`` for "uid:", nor a whole key: "account" keys are
        everywhere)."""
        out = dict.fromkeys(words)
        for w in words:
            inner = w.strip()
            if " " in inner and inner == w:
                for joint in ("_", "-", ""):
                    out.setdefault(inner.replace(" ", joint))
            for key in key_endings(w):
                out.setdefault(key + '":')
        return tuple(out)

    @field_validator("value_chars")
    @classmethod
    def _value_chars(cls, spec: str | None) -> str | None:
        if spec is not None:
            char_set(spec)
        return spec

    @model_validator(mode="after")
    def _keywords_when_required(self) -> Detector:
        needs = self.keywords_required or any(p.keywords_required for p in self.patterns)
        if needs and not self.keywords:
            raise ValueError("keywords_required needs at least one keyword")
        return self

    def requires_keywords(self, pattern_index: int) -> bool:
        """Whether a match of that pattern counts only with a keyword in its window."""
        own = self.patterns[pattern_index].keywords_required
        return self.keywords_required if own is None else own


def key_endings(label: str) -> tuple[str, ...]:
    """How a label written with its colon ("sin:") ends a field name that it labels:
    as the last part of the name (``box12_sin``), never as a whole name (``account`` keys are
    everywhere) nor inside a word (``uuid`` is no "uid:"); () for other keywords."""
    if not (label.endswith(":") and label[-2:-1].isalnum()):
        return ()
    return tuple(lead + label[:-1] for lead in ("_", "-", "."))


def char_set(spec: str) -> frozenset[int]:
    """Bytes of a regex-class-like spec (``A-Za-z0-9/+=``); ranges use ``-`` between chars.
    Characters U+0080-U+00FF stand for the bytes of the same value (``\x80-\xff``: any
    byte of a UTF-8 sequence, as in "1979年8月21日")."""
    out: set[int] = set()
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = ord(spec[i]), ord(spec[i + 2])
            if lo > hi or hi > 255:
                raise ValueError(f"bad character range {spec[i : i + 3]!r}")
            out.update(range(lo, hi + 1))
            i += 3
        else:
            if ord(spec[i]) > 255:
                raise ValueError("value_chars must be ASCII or \x80-\xff")
            out.add(ord(spec[i]))
            i += 1
    return frozenset(out)


class _Table(_Frozen):
    version: Literal[1]
    detectors: tuple[Detector, ...]  # emptiness checked after, so it is not a second error


FLAGS = hyperscan.HS_FLAG_SOM_LEFTMOST


def compile_database(
    detectors: Sequence[Detector], source: Source | None = None
) -> tuple[hyperscan.Database, tuple[tuple[int, int], ...]]:
    """One block-mode database for all patterns; ids index the returned (detector, pattern).

    On failure each pattern is compiled alone to name the culprit (Hyperscan's message does
    not say which expression failed).
    """
    index = tuple((d, p) for d, det in enumerate(detectors) for p in range(len(det.patterns)))
    expressions = [detectors[d].patterns[p].regex.encode() for d, p in index]
    try:
        db = compile_cached(expressions, range(len(index)), [FLAGS] * len(index),
                            hyperscan.HS_MODE_BLOCK)
    except hyperscan.error as e:
        for n, (d, p) in enumerate(index):
            single = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                single.compile(expressions=[expressions[n]], ids=[0], elements=1, flags=[FLAGS])
            except hyperscan.error as one:
                loc = ("detectors", d, "patterns", p)
                raise DetectorError(
                    f"pattern does not compile in Hyperscan: {one} "
                    f"(got {detectors[d].patterns[p].regex!r})",
                    file=source.file if source else None,
                    line=source.line_of(loc) if source else None,
                    field=f"{detectors[d].id}: {format_loc(loc)}",
                ) from one
        raise DetectorError(f"detector patterns do not compile together: {e}") from e
    return db, index


def load_detectors(path: str | Path | None = None) -> tuple[Detector, ...]:
    """Load and check a detector table (default: the shipped ``detectors.yaml``)."""
    source = load_file(path or DEFAULT_DETECTORS, DetectorError)
    table = validate(_Table, source, DetectorError)
    if not table.detectors:
        raise DetectorError("no detectors defined", file=source.file, field="detectors")
    seen: dict[str, int] = {}
    for i, det in enumerate(table.detectors):
        if det.id in seen:
            loc = ("detectors", i, "id")
            raise DetectorError(
                f"duplicate detector id {det.id!r} (first at detectors[{seen[det.id]}])",
                file=source.file,
                line=source.line_of(loc),
                field=format_loc(loc),
            )
        seen[det.id] = i
    compile_database(table.detectors, source)
    _check_prefilters(table.detectors, source)
    return table.detectors


_PUBLIC = {"ipv4": "ipv4_public", "ipv6": "ipv6_public"}


def public_addresses_only(detectors: Sequence[Detector]) -> tuple[Detector, ...]:
    """The table with IP detectors that report only globally routable addresses (no private,
    loopback or link-local ones): ``dlp.private_addresses: false``."""
    return tuple(d.model_copy(update={"validator": _PUBLIC[d.validator]})
                 if d.validator in _PUBLIC else d for d in detectors)


def _check_prefilters(detectors: Sequence[Detector], source: Source) -> None:
    """Every prefilter compiles (alone, so an error names its pattern)."""
    for d, det in enumerate(detectors):
        for p, pat in enumerate(det.patterns):
            if pat.prefilter is None:
                continue
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                db.compile(expressions=[pat.prefilter.encode()], ids=[0], elements=1, flags=[0])
            except hyperscan.error as e:
                loc = ("detectors", d, "patterns", p, "prefilter")
                raise DetectorError(
                    f"prefilter does not compile in Hyperscan: {e} (got {pat.prefilter!r})",
                    file=source.file,
                    line=source.line_of(loc),
                    field=f"{det.id}: {format_loc(loc)}",
                ) from e

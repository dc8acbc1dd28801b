"""YAML loading that remembers line numbers, so validation errors name file, line and field.

PyYAML's composed node tree carries marks; we convert it to plain data and keep a side table
from each path (tuple of keys and indices) to its line. pydantic's error ``loc`` is such a path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from gateway.errors import ConfigError

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=ConfigError)


@dataclass
class Source:
    """Plain data parsed from one YAML document, with the line of every node."""

    file: str
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line_of(self, loc: Iterable[str | int]) -> int | None:
        """Line of the deepest known node on ``loc`` (pydantic adds union tags we skip)."""
        path = tuple(loc)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _convert(node: yaml.Node, path: Loc, lines: dict[Loc, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node)) if not isinstance(
                key_node, yaml.ScalarNode
            ) else _scalar(key_node)
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            out[key] = _convert(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_object(node, deep=True)
    finally:
        constructor.dispose()


def parse[E: ConfigError](text: str, file: str, error: type[E] = ConfigError) -> Source:  # type: ignore[assignment]
    """Parse one YAML document; syntax errors become ``error`` with the line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise error(f"invalid YAML: {e.problem or e}", file=file, line=line) from e
    except yaml.YAMLError as e:
        raise error(f"invalid YAML: {e}", file=file) from e
    lines: dict[Loc, int] = {}
    if node is None:
        return Source(file, None, lines)
    try:
        data = _convert(node, (), lines)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        raise error(f"invalid YAML: {e.problem}", file=file,
                    line=mark.line + 1 if mark else None) from e
    return Source(file, data, lines)


def load_file[E: ConfigError](path: str | Path, error: type[E] = ConfigError) -> Source:  # type: ignore[assignment]
    """Read and parse a YAML file; unreadable files raise ``error`` naming the path."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"cannot read file: {e}", file=str(p)) from e
    return parse(text, str(p), error)


def format_loc(loc: Iterable[str | int]) -> str:
    """``('rules', 2, 'when', 'apps')`` -> ``rules[2].when.apps``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validate[M: BaseModel, E: ConfigError](
    model: type[M],
    source: Source,
    error: type[E] = ConfigError,  # type: ignore[assignment]
    *,
    base: Loc = (),
    data: Any = None,
    context: Mapping[str, Any] | None = None,
) -> M:
    """Validate ``source`` (or ``data`` found at ``base`` inside it) into ``model``.

    The first error becomes ``error`` with file, line and the dotted field path, quoting the
    bad value and, for literal/enum fields, the accepted ones (pydantic's message lists them).
    """
    payload = source.data if data is None else data
    try:
        return model.model_validate(payload, context=dict(context or {}))
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        loc = (*base, *(p for p in first["loc"] if isinstance(p, (str, int))))
        # drop pydantic's union/function tags (they contain brackets or spaces)
        clean = tuple(p for p in loc if isinstance(p, int) or ("[" not in p and " " not in p))
        msg = first["msg"]
        if "input" in first and first["type"] not in ("missing",):
            bad = first["input"]
            if not isinstance(bad, (dict, list)):
                msg = f"{msg} (got {bad!r})"
        more = len(e.errors()) - 1
        if more:
            msg += f" (and {more} more error{'s' if more > 1 else ''})"
        raise error(msg, file=source.file, line=source.line_of(clean),
                    field=format_loc(clean) or None) from e

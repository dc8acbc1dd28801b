"""Masked previews: enough to recognise a value in an event, never enough to reuse it."""

from __future__ import annotations

__all__ = ["mask"]


def mask(value: str) -> str:
    """Replace letters and digits with ``*``, keeping up to 4 at each end and all punctuation.

    At most a quarter of the alphanumerics show on each side (none for 3 or fewer), so short
    values reveal little; separators and whitespace stay, so lengths and layout (card
    groups, PEM lines, JSON-safe characters) are kept for in-place redaction.

    >>> mask("4111111111111111")
    '4111********1111'
    >>> mask("4111-1111-1111-1111")
    '4111-****-****-1111'
    """
    if value.isalnum():  # no punctuation to keep: one slice each side
        keep = min(4, len(value) // 4)
        return value[:keep] + "*" * (len(value) - 2 * keep) + value[len(value) - keep :]
    chars = list(value)
    positions = [i for i, c in enumerate(chars) if c.isalnum()]
    keep = min(4, len(positions) // 4)
    for i in positions[keep : len(positions) - keep]:
        chars[i] = "*"
    return "".join(chars)

"""Match starts for patterns compiled without start-of-match tracking.

Hyperscan without ``HS_FLAG_SOM_LEFTMOST`` scans 1.7-2x faster and compiles 2-3x faster, but
reports only where a match ends; :class:`_Start` recovers the leftmost start with the same
regex in Python ``re`` (the patterns use the dialect both share), cheaply where the pattern's
shape allows.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

_SOM_MAX_WIDTH = 4096
"""Patterns whose matches are at most this long are compiled without start-of-match
tracking (1.7-2x faster scans, 2-3x faster compiles); their starts are recovered from a
window of that many bytes before each match end. Longer or unbounded ones keep SOM."""


class _Start:
    """Recovers the leftmost start of a match that Hyperscan reported by its end only.

    Hyperscan with ``HS_FLAG_SOM_LEFTMOST`` reports, for each end, the leftmost start of a
    match ending there. Without it only the end is known; the same pattern in Python's
    ``re`` (the patterns use the dialect both share) is searched over the ``width`` bytes
    before the end with a lookahead that pins the match end: the first start ``search``
    finds is that leftmost start. The string is cut two bytes after the end (or at the
    buffer's end), so ``\\b`` and ``$`` see the same neighbours as Hyperscan did; the left
    context is the real buffer (``re`` reads before ``pos`` for ``\\b``, never for ``^``).

    Two shortcuts give the same starts for less. A pattern whose matches all have one
    length starts that many bytes before the end. Otherwise a match holds, past its first
    byte and before its last, only bytes of the pattern's ``alphabet``: no match ending at
    ``end`` starts before the last other byte, so ``re`` (which tries every position)
    starts there, and a window holding such a byte never needs the search from 0.
    """

    __slots__ = ("_alphabet", "_fixed", "_lead", "_regex", "_tails", "bounded", "width")

    def __init__(self, regex: bytes, width: int, *, bounded: bool = True,
                 confirm: bool = False) -> None:
        self._regex = regex
        self.width = width
        self.bounded = bounded
        """False: matches may be longer than ``width``; when the window cannot show the whole
        match (nothing found, or a start on the window's edge) the search starts over from the
        beginning of the buffer, so a long match still gets its leftmost start."""
        self._tails: list[re.Pattern[bytes] | None] = [None, None, None]
        self._fixed, self._alphabet, self._lead = _shape(regex)
        if confirm:
            self._fixed = None  # Hyperscan ran a looser pattern (see relaxed): always search

    def start(self, buf: bytes, end: int) -> int:
        """The leftmost start of a match ending at ``end``, -1 if there is none."""
        if self._fixed is not None:
            return end - self._fixed
        rest = min(2, len(buf) - end)
        rx = self._tails[rest]
        if rx is None:
            rx = re.compile(b"(?:" + self._regex + b")(?=[\\s\\S]{%d}\\Z)" % rest)
            self._tails[rest] = rx
        lo = max(0, end - self.width)
        if self._alphabet is not None:
            first = lo + len(buf[lo : end - 1].rstrip(self._alphabet)) - self._lead
            if first >= lo:  # every match ending here starts at ``first`` or after it (the
                # last byte outside the alphabet ends the match's lead, at the latest)
                m = rx.search(buf, first, end + rest)
                return -1 if m is None else m.start()
        m = rx.search(buf, lo, end + rest)
        if not self.bounded and lo > 0 and (m is None or m.start() == lo):
            m = rx.search(buf, 0, end + rest)
        return -1 if m is None else m.start()


@functools.lru_cache(maxsize=1024)
def _shape(regex: bytes) -> tuple[int | None, bytes | None, int]:
    """The length in bytes of every match of a pattern (None if matches vary in length) and
    its :func:`_alphabet` and lead; kept per pattern, as parsing is most of a rebuild's
    Python time."""
    try:
        parsed = re._parser.parse(regex)  # type: ignore[attr-defined]
        low, high = parsed.getwidth()
    except (re.error, RecursionError, OverflowError):
        return None, None, 1
    return (int(low) if low == high else None), *_alphabet(parsed)


_ALL = frozenset(range(256))
_K = re._constants  # type: ignore[attr-defined]  # the parse tree's opcodes
_CATEGORIES: dict[object, frozenset[int]] = {
    _K.CATEGORY_DIGIT: frozenset(b"0123456789"),
    _K.CATEGORY_SPACE: frozenset(b" \t\n\r\f\v"),
    _K.CATEGORY_WORD: frozenset(b"0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
}
"""What ``\\d``, ``\\s`` and ``\\w`` match in a bytes pattern (ASCII only)."""


_LEAD_MAX = 8
"""The widest context a pattern may open with and keep the shortcut ("e-mail:" before an
address)."""


def _alphabet(parsed: Any) -> tuple[bytes | None, int]:
    """The bytes a match of a parsed pattern may hold past its lead and before its last
    byte (None when that can be any byte), and the lead's width (at least 1).

    The pattern's leading items that consume at most one byte together (``\\b``,
    ``(?:^|[^a-z])``), or, if the rest can then still be any byte, up to ``_LEAD_MAX``
    (``(?:^|[^a-z]|e-?mail:)``), and its trailing items of at most one byte (``(?:[^a-z]|$)``)
    are left out; the rest gives a superset of what it can consume (unknown constructs
    count as any byte): the shortcut in :class:`_Start` stays exact.
    """
    try:
        items = list(parsed.data)
        caseless = bool(parsed.state.flags & re.IGNORECASE)
        head = 0
        while head < len(items) and _width(parsed, items[: head + 1]) <= 1:
            head += 1
        lead = 1
        while True:
            tail = len(items)
            while tail > head and _width(parsed, items[tail - 1 :]) <= 1:
                tail -= 1
            found = _consumed(items[head:tail], caseless)
            if found < _ALL or head >= len(items):
                break
            wider = _width(parsed, items[: head + 1])
            if wider > _LEAD_MAX:
                break
            head, lead = head + 1, max(1, wider)
    except (re.error, RecursionError, OverflowError):
        return None, 1
    return (None if found >= _ALL else bytes(sorted(found))), lead


_Items = Sequence[tuple[Any, Any]]
"""Items of ``re``'s parse tree (opcode, argument): a private, untyped structure."""


def _width(parsed: Any, items: _Items) -> int:
    """The longest match of some of a parsed pattern's top-level items."""
    return int(re._parser.SubPattern(parsed.state, list(items)).getwidth()[1])  # type: ignore[attr-defined]


def _consumed(items: _Items, caseless: bool) -> frozenset[int]:
    """A superset of the bytes that parsed pattern items can consume."""
    k = _K
    out: set[int] = set()
    for op, av in items:
        if op in (k.AT, k.ASSERT, k.ASSERT_NOT):
            continue  # zero width: they look, they consume nothing
        if op in (k.MAX_REPEAT, k.MIN_REPEAT, k.POSSESSIVE_REPEAT):
            out |= _consumed(av[2], caseless)
        elif op is k.SUBPATTERN:
            _group, add, remove, sub = av
            on = (caseless or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            out |= _consumed(sub, on)
        elif op is k.ATOMIC_GROUP:
            out |= _consumed(av, caseless)
        elif op is k.BRANCH:
            for alt in av[1]:
                out |= _consumed(alt, caseless)
        elif op is k.LITERAL:
            out.add(av)
        elif op is k.IN:
            members = _members(av)
            if members is None:
                return _ALL
            out |= members
        else:  # ANY, NOT_LITERAL, group references, anything new: any byte
            return _ALL
    if caseless:
        out |= {b ^ 0x20 for b in out if 65 <= (b & ~0x20) <= 90}
    return frozenset(out)


def _members(items: _Items) -> set[int] | None:
    """The bytes a character class matches (case as written), None for a negated one."""
    k = _K
    out: set[int] = set()
    for op, av in items:
        if op is k.LITERAL:
            out.add(av)
        elif op is k.RANGE:
            out.update(range(av[0], av[1] + 1))
        elif op is k.CATEGORY and av in _CATEGORIES:
            out |= _CATEGORIES[av]
        else:  # NEGATE, negated categories: (nearly) any byte
            return None
    return out


def relaxed(regex: bytes) -> bytes | None:
    """The pattern without its leading context group (``(?:^|[^0-9A-Za-z+_])``: what may come
    before a value), None if it has none.

    Such a group, a ``^`` or a byte outside a class, makes Hyperscan run the pattern's
    automaton over every byte (ipv4's cost 1.5 ms/MiB alone, 0.3 without it). Every match of
    the pattern holds a match of the rest ending where it does, so the rest finds every end,
    and :class:`_Start` (built with ``confirm``) searches the whole pattern back from each
    end: an end no match of the whole pattern has gives no start and is dropped.
    """
    if not regex.startswith(b"(?:"):
        return None
    i = next((i for i, c, depth in _structure(regex) if c == 0x29 and depth == 0), len(regex))
    head, rest = regex[: i + 1], regex[i + 1 :]
    if not rest or rest[:1] in (b"?", b"*", b"+", b"{", b"|") or b"|" in _top_level(rest):
        return None  # the group is repeated or optional, or the rest is an alternation
    try:
        parsed = re._parser.parse(head.decode("latin-1"))  # type: ignore[attr-defined]
        widest = parsed.getwidth()[1]
    except (re.error, RecursionError, OverflowError):
        return None
    if widest > 2:
        return None  # a keyword, not a context byte or two
    # a word byte comes next, and every way into it ends at the start or a non-word byte:
    # a \b still stands there (cheap for Hyperscan, and it keeps digit runs from matching
    # at every offset)
    first = _first_bytes(rest)
    if first and first <= _WORD and _ends_non_word(parsed):
        return b"\\b" + rest
    return rest


_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def _first_bytes(regex: bytes) -> frozenset[int] | None:
    """The bytes a pattern's first item can consume (None when unknown)."""
    try:
        items = list(re._parser.parse(regex.decode("latin-1")).data)  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError):
        return None
    if not items or _width_low(items[:1]) < 1:
        return None  # (an optional first item: what follows could come first)
    found = _consumed(items[:1], False)
    return None if not found or found >= _ALL else found


def _width_low(items: _Items) -> int:
    return int(re._parser.SubPattern(re._parser.State(), list(items)).getwidth()[0])  # type: ignore[attr-defined]


def _ends_non_word(parsed: Any) -> bool:
    """Whether each alternative of a parsed context group is ``^`` or ends with a byte no
    word character can be (a negated class that leaves out every word byte, or a literal)."""
    k = _K
    items = list(parsed.data)
    while len(items) == 1 and items[0][0] is k.SUBPATTERN:  # (?:...) may be kept or not
        items = list(items[0][1][3].data)
    alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is k.BRANCH else [items]
    for alt in alternatives:
        alt_items = list(getattr(alt, "data", alt))
        if not alt_items:
            return False
        op, av = alt_items[-1]
        if op is k.AT:
            if len(alt_items) != 1:
                return False
            continue
        if op is k.LITERAL:
            if av in _WORD:
                return False
            continue
        if op is k.IN and av and av[0][0] is k.NEGATE:
            members = _members(av[1:])
            if members is None or not members >= _WORD:
                return False
            continue
        return False
    return True


def _top_level(regex: bytes) -> bytes:
    """The bytes of a pattern outside its groups and classes (to spot a top-level ``|``)."""
    return bytes(c for _, c, depth in _structure(regex) if depth == 0 and c not in b"()")


def _structure(regex: bytes) -> Iterator[tuple[int, int, int]]:
    """(offset, byte, group depth after it) of each byte of a pattern that is neither
    escaped nor inside a character class."""
    depth, i, in_class = 0, 0, False
    while i < len(regex):
        c = regex[i]
        if c == 0x5C:  # a backslash escapes the next byte
            i += 2
            continue
        if in_class:
            in_class = c != 0x5D  # "]"
        elif c == 0x5B:  # "["
            in_class = True
        else:
            depth += (c == 0x28) - (c == 0x29)  # "(" and ")"
            yield i, c, depth
        i += 1


@functools.lru_cache(maxsize=1024)
def _som_width(regex: str) -> tuple[int, bool] | None:
    """The window to recover starts in and whether it bounds every match; None to keep SOM.

    Unbounded patterns (e-mail, secrets after a key) are the costliest ones to scan with SOM
    (several times slower than without); their starts are recovered in a window of
    ``_SOM_MAX_WIDTH`` bytes, and from the buffer's start for the rare longer match.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            re.compile(regex.encode())
            width = re._parser.parse(regex).getwidth()[1]  # type: ignore[attr-defined]
    except (re.error, RecursionError, OverflowError, Warning):
        return None
    if width <= _SOM_MAX_WIDTH:
        return int(width), True
    return _SOM_MAX_WIDTH, False

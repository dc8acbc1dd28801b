"""What gets scanned: a body becomes UTF-8 text segments, each with a location.

Each extractor also returns a ``rebuild`` function that puts replaced segments back into
the same container (text, JSON, form, multipart), which is how redaction keeps the body's
format. Segments are visited in one fixed order so indices match between both passes.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import codecs
import contextlib
import functools
import html
import itertools
import json
import operator
import quopri
import re
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import HTTP
from typing import Any

import hyperscan

from gateway.errors import DecodeError, LimitExceeded

from ._documents import EXTRACTABLE, Budget, Encrypted, extract_document
from ._limits import Limits
from ._sniff import ARCHIVE_TYPES, TEXT_TYPES, sniff_file_type

__all__ = ["Extracted", "Segment", "extract", "parse_content_type"]

Replacements = Mapping[int, bytes]
Rebuild = Callable[[Replacements], bytes]
_UTF8_NAMES = frozenset({"utf-8", "ascii"})
_MAX_JSON_NESTING = 256
_KEY_SHOWN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Segment:
    location: str
    data: bytes
    """UTF-8 text (lone surrogates as surrogatepass), scanned as one unit."""
    keyed: bool = False
    """A JSON member's string or number whose key is the segment just before it (the key
    is context for the value, as if it preceded it)."""


@dataclass(slots=True)
class Extracted:
    segments: list[Segment]
    file_type: str | None
    unscannable: str | None = None
    rebuild: Rebuild | None = field(default=None, repr=False)
    primary: int = -1
    fast: JsonSegments | None = field(default=None, repr=False)
    """Set (and ``segments`` empty) for JSON scanned by the fast path: its segments."""
    """Segments ``[0, primary)`` can be put back by ``rebuild``; the rest were derived
    (decoded base64, hex, entities, percent-encoding, document text) and cannot."""

    def __post_init__(self) -> None:
        if self.primary < 0:
            self.primary = len(self.segments)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """``("multipart/form-data", {"boundary": ...})``; empty essence when absent."""
    if not value:
        return "", {}
    msg = Message()
    msg["content-type"] = value
    params = {k.lower(): v for k, v in msg.get_params(failobj=[])[1:]}
    return msg.get_content_type() if ";" in value or "/" in value else "", params


def _charset(params: Mapping[str, str]) -> str:
    """The codec of a ``charset=`` parameter; unknown names and codecs that are not text
    encodings (``zlib``, ``base64``, ``rot13``: ``bytes.decode`` refuses them) read as UTF-8."""
    name = params.get("charset", "utf-8").strip().strip('"').lower()
    try:
        info = codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return info.name if getattr(info, "_is_text_encoding", True) else "utf-8"


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
"""The byte-order marks that name a wide charset; UTF-32 first: its little-endian mark
starts with UTF-16's."""


def _bom_charset(data: bytes) -> str:
    """Text without a declared charset: UTF-16 or UTF-32 when a byte-order mark says so
    (the codec reads the order from the mark), else UTF-8. As streamed text is read."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec[:6]
    return "utf-8"


_LANES = (("utf-32-le", 4, (0,)), ("utf-32-be", 4, (3,)), ("utf-16-le", 2, (0,)),
          ("utf-16-be", 2, (1,)))
"""Wide charsets by the lanes that hold the text's low bytes (the other lanes are NUL in
text that is mostly ASCII or Latin-1); UTF-32 first: its lanes are UTF-16's, halved."""


def _lanes_charset(data: bytes) -> str | None:
    """UTF-16/32 text that carries neither a byte-order mark nor a charset, told by where
    its NULs fall in the first 4 KiB, and only if the whole body decodes (lone surrogates
    aside: such a body is malformed text, unscannable as a declared one); else None.

    ``json.loads`` reads such bytes (as RFC 4627 allowed), so an origin may too: a scanner
    that dropped them as unknown binary let a JSON body through unread.
    """
    codec = lanes_codec(data[:LANES_SAMPLE])
    if codec is None or len(data) % 2:
        return None
    try:  # a lone surrogate passes: the body is then malformed text, not binary
        data.decode(codec, "surrogatepass")
    except UnicodeError:
        return None
    return codec


LANES_SAMPLE = 4096
"""How much of a body's start tells where its NULs fall."""


def lanes_codec(sample: bytes) -> str | None:
    """The UTF-16/32 codec whose text lanes ``sample``'s NULs leave free, if any (a guess:
    the caller confirms it by decoding)."""
    if len(sample) < 16 or b"\0" not in sample:
        return None
    for codec, step, text in _LANES:
        usable = len(sample) - len(sample) % step
        lanes = [sample[i:usable:step] for i in range(step)]
        nuls = [lane.count(0) * 10 for lane in lanes]
        if all(n <= len(lane) if i in text else n >= 9 * len(lane)
               for i, (n, lane) in enumerate(zip(nuls, lanes, strict=True))):
            return codec
    return None


def _body_charset(params: Mapping[str, str], data: bytes, kind: str | None) -> str:
    """The charset of a body or a part: the declared one, else a byte-order mark's, else,
    for bytes that sniff as no type (text with NULs does), where the NULs fall; UTF-8."""
    if "charset" in params:
        return _charset(params)
    charset = _bom_charset(data)
    if kind is None and charset == "utf-8":
        charset = _lanes_charset(data) or charset
    return charset


# -- text -----------------------------------------------------------------------------------


def _extract_text(data: bytes, charset: str, location: str) -> tuple[list[Segment], Rebuild]:
    if charset in _UTF8_NAMES:
        # scan the bytes as they are: patterns are ASCII, invalid UTF-8 cannot match them
        def rebuild_raw(rep: Replacements) -> bytes:
            return rep.get(0, data)

        return [Segment(location, data)], rebuild_raw

    try:
        text = data.decode(charset, "surrogateescape")
    except UnicodeError as e:  # UTF-16/32: a lone surrogate, a truncated last unit
        raise DecodeError(f"body is not valid {charset}") from e

    def rebuild(rep: Replacements) -> bytes:
        if 0 not in rep:
            return data
        try:
            return _text(rep[0]).encode(charset, "surrogateescape")
        except UnicodeError as e:
            raise DecodeError(f"cannot re-encode text as {charset}") from e

    return [Segment(location, _utf8(text))], rebuild


# -- JSON -----------------------------------------------------------------------------------


def _key_path(path: str, key: str) -> str:
    # keys are data too: only short identifier-like keys are shown in locations
    return f"{path}.{key}" if _key_shown(key) else f"{path}[?]"


@functools.lru_cache(maxsize=4096)
def _key_shown(key: str) -> bool:
    return _KEY_SHOWN.match(key) is not None  # keys repeat: one regex match per distinct key


class _JsonWalk:
    """Visits keys, strings and numbers in document order; nested JSON in strings once."""

    def __init__(self, limits: Limits, replacements: Replacements | None = None) -> None:
        self.limits = limits
        self.replacements = replacements
        self.segments: list[Segment] = []
        self.index = 0
        self.nodes = 0

    def _leaf(self, path: str, text: str, keyed: bool = False) -> str | None:
        i = self.index
        self.index += 1
        if self.replacements is None:
            self.segments.append(Segment(f"json:{path}", _utf8(text), keyed))
            return None
        new = self.replacements.get(i)
        return None if new is None else _text(new)

    def visit(
        self, value: Any, path: str, depth: int, nested: bool, keyed: bool = False
    ) -> Any:
        self.nodes += 1
        if self.nodes > self.limits.max_parts:
            raise LimitExceeded("too many JSON nodes", limit="parts")
        if depth > _MAX_JSON_NESTING:
            raise LimitExceeded("JSON nested too deeply", limit="depth")
        if isinstance(value, _Members):
            out = _Members()
            for key, item in value:
                member = _key_path(path, key)
                new_key = self._leaf(member, key)
                out.append((key if new_key is None else new_key,
                            self.visit(item, member, depth + 1, nested, keyed=True)))
            return out
        if isinstance(value, list):
            return [
                self.visit(item, f"{path}[{i}]", depth + 1, nested) for i, item in enumerate(value)
            ]
        if isinstance(value, str):
            inner = _nested_json(value) if not nested else None
            if inner is not None:
                new_inner = self.visit(inner, f"{path}/$", depth + 1, nested=True)
                if new_inner == inner:
                    return value
                return _dumps(new_inner)
            new = self._leaf(path, value, keyed)
            return value if new is None else new
        if isinstance(value, int | float) and not isinstance(value, bool):
            # a card number sent as a JSON number is still a card number
            new = self._leaf(path, repr(value), keyed)
            return value if new is None else new
        return value


class _Members(list[tuple[str, Any]]):
    """An object's members in document order, a repeated key each time it appears.

    A DLP must read every value sent: of ``{"note": "<card>", "note": "hi"}`` a dict keeps
    only the last, while the origin's parser may keep the first (or log both).
    """


def _loads(data: str | bytes) -> Any:
    return json.loads(data, object_pairs_hook=_Members)


def _dumps(value: Any) -> str:
    """Compact JSON of a walked document (:class:`_Members` keep their repeated keys)."""
    if isinstance(value, _Members):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_dumps(v)}"
                              for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(_dumps, value)) + "]"
    return json.dumps(value, ensure_ascii=False)


def _nested_json(value: str) -> list[Any] | None:
    stripped = value.strip()
    if len(stripped) < 2 or stripped[0] not in "{[":
        return None
    try:
        inner = _loads(stripped)
    except (ValueError, RecursionError):
        return None
    return inner if isinstance(inner, list) else None  # an object or an array


def _extract_json(data: bytes, limits: Limits) -> tuple[list[Segment], Rebuild] | None:
    try:
        doc = _loads(data)
    except (ValueError, RecursionError):
        return None  # not JSON after all: the caller scans it as text
    walk = _JsonWalk(limits)
    walk.visit(doc, "$", 0, nested=False)

    def rebuild(rep: Replacements) -> bytes:
        if not rep:
            return data
        new = _JsonWalk(limits, rep).visit(doc, "$", 0, nested=False)
        return _dumps(new).encode("utf-8", "surrogatepass")

    return walk.segments, rebuild


# The fast path: ASCII JSON without escapes is scanned from its raw tokens. The walk emits
# keys, strings (their raw text) and numbers (repr, equal to the raw text when checked below)
# in document order; so do these tokens, hence the same buffer, segments and offsets. JSON
# paths (and which values follow their key) are only worked out for the segments that need
# them.
#
# The tokens come from bytes methods, no regex (a regex pass over the body costs as much as
# the DLP scan): splitting at quotes gives strings and the gaps between them (in JSON
# without escapes every quote opens or closes a string); in the gaps, joined, commas and
# colons become NULs and brackets, literals and whitespace go, which leaves the numbers with
# a NUL or more between any two tokens (a comma or a colon always comes between two); the
# strings go back between the gaps. For a body that is not valid JSON the tokens may be
# wrong: json.loads rejects it afterwards.
_MAYBE_NESTED = re.compile(rb'"[ \t\r\n]*[\[{]')
_CONTAINER = re.compile(rb"[ \t\r\n]*[\[{]")
_DEPTH_STEP = tuple(1 if c in b"[{" else -1 if c in b"]}" else 0 for c in range(256))
_LITERALS = (b"true", b"false", b"null")
_WHITESPACE = b" \t\r\n"
_GAP_SEPARATORS = bytes.maketrans(b",:", b"\0\0")
_SKELETON = bytes.maketrans(b"\6-+.0123456789eE", b"x" * 16)
"""Gaps to a skeleton: strings (``\\6`` in the joined gaps) and numbers become ``x``."""
_BRACKET_BAR = bytes.maketrans(b"{[]}", b"||||")
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
"""Deleted from the gaps between strings, leaves the brackets (a body's nesting)."""
_IS_OPEN = tuple(1 if c in b"[{" else 0 for c in range(256))


class _Unequal(Exception):
    """The walk would emit something other than the raw tokens."""


def _no_constant(text: str) -> Any:
    raise _Unequal


def _walk_equal(data: bytes) -> bool:
    """Whether ``data`` is JSON whose walk emits its raw tokens, and is an object or array.

    json.loads validates; its hooks are C functions (a Python hook per object or float costs
    more than the parse): objects become their member count (the walk visits every member,
    a repeated key too, in document order, as the tokens are), every float's text is
    collected and checked afterwards in bulk. A float whose repr differs from its text, NaN
    or Infinity send the body to the walk.
    """
    floats: list[str] = []
    try:
        json.loads(data, parse_float=floats.append, parse_constant=_no_constant,
                   object_pairs_hook=len)
    except (_Unequal, ValueError, RecursionError):
        return False
    if list(map(repr, map(float, floats))) != floats:
        return False
    return _CONTAINER.match(data) is not None  # not a lone string or number


def _json_tokens(data: bytes) -> tuple[bytes, bytes, bytes] | None:
    """The tokens joined by NUL (strings without their quotes), the gaps between strings
    joined by ``\\6`` and the same gaps reduced to their numbers (NUL between, ``\\6`` for
    each string); None if there are no tokens or quotes are unpaired."""
    pieces = data.split(b'"')
    if not len(pieces) % 2:
        return None
    gaps = b"\6".join(pieces[::2])
    codes = gaps
    for literal in _LITERALS:
        if literal in codes:
            codes = codes.replace(literal, b"")
    codes = codes.translate(_GAP_SEPARATORS, b" \t\r\n[]{}")
    while b"\0\0" in codes:  # (a literal or an empty container between separators)
        codes = codes.replace(b"\0\0", b"\0")
    codes = codes.strip(b"\0")
    between = codes.split(b"\6")
    if len(between) != len(pieces[::2]):
        return None  # a control byte where JSON allows none
    if len(pieces) == 1 and not codes:
        return None
    pieces[::2] = between
    return b"".join(pieces), gaps, codes


_nested_db: list[hyperscan.Database] = []


def _maybe_nested(data: bytes) -> bool:
    """Whether :data:`_MAYBE_NESTED` matches (by Hyperscan: a regex pass costs a
    millisecond per 256 KiB)."""
    found: list[int] = []
    with _candidate_lock:
        if not _nested_db:
            db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            db.compile(expressions=[_MAYBE_NESTED.pattern], ids=[0], elements=1,
                       flags=[hyperscan.HS_FLAG_SINGLEMATCH])
            _nested_db.append(db)

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> bool:
            found.append(end)
            return True  # one is enough

        with contextlib.suppress(hyperscan.ScanTerminated):
            _nested_db[0].scan(data, match_event_handler=on_match)
    return bool(found)


def _skeleton_text(gaps: bytes) -> bytes:
    """The gaps between strings without whitespace and literals, each token one ``x``."""
    sk = gaps
    for literal in _LITERALS:
        if literal in sk:
            sk = sk.replace(literal, b"")
    sk = sk.translate(_SKELETON, _WHITESPACE)
    while b"xx" in sk:  # a number's characters: one token (tokens never touch)
        sk = sk.replace(b"xxxx", b"x").replace(b"xx", b"x")
    return sk


_OPEN_AS_COMMA = bytes.maketrans(b"[{]}", b",,,,")


def _token_roles(sk: bytes) -> bytes:
    """One byte per token of a skeleton: ``k`` for a member's value right after its key (a
    colon before it), ``x`` for any other token."""
    return sk.translate(_OPEN_AS_COMMA).replace(b":x", b"k").translate(None, b",:")


class _Skeleton:
    """Where each container of a fast-path body starts and ends, for locations.

    Built from the gaps between strings alone (:func:`_skeleton_text`). Then every bracket's
    position, the tokens before it and its level (the depth of its container) come from
    C-level passes over all brackets; the brackets of one level, in order, pair up (an open,
    then its close).
    """

    def __init__(self, sk: bytes) -> None:
        self.sk = sk
        bars = sk.translate(_BRACKET_BAR)
        pieces = bars.split(b"|")[:-1]
        self.pos = list(map(operator.add, itertools.accumulate(map(len, pieces)),
                            itertools.count()))
        """Each bracket's offset in ``sk``."""
        self.kinds = sk.translate(None, _NOT_BRACKET)
        xs = bars.translate(None, b",:").split(b"|")[:-1]
        self.tokens = list(itertools.accumulate(map(len, xs)))
        """Tokens before each bracket."""
        depth = itertools.accumulate(map(_DEPTH_STEP.__getitem__, self.kinds))
        self.levels = bytes(map(operator.add, itertools.chain((0,), depth),
                                map(_IS_OPEN.__getitem__, self.kinds)))
        """Each bracket's level: an open's is the depth after it, a close's the depth before
        it (under 256: deeper bodies are the walk's)."""
        self._levels: dict[int, tuple[list[int], list[int]]] = {}

    def depth(self, bracket: int) -> int:
        """Containers open after ``bracket``."""
        return self.levels[bracket] - (self.kinds[bracket] in b"]}")

    def level(self, n: int) -> tuple[list[int], list[int]]:
        """Containers of depth ``n`` (their opens, in order) and how many commas the first
        ``k`` of them hold inside (index ``k``). A level's brackets alternate open, close."""
        found = self._levels.get(n)
        if found is None:
            found = ([], [0])
            if n < 256:
                pieces = self.levels.split(bytes((n,)))[:-1]
                at = list(map(operator.add, itertools.accumulate(map(len, pieces)),
                              itertools.count()))
                pos, sk = self.pos, self.sk
                inner = map(sk.count, itertools.repeat(b","), map(pos.__getitem__, at[::2]),
                            map(pos.__getitem__, at[1::2]))
                found = (at[::2], list(itertools.accumulate(inner, initial=0)))
            self._levels[n] = found
        return found

    def offset(self, index: int, bracket: int) -> int:
        """Offset in ``sk`` of token ``index``, which comes after bracket ``bracket`` and
        before the next one."""
        sk = self.sk
        lo = self.pos[bracket] if bracket >= 0 else 0
        first = self.tokens[bracket] if bracket >= 0 else 0
        hi = self.pos[bracket + 1] if bracket + 1 < len(self.pos) else len(sk)
        n = index - first  # tokens to skip
        while n > 16 and hi - lo > 64:  # many scalars in a row: halve by counting
            mid = (lo + hi) // 2
            before = sk.count(b"x", lo, mid)
            if before > n:
                hi = mid
            else:
                lo, n = mid, n - before
        at = sk.index(b"x", lo)
        for _ in range(n):
            at = sk.index(b"x", at + 1)
        return at


class PendingSegment:
    """A fast-path segment: its bytes, and its location worked out when asked for."""

    __slots__ = ("_owner", "data", "index")

    def __init__(self, owner: JsonSegments, index: int) -> None:
        self._owner = owner
        self.index = index
        self.data = owner.parts[index]

    @property
    def location(self) -> str:
        return self._owner.location(self.index)


class JsonSegments:
    """The walk's segments of a fast-path JSON body, plus derived ones appended later."""

    def __init__(self, joined: bytes, gaps: bytes) -> None:
        self._gaps = gaps
        self.joined = joined
        self.parts = self.joined.split(b"\0")
        self.count = len(self.parts)
        self.extra: list[Segment] = []
        self._starts: list[int] | None = None
        self._skeleton: _Skeleton | None = None
        self._roles: bytes | None = None

    @property
    def starts(self) -> list[int]:
        """Offsets of the primary segments in ``joined``."""
        if self._starts is None:
            steps = map(operator.add, map(len, self.parts), itertools.repeat(1))
            self._starts = list(itertools.accumulate(steps, initial=0))[:-1]
        return self._starts

    @property
    def nbytes(self) -> int:
        return len(self.joined) - (self.count - 1) + sum(len(s.data) for s in self.extra)

    def keyed(self, index: int) -> bool:
        """Whether segment ``index`` is a member's string or number right after its key
        (:attr:`Segment.keyed`): a colon comes just before it in the skeleton."""
        if index >= self.count:
            return False
        if self._roles is None:
            self._roles = _token_roles(self.sk)
        return self._roles[index] == 107  # "k"

    @functools.cached_property
    def sk(self) -> bytes:
        return _skeleton_text(self._gaps)

    @property
    def skeleton(self) -> _Skeleton:
        if self._skeleton is None:
            self._skeleton = _Skeleton(self.sk)
        return self._skeleton

    def location(self, index: int) -> str:
        """The walk's location of primary segment ``index``, from the skeleton: the
        containers around the token, each the last opened at its depth before it; in an
        object the key before the child, in an array the commas before it at that depth
        (all commas in between, less those inside the containers passed)."""
        skel = self.skeleton
        before = bisect.bisect_right(skel.tokens, index)  # brackets before the token
        at = skel.offset(index, before - 1)
        depth = skel.depth(before - 1)
        path = "$"
        for n in range(1, depth + 1):
            opens, _ = skel.level(n)
            container = opens[bisect.bisect_left(opens, before) - 1]
            if n < depth:
                child_opens, _ = skel.level(n + 1)
                child = child_opens[bisect.bisect_left(child_opens, before) - 1]
                child_at, child_key = skel.pos[child], skel.tokens[child] - 1
            else:
                child, child_at = before, at
                child_key = index - 1 if skel.sk[at - 1] == 58 else index  # after ":"
            if skel.kinds[container] == 123:  # "{"
                path = _key_path(path, self.parts[child_key].decode("ascii"))
            else:
                inner_opens, inner = skel.level(n + 1)
                lo = bisect.bisect_right(inner_opens, container)
                hi = bisect.bisect_left(inner_opens, child, lo)
                commas = skel.sk.count(b",", skel.pos[container], child_at)
                path = f"{path}[{commas - inner[hi] + inner[lo]}]"
        return f"json:{path}"

    def __len__(self) -> int:
        return self.count + len(self.extra)

    def __getitem__(self, index: int) -> Segment:
        if index < 0:
            index += len(self)
        if index >= self.count:
            return self.extra[index - self.count]
        return Segment(self.location(index), self.parts[index], self.keyed(index))

    def materialize(self) -> list[Segment]:
        return [self[i] for i in range(len(self))]


def _json_fast(data: bytes, limits: Limits) -> JsonSegments | None:
    """The fast path's segments, None when it does not apply (the walk decides then)."""
    if not data.isascii() or b"\\" in data or b"\0" in data:
        return None  # (NULs would make json.loads read the bytes as UTF-16 or UTF-32)
    if _maybe_nested(data):
        return None  # a string may hold JSON (the walk parses it)
    found = _json_tokens(data)
    if found is None:
        return None
    tokens, gaps, numbers = found
    if b"-0" in numbers and b"-0" in numbers.replace(b"\6", b"\0").split(b"\0"):
        return None  # the walk emits 0
    opened = gaps.count(b"[") + gaps.count(b"{")
    nodes = tokens.count(b"\0") + 1 + opened  # + literals: at most one per 4 bytes
    if nodes + len(data) // 4 > limits.max_parts and nodes + data.count(b"true") + data.count(
            b"false") + data.count(b"null") > limits.max_parts:
        return None  # the walk may count too many nodes: let it
    if opened > _MAX_JSON_NESTING - 1:
        brackets = gaps.translate(None, _NOT_BRACKET)  # (the gaps hold no strings)
        if max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets))) >= _MAX_JSON_NESTING:
            return None  # the walk may go too deep: let it
    if not _walk_equal(data):
        return None
    return JsonSegments(tokens, gaps)


# -- application/x-www-form-urlencoded ------------------------------------------------------


def _extract_form(data: bytes, limits: Limits) -> tuple[list[Segment], Rebuild]:
    text = data.decode("ascii", "surrogateescape")
    try:
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, max_num_fields=limits.max_parts, errors="surrogateescape"
        )
    except ValueError as e:
        raise LimitExceeded("too many form fields", limit="parts") from e
    segments: list[Segment] = []
    for name, value in pairs:
        loc = f"form:{name[:64]}"
        segments += (Segment(loc, _utf8(name)), Segment(loc, _utf8(value)))

    def rebuild(rep: Replacements) -> bytes:
        if not rep:
            return data
        out = []
        for i, (name, value) in enumerate(pairs):
            new_name = _text(rep[2 * i]) if 2 * i in rep else name
            new_value = _text(rep[2 * i + 1]) if 2 * i + 1 in rep else value
            out.append((new_name, new_value))
        return urllib.parse.urlencode(out, errors="surrogateescape").encode("ascii")

    return segments, rebuild


# -- multipart/form-data --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Part:
    headers: Message
    start: int  # body offsets in the multipart payload
    end: int


def _split_multipart(data: bytes, boundary: bytes, limits: Limits) -> list[_Part]:
    """RFC 2046 delimiters at line starts; tolerant of bare LF; bounded part count."""
    delim = b"--" + boundary
    if data.count(delim) > limits.max_parts + 1:
        raise LimitExceeded("too many multipart parts", limit="parts")
    starts: list[int] = []
    pos = 0
    while (pos := data.find(delim, pos)) != -1:
        if pos == 0 or data[pos - 1 : pos] == b"\n":
            starts.append(pos)
        pos += len(delim)
    parts: list[_Part] = []
    for n, here in enumerate(starts):
        after = here + len(delim)
        if data[after : after + 2] == b"--":
            break  # close delimiter
        if n + 1 >= len(starts):
            raise DecodeError("multipart body has no closing delimiter")
        line_end = data.find(b"\n", after)
        head_start = line_end + 1
        end = starts[n + 1] - 1  # the LF before the next delimiter
        if data[end - 1 : end] == b"\r":
            end -= 1
        sep = data.find(b"\r\n\r\n", head_start, end + 2)
        sep_len = 4
        if sep == -1:
            sep = data.find(b"\n\n", head_start, end + 2)
            sep_len = 2
        if line_end == -1 or sep == -1:
            raise DecodeError("malformed multipart part")
        headers = BytesHeaderParser(policy=HTTP).parsebytes(data[head_start : sep + sep_len])
        parts.append(_Part(headers, min(sep + sep_len, end), end))
    return parts


def _extract_multipart(
    data: bytes, boundary: str, limits: Limits
) -> tuple[list[Segment], Rebuild, str | None, str | None, int]:
    parts = _split_multipart(data, boundary.encode("latin-1", "replace"), limits)
    segments: list[Segment] = []
    documents: list[Segment] = []  # text of files in parts: scanned, never rewritten
    owners: list[int] = []  # segment index -> part index
    rewritable: list[bool] = []  # segment index -> its part is plain UTF-8 text
    file_type: str | None = None
    unscannable: str | None = None
    for i, part in enumerate(parts):
        name = str(part.headers.get_param("name", "", header="content-disposition"))[:64]
        filename = part.headers.get_filename()
        loc = f"multipart:{name}" + (f"/{filename[:128]}" if filename else "")
        cte = str(part.headers.get("content-transfer-encoding", "")).strip().lower()
        body = data[part.start : part.end]
        if cte in ("base64", "quoted-printable"):
            body = _decode_transfer(body, cte)
        kind = sniff_file_type(body)
        if filename and file_type is None:
            file_type = kind
        if kind in EXTRACTABLE:
            pieces, reason = _documents(body, kind, limits)
            documents += [Segment(f"{loc}!{inner}", text) for inner, text in pieces]
            unscannable = unscannable or reason
            continue
        if kind in ARCHIVE_TYPES and unscannable is None:
            unscannable = f"unsupported_file:{kind}"
        _, params = parse_content_type(str(part.headers.get("content-type", "")))
        charset = _body_charset(params, body, kind)
        if kind is not None and kind not in TEXT_TYPES:
            continue  # media, executables
        # unknown binary (kind None: NULs or control bytes) is scanned too, but never
        # rewritten: a redact rule blocks it
        text = body if charset in _UTF8_NAMES else _utf8(body.decode(charset, "replace"))
        segments.append(Segment(loc, text))
        owners.append(i)
        rewritable.append(kind is not None and cte not in ("base64", "quoted-printable")
                          and charset in _UTF8_NAMES)

    def rebuild(rep: Replacements) -> bytes:
        if not rep:
            return data
        out = bytearray()
        pos = 0
        for seg_index, new in sorted(rep.items()):
            part = parts[owners[seg_index]]
            if not rewritable[seg_index]:
                raise DecodeError("cannot redact a transfer-encoded or non-UTF-8 multipart part")
            out += data[pos : part.start] + new
            pos = part.end
        out += data[pos:]
        return bytes(out)

    return segments + documents, rebuild, file_type, unscannable, len(segments)


def _decode_transfer(body: bytes, cte: str) -> bytes:
    try:
        return base64.b64decode(body) if cte == "base64" else quopri.decodestring(body)
    except (binascii.Error, ValueError) as e:
        raise DecodeError("corrupt transfer encoding in multipart part") from e


# -- dispatch -------------------------------------------------------------------------------

_JSON_MIME = re.compile(r"^(application|text)/([a-z0-9.+-]*\+)?json$")


def extract(
    data: bytes, content_type: str | None, limits: Limits, *, fast: bool = False
) -> Extracted:
    """Segments of a decoded body by its content type, confirmed by its magic bytes.

    With ``fast``, plain JSON may come back as ``Extracted.fast`` (scan only: no rebuild).

    Raises LimitExceeded or DecodeError for bodies that cannot be taken apart.
    """
    mime, params = parse_content_type(content_type)
    kind = sniff_file_type(data)
    charset = _body_charset(params, data, kind)
    wide = charset.startswith(("utf-16", "utf-32"))
    if mime == "multipart/form-data" and params.get("boundary"):
        # the envelope is not a file (its parts may be binary); each part is sniffed instead
        segments, rebuild, file_type, reason, primary = _extract_multipart(
            data, params["boundary"], limits)
        return _derived(Extracted(segments, file_type or kind, reason, rebuild, primary), limits)
    if kind in EXTRACTABLE:
        pieces, reason = _documents(data, kind, limits)
        docs = [Segment(f"file:{inner}", text) for inner, text in pieces]
        return _derived(Extracted(docs, kind, reason, None, 0), limits)
    if kind is not None and kind not in TEXT_TYPES:
        reason = f"unsupported_file:{kind}" if kind in ARCHIVE_TYPES else None
        return Extracted([], kind, reason, lambda rep: data)
    if kind is None and not wide:
        # unknown binary (a NUL or control bytes in the first 4 KiB): its bytes are scanned
        # as they are, as a stream's are (one NUL in front of text must not hide the text),
        # and never rewritten (a redact rule blocks it, as for a document)
        return _derived(Extracted([Segment("body", data)], None, None, None, 0), limits)
    if mime == "application/x-www-form-urlencoded":
        segments, rebuild = _extract_form(data, limits)
        return _derived(Extracted(segments, kind, None, rebuild), limits)
    if _JSON_MIME.match(mime) or (kind == "json" and not mime.startswith("text/")):
        quick = _json_fast(data, limits) if fast else None
        if quick is not None:
            return _derived(Extracted([], "json", None, None, 0, quick), limits)
        parsed = _extract_json(data, limits)
        if parsed is not None:
            return _derived(Extracted(parsed[0], "json", None, parsed[1]), limits)
    segments, rebuild = _extract_text(data, charset, "body")
    if wide and "charset" not in params:
        # only a byte-order mark said UTF-16/32: the same bytes are also read as UTF-8, so
        # "\xff\xfe" in front of UTF-8 text cannot hide it (a receiver may ignore the mark)
        segments.append(Segment("body", data))
        return _derived(Extracted(segments, kind or "text", None, rebuild, 1), limits)
    return _derived(Extracted(segments, kind or "text", None, rebuild), limits)


# -- documents and archives -----------------------------------------------------------------


def _documents(
    data: bytes, kind: str, limits: Limits
) -> tuple[list[tuple[str, bytes]], str | None]:
    """Text of a document or archive, and why it is unscannable if it is (bomb, encrypted)."""
    budget = Budget(limits)
    try:
        pieces = extract_document(data, kind, budget)
    except Encrypted as e:
        return [], e.reason
    except (LimitExceeded, DecodeError) as e:
        from ._decode import unscannable_reason

        return [], unscannable_reason(e)
    reason = f"unsupported_file:{budget.unsupported[0]}" if budget.unsupported else None
    return pieces, reason


# -- what hides text: base64 and hex blobs, HTML entities, percent-encoding ------------------

_B64 = re.compile(rb"[A-Za-z0-9+/_-]{24,}={0,2}")
_HEX = re.compile(rb"[0-9A-Fa-f]{24,}")  # a maximal run (greedy); odd lengths are skipped
_ENTITY = re.compile(rb"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_PCT = re.compile(rb"%[0-9A-Fa-f]{2}")
_B64_ALT = bytes.maketrans(b"-_", b"+/")


def _printable(data: bytes) -> bool:
    """Decoded blobs count as text only when they read as text (random bytes do not)."""
    if len(data) < 8:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    good = sum(1 for c in text if c.isprintable() or c in "\t\r\n")
    return good >= 0.95 * len(text)


def _blobs(data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    """Texts (and documents' texts) hidden in base64 or hex runs of one segment."""
    out: list[tuple[str, bytes]] = []
    for kind, pattern in (("base64", _B64), ("hex", _HEX)):
        for token in pattern.findall(data):  # (no groups: whole matches, as finditer's)
            try:
                if kind == "hex":
                    if len(token) % 2:
                        continue
                    raw = bytes.fromhex(token.decode("ascii"))
                else:
                    token = token.rstrip(b"=").translate(_B64_ALT)
                    # base64.b64decode(..., validate=True) without its Python frame
                    raw = binascii.a2b_base64(token + b"=" * (-len(token) % 4), strict_mode=True)
            except (ValueError, binascii.Error):
                continue
            small = raw.startswith(_SMALL_DOCUMENTS)
            found = sniff_file_type(raw[:8192]) if len(raw) > 64 or small else None
            if found in EXTRACTABLE:
                pieces, _ = _documents(raw, found, limits)
                if pieces or not small:
                    out += [(f"{kind}!{inner}", text) for inner, text in pieces]
                    continue
            if _printable(raw):
                out.append((kind, raw))
    return out


_SMALL_DOCUMENTS = (b"\x1f\x8b\x08", b"BZh", b"\xfd7zXZ\x00")
"""Magic bytes of gzip, bzip2 and xz streams, which can be shorter than 64 bytes (gzip of a
short secret: ~40); a text that merely starts like one is still read as text."""


def _layers(seg: Segment | PendingSegment, limits: Limits) -> list[Segment]:
    data = seg.data
    out: list[Segment] = []
    if b"&" in data and _ENTITY.search(data):
        text = html.unescape(_text(data))
        if text != _text(data):
            out.append(Segment(f"{seg.location}/html", _utf8(text)))
    if b"%" in data and len(_PCT.findall(data, 0, 1 << 20)) >= 2:
        decoded = urllib.parse.unquote_to_bytes(data)
        if decoded != data:
            out.append(Segment(f"{seg.location}/url", decoded))
    if len(data) >= 24 and _B64.search(data):  # every hex run is a base64-alphabet run too
        for kind, raw in _blobs(data, limits):
            out.append(Segment(f"{seg.location}/{kind}", raw))
    return out


# Which segments can give _layers anything: a candidate filter run by Hyperscan over all
# segments at once. Each pattern is a *necessary* condition for one way _layers finds
# something; a segment that matches none of them gets nothing from _layers, so skipping it
# changes no result (and random ids, hashes and uuids, the bulk of base64/hex-looking runs
# in API traffic, almost never match).
#
# _blobs keeps a decoded run when it is a document (more than 64 bytes, sniffed) or when
# _printable accepts it, which needs the whole of it to be valid UTF-8. Valid UTF-8 is a
# sequence of whole characters: a start byte (ASCII 00-7F, or a lead C0-DF, E0-EF, F0-F7
# announcing 1, 2 or 3 continuation bytes 80-BF), then its continuations; F8-FF never
# occur. _HEX and _B64 find maximal runs (``=`` ends a base64 run) and decode each from its
# first character in groups: three bytes from six hex or four base64 characters. Where a
# group starts, the end of a character begun in the group before may be pending: as many
# continuation bytes lead the group as are pending (a start byte ends them), so a group of
# a valid text reads as continuations, then whole characters, the last maybe unfinished;
# the first group has nothing pending. The patterns ask that of every whole group of a run
# (by each byte's top five bits, so overlong forms and surrogates pass too) and let the
# 1-5 trailing characters through: a superset of the runs that decode to valid UTF-8.
# Groups are not checked against each other (Hyperscan runs that chained check several
# times slower); a random 32-hex uuid still passes with odds about 0.6% (hex) and 2e-6
# (base64).
# - hex: runs of 24 or more (four whole groups) of even length (_blobs skips odd ones).
# - base64: runs of 24 or more (six whole groups). A group's bytes are fixed by bit fields
#   of its characters (the first byte by character 0, the second by the low 4 bits of
#   character 1 and the top bit of character 2, the third by the low 2 bits of character
#   2 and character 3), so its groups form a small union of products of character
#   classes, built below.
# - documents: every base64 run long enough to decode to more than 64 bytes (87
#   characters; a hex run that long, 130, lies in a base64 run at least as long), and
#   shorter runs that begin with the magic bytes of a small compressed stream.
# - HTML entities and percent-encoding: as _ENTITY and _PCT search.
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_RUN = "[A-Za-z0-9+/_-]"
_NOT_B64 = "(?:[^A-Za-z0-9+/_-]|$)"
_ASCII, _LEAD2, _LEAD3, _LEAD4, _CONT, _NEVER = range(6)
"""UTF-8 byte classes; a start class's value is the continuation bytes it announces."""


def _utf8_class(byte: int) -> int:
    if byte < 0x80:
        return _ASCII
    if byte < 0xC0:
        return _CONT
    return _LEAD2 if byte < 0xE0 else _LEAD3 if byte < 0xF0 else _LEAD4 if byte < 0xF8 else _NEVER


def _reads_as_utf8(classes: tuple[int, ...], first: bool) -> bool:
    """Whether bytes of these classes can sit at a group's place in valid UTF-8."""
    pending = 0
    while pending < len(classes) and classes[pending] == _CONT:
        pending += 1  # the end of a character begun in an earlier group
    if first and pending:
        return False
    need = 0
    for k in classes[pending:]:
        if need:
            if k != _CONT:
                return False
            need -= 1
        elif k >= _CONT:
            return False
        else:
            need = k
    return True


def _class_regex(values: frozenset[int]) -> str:
    chars = sorted({*(chr(_B64_ALPHABET[v]) for v in values),
                    *("-" for v in values if v == 62), *("_" for v in values if v == 63)})
    parts = []
    for _, run in itertools.groupby(enumerate(chars), key=lambda p: ord(p[1]) - p[0]):
        got = [c for _, c in run]
        parts.append(f"{got[0]}-{got[-1]}" if len(got) > 2 else re.escape("".join(got)))
    return "[" + "".join(parts) + "]"


def _b64_group_regex(first: bool) -> str:
    """Four base64 characters whose three bytes :func:`_reads_as_utf8` accepts."""
    cubes: set[tuple[frozenset[int], ...]] = set()
    for hi, lo in itertools.product(range(2), range(4)):  # character 2's shared bits
        c2 = frozenset(c for c in range(64) if c >> 5 == hi and c & 3 == lo)
        for ks in itertools.product(range(6), repeat=3):
            if not _reads_as_utf8(ks, first):
                continue
            c0 = frozenset(c for c in range(64) if _utf8_class(c << 2) == ks[0])
            c1 = frozenset(c for c in range(64) if _utf8_class((c & 15) << 4 | hi << 3) == ks[1])
            c3 = frozenset(c for c in range(64) if _utf8_class(lo << 6 | c) == ks[2])
            if c0 and c1 and c3:
                cubes.add((c0, c1, c2, c3))
    size = 0
    while size != len(cubes):  # products differing in one position merge (a smaller regex)
        size = len(cubes)
        for i in range(4):
            rest: dict[tuple[frozenset[int], ...], frozenset[int]] = {}
            for c in cubes:
                key = c[:i] + c[i + 1 :]
                rest[key] = rest.get(key, frozenset()) | c[i]
            cubes = {(*k[:i], v, *k[i:]) for k, v in rest.items()}
    return "(?:" + "|".join(sorted("".join(map(_class_regex, c)) for c in cubes)) + ")"


_HEX_BYTE = {_ASCII: "[0-7][0-9A-Fa-f]", _CONT: "[89ABab][0-9A-Fa-f]",
             _LEAD2: "[C-Dc-d][0-9A-Fa-f]", _LEAD3: "[Ee][0-9A-Fa-f]", _LEAD4: "[Ff][0-7]"}
"""Hex pairs of each UTF-8 byte class (F8-FF: none)."""


def _hex_group_regex(first: bool) -> str:
    """Six hex characters whose three bytes :func:`_reads_as_utf8` accepts."""
    return "(?:" + "|".join("".join(map(_HEX_BYTE.__getitem__, ks))
                            for ks in itertools.product(_HEX_BYTE, repeat=3)
                            if _reads_as_utf8(ks, first)) + ")"


def _candidate_patterns() -> list[bytes]:
    """The candidate filter's strict patterns, described above (entities and
    percent-escapes need no second look: :data:`_RUN_PATTERNS` finds them)."""
    b64_text = (f"(?:^|[^A-Za-z0-9+/_-]){_b64_group_regex(True)}{_b64_group_regex(False)}{{5,}}"
                f"{_B64_RUN}{{0,3}}{_NOT_B64}")
    hex_text = (f"(?:^|[^0-9A-Fa-f]){_hex_group_regex(True)}{_hex_group_regex(False)}{{3,}}"
                f"(?:[0-9A-Fa-f]{{2}}){{0,2}}(?:[^0-9A-Fa-f]|$)")
    # short compressed streams (see _SMALL_DOCUMENTS): gzip, bzip2, xz in base64 and hex
    b64_small = f"(?:^|[^A-Za-z0-9+/_-])(?:H4sI|Qlpo|[/_]Td6WFo){_B64_RUN}{{20}}"
    hex_small = ("(?:^|[^0-9A-Fa-f])(?:1[Ff]8[Bb]08|425[Aa]68|[Ff][Dd]377[Aa]585[Aa]00)"
                 "[0-9A-Fa-f]{18}")
    return [b64_text.encode(), f"{_B64_RUN}{{87}}{_NOT_B64}".encode(), hex_text.encode(),
            b64_small.encode(), hex_small.encode()]


_candidate_db: list[hyperscan.Database] = []
_candidate_lock = threading.Lock()


def prepare_extraction() -> None:
    """Compile the candidate database now (at scanner build) rather than on the first body."""
    _candidates(b"\0", [0])


def _candidates(joined: bytes, starts: list[int]) -> set[int]:
    """Indices of the segments (starting at ``starts`` in ``joined``) holding a candidate.

    Hyperscan, in two passes (a Python regex pass per pattern costs as much as the DLP
    scan): a cheap one finds entities, percent-escapes and any run of 24 base64 characters;
    the strict patterns (:func:`_candidate_patterns`: can the run decode to text or hold a
    document?) then run over the segments with such a run only. Prose has none, so it pays
    for the cheap pass alone (the strict patterns cost 3x as much per byte).
    """
    wanted: set[int] = set()
    if not joined:
        return wanted
    with _candidate_lock:
        if not _candidate_db:
            for patterns in (_RUN_PATTERNS, _candidate_patterns()):
                db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
                db.compile(expressions=patterns, ids=list(range(len(patterns))),
                           elements=len(patterns), flags=[0] * len(patterns))
                _candidate_db.append(db)
        cheap, strict = _candidate_db
        last = len(starts) - 1
        runs: set[int] = set()

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> bool:
            seg = bisect.bisect_right(starts, end - 1) - 1
            if pattern == 0:
                if seg not in wanted:
                    runs.add(seg)
            else:
                wanted.add(seg)
                runs.discard(seg)
            return len(wanted) > last  # every segment is wanted already: stop

        with contextlib.suppress(hyperscan.ScanTerminated):
            cheap.scan(joined, match_event_handler=on_match)
        if not runs:
            return wanted
        order = sorted(runs)
        ends = [*starts[1:], len(joined) + 1]
        sub = b"\0".join(joined[starts[i] : ends[i] - 1] for i in order)
        sub_starts = list(itertools.accumulate(
            (ends[i] - starts[i] for i in order[:-1]), initial=0))

        def on_strict(pattern: int, start: int, end: int, flags: int, context: object) -> bool:
            wanted.add(order[bisect.bisect_right(sub_starts, end - 1) - 1])
            return False

        strict.scan(sub, match_event_handler=on_strict)
    return wanted


_RUN_PATTERNS = [f"{_B64_RUN}{{24}}{_NOT_B64}".encode(), _ENTITY.pattern, _PCT.pattern]
"""The cheap pass: a run of 24 base64 characters (reported once, where the run ends), then
the entity and percent-escape patterns, which need no second look."""


def _derived(ex: Extracted, limits: Limits) -> Extracted:
    """Add decoded layers of every segment, nested up to ``max_archive_depth`` layers."""
    budget = limits.max_decoded_bytes
    # one pass of each candidate search over all segments at once (many JSON strings are
    # tiny: per-segment searches would cost more than the scan itself)
    fast = ex.fast
    queue: list[tuple[Segment | PendingSegment, int]]
    if fast is not None:
        wanted = _candidates(fast.joined, fast.starts)
        queue = [(PendingSegment(fast, i), 0) for i in sorted(wanted)]
    else:
        joined = b"\0".join(seg.data for seg in ex.segments)
        starts, pos = [], 0
        for one in ex.segments:
            starts.append(pos)
            pos += len(one.data) + 1
        wanted = _candidates(joined, starts)
        queue = [(ex.segments[i], 0) for i in sorted(wanted)]
    extra: list[Segment] = []
    while queue:
        seg, depth = queue.pop()
        if depth >= limits.max_archive_depth:
            continue
        for new in _layers(seg, limits):
            budget -= len(new.data)
            if budget < 0 or len(extra) >= limits.max_parts:
                ex.unscannable = ex.unscannable or "limit_exceeded:decoded_size"
                if fast is not None:
                    fast.extra += extra
                else:
                    ex.segments += extra
                return ex
            extra.append(new)
            queue.append((new, depth + 1))
    if fast is not None:
        fast.extra += extra
    else:
        ex.segments += extra
    return ex

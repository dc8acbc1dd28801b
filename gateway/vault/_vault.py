"""The vault: versioned data keys in the store, tokens out, original values back.

Store layout (namespaced by the store itself)::

    vault:current          the data key version new tokens use (ASCII integer)
    vault:key:<v>          {"v", "wrapped", "provider", "created", "state", "retired"}
                           version 0 is the index key (never used for tokens, never retired)
    vault:tok:<hmac>       one entry per issued token, keyed by HMAC(index key, token):
                           FF1 tokens: how to decrypt (version, tenant, alphabet, salt, ...)
                           vault tokens: the original, AES-256-GCM, fresh nonce, version

A token in a response is recognised by its shape (letters and digits, in groups joined by
single separators) and then by the keyed index: a look-alike the vault did not issue has no
entry and is left alone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.errors import KeyProviderError, KeyRetired, NotTokenizable, StoreError, VaultError
from gateway.state import Store

from ._ff1 import FF1, MIN_DOMAIN
from ._keys import KeyProvider
from ._shape import (
    ALPHABETS,
    DIGITS,
    INVALID_RESIDUE,
    Layout,
    Luhn,
    Preserve,
    alphabet_code,
    class_alphabet,
    fix_luhn,
    is_alnum,
    layout,
    luhn_valid,
)

__all__ = ["Detokenized", "Issued", "KeyVersion", "TokenSpec", "Vault"]

logger = logging.getLogger("casb")

_CURRENT = "vault:current"
_KEY = "vault:key:"
_TOK = "vault:tok:"
_INDEX_VERSION = 0
_POINTER_SECONDS = 2.0
"""How long the current-version pointer is cached: ``casb vault rotate`` takes effect in a
running gateway within this time."""
_MAX_TRIES = 8
_MAX_LOOKUPS = 4000
"""Index look-ups per body on the response path; past it the rest stays tokenized."""
_MAX_GROUPS = 8
_MIN_ALNUM, _MAX_ALNUM = 6, 512
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/+]*=*")
_JOINERS = frozenset(" -.:")
_STRIP = str.maketrans("", "", " -.:")


@dataclass(frozen=True, slots=True)
class TokenSpec:
    """How to tokenize (the policy's ``tokenize:`` parameters)."""

    format: Literal["ff1", "vault"] = "ff1"
    deterministic: bool = False
    preserve: Preserve = "none"
    luhn: Luhn = "invalid"
    ttl: int | None = None


@dataclass(frozen=True, slots=True)
class Issued:
    """What the audit records of one tokenization: never the value, never the token."""

    detector: str
    format: str
    version: int
    reused: bool = False
    """The value was already one of our tokens and was left as it is."""


@dataclass(frozen=True, slots=True)
class Detokenized:
    detector: str
    format: str
    version: int
    token_hmac: str


@dataclass(frozen=True, slots=True)
class KeyVersion:
    version: int
    state: str
    provider: str
    created: str
    retired: str | None
    current: bool


@dataclass
class _DataKey:
    version: int
    key: bytes
    loaded: float
    _ff1: dict[str, FF1] = field(default_factory=dict)

    def derive(self, label: str) -> bytes:
        return hmac.new(self.key, label.encode(), hashlib.sha256).digest()

    def ff1(self, tenant: str) -> FF1:
        f = self._ff1.get(tenant)
        if f is None:
            if len(self._ff1) > 1024:
                self._ff1.clear()
            f = self._ff1[tenant] = FF1(self.derive("ff1|" + tenant))
        return f

    def aead(self) -> AESGCM:
        return AESGCM(self.derive("aead"))


@dataclass
class DetokenizeResult:
    text: str
    done: list[Detokenized] = field(default_factory=list)
    left: Counter[str] = field(default_factory=Counter)


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _unb64(s: str) -> bytes:
    return base64.b64decode(s)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Vault:
    """Tokenize and detokenize with versioned data keys wrapped by a :class:`KeyProvider`.

    Thread-safe. Data keys are cached in memory for ``cache_seconds`` (0: unwrap on every
    use); after that the provider (the HSM) must answer again, which bounds how long a removed
    token goes unnoticed.
    """

    def __init__(self, store: Store, provider: KeyProvider, *, cache_seconds: float = 300.0,
                 owner_only: bool = True) -> None:
        self.store = store
        self.provider = provider
        self.cache_seconds = cache_seconds
        self.owner_only = owner_only
        self._keys: dict[int, _DataKey] = {}
        self._pointer: tuple[int, float] | None = None
        self._has_index = False
        self._lock = threading.Lock()

    # -- keys -----------------------------------------------------------------------------
    def _record(self, version: int) -> dict[str, Any] | None:
        raw = self.store.get(f"{_KEY}{version}")
        return None if raw is None else dict(json.loads(raw))

    def _create(self, version: int) -> bool:
        _, wrapped = self.provider.new_data_key()
        rec = {"v": version, "wrapped": _b64(wrapped), "provider": self.provider.name,
               "created": _now(), "state": "active", "retired": None}
        return self.store.set(f"{_KEY}{version}", json.dumps(rec).encode(), only_if_absent=True)

    def ensure(self) -> int:
        """Create the index key and version 1 if this store has none; the current version."""
        if self._record(_INDEX_VERSION) is None:
            self._create(_INDEX_VERSION)
        raw = self.store.get(_CURRENT)
        if raw is None:
            if self._record(1) is None:
                self._create(1)
            self.store.compare_and_set(_CURRENT, None, b"1")
            raw = self.store.get(_CURRENT) or b"1"
        return int(raw)

    def current_version(self) -> int:
        now = time.monotonic()
        with self._lock:
            if self._pointer is not None and now - self._pointer[1] < _POINTER_SECONDS:
                return self._pointer[0]
        version = self.ensure()
        with self._lock:
            self._pointer = (version, now)
        return version

    def _key(self, version: int) -> _DataKey:
        now = time.monotonic()
        with self._lock:
            dk = self._keys.get(version)
            if dk is not None and now - dk.loaded < self.cache_seconds:
                return dk
        rec = self._record(version)
        if rec is None:
            raise VaultError(f"key version {version} does not exist in {self.store.url}")
        if rec.get("state") == "retired":
            raise KeyRetired(f"key version {version} was retired on {rec.get('retired')}; "
                             "tokens issued under it can no longer be detokenized")
        plain = self.provider.unwrap(_unb64(rec["wrapped"]))
        dk = _DataKey(version, plain, now)
        with self._lock:
            if self.cache_seconds > 0:
                self._keys[version] = dk
        return dk

    def rotate(self) -> int:
        """A new data key version; new tokens use it, old tokens still detokenize."""
        current = self.ensure()
        for _ in range(_MAX_TRIES):
            versions = self._versions()
            new = max([current, *versions]) + 1
            if not self._create(new):
                continue
            if self.store.compare_and_set(_CURRENT, str(current).encode(), str(new).encode()):
                with self._lock:
                    self._pointer = None
                return new
            current = int(self.store.get(_CURRENT) or b"1")
        raise VaultError("could not rotate: the key records keep changing under us")

    def retire(self, version: int) -> None:
        """Destroy a version's wrapped key: its tokens can never be detokenized again."""
        if version == _INDEX_VERSION:
            raise VaultError("version 0 is the index key and cannot be retired")
        if version == self.ensure():
            raise VaultError(f"version {version} is the current version: rotate first")
        rec = self._record(version)
        if rec is None:
            raise VaultError(f"key version {version} does not exist")
        rec.update(state="retired", retired=_now(), wrapped="")
        self.store.set(f"{_KEY}{version}", json.dumps(rec).encode())
        with self._lock:
            self._keys.pop(version, None)

    def _versions(self) -> list[int]:
        return sorted(int(k[len(_KEY):]) for k in self.store.keys(_KEY)
                      if k[len(_KEY):].isdigit())

    def versions(self) -> list[KeyVersion]:
        current = self.ensure()
        out = []
        for v in self._versions():
            rec = self._record(v)
            if rec is None or v == _INDEX_VERSION:
                continue
            out.append(KeyVersion(v, rec["state"], rec["provider"], rec["created"],
                                  rec.get("retired"), v == current))
        return out

    def check(self) -> None:
        """Unwrap the current key now (bypassing the cache): raises if the provider fails."""
        version = self.current_version()
        rec = self._record(version)
        if rec is not None:
            self.provider.unwrap(_unb64(rec["wrapped"]))

    # -- index ------------------------------------------------------------------------------
    def _index(self, token: str) -> str:
        idx = self._key(_INDEX_VERSION).derive("index")
        norm = token.translate(_STRIP)
        return hmac.new(idx, norm.encode(), hashlib.sha256).hexdigest()[:40]

    def _owner(self, user: str | None) -> str | None:
        if user is None:
            return None
        idx = self._key(_INDEX_VERSION).derive("owner")
        return hmac.new(idx, user.encode(), hashlib.sha256).hexdigest()[:24]

    def _entry(self, token: str) -> tuple[str, dict[str, Any]] | None:
        if not self._has_index:
            if self._record(_INDEX_VERSION) is None:
                return None  # nothing was ever issued from this store
            self._has_index = True
        ref = self._index(token)
        raw = self.store.get(_TOK + ref)
        return None if raw is None else (ref, dict(json.loads(raw)))

    # -- tokenize ---------------------------------------------------------------------------
    def tokenize(self, value: str, *, detector: str, spec: TokenSpec, tenant: str,
                 owner: str | None = None) -> tuple[str, Issued]:
        """A token for ``value``. Raises VaultError (fail closed: never return the value)."""
        version = self.current_version()
        if self._entry(value) is not None:
            # Already one of our tokens (pasted back from a response): leave it.
            return value, Issued(detector, "existing", 0, reused=True)
        dk = self._key(version)
        alnum = "".join(c for c in value if is_alnum(c))
        luhn_fix = (detector == "credit_card" and spec.luhn != "any" and alnum.isdigit()
                    and luhn_valid(alnum))
        lay = layout(value, spec.preserve, luhn_fix)
        if not lay.free:
            raise NotTokenizable(f"a {detector} value has nothing left to tokenize")
        residue = INVALID_RESIDUE if spec.luhn == "invalid" else 0
        base: dict[str, Any] = {
            "d": detector, "v": version, "p": spec.preserve,
            "l": spec.luhn if luhn_fix else "any",
            "o": None if spec.deterministic or not self.owner_only else self._owner(owner),
        }
        if spec.format == "ff1":
            code, positions = _ff1_positions(value, lay)
            if len(ALPHABETS[code]) ** len(positions) >= MIN_DOMAIN:
                issued = self._tokenize_ff1(value, lay, code, positions, residue, base, dk,
                                            spec, tenant)
                if issued is not None:
                    return issued
        return self._tokenize_vault(value, lay, residue, base, dk, spec, tenant)

    def _tokenize_ff1(self, value: str, lay: Layout, code: str, positions: list[int],
                      residue: int, base: dict[str, Any], dk: _DataKey, spec: TokenSpec,
                      tenant: str) -> tuple[str, Issued] | None:
        """An FF1 token, or None when a deterministic token collides with another issuer's
        (another tenant or key version): the caller then issues a vault token."""
        ff1 = dk.ff1(tenant)
        alphabet = ALPHABETS[code]
        for _ in range(_MAX_TRIES):
            salt = b"" if spec.deterministic else secrets.token_bytes(8)
            tweak = _tweak(base["d"], lay.preserved(value), salt)
            plain = "".join(value[p] for p in positions)
            enc = ff1.encrypt_str(plain, alphabet, tweak)
            token = _place(value, positions, enc, lay, residue if lay.check is not None else None)
            entry = {**base, "f": "ff1", "t": tenant, "a": code, "s": _b64(salt)}
            if spec.deterministic:
                found = self._entry(token)
                if found is not None and any(found[1].get(k) != entry[k]
                                             for k in ("f", "d", "v", "t", "a", "s", "p", "l")):
                    return None
            if self._put(token, entry, spec, overwrite=spec.deterministic):
                return token, Issued(base["d"], "ff1", dk.version)
        raise VaultError("could not issue a unique FF1 token")

    def _tokenize_vault(self, value: str, lay: Layout, residue: int, base: dict[str, Any],
                        dk: _DataKey, spec: TokenSpec, tenant: str) -> tuple[str, Issued]:
        aead = dk.aead()
        seed = dk.derive("det|" + tenant) if spec.deterministic else None
        for attempt in range(_MAX_TRIES):
            stream = _Stream(seed, value, attempt)
            positions = [lay.alnum[i] for i in lay.free]
            new = "".join(stream.choice(class_alphabet(value[p])) for p in positions)
            token = _place(value, positions, new, lay,
                           residue if lay.check is not None else None)
            if token.translate(_STRIP) == value.translate(_STRIP):
                continue
            ref = self._index(token)
            if spec.deterministic:
                existing = self._decrypt_entry(ref, self.store.get(_TOK + ref))
                if existing is not None and not hmac.compare_digest(existing, value):
                    continue  # a different value owns this token: next candidate
            nonce = os.urandom(12)
            ct = aead.encrypt(nonce, value.encode(), _aad(ref, dk.version))
            entry = {**base, "f": "vault", "n": _b64(nonce), "x": _b64(ct)}
            if self._put(token, entry, spec, overwrite=spec.deterministic):
                return token, Issued(base["d"], "vault", dk.version)
        raise VaultError("could not issue a unique vault token (is the value space too small?)")

    def _decrypt_entry(self, ref: str, raw: bytes | None) -> str | None:
        if raw is None:
            return None
        entry = json.loads(raw)
        if entry.get("f") != "vault":
            return None
        dk = self._key(int(entry["v"]))
        try:
            plain: bytes = dk.aead().decrypt(_unb64(entry["n"]), _unb64(entry["x"]),
                                             _aad(ref, dk.version))
        except InvalidTag as e:
            raise VaultError("a vault entry failed its integrity check") from e
        return plain.decode()

    def _put(self, token: str, entry: dict[str, Any], spec: TokenSpec, *,
             overwrite: bool) -> bool:
        data = json.dumps(entry, separators=(",", ":")).encode()
        return self.store.set(_TOK + self._index(token), data, ttl=spec.ttl,
                              only_if_absent=not overwrite)

    # -- detokenize -------------------------------------------------------------------------
    def detokenize(self, token: str, *, user: str | None = None,
                   check_owner: bool = True) -> tuple[str, Detokenized]:
        """The original of one token the vault issued. Raises VaultError if it cannot."""
        found = self._entry(token)
        if found is None:
            raise _NotIssued("not a token this vault issued (or it expired)")
        ref, entry = found
        if check_owner and entry.get("o") is not None:
            mine = self._owner(user)
            if mine is None or not hmac.compare_digest(mine, entry["o"]):
                raise _NotOwner("the token was issued to another user")
        return self._original(token, ref, entry), Detokenized(
            entry["d"], entry["f"], int(entry["v"]), ref)

    def _original(self, token: str, ref: str, entry: dict[str, Any]) -> str:
        dk = self._key(int(entry["v"]))
        luhn_fix = entry["l"] != "any"
        lay = layout(token, entry["p"], luhn_fix)
        if entry["f"] == "vault":
            original = self._decrypt_entry(ref, json.dumps(entry).encode())
            assert original is not None
            return _relayout(token, original)
        _, positions = _ff1_positions(token, lay, code=entry["a"])
        tweak = _tweak(entry["d"], lay.preserved(token), _unb64(entry["s"]))
        enc = "".join(token[p] for p in positions)
        plain = dk.ff1(entry["t"]).decrypt_str(enc, ALPHABETS[entry["a"]], tweak)
        return _place(token, positions, plain, lay, 0 if luhn_fix else None)

    def detokenize_text(self, text: str, *, user: str | None) -> DetokenizeResult:
        """Replace every token the vault issued in ``text`` by its original.

        Never raises for a token it cannot resolve: it stays in place and is counted in
        ``left`` by reason (key_unavailable, key_retired, not_owner, store_error, ...).
        """
        result = DetokenizeResult(text)
        groups = [m for m in _GROUP.finditer(text) if _tokenish(m.group())]
        if not groups:
            return result
        out: list[str] = []
        pos = 0
        lookups = 0
        runs = _runs(text, groups)
        for run in runs:
            i = 0
            while i < len(run):
                hit = False
                for j in range(min(len(run), i + _MAX_GROUPS) - 1, i - 1, -1):
                    start, end = run[i].start(), run[j].end()
                    span = text[start:end]
                    n = sum(1 for c in span if is_alnum(c))
                    if not _MIN_ALNUM <= n <= _MAX_ALNUM:
                        continue
                    if lookups >= _MAX_LOOKUPS:
                        result.left["lookup_budget"] += 1
                        break
                    lookups += 1
                    try:
                        original, info = self.detokenize(span, user=user,
                                                         check_owner=self.owner_only)
                    except _NotIssued:
                        continue
                    except _NotOwner:
                        result.left["not_owner"] += 1
                        hit = True
                    except VaultError as e:
                        result.left[e.reason] += 1
                        logger.warning("casb: a token was left in place: %s", e)
                        hit = True
                    except StoreError as e:
                        result.left["store_error"] += 1
                        logger.warning("casb: a token was left in place: %s", type(e).__name__)
                        hit = True
                    else:
                        out.append(text[pos:start])
                        out.append(original)
                        pos = end
                        result.done.append(info)
                        hit = True
                    if hit:
                        i = j + 1
                        break
                if not hit:
                    i += 1
        if result.done:
            out.append(text[pos:])
            result.text = "".join(out)
        return result


class _NotOwner(VaultError):
    reason = "not_owner"


class _NotIssued(VaultError):
    reason = "not_issued"


class _Stream:
    """Random characters: from the OS, or (deterministic tokens) from HMAC in counter mode."""

    def __init__(self, seed: bytes | None, value: str, attempt: int) -> None:
        self._seed = seed
        self._msg = value.encode() + b"\x00" + attempt.to_bytes(4, "big")
        self._buf = b""
        self._block = 0

    def _bytes(self, n: int) -> bytes:
        if self._seed is None:
            return secrets.token_bytes(n)
        while len(self._buf) < n:
            self._buf += hmac.new(self._seed, self._msg + self._block.to_bytes(4, "big"),
                                  hashlib.sha256).digest()
            self._block += 1
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def choice(self, alphabet: str) -> str:
        return alphabet[int.from_bytes(self._bytes(8), "big") % len(alphabet)]


def _tweak(detector: str, preserved: str, salt: bytes) -> bytes:
    return b"casb1|" + detector.encode() + b"|" + preserved.encode() + b"|" + salt


def _aad(ref: str, version: int) -> bytes:
    return f"casb-vault|{version}|{ref}".encode()


def _ff1_positions(text: str, lay: Layout, code: str | None = None) -> tuple[str, list[int]]:
    """The alphabet and string indexes FF1 encrypts.

    Mostly-digit identifiers (IBAN, national numbers) keep their few letters and encrypt the
    digits; anything else (secrets) is encrypted over all its letters and digits.
    """
    free = [lay.alnum[i] for i in lay.free]
    digits = [p for p in free if text[p] in DIGITS]
    if code is None:
        letters = len(free) - len(digits)
        if len(digits) >= 6 and letters * 3 <= len(free):
            return "d", digits
        return alphabet_code("".join(text[p] for p in free)), free
    return code, (digits if code == "d" else free)


def _place(text: str, positions: list[int], chars: str, lay: Layout,
           residue: int | None) -> str:
    out = list(text)
    for p, c in zip(positions, chars, strict=True):
        out[p] = c
    if residue is not None and lay.check is not None:
        digits = [out[p] for p in lay.alnum]
        fix_luhn(digits, lay.check, residue)
        out[lay.alnum[lay.check]] = digits[lay.check]
    return "".join(out)


def _relayout(candidate: str, original: str) -> str:
    """The original's letters and digits in the candidate's layout (when they line up)."""
    orig_alnum = [c for c in original if is_alnum(c)]
    slots = [i for i, c in enumerate(candidate) if is_alnum(c)]
    if len(slots) != len(orig_alnum):
        return original
    out = list(candidate)
    for i, c in zip(slots, orig_alnum, strict=True):
        out[i] = c
    return "".join(out)


def _tokenish(group: str) -> bool:
    return len(group) >= 16 or any(c in DIGITS for c in group)


def _runs(text: str, groups: list[re.Match[str]]) -> list[list[re.Match[str]]]:
    """Consecutive token-like groups joined by exactly one separator character."""
    runs: list[list[re.Match[str]]] = []
    for g in groups:
        if runs:
            prev = runs[-1][-1]
            gap = text[prev.end():g.start()]
            if len(gap) == 1 and gap in _JOINERS:
                runs[-1].append(g)
                continue
        runs.append([g])
    return runs


def transform_fn(vault: Vault, user: str | None,
                 sink: DetokenizeResult) -> Callable[[str], str]:
    """A ``Scanner.transform`` callback that detokenizes and collects what it did."""

    def fn(text: str) -> str:
        r = vault.detokenize_text(text, user=user)
        sink.done.extend(r.done)
        sink.left.update(r.left)
        return r.text

    return fn


def check_provider(provider: KeyProvider) -> None:
    """Make a data key and unwrap it again: the provider works end to end."""
    dk, wrapped = provider.new_data_key()
    if not hmac.compare_digest(provider.unwrap(wrapped), dk):
        raise KeyProviderError(f"{provider.name}: a data key did not survive wrap and unwrap")

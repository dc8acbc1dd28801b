"""Compiled Hyperscan databases, cached in process and on disk.

Compiling the detector table takes seconds; loading a serialized database takes
milliseconds. A database is keyed by a hash of everything that shapes it (expressions,
flags, ids, mode, the Hyperscan version and the CPU it was built for), kept in process
for reloads and written to ``$CASB_HS_CACHE`` (default ``$XDG_CACHE_HOME/casb-gateway``
or ``~/.cache/casb-gateway``) so a restart with unchanged detectors skips compilation.
Writes are atomic (temporary file + rename); a file that does not load is ignored,
rebuilt and overwritten. A cache directory that cannot be written only costs speed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import hyperscan

__all__ = ["cache_dir", "compile_cached"]

_FORMAT = b"casb-hsdb-1"
_MEMORY: dict[str, bytes] = {}
_MEMORY_MAX = 8  # serialized databases are MBs each: a few detector tables
_LOCK = threading.Lock()


def cache_dir() -> Path | None:
    """Where serialized databases live; ``CASB_HS_CACHE=""`` turns the disk cache off."""
    env = os.environ.get("CASB_HS_CACHE")
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "casb-gateway"


def _key(expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int],
         mode: int) -> str:
    h = hashlib.sha256(_FORMAT)
    for part in (str(getattr(hyperscan, "__version__", "?")), platform.machine(), str(mode)):
        h.update(part.encode() + b"\0")
    for expr, i, f in zip(expressions, ids, flags, strict=True):
        h.update(f"{i}:{f}:{len(expr)}:".encode() + expr + b"\0")
    return h.hexdigest()


def _load(data: bytes, mode: int) -> hyperscan.Database | None:
    try:
        db = hyperscan.loadb(data, mode)
        db.scratch = hyperscan.Scratch(db)  # loadb leaves the scratch unallocated
    except (hyperscan.error, TypeError, ValueError):
        return None
    return db


def _read(path: Path) -> bytes | None:
    """The payload of a cache file, or None when it is missing, truncated or altered."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(_FORMAT) + 32
    if raw[: len(_FORMAT)] != _FORMAT:
        return None
    if hashlib.sha256(raw[head:]).digest() != raw[len(_FORMAT) : head]:
        return None
    return raw[head:]


def _write(directory: Path, name: str, data: bytes) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_FORMAT + hashlib.sha256(data).digest() + data)
            os.replace(tmp, directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # read-only home, full disk: compiling again next time is the only cost


def compile_cached(
    expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int], mode: int
) -> hyperscan.Database:
    """``Database(mode).compile(...)``, or the same database loaded from a cache.

    Raises ``hyperscan.error`` as compiling does (failures are never cached).
    """
    key = _key(expressions, ids, flags, mode)
    name = f"{key}.hsdb"
    with _LOCK:
        data = _MEMORY.get(key)
    if data is not None and (db := _load(data, mode)) is not None:
        return db
    directory = cache_dir()
    data = None if directory is None else _read(directory / name)
    if data is not None and (db := _load(data, mode)) is not None:
        _remember(key, data)
        return db
    db = hyperscan.Database(mode=mode)
    db.compile(expressions=list(expressions), ids=list(ids), elements=len(expressions),
               flags=list(flags))
    data = hyperscan.dumpb(db)
    _remember(key, data)
    if directory is not None:
        _write(directory, name, data)
    return db


def _remember(key: str, data: bytes) -> None:
    with _LOCK:
        _MEMORY[key] = data
        while len(_MEMORY) > _MEMORY_MAX:
            _MEMORY.pop(next(iter(_MEMORY)))

"""Keep browsers on TCP: drop HTTP/3 (QUIC) offers from Alt-Svc, which we cannot inspect."""

from __future__ import annotations

import re

# Entries are comma-separated; quoted strings may hold commas. ALPN ids: h3, h3-29, h3-Q050 ...
_ENTRY = re.compile(r'(?:[^,"]|"[^"]*")+')
_H3 = re.compile(r"^\s*h3(?:-[A-Za-z0-9]+)?\s*=", re.IGNORECASE)


def strip_h3(value: str) -> tuple[str | None, int]:
    """Return (header value without h3 entries or None if nothing is left, entries removed)."""
    entries = [e.strip() for e in _ENTRY.findall(value) if e.strip()]
    kept = [e for e in entries if not _H3.match(e)]
    removed = len(entries) - len(kept)
    if not kept:
        return None, removed
    return ", ".join(kept), removed

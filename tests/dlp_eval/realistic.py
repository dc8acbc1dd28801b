"""Build the hand-written realistic evaluation set: ``python -m tests.dlp_eval.realistic``.

Unlike ``eval.jsonl`` (templates filled by :mod:`tests.dlp_eval.generate`), these texts are
written by hand to look like real traffic: e-mails, tickets, chat, AI prompts, HR, medical and
finance snippets in several languages, configuration files, code, logs, CSV and JSON, and
look-alikes that must not be reported. Identifier values are published test data (payment
processors' test cards, Wikipedia/python-stdnum example IBANs and numbers) or values made
valid with python-stdnum; none belongs to a real person. Parts g-m were written by authors
who had not run the scanner or read the detector table (a stand-in for the held-out set).

In the sources (``realistic_texts_*.py``) ``⟦detector|value⟧`` marks a labelled span; this
module strips the markers and writes ``realistic.jsonl`` in ``eval.jsonl``'s format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.dlp_eval import (
    realistic_texts_a,
    realistic_texts_b,
    realistic_texts_c,
    realistic_texts_d,
    realistic_texts_e,
    realistic_texts_f,
    realistic_texts_g,
    realistic_texts_h,
    realistic_texts_i,
    realistic_texts_j,
    realistic_texts_k,
    realistic_texts_l,
    realistic_texts_m,
)

OUT = Path(__file__).with_name("realistic.jsonl")
_OPEN = re.compile(r"⟦([a-z0-9_]+)\|")


def parse(marked: str) -> tuple[str, list[dict[str, Any]]]:
    """The text without markers and the labelled spans (Python string offsets); markers nest
    (an IP address inside a database URL is labelled for both detectors)."""
    out: list[str] = []
    spans: list[dict[str, Any]] = []
    stack: list[tuple[str, int]] = []
    n = i = 0
    while i < len(marked):
        m = _OPEN.match(marked, i)
        if m:
            stack.append((m.group(1), n))
            i = m.end()
        elif marked[i] == "⟧":
            if not stack:
                raise ValueError(f"unbalanced marker in {marked[:60]!r}")
            det, start = stack.pop()
            spans.append({"detector": det, "start": start, "end": n})
            i += 1
        else:
            if marked[i] == "⟦":
                raise ValueError(f"bad marker in {marked[:60]!r}")
            out.append(marked[i])
            n += 1
            i += 1
    if stack:
        raise ValueError(f"unbalanced marker in {marked[:60]!r}")
    spans.sort(key=lambda s: (s["start"], s["end"], s["detector"]))
    return "".join(out), spans


def build() -> list[dict[str, Any]]:
    records = []
    parts = (realistic_texts_a.TEXTS, realistic_texts_b.TEXTS, realistic_texts_c.TEXTS,
             realistic_texts_d.TEXTS, realistic_texts_e.TEXTS, realistic_texts_f.TEXTS,
             realistic_texts_g.TEXTS, realistic_texts_h.TEXTS, realistic_texts_i.TEXTS,
             realistic_texts_j.TEXTS, realistic_texts_k.TEXTS, realistic_texts_l.TEXTS,
             realistic_texts_m.TEXTS)
    for prefix, texts in zip("abcdefghijklm", parts, strict=True):
        for i, (carrier, marked) in enumerate(texts):
            text, spans = parse(marked)
            records.append({"id": f"r{prefix}{i:03d}", "carrier": carrier, "text": text,
                            "spans": spans})
    return records


def main() -> None:
    records = build()
    with OUT.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    spans = sum(len(r["spans"]) for r in records)
    print(f"wrote {OUT} ({len(records)} records, {spans} spans)")


if __name__ == "__main__":
    main()

"""DLP scanner speed: the full detector set over generated mixed text, against Python ``re``.

The corpus (seeded, so every run scans the same bytes) is bodies of about 256 KiB each:
prose, JSON API payloads, CSV exports and application logs, with a sprinkling (about 2% of
sentences) of real-shaped sensitive values (test card numbers, SSNs, e-mail addresses, keys).
Match density drives the cost: every raw match is validated in Python. Both sides do the whole
job: extraction (the same extractor), pattern matching, validation and keyword context. The
baseline compiles every detector pattern with ``re`` and runs them one after the other over
the same segments, then applies the same validation; it is slow, so it runs over the first
``baseline_mb`` of the corpus. Throughput is MB/s of body bytes on one core.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator

from stdnum import luhn
from stdnum.iso7064 import mod_97_10

from gateway.dlp import Scanner, load_detectors
from gateway.dlp._extract import extract

MB = 1024 * 1024
BODY = 256 * 1024
WORDS = [
    "the", "of", "and", "to", "in", "is", "for", "on", "that", "by", "with", "as", "at", "from",
    "this", "be", "are", "was", "it", "an", "or", "not", "account", "invoice", "customer",
    "report", "meeting", "quarterly", "revenue", "team", "project", "schedule", "update",
    "review", "please", "attached", "following", "regarding", "payment", "order", "shipping",
]
SECRETS = ("5555 5555 5555 4444", "4012888888881881", "536-22-1234", "jane.doe@example.com",
           "AKIAIOSFODNN7EXAMPLE", "GB82 WEST 1234 5698 7654 32")
_DIGITS = "0123456789"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _fresh_secret(rnd: random.Random) -> str:
    """A new valid value of one of the kinds in SECRETS (a scanner may not rely on values
    recurring: real bodies hold many different ones)."""
    kind = rnd.randrange(6)
    if kind in (0, 1):
        head = rnd.choice("45") + "".join(rnd.choice(_DIGITS) for _ in range(14))
        card = head + luhn.calc_check_digit(head)
        return " ".join(card[i : i + 4] for i in range(0, 16, 4)) if kind == 0 else card
    if kind == 2:
        area = rnd.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{rnd.randint(1, 99):02d}-{rnd.randint(1, 9999):04d}"
    if kind == 3:
        name = f"{rnd.choice(WORDS)}.{rnd.choice(WORDS)}{rnd.randrange(1000)}"
        return f"{name}@example-{rnd.randrange(100)}.com"
    if kind == 4:
        return "AKIA" + "".join(rnd.choice(_B32) for _ in range(16))
    bban = "WEST" + "".join(rnd.choice(_DIGITS) for _ in range(14))
    check = mod_97_10.calc_check_digits("".join(str(int(c, 36)) for c in bban + "GB"))
    value = "GB" + check + bban
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def _recurring_secret(rnd: random.Random) -> str:
    return rnd.choice(SECRETS)


Secret = Callable[[random.Random], str]
"""Makes the sensitive value a body carries: a new one, or one of SECRETS again."""


def _sentence(rnd: random.Random, secret: Secret) -> str:
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(6, 18))]
    if rnd.random() < 0.02:
        words.insert(rnd.randrange(len(words)), secret(rnd))
    return " ".join(words).capitalize() + "."


def _prose(rnd: random.Random, secret: Secret) -> tuple[bytes, str]:
    out: list[str] = []
    size = 0
    while size < BODY:
        p = " ".join(_sentence(rnd, secret) for _ in range(rnd.randint(3, 8)))
        out.append(p)
        size += len(p) + 2
    return "\n\n".join(out).encode(), "text/plain; charset=utf-8"


def _json(rnd: random.Random, secret: Secret) -> tuple[bytes, str]:
    items = []
    size = 0
    while size < BODY:
        item = {
            "id": rnd.randrange(10**9),
            "uuid": f"{rnd.getrandbits(128):032x}",
            "name": " ".join(rnd.choice(WORDS) for _ in range(3)),
            "status": rnd.choice(("open", "paid", "late")),
            "amount": round(rnd.random() * 1000, 2),
            "created_at": 1700000000 + rnd.randrange(10**7),
            "tags": [rnd.choice(WORDS) for _ in range(3)],
            "note": _sentence(rnd, secret),
        }
        items.append(item)
        size += 260
    return json.dumps({"items": items, "next": None}).encode(), "application/json"


def _csv(rnd: random.Random, secret: Secret) -> tuple[bytes, str]:
    rows = ["id,name,city,amount,date,ref"]
    size = 0
    while size < BODY:
        row = (f"{rnd.randrange(10**6)},{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()},"
               f"{rnd.choice(WORDS)},{rnd.random() * 1000:.2f},2024-{rnd.randint(1, 12):02d}-"
               f"{rnd.randint(1, 28):02d},{secret(rnd) if rnd.random() < 0.01 else ''}")
        rows.append(row)
        size += len(row) + 1
    return "\n".join(rows).encode(), "text/csv"


def _logs(rnd: random.Random, secret: Secret) -> tuple[bytes, str]:
    lines = []
    size = 0
    while size < BODY:
        line = (f"2024-05-{rnd.randint(1, 28):02d}T{rnd.randint(0, 23):02d}:"
                f"{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}.{rnd.randrange(1000):03d}Z "
                f"INFO [worker-{rnd.randint(1, 16)}]"
                f" req={rnd.getrandbits(64):016x} host=web-{rnd.randrange(40)}"
                f" path=/api/v1/{rnd.choice(WORDS)} status=200 "
                f"ms={rnd.randrange(500)} {_sentence(rnd, secret) if rnd.random() < 0.2 else ''}")
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines).encode(), "text/plain"


def corpus(total: int, seed: int = 7, *, distinct: bool = False) -> Iterator[tuple[bytes, str]]:
    """Bodies of prose, JSON, CSV and logs in turn; ``distinct``: every secret a new value."""
    rnd = random.Random(seed)
    makers = (_prose, _json, _csv, _logs)
    secret = _fresh_secret if distinct else _recurring_secret
    made = 0
    i = 0
    while made < total:
        body, ctype = makers[i % len(makers)](rnd, secret)
        i += 1
        made += len(body)
        yield body, ctype


KINDS = {"text/plain; charset=utf-8": "prose", "application/json": "json", "text/csv": "csv",
         "text/plain": "logs"}


class ReBaseline:
    """Every detector pattern compiled with ``re``; same extraction, same validation."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.patterns = [
            (d, p, re.compile(pat.regex.encode()))
            for d, det in enumerate(scanner.detectors) for p, pat in enumerate(det.patterns)
        ]

    def scan(self, body: bytes, ctype: str) -> int:
        ex = extract(body, ctype, self.scanner.limits)
        found = 0
        for seg in ex.segments:
            buf = seg.data
            for d, p, rx in self.patterns:
                comp = self.scanner._compiled[d]
                required = comp.detector.requires_keywords(p)
                for m in rx.finditer(buf):
                    start, end = m.start(), m.end()
                    if comp.value_chars is not None:
                        while start < end and buf[start] not in comp.value_chars:
                            start += 1
                        while end > start and buf[end - 1] not in comp.value_chars:
                            end -= 1
                    if start < end and self.scanner._judge(comp, required, buf, start, end, 0,
                                                           len(buf)) is not None:
                        found += 1
        return found


def main(total_mb: int = 50, baseline_mb: int = 4, detectors_file: str | None = None) -> None:
    detectors = load_detectors(detectors_file)
    scanner = Scanner.build(detectors, hmac_key=b"bench-hmac-key-0123456789abcdef")
    bodies = list(corpus(total_mb * MB))
    size = sum(len(b) for b, _ in bodies)
    patterns = sum(len(d.patterns) for d in detectors)
    print(f"dlp-speed: {len(detectors)} detectors ({patterns} patterns), "
          f"{size / MB:.1f} MiB in {len(bodies)} bodies (prose, JSON, CSV, logs)")
    hs_rate = _timed(scanner, bodies, "recurring secrets")
    _timed(scanner, list(corpus(total_mb * MB, distinct=True)), "every secret new")
    base = ReBaseline(scanner)
    sample: list[tuple[bytes, str]] = []
    for b in bodies:
        if sum(len(x) for x, _ in sample) >= baseline_mb * MB:
            break
        sample.append(b)
    sample_size = sum(len(b) for b, _ in sample)
    t0 = time.perf_counter()
    for body, ctype in sample:
        base.scan(body, ctype)
    re_time = time.perf_counter() - t0
    re_rate = sample_size / MB / re_time
    print(f"  python re baseline: {re_rate:7.2f} MiB/s  ({re_time:.2f} s over the first "
          f"{sample_size / MB:.1f} MiB)")
    print(f"  speed-up: {hs_rate / re_rate:.0f}x   goals: >= 100 MiB/s, >= 50x")


def _timed(scanner: Scanner, bodies: list[tuple[bytes, str]], label: str) -> float:
    """Scan every body once; print overall and per-kind MiB/s; return the overall rate."""
    size = sum(len(b) for b, _ in bodies)
    per_kind: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    findings = 0
    for body, ctype in bodies:
        t = time.perf_counter()
        findings += len(scanner.scan_body(body, content_type=ctype, content_encoding=None)
                        .findings)
        per_kind.setdefault(KINDS[ctype], []).append(time.perf_counter() - t)
    elapsed = time.perf_counter() - t0
    rate = size / MB / elapsed
    print(f"  hyperscan scanner, {label}: {rate:6.1f} MiB/s  ({elapsed:.2f} s, "
          f"{findings} findings)")
    kinds = "  ".join(
        f"{kind} {sum(len(b) for b, c in bodies if KINDS[c] == kind) / MB / sum(times):.1f}"
        for kind, times in per_kind.items())
    print(f"    MiB/s by kind: {kinds}")
    return rate


if __name__ == "__main__":
    import sys

    main(detectors_file=sys.argv[1] if len(sys.argv) > 1 else None)

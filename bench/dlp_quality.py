"""Detection quality on the labelled evaluation set: precision, recall, F1 per detector.

Usage: ``python -m bench dlp-quality`` (part of ``make bench``) or
``python -m bench.dlp_quality [--eval FILE] [--min-confidence low|medium|high]``.

A finding counts as a true positive when a labelled span has the same detector and the same
``[start, end)`` offsets (exact match); anything else the scanner reports is a false positive,
and every labelled span it misses is a false negative. Goals (issue 3): micro F1 >= 0.95 and
no detector below 0.90 precision.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.dlp import Confidence, Scanner, load_detectors

EVAL_FILE = Path(__file__).resolve().parent.parent / "tests" / "dlp_eval" / "eval.jsonl"
REALISTIC_FILE = EVAL_FILE.with_name("realistic.jsonl")
"""The hand-written set (tests/dlp_eval/realistic.py): text the generator did not shape."""
GOAL_MICRO_F1 = 0.95
GOAL_MIN_PRECISION = 0.90


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    per_detector: dict[str, Score] = field(default_factory=dict)
    records: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str, str, int, int]] = field(default_factory=list)

    @property
    def micro(self) -> Score:
        total = Score()
        for s in self.per_detector.values():
            total.tp += s.tp
            total.fp += s.fp
            total.fn += s.fn
        return total

    def failures(self) -> list[str]:
        """Goal violations, empty when the goals are met."""
        out = []
        if self.micro.f1 < GOAL_MICRO_F1:
            out.append(f"micro F1 {self.micro.f1:.3f} < {GOAL_MICRO_F1}")
        for det, s in sorted(self.per_detector.items()):
            if s.tp + s.fp and s.precision < GOAL_MIN_PRECISION:
                out.append(f"{det}: precision {s.precision:.3f} < {GOAL_MIN_PRECISION}")
        return out


def load_records(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def evaluate(
    scanner: Scanner,
    records: Iterable[dict[str, Any]],
    min_confidence: Confidence = Confidence.LOW,
) -> Report:
    report = Report()
    for det in scanner.detectors:
        report.per_detector[det.id] = Score()
    start = time.perf_counter()
    for rec in records:
        report.records += 1
        text: str = rec["text"]
        gold = {(s["detector"], s["start"], s["end"]) for s in rec["spans"]}
        found = {
            (f.detector, a, b)
            for f, a, b in scanner.scan_spans(text)
            if f.confidence >= min_confidence
        }
        for key in gold | found:
            score = report.per_detector.setdefault(key[0], Score())
            if key in gold and key in found:
                score.tp += 1
            elif key in found:
                score.fp += 1
                report.errors.append(("FP", rec["id"], *key))
            else:
                score.fn += 1
                report.errors.append(("FN", rec["id"], *key))
    report.seconds = time.perf_counter() - start
    return report


def render(
    report: Report, records: Sequence[dict[str, Any]] | None = None, show_errors: int = 0
) -> str:
    lines = [f"{'detector':28} {'tp':>5} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6} {'f1':>6}"]
    for det, s in sorted(report.per_detector.items()):
        if s.tp + s.fp + s.fn == 0:
            continue
        lines.append(
            f"{det:28} {s.tp:5d} {s.fp:4d} {s.fn:4d} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
        )
    m = report.micro
    lines.append(
        f"{'MICRO':28} {m.tp:5d} {m.fp:4d} {m.fn:4d} {m.precision:6.3f} {m.recall:6.3f} {m.f1:6.3f}"
    )
    lines.append(
        f"{report.records} records, {m.tp + m.fn} labelled spans, {report.seconds:.2f} s scanning"
    )
    if show_errors and records is not None:
        by_id = {r["id"]: r["text"] for r in records}
        for kind, rid, det, a, b in report.errors[:show_errors]:
            text = by_id[rid]
            lines.append(
                f"  {kind} {rid} {det} {text[a:b]!r} in ...{text[max(0, a - 30) : b + 10]!r}"
            )
    failures = report.failures()
    lines.append("goals met" if not failures else "GOALS NOT MET: " + "; ".join(failures))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.dlp_quality")
    p.add_argument("--eval", type=Path, default=EVAL_FILE, help="labelled JSONL file")
    p.add_argument("--min-confidence", default="low", help="count findings at or above")
    p.add_argument("--errors", type=int, default=0, help="show this many FP/FN examples")
    args = p.parse_args(argv)
    records = load_records(args.eval)
    scanner = Scanner.build(load_detectors(), hmac_key=os.urandom(32))
    report = evaluate(scanner, records, Confidence.parse(args.min_confidence))
    print(f"DLP detection quality (exact spans), {args.eval.name}")
    print(render(report, records, args.errors))
    return 0 if not report.failures() else 1


if __name__ == "__main__":
    sys.exit(main())

"""The labelled evaluation set (tests/dlp_eval) meets the quality goals, so a regression in a
detector, a validator or the scanner fails CI. ``make bench`` prints the full table."""

from __future__ import annotations

import json

from bench.dlp_quality import evaluate, load_records
from gateway.dlp import Scanner
from tests.dlp_eval import generate

RECORDS = load_records()


def test_evaluation_set_is_large_and_covers_every_detector(scanner: Scanner) -> None:
    labelled = [s for r in RECORDS for s in r["spans"]]
    assert len(labelled) >= 3000
    assert {s["detector"] for s in labelled} == {d.id for d in scanner.detectors}
    for r in RECORDS:
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])


def test_evaluation_set_is_what_the_committed_generator_writes() -> None:
    records = generate.build(generate.DEFAULT_SEED, generate.DEFAULT_PER_DETECTOR)
    assert [json.dumps(r, ensure_ascii=False) for r in records] == [
        json.dumps(r, ensure_ascii=False) for r in RECORDS
    ]


def test_detectors_meet_the_quality_goals_on_the_evaluation_set(scanner: Scanner) -> None:
    # micro F1 >= GOAL_MICRO_F1 and no detector below GOAL_MIN_PRECISION, as the bench says
    assert evaluate(scanner, RECORDS).failures() == []

"""Audit sinks: one JSON line per event, size rotation, failures counted and never silent."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gateway.audit import AuditEvent, AuditLog, JsonlFileSink, StreamSink, summarize
from gateway.dlp import Confidence, Finding


def test_events_are_one_json_object_per_line(tmp_path: Path) -> None:
    sink = JsonlFileSink(tmp_path / "a.jsonl", max_bytes=1 << 20, backups=2)
    log = AuditLog([sink])
    for i in range(3):
        log.emit(AuditEvent(decision_id=f"d{i}", action="allow"))
    log.close()
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert [json.loads(x)["decision_id"] for x in lines] == ["d0", "d1", "d2"]


def test_the_file_rotates_by_size_and_keeps_n_backups(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    sink = JsonlFileSink(path, max_bytes=1024, backups=2)
    log = AuditLog([sink])
    for i in range(100):
        log.emit(AuditEvent(decision_id=f"d{i:03d}", action="allow"))
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["a.jsonl", "a.jsonl.1", "a.jsonl.2"]
    assert all(p.stat().st_size <= 1024 for p in tmp_path.iterdir())
    last = json.loads(path.read_text().splitlines()[-1])
    assert last["decision_id"] == "d099"


def test_a_failing_sink_is_counted_and_the_event_goes_to_stderr(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    class Broken:
        name = "file"

        def write(self, line: str) -> None:
            from gateway.errors import AuditError
            raise AuditError("disk full")

        def close(self) -> None:
            return None

    failures: list[str] = []
    out = io.StringIO()
    log = AuditLog([Broken(), StreamSink(out)], on_failure=failures.append)
    log.emit(AuditEvent(decision_id="d-lost?", action="block"))
    assert failures == ["file"]
    assert '"decision_id":"d-lost?"' in capsys.readouterr().err
    assert '"decision_id":"d-lost?"' in out.getvalue()


def test_findings_are_summarized_per_detector_without_values() -> None:
    fs = [Finding(detector="credit_card", name="Card", category="financial",
                  confidence=c, location="body", masked=f"4111********{n}", hmac=h,
                  context=False, validator="luhn")
          for c, n, h in [(Confidence.MEDIUM, "1111", "aa"), (Confidence.HIGH, "1111", "aa"),
                          (Confidence.HIGH, "0004", "bb")]]
    [s] = summarize(fs)
    assert (s.detector, s.count, s.confidence) == ("credit_card", 3, "high")
    assert s.hmac == ["aa", "bb"]
    assert s.masked == ["4111********1111", "4111********0004"]

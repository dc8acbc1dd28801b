"""``casb scan`` and ``casb detectors``, run in-process on temporary files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from gateway.cli import main

CARD = "4111 1111 1111 1111"
SSN = "536-22-1234"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_scan_finds_a_card_in_a_csv_and_fails_at_high(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "people.csv"
    f.write_text(f"name,card\nJane,{CARD}\n")
    rc, out, _ = run(capsys, "scan", str(f))
    assert rc == 1
    assert "credit_card" in out and "HIGH" in out
    assert CARD not in out and "4111 **** **** 1111" in out


def test_scan_of_clean_files_exits_zero(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("nothing to see here, version 1.2.3\n")
    rc, out, _ = run(capsys, "scan", str(tmp_path))
    assert rc == 0
    assert "1 file(s) scanned, 0 finding(s)" in out


def test_fail_on_threshold_decides_the_exit_status(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "contact.txt"
    f.write_text("reach me at jane.doe@example.com\n")  # email_address: severity low
    assert run(capsys, "scan", str(f))[0] == 0
    assert run(capsys, "scan", "--fail-on", "low", str(f))[0] == 1


def test_directories_are_walked_recursively_skipping_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.env").write_text(
        "GITHUB_TOKEN=ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(f"card {CARD}\n")
    rc, out, _ = run(capsys, "scan", "--format", "json", str(tmp_path))
    doc = json.loads(out)
    assert rc == 1
    paths = [f["path"] for f in doc["files"]]
    assert paths == [str(tmp_path / "a" / "b" / "deep.env")]
    finding = doc["files"][0]["findings"][0]
    assert finding["detector"] == "github_token"
    assert finding["severity"] == "critical"
    assert "ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62" not in out
    assert doc["summary"] == {"files": 1, "findings": 1, "fail_on": "high", "failed": True}


def test_json_files_are_scanned_through_the_body_extractor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "payload.json"
    f.write_text(json.dumps({"customer": {"ssn": SSN}}))
    rc, out, _ = run(capsys, "scan", "--format", "json", str(f))
    finding = json.loads(out)["files"][0]["findings"][0]
    assert rc == 1
    assert finding["detector"] == "us_ssn"
    assert finding["location"].startswith("json:")


def test_min_confidence_filters_findings(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "log.txt"
    f.write_text("see 10.20.30.40 later\n")  # ipv4 without context: low
    assert "ipv4_address" in run(capsys, "scan", str(f))[1]
    assert "ipv4_address" not in run(capsys, "scan", "--min-confidence", "medium", str(f))[1]


def test_a_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = tmp_path / "ok.txt"
    ok.write_text(f"card {CARD}\n")
    rc, _, err = run(capsys, "scan", str(ok), str(tmp_path / "missing"))
    assert rc == 2
    assert "missing: no such file or directory" in err


def test_paths_and_jsonl_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan")[0] == 2


def test_jsonl_reports_python_string_offsets(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    text = f"Zoë\u2019s SSN is {SSN} and card {CARD} \U0001f4b3"
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "r1", "text": text}) + "\n"
                 + json.dumps({"id": 2, "text": "nothing"}) + "\n", encoding="utf-8")
    rc, out, _ = run(capsys, "scan", "--jsonl", str(f))
    lines = [json.loads(line) for line in out.splitlines()]
    assert rc == 0
    assert lines[1] == {"id": 2, "findings": []}
    first = lines[0]
    assert first["id"] == "r1"
    spans = {(x["detector"], text[x["start"]:x["end"]]) for x in first["findings"]}
    assert ("us_ssn", SSN) in spans
    assert ("credit_card", CARD) in spans
    card = next(x for x in first["findings"] if x["detector"] == "credit_card")
    assert card["type"] == "financial"
    assert card["confidence"] in {"low", "medium", "high"}
    assert set(card) == {"detector", "type", "start", "end", "confidence"}


def test_jsonl_bad_lines_are_reported_with_their_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": 1, "text": "ok"}\nnot json\n{"id": 3}\n')
    rc, out, err = run(capsys, "scan", "--jsonl", str(f))
    assert rc == 2
    assert len(out.splitlines()) == 1
    assert ":2:" in err and ":3:" in err


def test_gzip_files_are_scanned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "dump.txt.gz"
    f.write_bytes(gzip.compress(f"ssn {SSN}\n".encode()))
    rc, out, _ = run(capsys, "scan", "--format", "json", str(f))
    assert rc in (0, 1)
    doc = json.loads(out)["files"][0]
    # the archive extractor decides; either it found the value or it says why it could not
    assert doc["findings"] or doc["unscannable"]


def test_detectors_lists_ids_categories_and_countries(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "detectors", "--json")
    rows = json.loads(out)["detectors"]
    assert rc == 0
    assert len(rows) >= 80
    by_id = {r["id"]: r for r in rows}
    assert by_id["nl_bsn"]["countries"] == ["NL"]
    assert by_id["nl_bsn"]["category"] == "pii"
    assert by_id["credit_card"]["severity"] == "high"
    rc, out, _ = run(capsys, "detectors")
    assert rc == 0 and "uk_nhs_number" in out and f"{len(rows)} detectors" in out

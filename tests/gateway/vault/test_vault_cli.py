"""casb vault: rotate, retire, status, tokenize and detokenize for operators, audited."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from gateway.cli import main

CARD = "4111 1111 1111 1111"


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for k in [k for k in __import__("os").environ if k.startswith("CASB_")]:
        monkeypatch.delenv(k)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def events(workdir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (workdir / "audit.jsonl").read_text().splitlines()]


def test_operator_tokenizes_and_detokenizes_and_both_are_audited_without_values(
        workdir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(CARD + "\n"))
    rc, out, _ = run(capsys, "vault", "tokenize", "--detector", "credit_card")
    token = out.strip()
    assert rc == 0 and re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", token) and token != CARD
    rc, out, _ = run(capsys, "vault", "detokenize", token)
    assert rc == 0 and out.strip() == CARD
    evs = events(workdir)
    assert [e["action"] for e in evs] == ["tokenize", "detokenize"]
    assert all(e["reason"] == "operator" for e in evs)
    text = (workdir / "audit.jsonl").read_text()
    assert CARD not in text and token not in text


def test_rotate_then_retire_gives_a_clear_error_for_old_tokens(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "vault", "tokenize", "--detector", "us_ssn", "123-45-6789")
    old = out.strip()
    rc, out, _ = run(capsys, "vault", "rotate")
    assert rc == 0 and "version 2 is now current" in out
    _, out, _ = run(capsys, "vault", "detokenize", old)
    assert out.strip() == "123-45-6789"
    rc, out, _ = run(capsys, "vault", "status")
    assert rc == 0 and "version 2: active (current)" in out and "version 1: active" in out
    assert run(capsys, "vault", "retire", "1")[0] == 0
    rc, _, err = run(capsys, "vault", "detokenize", old)
    assert rc == 2 and "key version 1 was retired" in err and "Traceback" not in err
    rc, _, err = run(capsys, "vault", "retire", "2")
    assert rc == 2 and "current version" in err


def test_an_unknown_token_is_one_clear_line(workdir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "vault", "status")
    rc, _, err = run(capsys, "vault", "detokenize", "9999 9999 9999 9999")
    assert rc == 2 and err.startswith("casb: not a token this vault issued")

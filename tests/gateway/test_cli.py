"""The casb command: policy check and explain, CA export; errors are one line, exit status 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography import x509

from gateway.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    for k in [k for k in __import__("os").environ if k.startswith("CASB_")]:
        monkeypatch.delenv(k)
    return tmp_path


def test_policy_check_lists_every_pack_and_passes(workdir: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "check"]) == 0
    out = capsys.readouterr().out
    assert "pack 'default'" in out and "(enabled)" in out
    assert "pack 'pci-dss'" in out and "policy OK" in out


def test_policy_check_reports_a_broken_file_with_its_line(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "policies" / "zz.yaml").write_text("name: zz\nrules:\n  - id: a\n    action: nope\n")
    assert main(["policy", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("casb: ") and "zz.yaml:4: rules[0].action" in err
    assert "Traceback" not in err


def test_explain_shows_the_rule_and_the_trace_for_a_card_upload_to_drive(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = workdir / "body.txt"
    body.write_text("card 4111 1111 1111 1111\n")
    rc = main(["policy", "explain", "--method", "POST",
               "--url", "https://www.googleapis.com/upload/drive/v3/files?uploadType=media",
               "--user", "alice", "--body-file", str(body), "--content-type", "text/plain"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "app:      google_drive" in out and "activity=upload" in out
    assert "finding credit_card" in out and "4111 1111 1111 1111" not in out
    assert "rule default/block-sensitive-uploads" in out
    assert "decision: BLOCK by default/block-sensitive-uploads" in out


def test_explain_of_a_plain_get_falls_to_the_default(
        workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "explain", "--method", "GET", "--url", "https://example.org/"]) == 0
    assert "decision: ALLOW (reason: default)" in capsys.readouterr().out


def test_ca_export_writes_pem_and_der_of_the_same_certificate(workdir: Path) -> None:
    assert main(["ca", "export", "--out", "ca.pem"]) == 0
    assert main(["ca", "export", "--format", "der", "--out", "ca.der"]) == 0
    pem = x509.load_pem_x509_certificate((workdir / "ca.pem").read_bytes())
    der = x509.load_der_x509_certificate((workdir / "ca.der").read_bytes())
    assert pem == der
    assert pem.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    key_file = workdir / "certs" / "mitmproxy-ca.pem"
    assert key_file.stat().st_mode & 0o077 == 0  # the CA key is private to its owner


def test_a_bad_config_file_is_one_clear_line(workdir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (workdir / "c.yaml").write_text("listen:\n  port: -1\n")
    assert main(["policy", "check", "--config", "c.yaml"]) == 2
    err = capsys.readouterr().err
    assert "c.yaml:2: listen.port" in err and "Traceback" not in err


def test_a_reader_that_goes_away_ends_the_listing_quietly() -> None:
    """``casb detectors | head``: the closed pipe is no error message, and exit is 141."""
    import subprocess
    import sys

    code = "import sys; from gateway.cli import main; sys.exit(main(['detectors']))"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the first line is written: every write fails
    with proc.stderr:
        err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141
    assert err == b""

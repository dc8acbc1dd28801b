"""The compiled-database cache: disk round trip, corrupt files rebuilt, same findings."""

from __future__ import annotations

from pathlib import Path

import hyperscan
import pytest

from gateway.dlp import Scanner, _hsdb, load_detectors

KEY = b"test-hmac-key-0123456789abcdef"
TEXT = "card 4111 1111 1111 1111, ssn: 123456789, dob: 1990-02-03, mail jane.doe@example.com"


def _compile(mode: int = hyperscan.HS_MODE_BLOCK) -> hyperscan.Database:
    return _hsdb.compile_cached([rb"ab[0-9]+", rb"card"], [0, 1],
                                [hyperscan.HS_FLAG_SOM_LEFTMOST, hyperscan.HS_FLAG_CASELESS],
                                mode)


def _hits(db: hyperscan.Database, data: bytes) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []

    def on(i: int, s: int, e: int, flags: int, ctx: object) -> bool:
        out.append((i, s, e))
        return False

    db.scan(data, match_event_handler=on)
    return out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CASB_HS_CACHE", str(tmp_path))
    monkeypatch.setattr(_hsdb, "_MEMORY", {})
    return tmp_path


def test_disk_round_trip(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _hits(_compile(), b"x ab12 CARD")
    files = list(cache.glob("*.hsdb"))
    assert len(files) == 1
    monkeypatch.setattr(_hsdb, "_MEMORY", {})

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again despite the disk cache")

    monkeypatch.setattr(hyperscan, "Database", no_compile)  # must load, not compile
    assert _hits(_compile(), b"x ab12 CARD") == first  # keywords carry no start (no SOM)
    assert [h for h in first if h[0] == 0] == [(0, 2, 5), (0, 2, 6)]


def test_corrupt_file_is_rebuilt(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _compile()
    (path,) = cache.glob("*.hsdb")
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(_hsdb, "_MEMORY", {})
    assert _hits(_compile(), b"ab1") == [(0, 0, 3)]
    assert _hsdb._read(path) is not None  # rewritten whole


def test_stream_mode(cache: Path) -> None:
    mode = hyperscan.HS_MODE_STREAM | hyperscan.HS_MODE_SOM_HORIZON_LARGE
    _compile(mode)
    db = _compile(mode)
    out: list[tuple[int, int, int]] = []

    def on(i: int, s: int, e: int, flags: int, ctx: object) -> bool:
        out.append((i, s, e))
        return False

    with db.stream(match_event_handler=on) as st:  # hyperscan 0.9.1 keeps no reference
        st.scan(b"xx a")
        st.scan(b"b7 ")
    assert out == [(0, 3, 6)]


def test_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASB_HS_CACHE", "")
    assert _hsdb.cache_dir() is None
    assert _hits(_compile(), b"ab1") == [(0, 0, 3)]


def test_cached_scanner_finds_the_same(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    detectors = load_detectors()
    cold = Scanner.build(detectors, hmac_key=KEY).scan_text(TEXT)
    monkeypatch.setattr(_hsdb, "_MEMORY", {})
    warm = Scanner.build(detectors, hmac_key=KEY).scan_text(TEXT)
    assert cold == warm
    assert {f.detector for f in cold} >= {"credit_card", "us_ssn", "email_address"}

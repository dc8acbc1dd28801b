"""Shared fixtures: the shipped detector table and one scanner built from it."""

from __future__ import annotations

import pytest

from gateway.dlp import Detector, Scanner, load_detectors

HMAC_KEY = b"test-hmac-key-0123456789abcdef!!"


@pytest.fixture(scope="session")
def detectors() -> tuple[Detector, ...]:
    return load_detectors()


@pytest.fixture(scope="session")
def scanner(detectors: tuple[Detector, ...]) -> Scanner:
    return Scanner.build(detectors, hmac_key=HMAC_KEY)

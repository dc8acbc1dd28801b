"""Headless Chromium (Debian's package) driven by Playwright, through the real gateway.

No browser is downloaded: Playwright launches /usr/bin/chromium. The browser trusts the
gateway's interception CA by the SPKI hash of its key, which Chromium accepts
with ``--ignore-certificate-errors-spki-list`` (certificate errors stay errors otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.e2e.gateway_process import ROOT, Gateway

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"


def spki_hash(pem: bytes) -> str:
    cert = x509.load_pem_x509_certificate(pem)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


def gateway_spki_hashes(gateway: Gateway) -> list[str]:
    """mitmproxy signs every leaf certificate with the CA's own key: one hash covers both."""
    return [spki_hash(gateway.ca_cert.read_bytes())]


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@pytest.fixture(scope="module")
def browser_context(gateway: Gateway) -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is required at {CHROMIUM} (make install adds it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync",
                  "--ignore-certificate-errors-spki-list="
                  + ",".join(gateway_spki_hashes(gateway))],
            proxy={"server": gateway.proxy_url},
        )
        context = browser.new_context(ignore_https_errors=False,
                                      viewport={"width": 412, "height": 900})
        try:
            yield context
        finally:
            context.close()
            browser.close()

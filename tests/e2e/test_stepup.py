"""Step-up MFA end to end: real gateway, real HTTPS origin, Chromium and httpx as clients."""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpcore
import httpx
import pyotp
import pytest

from tests.e2e.browser import browser_context, screenshot  # noqa: F401 - fixture
from tests.e2e.gateway_process import CASB, Gateway
from tests.e2e.test_gateway import event_for, metric

pytestmark = pytest.mark.e2e

PORTAL = "https://casb.gateway.internal"
CONSOLE = "https://console.aws.amazon.com/console/home?region=eu-west-1"
NAVIGATE = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
            "Accept": "text/html,application/xhtml+xml"}
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
REF = re.compile(r'name="r" value="([^"]*)"')


def casb(gateway: Gateway, *args: str) -> str:
    out = subprocess.run([str(CASB), *args, "--config", "config.yaml", "--certs-dir", "certs"],
                         cwd=gateway.workdir, capture_output=True, text=True, timeout=60,
                         check=True)
    return out.stdout


class _FromAddress(httpcore.SyncBackend):
    def __init__(self, address: str) -> None:
        self.address = address

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: object = None) -> httpcore.NetworkStream:
        return super().connect_tcp(host, port, timeout, self.address,
                                   socket_options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def carol(gateway: Gateway) -> Iterator[httpx.Client]:
    """A second user: the client-address map says 127.0.0.3 is carol."""
    ctx = ssl.create_default_context(cafile=str(gateway.ca_cert))
    transport = httpx.HTTPTransport(verify=ctx)
    # Neither httpx nor httpcore's proxy pool binds the connection to the proxy to a
    # local_address; a network backend that always does so is the reliable way.
    transport._pool = httpcore.HTTPProxy(proxy_url=gateway.proxy_url, ssl_context=ctx,
                                         network_backend=_FromAddress("127.0.0.3"))
    with httpx.Client(transport=transport, timeout=30) as c:
        yield c


def test_an_api_call_to_a_cloud_console_without_a_grant_gets_problem_json_naming_the_portal(
        gateway: Gateway, carol: httpx.Client) -> None:
    r = carol.post("https://console.aws.amazon.com/api/instances", json={"a": 1},
                   headers={"Sec-Fetch-Mode": "cors"})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["rule"] == "stepup-cloud-admin-consoles"
    assert problem["portal_url"].startswith(f"{PORTAL}/verify?r=")
    assert problem["decision_id"] == r.headers["x-casb-decision"]
    assert event_for(gateway, problem["decision_id"])["action"] == "stepup"


def test_a_navigation_is_redirected_to_the_portal_with_a_server_side_reference_only(
        carol: httpx.Client) -> None:
    r = carol.get(CONSOLE + "&next=https://evil.example/&r=https://evil.example/",
                  headers=NAVIGATE)
    assert r.status_code == 303
    loc = urlsplit(r.headers["location"])
    assert f"{loc.scheme}://{loc.netloc}" == PORTAL and loc.path == "/verify"
    ref = parse_qs(loc.query)["r"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", ref)
    assert "evil" not in r.headers["location"]
    # A reference the gateway did not issue leads nowhere but the portal's own page.
    r = carol.get(f"{PORTAL}/verify?r=https%3A%2F%2Fevil.example%2F", headers=NAVIGATE)
    assert r.status_code in (200, 303)
    assert "evil.example" not in r.headers.get("location", "")


def _verify_form(client: httpx.Client, url: str) -> tuple[str, str]:
    page = client.get(url, headers=NAVIGATE)
    assert page.status_code == 200, page.text
    return CSRF.search(page.text).group(1), REF.search(page.text).group(1)  # type: ignore[union-attr]


def test_wrong_codes_lock_the_account_then_unlock_verify_and_revoke_work_everywhere(
        gateway: Gateway, carol: httpx.Client, fresh_origin: object) -> None:
    casb(gateway, "mfa", "reset", "carol")
    uri = casb(gateway, "mfa", "enroll", "carol", "--method", "totp").strip()
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.parse_uri(uri)
    r = carol.get(CONSOLE, headers=NAVIGATE)
    verify_url = r.headers["location"]
    csrf, ref = _verify_form(carol, verify_url)
    page = carol.get(verify_url, headers=NAVIGATE)
    cookie = page.headers.get("set-cookie") or ""
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    if cookie:
        assert cookie.startswith("__Host-") and "secure" in cookie.lower()
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    # No CSRF token, no check at all.
    r = carol.post(f"{PORTAL}/verify", data={"r": ref, "method": "totp", "code": totp.now()})
    assert r.status_code == 403
    wrong = f"{(int(totp.now()) + 1) % 10**6:06d}"
    statuses = []
    for _ in range(4):
        r = carol.post(f"{PORTAL}/verify", data={"csrf": csrf, "r": ref, "method": "totp",
                                                 "code": wrong})
        statuses.append(r.status_code)
        time.sleep(0.25)  # past the progressive delay
    assert statuses == [400, 400, 400, 429]
    assert "locked" in r.text
    # Locked: even the right code is refused, and the lock is in the shared store.
    r = carol.post(f"{PORTAL}/verify", data={"csrf": csrf, "r": ref, "method": "totp",
                                             "code": totp.now()})
    assert r.status_code == 429
    assert "locked:        yes" in casb(gateway, "mfa", "status", "carol")
    # The failures are a risk signal, with its reason, in the same store.
    assert re.search(r"mfa_failures\s+[\d.]+\s+4 failed verification\(s\) in a row",
                     casb(gateway, "risk", "show", "carol"))
    casb(gateway, "mfa", "unlock", "carol")
    r = carol.post(f"{PORTAL}/verify", data={"csrf": csrf, "r": ref, "method": "totp",
                                             "code": totp.now()})
    assert r.status_code == 303
    assert r.headers["location"] == CONSOLE  # back to the original page, from the store
    r = carol.get(CONSOLE, headers=NAVIGATE)
    assert r.status_code == 200 and r.json()["path"].startswith("/console/home")
    assert "grants:        1" in casb(gateway, "mfa", "status", "carol")
    casb(gateway, "mfa", "revoke", "carol")
    r = carol.get(CONSOLE, headers=NAVIGATE)
    assert r.status_code == 303
    assert metric(gateway, "casb_stepup_total", result="granted") >= 1


def test_browser_enrolls_with_totp_and_lands_on_the_original_page(
        gateway: Gateway, browser_context: object) -> None:  # noqa: F811
    casb(gateway, "mfa", "reset", "alice")
    invite = casb(gateway, "mfa", "invite", "alice").split(": ", 1)[1].strip()
    page = browser_context.new_page()  # type: ignore[attr-defined]
    page.goto(CONSOLE)
    assert page.url.startswith(f"{PORTAL}/enroll?r=")
    assert page.locator(".decision-id").inner_text()
    screenshot(page, "stepup-1-enroll")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Enrollment code from your IT team").fill(invite)
    code = totp.now()
    page.get_by_label("Code from the app").fill(code)
    page.locator("#enroll-button").click()
    page.wait_for_selector("#backup-codes")
    screenshot(page, "stepup-2-backup-codes")
    codes = [c.strip() for c in page.locator("#backup-codes code").all_inner_texts()]
    assert len(codes) == 10 and len(set(codes)) == 10
    page.locator("#continue").click()
    page.wait_for_url(CONSOLE)
    assert "/console/home" in page.content()
    screenshot(page, "stepup-3-original-page")

    # A script on the app page (not a navigation) gets problem+json once the grant is gone.
    casb(gateway, "mfa", "revoke", "alice")
    result = page.evaluate("""async () => {
        const r = await fetch('/api/stop', {method: 'POST', body: '{}',
                                            headers: {'content-type': 'application/json'}});
        return [r.status, r.headers.get('content-type'), await r.text()];
    }""")
    assert result[0] == 401 and result[1] == "application/problem+json"
    assert json.loads(result[2])["portal_url"].startswith(f"{PORTAL}/verify?r=")

    # The same code again is refused; a backup code works once.
    page.goto(CONSOLE)
    assert page.url.startswith(f"{PORTAL}/verify?r=")
    screenshot(page, "stepup-4-verify")
    page.get_by_label("Code", exact=True).fill(code)
    page.locator("#verify-button").click()
    page.wait_for_selector("#error")
    assert "not accepted" in page.locator("#error").inner_text()
    screenshot(page, "stepup-5-code-refused")
    page.locator("summary").click()
    page.get_by_label("Backup code").fill(codes[0])
    page.get_by_role("button", name="Use backup code").click()
    page.wait_for_url(CONSOLE)
    assert "1 left" not in casb(gateway, "mfa", "status", "alice")
    assert "backup codes:  9 left" in casb(gateway, "mfa", "status", "alice")

    # Wrong codes lock the account.
    casb(gateway, "mfa", "revoke", "alice")
    page.goto(CONSOLE)
    for _ in range(4):
        page.get_by_label("Code", exact=True).fill("000000" if code != "000000" else "111111")
        page.locator("#verify-button").click()
        page.wait_for_selector("#error")
        time.sleep(0.25)
    assert "locked" in page.locator("#error").inner_text()
    screenshot(page, "stepup-6-locked")
    page.close()
    casb(gateway, "mfa", "reset", "alice")


STRONG = "https://strong.example.org/reports/q3"


def test_a_totp_verification_never_satisfies_a_phishing_resistant_rule(
        gateway: Gateway, carol: httpx.Client) -> None:
    casb(gateway, "mfa", "reset", "carol")
    totp = pyotp.parse_uri(casb(gateway, "mfa", "enroll", "carol", "--method", "totp").strip())
    r = carol.get(STRONG, headers=NAVIGATE)
    assert r.status_code == 303
    verify_url = r.headers["location"]
    page = carol.get(verify_url, headers=NAVIGATE)
    assert 'id="add-key"' in page.text and 'id="verify-button"' not in page.text
    # The page offers to add a key; a TOTP code posted anyway is not a way around it.
    csrf, ref = _verify_form(carol, f"{PORTAL}/webauthn/register?{urlsplit(verify_url).query}")
    r = carol.post(f"{PORTAL}/verify", data={"csrf": csrf, "r": ref, "method": "totp",
                                             "code": totp.now()})
    assert r.status_code == 400 and "security key" in r.text
    assert carol.get(STRONG, headers=NAVIGATE).status_code == 303
    assert "grants:        0" in casb(gateway, "mfa", "status", "carol")
    casb(gateway, "mfa", "reset", "carol")


def test_browser_enrolls_a_passkey_and_signs_in_with_chromiums_virtual_authenticator(
        gateway: Gateway, browser_context: object) -> None:  # noqa: F811
    casb(gateway, "mfa", "reset", "alice")
    invite = casb(gateway, "mfa", "invite", "alice").split(": ", 1)[1].strip()
    page = browser_context.new_page()  # type: ignore[attr-defined]
    cdp = browser_context.new_cdp_session(page)  # type: ignore[attr-defined]
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})["authenticatorId"]
    try:
        response = page.goto(STRONG)
        assert page.url.startswith(f"{PORTAL}/enroll?r=")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        screenshot(page, "webauthn-1-enroll")
        page.get_by_label("Enrollment code", exact=True).fill(invite)
        page.locator("#webauthn-enroll-button").click()
        page.wait_for_selector("#backup-codes")
        screenshot(page, "webauthn-2-backup-codes")
        (cred,) = cdp.send("WebAuthn.getCredentials",
                           {"authenticatorId": authenticator})["credentials"]
        assert cred["rpId"] == "casb.gateway.internal"
        assert "factors:       webauthn" in casb(gateway, "mfa", "status", "alice")
        page.locator("#continue").click()
        page.wait_for_url(STRONG)
        assert "/reports/q3" in page.content()

        # Once the grant is gone: the verify page offers WebAuthn only, and it works.
        casb(gateway, "mfa", "revoke", "alice")
        page.goto(STRONG)
        assert page.url.startswith(f"{PORTAL}/verify?r=")
        assert page.locator("#verify-button").count() == 0
        screenshot(page, "webauthn-3-verify")
        page.locator("#webauthn-button").click()
        page.wait_for_url(STRONG)
        (after,) = cdp.send("WebAuthn.getCredentials",
                            {"authenticatorId": authenticator})["credentials"]
        assert after["signCount"] > cred["signCount"]
        assert "grants:        1" in casb(gateway, "mfa", "status", "alice")
        events = [json.loads(line) for line in gateway.audit_file.read_text().splitlines()]
        assert any(e.get("kind") == "mfa" and e.get("action") == "verified"
                   and e.get("detail", {}).get("method") == "webauthn" for e in events)
    finally:
        cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})
        page.close()
        casb(gateway, "mfa", "reset", "alice")


COACHED = "https://coach.example.org/exports/q3?format=csv"


def test_browser_shows_the_coach_page_and_continues(
        gateway: Gateway, browser_context: object) -> None:  # noqa: F811
    casb(gateway, "mfa", "revoke", "alice")
    page = browser_context.new_page()  # type: ignore[attr-defined]
    try:
        page.goto(COACHED)
        assert page.url.startswith(f"{PORTAL}/coach?r=")
        assert "company share" in page.locator("#coach-message").inner_text()
        assert page.locator(".decision-id").inner_text()
        screenshot(page, "coach-1-notice")
        page.get_by_label("Business justification").fill("Quarterly review for ACME")
        page.locator("#continue").click()
        page.wait_for_url(COACHED)
        assert "/exports/q3" in page.content()
        screenshot(page, "coach-2-original-page")
    finally:
        page.close()
        casb(gateway, "mfa", "revoke", "alice")

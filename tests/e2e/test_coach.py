"""``action: coach`` end to end: real gateway, real HTTPS origin, httpx as the client.

The Chromium walk-through (with screenshots) is in test_stepup.py, beside the session's one
browser.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.gateway_process import Gateway
from tests.e2e.origin import Origin
from tests.e2e.test_gateway import event_for
from tests.e2e.test_stepup import CSRF, NAVIGATE, PORTAL, REF, casb

pytestmark = pytest.mark.e2e

COACHED = "https://coach.example.org/exports/q3?format=csv"
MESSAGE = "Customer exports belong on the company share, not in personal apps."


def test_an_api_call_without_an_acknowledgement_gets_403_problem_json_naming_the_page(
        gateway: Gateway, client: httpx.Client) -> None:
    casb(gateway, "mfa", "revoke", "alice")
    r = client.post("https://coach.example.org/api/export", json={"a": 1},
                    headers={"Sec-Fetch-Mode": "cors"})
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["rule"] == "coach-on-example"
    assert problem["portal_url"].startswith(f"{PORTAL}/coach?r=")
    assert problem["decision_id"] == r.headers["x-casb-decision"]
    assert event_for(gateway, problem["decision_id"])["action"] == "coach"


def test_a_navigation_is_coached_then_continues_to_the_original_page(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    casb(gateway, "mfa", "revoke", "alice")
    r = client.get(COACHED, headers=NAVIGATE)
    assert r.status_code == 303
    coach_url = r.headers["location"]
    loc = urlsplit(coach_url)
    assert f"{loc.scheme}://{loc.netloc}" == PORTAL and loc.path == "/coach"
    assert not fresh_origin.requests_to("/exports")
    page = client.get(coach_url, headers=NAVIGATE)
    assert page.status_code == 200, page.text
    assert MESSAGE in page.text and 'for="justification"' in page.text
    assert r.headers["x-casb-decision"] in page.text  # the decision id is on the page
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert "unsafe-inline" not in csp
    assert page.headers["cache-control"] == "no-store"
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    ref = REF.search(page.text).group(1)  # type: ignore[union-attr]
    # No CSRF token: refused; no justification: asked again; nothing is acknowledged.
    assert client.post(f"{PORTAL}/coach", data={"r": ref, "choice": "continue",
                                                "justification": "x"}).status_code == 403
    assert client.post(f"{PORTAL}/coach", data={"csrf": csrf, "r": ref,
                                                "choice": "continue"}).status_code == 400
    assert client.get(COACHED, headers=NAVIGATE).status_code == 303
    # The second visit issued a new reference; the first one still works once.
    r = client.post(f"{PORTAL}/coach", data={"csrf": csrf, "r": ref, "choice": "continue",
                                             "justification": "Quarterly review for ACME"})
    assert r.status_code == 303
    assert r.headers["location"] == COACHED  # back to the original page, from the store
    r = client.get(COACHED, headers=NAVIGATE)
    assert r.status_code == 200 and r.json()["path"] == "/exports/q3?format=csv"
    assert fresh_origin.requests_to("/exports")
    events = gateway.events()
    (coach,) = [e for e in events if e.get("kind") == "coach"
                and e.get("decision_id") == parse_ref_decision(page.text)]
    assert coach["action"] == "acknowledged" and coach["rule"] == "coach-on-example"
    assert coach["detail"] == {"ttl": 600, "justification": "Quarterly review for ACME"}
    assert any(e.get("kind") == "decision" and e.get("action") == "coach"
               and e.get("reason") == "acknowledged"
               and e.get("request", {}).get("path") == "/exports/q3" for e in events)
    # An API call from the same user and device goes on too.
    r = client.post("https://coach.example.org/api/export", json={"a": 1},
                    headers={"Sec-Fetch-Mode": "cors"})
    assert r.status_code == 200
    casb(gateway, "mfa", "revoke", "alice")
    assert client.get(COACHED, headers=NAVIGATE).status_code == 303


def parse_ref_decision(html: str) -> str:
    m = re.search(r'class="decision-id">([^<]+)<', html)
    assert m is not None
    return m.group(1)

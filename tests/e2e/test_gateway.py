"""The walking skeleton, end to end: real gateway process, real HTTPS origin, real clients."""

from __future__ import annotations

import json
import re
import time
import zlib
from pathlib import Path

import httpx
import pytest

from tests.e2e.gateway_process import Gateway
from tests.e2e.origin import Origin

pytestmark = pytest.mark.e2e

CARD = "4111 1111 1111 1111"
CARD_DIGITS = CARD.replace(" ", "")
DRIVE_UPLOAD = "https://www.googleapis.com/upload/drive/v3/files?uploadType=multipart"
NAVIGATE = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
            "Accept": "text/html,application/xhtml+xml"}


def multipart_with_card() -> tuple[bytes, str]:
    boundary = "casbtestboundary"
    body = (
        f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        '{"name": "customers.csv"}\r\n'
        f"--{boundary}\r\nContent-Type: text/csv\r\n\r\n"
        f"name,card\r\nJane Roe,{CARD}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/related; boundary={boundary}"


def event_for(gw: Gateway, decision_id: str, timeout: float = 5) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in gw.events():
            if e.get("decision_id") == decision_id:
                return e
        time.sleep(0.05)
    raise AssertionError(f"no audit event for {decision_id}")


def metric(gw: Gateway, name: str, **labels: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{gw.admin_port}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_card_number_upload_to_personal_drive_is_blocked_with_a_page_for_a_navigation(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    body, ctype = multipart_with_card()
    r = client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype, **NAVIGATE})
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    decision_id = r.headers["x-casb-decision"]
    page = r.text
    assert decision_id in page
    assert "block-sensitive-uploads" in page
    assert "Google Drive" in page
    assert "Example Corp Security" in page
    assert CARD not in page and CARD_DIGITS not in page
    assert "1111" in page  # the masked preview keeps the last digits
    assert fresh_origin.requests_to("/upload/drive") == []


def test_card_number_upload_from_an_api_client_gets_problem_json(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    body, ctype = multipart_with_card()
    r = client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype})
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 403
    assert problem["rule"] == "block-sensitive-uploads"
    assert problem["app"] == "google_drive"
    assert problem["activity"] == "upload"
    assert problem["decision_id"] == r.headers["x-casb-decision"]
    assert [f["detector"] for f in problem["findings"]] == ["credit_card"]
    assert CARD_DIGITS not in r.text and CARD not in r.text
    assert fresh_origin.requests_to("/upload/drive") == []
    event = event_for(gateway, problem["decision_id"])
    assert event["action"] == "block"
    assert event["app"]["id"] == "google_drive"  # type: ignore[index]
    assert event["subject"]["user"] == "alice"  # type: ignore[index]
    assert event["subject"]["groups"] == ["staff"]  # type: ignore[index]


def test_a_nul_in_front_of_an_upload_does_not_hide_its_card_number(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    # one NUL makes the body unknown binary; its bytes are scanned all the same
    body = b"\0notes: card " + CARD.encode() + b", thanks"
    r = client.post(DRIVE_UPLOAD, content=body,
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 403
    event = event_for(gateway, r.headers["x-casb-decision"])
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]  # type: ignore[union-attr]
    assert fresh_origin.requests_to("/upload/drive") == []


def test_the_same_upload_to_an_unlisted_site_is_forwarded_and_audited(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    body, ctype = multipart_with_card()
    r = client.post("https://example.org/upload", content=body, headers={"Content-Type": ctype})
    assert r.status_code == 200
    [received] = fresh_origin.requests_to("/upload")
    assert received.body == body
    events = [e for e in gateway.events()
              if e.get("request", {}).get("host") == "example.org"  # type: ignore[union-attr]
              and e.get("action") == "audit"]
    assert events and events[-1]["rule"] == "audit-findings"


def test_a_card_number_in_a_query_string_is_blocked_by_a_content_rule(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    # a GET carries data too: the ?q= of a search box or an AI chat
    r = client.get("https://ws.example.org/search", params={"q": f"card {CARD} please"})
    assert r.status_code == 403
    event = event_for(gateway, r.headers["x-casb-decision"])
    assert event["rule"] == "block-cards-on-ws-example"
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]  # type: ignore[union-attr]
    assert fresh_origin.requests_to("/search") == []


def test_an_allow_listed_card_number_passes_the_rule_that_lists_it(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    r = client.get("https://ws.example.org/listed", params={"q": "card 5105 1051 0510 5100"})
    assert r.status_code == 200
    assert len(fresh_origin.requests_to("/listed")) == 1
    [event] = [e for e in gateway.events() if e.get("direction") == "request"
               and e.get("request", {}).get("path") == "/listed"]  # type: ignore[union-attr]
    assert event["rule"] == "audit-findings"  # still found and recorded, by the next rule


def test_a_query_string_value_is_blocked_where_a_redact_rule_would_rewrite_it(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    # only bodies are rewritten: the URL would carry the value in clear
    r = client.get("https://redact.example.org/echo", params={"card": CARD})
    assert r.status_code == 403
    assert fresh_origin.requests_to("/echo") == []


def test_a_query_string_finding_on_an_unlisted_site_is_audited_without_the_query(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    r = client.get("https://example.org/lookup", params={"q": f"card {CARD}"})
    assert r.status_code == 200
    assert len(fresh_origin.requests_to("/lookup")) == 1
    [event] = [e for e in gateway.events() if e.get("direction") == "request"
               and e.get("request", {}).get("path") == "/lookup"]  # type: ignore[union-attr]
    assert event["action"] == "audit"
    assert [f["detector"] for f in event["findings"]] == ["credit_card"]  # type: ignore[union-attr]
    assert CARD_DIGITS not in json.dumps(event) and "1111+1111" not in json.dumps(event)


def test_audit_log_holds_masked_previews_and_keyed_hashes_never_the_clear_value(
        gateway: Gateway, client: httpx.Client) -> None:
    body, ctype = multipart_with_card()
    r = client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype})
    event = event_for(gateway, r.headers["x-casb-decision"])
    [finding] = event["findings"]  # type: ignore[misc]
    assert finding["detector"] == "credit_card"
    assert finding["count"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", finding["hmac"][0])
    assert finding["masked"][0].endswith("1111") and CARD_DIGITS not in finding["masked"][0]
    text = gateway.audit_file.read_text()
    assert CARD_DIGITS not in text and CARD not in text
    assert CARD_DIGITS not in gateway.output() and CARD not in gateway.output()


def test_redact_rule_forwards_the_body_with_card_numbers_masked(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    payload = {"note": f"please charge {CARD} today", "amount": 12}
    r = client.post("https://redact.example.org/echo", json=payload)
    assert r.status_code == 200
    [received] = fresh_origin.requests_to("/echo")
    forwarded = json.loads(received.body)  # still valid JSON
    assert forwarded["amount"] == 12
    assert CARD not in forwarded["note"] and CARD_DIGITS not in forwarded["note"]
    assert forwarded["note"].startswith("please charge ") and forwarded["note"].endswith("today")
    assert int(received.header("content-length")[0]) == len(received.body)


def test_monitor_mode_forwards_and_logs_what_it_would_have_blocked(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    r = client.post("https://monitor.example.org/form", content=f"card={CARD}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    assert len(fresh_origin.requests_to("/form")) == 1
    events = [e for e in gateway.events() if e.get("direction") == "request"
              and e.get("request", {}).get("host") == "monitor.example.org"]  # type: ignore[union-attr]
    assert events[-1]["monitored"] == [
        {"pack": "e2e", "rule": "monitor-block-on-example", "would": "block"}]
    assert events[-1]["action"] == "audit"  # the next enforcing rule (default pack) decided


def test_tenant_restriction_headers_are_injected_and_spoofed_copies_removed(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    r = client.get("https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
                   headers={"Restrict-Access-To-Tenants": "evil.example",
                            "Restrict-Access-Context": "00000000-0000-0000-0000-000000000000"})
    assert r.status_code == 200
    [received] = fresh_origin.requests_to("/common/oauth2")
    assert received.header("Restrict-Access-To-Tenants") == ["contoso.com,fabrikam.com"]
    assert received.header("Restrict-Access-Context") == ["9188040d-6c67-4c5b-b112-36a304b66dad"]
    r = client.get("https://acme.slack.com/messages", headers={"X-Slack-Allowed-Workspaces": "T1"})
    [received] = fresh_origin.requests_to("/messages")
    assert received.header("X-Slack-Allowed-Workspaces") == ["E0123ABCD,T0456EFGH"]
    assert received.header("X-Slack-Allowed-Workspaces-Requester") == ["E0123ABCD"]
    r = client.get("https://example.org/plain", headers={"Restrict-Access-To-Tenants": "x.com"})
    [received] = fresh_origin.requests_to("/plain")
    assert received.header("Restrict-Access-To-Tenants") == ["x.com"]  # not a Microsoft host


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_gzip_bomb_is_not_expanded_past_the_cap_and_the_upload_is_blocked(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join(comp.compress(chunk) for _ in range(512)) + comp.flush()  # 512 MiB inflated
    assert len(bomb) < 2_000_000
    before = _rss_kb(gateway.proc.pid)
    r = client.post(DRIVE_UPLOAD, content=bomb,
                    headers={"Content-Type": "text/csv", "Content-Encoding": "gzip"})
    assert r.status_code == 403
    assert r.json()["reason"] == "unscannable"
    assert r.json()["unscannable"].startswith("limit_exceeded")
    assert fresh_origin.requests_to("/upload/drive") == []
    assert _rss_kb(gateway.proc.pid) - before < 200_000
    assert metric(gateway, "casb_unscannable_total", reason="limit_exceeded") >= 1


def test_an_exception_inside_a_hook_blocks_the_flow_instead_of_forwarding_it(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    errors_before = metric(gateway, "casb_addon_errors_total", stage="inspect")
    r = client.post("https://fault.example.org/submit", content=b"hello")
    assert r.status_code == 403
    assert r.json()["reason"] == "error"
    assert fresh_origin.requests_to("/submit") == []
    assert metric(gateway, "casb_addon_errors_total", stage="inspect") == errors_before + 1
    assert metric(gateway, "casb_fail_closed_total", stage="inspect") >= 1
    event = event_for(gateway, r.json()["decision_id"])
    assert event["kind"] == "error" and event["action"] == "block"


def test_card_numbers_in_a_download_are_blocked_by_a_response_rule(
        gateway: Gateway, client: httpx.Client) -> None:
    r = client.get("https://download.example.org/download-card")
    assert r.status_code == 403
    assert r.json()["rule"] == "block-card-downloads-on-example"
    assert CARD not in r.text


def test_http3_alt_svc_offers_are_stripped_so_browsers_stay_on_tcp(
        gateway: Gateway, client: httpx.Client) -> None:
    before = metric(gateway, "casb_uninspected_total", reason="alt_svc_h3_stripped")
    r = client.get("https://altsvc.example.org/altsvc")
    assert r.headers.get_list("alt-svc") == ['h2=":443"; ma=60']
    assert metric(gateway, "casb_uninspected_total", reason="alt_svc_h3_stripped") == before + 2


def test_metrics_health_and_readiness_are_served_on_the_admin_port(
        gateway: Gateway, client: httpx.Client) -> None:
    body, ctype = multipart_with_card()
    client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype})
    admin = f"http://127.0.0.1:{gateway.admin_port}"
    assert httpx.get(f"{admin}/healthz").status_code == 200
    assert httpx.get(f"{admin}/readyz").status_code == 200
    assert metric(gateway, "casb_requests_total", app="google_drive", activity="upload",
                  action="block") >= 1
    assert metric(gateway, "casb_findings_total", detector="credit_card") >= 1
    assert metric(gateway, "casb_bytes_scanned_total", direction="request") > 0
    assert metric(gateway, "casb_scan_seconds_count", direction="request") >= 1


def test_a_broken_policy_reload_is_refused_and_the_old_policy_keeps_enforcing(
        gateway: Gateway, client: httpx.Client, fresh_origin: Origin) -> None:
    refused = metric(gateway, "casb_policy_reloads_total", result="refused")
    broken = gateway.policy_dir / "zz-broken.yaml"
    broken.write_text("name: broken\nrules:\n  - id: x\n    action: explode\n")
    try:
        deadline = time.monotonic() + 10
        while metric(gateway, "casb_policy_reloads_total", result="refused") == refused:
            assert time.monotonic() < deadline, "reload was not attempted"
            time.sleep(0.1)
        body, ctype = multipart_with_card()
        r = client.post(DRIVE_UPLOAD, content=body, headers={"Content-Type": ctype})
        assert r.status_code == 403
        assert fresh_origin.requests_to("/upload/drive") == []
        assert "zz-broken.yaml:4" in gateway.output()
    finally:
        ok = metric(gateway, "casb_policy_reloads_total", result="ok")
        broken.unlink()
    deadline = time.monotonic() + 10
    while metric(gateway, "casb_policy_reloads_total", result="ok") == ok:
        assert time.monotonic() < deadline, "the fixed policy was not reloaded"
        time.sleep(0.1)

"""How a request becomes an AppContext: host ownership, fallback activities, tenants, bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.apps import ACTIVITIES, CATEGORIES, AppContext, load_catalog
from gateway.request import RequestInfo

CATALOG = load_catalog()


def req(method: str, host: str, path: str = "/", **headers: str) -> RequestInfo:
    pairs = tuple((k.replace("_", "-").lower(), v) for k, v in headers.items())
    return RequestInfo(method=method, scheme="https", host=host, port=443, path=path,
                       headers=pairs)


# ---------------------------------------------------------------- hosts


def test_unknown_host_has_no_app_but_still_an_activity() -> None:
    ctx = CATALOG.classify(req("GET", "intranet.example.org"))
    assert ctx == AppContext(None, None, None, None, (), "browse", None, None)


def test_wildcard_domain_matches_its_apex_and_subdomains() -> None:
    assert CATALOG.classify(req("GET", "slack.com")).app_id == "slack"
    assert CATALOG.classify(req("GET", "acme.slack.com")).app_id == "slack"
    assert CATALOG.classify(req("GET", "a.b.slack.com")).app_id == "slack"


def test_lookalike_host_does_not_match_a_wildcard_domain() -> None:
    assert CATALOG.app_for_host("evil-slack.com") is None
    assert CATALOG.app_for_host("slack.com.evil.net") is None
    assert CATALOG.app_for_host("notslack.com") is None


def test_host_matching_ignores_case_and_a_trailing_dot() -> None:
    app = CATALOG.app_for_host("ACME.Slack.COM.")
    assert app is not None and app.id == "slack"


def test_exact_domain_wins_over_a_wildcard_of_another_app(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "version: 1\napps:\n"
        "  - {id: broad, name: B, vendor: V, category: productivity,"
        " domains: ['*.example.com'], risk: {score: 1}}\n"
        "  - {id: narrow, name: N, vendor: V, category: notes,"
        " domains: [docs.example.com], risk: {score: 1}}\n"
        "  - {id: middle, name: M, vendor: V, category: notes,"
        " domains: ['*.eu.example.com'], risk: {score: 1}}\n"
    )
    cat = load_catalog(path)
    owner = {h: getattr(cat.app_for_host(h), "id", None) for h in (
        "docs.example.com", "www.example.com", "example.com", "x.eu.example.com")}
    assert owner == {"docs.example.com": "narrow", "www.example.com": "broad",
                     "example.com": "broad", "x.eu.example.com": "middle"}


def test_most_specific_app_owns_google_subdomains() -> None:
    assert CATALOG.classify(req("GET", "docs.google.com", "/document/d/1/edit")).app_id == (
        "google_docs")
    assert CATALOG.classify(req("GET", "mail.google.com", "/mail/u/0/")).app_id == "gmail"
    assert CATALOG.classify(req("GET", "www.google.com", "/search?q=x")).app_id is None


def test_signature_on_a_shared_api_host_names_the_app_but_other_paths_stay_unknown() -> None:
    upload = CATALOG.classify(req("POST", "www.googleapis.com",
                                  "/upload/drive/v3/files?uploadType=multipart"))
    other = CATALOG.classify(req("GET", "www.googleapis.com", "/youtube/v3/videos"))
    assert (upload.app_id, upload.activity) == ("google_drive", "upload")
    assert (other.app_id, other.activity) == (None, "browse")


# ---------------------------------------------------------------- fallback activity


@pytest.mark.parametrize(("method", "content_type", "activity"), [
    ("GET", None, "browse"),
    ("HEAD", None, "browse"),
    ("OPTIONS", None, "browse"),
    ("DELETE", None, "delete"),
    ("POST", "multipart/form-data; boundary=x", "upload"),
    ("PUT", "application/octet-stream", "upload"),
    ("PATCH", "Multipart/Form-Data; boundary=x", "upload"),
    ("POST", "application/json", "post"),
    ("PUT", "application/x-www-form-urlencoded", "post"),
    ("POST", None, "post"),
])
def test_fallback_activity_when_no_signature_matches(
    method: str, content_type: str | None, activity: str
) -> None:
    headers = {"content_type": content_type} if content_type else {}
    ctx = CATALOG.classify(req(method, "www.dropbox.com", "/somewhere/new", **headers))
    assert (ctx.app_id, ctx.activity, ctx.signature) == ("dropbox", activity, None)


def test_fallback_on_an_app_host_still_extracts_the_app_tenant() -> None:
    ctx = CATALOG.classify(req("GET", "acme.slack.com", "/archives/C123"))
    assert (ctx.app_id, ctx.activity, ctx.tenant, ctx.signature) == (
        "slack", "browse", "acme", None)


def test_method_must_match_the_signature() -> None:
    ctx = CATALOG.classify(req("GET", "content.dropboxapi.com", "/2/files/upload"))
    assert (ctx.activity, ctx.signature) == ("browse", None)


def test_lower_case_method_is_normalised() -> None:
    ctx = CATALOG.classify(req("post", "content.dropboxapi.com", "/2/files/upload"))
    assert ctx.signature == "dropbox.upload"


# ---------------------------------------------------------------- context fields


def test_context_carries_catalog_metadata() -> None:
    ctx = CATALOG.classify(req("POST", "pastebin.com", "/api/api_post.php"))
    app = CATALOG.apps["pastebin"]
    assert ctx.name == app.name
    assert ctx.category == "paste"
    assert ctx.risk == app.risk.score
    assert ctx.risk_reasons == tuple(app.risk.reasons)
    assert ctx.risk_reasons  # a high-risk app explains itself


def test_catalog_uses_only_the_fixed_vocabularies() -> None:
    for app in CATALOG.apps.values():
        assert app.category in CATEGORIES
        assert 0 <= app.risk.score <= 100
        assert all(s.activity in ACTIVITIES for s in app.signatures)


def test_personal_and_corporate_outlook_are_different_apps() -> None:
    corp = CATALOG.classify(req("GET", "outlook.office.com", "/mail/"))
    personal = CATALOG.classify(req("GET", "outlook.live.com", "/mail/0/"))
    assert (corp.app_id, personal.app_id) == ("outlook", "outlook_com")
    assert CATALOG.apps["outlook_com"].audience == "personal"


def test_gmail_tenant_is_not_guessed_from_the_url() -> None:
    ctx = CATALOG.classify(req("POST", "mail.google.com", "/mail/u/0/?ui=2&act=sm"))
    assert (ctx.app_id, ctx.activity, ctx.tenant) == ("gmail", "post", None)


# ---------------------------------------------------------------- tenants


@pytest.mark.parametrize(("host", "path", "tenant"), [
    ("acme.sharepoint.com", "/sites/x", "acme"),
    ("acme-my.sharepoint.com", "/personal/jane", "acme"),
    ("acme.my.salesforce.com", "/lightning/page/home", "acme"),
    ("acme.lightning.force.com", "/one/one.app", "acme"),
    ("acme.atlassian.net", "/browse/PROJ-1", "acme"),
    ("acme.slack.com", "/", "acme"),
    ("app.slack.com", "/client/T0123ABC/C999", "T0123ABC"),
    ("app.slack.com", "/", None),
    ("login.microsoftonline.com", "/contoso.onmicrosoft.com/oauth2/v2.0/authorize",
     "contoso.onmicrosoft.com"),
    ("login.microsoftonline.com", "/common/oauth2/v2.0/authorize", None),
    ("github.com", "/acme/payments/upload/main", None),  # GET: no signature, no tenant
])
def test_tenant_is_extracted_where_the_request_shows_it(
    host: str, path: str, tenant: str | None
) -> None:
    assert CATALOG.classify(req("GET", host, path)).tenant == tenant


def test_tenant_from_a_header() -> None:
    ctx = CATALOG.classify(req("POST", "chatgpt.com", "/backend-api/conversation",
                               chatgpt_account_id="ws-123"))
    assert (ctx.activity, ctx.tenant) == ("prompt", "ws-123")


def test_tenant_from_a_path_group_of_the_signature() -> None:
    org = "0b7a2d4c-1111-2222-3333-444455556666"
    conv = "9c1e7a52-aaaa-bbbb-cccc-ddddeeeeffff"
    ctx = CATALOG.classify(req(
        "POST", "claude.ai", f"/api/organizations/{org}/chat_conversations/{conv}/completion"))
    assert (ctx.app_id, ctx.activity, ctx.tenant, ctx.signature) == (
        "claude", "prompt", org, "claude.prompt")


# ---------------------------------------------------------------- bodies


def _notion_export(body: bytes | None, content_type: str = "application/json") -> AppContext:
    return CATALOG.classify(
        req("POST", "www.notion.so", "/api/v3/enqueueTask", content_type=content_type), body)


def test_json_condition_reads_the_body() -> None:
    body = json.dumps({"task": {"eventName": "exportSpace", "request": {"spaceId": "s1"}}})
    ctx = _notion_export(body.encode())
    assert (ctx.activity, ctx.tenant) == ("download", "s1")


@pytest.mark.parametrize("body", [
    None,
    b"",
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"[" * 100_000 + b"]" * 100_000,  # deep nesting: RecursionError inside json
    b'"just a string"',
    b'{"task": ["eventName"]}',
    # a repeated key: the app may read either value (tenant "corp" here, or "s1")
    b'{"task": {"eventName": "exportSpace", "request": {"spaceId": "corp", "spaceId": "s1"}}}',
])
def test_bad_or_odd_bodies_never_raise_and_fall_back(body: bytes | None) -> None:
    ctx = _notion_export(body)
    assert (ctx.app_id, ctx.activity, ctx.signature) == ("notion", "post", None)


def test_body_over_the_json_limit_is_not_parsed() -> None:
    small = {"task": {"eventName": "exportBlock"}}
    padded = dict(small, pad="x" * (1024 * 1024))
    assert _notion_export(json.dumps(small).encode()).activity == "download"
    assert _notion_export(json.dumps(padded).encode()).activity == "post"


def test_json_condition_needs_a_json_content_type() -> None:
    body = json.dumps({"task": {"eventName": "exportBlock"}}).encode()
    assert _notion_export(body, content_type="text/plain").signature is None


def test_json_equals_is_type_strict() -> None:
    path = "/backend-api/conversation/6790-abcd"
    hide = CATALOG.classify(req("PATCH", "chatgpt.com", path, content_type="application/json"),
                            b'{"is_visible": false}')
    zero = CATALOG.classify(req("PATCH", "chatgpt.com", path, content_type="application/json"),
                            b'{"is_visible": 0}')
    assert (hide.activity, zero.activity) == ("delete", "post")

"""Every signature proves itself: its match examples hit it, its no_match examples do not.

One parametrized case per example of every signature in the shipped catalog (the gitleaks /
Presidio habit), so a regex edit that breaks a real endpoint fails with the example's name.
"""

from __future__ import annotations

import pytest

from gateway.apps import App, Catalog, Example, Signature, load_catalog

CATALOG = load_catalog()


def _cases(kind: str) -> list[object]:
    out: list[object] = []
    for app in CATALOG.apps.values():
        for sig in app.signatures:
            examples = sig.examples.match if kind == "match" else sig.examples.no_match
            for i, ex in enumerate(examples):
                out.append(pytest.param(app, sig, ex, id=f"{app.id}.{sig.id}.{kind}[{i}]"))
    return out


@pytest.mark.parametrize(("app", "sig", "example"), _cases("match"))
def test_match_example_classifies_to_its_signature(
    app: App, sig: Signature, example: Example
) -> None:
    req, body = example.to_request()
    ctx = CATALOG.classify(req, body)
    assert (ctx.app_id, ctx.activity, ctx.signature) == (app.id, sig.activity, f"{app.id}.{sig.id}")
    if example.tenant is not None:
        assert ctx.tenant == example.tenant


@pytest.mark.parametrize(("app", "sig", "example"), _cases("no_match"))
def test_no_match_example_misses_its_signature(app: App, sig: Signature, example: Example) -> None:
    req, body = example.to_request()
    assert CATALOG.classify(req, body).signature != f"{app.id}.{sig.id}"


def test_catalog_covers_the_required_apps() -> None:
    required = {
        "google_drive",
        "google_docs",
        "gmail",
        "onedrive",
        "sharepoint",
        "outlook",
        "microsoft_teams",
        "dropbox",
        "box",
        "wetransfer",
        "slack",
        "github",
        "gitlab",
        "atlassian",
        "salesforce",
        "zoom",
        "notion",
        "pastebin",
        "chatgpt",
        "claude",
        "gemini",
        "microsoft_copilot",
        "perplexity",
        "deepl",
        "aws_console",
        "azure_portal",
        "google_cloud_console",
        "google_workspace_admin",
        "microsoft_365_admin",
        "microsoft_entra",
    }
    assert required <= set(CATALOG.apps)
    assert len(CATALOG.apps) >= 30


def test_every_signature_has_a_match_example() -> None:
    assert all(s.examples.match for a in CATALOG.apps.values() for s in a.signatures)


def test_shipped_catalog_is_the_default() -> None:
    assert isinstance(CATALOG, Catalog)
    assert set(load_catalog(None).apps) == set(CATALOG.apps)

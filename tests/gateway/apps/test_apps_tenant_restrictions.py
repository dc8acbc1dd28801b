"""Tenant restriction headers: right headers on the vendor's hosts, client copies stripped."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from gateway.apps import HeaderEdit, TenantRestrictions, restriction_headers

MS = {"microsoft": {"tenants": ["acme.com", "acme.onmicrosoft.com"],
                    "context": "72f988bf-86f1-41af-91ab-2d7cd011db47", "restrict_msa": True}}
ALL: dict[str, Any] = {
    **MS,
    "google": {"domains": ["acme.com", "acme.co.uk"]},
    "slack": {"requester": "E0123ABC", "workspaces": ["E0123ABC", "T0456DEF"]},
    "dropbox": {"team_ids": ["dbtid:AAC1", "dbtid:AAC2"]},
    "github": {"enterprises": ["12345", "67890"]},
    "anthropic": {"org_ids": ["0b7a2d4c-1111-2222-3333-444455556666",
                              "6ba7b810-9dad-11d1-80b4-00c04fd430c8"]},
    "chatgpt": {"workspace_ids": ["8f2a51c0-1111-2222-3333-444455556666"]},
}
TR = TenantRestrictions.model_validate(ALL)


@pytest.mark.parametrize("host", [
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net"])
def test_microsoft_login_hosts_get_the_tenant_list_and_context(host: str) -> None:
    edit = restriction_headers(host, TR)
    assert edit.add == (
        ("Restrict-Access-To-Tenants", "acme.com,acme.onmicrosoft.com"),
        ("Restrict-Access-Context", "72f988bf-86f1-41af-91ab-2d7cd011db47"),
    )
    assert edit.remove == ("restrict-access-to-tenants", "restrict-access-context")


def test_personal_microsoft_accounts_are_blocked_on_login_live_com() -> None:
    edit = restriction_headers("login.live.com", TR)
    assert edit.add == (("sec-Restrict-Tenant-Access-Policy", "restrict-msa"),)
    assert edit.remove == ("sec-restrict-tenant-access-policy",)


def test_msa_block_is_off_unless_asked() -> None:
    tr = TenantRestrictions.model_validate(
        {"microsoft": {"tenants": ["acme.com"], "context": "72f988bf"}})
    assert not restriction_headers("login.live.com", tr)


def test_microsoft_tenants_require_the_context_id() -> None:
    with pytest.raises(ValidationError, match="context"):
        TenantRestrictions.model_validate({"microsoft": {"tenants": ["acme.com"]}})


@pytest.mark.parametrize("host", ["google.com", "accounts.google.com", "mail.google.com"])
def test_google_hosts_get_the_allowed_domains(host: str) -> None:
    edit = restriction_headers(host, TR)
    assert edit.add == (("X-GoogApps-Allowed-Domains", "acme.com,acme.co.uk"),)
    assert edit.remove == ("x-googapps-allowed-domains",)


@pytest.mark.parametrize("host", ["slack.com", "acme.slack.com", "app.slack.com"])
def test_slack_hosts_get_requester_and_workspaces(host: str) -> None:
    assert restriction_headers(host, TR).add == (
        ("X-Slack-Allowed-Workspaces-Requester", "E0123ABC"),
        ("X-Slack-Allowed-Workspaces", "E0123ABC,T0456DEF"),
    )


@pytest.mark.parametrize("host", ["dropbox.com", "www.dropbox.com"])
def test_dropbox_hosts_get_the_team_ids(host: str) -> None:
    assert restriction_headers(host, TR).add == (
        ("X-Dropbox-allowed-Team-Ids", "dbtid:AAC1,dbtid:AAC2"),)


@pytest.mark.parametrize("host", ["github.com", "api.github.com", "api.githubcopilot.com"])
def test_github_hosts_get_the_enterprise_ids(host: str) -> None:
    assert restriction_headers(host, TR).add == (
        ("sec-GitHub-allowed-enterprise", "12345, 67890"),)


def test_github_allows_at_most_twenty_enterprises() -> None:
    with pytest.raises(ValidationError):
        TenantRestrictions.model_validate(
            {"github": {"enterprises": [str(i) for i in range(21)]}})


@pytest.mark.parametrize("host", ["claude.ai", "api.anthropic.com"])
def test_anthropic_hosts_get_org_ids_without_spaces(host: str) -> None:
    assert restriction_headers(host, TR).add == ((
        "anthropic-allowed-org-ids",
        "0b7a2d4c-1111-2222-3333-444455556666,6ba7b810-9dad-11d1-80b4-00c04fd430c8"),)


@pytest.mark.parametrize("host", ["chatgpt.com", "chat.openai.com"])
def test_chatgpt_hosts_get_the_workspace_id(host: str) -> None:
    assert restriction_headers(host, TR).add == (
        ("ChatGPT-Allowed-Workspace-Id", "8f2a51c0-1111-2222-3333-444455556666"),)


@pytest.mark.parametrize("host", [
    "example.com", "evil-slack.com", "slack.com.evil.net", "notgoogle.com", "github.io",
    "login.live.com.example", "api.openai.com", "outlook.office.com"])
def test_unrelated_hosts_get_nothing(host: str) -> None:
    assert restriction_headers(host, TR) == HeaderEdit()


def test_unconfigured_provider_leaves_its_hosts_alone() -> None:
    tr = TenantRestrictions.model_validate({"google": {"domains": ["acme.com"]}})
    assert restriction_headers("acme.slack.com", tr) == HeaderEdit()
    assert restriction_headers("login.microsoftonline.com", tr) == HeaderEdit()
    assert restriction_headers("login.microsoftonline.com", TenantRestrictions()) == HeaderEdit()


def test_spoofed_client_header_is_listed_for_removal_in_any_case() -> None:
    """The addon drops every client copy (names compare lower-cased) before adding ours."""
    client = [("X-GOOGAPPS-ALLOWED-DOMAINS", "consumer_accounts"), ("accept", "*/*")]
    edit = restriction_headers("Accounts.Google.com.", TR)
    kept = [(k, v) for k, v in client if k.lower() not in edit.remove]
    assert kept == [("accept", "*/*")]
    assert edit.add == (("X-GoogApps-Allowed-Domains", "acme.com,acme.co.uk"),)


@pytest.mark.parametrize("bad", ["acme.com,evil.com", "acme.com evil", "a\r\nX-Injected: 1", ""])
def test_values_cannot_smuggle_separators_or_headers(bad: str) -> None:
    with pytest.raises(ValidationError):
        TenantRestrictions.model_validate({"google": {"domains": [bad]}})


def test_configuration_is_frozen_and_strict() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        TenantRestrictions.model_validate({"box": {"enterprise_ids": ["1"]}})
    with pytest.raises(ValidationError):
        TR.google = None

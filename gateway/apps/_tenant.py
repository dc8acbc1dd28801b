"""Tenant restriction by header injection: the vendor, not the proxy, refuses other tenants.

Each provider names the hosts its headers go to and how its values are written (vendor docs:
Microsoft Entra tenant restrictions v1, Google "block access to consumer accounts", Slack
"approve workspaces for your network", Dropbox network control, GitHub "restricting access
to GitHub.com using a corporate proxy", Claude "tenant restrictions", ChatGPT workspace id).
Any copy of a provider's headers sent by the client is removed first, so a user cannot
pre-load a header that widens the list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Values go verbatim into a header: no separators, spaces or line breaks.
Value = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+=-]*$", max_length=200)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MicrosoftRestriction(_Model):
    """Entra ID tenant restrictions v1 and the consumer (MSA) block."""

    tenants: list[Value] = Field(default_factory=list)
    """Permitted tenants: verified domains or tenant ids."""
    context: Value | None = None
    """Your own directory (tenant) id, for Microsoft's logs; required with ``tenants``."""
    restrict_msa: bool = False
    """Block personal Microsoft accounts (``login.live.com``)."""

    @model_validator(mode="after")
    def _context_with_tenants(self) -> MicrosoftRestriction:
        if self.tenants and self.context is None:
            raise ValueError("context (your directory id) is required when tenants are given")
        if not self.tenants and self.context is not None:
            raise ValueError("context is only sent together with tenants")
        return self


class GoogleRestriction(_Model):
    domains: list[Value] = Field(min_length=1)
    """Google Workspace domains allowed to sign in (``consumer_accounts`` allows gmail.com)."""


class SlackRestriction(_Model):
    requester: Value
    """Your workspace or Enterprise Grid org id (one id)."""
    workspaces: list[Value] = Field(min_length=1)
    """Workspace and org ids users may sign in to."""


class DropboxRestriction(_Model):
    team_ids: list[Value] = Field(min_length=1)


class GitHubRestriction(_Model):
    enterprises: list[Value] = Field(min_length=1, max_length=20)
    """Enterprise ids from the enterprise's authentication security settings (GitHub: <= 20)."""


class AnthropicRestriction(_Model):
    org_ids: list[Value] = Field(min_length=1)
    """Claude organization UUIDs."""


class ChatGPTRestriction(_Model):
    workspace_ids: list[Value] = Field(min_length=1)


class TenantRestrictions(_Model):
    """The ``tenant_restrictions:`` section of a policy pack; every provider is optional."""

    microsoft: MicrosoftRestriction | None = None
    google: GoogleRestriction | None = None
    slack: SlackRestriction | None = None
    dropbox: DropboxRestriction | None = None
    github: GitHubRestriction | None = None
    anthropic: AnthropicRestriction | None = None
    chatgpt: ChatGPTRestriction | None = None


@dataclass(frozen=True, slots=True)
class HeaderEdit:
    """Apply ``remove`` (lower-case names, any case on the wire) first, then ``add``."""

    remove: tuple[str, ...] = ()
    add: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.remove or self.add)


Pairs = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class _Rule:
    hosts: tuple[str, ...]
    """Exact names, or ``*.suffix`` (subdomains only)."""
    headers: tuple[str, ...]
    build: Callable[[TenantRestrictions], Pairs]

    def applies(self, host: str) -> bool:
        for h in self.hosts:
            if h.startswith("*."):
                if host.endswith(h[1:]):
                    return True
            elif host == h:
                return True
        return False


def _microsoft_login(tr: TenantRestrictions) -> Pairs:
    m = tr.microsoft
    if m is None or not m.tenants or m.context is None:
        return []
    return [("Restrict-Access-To-Tenants", ",".join(m.tenants)),
            ("Restrict-Access-Context", m.context)]


def _microsoft_msa(tr: TenantRestrictions) -> Pairs:
    m = tr.microsoft
    if m is None or not m.restrict_msa:
        return []
    return [("sec-Restrict-Tenant-Access-Policy", "restrict-msa")]


def _google(tr: TenantRestrictions) -> Pairs:
    g = tr.google
    return [] if g is None else [("X-GoogApps-Allowed-Domains", ",".join(g.domains))]


def _slack(tr: TenantRestrictions) -> Pairs:
    s = tr.slack
    if s is None:
        return []
    return [("X-Slack-Allowed-Workspaces-Requester", s.requester),
            ("X-Slack-Allowed-Workspaces", ",".join(s.workspaces))]


def _dropbox(tr: TenantRestrictions) -> Pairs:
    d = tr.dropbox
    return [] if d is None else [("X-Dropbox-allowed-Team-Ids", ",".join(d.team_ids))]


def _github(tr: TenantRestrictions) -> Pairs:
    g = tr.github
    # GitHub documents the multi-enterprise form as "ID1, ID2, ..." (comma and space).
    return [] if g is None else [("sec-GitHub-allowed-enterprise", ", ".join(g.enterprises))]


def _anthropic(tr: TenantRestrictions) -> Pairs:
    a = tr.anthropic
    # Anthropic: comma-delimited UUIDs, no spaces.
    return [] if a is None else [("anthropic-allowed-org-ids", ",".join(a.org_ids))]


def _chatgpt(tr: TenantRestrictions) -> Pairs:
    c = tr.chatgpt
    return [] if c is None else [("ChatGPT-Allowed-Workspace-Id", ",".join(c.workspace_ids))]


_MS_LOGIN: Final = ("login.microsoftonline.com", "login.microsoft.com", "login.windows.net")

RULES: Final[tuple[_Rule, ...]] = (
    _Rule(_MS_LOGIN, ("Restrict-Access-To-Tenants", "Restrict-Access-Context"), _microsoft_login),
    _Rule(("login.live.com",), ("sec-Restrict-Tenant-Access-Policy",), _microsoft_msa),
    _Rule(("google.com", "*.google.com"), ("X-GoogApps-Allowed-Domains",), _google),
    _Rule(("slack.com", "*.slack.com"),
          ("X-Slack-Allowed-Workspaces-Requester", "X-Slack-Allowed-Workspaces"), _slack),
    _Rule(("dropbox.com", "*.dropbox.com"), ("X-Dropbox-allowed-Team-Ids",), _dropbox),
    _Rule(("github.com", "api.github.com", "*.githubcopilot.com"),
          ("sec-GitHub-allowed-enterprise",), _github),
    _Rule(("claude.ai", "*.claude.ai", "anthropic.com", "*.anthropic.com"),
          ("anthropic-allowed-org-ids",), _anthropic),
    _Rule(("chatgpt.com", "chat.openai.com"), ("ChatGPT-Allowed-Workspace-Id",), _chatgpt),
)
"""Provider hosts and headers, in the order headers are added."""


def restriction_headers(host: str, tr: TenantRestrictions) -> HeaderEdit:
    """Headers to strip from and add to a request for ``host`` under ``tr``.

    A provider's headers are stripped only when that provider is configured (and adds
    headers for this host); unconfigured providers leave client traffic untouched.
    """
    host = host.lower().rstrip(".")
    remove: list[str] = []
    add: Pairs = []
    for rule in RULES:
        if not rule.applies(host):
            continue
        pairs = rule.build(tr)
        if pairs:
            remove.extend(h.lower() for h in rule.headers)
            add.extend(pairs)
    return HeaderEdit(remove=tuple(remove), add=tuple(add))

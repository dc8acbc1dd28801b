"""The whole configuration as one frozen pydantic tree: YAML file, then ``CASB_*`` overrides.

Environment overrides use ``__`` for nesting and YAML for values, so
``CASB_LISTEN__PORT=8081`` and ``CASB_POLICY__PACKS='[default, pci-dss]'`` both work.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from gateway import yamlsrc
from gateway.dlp import Limits
from gateway.errors import ConfigError

ENV_PREFIX = "CASB_"
_NOT_SETTINGS = frozenset({"CASB_CONFIG", "CASB_HS_CACHE"})
"""``CASB_*`` variables that are not configuration keys (the file; the Hyperscan cache)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListenConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    mode: tuple[str, ...] = ("regular",)
    """mitmproxy mode specs: regular, transparent, upstream:URL, wireguard, socks5, ..."""


class AdminConfig(_Model):
    host: str = "127.0.0.1"
    port: int = Field(9090, ge=0, le=65535)
    """0 picks a free port (tests); the port actually used is printed at startup."""


class IdentityConfig(_Model):
    proxyauth: str | None = None
    """mitmproxy proxyauth spec: ``@/path/htpasswd`` or ``ldap[s]:host:port:dn:pass:subtree``."""
    ip_map: dict[str, str] = Field(default_factory=dict)
    """CIDR -> user, used when proxy authentication is off. Most specific network wins."""
    directory: Path | None = None
    """YAML file: ``users: {alice: [finance, admins]}``."""

    @field_validator("ip_map")
    @classmethod
    def _cidrs(cls, v: dict[str, str]) -> dict[str, str]:
        for net in v:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as e:
                raise ValueError(f"not a network in CIDR form: {net!r}") from e
        return v


class AuditConfig(_Model):
    file: Path | None = Path("audit.jsonl")
    """JSON-lines file, rotated by size. ``null`` turns the file sink off."""
    stdout: bool = False
    max_bytes: int = Field(100 * 1024 * 1024, ge=1024)
    backups: int = Field(10, ge=0, le=1000)
    hmac_key: SecretStr | None = None
    """Key for the keyed hashes of findings; generated into certs_dir on first run if unset."""


class PolicyConfig(_Model):
    dir: Path = Path("policies")
    packs: tuple[str, ...] = ("ai-apps", "default")
    """Policy packs (by their ``name``) enforced, in this order; first matching rule wins."""
    reload_interval: float = Field(2.0, ge=0)
    """Seconds between checks of the policy directory; 0 turns hot reload off."""


class DlpConfig(_Model):
    limits: Limits = Limits()
    scan_responses: bool = True
    scan_queries: bool = True
    """Scan a request's query string (as a form) where a content rule applies."""
    private_addresses: bool = True
    """IP detectors report private, loopback and link-local addresses too (False: only
    globally routable ones)."""
    detectors_file: Path | None = None
    """Override the shipped detector table (for testing a new detector)."""


class PortalConfig(_Model):
    host: str = "casb.gateway.internal"
    brand_name: str = "casb-gateway"
    support_contact: str | None = None
    accent_color: str = Field("#1f4e79", pattern=r"^#[0-9a-fA-F]{6}$")


class TotpConfig(_Model):
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha1"
    digits: Literal[6, 8] = 6
    period: int = Field(30, ge=15, le=120)
    window: int = Field(1, ge=0, le=3)
    """Steps accepted either side of now (clock drift)."""
    issuer: str | None = None
    """Shown in authenticator apps; default: the portal brand name."""


class WebAuthnConfig(_Model):
    user_verification: Literal["required", "preferred", "discouraged"] = "preferred"
    """``required``: only authenticators that verified the user (PIN, fingerprint, face)."""
    challenge_ttl: int = Field(300, ge=30, le=3600)
    """Seconds a registration or sign-in challenge stays usable (once)."""
    rp_name: str | None = None
    """Relying party name shown by the browser; default: the portal brand name."""


class SmtpConfig(_Model):
    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    """Upgrade with STARTTLS before authenticating (the certificate is checked)."""
    cafile: Path | None = None
    """CA bundle for the SMTP server's certificate; default: the system's."""
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = Field(10.0, gt=0, le=120)


class EmailConfig(_Model):
    smtp: SmtpConfig
    from_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    subject: str = "Your verification code"
    code_ttl: int = Field(600, ge=30, le=3600)
    digits: int = Field(6, ge=6, le=10)
    resend_interval: int = Field(30, ge=0, le=3600)
    """Seconds between two codes sent to the same user."""
    max_per_hour: int = Field(5, ge=1, le=100)


class MfaConfig(_Model):
    self_enrollment: bool = False
    """Without it, a first enrollment needs a code from ``casb mfa invite USER``."""
    key_file: Path | None = None
    """AES-256-GCM key sealing factor secrets; default: generated ``<certs_dir>/mfa.key``."""
    max_failures: int = Field(10, ge=1, le=100)
    """Consecutive failed codes before the account is locked for ``lockout_seconds``."""
    lockout_seconds: int = Field(900, ge=1, le=86400)
    failure_delay: float = Field(0.5, ge=0, le=10)
    """Delay after the first failure, doubling with each further one (progressive)."""
    max_failure_delay: float = Field(8.0, ge=0, le=60)
    invite_ttl: int = Field(7 * 86400, ge=60, le=90 * 86400)
    return_ttl: int = Field(900, ge=60, le=86400)
    """How long a pending step-up (the way back to the original page) stays usable."""
    budget: float = Field(1.0, gt=0, le=30)
    """Longest a request waits for MFA and risk state before failing closed."""
    totp: TotpConfig = TotpConfig()
    webauthn: WebAuthnConfig = WebAuthnConfig()
    email: EmailConfig | None = None
    """E-mail one-time codes; off unless an SMTP server is configured."""


class RiskResponse(_Model):
    at: int = Field(ge=1, le=100)
    """Score at or above which the response is taken (once per hold period)."""
    revoke_grants: bool = False
    block_seconds: int = Field(0, ge=0, le=7 * 86400)


class RiskConfig(_Model):
    enabled: bool = True
    weights: dict[str, int] = Field(default_factory=dict)
    """Override signal weights (0-100): new_device, new_network, off_hours, dlp_findings,
    mfa_failures, upload_volume, risky_app."""
    half_life: float = Field(3600.0, gt=0)
    """Seconds after which a signal weighs half."""
    work_hours: tuple[int, int] = (7, 20)
    """Local hours [start, end) that are not off-hours."""
    timezone: str = "UTC"
    risky_app_min: int = Field(70, ge=0, le=100)
    """Catalog app risk at or above which use is a signal."""
    upload_factor: float = Field(5.0, gt=1)
    upload_floor_bytes: int = Field(50 * 1024 * 1024, ge=0)
    responses: tuple[RiskResponse, ...] = ()


class StoreConfig(_Model):
    url: str | None = None
    """``redis://``, ``rediss://``, ``redis+sentinel://`` or ``sqlite:///path``.
    Unset: ``sqlite:///<certs_dir>/state.db``."""
    timeout: float = Field(0.25, gt=0, le=30)


class VaultPkcs11Config(_Model):
    module: Path = Path("/usr/lib/softhsm/libsofthsm2.so")
    """The PKCS#11 library of the HSM (SoftHSM2's by default)."""
    token_label: str
    pin: SecretStr
    """The user PIN; prefer ``CASB_VAULT__PKCS11__PIN`` to writing it in the file."""
    key_label: str = "casb-vault-kek"
    """Label of the non-extractable AES-256 key-encryption key on the token."""
    create_key: bool = True
    """Create the KEK on the token (non-extractable) when no key has the label."""
    retry_after: float = Field(2.0, ge=0, le=300)
    """Seconds to fail fast after an HSM error before trying the token again."""


class VaultConfig(_Model):
    key_provider: Literal["file", "pkcs11"] = "file"
    key_file: Path | None = None
    """The KEK file (0600) of the ``file`` provider; default ``<certs_dir>/vault-kek.key``."""
    pkcs11: VaultPkcs11Config | None = None
    data_key_cache_seconds: float = Field(300.0, ge=0, le=86400)
    """How long an unwrapped data key stays in memory; 0 asks the provider every time."""
    owner_only: bool = True
    """Random tokens detokenize only for the user they were issued to (deterministic tokens
    are shared by design: the policy alone decides who sees their values)."""

    @model_validator(mode="after")
    def _provider_settings(self) -> VaultConfig:
        if self.key_provider == "pkcs11" and self.pkcs11 is None:
            raise ValueError("key_provider pkcs11 needs a pkcs11: section (token_label, pin)")
        return self


class GatewayConfig(_Model):
    listen: ListenConfig = ListenConfig()
    admin: AdminConfig = AdminConfig()
    certs_dir: Path = Path("certs")
    catalog_file: Path | None = None
    identity: IdentityConfig = IdentityConfig()
    audit: AuditConfig = AuditConfig()
    policy: PolicyConfig = PolicyConfig()
    dlp: DlpConfig = DlpConfig()
    portal: PortalConfig = PortalConfig()
    store: StoreConfig = StoreConfig()
    mfa: MfaConfig = MfaConfig()
    risk: RiskConfig = RiskConfig()
    vault: VaultConfig = VaultConfig()
    mitmproxy: dict[str, Any] = Field(default_factory=dict)
    """Extra mitmproxy options, as ``--set`` would give them."""

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{(self.certs_dir / 'state.db').resolve()}"


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name in _NOT_SETTINGS:
            continue
        path = [p.lower() for p in name[len(ENV_PREFIX):].split("__")]
        try:
            value = yaml.safe_load(raw) if raw != "" else None
        except yaml.YAMLError as e:
            raise ConfigError(f"not a valid YAML value: {raw!r}", file=f"${name}") from e
        node = out
        for part in path[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise ConfigError("conflicts with another CASB_ variable", file=f"${name}")
            node = nxt
        node[path[-1]] = value
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(merged.get(k), dict):
            merged[k] = _merge(merged[k], v)
        else:
            merged[k] = v
    return merged


def load_config(
    path: str | Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> GatewayConfig:
    """Build the configuration: file (if any), then ``CASB_*`` variables, then CLI overrides.

    Errors name the file (or variable), line and field, never a traceback.
    """
    env = os.environ if environ is None else environ
    path = path or env.get("CASB_CONFIG") or None
    source = yamlsrc.Source("<defaults>", {})
    if path is not None:
        source = yamlsrc.load_file(path)
        if source.data is None:
            source.data = {}
        if not isinstance(source.data, dict):
            raise ConfigError("the top level must be a mapping", file=str(path), line=1)
    data = source.data
    env_data = _env_overrides(env)
    if env_data:
        data = _merge(data, env_data)
    if overrides:
        data = _merge(data, overrides)
    # Validate the file alone first, so a file error names its line; then the merged whole.
    if path is not None:
        yamlsrc.validate(GatewayConfig, source)
    where = yamlsrc.Source("CASB_* environment / command line", data)
    return yamlsrc.validate(GatewayConfig, where)

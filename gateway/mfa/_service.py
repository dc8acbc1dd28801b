"""MFA state in the store: factors, invitations, grants, the way back, brute-force limits.

Every method is synchronous and bounded by the store's timeout; the proxy calls them from a
worker thread (``asyncio.to_thread``) so the event loop never waits on the store.

Keys (under the store's namespace; user names are percent-quoted so ``:`` cannot collide):

    mfa:u:USER                 the user's factors (JSON; TOTP secret sealed with AES-GCM)
    mfa:pend:USER              a TOTP secret shown during enrollment, not yet confirmed (TTL)
    mfa:inv:USER               keyed hash of a one-time enrollment code (TTL)
    mfa:bk:USER:HASH           one unused backup code each (keyed hash; deleting = using)
    mfa:used:USER:STEP         a TOTP time step already accepted (set only if absent, TTL)
    mfa:fail:USER              consecutive failures; mfa:lock:USER while locked (TTL)
    mfa:wait:USER              progressive delay: no attempt is checked before it expires
    mfa:epoch:USER             revocation epoch; a grant counts only with the current one
    mfa:g:USER:DEVICE:SCOPE    a verified grant (JSON, TTL = its maximum age)
    mfa:ret:ID                 a pending step-up: original URL, scope, strength (TTL)
    mfa:cret:ID                a pending coach page: original URL, rule, app, decision (TTL)
    mfa:ack:USER:DEVICE:RULE   a coach acknowledgement (JSON, TTL = the rule's ttl)
    mfa:wac:USER:PURPOSE:CHAL  a WebAuthn challenge issued (TTL; deleting it = using it)
    mfa:em:c:USER              keyed hash of the last e-mailed code (TTL; deleting = using)
    mfa:em:gap:USER            no new e-mail code before it expires
    mfa:em:n:USER              e-mail codes sent in the current hour

WebAuthn credentials (id, public key, sign counter) live in the user's record; a counter
update is a compare-and-set on that record, so two gateways cannot both accept one count.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import quote

from gateway.config import MfaConfig
from gateway.errors import DeliveryError, Locked, StoreError, TooSoon, WebAuthnRefused
from gateway.mfa import _webauthn as wa
from gateway.mfa._crypto import Sealer
from gateway.mfa._email import mask_address, send_code
from gateway.mfa._totp import TotpParams, matching_step, new_secret, provisioning_uri
from gateway.state import Store

Strength = Literal["any", "phishing_resistant"]
Method = Literal["totp", "backup", "webauthn", "email"]
METHOD_STRENGTH: dict[str, Strength] = {"totp": "any", "backup": "any", "email": "any",
                                        "webauthn": "phishing_resistant"}
"""Strength a verified method gives a grant: only WebAuthn (bound to the portal's origin by
the browser) satisfies rules asking for ``phishing_resistant``."""
BACKUP_CODES = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _q(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    failures: int = 0
    """Consecutive failures after this attempt (0 after a success)."""
    locked: bool = False
    delay: float = 0.0
    """Seconds the caller should wait before answering a failure (progressive)."""
    reason: str | None = None
    """Why a WebAuthn attempt was refused (for the audit event, never shown to the user)."""


@dataclass(frozen=True, slots=True)
class PendingStepUp:
    """Where to send the user back to after verification, and what the grant must be."""

    id: str
    url: str
    user: str
    device: str
    scope: str
    strength: Strength
    max_age: int
    decision_id: str
    app_name: str

    def to_json(self) -> bytes:
        return json.dumps({k: getattr(self, k) for k in self.__slots__}).encode()


@dataclass(frozen=True, slots=True)
class PendingCoach:
    """A coach page shown: where to send the user back to, and what they acknowledge."""

    id: str
    url: str
    user: str
    device: str
    rule: str
    ttl: int
    decision_id: str
    app_name: str
    app_id: str | None
    activity: str
    message: str
    justification: bool

    def to_json(self) -> bytes:
        return json.dumps({k: getattr(self, k) for k in self.__slots__}).encode()


@dataclass(frozen=True, slots=True)
class Grant:
    strength: Strength
    method: str
    issued_at: float
    epoch: int


@dataclass(frozen=True, slots=True)
class Status:
    user: str
    methods: tuple[str, ...]
    backup_codes_left: int
    failures: int
    locked_for: float | None
    grants: tuple[str, ...]
    invited: bool


@dataclass
class UserRecord:
    totp: dict[str, Any] | None = None
    webauthn: list[dict[str, Any]] = field(default_factory=list)
    """Registered credentials: id and public key (base64url), sign_count, name, created."""
    email: dict[str, Any] | None = None
    """``{"address": ...}``, set by an admin (never by the user at the portal)."""

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(m for m, on in (("totp", self.totp), ("webauthn", self.webauthn),
                                     ("email", self.email)) if on)

    def to_json(self) -> bytes:
        return json.dumps({"totp": self.totp, "webauthn": self.webauthn, "email": self.email},
                          sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | None) -> UserRecord:
        if raw is None:
            return cls()
        data = json.loads(raw)
        return cls(totp=data.get("totp"), webauthn=list(data.get("webauthn") or []),
                   email=data.get("email"))


class _Refused(Exception):
    """An attempt fails for a reason worth recording (WebAuthn)."""


class MfaService:
    """Factors, grants and limits for every user, kept in the shared store."""

    def __init__(self, store: Store, config: MfaConfig, sealer: Sealer, *,
                 issuer: str, rp_id: str = "casb.gateway.internal",
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.config = config
        self.sealer = sealer
        self.issuer = config.totp.issuer or issuer
        self.params = TotpParams(config.totp.algorithm, config.totp.digits, config.totp.period)
        self.rp = wa.RelyingParty(rp_id, config.webauthn.rp_name or issuer,
                                  config.webauthn.user_verification)
        self.clock = clock
        self.on_failure: Callable[[str, str, int], None] | None = None
        """Called as ``(user, method, consecutive failures)`` after each failed attempt (the
        engine notes it as a risk signal)."""

    # -- the user's record -------------------------------------------------------------
    def record(self, user: str) -> UserRecord:
        return UserRecord.from_json(self.store.get(f"mfa:u:{_q(user)}"))

    def _update(self, user: str, change: Callable[[UserRecord], None]) -> UserRecord:
        key = f"mfa:u:{_q(user)}"
        for _ in range(20):
            raw = self.store.get(key)
            rec = UserRecord.from_json(raw)
            change(rec)
            if self.store.compare_and_set(key, raw, rec.to_json()):
                return rec
        raise StoreError("the MFA record kept changing; try again")

    def enrolled(self, user: str) -> bool:
        return bool(self.record(user).methods)

    # -- invitations -------------------------------------------------------------------
    def invite(self, user: str) -> str:
        """A one-time enrollment code for ``user`` (replaces an earlier one)."""
        code = "-".join(secrets.token_hex(3) for _ in range(3))
        self.store.set(f"mfa:inv:{_q(user)}",
                       self.sealer.digest(code, purpose="invite", user=user).encode(),
                       ttl=self.config.invite_ttl)
        return code

    def invited(self, user: str) -> bool:
        return self.store.get(f"mfa:inv:{_q(user)}") is not None

    def _invite_ok(self, user: str, code: str) -> bool:
        stored = self.store.get(f"mfa:inv:{_q(user)}")
        want = self.sealer.digest(code.strip().lower(), purpose="invite", user=user).encode()
        return stored is not None and secrets.compare_digest(stored, want)

    def may_enroll(self, user: str) -> Literal["yes", "needs_invite", "enrolled"]:
        if self.enrolled(user):
            return "enrolled"
        return "yes" if self.config.self_enrollment else "needs_invite"

    # -- TOTP ---------------------------------------------------------------------------
    def begin_totp(self, user: str) -> tuple[str, str]:
        """A new secret, kept sealed as pending until a code from it is confirmed."""
        key = f"mfa:pend:{_q(user)}"
        raw = self.store.get(key)
        if raw is not None:
            secret = self.sealer.open(raw.decode(), purpose="totp-pending", user=user).decode()
        else:
            secret = new_secret(self.params)
            self.store.set(key, self.sealer.seal(secret.encode(), purpose="totp-pending",
                                                 user=user).encode(), ttl=self.config.return_ttl)
        return secret, self.uri(user, secret)

    def uri(self, user: str, secret: str) -> str:
        return provisioning_uri(self.params, secret, user=user, issuer=self.issuer)

    def _totp_entry(self, user: str, secret: str) -> dict[str, Any]:
        return {"secret": self.sealer.seal(secret.encode(), purpose="totp", user=user),
                "algorithm": self.params.algorithm, "digits": self.params.digits,
                "period": self.params.period, "created": self.clock()}

    def enroll_totp(self, user: str) -> str:
        """Provision directly (admin): store a new secret and return its otpauth:// URI."""
        secret = new_secret(self.params)
        entry = self._totp_entry(user, secret)
        self._update(user, lambda rec: setattr(rec, "totp", entry))
        return self.uri(user, secret)

    def _check_totp(self, user: str, secret: str, params: TotpParams, code: str) -> bool:
        step = matching_step(params, secret, code, now=self.clock(),
                             window=self.config.totp.window)
        if step is None:
            return False
        # Accepted once only, across every gateway process: the first writer wins.
        return self.store.set(f"mfa:used:{_q(user)}:{step}", b"1", only_if_absent=True,
                              ttl=params.period * (2 * self.config.totp.window + 2))

    def _verify_totp(self, user: str, code: str) -> bool:
        entry = self.record(user).totp
        if not entry:
            return False
        secret = self.sealer.open(entry["secret"], purpose="totp", user=user).decode()
        params = TotpParams(entry["algorithm"], int(entry["digits"]), int(entry["period"]))
        return self._check_totp(user, secret, params, code)

    def _confirm_totp(self, user: str, code: str) -> bool:
        raw = self.store.get(f"mfa:pend:{_q(user)}")
        if raw is None:
            return False
        secret = self.sealer.open(raw.decode(), purpose="totp-pending", user=user).decode()
        if not self._check_totp(user, secret, self.params, code):
            return False
        entry = self._totp_entry(user, secret)
        self._update(user, lambda rec: setattr(rec, "totp", entry))
        self.store.delete(f"mfa:pend:{_q(user)}")
        return True

    # -- backup codes -------------------------------------------------------------------
    def new_backup_codes(self, user: str) -> list[str]:
        """Ten fresh single-use codes (earlier ones stop working); shown once, stored hashed."""
        self.store.delete_prefix(f"mfa:bk:{_q(user)}:")
        codes = []
        for _ in range(BACKUP_CODES):
            raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
            codes.append(f"{raw[:5]}-{raw[5:]}")
            digest = self.sealer.digest(raw, purpose="backup", user=user)
            self.store.set(f"mfa:bk:{_q(user)}:{digest}", b"1")
        return codes

    def backup_codes_left(self, user: str) -> int:
        return len(self.store.keys(f"mfa:bk:{_q(user)}:"))

    def _use_backup(self, user: str, code: str) -> bool:
        raw = code.strip().lower().replace("-", "").replace(" ", "")
        if len(raw) != 10:
            return False
        digest = self.sealer.digest(raw, purpose="backup", user=user)
        return self.store.delete(f"mfa:bk:{_q(user)}:{digest}")  # atomic: used once

    # -- WebAuthn -------------------------------------------------------------------------
    def _user_handle(self, user: str) -> bytes:
        """A stable, opaque user handle (the authenticator never learns the user name)."""
        return bytes.fromhex(self.sealer.token("webauthn-user", user))[:32]

    def webauthn_options(self, user: str, purpose: Literal["register", "authenticate"]) -> str:
        """Options JSON for the browser; its challenge is stored for one use only."""
        ids = [c["id"] for c in self.record(user).webauthn]
        ttl = self.config.webauthn.challenge_ttl
        if purpose == "register":
            challenge, options = wa.registration_options(
                self.rp, user=user, user_handle=self._user_handle(user), exclude=ids,
                timeout_ms=ttl * 1000)
        else:
            challenge, options = wa.authentication_options(self.rp, allow=ids,
                                                           timeout_ms=ttl * 1000)
        self.store.set(self._challenge_key(user, purpose, challenge), b"1", ttl=ttl)
        return options

    def _challenge_key(self, user: str, purpose: str, challenge: bytes) -> str:
        return f"mfa:wac:{_q(user)}:{purpose}:{wa.b64url(challenge)}"

    def _take_challenge(self, user: str, purpose: str, credential_json: str) -> bytes:
        """The challenge this credential answers, consumed: a second use finds nothing."""
        try:
            challenge = wa.client_challenge(credential_json)
        except WebAuthnRefused as e:
            raise _Refused(str(e)) from e
        if len(challenge) > 256 or not self.store.delete(
                self._challenge_key(user, purpose, challenge)):
            raise _Refused("unknown, expired or already used challenge")
        return challenge

    def _register_webauthn(self, user: str, credential_json: str) -> bool:
        challenge = self._take_challenge(user, "register", credential_json)
        try:
            entry = wa.verify_registration(self.rp, credential_json, challenge)
        except WebAuthnRefused as e:
            raise _Refused(str(e)) from e
        entry.update(created=self.clock(), last_used=None,
                     name=f"security key {len(self.record(user).webauthn) + 1}")

        def add(rec: UserRecord) -> None:
            if any(c["id"] == entry["id"] for c in rec.webauthn):
                raise _Refused("credential already registered")
            rec.webauthn.append(entry)
        self._update(user, add)
        return True

    def _verify_webauthn(self, user: str, credential_json: str) -> bool:
        challenge = self._take_challenge(user, "authenticate", credential_json)
        try:
            cid = wa.credential_id(credential_json)
        except WebAuthnRefused as e:
            raise _Refused(str(e)) from e
        stored = next((c for c in self.record(user).webauthn if c["id"] == cid), None)
        if stored is None:
            raise _Refused("credential not registered for this user")
        try:
            count = wa.verify_assertion(self.rp, credential_json, challenge, stored)
        except WebAuthnRefused as e:
            raise _Refused(str(e)) from e
        now = self.clock()

        def bump(rec: UserRecord) -> None:
            for c in rec.webauthn:
                if c["id"] == cid:
                    # Checked again on the record being replaced: another gateway may have
                    # accepted this count (or a higher one) in the meantime.
                    if (count or c["sign_count"]) and count <= int(c["sign_count"]):
                        raise _Refused(f"sign counter {count} did not go above "
                                       f"{c['sign_count']} (cloned authenticator?)")
                    c["sign_count"], c["last_used"] = count, now
                    return
            raise _Refused("credential removed meanwhile")
        self._update(user, bump)
        return True

    # -- e-mail codes -----------------------------------------------------------------------
    def set_email(self, user: str, address: str | None) -> None:
        """Admin: the address e-mail codes go to (None removes the factor)."""
        value = {"address": address} if address else None
        self._update(user, lambda rec: setattr(rec, "email", value))

    def send_email_code(self, user: str) -> str:
        """Send a fresh code (earlier ones stop working) and return the masked address.

        Raises TooSoon when sends are rate-limited, DeliveryError when SMTP fails, and
        LookupError when e-mail codes are off or the user has no address.
        """
        cfg = self.config.email
        address = (self.record(user).email or {}).get("address")
        if cfg is None or not address:
            raise LookupError("e-mail codes are not available for this user")
        u = _q(user)
        if cfg.resend_interval and not self.store.set(
                f"mfa:em:gap:{u}", b"1", ttl=cfg.resend_interval, only_if_absent=True):
            raise TooSoon(self.store.ttl(f"mfa:em:gap:{u}") or cfg.resend_interval)
        if self.store.incr(f"mfa:em:n:{u}", ttl=3600) > cfg.max_per_hour:
            raise TooSoon(self.store.ttl(f"mfa:em:n:{u}") or 3600)
        code = "".join(secrets.choice("0123456789") for _ in range(cfg.digits))
        self.store.set(f"mfa:em:c:{u}",
                       self.sealer.digest(code, purpose="email", user=user).encode(),
                       ttl=cfg.code_ttl)
        try:
            send_code(cfg, to=address, code=code, issuer=self.issuer,
                      minutes=max(1, cfg.code_ttl // 60))
        except DeliveryError:
            self.store.delete(f"mfa:em:c:{u}")
            raise
        return mask_address(address)

    def _use_email_code(self, user: str, code: str) -> bool:
        code = code.strip().replace(" ", "")
        if not (code.isascii() and code.isdigit()):
            return False
        key = f"mfa:em:c:{_q(user)}"
        stored = self.store.get(key)
        want = self.sealer.digest(code, purpose="email", user=user).encode()
        # Compared in constant time, then deleted: of two racing correct attempts, one wins.
        return (stored is not None and secrets.compare_digest(stored, want)
                and self.store.delete(key))

    # -- attempts and brute-force limits -------------------------------------------------
    def check_allowed(self, user: str) -> None:
        """Raise Locked or TooSoon before any code is looked at."""
        ttl = self.store.ttl(f"mfa:lock:{_q(user)}")
        if ttl is not None:
            raise Locked(ttl)
        wait = self.store.ttl(f"mfa:wait:{_q(user)}")
        if wait is not None:
            raise TooSoon(wait)

    def attempt(self, user: str, method: Method, code: str, *,
                invite_code: str | None = None) -> Attempt:
        """Check one code under the account's limits. Raises Locked or TooSoon."""
        self.check_allowed(user)
        ok = invite_code is None or self._invite_ok(user, invite_code)
        reason = None if ok else "wrong enrollment code"
        try:
            if ok:
                if method == "totp":
                    ok = (self._confirm_totp(user, code) if invite_code is not None
                          or not self.record(user).totp else self._verify_totp(user, code))
                elif method == "backup":
                    ok = self._use_backup(user, code)
                elif method == "webauthn":
                    # Registration only as the first factor; an enrolled user adds a key
                    # with add_webauthn, which asks for a current code first.
                    ok = (self._register_webauthn(user, code) if not self.enrolled(user)
                          else self._verify_webauthn(user, code))
                elif method == "email":
                    ok = self._use_email_code(user, code)
                else:
                    ok = False
        except _Refused as e:
            ok, reason = False, str(e)
        if ok:
            self.succeeded(user, consume_invite=invite_code is not None)
            return Attempt(True)
        return replace(self.failed(user, method), reason=reason)

    def add_webauthn(self, user: str, credential_json: str, *, code: str) -> Attempt:
        """An enrolled user adds a WebAuthn credential, proving a current TOTP or backup
        code in the same request. Raises Locked or TooSoon."""
        check = self.attempt(user, "totp" if self.record(user).totp else "backup", code)
        if not check.ok:
            return check
        try:
            if self._register_webauthn(user, credential_json):
                return Attempt(True)
        except _Refused as e:
            return replace(self.failed(user, "webauthn"), reason=str(e))
        return self.failed(user, "webauthn")

    def succeeded(self, user: str, *, consume_invite: bool = False) -> None:
        self.store.delete(f"mfa:fail:{_q(user)}")
        if consume_invite:
            self.store.delete(f"mfa:inv:{_q(user)}")

    def failed(self, user: str, method: str = "totp") -> Attempt:
        cfg = self.config
        n = self.store.incr(f"mfa:fail:{_q(user)}", ttl=max(86400, cfg.lockout_seconds))
        if self.on_failure is not None:
            self.on_failure(user, method, n)
        if n >= cfg.max_failures:
            self.store.set(f"mfa:lock:{_q(user)}", b"1", ttl=cfg.lockout_seconds)
            self.store.delete(f"mfa:fail:{_q(user)}")
            return Attempt(False, failures=n, locked=True)
        delay = min(cfg.failure_delay * 2 ** (n - 1), cfg.max_failure_delay)
        if delay > 0:
            self.store.set(f"mfa:wait:{_q(user)}", b"1", ttl=delay)
        return Attempt(False, failures=n, delay=delay)

    def failures(self, user: str) -> int:
        raw = self.store.get(f"mfa:fail:{_q(user)}")
        return int(raw) if raw else 0

    # -- grants ---------------------------------------------------------------------------
    def _epoch(self, user: str) -> int:
        raw = self.store.get(f"mfa:epoch:{_q(user)}")
        return int(raw) if raw else 0

    def grant(self, user: str, device: str, scope: str, *, method: str, max_age: int) -> None:
        value = json.dumps({"strength": METHOD_STRENGTH[method], "method": method,
                            "issued_at": self.clock(), "epoch": self._epoch(user)}).encode()
        self.store.set(f"mfa:g:{_q(user)}:{_q(device)}:{_q(scope)}", value, ttl=max_age)

    def valid_grant(self, user: str, device: str, scope: str, *, max_age: int,
                    strength: Strength) -> Grant | None:
        raw = self.store.get(f"mfa:g:{_q(user)}:{_q(device)}:{_q(scope)}")
        if raw is None:
            return None
        data = json.loads(raw)
        g = Grant(data["strength"], data["method"], float(data["issued_at"]), int(data["epoch"]))
        if g.epoch != self._epoch(user):
            return None  # revoked
        if self.clock() - g.issued_at > max_age:
            return None
        if strength == "phishing_resistant" and g.strength != "phishing_resistant":
            return None
        return g

    def revoke(self, user: str) -> int:
        """End every grant of ``user`` now, on every node: bump the epoch, then clean up."""
        self.store.incr(f"mfa:epoch:{_q(user)}")
        self.store.delete_prefix(f"mfa:ack:{_q(user)}:")
        return self.store.delete_prefix(f"mfa:g:{_q(user)}:")

    # -- the way back ---------------------------------------------------------------------
    def new_pending(self, *, url: str, user: str, device: str, scope: str, strength: Strength,
                    max_age: int, decision_id: str, app_name: str) -> PendingStepUp:
        p = PendingStepUp(id=secrets.token_urlsafe(18), url=url, user=user, device=device,
                          scope=scope, strength=strength, max_age=max_age,
                          decision_id=decision_id, app_name=app_name)
        self.store.set(f"mfa:ret:{p.id}", p.to_json(), ttl=self.config.return_ttl)
        return p

    def pending(self, ref: str) -> PendingStepUp | None:
        if not ref or len(ref) > 64:
            return None
        raw = self.store.get(f"mfa:ret:{ref}")
        if raw is None:
            return None
        return PendingStepUp(**json.loads(raw))

    def finish(self, pending: PendingStepUp, method: str) -> None:
        """Issue the grant the pending step-up asked for."""
        self.grant(pending.user, pending.device, pending.scope, method=method,
                   max_age=pending.max_age)

    # -- coaching ---------------------------------------------------------------------------
    def new_coach(self, *, url: str, user: str, device: str, rule: str, ttl: int,
                  decision_id: str, app_name: str, app_id: str | None, activity: str,
                  message: str, justification: bool) -> PendingCoach:
        p = PendingCoach(id=secrets.token_urlsafe(18), url=url, user=user, device=device,
                         rule=rule, ttl=ttl, decision_id=decision_id, app_name=app_name,
                         app_id=app_id, activity=activity, message=message,
                         justification=justification)
        self.store.set(f"mfa:cret:{p.id}", p.to_json(), ttl=self.config.return_ttl)
        return p

    def coach_pending(self, ref: str) -> PendingCoach | None:
        if not ref or len(ref) > 64:
            return None
        raw = self.store.get(f"mfa:cret:{ref}")
        if raw is None:
            return None
        return PendingCoach(**json.loads(raw))

    def acknowledge(self, pending: PendingCoach) -> None:
        """Record that the user read the coach page: it covers user, device and rule."""
        value = json.dumps({"issued_at": self.clock(), "epoch": self._epoch(pending.user),
                            "decision_id": pending.decision_id}).encode()
        self.store.set(f"mfa:ack:{_q(pending.user)}:{_q(pending.device)}:{_q(pending.rule)}",
                       value, ttl=pending.ttl)
        self.store.delete(f"mfa:cret:{pending.id}")

    def acknowledged(self, user: str, device: str, rule: str, *, ttl: int) -> bool:
        raw = self.store.get(f"mfa:ack:{_q(user)}:{_q(device)}:{_q(rule)}")
        if raw is None:
            return False
        data = json.loads(raw)
        if int(data.get("epoch", 0)) != self._epoch(user):
            return False  # revoked with the user's grants
        return self.clock() - float(data["issued_at"]) <= ttl

    # -- admin ------------------------------------------------------------------------------
    def reset(self, user: str) -> None:
        """Forget every factor, code, counter and grant of ``user``."""
        u = _q(user)
        self.revoke(user)
        for key in (f"mfa:u:{u}", f"mfa:pend:{u}", f"mfa:inv:{u}", f"mfa:fail:{u}",
                    f"mfa:lock:{u}", f"mfa:wait:{u}", f"mfa:em:c:{u}"):
            self.store.delete(key)
        self.store.delete_prefix(f"mfa:bk:{u}:")
        self.store.delete_prefix(f"mfa:wac:{u}:")
        self.store.delete_prefix(f"mfa:used:{u}:")  # steps of the old secret mean nothing now

    def unlock(self, user: str) -> None:
        for key in (f"mfa:fail:{_q(user)}", f"mfa:lock:{_q(user)}", f"mfa:wait:{_q(user)}"):
            self.store.delete(key)

    def status(self, user: str) -> Status:
        rec = self.record(user)
        grants = tuple(k.split(":", 3)[3] for k in self.store.keys(f"mfa:g:{_q(user)}:"))
        epoch = self._epoch(user)
        live = []
        for g in grants:
            raw = self.store.get(f"mfa:g:{_q(user)}:{g}")
            if raw is not None and int(json.loads(raw)["epoch"]) == epoch:
                live.append(g)
        return Status(user=user, methods=rec.methods,
                      backup_codes_left=self.backup_codes_left(user),
                      failures=self.failures(user),
                      locked_for=self.store.ttl(f"mfa:lock:{_q(user)}"),
                      grants=tuple(live), invited=self.invited(user))

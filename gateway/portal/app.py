"""The portal: the gateway's own pages on a reserved host, served through the proxy.

An ASGI app (starlette). The proxy adapter hands it each request for ``portal.host`` with the
proxy's view of who is asking in ``scope["extensions"]["casb.subject"]``: the portal never
trusts a user name sent by the browser. Store calls run in worker threads.

Pages: ``/`` (status), ``/enroll``, ``/verify``, ``/webauthn/register`` (add a security key),
``/coach`` (a notice to acknowledge, ``action: coach``), backup codes (shown once after
enrollment or ``/backup-codes``), ``/ca.pem`` and ``/ca.der``.
Every form carries a CSRF token bound to a ``__Host-`` cookie. Pages with a WebAuthn ceremony
load ``/static/webauthn.js`` (``script-src 'self'`` on those pages only; no inline script).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import segno
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from gateway import ca
from gateway.audit import AppInfo, AuditEvent, SubjectInfo
from gateway.config import GatewayConfig
from gateway.dlp import Scanner
from gateway.errors import ContentError, StoreError
from gateway.metrics import Metrics
from gateway.mfa import (
    Attempt,
    DeliveryError,
    Locked,
    Method,
    MfaService,
    PendingCoach,
    PendingStepUp,
    TooSoon,
    UserRecord,
)
from gateway.policy import new_decision_id
from gateway.portal._pages import Pages
from gateway.request import Subject

CSRF_COOKIE = "__Host-casb-csrf"
SUBJECT_EXTENSION = "casb.subject"
WEBAUTHN_JS = (Path(__file__).parent / "static" / "webauthn.js").read_bytes()
MAX_JUSTIFICATION = 500
STRONG_ONLY = ("This step accepts only a security key, or this device's fingerprint, face or "
               "screen lock (WebAuthn).")


class PortalDeps(Protocol):
    """What the portal needs from the current engine generation."""

    config: GatewayConfig
    pages: Pages
    mfa: MfaService
    metrics: Metrics
    scanner: Scanner

    def record_event(self, event: AuditEvent) -> None: ...


Handler = Callable[[Request], Awaitable[Response]]


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


class Portal:
    def __init__(self, deps: Callable[[], PortalDeps]) -> None:
        self._deps = deps

    # -- plumbing ------------------------------------------------------------------------------
    @property
    def d(self) -> PortalDeps:
        return self._deps()

    def subject(self, request: Request) -> Subject | None:
        s = request.scope.get("extensions", {}).get(SUBJECT_EXTENSION)
        return s if isinstance(s, Subject) else None

    def headers(self, pending: PendingStepUp | PendingCoach | None = None, *,
                script: bool = False) -> dict[str, str]:
        pages = self.d.pages
        csp = pages.csp + ("; script-src 'self'" if script else "")
        origin = _origin(pending.url) if pending is not None and pending.url else None
        if origin:  # a successful form post redirects there: allow exactly that origin
            csp = csp.replace("form-action 'self'", f"form-action 'self' {origin}")
        h = dict(pages.security_headers())
        h["Content-Security-Policy"] = csp
        # Browsers send "Origin: null" on form posts from a no-referrer page; same-origin keeps
        # the real Origin for our CSRF check and still tells other sites nothing.
        h["Referrer-Policy"] = "same-origin"
        return h

    def csrf_cookie(self, request: Request) -> tuple[str, bool]:
        value = request.cookies.get(CSRF_COOKIE, "")
        if len(value) >= 32:
            return value, False
        return secrets.token_urlsafe(32), True

    def csrf_token(self, cookie: str, user: str) -> str:
        return self.d.mfa.sealer.token("csrf", cookie, user)

    def csrf_ok(self, request: Request, form: Any, user: str) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = str(form.get("csrf", ""))
        origin = request.headers.get("origin")
        if origin is not None and origin != f"https://{self.d.config.portal.host}":
            return False
        return len(cookie) >= 32 and secrets.compare_digest(sent, self.csrf_token(cookie, user))

    def page(self, request: Request, template: str, *, status: int = 200,
             pending: PendingStepUp | PendingCoach | None = None, decision_id: str | None = None,
             user: str | None = None, script: bool = False, **context: Any) -> Response:
        cookie, new = self.csrf_cookie(request)
        csrf = self.csrf_token(cookie, user) if user else ""
        html = self.d.pages.render(template, decision_id or (
            pending.decision_id if pending else new_decision_id()), csrf=csrf,
            pending=pending, portal_host=self.d.config.portal.host, script=script, **context)
        resp = Response(html, status_code=status, media_type="text/html; charset=utf-8",
                        headers=self.headers(pending, script=script))
        if new:
            resp.set_cookie(CSRF_COOKIE, cookie, path="/", secure=True, httponly=True,
                            samesite="strict")
        return resp

    def message(self, request: Request, title: str, text: str, *, status: int,
                pending: PendingStepUp | PendingCoach | None = None) -> Response:
        return self.page(request, "message.html", status=status, pending=pending,
                         title=title, text=text)

    def failed(self, s: Subject, action: str, method: str, attempt: Attempt) -> None:
        """Count and record a failed attempt (the engine already noted the risk signal)."""
        self.d.metrics.mfa_attempts.labels(method, "failed").inc()
        self.audit(s, action, method=method, failures=attempt.failures,
                   locked=attempt.locked, reason=attempt.reason)

    def audit(self, subject: Subject, action: str, **detail: Any) -> None:
        self.d.record_event(AuditEvent(
            kind="mfa", action=action,
            subject=SubjectInfo(user=subject.user, client_ip=subject.client_ip,
                                device_id=subject.device_id, source=subject.source),
            detail=detail))

    def guard(self, handler: Handler) -> Handler:
        """Plain http goes to https (``__Host-`` cookies need it); store errors are a 503."""
        async def run(request: Request) -> Response:
            if str(request.scope.get("scheme", "")).lower() != "https":
                url = f"https://{self.d.config.portal.host}{request.scope.get('path', '/')}"
                return RedirectResponse(url, status_code=308)
            try:
                return await handler(request)
            except StoreError:
                self.d.metrics.store_failures.labels("portal").inc()
                return self.message(request, "Temporarily unavailable",
                                    "The gateway cannot check verifications right now. "
                                    "Please try again in a moment.", status=503)
        return run

    @staticmethod
    async def _ref(request: Request) -> str:
        """The pending record a page is for: ``r`` of a posted form, else of the query."""
        ref = str(request.query_params.get("r") or "")
        if request.method == "POST":
            form = await request.form()
            ref = str(form.get("r") or ref)
        return ref

    async def _pending(self, request: Request, user: str) -> PendingStepUp | None:
        ref = await self._ref(request)
        p = await run_in_threadpool(self.d.mfa.pending, ref) if ref else None
        return p if p is not None and p.user == user else None

    async def _visit(
        self, request: Request,
    ) -> tuple[Subject, str, PendingStepUp | None] | Response:
        """Who is on a factor page, and the step-up they came for (if it is theirs)."""
        s = self._who(request)
        if isinstance(s, Response):
            return s
        user = s.user or ""
        return s, user, await self._pending(request, user)

    async def _enrolled(
        self, request: Request,
    ) -> tuple[Subject, str, PendingStepUp | None, UserRecord] | Response:
        """:meth:`_visit` for pages that need a factor: a user without one goes to enroll."""
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        s, user, pending = visit
        record = await run_in_threadpool(self.d.mfa.record, user)
        if not record.methods:
            return self._moved("/enroll", pending)
        return s, user, pending, record

    @staticmethod
    def _moved(path: str, pending: PendingStepUp | None) -> Response:
        """To another factor page, keeping the step-up the visitor came for."""
        return RedirectResponse(f"{path}?r={pending.id}" if pending else path, status_code=303)

    def _who(self, request: Request) -> Subject | Response:
        s = self.subject(request)
        if s is None or s.user is None:
            return self.message(request, "We do not know who you are",
                                "The gateway could not tell which user this browser belongs "
                                "to, so it cannot verify you. Contact your IT team.",
                                status=403)
        return s

    # -- pages ---------------------------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        s = self.subject(request)
        status = None
        if s is not None and s.user is not None:
            status = await run_in_threadpool(self.d.mfa.status, s.user)
        return self.page(request, "home.html", user=s.user if s else None, mfa=status)

    async def script(self, request: Request) -> Response:
        h = self.headers()
        h["Cache-Control"] = "no-cache"
        return Response(WEBAUTHN_JS, media_type="text/javascript; charset=utf-8", headers=h)

    async def ca_file(self, request: Request) -> Response:
        der = request.url.path.endswith(".der")
        data = await run_in_threadpool(ca.export_ca, self.d.config.certs_dir,
                                       "der" if der else "pem")
        media = "application/x-x509-ca-cert" if der else "application/x-pem-file"
        h = self.headers()
        h["Content-Disposition"] = f'attachment; filename="casb-ca.{"der" if der else "crt"}"'
        return Response(data, media_type=media, headers=h)

    async def verify(self, request: Request) -> Response:
        visit = await self._enrolled(request)
        if isinstance(visit, Response):
            return visit
        s, user, pending, record = visit
        mfa = self.d.mfa
        if request.method == "GET":
            return await self.verify_page(request, user, pending, record.methods)
        form = await request.form()
        if not self.csrf_ok(request, form, user):
            return self.message(request, "Form expired", "Reload the page and try again.",
                                status=403, pending=pending)
        method = str(form.get("method") or "totp")
        if method == "email-send":
            return await self.send_email(request, user, pending, record.methods)
        if method not in ("totp", "backup", "webauthn", "email"):
            method = "totp"
        if pending is not None and pending.strength == "phishing_resistant" \
                and method != "webauthn":
            return await self.verify_page(request, user, pending, record.methods, status=400,
                                          error=STRONG_ONLY)
        code = str(form.get("credential" if method == "webauthn" else "code") or "")
        try:
            attempt = await run_in_threadpool(mfa.attempt, user, method, code)  # type: ignore[arg-type]
        except (Locked, TooSoon) as e:
            return await self.refused(request, user, pending, record.methods, e)
        if not attempt.ok:
            self.failed(s, "verify_failed", method, attempt)
            if attempt.locked:
                return await self.refused(request, user, pending, record.methods,
                                          Locked(mfa.config.lockout_seconds))
            await asyncio.sleep(attempt.delay)
            error = ("That did not work: use a security key or passkey registered for your "
                     "account." if method == "webauthn"
                     else "That code was not accepted. Try again.")
            return await self.verify_page(request, user, pending, record.methods, status=400,
                                          error=error)
        self.d.metrics.mfa_attempts.labels(method, "ok").inc()
        return await self.succeed(request, s, pending, method)

    async def send_email(self, request: Request, user: str, pending: PendingStepUp | None,
                         methods: tuple[str, ...]) -> Response:
        try:
            masked = await run_in_threadpool(self.d.mfa.send_email_code, user)
        except TooSoon as e:
            return await self.verify_page(
                request, user, pending, methods, status=429,
                error=f"A code was sent recently: wait {max(1, round(e.retry_after))} "
                      "seconds before asking for another.")
        except LookupError:
            return await self.verify_page(request, user, pending, methods, status=400,
                                          error="E-mail codes are not set up for you.")
        except DeliveryError:
            self.d.metrics.mfa_attempts.labels("email", "undelivered").inc()
            return await self.verify_page(request, user, pending, methods, status=503,
                                          error="The code could not be sent. Try another "
                                                "way, or again in a moment.")
        subject = self.subject(request)
        if subject is not None:
            self.audit(subject, "email_code_sent", to=masked)
        return await self.verify_page(request, user, pending, methods, email_sent=masked)

    async def succeed(self, request: Request, s: Subject, pending: PendingStepUp | None,
                      method: str) -> Response:
        mfa = self.d.mfa
        if pending is not None:
            await run_in_threadpool(mfa.finish, pending, method)
            await run_in_threadpool(mfa.store.delete, f"mfa:ret:{pending.id}")
        self.audit(s, "verified", method=method,
                   scope=pending.scope if pending else None,
                   decision_id=pending.decision_id if pending else None)
        if pending is not None and pending.url:
            return RedirectResponse(pending.url, status_code=303,
                                    headers=self.headers(pending))
        return self.page(request, "done.html", user=s.user, pending=pending)

    async def verify_page(self, request: Request, user: str, pending: PendingStepUp | None,
                          methods: tuple[str, ...], *, status: int = 200,
                          error: str | None = None, email_sent: str | None = None) -> Response:
        """The factors this step can use; a WebAuthn challenge is issued for this page."""
        options = None
        if "webauthn" in methods:
            options = await run_in_threadpool(self.d.mfa.webauthn_options, user,
                                              "authenticate")
        strong = pending is not None and pending.strength == "phishing_resistant"
        email = "email" in methods and self.d.config.mfa.email is not None
        return self.page(request, "verify.html", status=status, pending=pending, user=user,
                         methods=methods, error=error, strong=strong, email=email,
                         email_sent=email_sent, webauthn_options=options,
                         script=options is not None)

    async def refused(self, request: Request, user: str, pending: PendingStepUp | None,
                      methods: tuple[str, ...], e: Locked | TooSoon) -> Response:
        if isinstance(e, Locked):
            minutes = max(1, round(e.retry_after / 60))
            return await self.verify_page(
                request, user, pending, methods, status=429,
                error=f"Too many wrong codes. Verification is locked for about {minutes} "
                      "minute(s). Contact your IT team if this was not you.")
        return await self.verify_page(request, user, pending, methods, status=429,
                                      error="Please wait a moment before trying again.")

    async def enroll(self, request: Request) -> Response:
        visit = await self._visit(request)
        if isinstance(visit, Response):
            return visit
        s, user, pending = visit
        mfa = self.d.mfa
        may = await run_in_threadpool(mfa.may_enroll, user)
        if may == "enrolled":
            return self._moved("/verify", pending)
        needs_invite = may == "needs_invite"
        if request.method == "GET":
            return await self.enroll_page(request, user, pending, needs_invite)
        form = await request.form()
        if not self.csrf_ok(request, form, user):
            return self.message(request, "Form expired", "Reload the page and try again.",
                                status=403, pending=pending)
        invite = str(form.get("invite") or "") if needs_invite else None
        method: Method = "webauthn" if form.get("method") == "webauthn" else "totp"
        code = str(form.get("credential" if method == "webauthn" else "code") or "")
        try:
            attempt = await run_in_threadpool(mfa.attempt, user, method, code,
                                              invite_code=invite)
        except (Locked, TooSoon) as e:
            return await self.enroll_page(request, user, pending, needs_invite, status=429,
                                          error="Too many wrong codes: please wait "
                                          f"{max(1, round(e.retry_after))} seconds.")
        if not attempt.ok:
            self.failed(s, "enroll_failed", method, attempt)
            await asyncio.sleep(attempt.delay)
            what = "the security key" if method == "webauthn" else "the code from your app"
            return await self.enroll_page(request, user, pending, needs_invite, status=400,
                                          error="That was not accepted. Check the enrollment "
                                          f"code and {what}.")
        self.d.metrics.mfa_attempts.labels("enroll", "ok").inc()
        codes = await run_in_threadpool(mfa.new_backup_codes, user)
        if pending is not None:
            await run_in_threadpool(mfa.finish, pending, method)
            await run_in_threadpool(mfa.store.delete, f"mfa:ret:{pending.id}")
        self.audit(s, "enrolled", method=method, invited=needs_invite)
        return self.page(request, "backup_codes.html", user=user, pending=pending,
                         codes=codes, enrolled=True)

    async def enroll_page(self, request: Request, user: str, pending: PendingStepUp | None,
                          needs_invite: bool, *, status: int = 200,
                          error: str | None = None) -> Response:
        """Both ways in: an authenticator app (TOTP) or a security key / passkey."""
        mfa = self.d.mfa
        secret, uri = await run_in_threadpool(mfa.begin_totp, user)
        options = await run_in_threadpool(mfa.webauthn_options, user, "register")
        qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
        grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        return self.page(request, "enroll.html", status=status, pending=pending, user=user,
                         secret=grouped, qr=qr, needs_invite=needs_invite, error=error,
                         digits=mfa.params.digits, webauthn_options=options, script=True,
                         strong=pending is not None
                         and pending.strength == "phishing_resistant")

    async def add_webauthn(self, request: Request) -> Response:
        """An enrolled user adds a security key or passkey, with a current code."""
        visit = await self._enrolled(request)
        if isinstance(visit, Response):
            return visit
        s, user, pending, record = visit
        mfa = self.d.mfa
        if request.method == "GET":
            return await self.register_page(request, user, pending, bool(record.totp))
        form = await request.form()
        if not self.csrf_ok(request, form, user):
            return self.message(request, "Form expired", "Reload the page and try again.",
                                status=403, pending=pending)
        try:
            attempt = await run_in_threadpool(
                lambda: mfa.add_webauthn(user, str(form.get("credential") or ""),
                                         code=str(form.get("code") or "")))
        except (Locked, TooSoon) as e:
            return await self.register_page(request, user, pending, bool(record.totp),
                                            status=429, error="Too many failures: please "
                                            f"wait {max(1, round(e.retry_after))} seconds.")
        if not attempt.ok:
            self.failed(s, "webauthn_add_failed", "webauthn", attempt)
            await asyncio.sleep(attempt.delay)
            return await self.register_page(request, user, pending, bool(record.totp),
                                            status=400, error="That was not accepted. Check "
                                            "the code and try the key again.")
        self.d.metrics.mfa_attempts.labels("webauthn_add", "ok").inc()
        self.audit(s, "webauthn_added")
        # A grant comes from signing in with the new key, not from registering it.
        return self._moved("/verify", pending)

    async def register_page(self, request: Request, user: str, pending: PendingStepUp | None,
                            has_totp: bool, *, status: int = 200,
                            error: str | None = None) -> Response:
        options = await run_in_threadpool(self.d.mfa.webauthn_options, user, "register")
        return self.page(request, "webauthn_add.html", status=status, pending=pending,
                         user=user, has_totp=has_totp, error=error, webauthn_options=options,
                         script=True)

    async def backup_codes(self, request: Request) -> Response:
        """New backup codes, after a fresh verification (a code from the user's app)."""
        s = self._who(request)
        if isinstance(s, Response):
            return s
        user = s.user or ""
        mfa = self.d.mfa
        record = await run_in_threadpool(mfa.record, user)
        if request.method == "GET" or not record.totp:
            left = await run_in_threadpool(mfa.backup_codes_left, user)
            return self.page(request, "backup_new.html", user=user, left=left,
                             has_totp=bool(record.totp))
        form = await request.form()
        if not self.csrf_ok(request, form, user):
            return self.message(request, "Form expired", "Reload the page and try again.",
                                status=403)
        try:
            attempt = await run_in_threadpool(mfa.attempt, user, "totp",
                                              str(form.get("code") or ""))
        except (Locked, TooSoon):
            return self.message(request, "Please wait", "Too many wrong codes; try later.",
                                status=429)
        if not attempt.ok:
            await asyncio.sleep(attempt.delay)
            left = await run_in_threadpool(mfa.backup_codes_left, user)
            return self.page(request, "backup_new.html", user=user, left=left, has_totp=True,
                             error="That code was not accepted.", status=400)
        codes = await run_in_threadpool(mfa.new_backup_codes, user)
        self.audit(s, "backup_codes_renewed")
        return self.page(request, "backup_codes.html", user=user, codes=codes, enrolled=False)

    async def coach(self, request: Request) -> Response:
        """The notice of a ``coach`` rule: Continue records an acknowledgement (with the
        justification, when the rule asks for one) and goes back; Cancel grants nothing."""
        s = self._who(request)
        if isinstance(s, Response):
            return s
        user = s.user or ""
        ref = await self._ref(request)
        form = await request.form() if request.method == "POST" else None
        pending = await run_in_threadpool(self.d.mfa.coach_pending, ref) if ref else None
        if pending is None or pending.user != user:
            return self.message(request, "This notice has expired",
                                "Go back and open the page again.", status=404)
        if form is None:
            return self.coach_page(request, user, pending)
        if not self.csrf_ok(request, form, user):
            return self.message(request, "Form expired", "Reload the page and try again.",
                                status=403, pending=pending)
        justification = " ".join(str(form.get("justification") or "").split())
        if form.get("choice") == "cancel":
            await run_in_threadpool(self.d.mfa.store.delete, f"mfa:cret:{pending.id}")
            self.coach_audit(s, pending, "cancelled")
            return self.message(request, "Not continued",
                                f"Nothing was opened in {pending.app_name}. You can close "
                                "this page or go back.", status=200, pending=pending)
        if pending.justification and not justification:
            return self.coach_page(request, user, pending, status=400,
                                   error="Please give a short business justification.")
        if len(justification) > MAX_JUSTIFICATION:
            return self.coach_page(request, user, pending, status=400,
                                   justification=justification[:MAX_JUSTIFICATION],
                                   error=f"Please keep the justification to "
                                         f"{MAX_JUSTIFICATION} characters.")
        await run_in_threadpool(self.d.mfa.acknowledge, pending)
        self.coach_audit(s, pending, "acknowledged",
                         justification=self.masked(justification) if justification else None)
        if pending.url:
            return RedirectResponse(pending.url, status_code=303,
                                    headers=self.headers(pending))
        return self.message(request, "Thank you",
                            f"You can now retry what you were doing in {pending.app_name}.",
                            status=200, pending=pending)

    def coach_page(self, request: Request, user: str, pending: PendingCoach, *,
                   status: int = 200, error: str | None = None,
                   justification: str = "") -> Response:
        return self.page(request, "coach.html", status=status, pending=pending, user=user,
                         error=error, justification=justification,
                         max_justification=MAX_JUSTIFICATION)

    def masked(self, text: str) -> str:
        """User-written text for the audit log, with anything a detector finds masked: people
        paste what they should not, and the audit log never holds a detected value in clear."""
        try:
            return self.d.scanner.redact(text.encode(), content_type="text/plain; charset=utf-8",
                                         content_encoding=None).decode()
        except ContentError:
            return "[withheld: could not be checked for sensitive data]"

    def coach_audit(self, subject: Subject, pending: PendingCoach, action: str,
                    **detail: Any) -> None:
        self.d.record_event(AuditEvent(
            kind="coach", action=action, decision_id=pending.decision_id, rule=pending.rule,
            subject=SubjectInfo(user=subject.user, client_ip=subject.client_ip,
                                device_id=subject.device_id, source=subject.source),
            app=AppInfo(id=pending.app_id, name=pending.app_name, activity=pending.activity),
            detail={"ttl": pending.ttl, **{k: v for k, v in detail.items() if v is not None}}))

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.message(request, "Not found", "There is no such page here.", status=404)


def portal_app(deps: Callable[[], PortalDeps]) -> Starlette:
    """The portal ASGI app; ``deps`` returns the current engine generation."""
    p = Portal(deps)
    g = p.guard
    routes = [
        Route("/", g(p.home)),
        Route("/verify", g(p.verify), methods=["GET", "POST"]),
        Route("/enroll", g(p.enroll), methods=["GET", "POST"]),
        Route("/backup-codes", g(p.backup_codes), methods=["GET", "POST"]),
        Route("/webauthn/register", g(p.add_webauthn), methods=["GET", "POST"]),
        Route("/coach", g(p.coach), methods=["GET", "POST"]),
        Route("/static/webauthn.js", g(p.script)),
        Route("/ca.pem", g(p.ca_file)),
        Route("/ca.der", g(p.ca_file)),
    ]
    return Starlette(routes=routes, exception_handlers={404: p.not_found})

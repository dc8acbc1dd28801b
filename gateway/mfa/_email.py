"""E-mail one-time codes sent through the configured SMTP server (stdlib smtplib)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from gateway.config import EmailConfig
from gateway.errors import DeliveryError


def mask_address(address: str) -> str:
    """``a***@example.com``: enough for the user to recognise, little for an onlooker."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def send_code(cfg: EmailConfig, *, to: str, code: str, issuer: str, minutes: int) -> None:
    """Send one code; STARTTLS (certificate checked) before any credentials go out."""
    msg = EmailMessage()
    msg["From"] = cfg.from_address
    msg["To"] = to
    msg["Subject"] = cfg.subject
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Your {issuer} verification code is {code}\n\n"
        f"It works once, for {minutes} minute(s). If you did not ask for it, tell your IT "
        "security team: someone may know your password.\n")
    smtp = cfg.smtp
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as s:
            if smtp.starttls:
                ctx = ssl.create_default_context(
                    cafile=str(smtp.cafile) if smtp.cafile else None)
                s.starttls(context=ctx)
            if smtp.username:
                password = smtp.password.get_secret_value() if smtp.password else ""
                s.login(smtp.username, password)
            s.send_message(msg)
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryError(f"the code could not be sent: {type(e).__name__}: {e}") from e

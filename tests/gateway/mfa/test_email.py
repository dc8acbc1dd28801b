"""E-mail one-time codes through a real SMTP server: aiosmtpd on loopback, with STARTTLS (its
certificate checked against a test CA) and AUTH, capturing every message it accepts."""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gateway.config import EmailConfig, MfaConfig
from gateway.mfa import DeliveryError, MfaService, Sealer, TooSoon
from tests.conftest import OpenStore
from tests.redis_server import free_port

KEY = os.urandom(32)
USER, PASSWORD = "gateway", "s3cret-smtp"
CODE = re.compile(r"verification code is (\d+)")


def loopback_pki(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "smtp")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "smtp.pem", directory / "smtp.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and data.login == USER.encode()
              and data.password == PASSWORD.encode())
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)

    def code(self, index: int = -1) -> str:
        m = CODE.search(self.messages[index].get_payload())  # type: ignore[arg-type]
        assert m is not None
        return m.group(1)


@dataclass
class Smtp:
    port: int
    ca: Path
    box: Mailbox


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Smtp]:
    ca, cert, key = loopback_pki(tmp_path_factory.mktemp("smtp-pki"))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=tls,
                            require_starttls=True, authenticator=box.authenticate,
                            auth_required=True, auth_require_tls=True)
    controller.start()
    yield Smtp(port, ca, box)
    controller.stop()


def email_config(smtp: Smtp, **over: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "starttls": True,
                 "cafile": str(smtp.ca), "username": USER, "password": PASSWORD,
                 "timeout": 5},
        "from_address": "security@example.com", "resend_interval": 0}
    cfg.update(over)
    return cfg


def service(open_shared: OpenStore, email: dict[str, Any]) -> MfaService:
    config = MfaConfig(failure_delay=0, email=EmailConfig.model_validate(email))
    s = MfaService(open_shared(), config, Sealer(KEY), issuer="Example Corp")
    s.set_email("alice", "alice.liddell@example.com")
    return s


def test_a_code_is_sent_over_starttls_with_login_stored_hashed_and_works_once(
        open_shared: OpenStore, smtp: Smtp) -> None:
    s = service(open_shared, email_config(smtp, code_ttl=120))
    sent = len(smtp.box.messages)
    assert s.send_email_code("alice") == "a***@example.com"
    assert len(smtp.box.messages) == sent + 1 and smtp.box.logins[-1] == USER
    msg = smtp.box.messages[-1]
    assert msg["To"] == "alice.liddell@example.com"
    assert msg["From"] == "security@example.com"
    assert msg["Subject"] == "Your verification code"
    code = smtp.box.code()
    assert len(code) == 6
    (key,) = s.store.keys("mfa:em:c:")
    assert code.encode() not in (s.store.get(key) or b"")
    ttl = s.store.ttl(key)
    assert ttl is not None and 0 < ttl <= 120
    assert s.record("alice").methods == ("email",)
    assert not s.attempt("alice", "email", "1" * 6 if code != "1" * 6 else "2" * 6).ok
    assert s.attempt("alice", "email", code).ok
    assert not s.attempt("alice", "email", code).ok  # single use


def test_a_new_code_replaces_the_last_one(open_shared: OpenStore, smtp: Smtp) -> None:
    s = service(open_shared, email_config(smtp))
    s.send_email_code("alice")
    first = smtp.box.code()
    s.send_email_code("alice")
    second = smtp.box.code()
    if first != second:
        assert not s.attempt("alice", "email", first).ok
    assert s.attempt("alice", "email", second).ok


def test_sends_are_rate_limited_per_user(open_shared: OpenStore, smtp: Smtp) -> None:
    s = service(open_shared, email_config(smtp, resend_interval=30))
    sent = len(smtp.box.messages)
    s.send_email_code("alice")
    with pytest.raises(TooSoon) as e:
        s.send_email_code("alice")
    assert 0 < e.value.retry_after <= 30
    s = service(open_shared, email_config(smtp, max_per_hour=2))
    s.store.delete_prefix("mfa:em:")
    s.send_email_code("alice")
    s.send_email_code("alice")
    with pytest.raises(TooSoon):
        s.send_email_code("alice")
    assert len(smtp.box.messages) == sent + 3


def test_smtp_failures_are_delivery_errors_and_leave_no_usable_code(
        open_shared: OpenStore, smtp: Smtp) -> None:
    wrong_password = email_config(smtp)
    wrong_password["smtp"] = {**wrong_password["smtp"], "password": "nope", "timeout": 2}
    s = service(open_shared, wrong_password)
    with pytest.raises(DeliveryError):
        s.send_email_code("alice")
    assert s.store.keys("mfa:em:c:") == []
    untrusted = email_config(smtp)
    untrusted["smtp"] = {**untrusted["smtp"], "cafile": None}
    with pytest.raises(DeliveryError, match=r"CERTIFICATE_VERIFY_FAILED|SSL"):
        service(open_shared, untrusted).send_email_code("alice")
    closed = email_config(smtp)
    closed["smtp"] = {**closed["smtp"], "port": free_port()}
    with pytest.raises(DeliveryError):
        service(open_shared, closed).send_email_code("alice")


def test_no_code_without_an_address_or_without_smtp(open_shared: OpenStore, smtp: Smtp) -> None:
    s = service(open_shared, email_config(smtp))
    with pytest.raises(LookupError):
        s.send_email_code("bob")
    off = MfaService(s.store, MfaConfig(), Sealer(KEY), issuer="x")
    with pytest.raises(LookupError):
        off.send_email_code("alice")


def test_the_smtp_password_is_a_secret_in_the_configuration(smtp: Smtp) -> None:
    cfg = EmailConfig.model_validate(email_config(smtp))
    assert PASSWORD not in repr(cfg) and PASSWORD not in str(cfg.model_dump())

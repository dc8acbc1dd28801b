"""The interception CA, in the file layout mitmproxy reads (``<confdir>/mitmproxy-ca.pem``).

A company CA is installed by placing its key and certificate in ``mitmproxy-ca.pem`` (key first,
then certificate, then any chain) and the certificate alone in ``mitmproxy-ca-cert.pem``.
Without one, the first start generates a fresh CA here so that `casb ca export` works before
the proxy has ever run.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from gateway.errors import ConfigError

BASENAME = "mitmproxy"


def ca_paths(certs_dir: Path) -> tuple[Path, Path]:
    return certs_dir / f"{BASENAME}-ca.pem", certs_dir / f"{BASENAME}-ca-cert.pem"


def _generate(org: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{org} interception CA"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
    ])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=2))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def ensure_ca(certs_dir: Path, org: str = "casb-gateway") -> Path:
    """Create the CA if the directory has none; return the path of the certificate (PEM)."""
    key_file, cert_file = ca_paths(certs_dir)
    if key_file.exists():
        if not cert_file.exists():
            certs = x509.load_pem_x509_certificates(key_file.read_bytes())
            cert_file.write_bytes(certs[0].public_bytes(serialization.Encoding.PEM))
        return cert_file
    try:
        certs_dir.mkdir(parents=True, exist_ok=True)
        key_pem, cert_pem = _generate(org)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key_pem + cert_pem)
        cert_file.write_bytes(cert_pem)
    except OSError as e:
        raise ConfigError(f"cannot create the CA in {certs_dir}: {e.strerror}") from e
    return cert_file


def export_ca(certs_dir: Path, fmt: Literal["pem", "der"] = "pem") -> bytes:
    cert_file = ensure_ca(certs_dir)
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    enc = serialization.Encoding.PEM if fmt == "pem" else serialization.Encoding.DER
    return cert.public_bytes(enc)


def fingerprint(certs_dir: Path) -> str:
    cert = x509.load_pem_x509_certificate(ensure_ca(certs_dir).read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def load_or_create_key(path: Path, size: int = 32) -> bytes:
    """A random secret kept in a 0600 file (the audit HMAC key when none is configured)."""
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read key file {path}: {e}") from e
    key = os.urandom(size)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key.hex() + "\n")
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    except OSError as e:
        raise ConfigError(f"cannot create key file {path}: {e.strerror}") from e
    return key

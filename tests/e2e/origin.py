"""A real HTTPS origin on loopback that records what reaches it, with its own test PKI."""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOSTS = [
    "example.org",
    "*.example.org",
    "www.googleapis.com",
    "drive.google.com",
    "content.googleapis.com",
    "accounts.google.com",
    "login.microsoftonline.com",
    "login.live.com",
    "slack.com",
    "*.slack.com",
    "chatgpt.com",
    "claude.ai",
    "pastebin.com",
    "www.dropbox.com",
    "content.dropboxapi.com",
    "github.com",
    "console.aws.amazon.com",
]


def make_pki(directory: Path) -> tuple[Path, Path, Path]:
    """A test CA and an origin certificate for every host the tests route to loopback."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "e2e origin CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "e2e origin")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(h) for h in HOSTS]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = (
        directory / "origin-ca.pem",
        directory / "origin.pem",
        directory / "origin.key",
    )
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class Received:
    method: str
    host: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class Origin:
    port: int
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.received.clear()

    def requests_to(self, path_prefix: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path.startswith(path_prefix)]


CARD_TEXT = b"Customer card on file: 4111 1111 1111 1111, exp 12/29.\n"


def tls_handler(cert_file: Path, key_file: Path, *, timeout: float) -> type[
        BaseHTTPRequestHandler]:
    """A quiet HTTP/1.1 request handler that speaks TLS with the given certificate."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)

    class TLSHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def setup(self) -> None:
            # The TLS handshake runs here, in the connection's own thread: a failed handshake
            # then closes its socket instead of leaking it from accept().
            self.request.settimeout(timeout)
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.request = tls.wrap_socket(self.request, server_side=True)
            except (OSError, ssl.SSLError):
                self.request.close()
                raise
            super().setup()

        def finish(self) -> None:
            try:
                super().finish()
            except OSError:
                pass  # the peer is gone; nothing left to flush
            finally:
                self.request.close()  # the TLS socket; the server closes only the raw one

    return TLSHandler


def serve(cert_file: Path, key_file: Path) -> tuple[Origin, ThreadingHTTPServer]:
    origin_ref: list[Origin] = []

    class Handler(tls_handler(cert_file, key_file, timeout=30)):  # type: ignore[misc]
        def _read_chunked(self) -> bytes:
            """The body of a chunked request; a connection lost before the last chunk raises,
            so an incomplete upload is never recorded as received."""
            out = bytearray()
            while True:
                line = self.rfile.readline()
                if not line.endswith(b"\n"):
                    raise ConnectionError("connection lost inside a chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while (t := self.rfile.readline()) not in (b"\r\n", b"\n"):
                        if not t:
                            raise ConnectionError("connection lost in the trailers")
                    return bytes(out)
                data = self.rfile.read(size)
                if len(data) < size:
                    raise ConnectionError("connection lost inside a chunk")
                out += data
                self.rfile.readline()

        def _handle(self) -> None:
            if "chunked" in self.headers.get("transfer-encoding", "").lower():
                body = self._read_chunked()
            else:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
            rec = Received(
                self.command,
                self.headers.get("host", ""),
                self.path,
                list(self.headers.items()),
                body,
            )
            origin = origin_ref[0]
            with origin.lock:
                origin.received.append(rec)
            extra: list[tuple[str, str]] = []
            if self.path.startswith("/echo") or "echo=1" in self.path:
                out, ctype = body, self.headers.get("content-type", "application/octet-stream")
                if self.headers.get("content-encoding"):
                    extra.append(("Content-Encoding", self.headers["content-encoding"]))
            elif self.path.startswith("/download-card"):
                out, ctype = CARD_TEXT, "text/plain"
            elif self.path.startswith("/altsvc"):
                out, ctype = b"ok", "text/plain"
                extra.append(("Alt-Svc", 'h3=":443"; ma=86400, h3-29=":443", h2=":443"; ma=60'))
            else:
                out = json.dumps({"ok": True, "path": self.path}).encode()
                ctype = "application/json"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(out)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    origin = Origin(server.server_address[1])
    origin_ref.append(origin)
    threading.Thread(target=server.serve_forever, daemon=True, name="origin").start()
    return origin, server

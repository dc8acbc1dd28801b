"""Who is it? Proxy-auth user (mitmproxy's proxyauth ran first), else the client-address map."""

from __future__ import annotations

import hashlib
import weakref

from mitmproxy import connection, http, tls

from addons._flow import SUBJECT, Holder
from addons._guard import guarded

_VOLATILE_EXTENSIONS = frozenset({21, 41, 42})
"""padding, pre_shared_key and early_data come and go between connections of one browser."""


def _tls_fingerprint(hello: tls.ClientHello) -> str:
    """JA4-like: cipher suites and the sorted extension types, GREASE and volatile ones removed.

    Chrome shuffles its extension order on every connection, so order is not part of it.
    """
    def keep(v: int) -> bool:
        return (v & 0x0F0F) != 0x0A0A

    ciphers = "-".join(str(c) for c in hello.cipher_suites if keep(c))
    exts = "-".join(str(t) for t in sorted({t for t, _ in hello.extensions
                                            if keep(t) and t not in _VOLATILE_EXTENSIONS}))
    return hashlib.sha256(f"{ciphers},{exts}".encode()).hexdigest()[:16]


class Identity:
    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        self._tls: weakref.WeakKeyDictionary[connection.Client, str] = (
            weakref.WeakKeyDictionary())

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        self._tls[data.context.client] = _tls_fingerprint(data.client_hello)

    @guarded("identity", "request")
    def requestheaders(self, flow: http.HTTPFlow) -> None:
        auth = flow.metadata.get("proxyauth")
        user = auth[0] if isinstance(auth, tuple) and auth and auth[0] else None
        h = flow.request.headers
        flow.metadata[SUBJECT] = self.holder.engine.identifier.subject(
            client_ip=flow.client_conn.peername[0] if flow.client_conn.peername else "",
            auth_user=user,
            user_agent=h.get("user-agent"),
            tls_fingerprint=self._tls.get(flow.client_conn),
            device_header=h.get("x-casb-device-id"),
        )
        # The device header is an MDM hint for us, not for the origin.
        h.pop("x-casb-device-id", None)

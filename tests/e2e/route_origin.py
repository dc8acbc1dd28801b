"""mitmproxy test addon: send every upstream connection to the loopback origin.

Host header and SNI stay those of the real SaaS host, so the gateway classifies and the origin
certificate is checked exactly as in production; only the TCP destination changes. Once the
connection is up, its address is set back to the SaaS host so that mitmproxy reuses it for the
next request to that host, as it would without this addon.
"""

import os
import weakref

from mitmproxy import connection, http
from mitmproxy.proxy import server_hooks

_HOST, _PORT = os.environ["E2E_ORIGIN"].rsplit(":", 1)
_original: "weakref.WeakKeyDictionary[connection.Server, tuple[str, int]]" = (
    weakref.WeakKeyDictionary())


def server_connect(data: server_hooks.ServerConnectionHookData) -> None:
    if data.server.address is not None:
        _original[data.server] = data.server.address
    data.server.address = (_HOST, int(_PORT))


def server_connected(data: server_hooks.ServerConnectionHookData) -> None:
    if data.server in _original:
        # mitmproxy guards address changes on open connections; this one only relabels it.
        object.__setattr__(data.server, "address", _original.pop(data.server))


def requestheaders(flow: http.HTTPFlow) -> None:
    # Fault injection for the fail-closed test: take away what our hooks rely on.
    if flow.request.pretty_host == "fault.example.org":
        flow.metadata.pop("casb.subject", None)

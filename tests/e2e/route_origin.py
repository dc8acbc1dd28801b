"""mitmproxy test addon: send every upstream connection to the loopback origin.

Host header and SNI stay those of the real SaaS host, so the gateway classifies and the origin
certificate is checked exactly as in production; only the TCP destination changes.
"""

import os

from mitmproxy import http
from mitmproxy.proxy import server_hooks

_HOST, _PORT = os.environ["E2E_ORIGIN"].rsplit(":", 1)


def server_connect(data: server_hooks.ServerConnectionHookData) -> None:
    data.server.address = (_HOST, int(_PORT))


def requestheaders(flow: http.HTTPFlow) -> None:
    # Fault injection for the fail-closed test: take away what our hooks rely on.
    if flow.request.pretty_host == "fault.example.org":
        flow.metadata.pop("casb.subject", None)

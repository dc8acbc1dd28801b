"""casb-gateway engine: pure Python, no mitmproxy import, testable alone."""

"""mitmproxy addons: thin adapters that turn flows into engine calls and apply the verdicts."""

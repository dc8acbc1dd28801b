"""Run every benchmark and print a report.

Usage: python -m bench [proxy] [vault] [dlp-speed] [dlp-quality] [stream-memory] [--seconds N].
"""

from __future__ import annotations

import argparse
import sys

from bench import dlp_quality, dlp_speed, proxy_throughput, stream_memory, vault_bench


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("which", nargs="*", default=["proxy", "vault", "dlp-speed", "dlp-quality",
                                             "stream-memory"],
                   choices=["proxy", "vault", "dlp-speed", "dlp-quality", "stream-memory"])
    p.add_argument("--seconds", type=float, default=8.0, help="measuring time per run")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per proxy")
    args = p.parse_args()
    if "proxy" in args.which:
        proxy_throughput.main(seconds=args.seconds, rounds=args.rounds)
    if "vault" in args.which:
        vault_bench.main(seconds=min(args.seconds, 2.0))
    if "dlp-speed" in args.which:
        dlp_speed.main()
    if "dlp-quality" in args.which:
        dlp_quality.main([])
        dlp_quality.main(["--eval", str(dlp_quality.REALISTIC_FILE)])
    if "stream-memory" in args.which:
        stream_memory.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

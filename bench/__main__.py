"""Run every benchmark and print a report.

Usage: python -m bench [proxy] [vault] [dlp-speed] [dlp-quality] [stream-memory] [--seconds N].
"""

from __future__ import annotations

import argparse
import sys

from bench import dlp_quality, dlp_speed, proxy_throughput, stream_memory, vault_bench


def main() -> int:
    every = ["proxy", "vault", "dlp-speed", "dlp-quality", "stream-memory"]
    p = argparse.ArgumentParser(prog="python -m bench")
    # (no list default: Python 3.12's argparse checks a list default against the choices
    # as one value, and "python -m bench" alone failed)
    p.add_argument("which", nargs="*", choices=every, help="default: all of them")
    p.add_argument("--seconds", type=float, default=8.0, help="measuring time per run")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per proxy")
    args = p.parse_args()
    which = args.which or every
    if "proxy" in which:
        proxy_throughput.main(seconds=args.seconds, rounds=args.rounds)
    if "vault" in which:
        vault_bench.main(seconds=min(args.seconds, 2.0))
    if "dlp-speed" in which:
        dlp_speed.main()
    if "dlp-quality" in which:
        dlp_quality.main([])
        dlp_quality.main(["--eval", str(dlp_quality.REALISTIC_FILE)])
    if "stream-memory" in which:
        stream_memory.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

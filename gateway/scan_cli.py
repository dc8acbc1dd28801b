"""``casb scan`` and ``casb detectors``: the DLP engine offline, for CI and pre-commit.

``casb scan PATH...`` walks files and directories (recursively; ``.git`` directories are
skipped) and runs each file through the same :meth:`Scanner.scan_body` as the proxy, with a
content type guessed from the file name. Output never holds a detected value: only masked
previews. Exit status: 0 nothing at or above ``--fail-on``, 1 found, 2 errors (an unreadable
path, a bad input line), which wins over 1 because the scan is incomplete.

``casb scan --jsonl FILE`` (``-`` for stdin) reads ``{"id": ..., "text": ...}`` lines and
writes ``{"id": ..., "findings": [{"detector", "type", "start", "end", "confidence"}]}``
lines, ``start``/``end`` being Python string offsets into ``text``.
"""

from __future__ import annotations

import argparse
import functools
import json
import mimetypes
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from gateway.config import load_config
from gateway.dlp import Confidence, Finding, Limits, Scanner, load_detectors
from gateway.errors import LimitExceeded

__all__ = ["add_parsers"]

SEVERITIES = ("low", "medium", "high", "critical")
_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})
# text formats mimetypes does not know everywhere
_EXTRA_TYPES = {".jsonl": "application/json", ".ndjson": "application/json",
                ".yaml": "text/yaml", ".yml": "text/yaml", ".env": "text/plain",
                ".log": "text/plain", ".md": "text/markdown", ".toml": "text/plain",
                ".ini": "text/plain", ".cfg": "text/plain", ".conf": "text/plain"}


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Register ``scan`` and ``detectors`` on the ``casb`` parser."""
    s = sub.add_parser("scan", help="scan files, directories or JSON lines for sensitive data")
    common(s)
    s.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")
    s.add_argument("--jsonl", metavar="FILE",
                   help='JSON lines {"id", "text"} in, findings with offsets out ("-": stdin)')
    s.add_argument("--format", choices=("text", "json"), default="text",
                   help="output for PATH scans (default: text)")
    s.add_argument("--fail-on", choices=SEVERITIES, default="high",
                   help="exit 1 when a finding of this severity or above is found")
    s.add_argument("--min-confidence", choices=("low", "medium", "high"), default="low",
                   help="report findings at or above this confidence (default: low)")
    s.add_argument("--detectors-file", metavar="FILE",
                   help="detector table (default: the configured or shipped one)")
    s.set_defaults(func=cmd_scan)

    d = sub.add_parser("detectors", help="list the DLP detectors")
    common(d)
    d.add_argument("--json", action="store_true", help="one JSON document")
    d.add_argument("--detectors-file", metavar="FILE")
    d.set_defaults(func=cmd_detectors)


def _scanner(args: argparse.Namespace) -> Scanner:
    cfg = load_config(args.config)
    path = Path(args.detectors_file) if args.detectors_file else cfg.dlp.detectors_file
    mtime = path.stat().st_mtime_ns if path is not None else 0
    return _build(str(path) if path else None, mtime, cfg.dlp.limits.model_dump_json())


@functools.lru_cache(maxsize=4)
def _build(path: str | None, _mtime_ns: int, limits_json: str) -> Scanner:
    """Compile a detector table once per process (Hyperscan compilation takes seconds).

    Keyed by path and modification time, so an edited table is compiled again. The keyed
    hashes of findings are not printed, so a throw-away HMAC key is enough.
    """
    return Scanner.build(load_detectors(path), hmac_key=os.urandom(32),
                         limits=Limits.model_validate_json(limits_json))


# -- casb detectors ---------------------------------------------------------------------


def cmd_detectors(args: argparse.Namespace) -> int:
    detectors = _scanner(args).detectors
    rows: list[dict[str, Any]] = [
        {"id": d.id, "name": d.name, "category": d.category, "severity": d.severity,
         "countries": list(d.countries), "validator": d.validator,
         "keywords_required": d.keywords_required or any(
             d.requires_keywords(i) for i in range(len(d.patterns)))}
        for d in detectors
    ]
    if args.json:
        json.dump({"detectors": rows}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"{'id':28} {'category':12} {'severity':9} {'countries':16} name")
    for r in rows:
        countries = ",".join(r["countries"]) or "-"
        print(f"{r['id']:28} {r['category']:12} {r['severity']:9} {countries:16} {r['name']}")
    print(f"{len(rows)} detectors")
    return 0


# -- casb scan --------------------------------------------------------------------------


def _walk(paths: Sequence[str], errors: list[str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            yield path
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                for name in sorted(files):
                    yield Path(root) / name
        else:
            errors.append(f"{raw}: no such file or directory")


def _content_type(path: Path) -> str | None:
    extra = _EXTRA_TYPES.get(path.suffix.lower())
    if extra:
        return extra
    guessed, _encoding = mimetypes.guess_type(path.name)
    return guessed


def _finding_json(f: Finding, severity: str) -> dict[str, Any]:
    return {"detector": f.detector, "name": f.name, "category": f.category,
            "severity": severity, "confidence": f.confidence.name.lower(),
            "location": f.location, "masked": f.masked, "validator": f.validator,
            "context": f.context}


def cmd_scan(args: argparse.Namespace) -> int:
    if bool(args.jsonl) == bool(args.paths):
        print("casb: give PATH arguments or --jsonl FILE (one of them)", file=sys.stderr)
        return 2
    scanner = _scanner(args)
    if args.jsonl:
        if args.jsonl == "-":
            return _scan_jsonl(scanner, sys.stdin, "<stdin>")
        with open(args.jsonl, encoding="utf-8") as f:
            return _scan_jsonl(scanner, f, args.jsonl)
    return _scan_paths(scanner, args)


def _scan_paths(scanner: Scanner, args: argparse.Namespace) -> int:
    severity = {d.id: d.severity for d in scanner.detectors}
    fail_rank = SEVERITIES.index(args.fail_on)
    min_conf = Confidence.parse(args.min_confidence)
    max_bytes = scanner.limits.max_body_bytes
    errors: list[str] = []
    files: list[dict[str, Any]] = []
    failed = False
    for path in _walk(args.paths, errors):
        entry: dict[str, Any] = {"path": str(path), "findings": [], "file_type": None,
                                 "unscannable": None}
        try:
            size = path.stat().st_size
            if size > max_bytes:
                entry["unscannable"] = "too_large"
            else:
                result = scanner.scan_body(path.read_bytes(), content_type=_content_type(path),
                                           content_encoding=None)
                entry["file_type"] = result.file_type
                entry["unscannable"] = result.unscannable
                entry["findings"] = [_finding_json(f, severity[f.detector])
                                     for f in result.findings if f.confidence >= min_conf]
        except OSError as e:
            errors.append(f"{path}: {e.strerror or e}")
            continue
        failed = failed or any(SEVERITIES.index(f["severity"]) >= fail_rank
                               for f in entry["findings"])
        files.append(entry)
    total = sum(len(f["findings"]) for f in files)
    if args.format == "json":
        json.dump({"files": files, "errors": errors,
                   "summary": {"files": len(files), "findings": total,
                               "fail_on": args.fail_on, "failed": failed}},
                  sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for entry in files:
            for f in entry["findings"]:
                print(f"{entry['path']}: {f['severity'].upper()} {f['detector']} "
                      f"({f['category']}, confidence {f['confidence']}) at {f['location']}: "
                      f"{f['masked']}")
            if entry["unscannable"]:
                print(f"{entry['path']}: not fully scanned: {entry['unscannable']}")
        print(f"{len(files)} file(s) scanned, {total} finding(s)"
              + (f"; at or above {args.fail_on}: yes" if failed else ""))
    for err in errors:
        print(f"casb: {err}", file=sys.stderr)
    if errors:
        return 2
    return 1 if failed else 0


def _scan_jsonl(scanner: Scanner, lines: IO[str], name: str) -> int:
    category = {d.id: d.category for d in scanner.detectors}
    status = 0
    out = sys.stdout
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as e:
            print(f"casb: {name}:{n}: {e}", file=sys.stderr)
            status = 2
            continue
        try:
            spans = scanner.scan_spans(rec["text"])
        except LimitExceeded as e:
            print(f"casb: {name}:{n}: {e}", file=sys.stderr)
            status = 2
            continue
        findings = [{"detector": f.detector, "type": category[f.detector], "start": start,
                     "end": end, "confidence": f.confidence.name.lower()}
                    for f, start, end in spans]
        out.write(json.dumps({"id": rec.get("id"), "findings": findings},
                             ensure_ascii=False) + "\n")
    return status

"""DLP engine: declarative detectors, bounded body decoding, Hyperscan scanning, redaction.

Typical use::

    scanner = Scanner.build(load_detectors(), hmac_key=key)
    result = scanner.scan_body(raw, content_type=ct, content_encoding=ce)

``scan_body`` never raises for bad content (it sets ``unscannable``); policy decides what
an unscannable body means. Findings hold masked previews and keyed hashes, never values.
"""

from __future__ import annotations

from ._allow import TEST_VALUES, AllowList
from ._limits import Limits
from ._mask import mask
from ._model import (
    DETECTOR_CATEGORIES,
    Confidence,
    Detector,
    load_detectors,
    public_addresses_only,
)
from ._scanner import Finding, Scanner, ScanResult
from ._sniff import sniff_file_type
from ._stream import StreamScan

__all__ = [
    "DETECTOR_CATEGORIES",
    "TEST_VALUES",
    "AllowList",
    "Confidence",
    "Detector",
    "Finding",
    "Limits",
    "ScanResult",
    "Scanner",
    "StreamScan",
    "load_detectors",
    "mask",
    "public_addresses_only",
    "sniff_file_type",
]

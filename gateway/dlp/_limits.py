"""Budgets for one body: what stops decompression bombs and pathological documents."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Limits"]

MiB = 1024 * 1024


class Limits(BaseModel):
    """Per-body limits; every one, when exceeded, makes the body ``unscannable``.

    ``max_ratio`` only applies once the decoded output passes ``ratio_floor_bytes``: small
    but very repetitive JSON legitimately compresses past 100:1, bombs need volume.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_body_bytes: int = Field(default=32 * MiB, ge=1)
    """Encoded (on the wire) body size."""
    max_decoded_bytes: int = Field(default=64 * MiB, ge=1)
    """Output of any decoding layer."""
    max_ratio: int = Field(default=100, ge=1)
    """Decoded bytes per encoded byte."""
    ratio_floor_bytes: int = Field(default=1 * MiB, ge=0)
    max_depth: int = Field(default=4, ge=1)
    """Stacked content encodings."""
    max_parts: int = Field(default=200_000, ge=1)
    """Multipart parts, form fields or JSON nodes."""
    max_matches: int = Field(default=100_000, ge=1)
    """Raw pattern matches per scan: each costs Python work, so a match flood is a budget."""
    stream_threshold: int = Field(default=1 * MiB, ge=0)
    """Bodies larger than this (or of unknown length) are scanned while they stream."""
    stream_window: int = Field(default=256 * 1024, ge=4096)
    """Recent bytes a streamed scan keeps to validate a match and read its context."""
    max_archive_depth: int = Field(default=3, ge=0)
    """Archives and documents inside archives and documents (and base64/hex layers)."""
    max_entries: int = Field(default=10_000, ge=1)
    """Members of one archive (zip, tar, 7z) or parts of one document."""
    max_extract_seconds: float = Field(default=10.0, gt=0)
    """Wall time spent extracting documents and archives of one body."""

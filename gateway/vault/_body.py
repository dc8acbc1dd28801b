"""Tokenize and detokenize whole message bodies through the DLP scanner's rewriters."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from gateway.dlp import Scanner

from ._vault import DetokenizeResult, Issued, TokenSpec, Vault, transform_fn

logger = logging.getLogger("casb")


def tokenize_body(scanner: Scanner, vault: Vault, body: bytes, *, content_type: str | None,
                  content_encoding: str | None, detectors: Collection[str] | None,
                  spec: TokenSpec, tenant: str, owner: str | None, allowed: str | None = None,
                  ) -> tuple[bytes, list[Issued]]:
    """The body with each finding of ``detectors`` replaced by a token, re-encoded as it came
    (values on the allow-list named ``allowed`` stay).

    Raises ContentError (cannot be rebuilt), VaultError or StoreError: the caller blocks.
    """
    issued: list[Issued] = []

    def replace(detector: str, value: str) -> str:
        token, info = vault.tokenize(value, detector=detector, spec=spec, tenant=tenant,
                                     owner=owner)
        issued.append(info)
        return token

    new = scanner.rewrite(body, content_type=content_type, content_encoding=content_encoding,
                          detectors=detectors, allowed=allowed, replace=replace)
    return new, issued


def detokenize_body(scanner: Scanner, vault: Vault, body: bytes, *, content_type: str | None,
                    content_encoding: str | None, user: str | None,
                    ) -> tuple[bytes, DetokenizeResult]:
    """The body with the vault's tokens replaced by their originals (where allowed).

    Tokens that cannot be resolved stay in place (counted in ``result.left``). Raises
    ContentError when the body cannot be decoded and rebuilt (then every token stays).
    """
    result = DetokenizeResult("")
    new = scanner.transform(body, content_type=content_type, content_encoding=content_encoding,
                            fn=transform_fn(vault, user, result))
    return new, result


def tokenized_detail(issued: list[Issued]) -> dict[str, Any]:
    """For the audit event: what was tokenized, never values or tokens."""
    return {"tokenized": [{"detector": i.detector, "format": i.format, "key_version": i.version}
                          for i in issued if not i.reused],
            "already_tokens": sum(1 for i in issued if i.reused)}


def detokenized_detail(result: DetokenizeResult) -> dict[str, Any]:
    return {"detokenized": [{"detector": d.detector, "format": d.format,
                             "key_version": d.version, "token_ref": d.token_hmac[:16]}
                            for d in result.done[:200]],
            "detokenized_count": len(result.done),
            "left_in_place": dict(result.left)}

"""Key providers: where the key-encryption key (KEK) lives and how data keys are wrapped.

A data key (AES-256) does the bulk work in memory for a bounded time; only its wrapped form is
stored. Two providers:

* :class:`FileKeyProvider`: the KEK is a local 0600 file; data keys are wrapped with AES key
  wrap (RFC 3394). The embedded default.
* :class:`Pkcs11KeyProvider`: the KEK is a non-extractable AES key on a PKCS#11 token (an HSM,
  or SoftHSM2 for tests); data keys are generated on the token and wrapped there with
  ``CKM_AES_KEY_WRAP``, so the KEK never leaves the token.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from gateway.errors import ConfigError, KeyProviderError, KeyUnavailable

__all__ = ["FileKeyProvider", "KeyProvider", "Pkcs11KeyProvider"]

logger = logging.getLogger("casb")
DATA_KEY_BYTES = 32
T = TypeVar("T")


class KeyProvider(Protocol):
    """Makes and unwraps data keys under a KEK it keeps to itself."""

    @property
    def name(self) -> str:
        """Where the KEK is, for records and messages (never a secret)."""
        ...

    def new_data_key(self) -> tuple[bytes, bytes]:
        """A fresh AES-256 data key: ``(plaintext, wrapped)``."""
        ...

    def unwrap(self, wrapped: bytes) -> bytes:
        """The plaintext of a wrapped data key. Raises KeyProviderError / KeyUnavailable."""
        ...

    def close(self) -> None: ...


class FileKeyProvider:
    """A 32-byte KEK in a 0600 file, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._kek: bytes | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"file:{self.path}"

    def _key(self) -> bytes:
        with self._lock:
            if self._kek is None:
                from gateway import ca  # local: ca pulls in x509 machinery

                try:
                    kek = ca.load_or_create_key(self.path, DATA_KEY_BYTES)
                except ConfigError as e:
                    raise KeyUnavailable(str(e)) from e
                if len(kek) != DATA_KEY_BYTES:
                    raise KeyProviderError(f"key file {self.path} does not hold a 32-byte key")
                mode = self.path.stat().st_mode & 0o077
                if mode:
                    raise KeyProviderError(
                        f"key file {self.path} is readable by others (mode {mode:o}); "
                        "chmod 600 it")
                self._kek = kek
            return self._kek

    def new_data_key(self) -> tuple[bytes, bytes]:
        dk = os.urandom(DATA_KEY_BYTES)
        return dk, aes_key_wrap(self._key(), dk)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._key(), wrapped)
        except InvalidUnwrap as e:
            raise KeyProviderError(
                f"a data key does not unwrap under {self.name} (a different key file?)") from e

    def close(self) -> None:
        self._kek = None


class Pkcs11KeyProvider:
    """A non-extractable AES-256 KEK on a PKCS#11 token, found (or created) by label.

    The session is opened on first use and reopened after a failure, so a token that comes back
    is used again without a restart. After a failure, further attempts wait ``retry_after``
    seconds (fail fast in between): a wrong PIN must not be retried in a loop (real HSMs lock
    the user out after a few tries).
    """

    def __init__(self, module: Path, token_label: str, pin: str, *, key_label: str,
                 create_key: bool = True, retry_after: float = 2.0) -> None:
        if not module.exists():
            raise ConfigError(f"PKCS#11 module not found: {module}", field="vault.pkcs11.module")
        self.module = module
        self.token_label = token_label
        self._pin = pin
        self.key_label = key_label
        self.create_key = create_key
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._lib: Any = None
        self._session: Any = None
        self._kek: Any = None
        self._failed_at: float | None = None
        self._failure: KeyProviderError | None = None

    @property
    def name(self) -> str:
        return f"pkcs11:{self.token_label}/{self.key_label}"

    # -- session handling -----------------------------------------------------------------
    def _open(self) -> None:
        import pkcs11
        from pkcs11 import Attribute, KeyType, ObjectClass

        if self._lib is None:
            self._lib = _library(self.module)
        else:
            self._lib.reinitialize()  # re-reads slots: a token that came back is seen again
        try:
            token = self._lib.get_token(token_label=self.token_label)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned) as e:
            raise KeyUnavailable(f"PKCS#11 token {self.token_label!r}: {type(e).__name__}") from e
        try:
            session = token.open(user_pin=self._pin, rw=True)
        except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange,
                pkcs11.PinExpired, pkcs11.PinLocked) as e:
            raise KeyProviderError(
                f"PKCS#11 token {self.token_label!r} refused the PIN ({type(e).__name__})"
            ) from e
        try:
            kek = session.get_key(label=self.key_label, key_type=KeyType.AES,
                                  object_class=ObjectClass.SECRET_KEY)
        except pkcs11.NoSuchKey:
            if not self.create_key:
                session.close()
                raise KeyProviderError(
                    f"no AES key labelled {self.key_label!r} on token {self.token_label!r}"
                ) from None
            kek = session.generate_key(
                KeyType.AES, 256, label=self.key_label, store=True,
                template={Attribute.EXTRACTABLE: False, Attribute.SENSITIVE: True,
                          Attribute.WRAP: True, Attribute.UNWRAP: True,
                          Attribute.ENCRYPT: False, Attribute.DECRYPT: False})
            logger.warning("casb: created the vault KEK %r on PKCS#11 token %r "
                           "(non-extractable AES-256)", self.key_label, self.token_label)
        self._session, self._kek = session, kek

    def _drop(self) -> None:
        if self._session is not None:
            try:
                self._session.close()
            except Exception:
                logger.debug("casb: closing a broken PKCS#11 session failed", exc_info=True)
        self._session = self._kek = None

    def _call(self, fn: Callable[[Any], T]) -> T:
        import pkcs11

        with self._lock:
            now = time.monotonic()
            if (self._failed_at is not None and self._failure is not None
                    and now - self._failed_at < self.retry_after):
                raise self._failure
            for attempt in (0, 1):
                try:
                    if self._session is None:
                        self._open()
                    result = fn(self._kek)
                except KeyProviderError as e:
                    self._drop()
                    self._failed_at, self._failure = time.monotonic(), e
                    raise
                except pkcs11.PKCS11Error as e:
                    # token removed, session closed, device error: reopen once, then give up
                    self._drop()
                    if attempt == 0:
                        continue
                    err = KeyUnavailable(
                        f"PKCS#11 token {self.token_label!r} is not usable: {type(e).__name__}")
                    self._failed_at, self._failure = time.monotonic(), err
                    raise err from e
                self._failed_at = self._failure = None
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    # -- KeyProvider ----------------------------------------------------------------------
    def new_data_key(self) -> tuple[bytes, bytes]:
        from pkcs11 import Attribute, KeyType, Mechanism

        def make(kek: Any) -> tuple[bytes, bytes]:
            session = self._session
            dk = session.generate_key(KeyType.AES, 256, store=False,
                                      template={Attribute.EXTRACTABLE: True,
                                                Attribute.SENSITIVE: False})
            try:
                wrapped = kek.wrap_key(dk, mechanism=Mechanism.AES_KEY_WRAP)
                return bytes(dk[Attribute.VALUE]), bytes(wrapped)
            finally:
                dk.destroy()

        return self._call(make)

    def unwrap(self, wrapped: bytes) -> bytes:
        import pkcs11
        from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

        def unwrap(kek: Any) -> bytes:
            try:
                dk = kek.unwrap_key(ObjectClass.SECRET_KEY, KeyType.AES, wrapped,
                                    mechanism=Mechanism.AES_KEY_WRAP, store=False,
                                    template={Attribute.EXTRACTABLE: True,
                                              Attribute.SENSITIVE: False})
            except (pkcs11.WrappedKeyInvalid, pkcs11.WrappedKeyLenRange,
                    pkcs11.EncryptedDataInvalid) as e:
                raise KeyProviderError(
                    f"a data key does not unwrap under {self.name} (a different KEK?)") from e
            try:
                return bytes(dk[Attribute.VALUE])
            finally:
                dk.destroy()

        return self._call(unwrap)

    def close(self) -> None:
        with self._lock:
            self._drop()


_LIBRARIES: dict[Path, Any] = {}
_LIBRARIES_LOCK = threading.Lock()


def _library(module: Path) -> Any:
    """One loaded PKCS#11 library per module path: ``C_Initialize`` is process-wide."""
    import pkcs11

    with _LIBRARIES_LOCK:
        lib = _LIBRARIES.get(module)
        if lib is None:
            lib = _LIBRARIES[module] = pkcs11.lib(str(module))
        return lib

"""Checksum and structure validators, in python-stdnum style.

Each validator has ``compact()`` (the normalized form: what is hashed and checked), and
``validate()`` that raises a specific :class:`stdnum.exceptions.ValidationError` subclass
(format, length, component, checksum); :meth:`Validator.is_valid` wraps it. python-stdnum
is used wherever it covers the identifier, so its country rules stay the reference; phone
numbers are checked by ``phonenumbers`` (libphonenumber's metadata, per region). What the
two libraries lack is written here in the same style and tested against published vectors
(tests/gateway/dlp/test_dlp_validators.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType, ModuleType

import phonenumbers
from stdnum import bic as _bic
from stdnum import bitcoin as _bitcoin
from stdnum import iban as _iban
from stdnum import imei as _imei
from stdnum import luhn as _luhn
from stdnum import mac as _mac
from stdnum.au import tfn as _au_tfn
from stdnum.be import nn as _be_nn
from stdnum.br import cnpj as _br_cnpj
from stdnum.br import cpf as _br_cpf
from stdnum.ca import sin as _ca_sin
from stdnum.ch import ssn as _ch_ssn
from stdnum.cn import ric as _cn_ric
from stdnum.cz import rc as _cz_rc
from stdnum.de import idnr as _de_idnr
from stdnum.dk import cpr as _dk_cpr
from stdnum.es import dni as _es_dni
from stdnum.es import nie as _es_nie
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.fi import hetu as _fi_hetu
from stdnum.fr import nir as _fr_nir
from stdnum.gb import nhs as _gb_nhs
from stdnum.ie import pps as _ie_pps
from stdnum.il import idnr as _il_idnr
from stdnum.in_ import aadhaar as _in_aadhaar
from stdnum.in_ import pan as _in_pan
from stdnum.it import codicefiscale as _it_cf
from stdnum.jp import in_ as _jp_in
from stdnum.kr import rrn as _kr_rrn
from stdnum.mx import curp as _mx_curp
from stdnum.nl import bsn as _nl_bsn
from stdnum.no import fodselsnummer as _no_fnr
from stdnum.nz import ird as _nz_ird
from stdnum.pl import pesel as _pl_pesel
from stdnum.pt import cc as _pt_cc
from stdnum.pt import nif as _pt_nif
from stdnum.ro import cnp as _ro_cnp
from stdnum.se import personnummer as _se_pnr
from stdnum.tr import tckimlik as _tr_tck
from stdnum.us import ein as _us_ein
from stdnum.us import itin as _us_itin
from stdnum.us import rtn as _us_rtn
from stdnum.us import ssn as _ssn
from stdnum.za import idnr as _za_idnr

__all__ = ["VALIDATORS", "Validator", "shannon_entropy"]


@dataclass(frozen=True, slots=True)
class Validator:
    """A named pair of normalizer and checker used by detectors.yaml's ``validator:``."""

    name: str
    compact: Callable[[str], str]
    validate: Callable[[str], str]

    def is_valid(self, value: str) -> bool:
        """True when ``validate`` accepts the compacted value; never raises on bad input."""
        try:
            compacted = self.compact(value)
        except (ValidationError, ValueError, TypeError, OverflowError, IndexError, KeyError):
            return False
        return self.accepts(compacted)

    def accepts(self, compacted: str) -> bool:
        """:meth:`is_valid` of a value already compacted (the scanner has compacted it
        for the allow-list: compacting twice doubles python-stdnum's cost)."""
        try:
            self.validate(compacted)
        except ValidationError:
            return False
        except (ValueError, TypeError, OverflowError, IndexError, KeyError):
            # third-party validators on hostile input: a crash means "not this identifier"
            return False
        return True


def _digits(value: str) -> str:
    return "".join(c for c in value if "0" <= c <= "9")


def _strip(value: str) -> str:
    return value.strip()


def _alnum_upper(value: str) -> str:
    return "".join(c for c in value if c.isascii() and c.isalnum()).upper()


# -- payment cards ----------------------------------------------------------------------

# (lowest prefix, highest prefix, allowed lengths) per issuer range; prefixes compare as
# integers of the same number of digits. Kept small and explicit: Maestro's very broad
# 6xxx range is left out on purpose, it would accept most Luhn-valid 6-numbers.
_CARD_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),  # American Express
    ("300", "305", frozenset(range(14, 20))),  # Diners Club
    ("36", "36", frozenset(range(14, 20))),  # Diners Club
    ("38", "39", frozenset(range(16, 20))),  # Diners Club
    ("6011", "6011", frozenset(range(16, 20))),  # Discover
    ("644", "649", frozenset(range(16, 20))),  # Discover
    ("65", "65", frozenset(range(16, 20))),  # Discover
    ("3528", "3589", frozenset(range(16, 20))),  # JCB
    ("62", "62", frozenset(range(16, 20))),  # UnionPay
    ("2200", "2204", frozenset(range(16, 20))),  # Mir
)


def _validate_card(number: str) -> str:
    """Issuer range and length first (cheap, rejects most look-alikes), then Luhn."""
    if not number.isdigit():
        raise InvalidFormat()
    if not 13 <= len(number) <= 19:
        raise InvalidLength()
    for low, high, lengths in _CARD_RANGES:
        prefix = number[: len(low)]
        if low <= prefix <= high:
            if len(number) not in lengths:
                raise InvalidLength()
            return _luhn.validate(number)
    raise InvalidComponent()


def _compact_iban(value: str) -> str:
    return _iban.compact(value)


def _validate_iban(number: str) -> str:
    return _iban.validate(number)


# -- bitcoin ----------------------------------------------------------------------------

_BASE58 = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")


def _base58_sizes(digits: int) -> range:
    """How many bytes a base58 number of ``digits`` digits, the first not zero, decodes to."""
    low, high = 58 ** (digits - 1), 58**digits - 1
    return range(max(1, (low.bit_length() + 7) // 8), max(1, (high.bit_length() + 7) // 8) + 1)


_BASE58_SIZES = tuple(_base58_sizes(n) for n in range(1, 64))


def _validate_bitcoin(number: str) -> str:
    """python-stdnum's check, after a cheap exact rejection of what it would reject anyway.

    A legacy address decodes to 25 bytes; ``1`` digits in front are zero bytes and the
    length of the rest fixes the size of the number it decodes to within a byte or two, so
    the hex digests and ids that look like addresses fail without stdnum's big-number
    decoding (about 0.1 ms each).
    """
    if number[:1] in ("1", "3") and all(c in _BASE58 for c in number):
        rest = number.lstrip("1")
        zeros = len(number) - len(rest)
        if 0 < len(rest) <= len(_BASE58_SIZES) and 25 - zeros not in _BASE58_SIZES[len(rest) - 1]:
            raise InvalidLength()
    return str(_bitcoin.validate(number))


# -- e-mail -----------------------------------------------------------------------------

_EMAIL = re.compile(r"^([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]{1,253})$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
# "icon@2x.png", "logo@3x.webp": asset names that look like addresses
_FILE_SUFFIXES = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "map", "json", "txt"}
)


def _compact_email(value: str) -> str:
    """Lower-case: mail systems treat the domain (and in practice the local part) that way."""
    return value.strip().lower()


def _validate_email(address: str) -> str:
    """RFC 5321 shape: local part length and dots, DNS label rules, alphabetic TLD."""
    match = _EMAIL.match(address)
    if not match:
        raise InvalidFormat()
    local, domain = match.groups()
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidFormat()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidFormat()
    tld = labels[-1]
    if not tld.isalpha() or not 2 <= len(tld) <= 24:
        raise InvalidComponent()
    if tld in _FILE_SUFFIXES:
        raise InvalidComponent()
    return address


# -- secrets ----------------------------------------------------------------------------


def _validate_mixed_base64(secret: str) -> str:
    """Random base64 secrets mix upper, lower and digits; hex digests and words do not."""
    if not secret or any(not (c.isascii() and (c.isalnum() or c in "+/=")) for c in secret):
        raise InvalidFormat()
    if not (
        any(c.isupper() for c in secret)
        and any(c.islower() for c in secret)
        and any(c.isdigit() for c in secret)
    ):
        raise InvalidComponent()
    return secret


def shannon_entropy(value: str) -> float:
    """Bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


# values that stand in for a secret in docs, templates and code, never a secret themselves
_PLACEHOLDER_WORDS = (
    "example", "sample", "placeholder", "changeme", "changeit", "change_me", "your_", "your-",
    "yourpass", "redacted", "dummy", "xxxx", "****", "....", "<", ">", "${", "{{", "%(", "$(",
    "env(", "process.env", "os.environ", "getenv", "secret_here", "password_here", "insert",
)
_PLACEHOLDER_VALUES = frozenset(
    {"password", "passwd", "pass", "secret", "none", "null", "nil", "true", "false",
     "undefined", "string", "str", "required", "optional", "hidden", "masked", "empty",
     "test", "admin", "root", "user", "username", "pwd", "token", "bearer", "basic"}
)
_KEY_VALUE = re.compile(r"""^(?P<key>.*?)["']?[ \t]*[:=][ \t]*["']?(?P<value>.*)$""", re.S)


# values with a detector of their own: the generic detectors leave them to it
_DEDICATED_PREFIXES = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-",
    "glcbt-", "glft-", "glimt-", "gloas-", "glsoat-", "glagent-", "xox",
    "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_", "sk-", "sg.", "npm_", "pypi-",
    "dckr_", "hf_", "shpat_", "shpss_", "shpca_", "shppa_", "hvs.", "hvb.", "aiza", "akia",
    "asia", "eyj", "-----begin",
)


_TELEGRAM_TOKEN = re.compile(r"^[0-9]{8,10}:[A-Za-z0-9_-]{35}$")
_RESOURCE_PATH = re.compile(r"^[a-z][a-z0-9-]{2,}/[a-z][a-z0-9-]{2,}/")
"""A path of named resources ("prod/payments/stripe-Qx7k2L" in a Secrets Manager ARN)."""
_AZURE_KEY = re.compile(r"^[A-Za-z0-9+/]{86}==$")
_AWS_SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")
_TWILIO_KEY = re.compile(r"^SK[0-9a-fA-F]{32}$")
_TWILIO_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _has_dedicated_detector(key: str, value: str) -> bool:
    low, key = value.lower(), key.lower()
    if low.startswith(_DEDICATED_PREFIXES) or "aws" in key or _TWILIO_KEY.match(value) \
            or _TELEGRAM_TOKEN.match(value):
        return True
    if "authtoken" in re.sub(r"[\s_-]", "", key) and _TWILIO_TOKEN.match(value):
        return True  # twilio_auth_token's shape after its keywords
    if _AZURE_KEY.match(value) and any(w in key for w in ("storage", "account", "azure", "access")):
        return True  # azure_storage_key's shape after one of its keywords
    # aws_secret_access_key's shape after one of its keywords (access key, secret_key)
    aws_key = "access" in key or "secret_key" in key or "secretkey" in key
    return aws_key and _AWS_SECRET.match(value) is not None and _is_mixed(value)


def _is_mixed(value: str) -> bool:
    try:
        _validate_mixed_base64(value)
    except ValidationError:
        return False
    return True


def _is_placeholder(value: str) -> bool:
    low = value.lower()
    if low in _PLACEHOLDER_VALUES or len(set(low)) <= 2:
        return True
    return any(w in low for w in _PLACEHOLDER_WORDS)


# <password>value</password>, key="DbPassword" value="...", --password value,
# IDENTIFIED BY 'value'
_XML_ELEMENT = re.compile(r"^<(?P<key>[^\s<>/]+)[^<>]*>(?P<value>[^<>]*)</", re.S)
_ATTRIBUTES = re.compile(
    r"""^(?:key|name)=["'](?P<key>[^"']*)["'][ \t]+value=["'](?P<value>[^"']*)["']?$"""
)
_FLAG = re.compile(r"""^-{1,2}(?P<key>[A-Za-z0-9_.-]+)[ \t]+["']?(?P<value>[^"']*)["']?$""")
_SQL = re.compile(r"^(?P<key>(?i:identified by|password)) '(?P<value>[^']*)'?$")


def _key_and_value(text: str) -> tuple[str, str]:
    """(key, value) of ``key = "value"``, ``key: value``, an XML element, a key/value
    attribute pair, a command-line flag or SQL's ``IDENTIFIED BY 'value'`` (quotes
    removed)."""
    for form in (_XML_ELEMENT, _ATTRIBUTES, _FLAG, _SQL):
        m = form.match(text)
        if m is not None:
            return m.group("key"), m.group("value").strip()
    m = _KEY_VALUE.match(text)
    if m is None:
        raise InvalidFormat()
    return m.group("key"), m.group("value").strip().strip("\"'")


def _secret_value(text: str) -> str:
    """The value part of ``key = "value"`` and the other forms of :func:`_key_and_value`.

    Raises InvalidComponent when a dedicated detector owns the value (a GitHub token after
    ``GITHUB_TOKEN=``, a Twilio auth token after ``TWILIO_AUTH_TOKEN=``), so one value is
    reported once, by its most specific detector.
    """
    key, value = _key_and_value(text)
    if _has_dedicated_detector(key, value):
        raise InvalidComponent()
    return value


def _validate_generic_secret(text: str) -> str:
    """A secret-like key with a random-looking value: length, classes, Shannon entropy.

    Thresholds: at least 16 characters, not a placeholder, not one character class only
    (words, plain numbers), no letters-only identifier, and a Shannon entropy of at least
    3.3 bits per character (3.0 from 32 characters on: 32 random hex digits average 3.7,
    random base64 is near 5, English words and identifiers fall below).
    """
    value = _secret_value(text)
    if len(value) < 16:
        raise InvalidLength()
    if _is_placeholder(value) or ("/" in value.strip("/") and value.count("/") > 2) \
            or _RESOURCE_PATH.match(value):
        raise InvalidComponent()  # placeholders, URL and resource paths
    classes = sum(
        (any(c.islower() for c in value), any(c.isupper() for c in value),
         any(c.isdigit() for c in value))
    )
    if classes < 2:
        raise InvalidComponent()
    if value.replace("_", "").replace("-", "").replace(".", "").isalpha():
        raise InvalidComponent()  # identifiers like CONFIG_VALUE_NAME, camelCaseWords
    if shannon_entropy(value) < (3.0 if len(value) >= 32 else 3.3):
        raise InvalidChecksum()
    return text


def _validate_config_password(text: str) -> str:
    """``password = value`` with a real-looking value (not a placeholder or a reference).

    After a command-line flag, where prose and help texts put words ("the --password
    flag", "--password TEXT"), the value must hold more than letters; ``&amp`` in a value is
    a query string escaped in HTML, the password ends before it.
    """
    value = _secret_value(text)
    if len(value) < 4:
        raise InvalidLength()
    if _is_placeholder(value) or value.startswith(("/", "$", "%", "@", "&", "*", "-", "?")):
        raise InvalidComponent()  # paths, variables, references, masks, the next flag,
        # a shell default or error inside ${VAR:?set it}
    if value.replace(".", "").replace("_", "").isalpha() and value.islower() and "." in value:
        raise InvalidComponent()  # attribute access: self.password, config.db
    if text.startswith("-") and value.isalpha():
        raise InvalidComponent()  # a word or a metavar after a flag
    if "&amp" in value:
        raise InvalidFormat()
    return text


_DB_SCHEMES = frozenset(
    {"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "redis",
     "rediss", "amqp", "amqps", "mssql", "sqlserver", "oracle", "cockroachdb", "clickhouse",
     "jdbc:postgresql", "jdbc:mysql", "jdbc:sqlserver", "jdbc:oracle", "couchbase", "neo4j"}
)
_URL_CREDS = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.:-]*)://(?P<user>[^:/@\s]*):"
                        r"(?P<password>[^/@\s]+)@(?P<host>[^/\s]+)")


def _url_password(url: str) -> tuple[str, str]:
    m = _URL_CREDS.match(url)
    if m is None:
        raise InvalidFormat()
    password = m.group("password")
    if len(password) < 3 or _is_placeholder(password) or password.isdigit() \
            or password == m.group("user"):
        raise InvalidComponent()  # user:password@, :8080@ ports, ${PASS}, postgres:postgres@
    return m.group("scheme").lower(), password


_RUN_OF_SAME = re.compile(r"(.)\1{5}")


def _validate_token(token: str) -> str:
    """A vendor token's shape that is no placeholder (``sk_test_xxxxxxxx...``, ``ghp_<your
    token>``, ``AKIA0000000000000000``): random bodies hold no six equal characters in a row
    (odds under 1e-8 for 40 base62 characters) and no placeholder words."""
    low = token.lower()
    if _RUN_OF_SAME.search(token) or any(w in low for w in _PLACEHOLDER_WORDS):
        raise InvalidComponent()
    return token


_CISCO_MAC = re.compile(r"^([0-9A-Fa-f]{4})\.([0-9A-Fa-f]{4})\.([0-9A-Fa-f]{4})$")


def _compact_mac(value: str) -> str:
    """A MAC address as python-stdnum reads it; Cisco's dotted form (``0050.56b2.7f10``)
    written with colons first."""
    cisco = _CISCO_MAC.match(value.strip())
    if cisco is not None:
        digits = "".join(cisco.groups())
        value = ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    return str(_mac.compact(value))


def _db_scheme(scheme: str) -> bool:
    """A database URL scheme, also with SQLAlchemy's driver (``postgresql+psycopg2``)."""
    return scheme in _DB_SCHEMES or scheme.partition("+")[0] in _DB_SCHEMES


def _validate_url_password(url: str) -> str:
    """A URL with a real password in its user info; database URLs have their own detector."""
    scheme, _ = _url_password(url)
    if _db_scheme(scheme):
        raise InvalidComponent()
    return url


def _validate_db_url(url: str) -> str:
    """A database URL whose user info holds a real password."""
    scheme, _ = _url_password(url)
    if not _db_scheme(scheme):
        raise InvalidComponent()
    return url


def _b64url_json(part: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidFormat() from None


def _validate_jwt(token: str) -> str:
    """Three base64url parts; the header decodes to a JSON object naming an ``alg``."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidFormat()
    header = _b64url_json(parts[0])
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        raise InvalidComponent()
    if not isinstance(_b64url_json(parts[1]), dict):
        raise InvalidComponent()
    if header["alg"].lower() != "none" and len(parts[2]) < 16:
        raise InvalidLength()  # a signed token carries its signature
    return token


def _validate_basic_auth(header: str) -> str:
    """``Basic <base64(user:password)>``: decodes to printable text with a colon."""
    token = header.split()[-1]
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidFormat() from None
    _user, sep, password = text.partition(":")
    if not sep or not password or not text.isprintable():
        raise InvalidComponent()
    if _is_placeholder(password) and len(password) < 8:
        raise InvalidComponent()
    return header


# -- national identifiers: python-stdnum with a wider clean-up ------------------------


def _compact_es_dni(value: str) -> str:
    """python-stdnum's clean-up, after the dots of the printed form (54.362.315-K)."""
    return str(_es_dni.compact(value.replace(".", "")))


# -- national identifiers python-stdnum lacks -------------------------------------------

_NINO = re.compile(r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]?$")
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _validate_gb_nino(number: str) -> str:
    """UK National Insurance number (HMRC NIM39110): prefix letters, 6 digits, suffix A-D.

    No check digit exists; the prefix rules reject the published placeholder QQ123456C.
    """
    if not 8 <= len(number) <= 9:
        raise InvalidLength()
    if not _NINO.match(number):
        raise InvalidFormat()
    if number[:2] in _NINO_UNUSED_PREFIXES:
        raise InvalidComponent()
    return number


_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_TABLES = {"S": (0, "JZIHGFEDCBA"), "T": (4, "JZIHGFEDCBA"),
                "F": (0, "XWUTRQPNMLK"), "G": (4, "XWUTRQPNMLK")}


def _validate_sg_nric(number: str) -> str:
    """Singapore NRIC/FIN: S/T (citizens, PRs), F/G (foreigners), 7 digits, check letter."""
    if len(number) != 9:
        raise InvalidLength()
    if number[0] not in _NRIC_TABLES or not number[1:8].isdigit() or not number[8].isalpha():
        raise InvalidFormat()
    offset, table = _NRIC_TABLES[number[0]]
    total = offset + sum(int(d) * w for d, w in zip(number[1:8], _NRIC_WEIGHTS, strict=True))
    if table[total % 11] != number[8]:
        raise InvalidChecksum()
    return number


def _validate_us_npi(number: str) -> str:
    """US National Provider Identifier: 10 digits, Luhn over the ``80840`` card prefix."""
    if not number.isdigit():
        raise InvalidFormat()
    if len(number) != 10:
        raise InvalidLength()
    if number[0] not in "12":
        raise InvalidComponent()
    if not _luhn.is_valid("80840" + number):
        raise InvalidChecksum()
    return number


_DEA_REGISTRANTS = frozenset("ABCDEFGHJKLMPRSTUX")


def _validate_us_dea(number: str) -> str:
    """US DEA registration number: registrant letter, name letter (or 9), 7 digits.

    Check: (d1 + d3 + d5) + 2 * (d2 + d4 + d6) ends in d7.
    """
    if len(number) != 9:
        raise InvalidLength()
    if not (number[0].isalpha() and (number[1].isalpha() or number[1] == "9")
            and number[2:].isdigit()):
        raise InvalidFormat()
    if number[0] not in _DEA_REGISTRANTS:
        raise InvalidComponent()
    d = [int(c) for c in number[2:]]
    if (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 != d[6]:
        raise InvalidChecksum()
    return number


_MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"  # letters without S L O I B Z
_MBI = re.compile(
    rf"^[1-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9][{_MBI_ALPHA}][{_MBI_ALPHA}0-9][0-9]"
    rf"[{_MBI_ALPHA}][{_MBI_ALPHA}][0-9][0-9]$"
)


def _validate_us_mbi(number: str) -> str:
    """US Medicare Beneficiary Identifier (CMS format spec): 11 positions, no check digit."""
    if len(number) != 11:
        raise InvalidLength()
    if not _MBI.match(number):
        raise InvalidFormat()
    return number


def _validate_au_medicare(number: str) -> str:
    """Australian Medicare card number: 10 digits (11 with the IRN), weighted check digit."""
    if not number.isdigit():
        raise InvalidFormat()
    if len(number) not in (10, 11):
        raise InvalidLength()
    if number[0] not in "23456" or number[9] == "0":
        raise InvalidComponent()  # issue number 1-9
    total = sum(int(d) * w for d, w in zip(number[:8], (1, 3, 7, 9, 1, 3, 7, 9), strict=True))
    if total % 10 != int(number[8]):
        raise InvalidChecksum()
    return number


_ICAO_VALUES = {**{str(i): i for i in range(10)}, "<": 0,
                **{chr(ord("A") + i): 10 + i for i in range(26)}}


def _icao_check(field: str) -> str:
    return str(sum(_ICAO_VALUES[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def _validate_mrz(line: str) -> str:
    """ICAO 9303 TD3 (passport) MRZ line 2: document number, birth and expiry dates,
    optional data, each with its 7-3-1 check digit, and the composite check digit."""
    if len(line) != 44:
        raise InvalidLength()
    if any(c not in _ICAO_VALUES for c in line):
        raise InvalidFormat()
    fields = ((0, 9), (13, 19), (21, 27))
    for start, end in fields:
        if _icao_check(line[start:end]) != line[end]:
            raise InvalidChecksum()
    if line[42] != "<" and _icao_check(line[28:42]) != line[42]:
        raise InvalidChecksum()
    composite = line[0:10] + line[13:20] + line[21:43]
    if _icao_check(composite) != line[43]:
        raise InvalidChecksum()
    return line


_DVLA = re.compile(r"^[A-Z9]{5}[0-9]{6}[A-Z9]{2}[0-9][A-Z]{2}$")


def _validate_gb_driving_licence(number: str) -> str:
    """GB (DVLA) driving licence number: surname, decade, month (+50 for women), day, year,
    initials, computer check digit, issue letters. The embedded birth date must exist."""
    if len(number) != 16:
        raise InvalidLength()
    if not _DVLA.match(number):
        raise InvalidFormat()
    month = int(number[6:8]) % 50
    day = int(number[8:10])
    if not (1 <= month <= 12 and 1 <= day <= 31) or int(number[6]) not in (0, 1, 5, 6):
        raise InvalidComponent()
    return number


_ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9AB](?:\.[0-9A-Z]{1,4})?$|^U0[7-9](?:\.[0-9]{1,2})?$")


def _validate_icd10(code: str) -> str:
    """ICD-10(-CM) code shape: chapter letter, two characters, optional dotted subcode."""
    if not 3 <= len(code) <= 8:
        raise InvalidLength()
    if not _ICD10.match(code):
        raise InvalidFormat()
    return code


# -- network, phone and dates -----------------------------------------------------------


def _validate_ipv4(address: str) -> str:
    """Dotted quad without leading zeros; 0.0.0.0 and the broadcast address are not hosts."""
    parts = address.split(".")
    if len(parts) != 4 or any(not p.isdigit() or (len(p) > 1 and p[0] == "0") for p in parts):
        raise InvalidFormat()
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        raise InvalidComponent() from None
    if ip.is_unspecified or int(ip) == 0xFFFFFFFF or ip.is_multicast:
        raise InvalidComponent()
    return address


def _validate_public_ipv4(address: str) -> str:
    """As ``ipv4``, and globally routable: private, loopback, link-local ranges excluded."""
    _validate_ipv4(address)
    ip = ipaddress.IPv4Address(address)
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
        raise InvalidComponent()
    return address


def _validate_ipv6(address: str) -> str:
    """A parseable IPv6 address with at least three groups (not ``::1``-like fragments of
    C++ scopes or times)."""
    if address.count(":") < 2 or len([g for g in address.split(":") if g]) < 3:
        raise InvalidFormat()
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        raise InvalidFormat() from None
    if ip.is_unspecified:
        raise InvalidComponent()
    return address


def _validate_public_ipv6(address: str) -> str:
    _validate_ipv6(address)
    ip = ipaddress.IPv6Address(address)
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_site_local:
        raise InvalidComponent()
    return address


# Regions a national number (no "+", no "00") is tried in; any valid parse counts. Which
# country a number belongs to is not written, so it is read as the countries that write
# their numbers that way: with a trunk 0 ("020 7946 0958"; Italy keeps its 0 after +39),
# or without one ("612 34 56 78" in Spain, "333 123 4567" Italian mobiles, "138 0013 8000"
# Chinese mobiles, "(11) 91234-5678" in Brazil, and the North American plan). libphonenumber
# accepts a large share of any digit run in some region, so precision comes from the
# detector's keyword and from the groupings its patterns allow, not from this list.
_TRUNK_REGIONS = ("GB", "DE", "FR", "IT", "NL", "BE", "AT", "CH", "SE", "FI", "IE", "AU",
                  "NZ", "IN", "JP", "KR", "CN", "TR", "IL", "ZA", "BR", "RO")
_NATIONAL_REGIONS = ("US", "ES", "PT", "IT", "PL", "CZ", "DK", "NO", "GR", "MX", "SG", "HK",
                     "CN", "BR", "IN")


# written the North American way ("(212) 555-0199", "1-415-555-0132", "415.555.0132"):
# compacted to +1 so such a number is checked, hashed and correlated as the NANP number it
# is (the same as "+1 212 555 0199"), and a look-alike in that shape is not let through by
# another region's plan
_NANP_WRITTEN = re.compile(
    r"^(?:1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[.-])[2-9][0-9]{2}[.-][0-9]{4}$"
)

# "01.02.2024", "2024-01-15": dates next to a phone keyword ("Telefonat am 01.02.2024"),
# whose digits many numbering plans would accept
_DATE_WRITTEN = re.compile(
    r"^(?:[0-9]{1,2}([./-])[0-9]{1,2}\1(?:19|20)[0-9]{2}"
    r"|(?:19|20)[0-9]{2}([./-])[0-9]{1,2}\2[0-9]{1,2})$"
)


def _compact_phone(value: str) -> str:
    """Digits and ``+``; NANP writing as ``+1...``; a date is left as written (so rejected)."""
    value = value.strip()
    if _DATE_WRITTEN.match(value):
        return value
    digits = "".join(c for c in value if c.isdigit() or c == "+")
    if _NANP_WRITTEN.match(value):
        return "+1" + digits[-10:]
    return digits


def _validate_phone(number: str) -> str:
    """libphonenumber's per-region rules: ``+CC...`` / ``00CC...`` as international numbers,
    ``0...`` as a national number of one of ``_TRUNK_REGIONS``, anything else as one of
    ``_NATIONAL_REGIONS``."""
    digits = number.lstrip("+")
    if not digits.isdigit():
        raise InvalidFormat()
    if not 7 <= len(digits) <= 15:
        raise InvalidLength()
    candidates: tuple[tuple[str, str | None], ...]
    if number.startswith("+"):
        candidates = ((number, None),)
    elif number.startswith("00"):
        candidates = (("+" + number[2:], None),)
    elif number.startswith("0"):
        candidates = tuple((number, r) for r in _TRUNK_REGIONS)
    else:
        candidates = tuple((number, r) for r in _NATIONAL_REGIONS)
    for text, region in candidates:
        try:
            parsed = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return number
    raise InvalidComponent()


# months by their first three letters in the birth-date keywords' languages (English,
# German, Spanish, French, Italian, Portuguese, Dutch); French juin/juillet need four
_MONTHS = {
    **dict.fromkeys(("jan", "ene", "gen"), 1), **dict.fromkeys(("feb", "fev", "fév"), 2),
    **dict.fromkeys(("mar", "mär"), 3), **dict.fromkeys(("apr", "avr", "abr"), 4),
    **dict.fromkeys(("may", "mai", "mag", "mei"), 5), **dict.fromkeys(("jun", "giu"), 6),
    **dict.fromkeys(("jul", "lug"), 7), **dict.fromkeys(("aug", "ago", "aoû"), 8),
    **dict.fromkeys(("sep", "set"), 9), **dict.fromkeys(("oct", "okt", "ott", "out"), 10),
    "nov": 11, **dict.fromkeys(("dec", "dez", "dic", "déc"), 12),
}


def _month(word: str) -> int | None:
    """The month a name or abbreviation (of at least three letters) stands for."""
    low = word.lower()
    if low.startswith(("juin", "juil")):
        return 6 if low[3] == "n" else 7
    return _MONTHS.get(low[:3])


_DATE_NUMERIC = re.compile(r"^([0-9]{1,4})[./-]([0-9]{1,2})[./-]([0-9]{1,4})$")
# "12 March 1985", "12-Mar-1985", "12.MAR.85", "March 12, 1985", "12. März 1985",
# "12 de marzo de 1985"
_DATE_WORDS = re.compile(
    r"^(?:([0-9]{1,2})(?:st|nd|rd|th|er|\.)?(?: de |[ ./-])([^\W\d_]{3,10})\.?(?: de |,? |[./-])"
    r"|([^\W\d_]{3,10})\.?[ .-]([0-9]{1,2})(?:st|nd|rd|th)?(?:,? |[./-]))([0-9]{4}|[0-9]{2})$"
)


_DATE_CJK = re.compile(r"^([0-9]{4}) ?[年년] ?([0-9]{1,2}) ?[月월] ?([0-9]{1,2}) ?[日일]$")
""""1979年8月21日", "1979년 8월 21일"."""


def _birth_date_candidates(value: str) -> list[tuple[int, int, int]]:
    """(year, month, day) readings of a date written in any of the usual orders.

    A two-digit year ("03/02/85", "12-Mar-85", common in forms) is taken only in last
    place, where it cannot be a day or a month, and stays below 100 for
    :func:`_validate_birth_date` to give it a century; a two-digit first field is never read
    as a year ("85/03/02" could be either order).
    """
    m = _DATE_NUMERIC.match(value)
    if m:
        a, b, c = m.groups()
        if len(a) == 4 and len(c) <= 2:
            return [(int(a), int(b), int(c))]
        if len(a) <= 2 and len(c) in (2, 4):
            return [(int(c), int(b), int(a)), (int(c), int(a), int(b))]  # D/M/Y, M/D/Y
        raise InvalidFormat()
    m = _DATE_CJK.match(value)
    if m:
        return [(int(m.group(1)), int(m.group(2)), int(m.group(3)))]
    m = _DATE_WORDS.match(value)
    if m:
        day = m.group(1) or m.group(4)
        month = _month(m.group(2) or m.group(3))
        if month is None:
            raise InvalidComponent()
        return [(int(m.group(5)), month, int(day))]
    raise InvalidFormat()


def _validate_birth_date(value: str) -> str:
    """A real calendar date between 1900 and today; a two-digit year is the latest such
    year (a birth date is never in the future: "85" is 1985, "03" 2003, and in 2026
    "12/12/26" is 1926 until 12 December)."""
    today = datetime.date.today()
    for year, month, day in _birth_date_candidates(value):
        for full in (2000 + year, 1900 + year) if year < 100 else (year,):
            try:
                date = datetime.date(full, month, day)
            except ValueError:
                continue
            if datetime.date(1900, 1, 1) <= date <= today:
                return value
    raise InvalidComponent()


# -- the table --------------------------------------------------------------------------


def _std(name: str, module: ModuleType) -> Validator:
    """A python-stdnum module as a validator (its own compact() and validate())."""
    return Validator(name, module.compact, module.validate)


def _hand(name: str, compact: Callable[[str], str], check: Callable[[str], str]) -> Validator:
    return Validator(name, compact, check)


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        v.name: v
        for v in (
            Validator("luhn", _digits, _validate_card),
            Validator("us_ssn", _digits, _ssn.validate),
            Validator("iban", _compact_iban, _validate_iban),
            Validator("email", _compact_email, _validate_email),
            Validator("mixed_base64", _strip, _validate_mixed_base64),
            _std("bic", _bic),
            Validator("bitcoin", _bitcoin.compact, _validate_bitcoin),
            _std("us_itin", _us_itin),
            _std("us_rtn", _us_rtn),
            _std("us_ein", _us_ein),
            _std("gb_nhs", _gb_nhs),
            _std("ca_sin", _ca_sin),
            _std("de_idnr", _de_idnr),
            _std("fr_nir", _fr_nir),
            Validator("es_dni", _compact_es_dni, _es_dni.validate),
            _std("es_nie", _es_nie),
            _std("it_codicefiscale", _it_cf),
            _std("nl_bsn", _nl_bsn),
            _std("be_nn", _be_nn),
            _std("se_personnummer", _se_pnr),
            _std("dk_cpr", _dk_cpr),
            _std("no_fodselsnummer", _no_fnr),
            _std("fi_hetu", _fi_hetu),
            _std("pl_pesel", _pl_pesel),
            _std("pt_nif", _pt_nif),
            _std("pt_cc", _pt_cc),
            _std("ie_pps", _ie_pps),
            _std("au_tfn", _au_tfn),
            _std("nz_ird", _nz_ird),
            _std("in_aadhaar", _in_aadhaar),
            _std("in_pan", _in_pan),
            _std("br_cpf", _br_cpf),
            _std("br_cnpj", _br_cnpj),
            _std("mx_curp", _mx_curp),
            _std("za_idnr", _za_idnr),
            _std("cn_ric", _cn_ric),
            _std("kr_rrn", _kr_rrn),
            _std("jp_in", _jp_in),
            _std("ch_ssn", _ch_ssn),
            _std("cz_rc", _cz_rc),
            _std("ro_cnp", _ro_cnp),
            _std("tr_tckimlik", _tr_tck),
            _std("il_idnr", _il_idnr),
            Validator("mac", _compact_mac, _mac.validate),
            _std("imei", _imei),
            _hand("gb_nino", _alnum_upper, _validate_gb_nino),
            _hand("gb_driving_licence", _alnum_upper, _validate_gb_driving_licence),
            _hand("sg_nric", _alnum_upper, _validate_sg_nric),
            _hand("us_npi", _digits, _validate_us_npi),
            _hand("us_dea", _alnum_upper, _validate_us_dea),
            _hand("us_mbi", _alnum_upper, _validate_us_mbi),
            _hand("au_medicare", _digits, _validate_au_medicare),
            _hand("icao_mrz", _strip, _validate_mrz),
            _hand("icd10", _strip, _validate_icd10),
            _hand("ipv4", _strip, _validate_ipv4),
            _hand("ipv4_public", _strip, _validate_public_ipv4),
            _hand("ipv6", _strip, _validate_ipv6),
            _hand("ipv6_public", _strip, _validate_public_ipv6),
            _hand("phone", _compact_phone, _validate_phone),
            _hand("birth_date", _strip, _validate_birth_date),
            _hand("jwt", _strip, _validate_jwt),
            _hand("basic_auth", _strip, _validate_basic_auth),
            _hand("generic_secret", _strip, _validate_generic_secret),
            _hand("config_password", _strip, _validate_config_password),
            _hand("url_password", _strip, _validate_url_password),
            _hand("db_url", _strip, _validate_db_url),
            _hand("token", _strip, _validate_token),
        )
    }
)
"""Validators by the name detectors.yaml uses."""

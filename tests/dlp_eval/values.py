"""Seeded generators of valid identifier and secret values, one per detector.

Every generated value is checked by the library that defines the identifier (python-stdnum,
phonenumbers) or by the published algorithm, never by the detector under test: a check
digit is found by trying each candidate until the reference validator accepts it.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable, Iterable
from types import ModuleType

import phonenumbers
from stdnum import bic, bitcoin, iban, imei, luhn, mac
from stdnum.au import tfn
from stdnum.be import nn
from stdnum.br import cnpj, cpf
from stdnum.ca import sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cn import ric
from stdnum.cz import rc
from stdnum.de import idnr
from stdnum.dk import cpr
from stdnum.es import nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.ie import pps
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.jp import in_ as jp_in
from stdnum.kr import rrn
from stdnum.mx import curp
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.nz import ird
from stdnum.pl import pesel
from stdnum.pt import cc as pt_cc
from stdnum.pt import nif
from stdnum.ro import cnp
from stdnum.se import personnummer
from stdnum.tr import tckimlik
from stdnum.us import ein, itin, rtn, ssn
from stdnum.za import idnr as za_idnr

Gen = Callable[[random.Random], str]
DIGITS = string.digits
UPPER = string.ascii_uppercase
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"


def rs(r: random.Random, alphabet: str, n: int) -> str:
    return "".join(r.choice(alphabet) for _ in range(n))


def complete(
    r: random.Random,
    body: Callable[[random.Random], str],
    mod: ModuleType,
    checks: Iterable[str] = DIGITS,
    tries: int = 200,
) -> str:
    """A random body plus the check part(s) that the reference module accepts."""
    options = list(checks)
    for _ in range(tries):
        b = body(r)
        r.shuffle(options)
        for c in options:
            if mod.is_valid(b + c):
                return b + c
    raise RuntimeError(f"no valid value for {mod.__name__}")


def two_digits() -> list[str]:
    return [f"{i:02d}" for i in range(100)]


def date6(r: random.Random, order: str = "ymd", y0: int = 1950, y1: int = 1999) -> str:
    y, m, d = r.randint(y0, y1), r.randint(1, 12), r.randint(1, 28)
    parts = {"y": f"{y % 100:02d}", "m": f"{m:02d}", "d": f"{d:02d}"}
    return "".join(parts[c] for c in order)


def luhn_complete(prefix: str, length: int, r: random.Random) -> str:
    body = prefix + rs(r, DIGITS, length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


# -- financial --------------------------------------------------------------------------

CARD_BRANDS = (
    ("4", 16),
    ("4", 16),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("65", 16),
    ("3530", 16),
    ("36", 14),
    ("62", 16),
)


def card(r: random.Random) -> str:
    prefix, n = r.choice(CARD_BRANDS)
    digits = luhn_complete(prefix, n, r)
    style = r.random()
    if n == 15 and style < 0.5:
        return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
    if n == 16 and style < 0.35:
        return " ".join(digits[i : i + 4] for i in range(0, 16, 4))
    if n == 16 and style < 0.55:
        return "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    return digits


IBAN_FORMATS = {
    "DE": "n18",
    "GB": "a4n14",
    "FR": "n10a11n2",
    "NL": "a4n10",
    "ES": "n20",
    "IT": "a1n10a12",
    "BE": "n12",
    "CH": "n17",
    "AT": "n16",
    "PL": "n24",
    "SE": "n20",
    "IE": "a4n14",
    "PT": "n21",
    "DK": "n14",
    "FI": "n14",
}


def _bban(r: random.Random, fmt: str) -> str:
    out, i = "", 0
    while i < len(fmt):
        kind = fmt[i]
        j = i + 1
        while j < len(fmt) and fmt[j].isdigit():
            j += 1
        n = int(fmt[i + 1 : j])
        out += rs(r, DIGITS if kind == "n" else UPPER if kind == "a" else UPPER + DIGITS, n)
        i = j
    return out


def iban_value(r: random.Random) -> str:
    for _ in range(100):
        cc = r.choice(sorted(IBAN_FORMATS))
        bban = _bban(r, IBAN_FORMATS[cc])
        num = "".join(str(int(c, 36)) for c in bban + cc + "00")
        value = f"{cc}{98 - int(num) % 97:02d}{bban}"
        if iban.is_valid(value):
            if r.random() < 0.5:
                return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
            return value
    raise RuntimeError("iban")


def bic_value(r: random.Random) -> str:
    for _ in range(100):
        v = (
            rs(r, UPPER, 4)
            + r.choice(["DE", "FR", "GB", "NL", "US", "CH", "IT", "ES"])
            + rs(r, UPPER + DIGITS, 2)
            + (rs(r, UPPER + DIGITS, 3) if r.random() < 0.5 else "")
        )
        if bic.is_valid(v):
            return v
    raise RuntimeError("bic")


def rtn_value(r: random.Random) -> str:
    return complete(r, lambda r: r.choice(["0", "1", "2", "3"]) + rs(r, DIGITS, 7), rtn)


def ein_value(r: random.Random) -> str:
    v = complete(
        r,
        lambda r: r.choice(["12", "20", "27", "45", "46", "91", "94", "95"]) + rs(r, DIGITS, 6),
        ein,
    )
    return f"{v[:2]}-{v[2:]}"


def bank_account(r: random.Random) -> str:
    return rs(r, DIGITS, r.randint(8, 12))


def sort_code(r: random.Random) -> str:
    return f"{r.randint(10, 99)}-{r.randint(10, 99)}-{r.randint(10, 99)}"


BITCOIN = (
    "1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
)


def bitcoin_value(r: random.Random) -> str:
    v = r.choice(BITCOIN)
    assert bitcoin.is_valid(v)
    return v


# -- national identifiers ---------------------------------------------------------------


def us_ssn(r: random.Random) -> str:
    while True:
        area = r.randint(1, 899)
        if area != 666:
            v = f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"
            if ssn.is_valid(v):
                return v if r.random() < 0.85 else v.replace("-", " ")


def us_itin(r: random.Random) -> str:
    group = r.choice([70, 75, 78, 80, 88, 90, 94, 99])
    v = f"9{r.randint(0, 99):02d}-{group}-{r.randint(0, 9999):04d}"
    assert itin.is_valid(v)
    return v


NINO_FIRST = "ABCEGHJKLMNPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def gb_nino(r: random.Random) -> str:
    while True:
        p = r.choice(NINO_FIRST) + r.choice(NINO_SECOND)
        if p not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    d = rs(r, DIGITS, 6)
    s = r.choice("ABCD")
    return f"{p} {d[:2]} {d[2:4]} {d[4:]} {s}" if r.random() < 0.4 else f"{p}{d}{s}"


def ca_sin(r: random.Random) -> str:
    v = complete(r, lambda r: r.choice("1234567") + rs(r, DIGITS, 7), sin)
    return f"{v[:3]}-{v[3:6]}-{v[6:]}" if r.random() < 0.5 else f"{v[:3]} {v[3:6]} {v[6:]}"


def de_idnr(r: random.Random) -> str:
    def body(r: random.Random) -> str:
        digits = r.sample("0123456789", 9)
        while digits[0] == "0":
            r.shuffle(digits)
        d = digits[:9]
        d.insert(r.randint(1, 9), r.choice(d))
        return "".join(d)

    v = complete(r, body, idnr)
    return f"{v[:2]} {v[2:5]} {v[5:8]} {v[8:]}" if r.random() < 0.4 else v


def fr_nir(r: random.Random) -> str:
    place = f"{r.randint(1, 95):02d}{r.randint(1, 999):03d}"
    body = f"{r.choice('12')}{date6(r, 'ym')}{place}{r.randint(1, 999):03d}"
    v = body + f"{97 - int(body) % 97:02d}"
    assert nir.is_valid(v), v
    if r.random() < 0.5:
        return f"{v[0]} {v[1:3]} {v[3:5]} {v[5:7]} {v[7:10]} {v[10:13]} {v[13:]}"
    return v


def es_dni(r: random.Random) -> str:
    n = r.randint(10000000, 99999999)
    return f"{n}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"


def es_nie(r: random.Random) -> str:
    return complete(r, lambda r: r.choice("XYZ") + rs(r, DIGITS, 7), nie, UPPER)


CONSONANTS = "BCDFGHLMNPRSTVZ"


def it_cf(r: random.Random) -> str:
    def body(r: random.Random) -> str:
        return (
            rs(r, CONSONANTS, 6)
            + f"{r.randint(50, 99)}"
            + r.choice("ABCDEHLMPRST")
            + f"{r.randint(1, 28) + r.choice([0, 40]):02d}"
            + r.choice("ABCDEFGHLM")
            + f"{r.randint(1, 999):03d}"
        )

    return complete(r, body, codicefiscale, UPPER)


def nl_bsn(r: random.Random) -> str:
    return complete(r, lambda r: r.choice("123456") + rs(r, DIGITS, 7), bsn)


def be_nn(r: random.Random) -> str:
    v = complete(r, lambda r: date6(r, "ymd") + f"{r.randint(1, 997):03d}", nn, two_digits())
    return f"{v[:2]}.{v[2:4]}.{v[4:6]}-{v[6:9]}.{v[9:]}"


def se_pnr(r: random.Random) -> str:
    return complete(r, lambda r: date6(r, "ymd") + "-" + rs(r, DIGITS, 3), personnummer)


def dk_cpr(r: random.Random) -> str:
    while True:
        v = date6(r, "dmy") + "-" + rs(r, DIGITS, 4)
        if cpr.is_valid(v):
            return v


def no_fnr(r: random.Random) -> str:
    return complete(
        r, lambda r: date6(r, "dmy") + f"{r.randint(0, 499):03d}", fodselsnummer, two_digits()
    )


def fi_hetu(r: random.Random) -> str:
    return complete(
        r,
        lambda r: date6(r, "dmy") + "-" + f"{r.randint(2, 899):03d}",
        hetu,
        DIGITS + "ABCDEFHJKLMNPRSTUVWXY",
    )


def pl_pesel(r: random.Random) -> str:
    return complete(r, lambda r: date6(r, "ymd") + rs(r, DIGITS, 4), pesel)


def pt_nif(r: random.Random) -> str:
    return complete(r, lambda r: r.choice("12") + rs(r, DIGITS, 7), nif)


def pt_cc_value(r: random.Random) -> str:
    v = complete(r, lambda r: rs(r, DIGITS, 9) + rs(r, "ZY", 1) + rs(r, "ZXY", 1), pt_cc)
    return f"{v[:8]} {v[8]} {v[9:]}"


def ie_pps(r: random.Random) -> str:
    return complete(r, lambda r: rs(r, DIGITS, 7), pps, "ABCDEFGHIJKLMNOPQRSTUVW")


def au_tfn(r: random.Random) -> str:
    v = complete(r, lambda r: r.choice("1234567") + rs(r, DIGITS, 7), tfn)
    return f"{v[:3]} {v[3:6]} {v[6:]}"


def nz_ird(r: random.Random) -> str:
    v = complete(r, lambda r: r.choice("1234") + rs(r, DIGITS, 7), ird)
    return f"{v[:3]}-{v[3:6]}-{v[6:]}"


def in_aadhaar(r: random.Random) -> str:
    v = complete(r, lambda r: r.choice("23456789") + rs(r, DIGITS, 10), aadhaar)
    return f"{v[:4]} {v[4:8]} {v[8:]}"


def in_pan(r: random.Random) -> str:
    v = rs(r, UPPER, 3) + r.choice("PCHFAT") + rs(r, UPPER, 1) + rs(r, DIGITS, 4) + rs(r, UPPER, 1)
    assert pan.is_valid(v), v
    return v


def sg_nric(r: random.Random) -> str:
    weights = (2, 7, 6, 5, 4, 3, 2)
    first = r.choice("STFG")
    d = rs(r, DIGITS, 7)
    total = (4 if first in "TG" else 0) + sum(int(c) * w for c, w in zip(d, weights, strict=True))
    table = "JZIHGFEDCBA" if first in "ST" else "XWUTRQPNMLK"
    return first + d + table[total % 11]


def br_cpf(r: random.Random) -> str:
    v = complete(r, lambda r: rs(r, DIGITS, 9), cpf, two_digits())
    return f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}"


def br_cnpj(r: random.Random) -> str:
    v = complete(r, lambda r: rs(r, DIGITS, 8) + "0001", cnpj, two_digits())
    return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}"


MX_STATES = ("AS", "BC", "CH", "DF", "GT", "JC", "MC", "NL", "PL", "VZ", "YN", "NE")


def mx_curp(r: random.Random) -> str:
    def body(r: random.Random) -> str:
        return (
            r.choice("BCDGHLMPRS")
            + r.choice("AEIOU")
            + rs(r, "BCDGHLMPRS", 2)
            + date6(r, "ymd")
            + r.choice("HM")
            + r.choice(MX_STATES)
            + rs(r, "BCDFGHJKLMNPRSTVZ", 3)
            + "0"
        )

    return complete(r, body, curp)


def za_id(r: random.Random) -> str:
    return complete(r, lambda r: date6(r, "ymd") + rs(r, DIGITS, 4) + r.choice("01") + "8", za_idnr)


CN_REGIONS = ("110101", "310104", "440305", "360426", "510107", "330106", "320102")


def cn_ric(r: random.Random) -> str:
    return complete(
        r,
        lambda r: r.choice(CN_REGIONS) + f"19{date6(r, 'ymd')}" + rs(r, DIGITS, 3),
        ric,
        DIGITS + "X",
    )


def kr_rrn(r: random.Random) -> str:
    v = complete(r, lambda r: date6(r, "ymd") + r.choice("12") + rs(r, DIGITS, 5), rrn)
    return f"{v[:6]}-{v[6:]}"


def jp_my_number(r: random.Random) -> str:
    v = complete(r, lambda r: rs(r, DIGITS, 11), jp_in)
    return f"{v[:4]} {v[4:8]} {v[8:]}"


def ch_ahv(r: random.Random) -> str:
    v = complete(r, lambda r: "756" + rs(r, DIGITS, 9), ch_ssn)
    return f"{v[:3]}.{v[3:7]}.{v[7:11]}.{v[11:]}"


def cz_rc(r: random.Random) -> str:
    v = complete(r, lambda r: date6(r, "ymd", 1960, 1999) + rs(r, DIGITS, 3), rc)
    return f"{v[:6]}/{v[6:]}"


def ro_cnp(r: random.Random) -> str:
    return complete(
        r,
        lambda r: r.choice("12") + date6(r, "ymd") + f"{r.randint(1, 46):02d}" + rs(r, DIGITS, 3),
        cnp,
    )


def tr_tck(r: random.Random) -> str:
    return complete(r, lambda r: r.choice("123456789") + rs(r, DIGITS, 8), tckimlik, two_digits())


ICAO = {**{str(i): i for i in range(10)}, "<": 0, **{c: 10 + i for i, c in enumerate(UPPER)}}


def _icao(field: str) -> str:
    return str(sum(ICAO[c] * (7, 3, 1)[i % 3] for i, c in enumerate(field)) % 10)


def passport_mrz(r: random.Random) -> str:
    doc = rs(r, UPPER, 2) + rs(r, DIGITS, 7)
    nat = r.choice(["UTO", "GBR", "DEU", "FRA", "USA", "NLD"])
    dob = date6(r, "ymd")
    exp = f"{r.randint(26, 34)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
    personal = "<" * 14
    line = (
        doc
        + _icao(doc)
        + nat
        + dob
        + _icao(dob)
        + r.choice("MF")
        + exp
        + _icao(exp)
        + personal
        + "<"
    )
    composite = line[0:10] + line[13:20] + line[21:43]
    return line + _icao(composite)


def passport_number(r: random.Random) -> str:
    return r.choice(
        [
            lambda: rs(r, UPPER, 1) + rs(r, DIGITS, 8),
            lambda: rs(r, DIGITS, 9),
            lambda: rs(r, UPPER, 2) + rs(r, DIGITS, 7),
        ]
    )()


def us_dl(r: random.Random) -> str:
    return r.choice(
        [
            lambda: rs(r, UPPER, 1) + rs(r, DIGITS, 7),
            lambda: rs(r, DIGITS, 9),
            lambda: rs(r, UPPER, 1) + rs(r, DIGITS, 12),
        ]
    )()


def gb_dl(r: random.Random) -> str:
    surname = rs(r, UPPER, 5)
    y, m, d = r.randint(50, 99), r.randint(1, 12) + r.choice([0, 50]), r.randint(1, 28)
    return f"{surname}{str(y)[0]}{m:02d}{d:02d}{str(y)[1]}{rs(r, UPPER, 2)}9{rs(r, UPPER, 2)}"


# -- health -----------------------------------------------------------------------------


def gb_nhs(r: random.Random) -> str:
    v = complete(r, lambda r: r.choice("4689") + rs(r, DIGITS, 8), nhs)
    return f"{v[:3]} {v[3:6]} {v[6:]}"


def us_npi(r: random.Random) -> str:
    body = r.choice("12") + rs(r, DIGITS, 8)
    return body + luhn.calc_check_digit("80840" + body)


def us_dea(r: random.Random) -> str:
    d = [r.randint(0, 9) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return r.choice("ABFGMPR") + r.choice(UPPER) + "".join(map(str, d)) + str(check)


MBI_A = "ACDEFGHJKMNPQRTUVWXY"


def us_mbi(r: random.Random) -> str:
    an = MBI_A + DIGITS
    v = (
        r.choice("123456789")
        + r.choice(MBI_A)
        + r.choice(an)
        + r.choice(DIGITS)
        + r.choice(MBI_A)
        + r.choice(an)
        + r.choice(DIGITS)
        + r.choice(MBI_A)
        + r.choice(MBI_A)
        + r.choice(DIGITS)
        + r.choice(DIGITS)
    )
    return f"{v[:4]}-{v[4:7]}-{v[7:]}" if r.random() < 0.4 else v


def au_medicare(r: random.Random) -> str:
    d = r.choice("23456") + rs(r, DIGITS, 7)
    check = sum(int(c) * w for c, w in zip(d, (1, 3, 7, 9, 1, 3, 7, 9), strict=True)) % 10
    return f"{d[:4]} {d[4:]}{check} {r.randint(1, 9)}"


ICD10 = (
    "E11.9",
    "I10",
    "J45.909",
    "F32.1",
    "M54.5",
    "K21.9",
    "C50.911",
    "N18.3",
    "E78.5",
    "G43.909",
    "I25.10",
    "J44.1",
    "F41.1",
    "Z79.4",
    "O24.419",
    "S72.001A",
    "R07.9",
)


def icd10(r: random.Random) -> str:
    return r.choice(ICD10)


def health_insurance(r: random.Random) -> str:
    return r.choice(
        [
            lambda: rs(r, UPPER, 3) + rs(r, DIGITS, 9),
            lambda: rs(r, DIGITS, 10),
            lambda: rs(r, UPPER, 1) + rs(r, DIGITS, 9),
        ]
    )()


# -- pii and network ---------------------------------------------------------------------

FIRST = (
    "james",
    "maria",
    "wei",
    "fatima",
    "olga",
    "lukas",
    "aisha",
    "diego",
    "yuki",
    "emma",
    "noah",
    "sofia",
    "arjun",
    "chloe",
    "mateo",
    "ingrid",
    "kwame",
    "lena",
    "omar",
    "zoe",
)
LAST = (
    "smith",
    "garcia",
    "chen",
    "mueller",
    "rossi",
    "kowalski",
    "nguyen",
    "okafor",
    "johansson",
    "dubois",
    "tanaka",
    "patel",
    "silva",
    "murphy",
    "haddad",
    "novak",
)
DOMAINS = (
    "example.com",
    "acme-corp.io",
    "mail.example.org",
    "globex.co.uk",
    "initech.de",
    "contoso.com",
    "fabrikam.net",
    "umbrella.health",
)


def email(r: random.Random) -> str:
    sep = r.choice([".", "_", "", "-"])
    local = (
        r.choice(FIRST) + sep + r.choice(LAST) + (str(r.randint(1, 99)) if r.random() < 0.3 else "")
    )
    return f"{local}@{r.choice(DOMAINS)}"


PHONE_REGIONS = ("US", "GB", "DE", "FR", "IN", "AU", "BR", "NL", "ES", "IT", "CA", "JP")


def phone(r: random.Random) -> str:
    for _ in range(200):
        region = r.choice(PHONE_REGIONS)
        kind = r.choice(
            [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
        )
        ex = phonenumbers.example_number_for_type(region, kind)
        if ex is None:
            continue
        nsn = str(ex.national_number)
        nsn = nsn[:-4] + rs(r, DIGITS, 4)
        num = phonenumbers.parse(f"+{ex.country_code}{nsn}", None)
        if not phonenumbers.is_valid_number(num):
            continue
        if region == "US" and r.random() < 0.5:
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    raise RuntimeError("phone")


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def birth_date(r: random.Random) -> str:
    y, m, d = r.randint(1940, 2005), r.randint(1, 12), r.randint(1, 28)
    return r.choice(
        [
            f"{y}-{m:02d}-{d:02d}",
            f"{m:02d}/{d:02d}/{y}",
            f"{d:02d}.{m:02d}.{y}",
            f"{d} {MONTHS[m - 1]} {y}",
            f"{MONTHS[m - 1]} {d}, {y}",
        ]
    )


def imei_value(r: random.Random) -> str:
    v = luhn_complete(r.choice(["35", "86", "01", "49"]), 15, r)
    assert imei.is_valid(v)
    return v


def ipv4(r: random.Random) -> str:
    kind = r.random()
    if kind < 0.3:
        return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    if kind < 0.45:
        return f"192.168.{r.randint(0, 255)}.{r.randint(1, 254)}"
    return (
        f"{r.choice([23, 34, 52, 81, 104, 141, 185, 203, 212])}.{r.randint(0, 255)}."
        f"{r.randint(0, 255)}.{r.randint(1, 254)}"
    )


def ipv6(r: random.Random) -> str:
    groups = [f"{r.randint(0, 0xFFFF):x}" for _ in range(8)]
    kind = r.random()
    if kind < 0.4:
        return "2001:db8:" + ":".join(groups[2:4]) + "::" + groups[7]
    if kind < 0.6:
        return "fe80::" + ":".join(groups[4:8])
    return "2a02:" + ":".join(groups[1:8])


def mac_value(r: random.Random) -> str:
    while True:
        sep = r.choice([":", "-"])
        v = sep.join(f"{r.randint(0, 255):02x}" for _ in range(6))
        v = v.upper() if r.random() < 0.4 else v
        if mac.is_valid(v):
            return v


# -- credentials ------------------------------------------------------------------------

B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def aws_key_id(r: random.Random) -> str:
    return r.choice(["AKIA", "ASIA"]) + rs(r, B32, 16)


def mixed(r: random.Random, alphabet: str, n: int) -> str:
    while True:
        v = rs(r, alphabet, n)
        if (
            any(c.isupper() for c in v)
            and any(c.islower() for c in v)
            and any(c.isdigit() for c in v)
        ):
            return v


def aws_secret(r: random.Random) -> str:
    return mixed(r, B64, 40)


def gcp_api_key(r: random.Random) -> str:
    return "AIza" + mixed(r, B64URL, 35)


def hex_(r: random.Random, n: int) -> str:
    return rs(r, "0123456789abcdef", n)


def gcp_sa_key_id(r: random.Random) -> str:
    return hex_(r, 40)


def azure_key(r: random.Random) -> str:
    return mixed(r, B64, 86) + "=="


def azure_conn(r: random.Random) -> str:
    name = rs(r, string.ascii_lowercase, 10)
    return (
        f"DefaultEndpointsProtocol=https;AccountName={name};AccountKey={azure_key(r)};"
        "EndpointSuffix=core.windows.net"
    )


def github(r: random.Random) -> str:
    if r.random() < 0.2:
        return f"github_pat_{mixed(r, ALNUM, 22)}_{mixed(r, ALNUM, 59)}"
    return f"gh{r.choice('pousr')}_" + mixed(r, ALNUM, 36)


def gitlab(r: random.Random) -> str:
    return r.choice(["glpat-", "glpat-", "gldt-", "glrt-", "glptt-"]) + mixed(r, B64URL, 20)


def slack_token(r: random.Random) -> str:
    return f"xox{r.choice('bpa')}-{r.randint(10**10, 10**11)}-{r.randint(10**11, 10**12)}-" + mixed(
        r, ALNUM, 24
    )


def slack_webhook(r: random.Random) -> str:
    return (
        f"https://hooks.slack.com/services/T{rs(r, UPPER + DIGITS, 8)}/"
        f"B{rs(r, UPPER + DIGITS, 10)}/{mixed(r, ALNUM, 24)}"
    )


def stripe(r: random.Random) -> str:
    return r.choice(["sk_live_", "rk_live_", "sk_test_"]) + mixed(r, ALNUM, r.choice([24, 99]))


def twilio_key(r: random.Random) -> str:
    return "SK" + hex_(r, 32)


def sendgrid(r: random.Random) -> str:
    return f"SG.{mixed(r, B64URL, 22)}.{mixed(r, B64URL, 43)}"


def openai(r: random.Random) -> str:
    if r.random() < 0.6:
        return "sk-proj-" + mixed(r, B64URL, 156)
    return "sk-" + mixed(r, ALNUM, 20) + "T3BlbkFJ" + mixed(r, ALNUM, 20)


def anthropic(r: random.Random) -> str:
    return "sk-ant-api03-" + mixed(r, B64URL, 93) + "AA"


def npm(r: random.Random) -> str:
    return "npm_" + mixed(r, ALNUM, 36)


def pypi(r: random.Random) -> str:
    return "pypi-AgEIcHlwaS5vcmc" + mixed(r, B64URL, 150)


def docker(r: random.Random) -> str:
    return "dckr_pat_" + mixed(r, B64URL, 27)


def huggingface(r: random.Random) -> str:
    return "hf_" + "".join(r.choice(string.ascii_letters) for _ in range(34))


def shopify(r: random.Random) -> str:
    return r.choice(["shpat_", "shpss_", "shpca_"]) + hex_(r, 32)


def telegram(r: random.Random) -> str:
    return f"{r.randint(10**8, 10**10)}:AA{mixed(r, B64URL, 33)}"


def vault(r: random.Random) -> str:
    return "hvs." + mixed(r, B64URL, 90)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(r: random.Random) -> str:
    header = _b64url(json.dumps({"alg": r.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    payload = _b64url(
        json.dumps(
            {
                "sub": str(r.randint(1, 10**6)),
                "name": r.choice(FIRST),
                "iat": r.randint(1600000000, 1800000000),
            }
        ).encode()
    )
    return f"{header}.{payload}.{mixed(r, B64URL, 43)}"


def basic_auth(r: random.Random) -> str:
    user = r.choice(FIRST)
    return "Basic " + base64.b64encode(f"{user}:{password(r)}".encode()).decode()


def password(r: random.Random) -> str:
    words = ("Summer", "Tiger", "Blue", "Maple", "Orbit", "Falcon", "River", "Nova")
    return r.choice(words) + r.choice(words).lower() + str(r.randint(10, 9999)) + r.choice("!#%*?")


def private_key(r: random.Random) -> str:
    kind = r.choice(["RSA ", "EC ", "OPENSSH ", ""])
    lines = "\n".join(rs(r, B64, 64) for _ in range(r.randint(3, 6)))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{lines}\n-----END {kind}PRIVATE KEY-----"

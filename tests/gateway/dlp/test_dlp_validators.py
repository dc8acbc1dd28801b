"""Validators: the hand-written ones against published vectors, the library-backed ones
against python-stdnum's documented numbers, and the shape rules of the secret validators."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import random

import pytest
from stdnum import bitcoin as stdnum_bitcoin
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from gateway.dlp._validators import VALIDATORS, shannon_entropy


def valid(name: str, value: str) -> bool:
    return VALIDATORS[name].is_valid(value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("gb_nino", "AB123456C"),  # HMRC's format example
        ("gb_nino", "JR 24 59 57 A"),
        ("sg_nric", "S1234567D"),  # the widely published sample numbers
        ("sg_nric", "T1234567J"),
        ("sg_nric", "F1234567N"),
        ("us_npi", "1234567893"),  # CMS NPI check digit example
        ("us_dea", "AB1234563"),
        ("us_dea", "BJ6125341"),
        ("us_mbi", "1EG4-TE5-MK73"),  # CMS MBI format specification example
        ("au_medicare", "2123 45670 1"),
        ("icao_mrz", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"),  # ICAO 9303 specimen
        ("gb_driving_licence", "MORGA657054SM9IJ"),  # DVLA's explanation of the number
        ("icd10", "E11.9"),
        ("icd10", "S72.001A"),
        ("icd10", "U07.1"),
    ],
)
def test_hand_written_validator_accepts_published_vector(name: str, value: str) -> None:
    assert valid(name, value)


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("gb_nino", "QQ123456C", InvalidFormat),  # the documentation placeholder
        ("gb_nino", "GB123456A", InvalidComponent),  # unallocated prefix
        ("gb_nino", "AB123456E", InvalidFormat),
        ("sg_nric", "S1234567A", InvalidChecksum),
        ("sg_nric", "X1234567D", InvalidFormat),
        ("us_npi", "1234567890", InvalidChecksum),
        ("us_npi", "3234567893", InvalidComponent),
        ("us_dea", "AB1234564", InvalidChecksum),
        ("us_dea", "ZB1234563", InvalidComponent),
        ("us_mbi", "1EG4TS5MK73", InvalidFormat),  # S is never used
        ("au_medicare", "2123456711", InvalidChecksum),
        ("au_medicare", "7123456701", InvalidComponent),
        ("icao_mrz", "L898902C36UTO7408122F1204159ZE184226B<<<<<11", InvalidChecksum),
        ("icao_mrz", "L898902C37UTO7408122F1204159ZE184226B<<<<<10", InvalidChecksum),
        ("gb_driving_licence", "MORGA657354SM9IJ", InvalidComponent),
        ("icd10", "E1", InvalidLength),
    ],
)
def test_hand_written_validator_raises_the_specific_error(
    name: str, value: str, error: type[ValidationError]
) -> None:
    v = VALIDATORS[name]
    with pytest.raises(error):
        v.validate(v.compact(value))
    assert not v.is_valid(value)


# python-stdnum's own documented examples, through our table (compact + validate)
@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("us_itin", "912-90-3456", "912-60-3456"),
        ("us_rtn", "111000025", "111000026"),
        ("us_ein", "91-1144442", "00-1144442"),
        ("bic", "AGRIFRPP882", "AGRIFRPP8"),
        ("bitcoin", "1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD", "1NEDqZPvTWRaoho48qXuLLsrYomMXPABfX"),
        ("gb_nhs", "943-476-5870", "943-476-5871"),
        ("ca_sin", "123-456-782", "999-999-999"),
        ("de_idnr", "36 574 261 809", "36574261890"),
        ("fr_nir", "2 95 10 99 126 111 93", "2 95 10 99 126 111 94"),
        ("es_dni", "54362315-K", "54362315-M"),
        ("es_dni", "54.362.315-K", "54.362.315-M"),  # dotted, as the card prints it
        ("es_nie", "x-2482300w", "x-2482300a"),
        ("it_codicefiscale", "RCCMNL83S18D969H", "RCCMNL83S18D969A"),
        ("nl_bsn", "1112.22.333", "1112.52.333"),
        ("be_nn", "85 07 30 033 28", "12345678901"),
        ("se_personnummer", "880320-0016", "880320-0018"),
        ("dk_cpr", "211062-5629", "2110525629"),
        ("no_fodselsnummer", "151086 95088", "15108695077"),
        ("fi_hetu", "131052-308T", "131052-308U"),
        ("pl_pesel", "44051401359", "44051401358"),
        ("pt_nif", "PT 501 964 843", "501964842"),
        ("pt_cc", "00000000 0 ZZ4", "00000000 0 ZZ5"),
        ("au_tfn", "123 456 782", "999 999 999"),
        ("nz_ird", "4909185-0", "136410133"),
        ("in_aadhaar", "234123412346", "234123412347"),
        ("in_pan", "ACUPA7085R", "ACUPA7085RR"),
        ("br_cpf", "390.533.447-05", "231.002.999-00"),
        ("br_cnpj", "16.727.230/0001-97", "16.727.230.0001-98"),
        ("mx_curp", "BOXW310820HNERXN09", "BOXW310820HNERXN08"),
        ("za_idnr", "7503305044089", "8503305044089"),
        ("cn_ric", "360426199101010071", "360426199101010072"),
        ("kr_rrn", "971013-9019902", "971013-9019903"),
        ("jp_in", "6214 9832 0257", "6214 9832 0258"),
        ("ch_ssn", "756.9217.0769.85", "756.9217.0769.84"),
        ("cz_rc", "710319/2745", "710319/2746"),
        ("tr_tckimlik", "17291716060", "17291716050"),
        ("imei", "35686800-004141-20", "35-417803-685978-1"),
        ("luhn", "4111 1111 1111 1111", "4111 1111 1111 1112"),
        ("iban", "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 01"),
    ],
)
def test_library_backed_validator_follows_its_documentation(name: str, good: str, bad: str) -> None:
    assert valid(name, good)
    assert not valid(name, bad)


def test_ip_validators_make_private_ranges_a_choice() -> None:
    for private in ("10.1.2.3", "192.168.0.10", "172.16.5.4", "127.0.0.1"):
        assert valid("ipv4", private)
        assert not valid("ipv4_public", private)
    assert valid("ipv4_public", "81.2.69.160")
    assert not valid("ipv4", "010.1.2.3")  # leading zeros: not how addresses are written
    assert not valid("ipv4", "0.0.0.0")
    assert valid("ipv6", "2001:db8:85a3::8a2e:370:7334")
    assert valid("ipv6", "fe80::1ff:fe23:4567:890a")
    assert not valid("ipv6_public", "fe80::1ff:fe23:4567:890a")
    assert valid("ipv6_public", "2a02:1234:5678::1")
    assert not valid("ipv6", "12:30::")  # two groups only


@pytest.mark.parametrize(
    "number", ["+1 415 555 0132", "(212) 555-0199", "+44 20 7946 0958", "020 7946 0958",
               "0049 30 901820", "03-1234-5678",
               # national numbers without a trunk 0: Spain, Portugal, Italian and Chinese
               # mobiles, Brazil, India
               "612 34 56 78", "912 345 678", "333 123 4567", "138 0013 8000",
               "(11) 91234-5678", "98765 43210"],
)
def test_phone_numbers_are_valid_for_their_region(number: str) -> None:
    assert valid("phone", number)


@pytest.mark.parametrize(
    "number",
    ["+1 115 555 0132", "2024-01-15", "01.02.2024", "+99 1234 5678", "12345",
     "999-555-0132"],  # written the NANP way, valid only in India, Mexico or China
)
def test_phone_like_numbers_are_rejected(number: str) -> None:
    assert not valid("phone", number)


def test_a_phone_number_written_the_nanp_way_is_compacted_as_one() -> None:
    compact = VALIDATORS["phone"].compact
    assert compact("(212) 555-0199") == compact("1-212-555-0199") == "+12125550199"
    assert compact("+1 212 555 0199") == "+12125550199"
    assert compact("333 123 4567") == "3331234567"


@pytest.mark.parametrize("date", ["1985-03-12", "03/12/1985", "12.03.1985", "12 March 1985",
                                  "March 12, 1985", "12-Mar-1985", "12.MAR.1985", "Mar-12-1985",
                                  "03/02/85", "12-Mar-85", "29/02/00", "12. März 1985",
                                  "12 de marzo de 1985", "1er février 1985", "3 luglio 1979",
                                  "14 juillet 1989", "2 juin 1990", "12 mei 1985",
                                  "15 de março de 1985", "24. Dezember 1970"])
def test_birth_dates_in_common_orders(date: str) -> None:
    assert valid("birth_date", date)


@pytest.mark.parametrize("date", ["31/02/1985", "1899-12-31", "2999-01-01", "13/13/1985",
                                  "12-Mar-2999", "31/02/85", "29/02/01", "85/03/02",
                                  "31 juin 1990", "12 Foo 1985"])
def test_impossible_birth_dates_are_rejected(date: str) -> None:
    assert not valid("birth_date", date)


def test_a_two_digit_birth_year_is_the_latest_that_is_not_in_the_future() -> None:
    today = datetime.date.today()
    yy = today.year % 100
    this_year = f"{today.day:02d}/{today.month:02d}/{yy:02d}"
    assert valid("birth_date", this_year)  # today, this century
    nxt = (yy + 1) % 100
    assert valid("birth_date", f"01/01/{nxt:02d}")  # next year's date is last century's


def _b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_jwt_header_must_decode_to_json_with_alg() -> None:
    payload = _b64({"sub": "1"})
    sig = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    assert valid("jwt", f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{payload}.{sig}")
    assert not valid("jwt", f"{_b64({'typ': 'JWT'})}.{payload}.{sig}")
    assert not valid("jwt", f"eyJub3QganNvbg.{payload}.{sig}")
    assert not valid("jwt", f"{_b64({'alg': 'HS256'})}.{payload}.")  # signed, no signature


def test_basic_auth_must_hold_user_and_password() -> None:
    assert valid("basic_auth", "Basic " + base64.b64encode(b"alice:s3cr3t-Pass").decode())
    assert not valid("basic_auth", "Basic " + base64.b64encode(b"no colon here").decode())


def test_shannon_entropy_measures_bits_per_character() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == 2.0


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("client_secret=Q7v2xLp9Rk3sT8wZm4Nb6Yc1", True),
        ('API_KEY: "8f3b2a9c7d1e4f60b5a8c3d2e1f09a7b"', True),
        ("api_key: YOUR_API_KEY_HERE_PLEASE", False),  # placeholder
        ("token=aaaaaaaaaaaaaaaaaaaaaaaa", False),  # no entropy
        ("secret_name: productionDatabaseCredentials", False),  # an identifier
        ("token = ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62", False),  # github_token's job
        ("access_key = MmuHOFnH4x6jbhd8F/aZwjDqrZnhG3emr2Au/T/Z", False),  # AWS detector's
        ("secret_key = e3EIjLAM1uyugq94lxmxjc2p6aBg0HDtqUKS4ZKL", False),  # AWS's too
        ("SECRET_KEY = 'k8#2p!vz$w9q@x4m7n1r&t5y3u6i0o'", True),  # Django's alphabet
        ("secret_key = abcdefghijklmnopqrstuvwxyzabcdefghijklmn", False),  # one class
        ("AUTH_TOKEN=9f86d081884c7d659a2feaa0c55ad015", False),  # twilio_auth_token's
        ("authToken: 9f86d081884c7d659a2feaa0c55ad015", False),
        ("TOKEN=9f86d081884c7d659a2feaa0c55ad015", True),  # no auth token's key
        ("auth_token = a7F3kQ9zL2mV8xR4tW6nB1yC5hJ0pD3s", True),  # not its shape
    ],
)
def test_generic_secret_needs_a_random_value(text: str, ok: bool) -> None:
    assert valid("generic_secret", text) is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("db.password=Summerfalcon2023!", True),
        ("password: ${DB_PASSWORD}", False),
        ('password: "********"', False),
        ("PWD=/home/alice", False),
        ("password = self.password", False),
        ("password: changeme", False),
        ("--password Qz8~vK2.mL5_pR9-xT3", True),  # a command-line flag
        ("--password flag", False),  # prose: "use the --password flag"
        ("--password TEXT", False),  # a help text's metavar
        ("--password --host", False),  # the next flag
        ("<password>Xk93!mLq2</password>", True),
        ("<password>${env.DB_PASSWORD}</password>", False),
        ('key="DbPassword" value="Vk3$9zLq!mW2"', True),
        ('name="password" value="changeme"', False),
        ("password=Tr0ub4dor&3x", True),
        ("IDENTIFIED BY 'Xk93!mLq2", True),  # SQL
        ("PASSWORD 'changeme'", False),
        ("password=Xk93mLq2&amp", False),  # an HTML-escaped query string's "&amp;"
    ],
)
def test_config_password_skips_references_and_placeholders(text: str, ok: bool) -> None:
    assert valid("config_password", text) is ok


def test_urls_with_passwords_split_between_generic_and_database_detectors() -> None:
    assert valid("url_password", "https://deploy:Xk93-Lm2pQ7@git.example.com")
    assert not valid("url_password", "postgres://app:Xk93Lm2pQ7@db.internal:5432")
    assert valid("db_url", "postgres://app:Xk93Lm2pQ7@db.internal:5432")
    assert not valid("db_url", "postgres://user:password@localhost")
    assert not valid("url_password", "https://user:password@example.com")


def test_is_valid_never_raises_on_hostile_input() -> None:
    for v in VALIDATORS.values():
        for junk in ("", "\x00", "é" * 50, "9" * 400, "-----"):
            assert v.is_valid(junk) in (True, False)


def _base58(data: bytes) -> str:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    value, out = int.from_bytes(data, "big"), ""
    while value:
        value, digit = divmod(value, 58)
        out = alphabet[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def test_bitcoin_pre_rejection_agrees_with_python_stdnum() -> None:
    rng = random.Random(5)
    digits = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    cases = ["1" * 23, "1" * 24, "1" * 25, "351d946e32c37ef9ed3cb35af2e24c86"]
    for _ in range(3000):
        head = "1" * rng.choice([0, 0, 1, 2, 24]) + rng.choice(["", "1", "3"])
        cases.append(head + "".join(rng.choice(digits) for _ in range(rng.randint(0, 40))))
        payload = bytes([rng.choice([0, 5])]) + rng.randbytes(20)
        check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
        cases.append(_base58(payload + check))
    accepted = 0
    for case in cases:
        ours = VALIDATORS["bitcoin"].is_valid(case)
        assert ours == stdnum_bitcoin.is_valid(case), case
        accepted += ours
    assert 2500 < accepted < len(cases) - 2500


def test_bitcoin_look_alikes_of_the_wrong_size_never_reach_python_stdnum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def decode(_number: str) -> str:
        raise AssertionError("stdnum was called")

    monkeypatch.setattr(stdnum_bitcoin, "validate", decode)
    for digest in ("351d946e32c37ef9ed3cb35af2e24c86", "1223aa2524e49b75b4c941b4af937fc6"):
        with pytest.raises(InvalidLength):
            VALIDATORS["bitcoin"].validate(digest)

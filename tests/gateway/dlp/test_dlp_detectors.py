"""The detector table: every detector proves itself, and broken tables fail at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.dlp import Confidence, Scanner, load_detectors, public_addresses_only
from gateway.dlp._model import key_endings
from gateway.errors import DetectorError

HMAC_KEY = b"test-hmac-key-0123456789abcdef!!"

FIXTURES = Path(__file__).with_name("fixtures")
SHIPPED = load_detectors()
REQUIRED_IDS = {
    "credit_card",
    "us_ssn",
    "iban",
    "email_address",
    "aws_access_key_id",
    "aws_secret_access_key",
    "github_token",
    "private_key",
}


def _examples(kind: str) -> list[tuple[str, str]]:
    cases = []
    for det in SHIPPED:
        examples = det.examples.positive if kind == "positive" else det.examples.negative
        cases += [(det.id, text) for text in examples]
    return cases


def _ids(case: tuple[str, str]) -> str:
    return f"{case[0]}:{case[1][:40]}"


@pytest.mark.parametrize("case", _examples("positive"), ids=_ids)
def test_positive_example_is_found_by_its_detector(scanner: Scanner, case: tuple[str, str]) -> None:
    detector, text = case
    found = [f.detector for f in scanner.scan_text(text)]
    assert detector in found


@pytest.mark.parametrize("case", _examples("negative"), ids=_ids)
def test_negative_example_is_not_found_by_its_detector(
    scanner: Scanner, case: tuple[str, str]
) -> None:
    detector, text = case
    found = [f.detector for f in scanner.scan_text(text)]
    assert detector not in found


def test_shipped_table_covers_the_first_slice() -> None:
    assert {d.id for d in SHIPPED} >= REQUIRED_IDS


def test_every_shipped_detector_has_positive_and_negative_examples() -> None:
    for det in SHIPPED:
        assert det.examples.positive, det.id
        assert det.examples.negative, det.id


def test_detectors_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        SHIPPED[0].id = "other"


@pytest.mark.parametrize(
    ("fixture", "line", "field", "message"),
    [
        ("duplicate_id.yaml", 13, "detectors[1].id", "duplicate detector id 'dup'"),
        ("bad_category.yaml", 5, "detectors[0].category", "'secrets'"),
        ("bad_severity.yaml", 6, "detectors[0].severity", "'urgent'"),
        ("lookahead_pattern.yaml", 9, "detectors[0].patterns[1]", "does not compile in Hyperscan"),
        ("lookahead_prefilter.yaml", 9, "detectors[0].patterns[0].prefilter",
         "prefilter does not compile in Hyperscan"),
        ("unknown_validator.yaml", 9, "detectors[0].validator", "unknown validator 'crc99'"),
        ("no_positive_example.yaml", 11, "detectors[0].examples.positive", "at least 1 item"),
        ("extra_field.yaml", 9, "detectors[0].regexes", "Extra inputs are not permitted"),
        ("required_without_keywords.yaml", 3, "detectors[0]", "needs at least one keyword"),
        ("bad_confidence.yaml", 9, "detectors[0].confidence.base", "'certain'"),
    ],
)
def test_broken_table_names_file_line_and_field(
    fixture: str, line: int, field: str, message: str
) -> None:
    path = FIXTURES / fixture
    with pytest.raises(DetectorError) as info:
        load_detectors(path)
    err = info.value
    assert err.file == str(path)
    assert err.line == line
    assert err.field is not None
    assert field in err.field
    assert message in str(err)


def test_unreadable_table_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(DetectorError, match="cannot read file") as info:
        load_detectors(missing)
    assert info.value.file == str(missing)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("low", Confidence.LOW), ("Medium", Confidence.MEDIUM), ("HIGH", Confidence.HIGH)],
)
def test_confidence_parses_from_its_name(text: str, expected: Confidence) -> None:
    assert Confidence.parse(text) is expected


def test_confidence_is_ordered_for_thresholds() -> None:
    assert Confidence.LOW < Confidence.MEDIUM < Confidence.HIGH


def test_confidence_rejects_unknown_names_listing_the_accepted_ones() -> None:
    with pytest.raises(ValueError, match="'low', 'medium', 'high'"):
        Confidence.parse("sure")


def test_scanner_rejects_a_short_hmac_key() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Scanner.build(SHIPPED, hmac_key=b"short")


def test_scanner_compiles_a_subset_of_detectors() -> None:
    only_cards = Scanner.build([d for d in SHIPPED if d.id == "credit_card"], hmac_key=HMAC_KEY)
    found = only_cards.scan_text("4111 1111 1111 1111 jane@example.com")
    assert [f.detector for f in found] == ["credit_card"]


def test_shipped_table_has_the_full_library() -> None:
    assert len(SHIPPED) >= 80
    assert {d.category for d in SHIPPED} == {"pii", "financial", "health", "credentials",
                                             "network"}
    national = {c for d in SHIPPED if d.category == "pii" for c in d.countries}
    assert len(national) >= 25


def test_a_checksum_validated_identifier_with_context_is_high() -> None:
    for det in SHIPPED:
        if det.validator and det.keywords and det.category in ("pii", "financial", "health"):
            conf = det.confidence
            best = max(c for c in (conf.base, conf.validated, conf.context) if c is not None)
            assert best is Confidence.HIGH or det.validator in {
                "birth_date", "icd10", "phone", "ipv4", "mac", "gb_nino", "in_pan", "us_mbi",
            }, det.id


def test_a_weak_pattern_without_context_never_reaches_medium() -> None:
    """No validator and no mandatory keyword: only low confidence until a keyword is near."""
    for det in SHIPPED:
        weak = [i for i in range(len(det.patterns)) if not det.requires_keywords(i)]
        if det.validator is None and weak and det.category != "credentials":
            assert det.confidence.base is Confidence.LOW, det.id


def test_phone_labels_before_national_numbers_are_its_keywords() -> None:
    """The pattern that takes a national number only after a phone word spells out the
    keywords; a word missing from either list would make the other silently disagree."""
    phone = next(d for d in SHIPPED if d.id == "phone_number")
    labelled = [p.regex for p in phone.patterns if p.regex.startswith("(?i:")]
    assert len(labelled) == 1
    words = labelled[0][len("(?i:") : labelled[0].index(")")].split("|")
    decoded = [re.sub(r"(?:\\x[0-9a-f]{2})+",
                      lambda m: bytes.fromhex(m.group().replace("\\x", "")).decode(), w)
               for w in words]
    assert list(phone.keywords[: len(decoded)]) == decoded
    # then the joined forms of the labels of several words ("call_me", "callme", ...) and
    # labels with a colon as a JSON key ends ('contact":')
    joined = {w.replace(" ", j) for w in decoded if " " in w and w == w.strip()
              for j in ("_", "-", "")}
    joined |= {key + '":' for w in decoded for key in key_endings(w)}
    extra = {w for w in phone.keywords[len(decoded) :] if w not in joined}
    assert not extra or all(not w.isascii() for w in extra), extra  # other scripts only


def test_a_label_of_several_words_also_matches_as_a_field_name_writes_it() -> None:
    bank = next(d for d in SHIPPED if d.id == "bank_account_number")
    assert {"account number", "account_number", "account-number", "accountnumber"} <= set(
        bank.keywords)


@pytest.mark.parametrize(
    ("text", "detector", "confidence"),
    [
        ("applicant 536-22-1234 approved", "us_ssn", Confidence.MEDIUM),
        ("SSN: 536-22-1234", "us_ssn", Confidence.HIGH),
        ("server 10.20.30.40 is down", "ipv4_address", Confidence.MEDIUM),
        ("see 10.20.30.40 later", "ipv4_address", Confidence.LOW),
        ("Card number 4111 1111 1111 1111", "credit_card", Confidence.HIGH),
    ],
)
def test_confidence_follows_validator_and_keywords(
    scanner: Scanner, text: str, detector: str, confidence: Confidence
) -> None:
    found = {f.detector: f.confidence for f in scanner.scan_text(text)}
    assert found[detector] is confidence


def test_non_ascii_keywords_give_context(scanner: Scanner) -> None:
    found = {f.detector: f for f in scanner.scan_text("Fødselsnummer: 151086 95088")}
    assert found["no_fodselsnummer"].context


@pytest.mark.parametrize(
    ("text", "detector", "spans"),
    [
        # a sentence's final dot is not part of the address; a user agent's version is none
        ("prod is 198.51.100.17. Write it down", "ipv4_address", ["198.51.100.17"]),
        ("Chrome/124.0.0.0 Safari/537.36 from 81.2.69.160", "ipv4_address", ["81.2.69.160"]),
        # the key starts at a word boundary, not at the "=" before it
        ("kubectl create secret generic db --from-literal=password=Pz8!rT2qLm5x",
         "password_in_config", ["password=Pz8!rT2qLm5x"]),
        ("helm install g --set adminPassword=Gr4f!na2024x", "password_in_config",
         ["adminPassword=Gr4f!na2024x"]),
        # an "&" belongs to the password unless a query string's next "key=" follows it
        ("password=Tr0ub4dor&3x — rotate it", "password_in_config", ["password=Tr0ub4dor&3x"]),
        ("user=bob&password=Xk93mLq2&next=/", "password_in_config", ["password=Xk93mLq2"]),
        ('<a href="/login?user=bob&amp;password=Xk93mLq2&amp;next=/">', "password_in_config",
         ["password=Xk93mLq2"]),
        ("az login -u app --password Qz8~vK2.mL5_pR9-xT3 --tenant t1", "password_in_config",
         ["--password Qz8~vK2.mL5_pR9-xT3"]),
        ("<db><password>Xk93!mLq2</password></db>", "password_in_config",
         ["<password>Xk93!mLq2</password>"]),
        # the label precedes the account number; the routing number before it is not one
        ("routing 021000021, checking account 4410028871", "bank_account_number",
         ["4410028871"]),
        # a trunk-0 number is not a run of groups inside an IBAN next to "Telefon"
        ("IBAN: DE56 0492 3713 9134 9869 14\nTelefon: 0151 23456789", "phone_number",
         ["0151 23456789"]),
        ("Vous pouvez me joindre au 01 42 68 53 00 (bureau).", "phone_number",
         ["01 42 68 53 00"]),
        ("Tel: (02) 9876 5432", "phone_number", ["(02) 9876 5432"]),
        # a closing parenthesis after a number is the sentence's, not the number's
        ("Dr. Weiss (tel. 030 901820) or (call (212) 555-0199)", "phone_number",
         ["030 901820", "(212) 555-0199"]),
        ("REDIS_URL=redis://:Xr4kd92LmQa@cache.internal:6379/0", "db_connection_string",
         ["redis://:Xr4kd92LmQa@cache.internal:6379"]),
        ("AWS_SECRET_ACCESS_KEY=MmuHOFnH4x6jbhd8F/aZwjDqrZnhG3emr2Au/T/Z", "aws_secret_access_key",
         ["MmuHOFnH4x6jbhd8F/aZwjDqrZnhG3emr2Au/T/Z"]),
        ("IBAN DE89-3704-0044-0532-0130-00", "iban", ["DE89-3704-0044-0532-0130-00"]),
        ('{"geburtsdatum": "1984-02-03", "eintritt": "2024-05-01"}', "date_of_birth",
         ["1984-02-03"]),
        # a PEM block inside a JSON string keeps its escaped newlines
        ('{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n'
         '-----END PRIVATE KEY-----\\n"}', "private_key",
         ["-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n"
          "-----END PRIVATE KEY-----"]),
    ],
)
def test_realistic_writing_gives_exact_spans(
    scanner: Scanner, text: str, detector: str, spans: list[str]
) -> None:
    found = [text[a:b] for f, a, b in scanner.scan_spans(text) if f.detector == detector]
    assert found == spans


def test_private_addresses_can_be_left_out_of_the_ip_detectors() -> None:
    text = (b"from 10.1.2.3, 192.168.0.9, 127.0.0.1, fe80::1ff:fe23:4567:890a "
            b"and 8.8.8.8, 2001:4860:4860::8888")

    def found(scanner: Scanner) -> list[str]:
        result = scanner.scan_body(text, content_type="text/plain", content_encoding=None)
        return [f.masked for f in result.findings]

    every = Scanner.build(load_detectors(), hmac_key=b"k" * 32)
    public = Scanner.build(public_addresses_only(load_detectors()), hmac_key=b"k" * 32)
    assert len(found(every)) == 6
    assert len(found(public)) == 2

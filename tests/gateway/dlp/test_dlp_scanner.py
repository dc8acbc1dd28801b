"""Scanning semantics: normalization, confidence, context, dedupe, and no raw values kept."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import random
import re
from collections.abc import Sequence

import hyperscan
import pytest

from gateway.dlp import Confidence, Detector, Finding, Limits, Scanner, mask
from gateway.dlp._model import compile_database
from gateway.dlp._starts import _Start
from gateway.dlp._tables import looks_tabular
from gateway.errors import LimitExceeded

HMAC_KEY = b"test-hmac-key-0123456789abcdef!!"


def _only(findings: list[Finding], detector: str) -> Finding:
    matching = [f for f in findings if f.detector == detector]
    assert len(matching) == 1, findings
    return matching[0]


def test_card_number_split_by_dashes_is_found_and_luhn_checked(scanner: Scanner) -> None:
    finding = _only(scanner.scan_text("pay with 4111-1111-1111-1111 please"), "credit_card")
    assert finding.validator == "luhn"
    assert finding.masked == "4111-****-****-1111"
    assert finding.category == "financial"


def test_card_with_separators_hashes_like_the_bare_digits(scanner: Scanner) -> None:
    spaced = _only(scanner.scan_text("4111 1111 1111 1111"), "credit_card")
    bare = _only(scanner.scan_text("4111111111111111"), "credit_card")
    expected = hmac.new(HMAC_KEY, b"4111111111111111", hashlib.sha256).hexdigest()
    assert spaced.hmac == bare.hmac == expected


def test_luhn_failing_number_is_not_a_card(scanner: Scanner) -> None:
    assert not [f for f in scanner.scan_text("4111 1111 1111 1112") if f.detector == "credit_card"]


def test_validated_card_without_context_is_medium_and_with_context_high(scanner: Scanner) -> None:
    plain = _only(scanner.scan_text("ref 4111111111111111"), "credit_card")
    near = _only(scanner.scan_text("Visa card 4111111111111111"), "credit_card")
    assert (plain.confidence, plain.context) == (Confidence.MEDIUM, False)
    assert (near.confidence, near.context) == (Confidence.HIGH, True)


def test_keyword_outside_the_window_gives_no_context(scanner: Scanner) -> None:
    text = "card" + " " * 200 + "4111111111111111"
    assert _only(scanner.scan_text(text), "credit_card").context is False


def test_keyword_inside_the_value_itself_is_not_context(scanner: Scanner) -> None:
    finding = _only(scanner.scan_text("write to ops@mail.example.com"), "email_address")
    assert finding.context is False


def test_weak_pattern_needs_its_keyword(scanner: Scanner) -> None:
    assert not scanner.scan_text("order 536221234 shipped")
    finding = _only(scanner.scan_text("ssn 536221234"), "us_ssn")
    assert finding.context is True
    assert finding.confidence == Confidence.HIGH


def test_aws_secret_is_trimmed_to_the_key_itself(scanner: Scanner) -> None:
    secret = "MmuHOFnH4x6jbhd8F/aZwjDqrZnhG3emr2Au/T/Z"
    finding = _only(scanner.scan_text(f'aws_secret_access_key="{secret}"'), "aws_secret_access_key")
    assert finding.masked == mask(secret)
    assert finding.hmac == hmac.new(HMAC_KEY, secret.encode(), hashlib.sha256).hexdigest()


def test_overlapping_matches_of_one_detector_count_once(scanner: Scanner) -> None:
    # matched by the 4-4-4-4 and the contiguous shape, and at several end offsets
    findings = scanner.scan_text("4111111111111111")
    assert [f.detector for f in findings] == ["credit_card"]


def test_two_separate_values_give_two_findings(scanner: Scanner) -> None:
    findings = scanner.scan_text("4111111111111111 and 5555555555554444")
    assert [f.masked for f in findings] == ["4111********1111", "5555********4444"]


def test_findings_never_hold_the_raw_value(scanner: Scanner) -> None:
    values = [
        "4111111111111111",
        "536-22-1234",
        "GB82WEST12345698765432",
        "AKIAZ7QK3XJ2M5N4P6RT",
        "ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62",
    ]
    findings = scanner.scan_text("ssn " + " ; ".join(values))
    assert len(findings) == len(values)
    dumped = repr(findings)
    for value in values:
        assert value not in dumped


def test_private_key_block_is_found_whole(scanner: Scanner) -> None:
    block = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
        "-----END OPENSSH PRIVATE KEY-----"
    )
    finding = _only(scanner.scan_text(f"here:\n{block}\nthanks"), "private_key")
    assert finding.masked.startswith("----")
    assert finding.masked.endswith("EY-----")
    assert "b3BlbnNzaC1rZXkt" not in finding.masked


def test_scan_text_uses_the_given_location(scanner: Scanner) -> None:
    finding = _only(
        scanner.scan_text(
            "ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62", location="header:authorization"
        ),
        "github_token",
    )
    assert finding.location == "header:authorization"


def test_scan_body_reports_bytes_scanned(scanner: Scanner) -> None:
    body = b"nothing to see here"
    result = scanner.scan_body(body, content_type="text/plain", content_encoding=None)
    assert result.bytes_scanned == len(body)
    assert result.findings == ()
    assert result.file_type == "text"


def test_hmac_depends_on_the_scanner_key(scanner: Scanner) -> None:
    other = Scanner.build(scanner.detectors, hmac_key=b"another-key-of-32-bytes-length!!")
    a = _only(scanner.scan_text("4111111111111111"), "credit_card")
    b = _only(other.scan_text("4111111111111111"), "credit_card")
    assert a.hmac != b.hmac


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("4111111111111111", "4111********1111"),
        ("AKIAZ7QK3XJ2M5N4P6RT", "AKIA************P6RT"),
        ("536-22-1234", "53*-**-**34"),
        ("abc", "***"),
        ("", ""),
    ],
)
def test_mask_keeps_at_most_a_quarter_at_each_end(value: str, masked: str) -> None:
    assert mask(value) == masked
    assert len(mask(value)) == len(value)


def test_match_flood_stops_the_scan_and_flags_the_body(scanner: Scanner) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=HMAC_KEY, limits=Limits(max_matches=50))
    body = ("4111111111111111 " * 200).encode()
    result = small.scan_body(body, content_type="text/plain", content_encoding=None)
    assert result.unscannable == "limit_exceeded:matches"
    assert 0 < len(result.findings) <= 50


def test_scan_text_raises_limit_exceeded_on_a_match_flood(scanner: Scanner) -> None:
    small = Scanner.build(scanner.detectors, hmac_key=HMAC_KEY, limits=Limits(max_matches=5))
    with pytest.raises(LimitExceeded):
        small.scan_text("4111111111111111 " * 20)


def test_before_scope_counts_only_a_label_ahead_of_the_value(scanner: Scanner) -> None:
    assert _only(scanner.scan_text("DOB: 1984-02-03"), "date_of_birth").context is True
    # a CSV line's date followed by the next line's label is not a birth date
    csv = "id,created\n7,2024-01-15\nDOB: 1984-02-03\n"
    found = [f for f in scanner.scan_text(csv) if f.detector == "date_of_birth"]
    assert len(found) == 1


def _around(det: Detector) -> Detector:
    return det.model_copy(update={"id": f"{det.id}_around", "keyword_scope": "around"})


def _unsplit(dets: Sequence[Detector]) -> Scanner:
    """The same detectors with every pattern in the main database (no keyword windows)."""
    db, index = compile_database(dets)
    return Scanner(tuple(dets), db, dict(enumerate(index)), HMAC_KEY, Limits())


def test_around_scope_still_counts_a_keyword_after_the_value(scanner: Scanner) -> None:
    dob = next(d for d in scanner.detectors if d.id == "date_of_birth")
    around = Scanner.build([_around(dob)], hmac_key=HMAC_KEY)
    assert _only(around.scan_text("7,1984-02-03\nDOB: x"), "date_of_birth_around").context


def test_keyword_windows_find_what_a_full_scan_finds_for_both_scopes(scanner: Scanner) -> None:
    ids = {"date_of_birth", "passport_number", "us_drivers_license", "us_ssn", "imei"}
    shipped = [d for d in scanner.detectors if d.id in ids]
    dets = shipped + [_around(d) for d in shipped if d.keyword_scope == "before"]
    split, full = Scanner.build(dets, hmac_key=HMAC_KEY), _unsplit(dets)
    assert split._near is not None and full._near is None
    rng = random.Random(7)
    words = ["DOB:", "born", "passport", "DL#", "driver license", "ssn", "imei", "x", "\n",
             ",", "1984-02-03", "03/12/1985", "12 March 1985", "X12345678", "D1234567",
             "536221234", "490154203237518", "533401372", " ", "  ", "order"]
    for _ in range(400):
        text = "".join(rng.choice(words) + rng.choice(["", " ", "\n", ": "])
                       for _ in range(rng.randint(1, 30)))
        assert split.scan_text(text) == full.scan_text(text), text


def _reference_start(regex: bytes, width: int, bounded: bool, buf: bytes, end: int) -> int:
    """The leftmost start as ``_Start`` documents it, by ``re`` alone."""
    rest = min(2, len(buf) - end)
    rx = re.compile(b"(?:" + regex + b")(?=[\\s\\S]{%d}\\Z)" % rest)
    lo = max(0, end - width)
    m = rx.search(buf, lo, end + rest)
    if not bounded and lo > 0 and (m is None or m.start() == lo):
        m = rx.search(buf, 0, end + rest)
    return -1 if m is None else m.start()


@pytest.mark.parametrize(
    "regex",
    [
        rb"(?:^|[^A-Za-z0-9._%+:/-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
        rb"\.[A-Za-z]{2,24}\b",
        rb"\bk[a-z]*-[0-9a-z-]{2,}(?:[^0-9a-z-]|$)",
        rb"\Ba+b|^b+a",
        rb"(?i:K)[a-b]+\w*@",
        rb"[ab](?i:k)+[ab]*@",
        rb"(?:^|[^ab])x[ab]+@",
        # leads wider than a byte: the search starts that much before the last outsider
        rb"(?:^|[^A-Za-z0-9._%+:/#!$-]|[\x80-\xff]:|(?i:e-?mail):)[A-Za-z0-9._%+-]+@"
        rb"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b",
        rb"(?:^|[^abk]|k:|xk:)[ab]+@",
        rb"(?:^|[^ab]|\xe9:|(?i:e-?mail):)[ab]+@",
    ],
)
@pytest.mark.parametrize(("width", "bounded"), [(3, False), (8, False), (40, True)])
def test_starts_after_the_last_byte_outside_the_alphabet_are_those_of_re(
    regex: bytes, width: int, bounded: bool
) -> None:
    # narrow windows put many starts on or before their edge, where the search from the
    # buffer's start would run: the shortcut must give what ``re`` alone gives
    start = _Start(regex, width, bounded=bounded)
    assert start._alphabet is not None and start._fixed is None
    ends_db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    ends_db.compile(expressions=[regex], ids=[0], elements=1, flags=[0])
    rng = random.Random(3)
    alphabet = [b"a", b"b", b"k", b"K", b"-", b"@", b".io", b"ab.io", b" ", b"\n", b"/", b"x7",
                b"k-", b"kb-a7", b"aaaaaaab", b"bbbbbbbba", b"_", b"Kab@", b"kb_",
                b"aKkab@", b"x", b"zxab@"]
    if b"|" in regex and (b"k:" in regex or b"mail" in regex):  # the wider leads' own bytes
        alphabet += [b"k:", b"xk:", b"e-mail:", b"Email:", b"\xe9:", b":", b"xk:a"]
    compared = 0
    edges = 0
    for _ in range(1500 if len(alphabet) < 25 else 6000):
        buf = b"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        ends: list[int] = []

        def on_match(_p: int, _s: int, e: int, _f: int, _c: object, out: list[int] = ends) -> None:
            out.append(e)

        ends_db.scan(buf, match_event_handler=on_match)
        for end in ends:
            expected = _reference_start(regex, width, bounded, buf, end)
            assert start.start(buf, end) == expected, (buf, end)
            compared += 1
            edges += expected <= end - width
    assert compared > 300 and (edges > 0 or bounded), (compared, edges)


def test_fixed_width_starts_need_no_search() -> None:
    start = _Start(rb"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", 11)
    assert start._fixed == 11
    assert start.start(b"ssn 536-22-1234.", 15) == 4
    assert _Start(rb"\b[0-9]{9,11}\b", 11)._fixed is None


def test_a_recurring_value_is_validated_once_per_scan(scanner: Scanner) -> None:
    calls: list[str] = []
    d = next(i for i, det in enumerate(scanner.detectors) if det.id == "credit_card")
    comp = scanner._compiled[d]
    assert comp.validator is not None
    luhn = comp.validator

    def counted(number: str) -> str:
        calls.append(number)
        return luhn.validate(number)

    twin = scanner.with_limits(scanner.limits)
    twin._compiled = tuple(
        dataclasses.replace(c, validator=dataclasses.replace(luhn, validate=counted))
        if i == d else c
        for i, c in enumerate(scanner._compiled)
    )
    rows = "\n".join(f"{n},4111 1111 1111 1111,4111111111111112" for n in range(50))
    findings = [f for f in twin.scan_text(rows) if f.detector == "credit_card"]
    assert len(findings) == 50 and len({f.hmac for f in findings}) == 1
    assert sorted(calls) == ["4111111111111111", "4111111111111112"]
    assert len(twin.scan_text(rows)) == len(scanner.scan_text(rows))
    assert len(calls) == 4  # the memo lives for one scan only: nothing is kept between scans


def _without_prefilters(detectors: Sequence[Detector]) -> tuple[Detector, ...]:
    return tuple(
        d.model_copy(update={"patterns": tuple(p.model_copy(update={"prefilter": None})
                                               for p in d.patterns)})
        for d in detectors
    )


def test_every_prefilter_matches_where_its_pattern_matches(
    detectors: tuple[Detector, ...],
) -> None:
    """The contract of ``prefilter``: a hit ending wherever the pattern's matches end."""
    checked = 0
    for det in detectors:
        for pat in det.patterns:
            if pat.prefilter is None:
                continue
            exact = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            exact.compile(expressions=[pat.regex.encode()], ids=[0], elements=1, flags=[0])
            pre = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            pre.compile(expressions=[pat.prefilter.encode()], ids=[0], elements=1, flags=[0])
            for text in (*det.examples.positive, *det.examples.negative):
                ends: list[set[int]] = [set(), set()]
                for db, found in ((exact, ends[0]), (pre, ends[1])):
                    db.scan(text.encode(), match_event_handler=(
                        lambda _i, _s, end, _f, _c, found=found: found.add(end) or False))
                assert ends[0] <= ends[1], (det.id, text)
                checked += bool(ends[0])
    assert checked, "no prefiltered pattern matched its own examples"


def test_prefiltered_scans_find_exactly_what_full_patterns_find(
    detectors: tuple[Detector, ...], scanner: Scanner
) -> None:
    assert scanner._pre_db is not None  # the shipped table uses one (e-mail)
    plain = Scanner.build(_without_prefilters(detectors), hmac_key=HMAC_KEY)
    assert plain._pre_db is None
    texts = [
        "mail jane.doe@example.com, ops+x@mail.corp.example.org; @handle.example.com",
        "http://user:pw@host.example.com/ and git@github.com:org/repo.git",
        "x@a.cox@a.co@b.example.net " + "a" * 5000 + "@long.example.com",
        "@" * 300 + "b@c.de " + "first.last@sub.example.co.uk\n" * 50,
        '{"email": "q@r.st", "cc": "not-an-address@", "to": "@nobody.example"}',
    ]
    rnd = random.Random(9)
    alphabet = "ab.+-_@ :/%x1"
    texts += ["".join(rnd.choice(alphabet) for _ in range(400)) + "@mx.example.com"
              for _ in range(200)]
    for text in texts:
        assert scanner.scan_spans(text) == plain.scan_spans(text), text


@pytest.mark.parametrize(("regex", "loose"), [
    (rb"(?:^|[^0-9A-Za-z+_])\+[1-9][0-9]{5}", rb"\+[1-9][0-9]{5}"),
    (rb"(?:^|[^0-9A-Za-z./]|[^0-9A-Za-z]/)(?:[0-9]{1,3}\.){3}[0-9]{1,3}",
     rb"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"),
    (rb"(?:^|[^(])\)x", rb"\)x"),  # a parenthesis inside the class
    # every way in ends at a non-word byte, and a digit follows: a \b stays
    (rb"(?:^|[^0-9A-Za-z_ ]|[^0-9] )[2-6][0-9]{12}", rb"\b[2-6][0-9]{12}"),
    (rb"(?:^|[^0-9A-Za-z ]|[^0-9] )[2-6][0-9]{12}", rb"[2-6][0-9]{12}"),  # "_" may come first
    (rb"\b[0-9]{3}-[0-9]{2}\b", None),  # no group ahead
    (rb"(?:password|passwd)=\S+", None),  # a keyword, not a context byte
    (rb"(?:^|[^a-z])?abc", None),  # an optional group
    (rb"(?:^|[^a-z])abc|def", None),  # the rest is an alternation
])
def test_relaxed_drops_only_a_leading_context_group(regex: bytes, loose: bytes | None) -> None:
    from gateway.dlp._starts import relaxed

    assert relaxed(regex) == loose


def test_relaxed_patterns_find_exactly_what_the_whole_patterns_find(
    detectors: tuple[Detector, ...], scanner: Scanner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hyperscan runs the pattern without its context group; each end is confirmed by the
    # whole pattern in re. Same findings as scanning with the whole patterns.
    import gateway.dlp._scanner as scanner_module

    monkeypatch.setattr(scanner_module, "relaxed", lambda regex: None)
    whole = Scanner.build(detectors, hmac_key=HMAC_KEY)
    monkeypatch.undo()
    texts = [t for d in detectors for t in (*d.examples.positive, *d.examples.negative)]
    texts += [
        "ip 10.0.0.1, v1.2.3.4, Chrome/124.0.0.1, _10.1.1.1, a/10.2.2.2, 10.3.3.3. end 1.1.1.1",
        "call +44 20 7946 0958 or x+44 20 7946 0958, 0044 20 7946 0958 or 10044 20 7946 0958",
        "mac 00:1A:2B:3C:4D:5E a00:1A:2B:3C:4D:5E, fe80::1ff:fe23:4567:890a x::1:2",
    ]
    rnd = random.Random(4)
    texts += ["".join(rnd.choice("0123456789.:/+-_ ax") for _ in range(300)) for _ in range(300)]
    for text in texts:
        assert scanner.scan_spans(text) == whole.scan_spans(text), text


# -- delimited text: the header labels its column -----------------------------------------


def _nhs(rng: random.Random) -> str:
    """A random NHS number whose mod-11 check digit is valid."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = (11 - sum(x * (10 - i) for i, x in enumerate(digits)) % 11) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _patients(header: str, rows: int = 500, sep: str = ",") -> tuple[bytes, list[str]]:
    """A patient export (name, birth date, NHS number, ICD-10 code per row) and its dates."""
    rng = random.Random(rows)
    lines, dates = [header], []
    for i in range(rows):
        dob = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        dates.append(dob)
        lines.append(sep.join([f"Person {i}", dob, _nhs(rng), f"E11.{rng.randint(0, 9)}"]))
    return "\n".join(lines).encode(), dates


def _count(findings: Sequence[Finding], detector: str, *, context: bool | None = None) -> int:
    return sum(1 for f in findings if f.detector == detector
               and (context is None or f.context is context))


def _csv(scanner: Scanner, body: bytes, content_type: str = "text/csv") -> tuple[Finding, ...]:
    return scanner.scan_body(body, content_type=content_type, content_encoding=None).findings


@pytest.mark.parametrize("content_type", ["text/csv", "application/csv; charset=utf-8"])
def test_a_csv_header_is_context_for_every_value_in_its_column(
    scanner: Scanner, content_type: str
) -> None:
    body, _ = _patients("name,dob,nhs_number,diagnosis")
    found = _csv(scanner, body, content_type)
    for detector in ("date_of_birth", "uk_nhs_number", "icd10_code"):
        assert _count(found, detector, context=True) == 500, detector
        assert _count(found, detector) == 500, detector
    nhs = next(f for f in found if f.detector == "uk_nhs_number")
    assert nhs.confidence is Confidence.HIGH


@pytest.mark.parametrize("header", [None, "shipped,ref,code,when"])
def test_values_without_a_naming_header_get_no_column_context(
    scanner: Scanner, header: str | None
) -> None:
    body, _ = _patients(header or "")
    if header is None:
        body = body.split(b"\n", 1)[1]  # no header line: the first row is data
    found = _csv(scanner, body)
    for detector in ("date_of_birth", "uk_nhs_number", "icd10_code"):
        assert _count(found, detector) == 0, detector


def test_the_same_rows_as_another_text_type_get_nothing_below_the_header(
    scanner: Scanner,
) -> None:
    body, _ = _patients("name,dob,nhs_number,diagnosis")
    found = _csv(scanner, body, "text/markdown")
    # only the first row is within the header's keyword window, as before
    assert _count(found, "date_of_birth") == 0
    assert _count(found, "uk_nhs_number") <= 1 and _count(found, "icd10_code") <= 1


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8", None])
def test_a_table_sent_as_plain_text_is_read_by_its_header(
    scanner: Scanner, content_type: str | None
) -> None:
    body, _ = _patients("name;dob;nhs_number;diagnosis", sep=";")
    found = scanner.scan_body(body, content_type=content_type, content_encoding=None).findings
    for detector in ("date_of_birth", "uk_nhs_number", "icd10_code"):
        assert _count(found, detector, context=True) == 500, detector


@pytest.mark.parametrize(
    "text",
    [
        # the fields' counts disagree: prose, an address block, a list
        "Patient dob, nhs number, diagnosis follow.\nSmith, John\n1984-02-03 was noted, "
        "then 943 476 5919 and E11.9, all fine, really\nnothing else\n",
        "dob,nhs_number\n1984-02-03,9434765919\n",  # one row: too little to tell
        # a quoted field that runs on to the next line: a content type has to say so
        'dob,notes\n1984-02-03,"line one\nline two"\n1990-01-01,x\nx,y\n',
    ],
)
def test_text_that_is_no_clear_table_is_not_read_as_one(text: str) -> None:
    assert looks_tabular(text.encode()) is None


def test_a_sniffed_table_needs_the_same_field_count_on_its_first_rows() -> None:
    assert looks_tabular(b"a,b,c\n1,2,3\n4,5,6\n") == b","
    assert looks_tabular(b"a\tb\n1\t2\n3\t4\n5\t6") == b"\t"
    assert looks_tabular(b"a,b,c\n1,2,3\n4,5\n") is None


PASTED = ("Here is the payroll export, new starters:\n\n"
          "Naam\tBSN\tIn dienst\nR. de Graaf\t124187493\t01-09-2024\n"
          "M. El Idrissi\t820184858\t16-09-2024\n\nContracts are in the HR folder.\n")


def test_a_table_pasted_after_a_few_lines_of_prose_is_found_by_its_header() -> None:
    from gateway.dlp._tables import sniff_table

    assert sniff_table(PASTED.encode(), 3) == (b"\t", PASTED.index("Naam"))
    assert sniff_table(PASTED.encode()) is None  # streams read a header on the first line
    assert looks_tabular(b"Hi all,\nI think, yes\nok, fine\nsee you\n") is None  # prose


def test_every_row_of_a_pasted_table_gets_its_columns_context(scanner: Scanner) -> None:
    found = [(f.detector, PASTED[a:b], f.context) for f, a, b in scanner.scan_spans(PASTED)]
    assert found == [("nl_bsn", "124187493", True), ("nl_bsn", "820184858", True)]


@pytest.mark.parametrize("text", [
    # quoted fields with the delimiter inside
    'Name,PAN,Aadhaar,CTC\nRohan Sharma,BKRPS4817M,6123 4465 8242,"14,50,000"\n'
    '"Nair, Anjali",AHUPN2093Q,2341 2341 2346,"9,80,000"\n',
    # psql output: a rule under the header, one row, a footer
    " id | name  | aadhaar\n----+-------+----------------\n  7 | Rohan | 6123 4465 8242\n(1 row)\n",
    # a mysql box
    "+----+-------+----------------+\n| id | name  | aadhaar        |\n"
    "+----+-------+----------------+\n|  7 | Rohan | 6123 4465 8242 |\n"
    "|  8 | Anjali | 2341 2341 2346 |\n+----+-------+----------------+\n",
])
def test_quoted_and_printed_tables_are_read_by_their_header(
    scanner: Scanner, text: str
) -> None:
    found = [(f.detector, f.context) for f, _, _ in scanner.scan_spans(text)
             if f.detector == "in_aadhaar"]
    assert found and all(context for _, context in found), found


def test_one_row_of_many_fields_under_a_header_is_a_table(scanner: Scanner) -> None:
    text = ("Translate these headers and tell me which columns are personal data:\n\n"
            "numero_pratica;cognome;codice_fiscale;data_nascita;importo\n"
            "PR-2024-0412;Bonacci;BNCGLI92E45H501B;05/05/1992;312,40")
    dates = [text[a:b] for f, a, b in scanner.scan_spans(text) if f.detector == "date_of_birth"]
    assert dates == ["05/05/1992"]
    assert looks_tabular(b"Hi Jan, thanks\nsee you, then\n") is None  # two lines of prose


def test_a_header_field_is_named_by_a_label_written_with_a_colon(scanner: Scanner) -> None:
    # "mobil:" labels a number in text; a column is named "mobil"
    text = ("personnummer;namn;mobil;avdelning\n910409-4595;Erik;070-582 41 93;Lager\n"
            "680223-2808;Karin;070-123 45 67;Ekonomi\n")
    phones = [text[a:b] for f, a, b in scanner.scan_spans(text) if f.detector == "phone_number"]
    assert phones == ["070-582 41 93", "070-123 45 67"]


@pytest.mark.parametrize("body", [
    b'{"slips": [{"box12_sin": "285 969 952", "province": "ON"}]}',  # the JSON path
    b'note: {"slips": [{"box12_sin": "285 969 952"}]}',  # the same pasted into text
])
def test_a_json_key_ending_in_a_label_is_its_keyword(scanner: Scanner, body: bytes) -> None:
    ctype = "application/json" if body.startswith(b"{") else "text/plain"
    found = scanner.scan_body(body, content_type=ctype, content_encoding=None).findings
    assert [(f.detector, f.context) for f in found] == [("ca_sin", True)]


def test_a_strong_value_under_its_header_is_raised_to_context(scanner: Scanner) -> None:
    rows = "\n".join(f"{i},{'4111111111111111' if i == 300 else ''},ok" for i in range(400))
    labelled = _only(list(_csv(scanner, f"id,card_number,status\n{rows}".encode())),
                     "credit_card")
    assert labelled.context is True and labelled.confidence is Confidence.HIGH
    plain = _only(list(_csv(scanner, f"id,number,status\n{rows}".encode())), "credit_card")
    assert plain.context is False and plain.confidence is Confidence.MEDIUM


@pytest.mark.parametrize(("sep", "content_type"), [
    (";", "text/csv"), ("\t", "text/csv"), ("\t", "text/tab-separated-values"),
    ("|", "text/csv"),
])
def test_semicolon_tab_and_pipe_delimiters_are_read_from_the_header(
    scanner: Scanner, sep: str, content_type: str
) -> None:
    body, _ = _patients(sep.join(["name", "dob", "nhs_number", "diagnosis"]), sep=sep)
    found = _csv(scanner, body, content_type)
    for detector in ("date_of_birth", "uk_nhs_number", "icd10_code"):
        assert _count(found, detector, context=True) == 500, detector


def test_a_value_counts_only_under_the_header_that_names_its_detector(scanner: Scanner) -> None:
    rows = "\n".join(f"Person {i},1984-02-{i % 28 + 1:02d},2001-05-{i % 28 + 1:02d}"
                     for i in range(200))
    found = _csv(scanner, f"name,dob,visit\n{rows}".encode())
    assert _count(found, "date_of_birth") == 200  # the dob column only, not the visit
    assert _count(_csv(scanner, f"name,visit,dob_checked\n{rows}".encode()),
                  "date_of_birth") == 200  # now the last column
    swapped = f"dob,name,visit\n{rows}".encode()
    assert _count(_csv(scanner, swapped), "date_of_birth") == 0


def test_quoted_fields_keep_their_delimiters_and_newlines(scanner: Scanner) -> None:
    days = [f"{i % 28 + 1:02d}" for i in range(200)]
    # quoted commas and a newline before the value: its line alone would read as column 1
    rows = [f'"Doe, Jane {i}","seen, twice\nthen fine",1984-02-{d}' for i, d in enumerate(days)]
    found = _csv(scanner, ("name,notes,dob\n" + "\n".join(rows)).encode())
    assert _count(found, "date_of_birth", context=True) == 200
    # a date that starts a line inside a quoted note is in the note column, not the first
    rows = [f'1984-02-{d},"seen\n2003-04-{d}, then ""fine""",1' for d in days]
    found = _csv(scanner, ("dob,notes,x\n" + "\n".join(rows)).encode())
    masked = [f.masked for f in found if f.detector == "date_of_birth"]
    assert len(masked) == 200 and all(m.startswith("19") for m in masked), masked
    # a quoted header field, and a date holding the delimiter in a quoted field
    quoted = ('name,"Date of birth",x\n' + "\n".join(
        f'"Doe, J","March {i % 28 + 1}, 1985",1' for i in range(100))).encode()
    assert _count(_csv(scanner, quoted), "date_of_birth", context=True) == 100


def test_a_delimited_header_matches_a_full_scan_exactly(scanner: Scanner) -> None:
    ids = {"date_of_birth", "uk_nhs_number", "icd10_code", "us_ssn", "credit_card"}
    dets = [d for d in scanner.detectors if d.id in ids]
    split, full = Scanner.build(dets, hmac_key=HMAC_KEY), _unsplit(dets)
    rng = random.Random(11)
    cells = ["1984-02-03", "9434765919", "E11.9", "536221234", "4111111111111111", "x",
             '"a,\n1984-02-03"', "", "dob", "ssn 536221234", "C12",
             "aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBwbGFpbiB0ZXh0"]  # base64: a segment follows
    for _ in range(60):
        header = ",".join(rng.choice(["dob", "nhs", "diagnosis", "ssn", "card", "x", '"a,b"'])
                          for _ in range(4))
        rows = "\n".join(",".join(rng.choice(cells) for _ in range(4))
                         for _ in range(rng.randint(1, 40)))
        body = f"{header}\n{rows}".encode()
        assert _csv(split, body) == _csv(full, body), body


def test_redacting_a_csv_masks_what_its_scan_finds(scanner: Scanner) -> None:
    body, dates = _patients("name,dob,nhs_number,diagnosis", rows=50)
    out = scanner.redact(body, content_type="text/csv", content_encoding=None,
                         detectors={"date_of_birth"})
    assert not any(d.encode() in out for d in dates)
    assert out.count(b"\n") == body.count(b"\n")


def test_a_csv_file_in_a_form_upload_is_read_by_its_header(scanner: Scanner) -> None:
    table, _ = _patients("name,dob,nhs_number,diagnosis", rows=100)
    parts = [("comment", None, "see attached"), ("file", "Patients.CSV", table.decode()),
             ("copy", "patients.txt", table.decode())]
    body = "".join(
        f'--b0\r\nContent-Disposition: form-data; name="{name}"'
        + (f'; filename="{filename}"\r\nContent-Type: text/csv' if filename else "")
        + f"\r\n\r\n{data}\r\n" for name, filename, data in parts) + "--b0--\r\n"
    found = scanner.scan_body(body.encode(), content_type="multipart/form-data; boundary=b0",
                              content_encoding=None).findings
    births = [f for f in found if f.detector == "date_of_birth"]
    assert len(births) == 100 and all(f.context for f in births)
    assert {f.location for f in births} == {"multipart:file/Patients.CSV"}


def test_scan_spans_reads_a_header_when_told_the_text_is_csv(scanner: Scanner) -> None:
    text = "Name;Geburtsdatum;Ort\nMüller, Hans;12.03.1961;Köln\nSchmidt, Eva;30.11.1975;Bonn"
    assert not [f for f, _a, _b in scanner.scan_spans(text, content_type="text/markdown")
                if f.detector == "date_of_birth"]
    sniffed = [(text[a:b], f.context) for f, a, b in scanner.scan_spans(text)
               if f.detector == "date_of_birth"]  # no content type: it reads as a table
    assert sniffed == [("12.03.1961", True), ("30.11.1975", True)]
    spans = [(text[a:b], f.context) for f, a, b in scanner.scan_spans(text, content_type="text/csv")
             if f.detector == "date_of_birth"]
    assert spans == [("12.03.1961", True), ("30.11.1975", True)]


def test_a_trimmed_prefix_is_not_part_of_the_value(scanner: Scanner) -> None:
    text = 'Write to <a href="MAILTO:support@example.com">us</a> or user:pw@host.example.com'
    spans = [text[a:b] for f, a, b in scanner.scan_spans(text) if f.detector == "email_address"]
    assert spans == ["support@example.com"]  # a URL's user:pw@ is still no address


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("firmware 2.0.1.3", False),
        ("Version: 10.0.19041.1", False),
        ("see section 4.2.1.3 of RFC 7230", False),
        ("kernel-5.4.0.1 loaded", False),
        ("client version 2.1 connected from 10.0.0.5", True),
        ("build server at 10.1.2.3", True),
        ("subversion 10.1.2.3", True),  # a whole word only
    ],
)
def test_an_exclude_keyword_right_before_a_value_vetoes_it(
    scanner: Scanner, text: str, found: bool
) -> None:
    assert any(f.detector == "ipv4_address" for f in scanner.scan_text(text)) is found


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        # a checksum another country's id also passes: its own label decides
        ("CPR-nr: 111096-6563", "111096-6563", ["dk_cpr"]),
        # the label next to the value beats a keyword on the next CSV row
        ("id,note\n1,Reisepass 823294437,x\n2,SSN 666-40-8127,y", "823294437",
         ["passport_number"]),
        # a weak shape with a keyword does not push out a labelled strong one
        ("visa card, account no. 4012888888881881", "4012888888881881",
         ["bank_account_number", "credit_card"]),
    ],
)
def test_one_value_read_by_several_detectors_goes_to_the_nearest_label(
    scanner: Scanner, text: str, value: str, expected: list[str]
) -> None:
    found = sorted(f.detector for f, a, b in scanner.scan_spans(text) if text[a:b] == value)
    assert found == expected


def test_a_value_inside_a_labelled_one_still_counts(scanner: Scanner) -> None:
    text = "DATABASE_URL=postgres://app:s3cr3t@203.0.113.9:5432/orders"
    found = {f.detector for f in scanner.scan_text(text)}
    assert {"db_connection_string", "ipv4_address"} <= found


@pytest.mark.parametrize("text", [
    "जन्मतिथि: 12/08/1979",  # 8 characters, 24 bytes: the window counts characters
    "تاريخ الميلاد: 05/03/1991",
    "생년월일: 1979년 8월 21일",
])
def test_a_label_in_another_script_is_as_near_as_its_characters(
    scanner: Scanner, text: str
) -> None:
    found = [(f.detector, f.context) for f, _, _ in scanner.scan_spans(text)]
    assert found == [("date_of_birth", True)]


def test_the_window_of_latin_labels_is_unchanged(scanner: Scanner) -> None:
    text = "3,DOB: 01/28/1961,2024-02-27\n"  # the second date is too far from "DOB"
    assert [text[a:b] for f, a, b in scanner.scan_spans(text)
            if f.detector == "date_of_birth"] == ["01/28/1961"]


def test_pretty_printed_json_is_no_table() -> None:
    text = b'{\n  "type": "service_account",\n  "project_id": "p",\n  "client_id": "1",\n}\n'
    from gateway.dlp._tables import sniff_table

    assert sniff_table(text, 3) is None


@pytest.mark.parametrize("content_type", ["text/csv", None])
def test_a_column_header_can_say_a_value_is_something_else(
    scanner: Scanner, content_type: str | None
) -> None:
    # SSN-shaped part numbers under "part_number" (an exclude keyword of us_ssn)
    rows = "part_number,description,qty\n512-44-0913,Bracket,120\n521-07-1180,Spacer,85\n"
    found = scanner.scan_body(rows.encode(), content_type=content_type,
                              content_encoding=None).findings
    assert [f.detector for f in found] == []
    ssns = "ssn,description,qty\n512-44-0913,Bracket,120\n521-07-1180,Spacer,85\n"
    found = scanner.scan_body(ssns.encode(), content_type=content_type,
                              content_encoding=None).findings
    assert [f.detector for f in found] == ["us_ssn", "us_ssn"]

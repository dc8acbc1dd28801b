"""Build the labelled DLP evaluation set: ``python -m tests.dlp_eval.generate``.

Seeded and deterministic: the same seed writes the same ``eval.jsonl``. Each line is
``{"id", "carrier", "text", "spans": [{"detector", "start", "end"}]}`` with Python string
offsets. Values come from :mod:`tests.dlp_eval.values` (valid by the reference libraries) or
from public test data (payment processors' test cards, python-stdnum's documented numbers).
They are embedded in carrier text (e-mails, CSV exports, JSON API payloads, logs, chat
messages, config files) next to look-alikes that must not be reported: numbers failing a
checksum, UUIDs, hashes, tracking numbers, version strings, timestamps, phone-like numbers.

Spans cover the value as the detector reports it; the keyed detectors (password_in_config,
generic_secret) cover ``key = value`` from the secret-like word on.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import uuid
from collections.abc import Callable
from pathlib import Path

from stdnum import luhn

from tests.dlp_eval import values as V

OUT = Path(__file__).with_name("eval.jsonl")
DEFAULT_SEED = 20240603
DEFAULT_PER_DETECTOR = 40
Item = tuple[str, str, str, str | None]  # before, value, after, detector (None: look-alike)

# Published test data: Stripe/Adyen/Braintree test cards, python-stdnum documentation numbers.
PUBLIC = {
    "credit_card": [
        "4111111111111111",
        "5555 5555 5555 4444",
        "4242 4242 4242 4242",
        "378282246310005",
        "6011111111111117",
        "3530111333300000",
        "5105105105105100",
        "4000056655665556",
        "2223003122003222",
    ],
    "iban": [
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "CH9300762011623852957",
    ],
    "us_ssn": ["536-22-1234", "432-56-7890"],
    "br_cpf": ["390.533.447-05"],
    "fi_hetu": ["131052-308T"],
    "it_codice_fiscale": ["RCCMNL83S18D969H"],
    "mx_curp": ["BOXW310820HNERXN09"],
    "cn_resident_id": ["360426199101010071"],
    "kr_rrn": ["971013-1019902"] if False else [],
}


def pick(r: random.Random, det: str, gen: Callable[[random.Random], str]) -> str:
    public = PUBLIC.get(det) or []
    if public and r.random() < 0.25:
        return r.choice(public)
    return gen(r)


# detector -> (generator, templates). "{}" is the value. Templates for detectors whose
# patterns need context carry a keyword; others mix bare and keyworded phrasings.
def _keyed_password(r: random.Random) -> tuple[str, str, str]:
    key = r.choice(
        [
            "password",
            "db_password",
            "DB_PASSWORD",
            "smtp.password",
            "Password",
            "admin_pass",
            "passwd",
            "PGPASSWORD",
            "ldap.bind.password",
        ]
    )
    sep = r.choice(["=", ": ", " = ", "="])
    val = V.password(r)
    quote = r.choice(["", '"', "'"]) if sep != "=" else ""
    return "", f"{key}{sep}{quote}{val}", quote


def _keyed_secret(r: random.Random) -> tuple[str, str, str]:
    owner = r.choice(["client_", "app_", "CLIENT_", "webhook_", "", "JWT_", "api_", "session_"])
    word = r.choice(
        ["secret", "SECRET", "token", "api_key", "API_KEY", "signing_key", "access_key", "apiKey"]
    )
    if owner.isupper():
        word = word.upper()
    val = r.choice(
        [V.mixed(r, V.ALNUM, r.randint(20, 40)), V.hex_(r, 32), V.mixed(r, V.B64URL, 32)]
    )
    sep = r.choice(["=", ": ", " = "])
    quote = r.choice(["", '"']) if sep != "=" else ""
    if word.lower() == "secret" and owner.lower() == "client_":
        owner, word = "", owner + word  # client_secret is one secret-like key
    return owner, f"{word}{sep}{quote}{val}", quote


SPECS: dict[str, tuple[Callable[[random.Random], str], list[str]]] = {
    "credit_card": (
        V.card,
        [
            "Card number: {}",
            "please charge {} exp 09/27",
            "cc={}",
            "Visa {} (corporate card)",
            "pan {}",
            "paid with {} yesterday",
            "{}",
            "card on file {}",
            "Kreditkarte {}",
        ],
    ),
    "iban": (
        V.iban_value,
        [
            "IBAN: {}",
            "please wire to {} by Friday",
            "Virement vers {}",
            "account {}",
            "{}",
            "Bankverbindung IBAN {}",
        ],
    ),
    "swift_bic": (V.bic_value, ["SWIFT: {}", "BIC {}", "swift code {}", "BIC/SWIFT: {}"]),
    "us_aba_routing": (V.rtn_value, ["routing number {}", "ABA {}", "Routing #: {}"]),
    "bank_account_number": (
        V.bank_account,
        ["account number {}", "Acct #: {}", "bank account {}", "checking account {}"],
    ),
    "uk_sort_code": (V.sort_code, ["sort code {}", "Sort Code: {}"]),
    "us_ein": (V.ein_value, ["EIN {}", "Employer Identification Number: {}", "FEIN: {}"]),
    "bitcoin_address": (V.bitcoin_value, ["send BTC to {}", "wallet {}", "{}"]),
    "us_ssn": (
        V.us_ssn,
        [
            "SSN: {}",
            "social security number {}",
            "ssn={}",
            "{}",
            "applicant {} approved",
            "Soc Sec #{}",
        ],
    ),
    "us_itin": (V.us_itin, ["ITIN: {}", "taxpayer identification number {}", "{}"]),
    "uk_nino": (V.gb_nino, ["NI number: {}", "National Insurance number {}", "nino={}", "{}"]),
    "ca_sin": (V.ca_sin, ["SIN: {}", "Social Insurance Number {}", "sin number {}"]),
    "de_tax_id": (V.de_idnr, ["Steuer-ID: {}", "steuerliche Identifikationsnummer {}", "IdNr {}"]),
    "fr_nir": (V.fr_nir, ["numéro de sécurité sociale {}", "NIR: {}", "{}"]),
    "es_dni": (V.es_dni, ["DNI: {}", "NIF {}", "{}"]),
    "es_nie": (V.es_nie, ["NIE: {}", "{}"]),
    "it_codice_fiscale": (V.it_cf, ["Codice fiscale: {}", "CF {}", "{}"]),
    "nl_bsn": (V.nl_bsn, ["BSN: {}", "burgerservicenummer {}"]),
    "be_national_number": (V.be_nn, ["Rijksregisternummer: {}", "numéro national {}", "{}"]),
    "se_personnummer": (V.se_pnr, ["personnummer {}", "Personnummer: {}", "{}"]),
    "dk_cpr": (V.dk_cpr, ["CPR-nr: {}", "cpr {}"]),
    "no_fodselsnummer": (V.no_fnr, ["fødselsnummer {}", "Fødselsnummer: {}", "fnr {}"]),
    "fi_hetu": (V.fi_hetu, ["henkilötunnus {}", "HETU: {}", "{}"]),
    "pl_pesel": (V.pl_pesel, ["PESEL: {}", "numer PESEL {}"]),
    "pt_nif": (V.pt_nif, ["NIF: {}", "contribuinte {}"]),
    "pt_citizen_card": (V.pt_cc_value, ["Cartão de Cidadão {}", "{}"]),
    "ie_pps": (V.ie_pps, ["PPS number: {}", "PPSN {}", "{}"]),
    "au_tfn": (V.au_tfn, ["TFN: {}", "tax file number {}"]),
    "nz_ird": (V.nz_ird, ["IRD number {}", "IRD: {}"]),
    "in_aadhaar": (V.in_aadhaar, ["Aadhaar: {}", "aadhaar no {}", "UIDAI number {}"]),
    "in_pan": (V.in_pan, ["PAN: {}", "PAN card {}", "{}"]),
    "sg_nric": (V.sg_nric, ["NRIC: {}", "NRIC/FIN {}", "{}"]),
    "br_cpf": (V.br_cpf, ["CPF: {}", "cpf {}", "{}"]),
    "br_cnpj": (V.br_cnpj, ["CNPJ: {}", "{}"]),
    "mx_curp": (V.mx_curp, ["CURP: {}", "{}"]),
    "za_id": (V.za_id, ["SA ID number: {}", "identity number {}", "ID no {}"]),
    "jp_my_number": (V.jp_my_number, ["マイナンバー: {}", "My Number {}"]),
    "kr_rrn": (V.kr_rrn, ["주민등록번호 {}", "RRN: {}", "{}"]),
    "cn_resident_id": (V.cn_ric, ["身份证号码: {}", "ID card {}", "{}"]),
    "ch_ahv": (V.ch_ahv, ["AHV-Nr.: {}", "numéro AVS {}", "{}"]),
    "cz_birth_number": (V.cz_rc, ["rodné číslo {}", "{}"]),
    "ro_cnp": (V.ro_cnp, ["CNP: {}", "cod numeric personal {}"]),
    "tr_tc_kimlik": (V.tr_tck, ["T.C. Kimlik No: {}", "TCKN {}"]),
    "passport_number": (
        V.passport_number,
        ["Passport No: {}", "passport number {}", "Reisepass {}"],
    ),
    "passport_mrz": (V.passport_mrz, ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n{}"]),
    "us_drivers_license": (V.us_dl, ["Driver's License: {}", "DL# {}", "driver license {}"]),
    "uk_driving_licence": (V.gb_dl, ["Driving licence: {}", "licence number {}", "{}"]),
    "uk_nhs_number": (V.gb_nhs, ["NHS number: {}", "NHS No {}", "patient id {}"]),
    "us_mbi": (V.us_mbi, ["Medicare MBI: {}", "MBI {}", "{}"]),
    "us_npi": (V.us_npi, ["NPI: {}", "provider NPI {}"]),
    "us_dea": (V.us_dea, ["DEA# {}", "DEA number {}", "{}"]),
    "au_medicare": (V.au_medicare, ["Medicare card {}", "medicare no {}"]),
    "health_insurance_id": (
        V.health_insurance,
        ["Member ID: {}", "insurance id {}", "Policy number: {}"],
    ),
    "icd10_code": (V.icd10, ["Diagnosis: {}", "ICD-10 {}", "primary dx: {}"]),
    "email_address": (V.email, ["Contact: {}", "email {}", "<{}>", "{}", "reply to {} asap"]),
    "phone_number": (V.phone, ["Phone: {}", "call me at {}", "Tel.: {}", "mobile {}", "{}"]),
    "date_of_birth": (
        V.birth_date,
        ["DOB: {}", "Date of birth: {}", "born {}", "birthdate {}", "D.O.B. {}"],
    ),
    "imei": (V.imei_value, ["IMEI: {}", "imei {}"]),
    "ipv4_address": (
        V.ipv4,
        ["from {}", "client_ip={}", "{}", "host {}:8080", "X-Forwarded-For: {}"],
    ),
    "ipv6_address": (V.ipv6, ["client {}", "addr={}", "{}"]),
    "mac_address": (V.mac_value, ["HWaddr {}", "mac {}", "{}"]),
    "aws_access_key_id": (V.aws_key_id, ["aws_access_key_id = {}", "AccessKeyId: {}", "{}"]),
    "aws_secret_access_key": (
        V.aws_secret,
        ["aws_secret_access_key = {}", 'AWS_SECRET_ACCESS_KEY="{}"'],
    ),
    "gcp_api_key": (V.gcp_api_key, ["GOOGLE_API_KEY={}", "?key={}&callback=init", "{}"]),
    "gcp_service_account": (V.gcp_sa_key_id, ['"type": "service_account", "private_key_id": "{}"']),
    "azure_storage_key": (V.azure_key, ['AZURE_STORAGE_KEY="{}"', 'AccountKey: "{}"']),
    "azure_connection_string": (V.azure_conn, ["AZURE_STORAGE_CONNECTION_STRING={}", "{}"]),
    "github_token": (V.github, ["GITHUB_TOKEN={}", "Authorization: token {}", "{}"]),
    "gitlab_token": (V.gitlab, ["GITLAB_TOKEN={}", "PRIVATE-TOKEN: {}", "{}"]),
    "slack_token": (V.slack_token, ["SLACK_BOT_TOKEN={}", "Bearer {}", "{}"]),
    "slack_webhook": (V.slack_webhook, ["webhook_url: {}", "{}"]),
    "stripe_key": (V.stripe, ["STRIPE_SECRET_KEY={}", "stripe.api_key = '{}'", "{}"]),
    "twilio_api_key": (V.twilio_key, ["TWILIO_API_KEY={}", "{}"]),
    "twilio_auth_token": (lambda r: V.hex_(r, 32), ["Twilio auth token {}",
                                                   "twilio auth_token is {}"]),
    "http_basic_auth": (V.basic_auth, ["Authorization: {}", "curl -H 'Authorization: {}'"]),
    "sendgrid_api_key": (V.sendgrid, ["SENDGRID_API_KEY={}", "{}"]),
    "openai_api_key": (V.openai, ["OPENAI_API_KEY={}", "Authorization: Bearer {}", "{}"]),
    "anthropic_api_key": (V.anthropic, ["ANTHROPIC_API_KEY={}", "x-api-key: {}", "{}"]),
    "npm_token": (V.npm, ["//registry.npmjs.org/:_authToken={}", "{}"]),
    "pypi_token": (V.pypi, ["password = {}", "TWINE_PASSWORD={}", "{}"]),
    "dockerhub_token": (V.docker, ["echo {} | docker login --password-stdin", "{}"]),
    "huggingface_token": (V.huggingface, ["HF_TOKEN={}", "{}"]),
    "shopify_token": (V.shopify, ["X-Shopify-Access-Token: {}", "{}"]),
    "telegram_bot_token": (
        V.telegram,
        ["https://api.telegram.org/bot{}/sendMessage", "bot token {}"],
    ),
    "vault_token": (V.vault, ["VAULT_TOKEN={}", "X-Vault-Token: {}"]),
    "jwt": (V.jwt, ["Authorization: Bearer {}", "id_token={}", "{}"]),
    "private_key": (V.private_key, ["{}", "key: |\n{}\n"]),
}


def item(r: random.Random, det: str) -> Item:
    if det == "password_in_config":
        before, value, after = _keyed_password(r)
        return before, value, after, det
    if det == "generic_secret":
        before, value, after = _keyed_secret(r)
        return before, value, after, det
    if det in ("password_in_url", "db_connection_string"):
        user = r.choice(V.FIRST)
        pw = V.password(r).replace("#", "x").replace("%", "x").replace("?", "x")
        if det == "db_connection_string":
            scheme = r.choice(["postgres", "postgresql", "mysql", "mongodb+srv", "redis"])
            host = r.choice(
                ["db.internal", "db-primary.prod.acme.io", "cluster0.abcde.mongodb.net"]
            )
            value = f"{scheme}://{user}:{pw}@{host}:{r.choice([5432, 3306, 6379, 27017])}"
            return r.choice(["DATABASE_URL=", "dsn: ", "connecting to "]), value, "/app", det
        # the port belongs to the reported URL authority
        host = r.choice(["git.example.com", "proxy.corp.example", "ftp.acme.io"])
        scheme = r.choice(["https", "http", "ftp", "smtp"])
        port = r.choice(["", "", ":3128"])
        return (
            r.choice(["clone ", "HTTPS_PROXY=", "url: "]),
            f"{scheme}://{user}:{pw}@{host}{port}",
            r.choice(["/repo.git", ""]),
            det,
        )
    gen, templates = SPECS[det]
    template = r.choice(templates)
    before, after = template.split("{}")
    return before, pick(r, det, gen), after, det


# -- look-alikes -------------------------------------------------------------------------


def _not_luhn(r: random.Random, n: int) -> str:
    while True:
        v = r.choice("3456") + V.rs(r, string.digits, n - 1)
        if not luhn.is_valid(v):
            return v


def _bad_check(value: str, r: random.Random) -> str:
    """Change the last digit (or letter) so that a check digit no longer matches."""
    last = value[-1]
    pool = string.digits if last.isdigit() else string.ascii_uppercase
    return value[:-1] + r.choice([c for c in pool if c != last])


LOOKALIKES: list[Callable[[random.Random], str]] = [
    lambda r: f"Order #{_not_luhn(r, 16)} shipped",
    lambda r: f"order number {_not_luhn(r, 16)} confirmed",
    lambda r: f"request id {uuid.UUID(int=r.getrandbits(128))}",
    lambda r: f"commit {V.hex_(r, 40)}",
    lambda r: f"sha256 {V.hex_(r, 64)}",
    lambda r: f'etag "{V.hex_(r, 32)}"',
    lambda r: f"UPS tracking 1Z{V.rs(r, string.ascii_uppercase + string.digits, 16)}",
    lambda r: f"USPS tracking {V.rs(r, string.digits, 22)}",
    lambda r: f"version {r.randint(1, 20)}.{r.randint(0, 30)}.{r.randint(0, 99)}",
    lambda r: f"Chrome/{r.randint(90, 130)}.0.{r.randint(1000, 6999)}.{r.randint(10, 200)}",
    lambda r: (
        f"build {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(1000, 9999)}.{r.randint(1000, 9999)}"
    ),
    lambda r: f"created_at {r.randint(1600000000000, 1799999999999)}",
    lambda r: f"ts={r.randint(1600000000, 1799999999)}",
    lambda r: (
        f"at 2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:"
        f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"
    ),
    lambda r: f"invoice INV-{r.randint(100000, 999999)}",
    lambda r: f"total ${r.randint(1, 9999)}.{r.randint(0, 99):02d}",
    lambda r: f"color #{V.hex_(r, 6)}",
    lambda r: (
        f"ISBN 978-{r.randint(0, 9)}-{r.randint(100, 999)}-"
        f"{r.randint(10000, 99999)}-{r.randint(0, 9)}"
    ),
    lambda r: (
        f"SSN {r.choice(['000', '666', '9' + V.rs(r, string.digits, 2)])}-"
        f"{r.randint(10, 49)}-{r.randint(1000, 9999)}"
    ),
    lambda r: f"IBAN: {_bad_check(V.iban_value(r).replace(' ', ''), r)}",
    lambda r: f"card {_bad_check(V.luhn_complete('4', 16, r), r)}",
    lambda r: f"NHS number {_bad_check(V.gb_nhs(r), r)}",
    lambda r: f"CPF: {_bad_check(V.br_cpf(r), r)}",
    lambda r: f"SIN: {_bad_check(V.ca_sin(r), r)}",
    lambda r: f"PESEL {_bad_check(V.pl_pesel(r), r)}",
    lambda r: "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    lambda r: "password: ${DB_PASSWORD}",
    lambda r: "api_key: YOUR_API_KEY_HERE",
    lambda r: "password = getpass.getpass()",
    lambda r: "token_url: https://login.example.com/oauth2/token",
    lambda r: "postgres://user:password@localhost:5432/db",
    lambda r: f"room {r.choice('ABC')}{r.randint(10, 99)} on floor {r.randint(1, 9)}",
    lambda r: f"SKU {V.rs(r, string.ascii_uppercase, 3)}-{r.randint(1000, 99999)}",
    lambda r: f"part no. {V.rs(r, string.ascii_uppercase, 2)}{r.randint(100000, 999999)}",
    lambda r: f"std::vector<std::string> at 12:{r.randint(10, 59)}:{r.randint(10, 59)}",
    lambda r: f"OID 1.3.6.1.4.1.{r.randint(1000, 99999)}",
    lambda r: f"ext. {r.randint(100, 9999)}",
    lambda r: f"{r.randint(2, 200)} items at {r.randint(1, 99)}%",
    lambda r: f"lat {r.uniform(-80, 80):.6f}, lon {r.uniform(-170, 170):.6f}",
    lambda r: "srcset='icon@2x.png 2x'",
    lambda r: f"npm i lodash@4.17.{r.randint(10, 21)}",
    lambda r: (
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n"
        "-----END PUBLIC KEY-----"
    ),
    lambda r: f"base64 {V.rs(r, V.B64, 44)}",
    lambda r: f"meeting {r.randint(1, 28):02d}/{r.randint(1, 12):02d}/2025 at 10:00",
]

# -- carriers ----------------------------------------------------------------------------

FILLER = [
    "Thanks for the quick turnaround.",
    "See the attached file for details.",
    "Let me know if anything is missing.",
    "Updated per our call this morning.",
    "Please review before Friday.",
    "This is the latest export from the system.",
    "Regards, the operations team",
    "Forwarding as discussed.",
]


def _carrier(r: random.Random, kind: str, parts: list[Item]) -> tuple[str, list[dict[str, object]]]:
    """Render parts into one carrier text, tracking label offsets."""
    text = ""
    spans: list[dict[str, object]] = []

    def add(s: str) -> None:
        nonlocal text
        text += s

    def add_part(p: Item) -> None:
        before, value, after, det = p
        add(before)
        start = len(text)
        add(value)
        if det is not None:
            spans.append({"detector": det, "start": start, "end": len(text)})
        add(after)

    if kind == "email":
        add(f"Subject: {r.choice(['Update', 'Re: request', 'Fwd: details', 'Invoice'])}\n\nHi,\n\n")
        for p in parts:
            add(r.choice(FILLER) + " ")
            add_part(p)
            add("\n")
        add("\n" + r.choice(FILLER) + "\n")
    elif kind == "csv":
        add("id,note,updated\n")
        for i, p in enumerate(parts):
            add(f"{i + 1},")
            add_part(p)
            add(f",2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}\n")
    elif kind == "json":
        add('{"event": "record.update", "items": [')
        for i, p in enumerate(parts):
            add(", " if i else "")
            add('{"note": "')
            add_part(p)
            add('"}')
        add("]}")
    elif kind == "log":
        for p in parts:
            add(
                f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:"
                f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z "
                f"{r.choice(['INFO', 'WARN', 'DEBUG'])} "
                f"{r.choice(['api', 'worker', 'auth', 'billing'])}: "
            )
            add_part(p)
            add("\n")
    elif kind == "chat":
        for p in parts:
            add(f"[{r.randint(8, 18)}:{r.randint(10, 59)}] {r.choice(V.FIRST)}: ")
            add(r.choice(["hey, ", "fyi ", "", "quick one: ", "here you go - "]))
            add_part(p)
            add("\n")
    else:  # config
        add("# generated settings\n")
        for p in parts:
            add_part(p)
            add("\n")
    return text, spans


def _json_unsafe(p: Item) -> bool:
    return any(c in "".join(p[:3]) for c in '"\\\n')


KINDS = ("email", "csv", "json", "log", "chat", "config")


def detector_ids() -> list[str]:
    return sorted(
        [*SPECS, "password_in_config", "generic_secret", "password_in_url", "db_connection_string"]
    )


def build(seed: int, per_detector: int) -> list[dict[str, object]]:
    r = random.Random(seed)
    dets = detector_ids()
    queue = [d for d in dets for _ in range(per_detector)]
    r.shuffle(queue)
    records: list[dict[str, object]] = []
    while queue:
        parts: list[Item] = []
        for _ in range(r.randint(1, 3)):
            if queue:
                parts.append(item(r, queue.pop()))
        for _ in range(r.randint(1, 3)):
            parts.append(("", r.choice(LOOKALIKES)(r), "", None))
        r.shuffle(parts)
        kind = r.choice(KINDS)
        if kind == "json" and any(_json_unsafe(p) for p in parts):
            kind = "log"  # keep JSON valid without escapes that would move offsets
        text, spans = _carrier(r, kind, parts)
        records.append(
            {"id": f"e{len(records):05d}", "carrier": kind, "text": text, "spans": spans}
        )
    # a few hundred records with look-alikes only
    for _ in range(300):
        parts = [("", r.choice(LOOKALIKES)(r), "", None) for _ in range(r.randint(1, 4))]
        kind = r.choice(KINDS)
        if kind == "json" and any(_json_unsafe(p) for p in parts):
            kind = "log"
        text, spans = _carrier(r, kind, parts)
        records.append(
            {"id": f"n{len(records):05d}", "carrier": kind, "text": text, "spans": spans}
        )
    return records


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--per-detector", type=int, default=DEFAULT_PER_DETECTOR)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    records = build(args.seed, args.per_detector)
    with args.out.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    spans = sum(len(rec["spans"]) for rec in records)  # type: ignore[arg-type]
    print(f"wrote {len(records)} records, {spans} labelled spans to {args.out}")


if __name__ == "__main__":
    main()

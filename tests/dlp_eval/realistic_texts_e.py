# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part E: secrets in more configuration dialects, bank details
as people type them, identifier variants, and busy texts full of numbers.

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    # ---- secrets next to secret-like keys -------------------------------------------------
    ("yaml", """oauth:
  provider: okta
  client_id: 0oa1b2c3d4e5f6g7h8i9
  ⟦generic_secret|client_secret: 7Yq2Lm9Vz4Rt8Wn3Kb6Yc1Hd5Gs0FaXp⟧
  redirect_uri: https://app.example.com/callback"""),
    ("env", """MAPBOX_ACCESS_⟦generic_secret|TOKEN=sk.eyJ1IjoiYWNtZSIsImEiOiJjbHgxMjM0NTY3ODkwIn0.Zk3Qp9Lm2Vx8Rt4Wn6Kb1Y⟧"""),
    ("env", """DATADOG_⟦generic_secret|API_KEY=4f9c2a7e1b8d3f6a0c5e9b2d7f4a1c8e⟧
DATADOG_SITE=datadoghq.eu"""),
    ("json", """{"integration": {"name": "pagerduty", "routing_key": "R0ut1ngK3y", "api_⟦generic_secret|token": "u+8kLq2VxZ9mT4pR7wN3bY6c⟧"}}"""),
    ("toml", """[sentry]
dsn = "https://public@sentry.example.com/1"
auth_⟦generic_secret|token = "a7F3kQ9zL2mV8xR4tW6nB1yC5hJ0pD3s⟧"
"""),
    ("code", """const client = new Algolia({
  appId: "ABCD1234EF",
  ⟦generic_secret|apiKey: "f3a9c2e7b1d84f60a5c9e3b7d2f1a8c4⟧",
});"""),
    ("code", """CONFIG = {
    "webhook_secret": "whsec_placeholder",
    "signing_key": os.environ.get("SIGNING_KEY"),
    "api_key": "YOUR_API_KEY",
}"""),
    ("yaml", """# values.yaml
secrets:
  ⟦generic_secret|apiKey: Zx9Qw2Er4Ty6Ui8Op0As1Df3Gh⟧
  existingSecret: ""
  secretName: app-credentials"""),
    ("log", """2024-05-14T10:15:32Z DEBUG oauth2: POST https://login.example.com/oauth2/token client_id=web-app grant_type=client_credentials ⟦generic_secret|client_secret=Vb7Nq2Lx9Kz4Rm8Tp3Wy6Hc1⟧"""),
    ("code", """headers = {"X-API-Key": "{{ api_key }}", "Accept": "application/json"}"""),
    ("code", """# token: see vault path secret/data/ci/token (do not paste here)
TOKEN_PATH = "secret/data/ci/token\""""),
    ("env", """ACCESS_TOKEN_TTL=3600
REFRESH_TOKEN_TTL=2592000
TOKEN_AUDIENCE=https://api.example.com"""),
    # ---- bank details ---------------------------------------------------------------------
    ("email", """Hi Grace, please use these details for the refund: Bank account number: ⟦bank_account_number|00012345678⟧, routing number ⟦us_aba_routing|011000015⟧ (Bank of Boston)."""),
    ("email", """Payment details: A/C No. ⟦bank_account_number|12345678⟧, sort code ⟦uk_sort_code|60-16-13⟧, Barclays."""),
    ("chat", """send it to my savings account ⟦bank_account_number|3456789012⟧ pls"""),
    ("email", """Bitte überweisen Sie auf Kontonummer ⟦bank_account_number|0532013000⟧ bei der Commerzbank, oder per IBAN ⟦iban|DE89 3704 0044 0532 0130 00⟧."""),
    ("finance", """Account: ⟦bank_account_number|987654321012⟧ (checking) - balance 2,304.11 USD as of 05/14."""),
    ("finance", """Statement for account ending 4321. Transactions: 05/01 AMAZON MKTPLACE 23.99; 05/03 PAYROLL 2,150.00"""),
    ("finance", """Customer account 77120034 was merged into 77120035 (CRM duplicate)."""),
    # ---- identifier variants as people type them ------------------------------------------
    ("email", """SSN: ⟦us_ssn|536 22 1234⟧ (written with spaces on the form)"""),
    ("email", """ssn#⟦us_ssn|432567890⟧"""),
    ("email", """Please confirm the last four of your SSN. Never send the full number by e-mail."""),
    ("chat", """card: ⟦credit_card|4111-1111-1111-1111⟧ exp 10/26 cvv 123"""),
    ("chat", """cc ⟦credit_card|5555555555554444⟧ - declined again"""),
    ("chat", """Amex ⟦credit_card|3714 496353 98431⟧, billing zip 10001"""),
    ("email", """DOB ⟦date_of_birth|1985/03/12⟧, place of birth Ohio"""),
    ("email", """born ⟦date_of_birth|12th March 1985⟧, died 2020"""),
    ("email", """Date of Birth: ⟦date_of_birth|12-Mar-1985⟧"""),
    ("email", """Geb. ⟦date_of_birth|03.02.1984⟧ in Hamburg"""),
    ("email", """Né le ⟦date_of_birth|2 mars 1979⟧ à Lyon"""),
    ("email", """Fecha de nacimiento: ⟦date_of_birth|23/04/1991⟧"""),
    ("email", """Date of birth / Geburtsdatum: ⟦date_of_birth|1990-05-17⟧"""),
    ("hr", """Passport number: ⟦passport_number|C01X00T47⟧, issued 2019-03-01, expires 2029-02-28"""),
    ("hr", """Reisepassnummer: ⟦passport_number|C4J6R0H11⟧"""),
    ("hr", """Numéro de passeport : ⟦passport_number|18AV12345⟧"""),
    ("hr", """Driver's license #: ⟦us_drivers_license|N133733757450⟧ (FL)"""),
    ("hr", """DL number ⟦us_drivers_license|M198000859852⟧"""),
    ("medical", """Member ID ⟦health_insurance_id|I844351608⟧ — plan BlueCross PPO, copay $25"""),
    ("medical", """Patient NHS No. ⟦uk_nhs_number|943 476 5919⟧, GP surgery: Riverside Practice"""),
    ("medical", """Diagnoses: ⟦icd10_code|E11.65⟧, ⟦icd10_code|I10⟧, ⟦icd10_code|N18.3⟧; meds reconciled."""),
    ("medical", """Dx: ⟦icd10_code|F32.1⟧ moderate depressive episode; follow-up 2 weeks."""),
    ("medical", """Blood pressure 142/91, pulse 78, SpO2 97 %, BMI 31.2"""),
    ("hr", """Identity check: NIE ⟦es_nie|Y3596930C⟧, NIF ⟦es_dni|59728939D⟧"""),
    ("hr", """Codice fiscale ⟦it_codice_fiscale|BDCFHH85M16G897Q⟧ — residente a Milano"""),
    ("hr", """PESEL ⟦pl_pesel|78010347840⟧, NIP 123-456-32-18"""),
    ("hr", """BSN: ⟦nl_bsn|2785.73.514⟧"""),
    ("hr", """Personnummer ⟦se_personnummer|19600122-7609⟧"""),
    ("hr", """Rodné číslo ⟦cz_birth_number|811127/3489⟧"""),
    ("hr", """身份证 ⟦cn_resident_id|310104199010238106⟧"""),
    ("hr", """マイナンバー ⟦jp_my_number|559322395520⟧"""),
    ("hr", """CPF ⟦br_cpf|74380082580⟧ / CNPJ ⟦br_cnpj|32737256000172⟧"""),
    ("hr", """RRN ⟦kr_rrn|511208-2007823⟧"""),
    ("hr", """AHV ⟦ch_ahv|7565585533747⟧"""),
    ("hr", """SIN ⟦ca_sin|263 187 536⟧"""),
    ("hr", """TFN ⟦au_tfn|625662346⟧"""),
    ("hr", """Aadhaar ⟦in_aadhaar|4084 4400 3860⟧"""),
    ("hr", """NRIC ⟦sg_nric|G0994664R⟧"""),
    ("hr", """NINO ⟦uk_nino|XX004197C⟧"""),
    ("hr", """ITIN ⟦us_itin|989-99-2616⟧"""),
    ("hr", """EIN ⟦us_ein|20-7982809⟧"""),
    ("hr", """Fødselsnummer ⟦no_fodselsnummer|17048737447⟧"""),
    ("hr", """CPR ⟦dk_cpr|010181-8001⟧"""),
    ("hr", """HETU ⟦fi_hetu|200373-6825⟧"""),
    ("hr", """TCKN ⟦tr_tc_kimlik|30881075316⟧"""),
    ("hr", """CNP ⟦ro_cnp|2590827081244⟧"""),
    ("hr", """NIF ⟦pt_nif|106116690⟧"""),
    ("hr", """PPS ⟦ie_pps|3641277W⟧"""),
    ("hr", """IRD ⟦nz_ird|121-208-407⟧"""),
    ("hr", """CURP ⟦mx_curp|POMG531222MVZMVV04⟧"""),
    ("hr", """ID no ⟦za_id|6207110857088⟧"""),
    ("hr", """Rijksregisternummer ⟦be_national_number|98.04.23-853.58⟧"""),
    ("hr", """PAN no ⟦in_pan|YATHG9419P⟧"""),
    ("hr", """Medicare ⟦us_mbi|9RY0VC0DV78⟧"""),
    ("hr", """NPI ⟦us_npi|2072107396⟧, DEA ⟦us_dea|FQ1407332⟧"""),
    ("hr", """Medicare card ⟦au_medicare|3566 51765 2⟧"""),
    # ---- phones as people write them ------------------------------------------------------
    ("email", """Call ⟦phone_number|1-415-555-0132⟧ or ⟦phone_number|+1-415-555-0188⟧."""),
    ("email", """Phone: ⟦phone_number|(415)555-0132⟧"""),
    ("email", """tel: ⟦phone_number|+49 89 12345678⟧ / fax: ⟦phone_number|+49 89 12345679⟧"""),
    ("email", """Telefon: ⟦phone_number|089 12345678⟧"""),
    ("email", """Handy: ⟦phone_number|0171 1234567⟧"""),
    ("email", """Tél : ⟦phone_number|+33 1 42 68 53 00⟧"""),
    ("email", """Mobile: ⟦phone_number|+61 412 345 678⟧"""),
    ("email", """Phone ⟦phone_number|+1 (415) 555‑0132⟧ ext. 12"""),
    # ---- busy texts full of numbers --------------------------------------------------------
    ("neg", """| Quarter | Revenue (EUR) | Units | Growth |
|---------|---------------|-------|--------|
| Q1 2024 | 1,204,331.50  | 48213 | 4.2 %  |
| Q2 2024 | 1,318,902.10  | 51007 | 9.5 %  |"""),
    ("neg", """{"id": 1715683200123, "account_id": 48213, "user_id": 77120034, "org_id": 100234771, "created": "2024-05-14T10:15:32Z"}"""),
    ("neg", """2024-05-14 10:15:32.118 INFO  [scheduler] job=nightly-export run=20240514-0200 rows=1532044 bytes=88213377 took=812.4s"""),
    ("neg", """Kubernetes events: pod api-7d9f8b6c5-x2k4m OOMKilled (limit 512Mi), restarts 14, node ip-10-0-3-44.eu-west-1.compute.internal"""),
    ("neg", """Invoice lines: 0001 Consulting 16.0 h x 120.00 = 1920.00; 0002 Travel 1 x 412.80 = 412.80; total 2332.80"""),
    ("neg", """IBAN check digits are computed with ISO 7064 mod 97-10; an IBAN has up to 34 characters."""),
    ("neg", """Sample IBAN from our docs (invalid on purpose): DE00 1234 5678 9012 3456 78"""),
    ("neg", """Amounts: 4111.11 EUR, 5555.55 EUR, 3782.82 EUR"""),
    ("neg", """Barcode 4006381333931 scanned at 10:15:32 on register 04, receipt 2024-0514-000871"""),
    ("neg", """Call recording id 20240514101532-7781234-4471, duration 00:04:12"""),
    ("neg", """SELECT * FROM orders WHERE id IN (1002938475, 1002938476, 1002938477) AND status = 'shipped';"""),
    ("neg", """npm ERR! code E404 npm ERR! 404 Not Found - GET https://registry.npmjs.org/@acme%2fui - Not found"""),
    ("neg", """Your Apple ID was used to sign in on a new device: iPhone 15, iOS 17.4.1, near Berlin, DE."""),
    ("neg", """WARN: certificate for api.example.com expires in 14 days (serial 04:E3:8F:1C:22:9A:7B:10:55:3D)"""),
]

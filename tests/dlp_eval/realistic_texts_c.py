# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part C: HR/medical/finance snippets in several languages, and
look-alikes that must not be reported.

``⟦detector|value⟧`` marks a labelled span; everything else must not be reported.
"""

TEXTS: list[tuple[str, str]] = [
    # ---- HR / finance / medical, several countries ----------------------------------------
    ("hr", """Personalbogen
Name: Katrin Vogel
Geburtsdatum: ⟦date_of_birth|14.07.1982⟧
Steuerliche Identifikationsnummer: ⟦de_tax_id|42 176 029 850⟧
Bankverbindung: ⟦iban|DE89 3704 0044 0532 0130 00⟧
Krankenkasse: TK, Versichertennummer ⟦health_insurance_id|A123456789⟧"""),
    ("hr", """Fiche salarié
Nom : Dubois, Julien
Né le ⟦date_of_birth|02/11/1979⟧ à Lyon
N° de sécurité sociale : ⟦fr_nir|1 79 11 69 123 456 43⟧
Tél. : ⟦phone_number|+33 (0)6 12 34 56 78⟧"""),
    ("hr", """Ficha del empleado
Nombre: Lucía Fernández
Fecha de nacimiento: ⟦date_of_birth|23/04/1991⟧
DNI: ⟦es_dni|88098811W⟧
Teléfono móvil: ⟦phone_number|612 34 56 78⟧"""),
    ("hr", """Personeelsdossier
Naam: Pieter Jansen
Geboortedatum: ⟦date_of_birth|05-09-1987⟧
BSN: ⟦nl_bsn|296660735⟧
IBAN: ⟦iban|NL02 ABNA 0123 4567 89⟧"""),
    ("hr", """Ficha de colaborador
Nome: Inês Carvalho
NIF: ⟦pt_nif|114359210⟧
Cartão de Cidadão: ⟦pt_citizen_card|06721398 4 ZZ1⟧
Data de nascimento: ⟦date_of_birth|1990-06-15⟧"""),
    ("hr", """Anställningsavtal
Namn: Johan Lindqvist
Personnummer: ⟦se_personnummer|730528-2373⟧
Telefon: ⟦phone_number|+46 70 123 45 67⟧"""),
    ("hr", """社員情報
氏名: 佐藤 花子
個人番号: ⟦jp_my_number|2364 2026 7995⟧
電話: ⟦phone_number|03-1234-5678⟧"""),
    ("hr", """员工信息表
姓名：李伟
身份证号：⟦cn_resident_id|440305199910078212⟧
入职日期：2023-07-01"""),
    ("hr", """Scheda dipendente
Nome: Marco Ferri
Codice fiscale: ⟦it_codice_fiscale|PHHRNZ99S59L380C⟧
Cellulare: ⟦phone_number|+39 333 123 4567⟧"""),
    ("hr", """Karta pracownika
Imię i nazwisko: Anna Kowalska
PESEL: ⟦pl_pesel|85012567877⟧
Telefon: ⟦phone_number|+48 512 345 678⟧"""),
    ("hr", """Employee record (Belgium)
Rijksregisternummer: ⟦be_national_number|69.01.25-676.30⟧
GSM: ⟦phone_number|+32 470 12 34 56⟧"""),
    ("hr", """Employee: Søren Nielsen
CPR nr: ⟦dk_cpr|261178-8654⟧
Mobil: ⟦phone_number|+45 32 12 34 56⟧"""),
    ("hr", """Ansatt: Kari Nordmann
Fødselsnummer: ⟦no_fodselsnummer|22066324110⟧
Mobil: ⟦phone_number|+47 412 34 567⟧"""),
    ("hr", """Työntekijä: Mikko Virtanen
Henkilötunnus: ⟦fi_hetu|220576-642J⟧"""),
    ("hr", """Personel kartı
Ad Soyad: Ayşe Yılmaz
TC Kimlik No: ⟦tr_tc_kimlik|46482514734⟧"""),
    ("hr", """Angajat: Ion Popescu
CNP: ⟦ro_cnp|1930118395775⟧"""),
    ("hr", """Zaměstnanec: Petr Novák
Rodné číslo: ⟦cz_birth_number|770718/0734⟧"""),
    ("hr", """Mitarbeiter: Reto Meier
AHV-Nr.: ⟦ch_ahv|756.7290.5593.88⟧
Tel.: ⟦phone_number|+41 44 668 18 00⟧"""),
    ("hr", """New starter form (UK)
Name: Oliver Smith
NI number: ⟦uk_nino|SC 65 83 99 D⟧
Date of birth: ⟦date_of_birth|21/08/1993⟧
Mobile: ⟦phone_number|07911 123456⟧
Sort code: ⟦uk_sort_code|40-47-84⟧ Account no: ⟦bank_account_number|71234567⟧"""),
    ("hr", """Onboarding (Canada)
Name: Émilie Tremblay
SIN: ⟦ca_sin|228-794-509⟧
Phone: ⟦phone_number|(514) 555-0182⟧"""),
    ("hr", """Onboarding (Australia)
Tax file number: ⟦au_tfn|671 361 268⟧
Phone: ⟦phone_number|+61 2 9876 5432⟧"""),
    ("hr", """Onboarding (India)
PAN: ⟦in_pan|DPCTZ1586P⟧
Aadhaar no: ⟦in_aadhaar|8960 9992 2978⟧"""),
    ("hr", """Onboarding (Singapore)
NRIC: ⟦sg_nric|T6837066Z⟧
FIN: ⟦sg_nric|F3064910U⟧"""),
    ("hr", """Cadastro
Nome: Rafael Souza
CPF: ⟦br_cpf|249.786.398-91⟧
Data de nascimento: ⟦date_of_birth|15/03/1985⟧"""),
    ("hr", """Registro
CURP: ⟦mx_curp|PUMS750701HVZSLM08⟧
Teléfono: ⟦phone_number|+52 55 1234 5678⟧"""),
    ("hr", """HR form (South Africa)
ID number: ⟦za_id|8601171745083⟧"""),
    ("hr", """인사기록
성명: 김민준
주민등록번호: ⟦kr_rrn|540812-1069350⟧"""),
    ("hr", """Ireland payroll: PPSN ⟦ie_pps|5801788H⟧, Eircode D02 X285"""),
    ("hr", """NZ payroll: IRD no. ⟦nz_ird|109-028-347⟧, tax code M"""),
    ("medical", """Discharge summary
Patient: Margaret Evans, DOB ⟦date_of_birth|1948-02-29⟧
NHS No: ⟦uk_nhs_number|809 145 2152⟧
Primary diagnosis: ⟦icd10_code|I21.4⟧ NSTEMI. Secondary: ⟦icd10_code|E78.5⟧ hyperlipidaemia.
Discharged on 2024-05-11 with aspirin 75 mg OD."""),
    ("medical", """Referral: 58 y/o male, dx: ⟦icd10_code|M54.5⟧ low back pain x 6 weeks. Medicare ⟦us_mbi|6F96VW3TV83⟧. Prescriber NPI ⟦us_npi|2289075774⟧, DEA ⟦us_dea|BJ6125341⟧."""),
    ("medical", """Arztbrief: Diagnose ⟦icd10_code|J45.9⟧ (Asthma bronchiale), Versichertennummer ⟦health_insurance_id|X749388495⟧. Kontrolle in 3 Monaten."""),
    ("medical", """Compte rendu : diagnostic ⟦icd10_code|K35.8⟧, appendicectomie le 12/03/2024. Carte vitale ⟦fr_nir|2 86 01 08 947 064 89⟧."""),
    ("medical", """Lab results: HbA1c 7.2 %, LDL 3.1 mmol/L, eGFR 58. Sample ID 24-051102. Reference range 4.0-5.6."""),
    ("medical", """Medicare card: ⟦au_medicare|2299 89432 7⟧ (IRN 1). Appointment Tue 9:30."""),
    ("medical", """Insurance claim: member #: ⟦health_insurance_id|AAY771524662⟧, policy number ⟦health_insurance_id|FJL707883504⟧, date of service 04/02/2024."""),
    ("finance", """Payment instruction
Beneficiary: Müller Maschinenbau GmbH
IBAN: ⟦iban|DE22 4340 6385 7834 8089 07⟧
BIC: ⟦swift_bic|GENODEM1GLS⟧
Verwendungszweck: RE-2024-0815"""),
    ("finance", """Virement SEPA : bénéficiaire Atelier Roux, IBAN ⟦iban|FR14 2004 1010 0505 0001 3M02 606⟧, BIC ⟦swift_bic|PSSTFRPPLIL⟧, montant 2 340,00 EUR, référence FAC-000871."""),
    ("finance", """Wire to: Tulp Trading BV, account ⟦iban|NL91ABNA0417164300⟧, swift code ⟦swift_bic|ABNANL2A⟧."""),
    ("finance", """Our bank details: IBAN ⟦iban|IE29 AIBK 9311 5212 3456 78⟧ (AIB), BIC ⟦swift_bic|AIBKIE2D⟧."""),
    ("finance", """Lastschrift-Mandat: IBAN ⟦iban|DE89370400440532013000⟧, Mandatsreferenz MNDT-2024-000123, Gläubiger-ID DE98ZZZ09999999999."""),
    ("finance", """Invoice 2024-0042 — Total due: 1,180.00 USD — Please remit via ACH: routing number ⟦us_aba_routing|111000025⟧, account # ⟦bank_account_number|000123456789⟧."""),
    ("finance", """Tax form: Employer Identification Number ⟦us_ein|94-4053400⟧; Taxpayer SSN ⟦us_ssn|536-22-1234⟧."""),
    ("finance", """Card dispute: the customer's Amex ⟦credit_card|3782 822463 10005⟧ was charged 3 times."""),
    ("finance", """Test cards for QA: Visa ⟦credit_card|4012888888881881⟧, Mastercard ⟦credit_card|5200828282828210⟧, Discover ⟦credit_card|6011000990139424⟧."""),
    ("finance", """Diners Club ⟦credit_card|3056 9309 0259 04⟧ and JCB ⟦credit_card|3566 0020 2036 0505⟧ are accepted."""),
    ("finance", """Statement period 01.04.2024 - 30.04.2024, account ending 4471, opening balance 12.402,77 EUR, closing 9.881,10 EUR."""),
    ("finance", """Kontonummer 1234567 BLZ 37040044 (alt), bitte nur noch die IBAN verwenden."""),
    # ---- look-alikes that must not fire ----------------------------------------------------
    ("neg", """Your order #112-4839201-2209185 has shipped! Track it at https://track.example.com/1Z999AA10123456784."""),
    ("neg", """Release notes v10.4.2 (build 2024.05.14.1187): fixed crash on startup, bumped openssl to 3.0.13."""),
    ("neg", """commit 9fceb02d0ae598e95dc970b74767f19372d61af8
Author: Jane Dev <⟦email_address|jane@users.noreply.github.com⟧>
Date:   Tue May 14 10:15:32 2024 +0200

    Fix flaky test in OrderServiceTest (#4821)"""),
    ("neg", """UUIDs: 550e8400-e29b-41d4-a716-446655440000, 6ba7b810-9dad-11d1-80b4-00c04fd430c8"""),
    ("neg", """sha1: da39a3ee5e6b4b0d3255bfef95601890afd80709
md5: d41d8cd98f00b204e9800998ecf8427e
sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"""),
    ("neg", """Timestamps: 1715683200, 1715683200123, 2024-05-14T10:15:32.118+02:00, 20240514101532"""),
    ("neg", """Part numbers: 0207-9460-958, 415-5550-132, 212.555.01990, SKU 4006381333931"""),
    ("neg", """Reference: RF18 5390 0754 7034 (structured creditor reference), Zahlungsreferenz 2024 0815 4711 0042"""),
    ("neg", """Invoice number INV-DE-2024-0000871, customer number 100234771, VAT ID DE136695976"""),
    ("neg", """Windows product key format: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX; license id 6F9A-22B1-0C7D"""),
    ("neg", """<img src="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAoHBwkHBgoJCAkLCwoMDxkQDw4ODx8WFhQQGBwaFBQYFhgjHhgeHyIpJycnJSEhKjMmKiwqLR8nOjo6Nj48P0A0PD85PjQ5PzM0/9sAQwEKCwsPDQ8d" alt="">"""),
    ("neg", """ISBN 978-3-16-148410-0, ISSN 0378-5955, DOI 10.1000/182"""),
    ("neg", """Flight LH 2041 departs 07:45 from gate B44, seat 23C, PNR X7K2QP, e-ticket 220-2154789632."""),
    ("neg", """Version matrix: node 20.12.2, npm 10.5.0, python 3.12.3, postgres 16.2, redis 7.2.4"""),
    ("neg", """Coordinates: 52.520008, 13.404954; elevation 34 m; EPSG:4326"""),
    ("neg", """Ticket prices: 1.299,00 € / 1,299.00 $ / ¥ 180,000"""),
    ("neg", """Meeting ID: 891 2345 6789 Passcode: 482913 — One tap mobile: zoom.us/j/89123456789"""),
    ("neg", """Our office hours are Mon-Fri 09:00-17:30 CET. Closed on 24.12. and 31.12."""),
    ("neg", """The ratio was 3:2:1 at 12:30:45 and 14:00:00; see section 4.2.1.3 of RFC 7231."""),
    ("neg", """Package versions in requirements.txt: Django==4.2.11 celery==5.3.6 psycopg2-binary==2.9.9"""),
    ("neg", """Test run 2024-05-14 summary: 1542 passed, 3 skipped, 0 failed in 312.44s"""),
    ("neg", """Error code 0x80070005, HRESULT 0x8007000E, event id 4625, process id 18872"""),
    ("neg", """Serial numbers: SN-4C9D2A71, CNB7H01234, 5CD1234XYZ"""),
    ("neg", """ean13 5901234123457, upc 036000291452, gtin 00012345600012"""),
    ("neg", """Container id 4f3c2b1a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1 exited with code 137"""),
    ("neg", """Here is my public SSH key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl jane@laptop"""),
    ("neg", """Order summary: 2 x Widget (SKU 100234) @ 19.99, shipping 4.95, order total 44.93, order date 2024-05-01"""),
    ("neg", """Your one-time code is 771 204. Never share it."""),
    ("neg", """Bug: parseInt("08") returns 0 in old browsers; fixed in ES5. See issue #1024 and #2048."""),
    ("neg", """Docs example: the key AKIAIOSFODNN7EXAMPLE and secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY are placeholders."""),
    ("neg", """Use the Stripe test key sk_test_4eC39HqLyjWDarjtT1zdp7dc in the docs snippet."""),
    ("neg", """password: ${{ secrets.DB_PASSWORD }}
token: ${{ secrets.GITHUB_TOKEN }}"""),
    ("neg", """Forgot your password? Click "Reset password" on the login page. Password must be at least 12 characters."""),
    ("neg", """The field password_hash stores bcrypt output; token_expiry is in seconds; api_key_prefix shows the first 8 chars."""),
    ("neg", """GPS tracker IMEI field is empty; device id unknown. Battery 87%."""),
    ("neg", """Dimensions 1200 x 800 x 144 mm, weight 25.5 kg, pallet id 00340123450000000018"""),
    ("neg", """Audit: 2024-05-14 10:15:32 user 10231 exported report 88412 (rows: 15320)"""),
    ("neg", """We shipped 4,111,111 units in FY2023 and 4,242,424 in FY2024."""),
    ("neg", """Room booking: building 12, floor 3, room 3.041, capacity 8, phone extension 4471"""),
    ("neg", """Build hash 5f4dcc3b5aa765d61d8327deb882cf99 matched the expected artifact."""),
    ("neg", """Our support line is open 24/7; chat with us in the app or write to the address on your invoice."""),
    ("neg", """Colours: #1a2b3c, #ffcc00, rgb(12, 34, 56); font-size 14px; z-index 9999"""),
    ("neg", """Lottery results: 04 12 19 27 33 41, bonus 07"""),
    ("neg", """Bestellnummer 4006381333931, Lieferschein LS-2024-0815, Kundennummer 30012345"""),
    ("neg", """Numéro de commande 2024051400123, facture F-2024-00871, SIRET 732 829 320 00074"""),
    ("neg", """Número de pedido 0012 3456 7890, albarán 24/000871"""),
    ("neg", """注文番号: 250-1234567-8901234、配送予定日: 2024/05/20"""),
    ("neg", """订单号：202405141015320001，快递单号：SF1234567890123"""),
    ("neg", """Ordernummer 2024-000871, factuurnummer F24-00871, KvK 12345678"""),
    ("neg", """Ordernummer 7781234, fakturanummer 2024-00871, org.nr 556677-8899 ingår i fakturan"""),
    ("neg", """OID 1.3.6.1.4.1.311.21.20 is used by Active Directory certificate services."""),
    ("neg", """See https://github.com/acme/api/pull/4821/commits/9fceb02d0ae598e95dc970b74767f19372d61af8 for the change."""),
    ("neg", """aws s3 cp s3://acme-reports/2024/05/14/report-1715683200.csv . --profile reporting"""),
    ("neg", """export AWS_PROFILE=reporting AWS_REGION=eu-west-1 AWS_SDK_LOAD_CONFIG=1"""),
    ("neg", """{"token_type": "Bearer", "expires_in": 3599, "scope": "openid profile email"}"""),
    ("neg", """JWT header example: {"alg": "HS256", "typ": "JWT"} - the signature is computed over header.payload"""),
    ("neg", """Basic auth is disabled on this endpoint; use OAuth 2.0 client credentials instead."""),
    ("neg", """Call the function with password=None to prompt interactively; passphrase=getpass() also works."""),
    ("neg", """Sort order: 10-20-30 ascending, then 30-20-10 descending."""),
    ("neg", """Die Rechnung 2024-0815 über 1.234,56 EUR ist am 15.06.2024 fällig."""),
    ("neg", """Le colis 6A12345678901 sera livré le 15/06/2024 entre 8h et 13h."""),
    ("neg", """Numero ordine 2024/000871 del 14/05/2024, DDT 871/24"""),
    ("neg", """GUID {3F2504E0-4F89-11D3-9A0C-0305E82C3301} registered in HKLM\\Software\\Classes\\CLSID"""),
    ("neg", """Base64 of 'hello world': aGVsbG8gd29ybGQ= ; hex: 68656c6c6f20776f726c64"""),
    ("neg", """The value 192.168.001.001 is not a valid dotted quad (leading zeros), and 999.1.1.1 neither."""),
    ("neg", """Version 2.4.10.11 of the firmware; previous 2.4.9.203"""),
    ("neg", """Benchmark: p50 12.3 ms, p95 48.1 ms, p99 120.7 ms over 1000000 requests"""),
    # ---- more positives in realistic prose --------------------------------------------------
    ("chat", """here's the api key for staging: ⟦generic_secret|api_key=Q7v2xLp9Rk3sT8wZm4Nb6Yc1⟧ don't share pls"""),
    ("chat", """new github token ⟦github_token|gho_gCWWFyTKt4ca4vHiEWRteUi0nAkwJp3E2WGK⟧ has repo scope only"""),
    ("chat", """use ⟦slack_token|xoxp-10406159929-221815693043-UIriyay6SyHlRxGoxS1bVBCO⟧ for the bot test, I'll revoke tomorrow"""),
    ("chat", """my home ip is ⟦ipv4_address|81.2.69.160⟧ if you want to whitelist it"""),
    ("chat", """you can reach me at ⟦email_address|m.schulz@example.de⟧ or ⟦phone_number|+49 151 23456789⟧"""),
    ("chat", """The card number is ⟦credit_card|4000 0025 0000 3155⟧, the 3DS test one"""),
    ("chat", """Mastercard ⟦credit_card|2223 0031 2200 3222⟧ works, Visa ⟦credit_card|4000 0000 0000 3220⟧ needs 3DS"""),
    ("email", """Reset link sent to ⟦email_address|owner+billing@acme-corp.example.com⟧. If you didn't request it, contact support."""),
    ("email", """Please call our hotline ⟦phone_number|+1 800 555 0199⟧ or fax ⟦phone_number|+1 212 555 0147⟧."""),
    ("email", """Call me: ⟦phone_number|415-555-0132⟧ (cell) / office ⟦phone_number|415.555.0188⟧"""),
    ("email", """Contact Dr. Weiss at the clinic, phone ⟦phone_number|030 901820⟧, fax ⟦phone_number|030 9018 2199⟧."""),
    ("email", """Vous pouvez me joindre au ⟦phone_number|01 42 68 53 00⟧ (bureau)."""),
    ("email", """Llámame al ⟦phone_number|+34 91 123 45 67⟧ por la mañana."""),
    ("email", """Mijn nummer: ⟦phone_number|020 123 4567⟧, mobiel ⟦phone_number|+31 6 12345678⟧."""),
    ("email", """Ring mig på ⟦phone_number|070-123 45 67⟧ efter lunch."""),
    ("email", """お問い合わせは ⟦phone_number|03-1234-5678⟧ までお電話ください。"""),
    ("email", """如有问题请致电 ⟦phone_number|138 0013 8000⟧。"""),
    ("email", """Ligue para ⟦phone_number|(11) 91234-5678⟧ depois das 18h."""),
    ("email", """Chiamami al ⟦phone_number|333 123 4567⟧ oppure in ufficio ⟦phone_number|02 1234 5678⟧."""),
    ("email", """Ligue-me para o ⟦phone_number|912 345 678⟧ amanhã."""),
    ("email", """Ruf mich an: ⟦phone_number|+49 (0)30 901820⟧"""),
    ("email", """Phone: ⟦phone_number|+44 (0)20 7946 0958⟧"""),
    ("email", """Dial ⟦phone_number|0161 496 0000⟧ for the Manchester office."""),
    ("email", """WhatsApp: ⟦phone_number|+91 98765 43210⟧"""),
    ("email", """Tel: ⟦phone_number|(02) 9876 5432⟧"""),
    ("email", """IBAN with dashes from an old form: ⟦iban|DE89-3704-0044-0532-0130-00⟧"""),
    ("email", """iban lower case in a chat: ⟦iban|gb29nwbk60161331926819⟧"""),
    ("email", """IBAN: ⟦iban|FI21 1234 5600 0007 85⟧ - please confirm receipt."""),
    ("email", """Meine IBAN lautet ⟦iban|DE89 3704 0044 0532 013000⟧ (so steht es auf der Karte)."""),
    ("email", """born ⟦date_of_birth|March 12, 1985⟧ in Ohio"""),
    ("email", """Date of birth: ⟦date_of_birth|1985-03-12⟧, place of birth: Porto"""),
    ("email", """D.O.B. ⟦date_of_birth|07/04/1976⟧"""),
    ("json", """{"dob": "⟦date_of_birth|1990-01-31⟧", "created": "2024-05-14"}"""),
    ("json", """{"birthDate": "⟦date_of_birth|1962-01-30⟧", "deceased": false}"""),
    ("log", """2024-05-14 10:15:32 WARN auth: user ⟦email_address|jane.doe@example.com⟧ locked after 5 attempts from ⟦ipv6_address|2a02:7ca3:5cf5:8837:76aa:e1d1:94e2:709c⟧"""),
    ("log", """wlan0: associated with BSSID ⟦mac_address|62-F7-A3-66-23-99⟧, signal -61 dBm"""),
    ("log", """Device registered: IMEI ⟦imei|35-420639-413306-5⟧ model SM-G991B fw G991BXXU5DVK1"""),
    ("code", """headers = {"Authorization": "Bearer ⟦jwt|eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NTgwNTYiLCJuYW1lIjoia3dhbWUiLCJpYXQiOjE3OTIzOTAxOTZ9.6VsVKWTws3yGxJZP9d2bWZ4WLk8LTR6qxbhGRlE-ywP⟧"}"""),
    ("code", """# connect to reporting db
conn = psycopg2.connect(host="⟦ipv4_address|10.20.0.15⟧", dbname="reporting", user="bi", ⟦password_in_config|password="Zx82!kLq0pVm⟧")"""),
    ("code", """$⟦password_in_config|db_password = 'Rk72!xzQp9Lm⟧';
$db_user = 'shop';"""),
    ("code", """smtp:
  host: smtp.sendgrid.net
  user: apikey
  pass: ⟦sendgrid_api_key|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⟧"""),
    ("code", """<add key="StorageConnection" value="⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=oxdeppsrtp;AccountKey=OIYwmUnZj6c4qdBzbTk12FfByJFsqaYVyzm6UNIuW/LOCkVqQt9Sxq4REOne4OqwFugChMRcAeZuQ3lp4Lu3gv==;EndpointSuffix=core.windows.net⟧" />"""),
    ("code", """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
-----END PUBLIC KEY-----"""),
    ("code", """ssh_key: |
  ⟦private_key|-----BEGIN RSA PRIVATE KEY-----
  MIIEowIBAAKCAQEAvZ6wL3b1cN8vYq0xFz2m9kP4sT7uR1wE5yH3jK6lM0nB8cV2
  xQ9pA4fG7hJ1kL3mN5bV8cX0zA2sD4fG6hJ8kL0mN2bV4cX6zA8sD0fG2hJ4kL6m
  -----END RSA PRIVATE KEY-----⟧"""),
]

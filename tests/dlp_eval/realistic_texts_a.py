# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part A: e-mails, tickets, chat, AI prompts (mostly English).

``⟦detector|value⟧`` marks a labelled span; everything else must not be reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("email", """Hi Sarah,

Thanks for your patience. To finish the refund I need the card you paid with. The customer read it to me over the phone: ⟦credit_card|4111 1111 1111 1111⟧, exp 09/27. Order #A-2024-118832 was placed on 3 March.

Best,
Tom (Billing)
"""),
    ("email", """From: ⟦email_address|payroll@initech.example⟧
Subject: W-4 update for new hire

Hey, here are the details for Mark's onboarding:
Name: Mark Delaney
SSN: ⟦us_ssn|278-78-7754⟧
Start date: 2024-06-03
Direct deposit: routing ⟦us_aba_routing|021000021⟧, checking account ⟦bank_account_number|4410028871⟧
Thanks!"""),
    ("ticket", """[ZD-48213] Customer cannot log in
Reporter: ⟦email_address|lisa.m@contoso.com⟧
Description: Customer says the app shows error 0x80070005 when signing in. Their phone is ⟦phone_number|+1 (415) 555-0132⟧ if you need to call back. Build 7.14.2.1093, Windows 11 23H2."""),
    ("ticket", """JIRA OPS-2291: rotate leaked key
A developer pasted ⟦aws_access_key_id|AKIAQEOFPEMXCF3TFE4I⟧ into #general this morning. Key owner: svc-reporting. Please disable it in IAM and rotate. No secret key was posted as far as we can tell."""),
    ("chat", """hey can u send me the wifi pw again? the guest one"""),
    ("chat", """sure, call me on ⟦phone_number|+44 7911 123456⟧ after 6"""),
    ("chat", """my new number is ⟦phone_number|(212) 555-0199⟧ btw, old one is disconnected"""),
    ("chat", """lol the meeting got moved to 14:30 again, room 4.12"""),
    ("chat", """can someone approve PR #4821? it's just a version bump 2.31.0 -> 2.32.3"""),
    ("prompt", """Summarize this complaint for the CRM and draft a polite reply:

"I was charged twice for order 7734-2291-0042. My card ending in 4242 shows two charges of $89.99 on 12/03. Please refund one of them. You can reach me at ⟦email_address|dana.whitfield@example.net⟧."
"""),
    ("prompt", """You are a helpful assistant. Fix this Python function, it throws KeyError:

def get_user(users, uid):
    return users[uid]["email"]

Sample input: {"u_1029": {"email": "⟦email_address|kim.nguyen@example.org⟧", "plan": "pro"}}"""),
    ("prompt", """Rewrite this patient letter in plain language. Patient: J. Alvarez, DOB: ⟦date_of_birth|03/14/1961⟧. Diagnosis: ⟦icd10_code|E11.9⟧ (type 2 diabetes without complications), and hypertension ⟦icd10_code|I10⟧. Next appointment 2024-11-02."""),
    ("prompt", """Translate to German: "Your package with tracking number 1Z999AA10123456784 will arrive on Tuesday between 10:00 and 14:00." """),
    ("prompt", """Can you debug my .env? The app says auth failed.

DATABASE_URL=⟦db_connection_string|postgres://app_user:Vq7#mPz2Lk9w@db-prod.internal:5432⟧/orders
REDIS_URL=redis://cache.internal:6379/0
⟦openai_api_key|sk-proj-Xz4vu-iYyo3R8PstYZ_Ufk_1f1gsM_QEFC9HLCRRaB6rADlBtkHrnVig5RdabEwNVYfyK6I_PUMzCRxPr6UeE6lccylF31pUQ8lJ5x_H6Zfaohx-6MXJRKQ0nx7i_S6qifp4HwmCVGHXhdNU_acUrAESMSYQ⟧
LOG_LEVEL=debug"""),
    ("prompt", """Write a SQL query that returns customers whose last order was more than 90 days ago. Table orders(id uuid, customer_id int, created_at timestamptz). Example id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301."""),
    ("email", """Dear Mr. Okafor,

We received your application. For the background check please confirm your Social Security number (⟦us_ssn|648-98-1583⟧) and date of birth (⟦date_of_birth|July 4, 1988⟧).

Kind regards,
HR Team"""),
    ("email", """Hi team, the wire failed. Beneficiary details again:
IBAN: ⟦iban|GB29 NWBK 6016 1331 9268 19⟧
BIC: ⟦swift_bic|NWBKGB2L⟧
Amount: GBP 12,400.00, reference INV-2024-00871."""),
    ("email", """Please update my payment details for the May invoice. New account: sort code ⟦uk_sort_code|20-00-00⟧, account number ⟦bank_account_number|55779911⟧. Thank you, Priya"""),
    ("ticket", """Customer Info
Name: Robert Kim
Card on file: ⟦credit_card|5555-5555-5555-4444⟧
Billing ZIP: 94107
Issue: duplicate charge, case #00451923"""),
    ("ticket", """Incident INC0012345 - printer on floor 3 shows 'PC LOAD LETTER'. Asset tag 000184422. Serial CNB7H01234."""),
    ("chat", """wait, is ⟦ipv4_address|192.168.1.1⟧ the router or the NAS? I can't reach ⟦ipv4_address|10.0.12.7⟧ from the vpn"""),
    ("chat", """just tried again, ping to ⟦ipv4_address|8.8.8.8⟧ works, DNS is broken"""),
    ("email", """Hello,
I'm writing on behalf of my father, whose Medicare number is ⟦us_mbi|1EG4-TE5-MK73⟧. He was billed for a visit on 08/14/2024 that Medicare should have covered. His NPI provider was Dr. Singh (NPI ⟦us_npi|1234567893⟧).
Sincerely, Ana"""),
    ("ticket", """Order 112-4839201-2209185 arrived damaged. Photo attached (IMG_20240514_101532.jpg). Please send a replacement to the same address."""),
    ("prompt", """Here is the CSV header of my export, suggest column types: id,first_name,last_name,email,phone,signup_ts. Don't worry about real data."""),
    ("prompt", """Please check if this is a valid IBAN and tell me the bank: ⟦iban|DE89 3704 0044 0532 0130 00⟧"""),
    ("chat", """My passport number is ⟦passport_number|L54992926⟧, do you need the expiry date too?"""),
    ("chat", """the tracking number is 9400 1000 0000 0000 0000 00, USPS says delivered"""),
    ("email", """Guten Tag Frau Becker,

anbei die Daten für die Lohnabrechnung:
Steuer-ID: ⟦de_tax_id|53 702 469 886⟧
Sozialversicherungsnummer folgt per Post.
IBAN: ⟦iban|DE56 0492 3713 9134 9869 14⟧
Telefon: ⟦phone_number|0151 23456789⟧

Mit freundlichen Grüßen
Jonas Weber"""),
    ("email", """Bonjour,

Suite à notre échange, voici mon numéro de sécurité sociale : ⟦fr_nir|2 67 11 27 461 673 88⟧ et mon RIB : ⟦iban|FR76 3000 6000 0112 3456 7890 189⟧.
Vous pouvez me joindre au ⟦phone_number|06 12 34 56 78⟧.

Cordialement,
Claire Martin"""),
    ("email", """Hola Marta,

Te paso los datos del nuevo empleado: DNI ⟦es_dni|29100063A⟧, número de la Seguridad Social pendiente. Cuenta: ⟦iban|ES91 2100 0418 4502 0005 1332⟧. Móvil: ⟦phone_number|+34 612 34 56 78⟧.

Un saludo"""),
    ("email", """Beste Sanne,

Hierbij mijn gegevens voor het contract: BSN ⟦nl_bsn|190908890⟧, rekeningnummer ⟦iban|NL91 ABNA 0417 1643 00⟧. Mijn telefoonnummer is ⟦phone_number|06-12345678⟧.

Groet, Daan"""),
    ("email", """Olá João,

Segue o meu NIF: ⟦pt_nif|213712539⟧ e o IBAN ⟦iban|PT50 0002 0123 1234 5678 9015 4⟧ para o reembolso. Telemóvel: ⟦phone_number|+351 912 345 678⟧.

Obrigado"""),
    ("email", """Hej Erik,

Här är uppgifterna till lönekontoret: personnummer ⟦se_personnummer|960701-7200⟧, IBAN ⟦iban|SE45 5000 0000 0583 9825 7466⟧.

Mvh Anna"""),
    ("email", """田中様

お世話になっております。マイナンバー: ⟦jp_my_number|4916 1803 1881⟧ をお送りします。
電話番号: ⟦phone_number|+81 90-1234-5678⟧

よろしくお願いいたします。"""),
    ("chat", """王经理，新员工的身份证号码是 ⟦cn_resident_id|110101195305081172⟧，手机 ⟦phone_number|+86 138 0013 8000⟧，请尽快录入系统。"""),
    ("email", """Gentile dott. Rossi,
le invio il mio codice fiscale ⟦it_codice_fiscale|RCCMNL83S18D969H⟧ per la fattura. IBAN ⟦iban|IT60 X054 2811 1010 0000 0123 456⟧.
Cordiali saluti"""),
    ("email", """Dzień dobry,
mój PESEL to ⟦pl_pesel|63100759254⟧, numer konta ⟦iban|PL61 1090 1014 0000 0712 1981 2874⟧.
Pozdrawiam"""),
    ("email", """Hej,
mit CPR-nr. er ⟦dk_cpr|020663-3192⟧ og kontonummer ⟦iban|DK50 0040 0440 1162 43⟧.
Venlig hilsen"""),
    ("email", """Hei,
fødselsnummer: ⟦no_fodselsnummer|17115301446⟧. Kontonummer i IBAN-format: ⟦iban|NO93 8601 1117 947⟧.
Hilsen Ola"""),
    ("email", """Moi,
henkilötunnus ⟦fi_hetu|010468-0899⟧, tilinumero ⟦iban|FI21 1234 5600 0007 85⟧.
Terveisin"""),
    ("email", """Merhaba,
T.C. Kimlik No: ⟦tr_tc_kimlik|23859761236⟧, cep telefonu ⟦phone_number|+90 532 123 45 67⟧.
İyi çalışmalar"""),
    ("email", """Bună ziua,
CNP-ul meu este ⟦ro_cnp|2640425214366⟧. Vă rog să actualizați dosarul.
Mulțumesc"""),
    ("email", """Dobrý den,
rodné číslo: ⟦cz_birth_number|671112/6367⟧, telefon ⟦phone_number|+420 601 123 456⟧.
S pozdravem"""),
    ("email", """Grüezi,
meine AHV-Nummer ist ⟦ch_ahv|756.0423.5508.18⟧, IBAN ⟦iban|CH93 0076 2011 6238 5295 7⟧.
Freundliche Grüsse"""),
    ("email", """Hi Ciara, my PPS number is ⟦ie_pps|0803122P⟧ and my mobile is ⟦phone_number|087 123 4567⟧. Thanks, Seán"""),
    ("email", """G'day, for the payroll form: TFN ⟦au_tfn|557 133 840⟧, Medicare card ⟦au_medicare|5116 83510 8⟧. Mobile ⟦phone_number|0412 345 678⟧."""),
    ("email", """Kia ora, my IRD number is ⟦nz_ird|124-548-918⟧ for the KiwiSaver form. Cheers"""),
    ("email", """Hi, please find my PAN ⟦in_pan|AFZPK7190K⟧ and Aadhaar ⟦in_aadhaar|3462 6034 9550⟧ for the KYC. Mobile ⟦phone_number|+91 98765 43210⟧."""),
    ("email", """Hello, my NRIC is ⟦sg_nric|S1234567D⟧. Please update the insurance record."""),
    ("email", """Oi Paulo, segue meu CPF ⟦br_cpf|401.614.182-60⟧ e o CNPJ da empresa ⟦br_cnpj|09.921.633/0001-07⟧. Meu celular: ⟦phone_number|+55 11 91234-5678⟧."""),
    ("email", """Buen día, mi CURP es ⟦mx_curp|MELD580804MYNZDP08⟧, para el trámite del IMSS."""),
    ("email", """Hi, my SA ID number is ⟦za_id|7305123351088⟧. I need a tax certificate."""),
    ("chat", """주민등록번호 ⟦kr_rrn|710806-2584036⟧ 로 본인인증 해주세요"""),
    ("email", """Hi Jack, my National Insurance number is ⟦uk_nino|AZ 31 38 15 A⟧ and NHS number ⟦uk_nhs_number|498 333 3649⟧. Thanks"""),
    ("email", """Hello, attaching my SIN for the T4: ⟦ca_sin|782 160 667⟧. Cheers, Marie"""),
    ("email", """Dear HR, my ITIN is ⟦us_itin|912-88-2707⟧ since I don't have an SSN yet."""),
    ("email", """Bonjour, mon numéro national belge : ⟦be_national_number|59.06.13-274.35⟧. Merci"""),
    ("email", """Hola, mi NIE es ⟦es_nie|X3039449E⟧ y vivo en Valencia desde 2019."""),
    ("ticket", """Vendor onboarding: ACME Supplies LLC, EIN ⟦us_ein|46-6219057⟧, remit to routing ⟦us_aba_routing|122183753⟧, acct no ⟦bank_account_number|795125743607⟧."""),
    ("prompt", """Here's a DEA number from a prescription, is it valid? DEA# ⟦us_dea|AB1234563⟧"""),
    ("chat", """pls pay me back to ⟦bitcoin_address|bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq⟧ thx"""),
    ("chat", """btc donations: ⟦bitcoin_address|3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy⟧"""),
    ("email", """IMEI of the lost phone: ⟦imei|354206394133065⟧. Please block it on the network."""),
    ("ticket", """Laptop returned. MAC ⟦mac_address|7a:d1:df:69:24:21⟧, asset 45-2291. Wiped and reimaged with build 22631.3447."""),
    ("chat", """ok the server is at ⟦ipv6_address|2001:db8:85a3::8a2e:370:7334⟧ now, update your hosts file"""),
    ("prompt", """Explain this error: psycopg2.OperationalError: could not connect to server: Connection refused. Is the server running on host "localhost" (⟦ipv4_address|127.0.0.1⟧) and accepting TCP/IP connections on port 5432?"""),
    ("prompt", """Help me write a cover letter. I'm Lena Fischer, born ⟦date_of_birth|12.05.1990⟧ in Leipzig, 6 years experience as a data analyst."""),
    ("email", """Driver details for the rental: Driver's License: ⟦us_drivers_license|D1234567⟧ (CA), exp 2028."""),
    ("email", """Please find my driving licence number ⟦uk_driving_licence|MORGA657054SM9IJ⟧ for the hire car."""),
    ("ticket", """Member ID: ⟦health_insurance_id|XEH123456789⟧, Group 0045. Claim denied for CPT 99213 on 2024-02-11."""),
    ("email", """Passport details for the visa letter:
Surname: ERIKSSON
Passport No: ⟦passport_number|533401372⟧
Nationality: SWE"""),
    ("email", """Scan of my passport, the bottom lines:
P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
⟦passport_mrz|L898902C36UTO7408122F1204159ZE184226B<<<<<10⟧"""),
    ("chat", """call me on ⟦phone_number|020 7946 0958⟧ or text me"""),
    ("chat", """Tel. ⟦phone_number|+49 30 901820⟧ (Zentrale), Durchwahl -214"""),
    ("chat", """the meeting id is 845 2291 0037, passcode 771204"""),
    ("chat", """order 4000 1234 5678 9010 still not shipped??"""),
    ("email", """Hi, the invoice INV-20240311-0042 for 1,250.00 EUR is overdue. Please pay to our account at Commerzbank. Thank you."""),
    ("prompt", """Generate a regex for German postal codes like 10115 or 80331."""),
    ("prompt", """Our staging box is ⟦ipv4_address|203.0.113.45⟧ and prod is ⟦ipv4_address|198.51.100.17⟧. Write an nginx upstream block for both."""),
    ("chat", """whats the status of ticket 2024-0831?"""),
    ("email", """Reminder: your dentist appointment is on 14/06/2024 at 09:15. Reply C to confirm."""),
    ("chat", """Can you reset the password for jdoe? Temporary one is ⟦password_in_config|password: Winter2024!xQ⟧ please change on first login"""),
    ("chat", """I set the wifi password to hunter2 lol, will change it later"""),
    ("email", """Your verification code is 482913. It expires in 10 minutes. If you did not request it, ignore this email."""),
    ("email", """Dear customer, your order 1002938475 has shipped via DHL, tracking JD014600006281470543."""),
]

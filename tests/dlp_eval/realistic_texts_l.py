# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part L: one day of a mid-size company's outbound SaaS traffic.

Support desk, sales/CRM, finance, HR, a clinic and an insurer, engineering, legal, marketing and
AI-assistant prompts from all of them, in English and the languages of European, US and Asian
offices. Written without running the scanner or reading the detector table. Identifier values
were generated for this file and made valid with python-stdnum, Luhn, phonenumbers or the
vendor's published format; none belongs to a real person.

``⟦detector|value⟧`` marks a labelled span; everything else must not be reported.
"""

TEXTS: list[tuple[str, str]] = [
    # ---- customer support ------------------------------------------------------------------
    ("email", """Subject: Re: Update payment method – account NW-448120

Hi Jasmine,

I tried updating the card in the portal three times and it keeps timing out, so here it is directly. New Visa: ⟦credit_card|4456 3104 0750 5886⟧, expires 11/28. The old card ending 0917 was cancelled by the bank after a fraud alert, that's why the June renewal bounced.

If it's easier to call, my mobile is ⟦phone_number|(646) 555-0173⟧, I'm free after 3pm ET.

Thanks,
Derek Halvorsen
Halvorsen Landscaping LLC
"""),
    ("chat", """[10:02] Visitor: hi, my order still says "label created" since friday
[10:02] Bot: I can help with that! Could you share your order number?
[10:03] Visitor: #NW-2024-118403
[10:04] Agent Priya: Thanks! I checked with the warehouse, it went out yesterday with UPS, tracking 1Z 4F9 W37 03 4417 2286. It should update within 24h.
[10:05] Visitor: ok. can i still change the delivery to the office? it's unit 4B, same building
[10:06] Agent Priya: Unfortunately once it's with UPS we can't edit the address, but you can redirect it in UPS My Choice. Anything else?
[10:06] Visitor: nope thx"""),
    ("ticket", """Ticket #DE-77912 · Kategorie: Rückerstattung · Priorität: normal
Kunde: Herr Matthias Krüger (Kundennr. 300418872)

Nachricht des Kunden:
Guten Tag, ich habe das Jahresabo am 02.06. gekündigt, innerhalb der 14-tägigen Widerrufsfrist. Bitte erstatten Sie die 119,00 € auf mein Konto:
IBAN ⟦iban|DE82 2542 9284 1813 2248 49⟧
Kontoinhaber: Matthias Krüger
Bei Rückfragen erreichen Sie mich unter ⟦phone_number|0171 2345678⟧ (Mo–Fr ab 17 Uhr).

Interne Notiz (L. Brandt): Widerruf fristgerecht, Erstattung über SEPA freigegeben, Gutschrift-Nr. GS-2024-00871."""),
    ("ticket", """Ticket n° 58213 – Facture en double
Client : Boulangerie Martin SARL (SIRET 812 447 903 00018)
Message : Bonjour, nous avons reçu deux fois la facture FAC-2024-06-1187 d'un montant de 349,00 € HT. Pouvez-vous annuler la seconde ? Notre bon de commande était le BC-0425.
Réponse agent : Bonjour Madame Martin, il s'agit bien d'un doublon généré lors de la migration du 3 juin. J'ai émis l'avoir AV-2024-0192, il apparaîtra dans votre espace client sous 48 h. Toutes nos excuses pour la gêne occasionnée."""),
    ("chat", """Agente (Lucía): Hola, soy Lucía del equipo de soporte. Para poder cambiar el titular del contrato necesito verificar tu identidad.
Cliente: vale, mi DNI es ⟦es_dni|73523061L⟧
Agente (Lucía): Gracias. ¿Y un teléfono de contacto?
Cliente: ⟦phone_number|611 234 587⟧, mejor por la tarde
Agente (Lucía): Perfecto, ya está. El cambio se verá reflejado en la próxima factura (periodo 01/07–31/07)."""),
    ("email", """件名：ご注文商品の配送遅延について（注文番号 2024061100387）

山田様

いつも当ストアをご利用いただき、誠にありがとうございます。
ご注文いただいた「ステンレス製ボトル 500ml（ネイビー）」につきまして、メーカーからの入荷が遅れており、発送は6月18日頃になる見込みです。
なお、同時にご注文の「保冷バッグ」は先行して発送済みです（ヤマト運輸 伝票番号 4821-7730-1946）。

ご不便をおかけし申し訳ございません。
何卒よろしくお願い申し上げます。

カスタマーサポート　佐藤"""),
    ("ticket", """FD-20931 | Account locked after failed logins | Priority: High
Requester: ⟦email_address|m.okafor@brightline-logistics.example⟧
Created: 2024-06-11 08:14 UTC

Customer reports she was locked out overnight. Auth logs show 23 failed attempts between 02:10 and 02:41 UTC, all from ⟦ipv4_address|198.51.100.87⟧ (flagged as a Tor exit by our IP reputation feed). Her last good login was yesterday from ⟦ipv4_address|203.0.113.41⟧, the office NAT.

Actions: forced password reset, revoked 2 active sessions, enabled MFA enforcement for the tenant. Escalating to Security for a look at the credential-stuffing pattern."""),
    ("chat", """Klant: Hoi, ik wil mijn bestelling retourneren, de maat valt te klein
Medewerker (Sanne): Hoi! Geen probleem. Wat is je ordernummer?
Klant: 7100-448-2931
Medewerker (Sanne): Top, ik zie hem. Je kunt het pakket gratis terugsturen via een PostNL-punt, het retourlabel heb ik net naar je gemaild. Binnen 5 werkdagen na ontvangst krijg je je geld terug.
Klant: en als ik een maat groter wil?
Medewerker (Sanne): Dan kun je bij de retour aangeven dat je wilt ruilen, maat 42 is nog op voorraad."""),
    ("email", """Oggetto: Richiesta rimborso ordine 55-10928

Buongiorno,

ho restituito il materasso entro i 100 giorni di prova (ritiro effettuato dal corriere il 4 giugno). Vi chiedo di accreditare il rimborso di 689,00 € sul seguente conto:

Intestatario: Giulia Ferrara
IBAN: ⟦iban|IT93 K759 4365 1509 7921 8022 833⟧
Codice fiscale: ⟦it_codice_fiscale|FRRGLI87C62F205R⟧

Il codice fiscale ve lo indico perché il vostro modulo online lo richiedeva per l'emissione della nota di credito.

Cordiali saluti,
Giulia Ferrara"""),
    ("ticket", """BUG-3318: Checkout fails for 3DS cards in staging
Steps: add item, pay with a test card (Stripe test mode), 3DS modal opens then closes immediately.
Observed: PaymentIntent pi_3PQx7cK2eZvKYlo21Jd8s0aW goes back to requires_payment_method; card shows as •••• 3220 in the dashboard.
Config: STRIPE_SECRET_KEY=sk_test_•••••••••••••••• (staging), webhook endpoint /api/stripe/webhook, stripe-js 3.4.1.
Expected: challenge flow completes and the order moves to PAID.
Notes: works in Chrome 125, fails in Safari 17.5 — possibly the popup blocker. Assigning to @mfischer."""),
    ("chat", """Atendente (Rafael): Olá! Para emitir a segunda via da nota fiscal preciso confirmar alguns dados. Pode me informar o CPF do titular?
Cliente: claro, ⟦br_cpf|419.928.428-17⟧
Atendente (Rafael): Obrigado. E um telefone para contato?
Cliente: ⟦phone_number|(11) 98765-4321⟧
Atendente (Rafael): Perfeito, a NF-e nº 000.184.227 foi reenviada para o e-mail cadastrado. Posso ajudar em algo mais?"""),
    ("chat", """Ciao Marco, il ticket HD-20417 è risolto: il problema della VPN era il certificato scaduto il 10/06. Ho reinstallato il client (versione 5.3.2) e ora si collega. Se domani mattina ti dà ancora l'errore 809, riavvia il PC e scrivimi qui. Buona serata!"""),
    # ---- sales / CRM -----------------------------------------------------------------------
    ("crm", """Call note – Vantera Foods (Opportunity OPP-0931, stage: Proposal)
Spoke with Karen Liu (VP Ops) and Tom Reyes (IT). They're replacing the legacy WMS across 3 DCs by Q1.
- Budget approved ~$180k ARR, procurement wants a 3-year term with a 5% cap on uplift
- Karen prefers text over email, cell ⟦phone_number|(312) 555-0192⟧
- Tom wants SSO docs + our SOC 2 Type II report → send via NDA portal
- Follow-up: demo of the yard module on 6/18, invite ⟦email_address|tom.reyes@vanterafoods.example⟧
Next step: revised quote Q-22871 by Friday."""),
    ("crm", """Gesprächsnotiz – Müller Präzisionstechnik GmbH (Lead-ID 48813)
Datum: 11.06.2024, Teilnehmer: Hr. Vogt (Einkauf), Fr. Schäfer (IT-Leitung)
- Aktuell 140 Lizenzen beim Wettbewerber, Vertrag läuft zum 31.12. aus
- Budget für 2025 ca. 45.000 € netto, Entscheidung im Q3 durch die Geschäftsführung
- Datenschutz: AV-Vertrag und Serverstandort EU sind Pflicht, On-Prem nicht gewünscht
- Nächster Schritt: Teststellung mit 10 Nutzern ab KW 27, Ansprechpartner bleibt Hr. Vogt
Wiedervorlage: 25.06.2024"""),
    ("json", """{"eventId": 3921004417, "subscriptionType": "contact.creation", "portalId": 6204418, "occurredAt": 1718096512000,
 "properties": {"firstname": "Amara", "lastname": "Nwosu", "email": "⟦email_address|amara.nwosu@kestrelhealth.example⟧", "phone": "⟦phone_number|+44 20 7946 0321⟧",
  "company": "Kestrel Health", "jobtitle": "Head of Procurement", "hs_analytics_source": "ORGANIC_SEARCH",
  "lifecyclestage": "lead", "num_employees": "201-500"}}"""),
    ("markdown", """| Deal | Account | Owner | Stage | ARR | Close |
|---|---|---|---|---|---|
| OPP-0931 | Vantera Foods | K. Singh | Proposal | $182,400 | 2024-09-30 |
| OPP-0944 | Nordlicht Energie | M. Bauer | Discovery | €64,000 | 2024-11-15 |
| OPP-0952 | Cascade Dental Group | K. Singh | Negotiation | $48,900 | 2024-07-12 |
| OPP-0957 | Hoshino Trading | Y. Tanaka | Verbal | ¥9,600,000 | 2024-06-28 |
| OPP-0961 | Atelier Moreau | C. Dubois | Closed Won | €21,300 | 2024-06-10 |

Weighted pipeline Q3: $1.24M (coverage 2.8x). Two deals slipped from Q2."""),
    ("crm", """Compte rendu de rendez-vous – Groupe Hôtelier Lavande
Interlocuteur : Mme Claire Fontaine, directrice achats
Coordonnées : ⟦phone_number|+33 6 12 48 93 07⟧ / ⟦email_address|c.fontaine@hotels-lavande.example⟧
Besoin : 12 établissements, remplacement du PMS d'ici avril, intégration avec leur channel manager.
Objections : prix par chambre jugé élevé (4,10 €/chambre/mois), souhaite une remise volume.
Prochaine étape : envoi de la proposition commerciale v2 avant le 21/06, démo sur site à Aix le 3 juillet."""),
    ("email", """Hi Marcus,

Please find the updated quote below. Prices are valid for 30 days.

Qty 40 – SKU 4411-2208-9931 – Rugged tablet 10" w/ scanner – $1,149.00 ea
Qty 40 – SKU 4411-2208-9948 – Charging cradle – $189.00 ea
Qty 2  – SKU 7702-0001-0040 – On-site setup (per day) – $1,600.00
Support plan: Gold, 3 yrs, part no. GS-3Y-0040

Subtotal $56,720.00, shipping included. Your PO reference 4500318842 is noted on the quote.

Best regards,
Elena
Inside Sales"""),
    ("crm", """Anteckning – Lindqvist Snickeri (enskild firma)
Ägare: Karin Lindqvist. Eftersom det är en enskild firma är organisationsnumret hennes personnummer: ⟦se_personnummer|680321-3641⟧ – behövs för kreditupplysningen innan vi kan erbjuda faktura 30 dagar.
Telefon: ⟦phone_number|070-318 42 96⟧
Intresserad av 3 licenser + mobilappen, vill ha offert i SEK. Ring tillbaka efter midsommar."""),
    ("chat", """#sales-emea
Jonas: closed Atelier Moreau 🎉 €21.3k, 2-yr term
Ines: nice!! that's 3 this week
Jonas: discount was 12%, had to throw in onboarding. order form signed 10:42, countersigned by legal 11:05
Martha: reminder everyone: forecast call moved to 16:30 CET, and please update close dates before then — 14 opps in Salesforce still show 2024-06-30
Ines: on it"""),
    ("email", """Temat: Oferta – wdrożenie systemu dla Hurtownia Bałtyk sp. z o.o.

Dzień dobry Panie Tomaszu,

w załączeniu przesyłam ofertę na wdrożenie modułu magazynowego (wariant B, 25 użytkowników). Cena obejmuje szkolenie dla dwóch zmian oraz 6 miesięcy wsparcia premium.

W razie pytań proszę o kontakt bezpośrednio: ⟦phone_number|+48 512 407 863⟧ lub ⟦email_address|anna.kowalczyk@softline-partner.example⟧.

Z poważaniem
Anna Kowalczyk
Key Account Manager"""),
    ("crm", """商談メモ（2024/06/11）
顧客：株式会社ほしの商事　情報システム部
出席者：田中部長、小林様（当社：山本、鈴木）
・現行システムは2025年3月で保守終了、移行先を比較検討中
・見積金額 960万円（初年度）、年間保守 180万円
・競合2社と比較、7月中旬に社内稟議
・次回：6/28 デモ（倉庫管理モジュール）
以上"""),
    # ---- finance ---------------------------------------------------------------------------
    ("csv", """# Zahlungslauf 2024-06-12 / Lauf-ID ZL-0612-01 / Auftraggeber: Nordwind Software GmbH
Empfänger;IBAN;BIC;Betrag;Verwendungszweck
Druckerei Hansen GmbH;⟦iban|DE19159811165864735068⟧;⟦swift_bic|DEUTDEFF⟧;1.840,50;RE 2024-1187
Bureau Lefèvre SARL;⟦iban|FR4080019123135586696897289⟧;⟦swift_bic|BNPAFRPP⟧;3.200,00;Facture F-0519
Summe: 5.040,50 EUR, 2 Posten"""),
    ("finance", """INVOICE INV-2024-0611-882
Bill to: Halcyon Media Ltd, 14 Granary Wharf, Leeds LS1 4BR
Invoice date: 11 Jun 2024    Due: 11 Jul 2024 (Net 30)
PO number: 7700912
VAT reg: GB 314 8820 17

Item                          Qty   Unit      Amount
Platform licence (annual)       1   £18,000   £18,000.00
Additional seats               25   £96       £2,400.00
Implementation (fixed)          1   £4,500    £4,500.00
Subtotal £24,900.00 | VAT 20% £4,980.00 | Total £29,880.00

Please quote INV-2024-0611-882 with your remittance. Late payments accrue interest under the Late Payment of Commercial Debts (Interest) Act 1998."""),
    ("finance", """Expense report ER-11827 – Nicole Brandt (Sales, Chicago)
Trip: customer visits Milwaukee/Madison, 3–5 June
Hotel (2 nights) $412.60 | Mileage 286 mi @ $0.67 = $191.62 | Meals $138.40 | Parking $36.00
Total reimbursable: $778.62 (client dinner pre-approved by R. Ortiz)

The ACH to the account on file was returned (R02 – account closed). New details from Nicole:
Bank: Chase, routing ⟦us_aba_routing|071000013⟧, checking account ⟦bank_account_number|738204415592⟧
Please rerun in Thursday's AP batch."""),
    ("finance", """Kontoauszug Nr. 6/2024 – Geschäftskonto
Buchungstag | Wertstellung | Vorgang | Betrag EUR
03.06.2024 | 03.06.2024 | SEPA-Gutschrift Kaltenbach Logistik AG, IBAN ⟦iban|DE18352928488655441090⟧, RE-2024-0412 | +12.480,00
04.06.2024 | 04.06.2024 | SEPA-Lastschrift Finanzamt München, Mandatsref. USTVA-05-2024 | -8.911,37
05.06.2024 | 05.06.2024 | Überweisung Hoffmann IT-Service, IBAN ⟦iban|DE84901196471022941953⟧, Wartung Mai | -1.071,00
07.06.2024 | 07.06.2024 | Kartenzahlung Lufthansa Ticket 220-4419783320 | -642,18
Neuer Saldo: 148.203,55 EUR"""),
    ("finance", """Corporate card statement – June cycle (card ending 4821)
06/02  AWS EMEA SARL LUXEMBOURG           €1,284.19
06/03  ZOOM.US SAN JOSE CA                 $149.90
06/04  DELTA AIR 0062388471520             $612.40
06/05  MARRIOTT CHICAGO DWTN               $398.22
06/07  UBER *TRIP                           $27.64
Statement balance $2,546.32, minimum due $25.00, payment due 07/01. Auto-pay from the operating account is enabled."""),
    ("form", """New supplier set-up form
Supplier name: Pennine Catering Services Ltd
Companies House no.: 09318842
VAT no.: GB 412 7781 06
Bank name: Barclays
Sort code: ⟦uk_sort_code|20-45-77⟧
Account number: ⟦bank_account_number|53019874⟧
Payment terms: 30 days EOM
Approved by: G. Whitaker (Facilities) 10/06/2024"""),
    ("email", """Onderwerp: Betalingsherinnering factuur 2024-0387

Beste heer De Groot,

Volgens onze administratie staat factuur 2024-0387 van 14 mei (€ 2.178,00 incl. btw) nog open. Wilt u het bedrag binnen 7 dagen overmaken naar ⟦iban|NL46 ABNA 4646 2309 59⟧ t.n.v. Verhoef Installatietechniek B.V., onder vermelding van het factuurnummer?

Heeft u inmiddels betaald, dan kunt u deze herinnering als niet verzonden beschouwen.

Met vriendelijke groet,
Debiteurenadministratie"""),
    ("finance", """Conciliación bancaria – mayo 2024 (Sociedad: Nordwind Iberia S.L.)
Saldo según extracto: 84.210,47 €
Saldo según contabilidad: 83.902,11 €
Diferencias:
 - Comisión de mantenimiento no contabilizada: -45,00 €
 - Transferencia recibida el 31/05 (ref. 2024/05/00451) contabilizada en junio: +353,36 €
Diferencia sin explicar: 0,00 €
Preparado por: M. Ortega · Revisado por: J. Pons · Fecha: 07/06/2024"""),
    ("form", """Vendor W-9 received – Summit Ridge Consulting LLC
Federal tax classification: LLC taxed as S corporation
EIN: ⟦us_ein|32-9585406⟧
Address: 2201 Larimer St, Suite 300, Denver, CO 80205
Backup withholding: not subject
Entered in NetSuite as vendor V-10488 by AP (K. Moss), 1099-NEC eligible."""),
    ("chat", """Maria: month-end close is T+5 this time bc of the holiday
Dev: ok. FX rate for EUR/USD at the 06/28 close was 1.0705, GBP 1.2645, I'll lock those
Maria: accrual for the AWS commit is 38.4k, PO 4500320017
Dev: got it. also the audit sample request came in, 25 invoices from Q1, I put the list in the shared drive under /Audit/2024/PBC
Maria: 👍"""),
    ("email", """Subject: URGENT – change of payment details

Dear Accounts Team,

Due to an ongoing audit our bank accounts are temporarily frozen. Kindly settle the outstanding invoice #INV-77310 ($14,250.00) in Bitcoin to the following wallet: ⟦bitcoin_address|134XBMdW8tLmawJugyhxRyZfG2Etv9fm8e⟧

Please confirm once sent. This is time sensitive.

Regards,
Robert Chen
CFO, Pacific Rim Components"""),
    ("finance", """Fatura FT 2024/1188 – Data: 10-06-2024
Cliente: Joana Ribeiro (consumidor final)
NIF: ⟦pt_nif|219872201⟧
Serviço: Consultoria de marketing digital (maio) – 1.200,00 €
IVA 23%: 276,00 € | Total: 1.476,00 €
Pagamento por transferência para ⟦iban|PT73 2812 0703 3532 9683 4560 7⟧ até 10-07-2024."""),
    # ---- HR --------------------------------------------------------------------------------
    ("hr", """Dear Priya,

We are delighted to offer you the position of Senior Data Engineer at Northwind Software, Inc., reporting to Daniel Osei, Director of Data Platform. Your anticipated start date is Monday, July 8, 2024.

Compensation: base salary of $172,000 per year, paid semi-monthly, plus a target annual bonus of 10%. You will also be granted 6,000 RSUs vesting over four years with a one-year cliff, subject to board approval.

Benefits: medical, dental and vision coverage starting on your first day, 401(k) with a 4% match, and 20 days of PTO.

This offer is contingent on satisfactory completion of a background check and proof of eligibility to work in the United States. Please sign and return by June 21, 2024.

Sincerely,
Rachel Kim, VP People"""),
    ("csv", """Personalnr;Name;Steuer-ID;Steuerklasse;Konfession;Brutto Juni
10482;Schneider, Lena;⟦de_tax_id|64 710 877 935⟧;1;ev;4.850,00
10517;Yilmaz, Emre;⟦de_tax_id|60968635125⟧;3;--;5.320,00"""),
    ("form", """2025 Open Enrollment – Confirmation
Employee: Marcus T. Bell   Employee ID: 004187
SSN: ⟦us_ssn|334-61-0126⟧
Medical: Aetna Choice POS II – Employee + Spouse
Member ID: ⟦health_insurance_id|W284719306⟧
Dependent: Danielle Bell (spouse), date of birth ⟦date_of_birth|09/22/1986⟧
Dental: Delta Dental PPO | Vision: VSP | FSA election: $1,200
Coverage effective 01/01/2025."""),
    ("email", """Subject: Documents for your Netherlands highly-skilled migrant application

Hi Arjun,

Thanks for sending everything over. Before we submit to the IND on Friday, please double-check the details I've entered in the application:

Full name: Arjun Mehta
Date of birth: ⟦date_of_birth|17/08/1991⟧
Nationality: Indian
Passport number: ⟦passport_number|Z6138274⟧, valid until 04/2032
PAN (for the salary-history letter): ⟦in_pan|BQKPM4721L⟧

Once the IND approves, we'll book your biometrics appointment at the Amsterdam desk and register you at the municipality so you get your BSN.

Best,
Femke van Dijk – Global Mobility"""),
    ("chat", """hey Sam, quick q — my PTO balance in Workday shows 12.5 days but I thought I had 15?
> it's because the 2.5 days you took over the bridge holiday got booked in May. accrual resets on 1 Jan
ok makes sense. and the review cycle, self-assessment due when?
> 28 June, manager reviews by 12 July, calibration 15–19 July
thx!"""),
    ("hr", """ATTESTATION EMPLOYEUR

Je soussignée, Camille Rousseau, responsable RH de la société Nordwind France SAS, atteste que :
M. Julien Perrin, né le ⟦date_of_birth|08/10/1968⟧ à Nancy (54),
numéro de sécurité sociale : ⟦fr_nir|1 68 10 54 746 548 37⟧,
est employé en CDI depuis le 01/09/2017 en qualité d'ingénieur commercial, à temps plein.

Fait pour servir et valoir ce que de droit.
Paris, le 11 juin 2024"""),
    ("form", """Modulo dati anagrafici – nuovo assunto
Cognome e nome: Bianchi Marco
Codice fiscale: ⟦it_codice_fiscale|BNCMRC79T04L219X⟧
Luogo di nascita: Torino (TO)
IBAN per accredito stipendio: ⟦iban|IT10J1291937197137714969001⟧
Contratto: CCNL Commercio, 3° livello, tempo indeterminato, decorrenza 01/07/2024"""),
    ("form", """Personeelsformulier – indiensttreding
Naam: Sophie Jansen
Geboortedatum: ⟦date_of_birth|23-05-1994⟧
BSN: ⟦nl_bsn|642982326⟧
IBAN salaris: ⟦iban|NL75ABNA5460702577⟧
Loonheffingskorting toepassen: ja
Startdatum: 1 juli 2024, functie: Medewerker Klantenservice (32 uur)"""),
    ("email", """Recordatorio – Calendario de vacaciones de verano

Hola equipo, os recuerdo que las solicitudes de vacaciones para julio y agosto deben registrarse en el portal antes del 21 de junio. Como cada año, necesitamos una cobertura mínima del 50 % en soporte durante la segunda quincena de agosto.
Los festivos locales (15 de agosto y 9 de septiembre en Madrid) ya están cargados en el sistema.
Cualquier duda, escribidme por Teams.

Un saludo,
Nuria – RR. HH."""),
    ("email", """Emne: Opplysninger til lønnssystemet

Hei Ingrid,

Her er opplysningene du ba om før første lønnskjøring:
Fødselsnummer: ⟦no_fodselsnummer|05098390725⟧
Kontonummer for lønn: ⟦bank_account_number|1503 73 01261⟧
Skattekortet skal være hentet automatisk fra Skatteetaten, så det sender jeg ikke.

Mvh
Eirik Solberg"""),
    ("hr", """Ny medarbejder – stamdata til lønsystemet
Navn: Mette Kjær Hansen
CPR-nr.: ⟦dk_cpr|280786-2428⟧
Mobil: ⟦phone_number|+45 21 43 65 87⟧
Tiltrædelse: 1. august 2024, Customer Success, 37 timer/uge
Pension: 8 % arbejdsgiver / 4 % medarbejder via PFA"""),
    ("email", """【年末調整のお知らせ】
社員各位

今年度の年末調整の書類提出期限は11月15日（金）です。扶養控除等申告書、保険料控除申告書は人事ポータルから電子提出してください。
マイナンバーの提出がまだの方は、ポータルの「個人番号登録」から登録をお願いします（メールやチャットでは送らないでください）。

問い合わせ先：人事部 給与チーム（内線 2241）"""),
    ("form", """Kwestionariusz osobowy pracownika
Imię i nazwisko: Katarzyna Wiśniewska
PESEL: ⟦pl_pesel|70110576245⟧
Numer rachunku do wypłaty wynagrodzenia: ⟦iban|PL90 6383 7913 4806 2350 5631 4306⟧
Urząd skarbowy: Drugi Urząd Skarbowy Kraków-Krowodrza"""),
    ("hr", """【新员工入职信息】
姓名：陈晓
部门：上海研发中心 – 测试组
身份证号：⟦cn_resident_id|310104198705164460⟧
手机：⟦phone_number|139 1234 5678⟧
入职日期：2024年7月1日
请行政同事协助办理门禁卡和社保登记，工牌照片已上传到共享盘。"""),
    ("email", """Aihe: Kesäkuun palkka-ajo

Hei kaikki,

kesäkuun palkat maksetaan perjantaina 28.6. Juhannuksen vuoksi tuntikirjaukset pitää hyväksyä viimeistään tiistaina 18.6. klo 12. Lomarahat maksetaan samassa erässä. Jos verokorttisi on muuttunut, sitä ei tarvitse toimittaa meille – tiedot tulevat suoraan Verohallinnolta.

Terveisin,
Palkkahallinto"""),
    # ---- healthcare ------------------------------------------------------------------------
    ("medical", """REFERRAL – Cardiology
From: Lakeside Family Medicine, Dr. Hannah Ortiz
To: Riverbend Heart Center
Patient: Gerald Foster   DOB: ⟦date_of_birth|02/17/1954⟧
Insurance: Humana Medicare Advantage, member ID ⟦health_insurance_id|H48211937⟧

Reason for referral: exertional chest tightness x 3 weeks, new LBBB on resting ECG.
Diagnoses: ⟦icd10_code|R07.89⟧ other chest pain; ⟦icd10_code|I44.7⟧ left bundle-branch block, unspecified.
Meds: atorvastatin 40 mg, lisinopril 10 mg, aspirin 81 mg.
Please evaluate for stress testing / echo. Urgent – within 2 weeks."""),
    ("medical", """PATHOLOGY REPORT – Haematology
Patient: Ruth Ellison   NHS No: ⟦uk_nhs_number|229 042 2975⟧   DOB: ⟦date_of_birth|11/03/1949⟧
Requested by: Dr S. Patel, Elmwood Surgery   Sample: EDTA blood, collected 10/06/2024 08:40
Hb 104 g/L (L) [115–165]
MCV 78 fL (L) [80–100]
Ferritin 9 µg/L (L) [15–300]
Comment: picture consistent with iron deficiency. Suggest coeliac serology and review of GI symptoms."""),
    ("medical", """Lab panel reference – HbA1c
LOINC 4548-4 (Hemoglobin A1c/Hemoglobin.total in Blood)
Reporting units: % (NGSP) and mmol/mol (IFCC)
Ranges: <5.7% normal, 5.7–6.4% prediabetes, ≥6.5% diabetes (on two occasions)
Analyzer: Tosoh G8, CV 1.2% at 6.5%. Sample stability 7 days at 2–8 °C.
Note for the LIS team: map test code HBA1C-02 to the new order code 83036 on 1 July."""),
    ("json", """{"claimId": "CLM-2024-0611-55302", "type": "professional", "receivedDate": "2024-06-11",
 "subscriber": {"mbi": "⟦us_mbi|3QK7XN2RT48⟧", "name": "LOPEZ, MARIA", "dob": "⟦date_of_birth|1951-04-09⟧"},
 "billingProvider": {"npi": "⟦us_npi|2658800240⟧", "taxonomy": "207Q00000X"},
 "diagnoses": [{"seq": 1, "icd10": "⟦icd10_code|E11.65⟧"}],
 "lines": [{"cpt": "99214", "units": 1, "charge": 185.00}, {"cpt": "82947", "units": 1, "charge": 22.00}],
 "status": "PENDED", "reason": "MUE review"}"""),
    ("medical", """Entlassungsbrief – Klinik für Innere Medizin
Patientin: Ursula Brenner, geb. ⟦date_of_birth|27.01.1947⟧
Krankenkasse: AOK Bayern, Versichertennr. ⟦health_insurance_id|A630414278⟧
Diagnose: Ambulant erworbene Pneumonie (⟦icd10_code|J18.9⟧), Begleiterkrankung chronische Herzinsuffizienz NYHA II
Therapie: Ampicillin/Sulbactam i.v. 5 Tage, anschließend oral Amoxicillin bis einschl. 14.06.
Empfehlung: Kontrolle Röntgen-Thorax in 6 Wochen beim Hausarzt."""),
    ("medical", """Compte rendu de consultation – Dermatologie
Motif : lésion pigmentée du dos, évolution depuis 6 mois selon la patiente.
Examen : lésion de 7 mm, asymétrique, bords irréguliers, deux teintes. Dermoscopie : réseau atypique.
Conduite à tenir : exérèse chirurgicale programmée le 24/06 à 14 h, salle 3. Analyse anatomopathologique demandée.
Codage CCAM et CIM-10 à compléter par le secrétariat après retour de l'anapath."""),
    ("medical", """Rx – Controlled substance (Schedule II)
Prescriber: Dr. Alan Kessler, MD   DEA: ⟦us_dea|BK2794065⟧   NPI: ⟦us_npi|2234291369⟧
Patient: N. Ramirez   Date: 06/11/2024
Oxycodone HCl 5 mg tablets, #20 (twenty), 1 tab PO q6h PRN pain, no refills
Dx: ⟦icd10_code|S82.891D⟧ – post-op pain after ORIF right ankle, subsequent encounter
Pharmacy: CVS #08412, fax on file"""),
    ("chat", """Reminder from Lakeside Family Medicine: you have an appointment on Tue 18 Jun at 10:40 with Dr Ortiz (room 2B). Please arrive 10 min early and bring your insurance card. Reply C to confirm or R to reschedule."""),
    ("medical", """Informe de alta – Urgencias
Paciente: Andrea Kowalski, NIE ⟦es_nie|X1156257R⟧
Fecha de nacimiento: ⟦date_of_birth|14/02/1990⟧
Diagnóstico principal: ⟦icd10_code|S93.402A⟧ esguince de tobillo izquierdo
Tratamiento: inmovilización con férula, ibuprofeno 600 mg/8 h durante 5 días, reposo relativo.
Revisión en traumatología en 10 días."""),
    ("email", """Re: Claim CLM-2024-0528-10944 – Explanation of Benefits

Dear Member,

We reviewed the claim submitted by your provider for services on 05/14/2024 (CPT 72148, MRI lumbar spine without contrast). The service was denied because prior authorization was not obtained. You may appeal this decision within 180 days of this notice. Your provider can also request a peer-to-peer review.

Amount billed: $1,840.00 · Plan paid: $0.00 · You may owe: $0.00 (provider write-off pending appeal)"""),
    # ---- engineering -----------------------------------------------------------------------
    ("env", """# api/.env.production — DO NOT COMMIT
NODE_ENV=production
PORT=8080
DATABASE_URL=⟦db_connection_string|postgresql://api_rw:T7v!qL2xN9pR@pg-prod-01.internal.nordwind.example:5432⟧/api
REDIS_URL=redis://cache-prod.internal.nordwind.example:6379/2
AWS_ACCESS_KEY_ID=⟦aws_access_key_id|AKIAL5DYLUUH3KQAGCDY⟧
AWS_SECRET_ACCESS_KEY=⟦aws_secret_access_key|Fy/Uv8hufddoylDw/T/RAtZmNljJ34/+CFb9YBR/⟧
STRIPE_SECRET_KEY=⟦stripe_key|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⟧
STRIPE_PUBLISHABLE_KEY=pk_live_51McFEeIS8Uhy5li6Xk2pRqLz8NvW3tB9yH4sD1fG6jK0mC7xV5bA2eR8uQ4iO9pL3nM6wT1
LOG_LEVEL=info"""),
    ("log", """2024-06-11T09:14:02.118Z ##[group]Run ./scripts/release.sh
2024-06-11T09:14:02.120Z + export GH_TOKEN=⟦github_token|ghp_gE5OgXJ7tQShEPRp1rqhFW6XjnHvYB091BnE⟧
2024-06-11T09:14:02.121Z + gh release create v3.18.0 --notes-file CHANGELOG.md
2024-06-11T09:14:04.904Z https://github.com/nordwind/api/releases/tag/v3.18.0
2024-06-11T09:14:04.905Z ##[endgroup]
2024-06-11T09:14:05.002Z Post job cleanup."""),
    ("chat", """#inc-2291-checkout-latency
Mo: p95 on checkout is 4.8s, started ~09:20. db cpu looks fine
Kat: the redis primary ⟦ipv4_address|10.40.3.17⟧ is pinned at 100% cpu, fail over to ⟦ipv4_address|10.40.3.18⟧?
Mo: do it. if you need the redis auth it's in vault under secret/prod/redis, NOT in here pls
Kat: failover done 09:41, p95 back to 620ms
Mo: 🙏 I'll write the postmortem, root cause looks like the KEYS * from the new reporting job"""),
    ("review", """Review comment on PR #4830 (src/integrations/s3_client.py, line 42):
> AWS_KEY = os.getenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
Please don't default to the docs example key here — if the env var is missing we should fail fast instead of silently calling AWS with a bogus credential. Also the test fixture uses `secret = "<fake-secret>"`; can you switch it to moto's mock credentials so we don't trip the secret scanner in CI?
Otherwise LGTM, nice cleanup of the retry logic (max_attempts=5, backoff 0.2s → 3.2s)."""),
    ("yaml", """apiVersion: v1
kind: Secret
metadata:
  name: billing-worker
  namespace: payments
type: Opaque
stringData:
  SMTP_HOST: smtp.sendgrid.net
  SMTP_USER: apikey
  SMTP_PASS: ⟦sendgrid_api_key|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⟧
  ⟦password_in_config|DB_PASSWORD: wQ4#zR8tLm2v⟧
  TWILIO_ACCOUNT_SID: AC29f943ff22fa3dcde5763c122abe9911
  TWILIO_AUTH_TOKEN: ⟦twilio_auth_token|ded83367ef8570564c1a25c7f100aa06⟧"""),
    ("log", """2024-06-11 10:15:03.442 INFO  [req=7f3c2a9e-41b8-4d0e-9c55-1e2f8a7b6c3d] POST /v1/invoices 201 in 88ms tenant=eu-2 user_id=90417
2024-06-11 10:15:03.517 INFO  [req=7f3c2a9e-41b8-4d0e-9c55-1e2f8a7b6c3d] enqueued job pdf-render id=job_01HZX8Q4M7K2VN3T9R6B5C0D1E
2024-06-11 10:15:04.902 WARN  [job=pdf-render] font cache miss, sha256=9b2e4f1a0c7d83e65a1f4b9c2d0e7f36a8b5c1d9e2f0a3b7c6d4e8f1a2b3c4d5
2024-06-11 10:15:05.011 INFO  [job=pdf-render] done in 1109ms, size=182734 bytes, pages=3
2024-06-11 10:15:05.013 INFO  deploy=api@3.18.0+build.4471 commit=e4c1a9f pod=api-7d9c8b6f5-x2kqp"""),
    ("terraform", """resource "azurerm_storage_account" "exports" {
  name                     = "nwexportsprod"
  resource_group_name      = azurerm_resource_group.data.name
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

# TODO: move to Key Vault before merge
locals {
  exports_conn = "⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=nwexportsprod;AccountKey=EJCq3UJWGLuOwux4D+pGT0esrzLqN4Z/z4yqrVSlvqRxbXzJieaMpRSLmnix2YroH+y9Yag21OZba2s59u7QjA==;EndpointSuffix=core.windows.net⟧"
}"""),
    ("markdown", """## リリース手順（v3.18.0）
1. `main` ブランチから `release/3.18` を作成
2. `make build VERSION=3.18.0` を実行し、イメージを `registry.internal/api:3.18.0` に push
3. ステージング（ポート 8443）で E2E テストを実行、所要時間は約 25 分
4. 問題なければ 14:00 JST に本番へカナリア 10% → 50% → 100%
5. ロールバック手順は Runbook RB-042 を参照
※ 秘密情報は Vault から取得すること。Slack に貼らないでください。"""),
    ("chat", """@张伟 订单服务连不上库了，一直报 Access denied，是不是密码改了？
配置里现在是：
spring.datasource.url=jdbc:mysql://⟦ipv4_address|172.16.8.21⟧:3306/order_db
spring.datasource.username=order_svc
⟦password_in_config|spring.datasource.password=Qw8#nL3vTz6k⟧
昨晚 DBA 说只改了报表库的账号，麻烦帮忙看一下 🙏"""),
    ("yaml", """# alertmanager.yml
route:
  receiver: ops-default
  group_wait: 30s
receivers:
  - name: ops-default
    slack_configs:
      - api_url: ⟦slack_webhook|https://hooks.slack.com/services/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⟧
        channel: '#ops-alerts'
    telegram_configs:
      - bot_token: ⟦telegram_bot_token|1745518091:AAgBUfwiy41Za6eMt_WHpQ5B2afPk0rlv0h⟧
        chat_id: -1001822459031"""),
    ("code", """# repro for INC-2291, token copied from the browser devtools
curl -s https://api.nordwind.example/v2/orders/88213 -H "Authorization: Bearer ⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfNDgyMTMiLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwiaXNzIjoiaHR0cHM6Ly9hdXRoLm5vcnRod2luZC1hcHAuZXhhbXBsZSIsImV4cCI6MTcxODIwMDgwMH0.A7A76jWwjJuevKKwQB3z1Gr5xqI1TmXu0rU0tz0H_a0⟧" | jq .
# the legacy export endpoint still uses basic auth:
curl -s -H "Authorization: ⟦http_basic_auth|Basic c3ZjLWJhY2t1cDpRcjchbVoycEx4OXc=⟧" "https://legacy-export.nordwind.example/export?date=2024-06-10" -o export.csv"""),
    ("json", """{
  "type": "service_account",
  "project_id": "nw-analytics-prod",
  "private_key_id": "⟦gcp_service_account|c2e13e15afbdbc4991cbff79a07933d1c8c5c71f⟧",
  "private_key": "⟦private_key|-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDrJZ1jKxcX6MOv\\nY93mEqc3jz0ED7ynfvLgtBf5+N3fGnEICOxndfXjMMEZev+cJkZCdRU6PMTzHDY2\\nNbqDokkF2RTyk6347csvG2y8/DQIq8j+9D09vRzfOpV9dKtaoFmrRu2svvfue6qx\\ncXoZ5yq/6rLN38KlbRlpF4qlbRLV12HTKJgnXJsAPZ8WOK01+LHfV13Fxkg=\\n-----END PRIVATE KEY-----⟧\\n",
  "client_email": "⟦email_address|looker-export@nw-analytics-prod.iam.gserviceaccount.com⟧",
  "client_id": "104829375561203948817",
  "token_uri": "https://oauth2.googleapis.com/token"
}"""),
    ("yaml", """# config/integrations.yaml (staging)
carrier_api:
  base_url: https://api.parcelhub.example/v3
  account: NW-STG-0042
  ⟦generic_secret|api_key: 7c1e9a4f2b8d6e03c5a1f7b9d2e4c8a6⟧
sso:
  issuer: https://login.nordwind.example/oauth2/default
  client_id: 0oa8kd2l1xQvT7mZp5d7
  ⟦generic_secret|client_secret: Hq3vL9xT2mKp7RzN4wB8cY1dF6sJ0gUa⟧
  scopes: [openid, profile, email]"""),
    ("diff", """diff --git a/docker-compose.yml b/docker-compose.yml
index 4e1a9c2..b7d03f5 100644
--- a/docker-compose.yml
+++ b/docker-compose.yml
@@ -9,9 +9,9 @@ services:
   db:
-    image: postgres:15.6
+    image: postgres:16.3
     environment:
-      POSTGRES_PASSWORD: example
+      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}
       POSTGRES_DB: app
     volumes:
       - pgdata:/var/lib/postgresql/data"""),
    # ---- legal -----------------------------------------------------------------------------
    ("legal", """INDEPENDENT CONTRACTOR AGREEMENT

This Agreement is entered into as of June 10, 2024 ("Effective Date") by and between Northwind Software, Inc., a Delaware corporation with its principal office at 500 Market Street, Suite 1200, San Francisco, CA 94105 ("Company"), and Luis Alberto Moreno, an individual residing at 1847 Alder Creek Dr, Sacramento, CA 95835, Individual Taxpayer Identification Number ⟦us_itin|972-71-7165⟧ ("Contractor").

1. Services. Contractor shall provide localization and QA services for the Company's Spanish-language product as described in Statement of Work No. 1.
2. Fees. Company shall pay Contractor USD 65.00 per hour, invoiced monthly and payable within thirty (30) days.
11. Notices. Notices to Contractor shall be sent by e-mail to ⟦email_address|lamoreno.translations@mailbox.example⟧."""),
    ("legal", """7. Term and Termination. 7.1 This Agreement shall remain in effect for two (2) years from the Effective Date. 7.2 The obligations under Section 3 (Confidential Information) shall survive for five (5) years following termination, except with respect to trade secrets, which shall be protected for as long as they qualify as such under applicable law. 7.3 Upon termination, each Party shall return or destroy the other Party's Confidential Information within thirty (30) days and certify such destruction in writing upon request.
8. Governing Law. This Agreement shall be governed by the laws of the State of New York, without regard to its conflict-of-laws principles."""),
    ("legal", """Freier-Mitarbeiter-Vertrag

zwischen der Nordwind Software GmbH, Rosenheimer Str. 145, 81671 München, vertreten durch den Geschäftsführer Dr. Jan Behrens
– nachfolgend „Auftraggeber“ –
und
Frau Svenja Hartmann, geb. am ⟦date_of_birth|19.09.1985⟧, wohnhaft Lindenallee 12, 50968 Köln, Steuer-IdNr. ⟦de_tax_id|38 517 049 239⟧
– nachfolgend „Auftragnehmerin“ –

§ 1 Vertragsgegenstand: UX-Research für das Projekt „Kundenportal 2.0“.
§ 4 Vergütung: 95,00 € netto je Stunde zzgl. gesetzlicher USt., zahlbar auf das Konto ⟦iban|DE93 6335 1532 6162 6455 29⟧ innerhalb von 14 Tagen nach Rechnungsstellung."""),
    ("legal", """CONTRATO DE PRESTACIÓN DE SERVICIOS

En Madrid, a 11 de junio de 2024.

REUNIDOS
De una parte, D. Álvaro Serrano Gil, mayor de edad, con DNI ⟦es_dni|13073782F⟧, en nombre y representación de NORDWIND IBERIA, S.L., con CIF B-88123456 y domicilio en calle de Alcalá 230, 28028 Madrid.
De otra parte, Dña. Marta Iglesias Ruiz, mayor de edad, con DNI ⟦es_dni|42715177Z⟧ y domicilio a efectos de notificaciones en calle Colón 18, 46004 Valencia.

Ambas partes se reconocen capacidad legal suficiente para el otorgamiento del presente contrato y, a tal efecto,
EXPONEN"""),
    ("legal", """ENTRE LES SOUSSIGNÉS :
La société Nordwind France SAS, au capital de 50 000 €, immatriculée au RCS de Paris sous le numéro 912 448 037, dont le siège social est situé 18 rue de la Chaussée-d'Antin, 75009 Paris, représentée par M. Olivier Garnier, en sa qualité de Président, ci-après « le Prestataire »,
ET
La société Atelier Moreau SARL, immatriculée au RCS de Lyon sous le numéro 847 210 559, ci-après « le Client ».
Article 5 – Durée : le contrat prend effet le 1er juillet 2024 pour une durée de 24 mois, renouvelable tacitement par périodes de 12 mois, sauf dénonciation par lettre recommandée avec accusé de réception au moins 3 mois avant l'échéance."""),
    ("legal", """CONTRATO DE PRESTAÇÃO DE SERVIÇOS

Primeiro Outorgante: Nordwind Portugal, Unipessoal Lda., com sede na Av. da Liberdade 110, 1250-146 Lisboa, adiante designada por «Cliente».
Segundo Outorgante: Ricardo Manuel Sousa, portador do Cartão de Cidadão n.º ⟦pt_citizen_card|78589955 6 DS1⟧, contribuinte n.º ⟦pt_nif|194708047⟧, residente na Rua de Cedofeita 221, 4050-181 Porto, adiante designado por «Prestador».

Cláusula 1.ª – O Prestador obriga-se a prestar serviços de tradução técnica (EN/PT) mediante pedido do Cliente."""),
    ("email", """Hi all — quick update on the Hartwell matter. Opposing counsel filed their response on 6/7 (Docket No. 1:24-cv-04412, S.D.N.Y.). Under clause 12.3 of the MSA our cure period is 30 days from written notice, which we received 5/20, so we're within it until 6/19. I've asked Finance for the invoice ledger for Q4 2023 (invoices 2023-1104 through 2023-1192). Please preserve all Slack and email from Oct–Dec 2023 per the litigation hold sent 5/22.
— Dana, Legal"""),
    ("legal", """Arbeitsvertrag (Auszug)
Arbeitgeberin: Nordwind Software Schweiz AG, Bahnhofstrasse 21, 8001 Zürich
Arbeitnehmer: Lukas Brunner, geboren am ⟦date_of_birth|02.04.1988⟧, AHV-Nr. ⟦ch_ahv|756.9435.6159.42⟧
Stellenantritt: 1. September 2024 · Pensum 100 % · Probezeit 3 Monate
Lohn: CHF 118'000 brutto pro Jahr, auszahlbar in 13 Monatslöhnen"""),
    ("legal", """OVEREENKOMST VAN ONDERAANNEMING

Tussen: Nordwind Benelux BV, gevestigd te Utrecht, hierna „de Opdrachtgever“,
en: de heer Pieter Claes, zelfstandige, rijksregisternummer ⟦be_national_number|63.04.09-233.72⟧, ondernemingsnummer 0712.448.205, wonende te Gent, hierna „de Onderaannemer“.

Artikel 1 – De Onderaannemer voert de installatie en configuratie uit van scanners en printers in het distributiecentrum van de eindklant te Antwerpen, volgens bijlage A."""),
    ("legal", """§ 8 Haftung
(1) Der Anbieter haftet unbeschränkt bei Vorsatz und grober Fahrlässigkeit sowie nach Maßgabe des Produkthaftungsgesetzes.
(2) Bei leichter Fahrlässigkeit haftet der Anbieter nur bei Verletzung einer wesentlichen Vertragspflicht (Kardinalpflicht), begrenzt auf den vertragstypischen, vorhersehbaren Schaden, höchstens jedoch auf die in den letzten 12 Monaten vor Eintritt des Schadens gezahlte Vergütung.
(3) Die Verjährungsfrist für Ansprüche nach Absatz 2 beträgt ein Jahr ab dem gesetzlichen Verjährungsbeginn.
Stand: 01.04.2024, Version 3.2"""),
    # ---- marketing -------------------------------------------------------------------------
    ("csv", """first_name,last_name,email,phone,company,country,lead_source,score
Olivia,Grant,⟦email_address|olivia.grant@harborview-dental.example⟧,⟦phone_number|+1 617 555 0114⟧,Harborview Dental,US,webinar-0604,72
Mateo,Silva,⟦email_address|mateo.silva@logisur.example⟧,,LogiSur,AR,g2-review,41
Yuki,Sato,⟦email_address|y.sato@sakura-retail.example⟧,⟦phone_number|+81 3-5412-7789⟧,Sakura Retail,JP,partner-ref,58"""),
    ("markdown", """## Q2 Paid Social – week 23 summary
| Campaign | Impr. | Clicks | CTR | CPL | Leads |
|---|---|---|---|---|---|
| li_emea_wms_0604 | 184,220 | 2,911 | 1.58% | €84.10 | 61 |
| fb_us_retarget_q2 | 402,118 | 6,030 | 1.50% | $22.75 | 214 |
| li_dach_demo | 96,540 | 1,402 | 1.45% | €131.20 | 19 |

UTM for next week: utm_source=linkedin&utm_medium=paid&utm_campaign=wms_demo_0611
Budget pacing 94% (target 100% by 30/06)."""),
    ("csv", "Vorname\tNachname\tE-Mail\tTelefon\tFirma\tTeilnahme\nSabine\tHofer\t⟦email_address|s.hofer@alpenblick-hotels.example⟧\t⟦phone_number|+43 664 1234567⟧\tAlpenblick Hotels\tja\nMarkus\tEder\t⟦email_address|markus.eder@eder-logistik.example⟧\t\tEder Logistik\tnein"),
    ("email", """Subject: {{first_name}}, your June product digest is here 🚀

Hi {{first_name}},

Here's what shipped this month:
• Yard management is now GA – book a 20-minute walkthrough
• Faster label printing (up to 3x on Zebra ZT411)
• New integrations: Shopify Plus and Microsoft Dynamics 365 Business Central

Join our live Q&A on June 26 at 11:00 ET / 17:00 CET.

You're receiving this because you subscribed at nordwind.example. Unsubscribe: {{unsubscribe_url}} | Manage preferences: {{preferences_url}}
Nordwind Software, Inc. · 500 Market Street, Suite 1200 · San Francisco, CA 94105"""),
    ("json", """[{"scan_id": "LGM24-000871", "scanned_at": "2024-06-05T14:22:10+02:00", "booth": "H8-C41",
  "attendee": {"name": "Pieter Vermeulen", "company": "Vermeulen Transport", "email": "⟦email_address|p.vermeulen@vermeulen-transport.example⟧", "mobile": "⟦phone_number|+31 6 23456781⟧"},
  "notes": "wants pricing for 40 scanners, call after 20/06", "rating": "hot"}]"""),
    ("markdown", """**A/B-test nieuwsbrief juni – resultaten**
Variant A (onderwerpregel „5 tips voor een efficiënter magazijn”): open rate 31,4%, CTR 3,2%
Variant B (onderwerpregel „Zo bespaart Van Dijk Logistiek 12 uur per week”): open rate 36,9%, CTR 4,1%
Verzonden naar 18.204 contacten, steekproef 20%, winnaar automatisch na 4 uur.
Conclusie: klantcases werken beter; volgende maand testen we de verzendtijd (08:00 vs 19:30)."""),
    ("code", """# sms_winback.py – sends the June win-back SMS to lapsed Shopify customers
import os

SHOP = "nordwind-gear.myshopify.com"
SHOPIFY_TOKEN = "⟦shopify_token|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⟧"
TWILIO_API_KEY = "⟦twilio_api_key|SKd510c50c5c39b20aa1195341f9edbc71⟧"
TWILIO_API_SECRET = os.environ["TWILIO_API_SECRET"]
MESSAGING_SERVICE = "MG5b2f0c1d3e4a5968778695a4b3c2d1e0"
TEMPLATE = "Hi {first_name}! We miss you – here's 15% off your next order with code COMEBACK15 (valid till 30/06). Reply STOP to opt out."
"""),
    ("email", """Objet : Co-marketing salon SITL 2025

Bonjour Thomas,

Suite à notre échange, je vous confirme notre intérêt pour un stand partagé au SITL (Paris Nord Villepinte, mars 2025). Notre budget indicatif est de 12 000 € HT.
Pour la suite, vous pouvez contacter directement notre responsable événementiel, Léa Moreau : ⟦email_address|lea.moreau@nordwind.example⟧, ⟦phone_number|01 44 55 67 89⟧.

Bien cordialement,
Hélène Faure
Directrice marketing France"""),
    ("chat", """Carla: ¿alguien tiene el informe de la campaña de mayo?
Diego: sí, está en Drive → Marketing/2024/Campañas/Mayo. CPL medio 38,20 €, 412 leads, 57 MQL
Carla: gracias! y el código de descuento para el evento de Bilbao era BILBAO24 o BIO2024?
Diego: BIO2024, caduca el 30/06
Carla: 👍"""),
    ("html", """<!-- store locator, added by the agency 2024-06-10 -->
<script async src="https://maps.googleapis.com/maps/api/js?key=⟦gcp_api_key|AIzaTMmTNlD-TJS0kXeKIJVoGIS6SFuwLSJohQS⟧&callback=initMap&libraries=places"></script>
<div id="map" style="height:420px"></div>"""),
    # ---- AI assistant prompts --------------------------------------------------------------
    ("prompt", """Rewrite this reply so it sounds friendlier and shorter, keep all the facts:

"Dear Mr Patel, we have received your request. Your refund of £249.00 will be sent to the account you gave us (⟦iban|GB49 BARC 3258 9520 1626 00⟧) within 5-7 working days. If it does not arrive please call us back on ⟦phone_number|0161 496 0732⟧ quoting case 55102."
"""),
    ("prompt", """Fasse den folgenden Arztbrief in drei Sätzen für die Patientin in einfacher Sprache zusammen:

Patientin Helga Vogel, geb. ⟦date_of_birth|05.06.1952⟧. Diagnosen: Diabetes mellitus Typ 2 mit Nierenkomplikationen (⟦icd10_code|E11.21⟧), arterielle Hypertonie (⟦icd10_code|I10⟧). HbA1c 8,1 %. Umstellung auf Empagliflozin 10 mg, Kontrolle in 3 Monaten."""),
    ("prompt", """I keep getting 401 from the API with this, what am I doing wrong?

```python
import anthropic
client = anthropic.Anthropic(api_key="⟦anthropic_api_key|sk-ant-api03-BmvLvqqALQhkWZAzqWkftVWO8c9d-SH3IPRcf03qWoQcejVUpOhgRR2l7_ILTXX6XmWYJf_xoK7lOKUrlb_CxDZYj4dYUAA⟧")
msg = client.messages.create(model="claude-3-5-sonnet-20240620", max_tokens=512, messages=[{"role": "user", "content": "hi"}])
```
Running on Python 3.12, anthropic 0.28.1."""),
    ("prompt", """Write a Python function that validates IBANs (mod-97 check plus a country-specific length table). Include unit tests for: a valid German IBAN, a valid UK IBAN, one with a wrong check digit, one with lowercase letters and spaces, and an empty string. Don't use external libraries."""),
    ("prompt", """Traduis ce message en anglais pour notre collègue de Boston, garde un ton professionnel :

« Bonjour Kevin, le client Transports Girard nous a relancés au sujet de la migration. Leur DSI, M. Aubert, souhaite un point technique la semaine prochaine. Tu peux le joindre au ⟦phone_number|06 71 84 25 93⟧ ou par mail à ⟦email_address|f.aubert@transports-girard.example⟧. Merci ! »"""),
    ("prompt", """以下の社内メールを英語に翻訳してください。固有名詞はそのままでお願いします。

「シンガポール支社への出向に伴い、就労ビザの申請書類を準備しています。パスポート番号は ⟦passport_number|TK4829173⟧、有効期限は2031年5月です。緊急連絡先は ⟦phone_number|090-4821-3377⟧ です。」"""),
    ("prompt", """帮我写一份本周工作周报，内容包括：1）完成了支付模块的重构，单元测试覆盖率从62%提升到81%；2）修复了3个线上问题（工单号 INC-2291、INC-2304、INC-2310）；3）下周计划：灰度发布 v3.18.0，配合测试组做回归。语气正式一些，300字以内。"""),
    ("prompt", """Convert this to a JSON array with keys name, ssn, hire_date. Then tell me which rows are missing a hire date.

name,ssn,hire_date
Kevin Doyle,⟦us_ssn|215-77-0512⟧,2021-03-15
Aaliyah Brooks,⟦us_ssn|301-91-0039⟧,"""),
    ("prompt", """Resume esta oferta de empleo en 5 viñetas para publicarla en LinkedIn: buscamos un Analista de Soporte N2 para la oficina de Guadalajara, contrato indefinido, horario de 9:00 a 18:00, inglés B2, experiencia mínima de 2 años con herramientas de ticketing (Zendesk o Freshdesk). Salario competitivo y prestaciones superiores a las de ley."""),
    ("prompt", """Explain the difference between the header, payload and signature parts of a JWT like xxxxx.yyyyy.zzzzz, and why we shouldn't put PII in the payload. Our mobile app currently stores the user's email and date of birth in the access token claims — what's the recommended alternative?"""),
    ("prompt", """This notebook cell fails with 401 on the gated model, can you help?

from huggingface_hub import login
login(token="⟦huggingface_token|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⟧")
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained("meta-llama/Meta-Llama-3-8B-Instruct")"""),
    ("prompt", """Napisz krótkie podsumowanie spotkania zespołu sprzedaży: omówiliśmy wyniki za maj (sprzedaż 112% planu), nowy cennik od 1 lipca (+4%) oraz szkolenie produktowe 20 czerwca. Ton rzeczowy, maksymalnie 5 punktów."""),
    ("prompt", """Extract the passport fields (surname, given names, document number, nationality, date of birth, expiry) from this OCR output and return JSON:

P<D<<KRAUSE<<MAREN<ELISABETH<<<<<<<<<<<<<<<<
⟦passport_mrz|C7TK2P4R15D<<9103155F3102282<<<<<<<<<<<<<<00⟧"""),
    ("prompt", """Skriv ett kort svar till en kund som undrar varför fakturan för juni är högre än i maj. Förklaring: de lade till 4 nya användare den 12 maj och betalar nu för 29 licenser à 349 kr/månad. Var vänlig men saklig."""),
]

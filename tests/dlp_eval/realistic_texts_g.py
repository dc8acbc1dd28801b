# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part G: business and people traffic sent to SaaS apps (HR,
payroll, bank transfers, support tickets, insurance and medical letters, travel, CRM exports,
web forms, signatures, SMS/WhatsApp, OCR'd scans) in many languages, and look-alikes.

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("email", """Subject: Re: Onboarding packet - Priya Raman (starts Mon)

Hi Denise,

Priya sent over the rest of her paperwork this morning, copying the bits payroll needs so you don't have to open the PDF:

Legal name: Priya S. Raman
SSN: ⟦us_ssn|138-96-1581⟧
Date of birth: ⟦date_of_birth|04/17/1993⟧
Direct deposit - Bank of America checking, routing ⟦us_aba_routing|026009593⟧, account ⟦bank_account_number|483920175562⟧

Her I-9 docs are in the locked drawer, start date is 09/09. Badge photo booked for 10am.

Thanks!
Mike"""),
    ("email", """Your order #114-7729301-5582013 has shipped!

Hi there, good news - your package is on its way.

Carrier: UPS
Tracking number: 1Z 999 AA1 01 2345 6784
Estimated delivery: Thursday, September 12

Items in this shipment:
  1 x Anker 737 Power Bank (24,000mAh)         $89.99
  2 x USB-C to USB-C cable, 2m                  $23.98

Subtotal $113.97 | Tax $9.40 | Total $123.37
Paid with Visa ending in 4417.

Need to return something? Returns are free within 30 days."""),
    ("email", """Betreff: Änderung Bankverbindung / Steuer-ID

Hallo Frau Krüger,

anbei wie besprochen meine neuen Daten für die Gehaltsabrechnung ab Oktober:

Steuerliche Identifikationsnummer: ⟦de_tax_id|24066387655⟧
Neue IBAN: ⟦iban|DE85 5001 0517 6639 2332 14⟧ (ING)
Personalnummer: 100482 (unverändert)

Die alte Kontoverbindung bei der Sparkasse bitte ab dem 30.09. nicht mehr verwenden.

Viele Grüße
Jonas Albrecht"""),
    ("chat", """can we push the QBR to 14:30? room 3.14 is booked till then and half of sales is still at lunch"""),
    ("whatsapp", """Hola Marta! Te paso los datos para el contrato del piso: DNI ⟦es_dni|49733213Z⟧, móvil ⟦phone_number|622 718 493⟧. La fianza te la transfiero el lunes 👍"""),
    ("ticket", """Ticket #FR-208817 – Demande de remboursement
Canal : formulaire web
Cliente : Mme Élodie Garnier

Message :
Bonjour, suite à l'annulation de ma commande n° 5512-00913 du 2 août je n'ai toujours pas été remboursée (montant 249,90 €). Voici mon RIB pour le virement :
IBAN ⟦iban|FR76 3000 4008 2802 1573 6819 387⟧
BIC ⟦swift_bic|BNPAFRPPXXX⟧
Merci de traiter ma demande rapidement, cela fait 3 semaines.
Cordialement
É. Garnier"""),
    ("prompt", """Can you summarise this customer complaint into 3 bullet points for the escalation team and suggest a goodwill gesture? Keep it under 100 words.

---
From: Gareth Pryce <⟦email_address|g.pryce81@example.co.uk⟧>
Sent: 12 August 2024 21:47
Subject: THIRD time asking!!!

I have now rung your helpline four times about the boiler service that
never happened (booking ref BSV-771023). Each time I'm told an engineer
will call me back on ⟦phone_number|07823 461905⟧ and nobody ever does. I took a
day off work unpaid for the 8am-12pm slot. Your system also charged my
card ending 0619 the full £96 even though I was told it would be £72
with the loyalty discount. If I don't hear back by Friday I'm going to
the ombudsman.

Gareth"""),
    ("email", """Sehr geehrte Damen und Herren,

anbei erhalten Sie die Rechnung Nr. 2024-10387 vom 04.09.2024.

Kundennummer: 4711-0815
Leistungszeitraum: 01.08.2024 - 31.08.2024
Rechnungsbetrag: 1.428,00 EUR (inkl. 19 % MwSt.)
Zahlbar bis: 18.09.2024

Der Betrag wird per SEPA-Lastschrift von Ihrem Konto DE89 **** **** **** **30 00 eingezogen. Mandatsreferenz: MR-2023-000412, Gläubiger-ID liegt Ihnen vor.

Mit freundlichen Grüßen
Ihr Abrechnungsteam"""),
    ("medical", """Riverside Medical Practice
14 Mill Lane, Reading RG1 4QT

Dear Dr Okafor,

Re: Mrs Janet Whitmore, DOB ⟦date_of_birth|22/06/1958⟧, NHS No ⟦uk_nhs_number|962 302 1933⟧

Thank you for seeing this 66-year-old lady in the rheumatology clinic. She has a 4-month history of bilateral hand pain and early morning stiffness lasting over an hour. CRP 34, RF positive, anti-CCP awaited. Working diagnosis seropositive rheumatoid arthritis (⟦icd10_code|M05.9⟧). Background of type 2 diabetes (⟦icd10_code|E11.9⟧) and hypothyroidism.

Current meds: metformin 1 g BD, levothyroxine 75 mcg OD, naproxen 500 mg BD with omeprazole 20 mg OD.

I have asked her to stop the naproxen if she gets any dyspepsia. Happy for her to be seen in the routine clinic.

Yours sincerely
Dr S. Bhatt
GMC 7012345"""),
    ("ticket", """[HD-30418] App crashes on launch after update
Reporter: field sales (iPad)
Version: 4.18.2 (build 20240911.3)
Device: iPad Air (5th gen), iPadOS 17.6.1
Request-ID: 9b2e4c1a-7f3d-4e88-a0b1-5c6d2e9f8a17
First seen: 2024-09-11 08:42:17 UTC

Steps: open app -> SSO screen flashes -> back to home screen. Reinstall didn't help. Customer visit at 11, pls prioritise!!"""),
    ("email", """Subject: Claim resubmission - ER visit 06/14

Hi,

I'm resubmitting the claim for my daughter's ER visit on 06/14/2024 (claim #CLM-24-0087731). It was denied as "out of network" but St. Vincent's is listed as in-network on your own website.

Member ID: ⟦health_insurance_id|WKP847291036⟧
Group #: 88410
Patient: Emily Hargrove, DOB ⟦date_of_birth|09/30/2011⟧
Diagnosis on the EOB: ⟦icd10_code|S52.501A⟧ (fracture of lower end of right radius)
Attending: Dr. Alan Cho, NPI ⟦us_npi|1357831951⟧

Copies of the itemized bill and the EOB are attached.
Rachel Hargrove"""),
    ("fax", """PRIOR AUTHORIZATION REQUEST - MEDICATION
Date sent: 09/03/2024          Pages: 3 (incl. cover)

Patient: Harold Binns
Medicare ID (MBI): ⟦us_mbi|4TQ7-HN2-WK58⟧
DOB: ⟦date_of_birth|02/11/1947⟧
Drug requested: apixaban 5 mg PO BID, qty 60, 3 refills
Dx: ⟦icd10_code|I48.91⟧ atrial fibrillation, unspecified
Prior therapy: warfarin (INR unstable, 3 readings > 4.0 in 60 days)

Prescriber: Linda Hoffmann, MD
NPI ⟦us_npi|1443908656⟧    DEA ⟦us_dea|FH1905275⟧

CONFIDENTIALITY NOTICE: this fax contains protected health information."""),
    ("email", """Hello,

Payment received, thank you! Here's your receipt.

Transaction ID: 7730 2291 8841 0063
Auth code: 08812C
Card: •••• •••• •••• 4417 (Visa)
Amount: USD 1,250.00
Date: 2024-09-05 16:02 EDT

Invoice INV-2024-0419 is now marked as paid."""),
    ("csv", """contact_id,first_name,last_name,company,email,phone,country,lead_status,created_at
C-10293,Anneke,Visser,Tulip Logistics BV,⟦email_address|a.visser@tulip-logistics.example⟧,⟦phone_number|+31 10 412 8870⟧,NL,qualified,2024-07-02T09:14:11Z
C-10294,Tomasz,Wójcik,Baltic Parts Sp. z o.o.,⟦email_address|t.wojcik@balticparts.example⟧,⟦phone_number|+48 22 628 41 90⟧,PL,new,2024-07-02T10:02:45Z
C-10295,Matteo,Rinaldi,Rinaldi Impianti Srl,,,IT,unqualified,2024-07-03T15:21:09Z
C-10296,Hanna,Berg,Norrsken AB,,,SE,nurture,2024-07-04T08:00:37Z"""),
    ("csv", """sku,ean,description,qty_on_hand,bin,reorder_point
TSH-BLK-M,4006381333931,Basic tee black M,412,E11.4,150
TSH-BLK-L,4006381333948,Basic tee black L,388,E11.5,150
HOD-GRY-XL,4006381334020,Hoodie grey XL,96,C03.2,40
CAP-NVY-OS,4006381334051,Cap navy one size,1200,A01.1,300
MUG-WHT-350,4006381333986,Mug white 350ml,0,B07.9,200"""),
    ("tsv", """Plak hieronder - payroll september, nieuwe medewerkers

Naam\tBSN\tIBAN\tIn dienst\tUren
R. de Graaf\t⟦nl_bsn|124187493⟧\t⟦iban|NL85 INGB 7176 4184 57⟧\t01-09-2024\t40
M. El Idrissi\t⟦nl_bsn|820184858⟧\t⟦iban|NL76 RABO 0787 7893 28⟧\t16-09-2024\t32

Contracten zitten in de map HR/2024/Q3."""),
    ("form", """first_name=Kevin&last_name=Osei&dob=⟦date_of_birth|1987-11-23⟧&ssn=⟦us_ssn|707-33-6488⟧&card_number=⟦credit_card|4328918092407162⟧&card_exp=11%2F27&plan=premium&billing_zip=30309&consent_tos=true&utm_source=google&utm_campaign=fall_promo"""),
    ("email", """Cordiali saluti,

Giulia Bernardi
Responsabile Amministrazione
Bernardi & Figli S.r.l. – Via Roma 112, 20121 Milano
Tel. ⟦phone_number|+39 02 7201 3344⟧
⟦email_address|g.bernardi@bernardiefigli.example⟧
P.IVA 00668960685

Questo messaggio è riservato. Se lo avete ricevuto per errore vi preghiamo di cancellarlo."""),
    ("sms", """Hej! Här är mitt personnummer till hyreskontraktet: ⟦se_personnummer|890412-2804⟧. Ring om nåt saknas /Elin"""),
    ("form", """ERASMUS+ LEARNING AGREEMENT – Student section (Semester 1, 2024/25)

Surname(s): Colombo            First name(s): Chiara
Date of birth: ⟦date_of_birth|21/05/2002⟧          Nationality: Italian
Sex: F                        Study cycle: Bachelor (EQF 6)
Field of education: 0413 Management and administration
Sending institution: Università degli Studi di Bologna (I BOLOGNA01), matricola 0001048735
Receiving institution: Universiteit Utrecht (NL UTRECHT01)

Component code   Component title                       ECTS
USE-21304        Organisational Behaviour              7.5
USE-22117        International Marketing               7.5
ECB2VWO          Business Economics II                 7.5

Total ECTS: 22.5      Planned period: 02/09/2024 – 31/01/2025"""),
    ("email", """Hi,

Please find attached the reading list for MGMT 2140 (Autumn term).

Core texts:
- Mintzberg, H. The Structuring of Organizations. ISBN 978-0-13-855270-1
- Porter, M. Competitive Strategy. ISBN 978-0-684-84148-9
- Kotter, J. Leading Change. ISBN 978-1-4221-8643-5

Recommended:
- Rumelt, R. Good Strategy Bad Strategy, ISBN 9780307886231

Seminar groups start in week 2 (from 30 September). Room 1.207 in the Business School.

Best wishes,
Module team"""),
    ("email", """Hej Mette,

her er det du manglede, han har lige sendt det retur.

Mvh
Lars

-----Oprindelig meddelelse-----
Fra: Kasper Holm Nielsen
Sendt: 10. september 2024 16:41
Til: Lars Bech
Emne: SV: Kontrakt + oplysninger til løn

Hej Lars

Underskrevet kontrakt er vedhæftet. Til lønsystemet:
CPR-nr.: ⟦dk_cpr|140392-8253⟧
Reg.nr. 3000, kontonr. ⟦bank_account_number|5217166214⟧

Vh Kasper

> Hej Kasper, velkommen ombord! Vil du sende kontrakten underskrevet retur
> sammen med dine oplysninger til lønsystemet? Tiltrædelse er 1. oktober,
> 37 timer/uge. Mvh Lars"""),
    ("chat", """[09:12] Ingrid (Lønn): hei, trenger fødselsnummeret ditt for å registrere deg i lønnssystemet
[09:15] Ola: det er ⟦no_fodselsnummer|23027929958⟧
[09:15] Ingrid (Lønn): takk! 👍"""),
    ("email", """Hei,

lähetän tiedot palkanmaksua varten:

Henkilötunnus: ⟦fi_hetu|150883-562N⟧
Tilinumero: ⟦iban|FI20 1234 5661 2575 64⟧

Verokortti on ladattu OmaVeroon, joten sen pitäisi näkyä teillä automaattisesti.

Terveisin,
Aino Virtanen"""),
    ("email", """Réservation confirmée – Hôtel Le Cours, Lyon

Numéro de confirmation : 84412096
Arrivée : mardi 15 octobre 2024 (à partir de 15h00)
Départ : jeudi 17 octobre 2024 (avant 11h00)
Chambre : 1 chambre double supérieure, 2 adultes
Tarif : 142,00 € / nuit, petit-déjeuner inclus
Taxe de séjour : 2,88 € / nuit / personne, payable sur place

Annulation gratuite jusqu'au 13/10/2024 à 18h00.
Au plaisir de vous accueillir !"""),
    ("email", """Dzień dobry,

w załączeniu przesyłam dane do umowy zlecenia:

Imię i nazwisko: Katarzyna Zielińska
PESEL: ⟦pl_pesel|92071432246⟧
Nr rachunku: ⟦iban|PL30 1090 1014 3906 4770 0839 4200⟧

Umowę podpisaną odeślę kurierem do piątku.

Pozdrawiam serdecznie
K. Zielińska"""),
    ("whatsapp", """el pedido 4002-8812-7731 llega mañana entre las 10 y las 14h, si no estoy déjalo en conserjería porfa"""),
    ("email", """Boa tarde,

Para o processamento do reembolso de despesas da viagem a Madrid, seguem os meus dados:

NIF: ⟦pt_nif|244710449⟧
Cartão de Cidadão n.º ⟦pt_citizen_card|15372666 6 MH1⟧

Os recibos (hotel e comboio) seguem em anexo, total 386,40 €.

Obrigado,
Rui Carvalho"""),
    ("email", """Goedemiddag,

Bijgaand factuur 2024-0917 voor de werkzaamheden in augustus.

Bedrag: € 3.872,00 excl. btw
Betalingstermijn: 30 dagen

Vermeld bij betaling het factuurnummer.

Met vriendelijke groet,
Van Leeuwen Installatietechniek B.V.
KvK 81234592 | btw NL862145987B01"""),
    ("email", """Hi Siobhan, re my payslip query – my PPS number is ⟦ie_pps|0023468H⟧ and I started on 2 Sept, so I think I was put on emergency tax by mistake. Best number to reach me is ⟦phone_number|085 731 2290⟧. Thanks, Niamh"""),
    ("hr", """NEW STARTER FORM – Warehouse (Eastern Creek)

Name: Jack Thompson
Position: Forklift operator (casual)
Start date: 07/10/2024
Tax file number: ⟦au_tfn|133 802 207⟧
Medicare card: ⟦au_medicare|4271 93565 1⟧
Super fund: AustralianSuper (details on separate choice form)
Emergency contact: Sarah Thompson (wife)
Licence class: LF (forklift), expires 2027

Signed: J. Thompson"""),
    ("ticket", """INC0048812 - Zoom link not working for board prep
Caller: exec assistant, 12th floor
Meeting ID: 845 2291 0037 (recurring, Tuesdays 09:00)
Error: "This meeting ID is not valid" when joining from the Rooms panel in BR-12.04
Workaround given: join from laptop. Raised with AV vendor, their ref VND-0911-0073."""),
    ("email", """Kia ora, my IRD number is ⟦nz_ird|134-534-516⟧ for the tax code declaration (M code, no student loan). Let me know if anything is missing. Cheers, Tama"""),
    ("chat", """Agent (Rohan): To complete the KYC for the new salary account I need your PAN and Aadhaar please.
Customer: PAN ⟦in_pan|CCNPG7239D⟧ aadhar ⟦in_aadhaar|4650 3987 1304⟧
Agent (Rohan): Thank you, verifying now. You'll get an OTP on the registered mobile.
Customer: ok got it"""),
    ("email", """Release notes – Lumen POS 10.4.2.118 (rolling out from 16 Sep)

Fixed
- Receipts printed twice on Epson TM-m30III with firmware 2.4.10.3
- Crash when the customer birthday field was left empty in loyalty signup
- Rounding error on split payments (ticket 77412)

Changed
- Minimum Android version is now 10
- Commit range: 4f9c2e1..a7d31b8 (see changelog for the full list)

No action needed, terminals update overnight."""),
    ("email", """Hi HR, please update my NRIC in Workday to ⟦sg_nric|S8437162I⟧, I got my PR last month so the old FIN on my profile is no longer valid. Mobile is still ⟦phone_number|+65 9173 4428⟧. Thanks! Wei Ling"""),
    ("hr", """ONBOARDING CHECKLIST (please complete and return)

Full legal name: ______________________
Date of birth: MM/DD/YYYY
SSN: ___-__-____
Bank routing number: [to be provided by employee]
Account number: [to be provided by employee]
Emergency contact: ______________________

Return to People Ops by the end of your first week."""),
    ("whatsapp", """Oi Fernanda! Segue meu CPF pra nota fiscal: ⟦br_cpf|219.189.027-04⟧. Se precisar de mais alguma coisa me liga no ⟦phone_number|(11) 98765-4321⟧ 😊"""),
    ("email", """Prezados,

Segue em anexo a NFS-e nº 000.418 referente aos serviços de consultoria de agosto/2024.

Tomador: Grupo Aurora Alimentos Ltda.
CNPJ do tomador: ⟦br_cnpj|30.150.888/0001-00⟧
Valor: R$ 14.800,00
Vencimento: 20/09/2024

Atenciosamente,
Financeiro"""),
    ("email", """Estimado Lic. Torres:

Le envío mi CURP para el alta en el IMSS: ⟦mx_curp|GAML850712MJCRPR04⟧. Mi celular es ⟦phone_number|+52 33 1845 9276⟧ por si hace falta algo más.

Saludos cordiales,
Laura García Martínez"""),
    ("email", """Hi,

To integrate with our API please use the following headers:

  Authorization: Bearer <YOUR_API_KEY>
  X-Client-Id: your-client-id

You can create a key in Settings > Developers. Keys look like sk_live_xxxxxxxxxxxxxxxxxxxxxxxx, never share them by e-mail. For testing use api_key=YOUR_TEST_KEY_HERE against the sandbox.

Regards,
Partner Support"""),
    ("email", """Please find my details for the payroll: ID number ⟦za_id|9108245843083⟧. Banking details will follow on the official bank letter. Regards, Sipho"""),
    ("email", """人事部 ご担当者様

お疲れ様です。営業二課の佐藤です。
年末調整の書類と一緒に、マイナンバーの提出をお願いされていた件です。

個人番号：⟦jp_my_number|9925 5813 0698⟧
携帯：⟦phone_number|090-3481-2276⟧

通知カードのコピーは社内便でお送りします。
よろしくお願いいたします。"""),
    ("email", """ご注文ありがとうございます。

注文番号：250-4471839-0021
ご注文日：2024年9月8日
お届け予定日：2024年9月11日（水）
合計金額：¥12,800（税込）

商品の発送が完了しましたら、改めてメールでお知らせいたします。"""),
    ("chat", """안녕하세요, 연말정산 서류에 주민등록번호가 빠져 있어서요. 제 번호는 ⟦kr_rrn|870523-2072636⟧ 입니다. 확인 부탁드려요!"""),
    ("chat", """배송 조회 부탁드립니다. 운송장번호 6894-1120-3345 (CJ대한통운), 주문번호 20240909-0001873 입니다. 어제 도착 예정이었는데 아직 안 왔어요."""),
    ("email", """王经理您好：

新入职员工李娜的信息如下，请安排办理社保和公积金：
身份证号：⟦cn_resident_id|330106199204012064⟧
手机：⟦phone_number|139 1027 4468⟧
入职日期：2024年9月2日
部门：华东区销售部

谢谢！
人事部 张敏"""),
    ("email", """各位同事：

本周五（9月13日）下午14:00在3楼301会议室召开季度复盘会，线上参会请使用腾讯会议，会议号 482 339 117。
请各部门负责人提前准备好Q3数据（版本v2.3.1的报表模板）。

行政部"""),
    ("email", """Grüezi Frau Meier

Für die Lohnabrechnung benötigen Sie noch meine AHV-Nummer: ⟦ch_ahv|756.6503.7470.79⟧. Das Lohnkonto habe ich neu bei der Kantonalbank, IBAN ⟦iban|CH82 0076 2935 2345 2232 7⟧.

Freundliche Grüsse
Reto Baumann"""),
    ("email", """Dobrý den,

posílám údaje pro pracovní smlouvu:

Jméno: Tereza Novotná
Rodné číslo: ⟦cz_birth_number|875403/5279⟧
Číslo účtu: ⟦iban|CZ09 0800 2753 8769 9597 3547⟧
Nástup: 1. 10. 2024

S pozdravem
T. Novotná"""),
    ("email", """Dobrý den,

potvrzujeme přijetí objednávky č. OBJ-2024-3318 ze dne 9. 9. 2024.
Dodavatel: Strojírny Vysočina s.r.o., IČO 27184951
Předpokládaný termín dodání: 23. 9. 2024
Celková cena: 48 600 Kč bez DPH

S pozdravem
Nákupní oddělení"""),
    ("email", """Bună ziua,

Vă transmit datele pentru dosarul de angajare:

CNP: ⟦ro_cnp|2950614409099⟧
IBAN: ⟦iban|RO53 BTRL 1315 1987 6839 8091⟧

Copia după cartea de identitate și diploma le aduc luni.

Cu stimă,
Andreea Popescu"""),
    ("chat", """Merhaba, kargo ve fatura için bilgilerim: TC kimlik no ⟦tr_tc_kimlik|79407769278⟧, ödeme iadesi için IBAN ⟦iban|TR31 0006 1042 2031 0728 2136 44⟧. Teşekkürler!"""),
    ("email", """Merhaba,

Sipariş no: TR-2024-558213
Kargo takip no: 7301 4498 2210 (Yurtiçi Kargo)
Teslimat tarihi: 12.09.2024

Faturanız e-posta adresinize ayrıca gönderilecektir. İyi günler dileriz."""),
    ("email", """Beste,

Hierbij mijn gegevens voor de onkostennota van het congres in Gent:

Rijksregisternummer: ⟦be_national_number|88.02.17-613.60⟧
Rekeningnummer: ⟦iban|BE96 0683 3788 7605⟧

Alvast bedankt!
Pieter Claes"""),
    ("email", """Buenos días,

Adjunto la documentación para el contrato de alquiler del local de la calle Mallorca. Mi NIE es ⟦es_nie|Y3789058Y⟧ y la cuenta para domiciliar los recibos: ⟦iban|ES49 2100 0813 6683 2364 0562⟧.

Un saludo,
Ivan Petrov"""),
    ("email", """Buongiorno,

per il rimborso della caparra le indico: codice fiscale ⟦it_codice_fiscale|SPSLCU85A41F839W⟧, IBAN ⟦iban|IT33 S054 2811 1010 3642 6212 997⟧ intestato a Lucia Esposito.

Grazie e buona giornata"""),
    ("email", """Gentile cliente,

la fattura n. 2024/FE/01873 del 05/09/2024 è disponibile nell'area riservata.
Importo: € 612,40 (IVA inclusa)
Scadenza: 05/10/2024
Codice cliente: 00418827

Per informazioni il nostro servizio clienti è aperto dal lunedì al venerdì, 9:00-18:00."""),
    ("medical", """Compte rendu de consultation – Pneumologie, Dr Martin

Patient : M. Bernard Lefèvre, né le ⟦date_of_birth|15/06/1984⟧
N° de sécurité sociale : ⟦fr_nir|1 84 06 75 330 350 48⟧

Motif : toux persistante depuis 6 semaines, sifflements nocturnes.
EFR : VEMS 78 % de la théorique, réversibilité significative après salbutamol.
Diagnostic retenu : ⟦icd10_code|J45.0⟧ asthme à prédominance allergique.
Traitement : budésonide/formotérol 200/6, 1 inhalation matin et soir. Contrôle dans 3 mois."""),
    ("email", """hi sandra, for the T4 could you pls update my SIN to ⟦ca_sin|693 086 381⟧?? there was a typo on my onbaording form (i swapped two digits lol). cell is ⟦phone_number|(604) 555-0162⟧ if you need to reach me, im wfh all week. thx, Dev"""),
    ("email", """Subject: Booking request - Lisbon offsite (14-17 Oct)

Hi travel desk,

Please book flights for Emma for the offsite:

Traveller: WHITAKER / EMMA LOUISE MS
Passport: GBR ⟦passport_number|536902718⟧, exp 22 Sep 2031
DOB: ⟦date_of_birth|14 Feb 1988⟧
Route: LHR-LIS 14 Oct (morning), LIS-LHR 17 Oct (after 16:00)
Seat: aisle, vegetarian meal

In case the airline needs it, here's the bottom of her passport scan:
P<GBRWHITAKER<<EMMA<LOUISE<<<<<<<<<<<<<<<<<<
⟦passport_mrz|5369027185GBR8802141F3109225<<<<<<<<<<<<<<04⟧

Cost centre 4410-MKT. Thanks!"""),
    ("email", """Your trip to Munich is confirmed

Booking reference (PNR): K7XQ2M
Flight: LH 2473, 21 Oct 2024, dep 07:05 London Heathrow T2, arr 09:55 Munich T2
E-ticket number: 220-2345678901
Seat: 14C

Please bring a valid passport or ID card to the airport. Online check-in opens 23 hours before departure."""),
    ("form", """RENTAL APPLICATION — Unit 4B, 220 Elm St

Applicant: Marcus T. Bell
Date of Birth: ⟦date_of_birth|March 3, 1990⟧
Driver's License #: ⟦us_drivers_license|B5921847⟧ (CA)
Phone: ⟦phone_number|+1 206 555 0117⟧
Current employer: Northwind Traders, since 2019
Monthly income: $6,200
Previous address: 1187 Pine Ave Apt 12, Oakland CA 94610 (2019–2024)
Pets: 1 cat
Move-in date requested: 10/01/2024"""),
    ("email", """Tenant referencing – Flat 3, 41 Cavendish Road

Hi Claire, here are the details for James Williams as requested:

National Insurance number: ⟦uk_nino|JG 10 37 43 C⟧
Driving licence no.: ⟦uk_driving_licence|WILLI807125JM9FK⟧
Bank: sort code ⟦uk_sort_code|30-96-26⟧, account number ⟦bank_account_number|71946283⟧

Employer reference to follow from Acme Logistics. Move-in planned for 1 November.

Thanks,
Ben (lettings)"""),
    ("email", """Hi AP team,

Attached is our signed W-9. Our EIN is ⟦us_ein|24-8863704⟧.

Our bookkeeper (sole proprietor, files with an ITIN) invoices you separately for the monthly close work, her ITIN is ⟦us_itin|956-87-2989⟧ - it's on her W-9 as well.

Payment terms Net 30, remittance to the same address as before.
Best,
Carla"""),
    ("ticket", """[FIN-2291] Customer wants refund in BTC
Customer asked for the refund of order 88-41207 ($340) to be sent to their wallet instead of the card: ⟦bitcoin_address|bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh⟧
Please confirm with finance before sending anything, we don't normally do this."""),
    ("email", """Schadenmeldung Handyversicherung

Vertragsnummer: HV-2024-558120
Gerät: Samsung Galaxy S23, 256 GB, IMEI ⟦imei|356860170934894⟧
Schadentag: 03.08.2024
Hergang: Diebstahl in der S-Bahn (S8 Richtung Flughafen), Anzeige bei der Polizei erstattet, Vorgangsnummer 1842/24/113.

Die Kaufrechnung vom 14.02.2024 (Rechnungsnr. 7730012) hänge ich an."""),
    ("ticket", """Hi, I can't get my new laptop on the office Wi-Fi, it keeps saying "device not registered". The Wi-Fi MAC is ⟦mac_address|A4:83:E7:2C:91:5F⟧ and it got ⟦ipv4_address|10.14.22.187⟧ on the guest network. Asset tag LT-004821. Thanks!"""),
    ("ticket", """Hey, the agency asked for our Stripe secret to finish the checkout migration. Putting it here so it's in the ticket: ⟦stripe_key|sk_live_38AibNyyurlGFb0EkjKWREhb⟧

Pls revoke after they're done - Leah"""),
    ("email", """Hi Jonas,

as discussed, here's the admin API access token for the custom app "ERP sync": ⟦shopify_token|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⟧
Store: lumen-candles.myshopify.com
Scopes: read_orders, write_inventory

Let me know when the first sync has run.
Cheers, Mia"""),
    ("email", """Hi Anand,

These are the credentials for the SMS reminders on the booking site (Twilio):

Account SID: ACe0987b3544242b30e58d656ec4f3378c
API Key: ⟦twilio_api_key|SKf823cdef7f73edd77b6c29163d00d68d⟧
Auth Token: ⟦twilio_auth_token|f6db75d0c3f7eb9340051e467ab4a36e⟧

Sender ID is LUMENSPA. Please don't commit them to the repo this time 🙃
Thanks, Sophie"""),
    ("email", """For the newsletter tool integration you can use this SendGrid key (Mail Send permission only): ⟦sendgrid_api_key|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⟧

Sender domain is already authenticated. - Marketing Ops"""),
    ("crm", """Workflow note (HubSpot): new Enterprise leads with score > 70 are posted to #sales-leads via the incoming webhook ⟦slack_webhook|https://hooks.slack.com/services/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⟧ - owner: RevOps. Do not change without telling Kim."""),
    ("email", """Welcome to Contoso, Adam!

Your account has been created.

Username: a.kowalski
⟦password_in_config|Password: Tq4!vN8zRk2m⟧

You'll be asked to change it when you first sign in. Set up MFA before Monday, the instructions are on the intranet (IT > Getting started).

IT Service Desk"""),
    ("email", """Hi Petra,

the print files for the autumn catalogue are on our FTP: ⟦password_in_url|ftp://printjobs:Kx83!mWq2v@files.lumenprint.example⟧/2024/catalogue-autumn/ - PDFs are press-ready, CMYK, 3 mm bleed.

Run: 5,000 copies, 48 pages + cover.
Regards, Tom"""),
    ("chat", """agent: can I take the long card number please
customer: ⟦credit_card|5425 2334 3010 9903⟧
agent: thanks, and the expiry date?
customer: 08/26
agent: perfect, that's gone through, you'll get a confirmation text"""),
    ("medical", """Arztbrief

Patientin: Sabine Hoffmann, geb. ⟦date_of_birth|03.11.1976⟧
Krankenkasse: AOK Bayern, Versichertennummer ⟦health_insurance_id|M371048262⟧

Diagnosen:
- ⟦icd10_code|K21.0⟧ Gastroösophageale Refluxkrankheit mit Ösophagitis
- Adipositas Grad I

Befund ÖGD vom 12.08.2024: Refluxösophagitis LA B, kein Barrett.
Therapie: Pantoprazol 40 mg 1-0-0 für 8 Wochen, danach Reduktion auf 20 mg.
Kontrolle in 3 Monaten in unserer Ambulanz.

Mit freundlichen kollegialen Grüßen
Dr. med. K. Brandt"""),
    ("medical", """Paciente: Carmen Ruiz Ortega, fecha de nacimiento ⟦date_of_birth|08/02/1969⟧.
Se deriva a Endocrinología por hipotiroidismo primario (⟦icd10_code|E03.9⟧) mal controlado pese a levotiroxina 100 mcg. Última TSH 11,2 mU/l (20/08/2024). Sin otros antecedentes de interés."""),
    ("medical", """Referral - Physiotherapy
Patient: Oliver Nguyen   Medicare ⟦au_medicare|6153 82041 2⟧
Mobile ⟦phone_number|0491 570 313⟧
Reason: ⟦icd10_code|M54.5⟧ low back pain, 5 weeks, no red flags. Please assess and treat (EPC plan, 5 sessions)."""),
    ("ocr", """a Employee's social security number     ⟦us_ssn|512-44-8173⟧         OMB No. 1545-0008
b Employer identification number (EIN)      ⟦us_ein|87-4128360⟧
c Employer's name, address, and ZIP code
  BR1GHTWATER  DENTAL  GR0UP  LLC
  4410 N  Ma in St  Ste 2OO
  Spr1ngfield  IL  62704
1 Wages, tips, other comp.   48210.55    2 Federal income tax withheld   5102.17
3 Social security wages      48210.55    4 Social security tax withheld  2989.05
Form W-2 Wage and Tax Statement   2023   Dept. of the Treasury - IRS"""),
    ("ocr", """R E C H N U N G           Nr.  2024-0871
Datum: 06.09.2024                 Kunden-Nr.: 30418

Pos  Menge  Bezeichnung                         Einzelpreis    Gesamt
1    12     Wartung Klimaanlage Typ KX-400       89,00        1.068,00
2     1     Anfahrtspauschale                    45,00           45,00

Netto 1.113,00   MwSt 19 %  211,47   Brutto 1.324,47 EUR

Bankverbindung:  Sparkasse KölnBonn
IBAN  ⟦iban|DE33 3705 0198 7921 7421 80⟧   BIC  ⟦swift_bic|COLSDE33XXX⟧
USt-IdNr.: DE 312 845 097     Amtsgericht Köln HRB 88214"""),
    ("email", """Mit freundlichen Grüßen

i. A. Stefanie Roth
Einkauf / Disposition

Hoffmann Metallbau GmbH & Co. KG
Industriestraße 14 · 77656 Offenburg
Tel.: ⟦phone_number|0781 / 48 39 20⟧
⟦email_address|s.roth@hoffmann-metallbau.example⟧

Sitz der Gesellschaft: Offenburg, Registergericht Freiburg HRA 702118
Geschäftsführer: Martin Hoffmann

> Am 09.09.2024 um 15:12 schrieb Einkauf:
> Anbei die Bestellung 4500018823, bitte um Auftragsbestätigung."""),
    ("email", """Med vänliga hälsningar

Johan Ek
Inköpsansvarig | Fjällström Bygg AB
Tel: ⟦phone_number|08-50 63 21 00⟧
Mobil: ⟦phone_number|073-812 45 90⟧
Org.nr 559104-8664"""),
    ("email", """Hej,

Tack för förfrågan! Här kommer offerten.

Offertnummer: OF-24-0392
Datum: 2024-09-10
Giltig till: 2024-10-10
Totalt: 184 500 SEK exkl. moms

Leverantör: Fjällström Bygg AB, org.nr 559104-8664

Vänliga hälsningar
Försäljning"""),
    ("teams", """@Treasury **urgent** - please release the payment to our new supplier in Portugal *today*:

- **Invoice:** FT 2024/1187, EUR 18,450.00
- **Beneficiary:** Têxteis Douro Lda
- **IBAN:** `⟦iban|PT50 0035 0651 2200 3322 4532 1⟧`
- **SWIFT:** `⟦swift_bic|CGDIPTPL⟧`
- **Ref:** PO-77120

CEO approved on the call this morning so no need to wait for the usual callback 🙏"""),
    ("prompt", """Rewrite this into a friendly reminder e-mail, not too formal:

"Employee Hannah Osei (DOB ⟦date_of_birth|1991-03-27⟧, employee #44812) has still not returned her signed handbook acknowledgement, which was due on 2024-08-30. Please return by Friday or your manager will follow up.\""""),
    ("ticket", """Ticket #45521 — Cobro duplicado
Cliente: Jorge Medina

"Hola, me habéis cobrado dos veces la suscripción anual (2 x 119 €) el 3 de septiembre. La tarjeta es una American Express ⟦credit_card|3714 496353 98431⟧. Quiero que me devolváis uno de los cargos cuanto antes."

Nota interna: confirmado en Stripe, 2 cargos. Reembolsar uno."""),
    ("chat", """出張の航空券手配をお願いします。
氏名：TANAKA HIROSHI
旅券番号：⟦passport_number|TR4829105⟧
生年月日：⟦date_of_birth|1979年8月21日⟧
行き先：シンガポール（10/22〜10/25）"""),
    ("email", """Hallo Frau Schneider,

für den Visumsantrag (Indien) hier noch meine Reisepassnummer: ⟦passport_number|C7T1MX4R2⟧, gültig bis 11/2029.

Viele Grüße
Felix Wagner"""),
    ("email", """Hi team,

for the vendor allowlist please add our office egress: ⟦ipv4_address|198.51.100.24⟧ (IPv4) and ⟦ipv6_address|2001:db8:4f2a:10::25⟧ (IPv6). Both are static and belong to the Berlin office, ticket CHG-20931.

Thanks,
Network team"""),
    ("email", """Hi Alex,

the Google Maps key for the new store locator is ⟦gcp_api_key|AIzaSyWpwIqulpwIKak99neEC7C6JYMiznF6ytT⟧, restricted to our domains. Usage quota is 25k loads/day.

Best,
Web agency"""),
    ("email", """Hello,

for the payroll sync between Personio and our ERP please configure the OAuth app with:

client_id: payroll-sync-prod
⟦generic_secret|client_secret: nxv9aLqmlCEVlv5L2ug3oIaCfCh95aMwBwJ5ZbDo⟧
token endpoint: https://api.personio.example/v2/auth/token

Thanks,
Finance Systems"""),
    ("sms", """Your verification code is 482913. It expires in 10 minutes. Never share this code with anyone."""),
    ("sms", """DHL: Ihre Sendung 00340434161234567890 wird heute zwischen 10:00 und 13:00 zugestellt. Änderungen unter dhl.de/umleiten"""),
    ("email", """Dzień dobry,

w załączeniu faktura VAT nr FV/2024/09/0412.

Sprzedawca: Baltic Parts Sp. z o.o., NIP 5252812340, REGON 146897512
Termin płatności: 14 dni
Kwota: 9 840,00 zł brutto

Pozdrawiamy
Dział Księgowości"""),
    ("email", """Hej alle,

Husk mødet om budget 2025 torsdag d. 19. september kl. 13.00 i lokale 2.11. Dagsorden følger.

Mvh
Økonomi, CVR-nr. 38291746"""),
    ("email", """Hei,

Vedlagt faktura 2024-3317 for september.

Beløp: 12 480,00 kr
Forfallsdato: 30.09.2024
KID-nummer: 00412289637
Org.nr. 923 487 118 MVA

Med vennlig hilsen
Regnskap"""),
    ("email", """Hei,

lasku 24-00981 on liitteenä. Maksathan sen eräpäivään 25.9.2024 mennessä.

Summa: 1 284,00 €
Viitenumero: 41 28833 90015
Y-tunnus: 3218442-7

Ystävällisin terveisin
Laskutus"""),
    ("email", """Bună ziua,

Vă transmitem factura nr. DF-2024-0318 din 10.09.2024, în valoare de 4.730,00 lei cu TVA.
Furnizor: Carpatic Soft SRL, CUI RO41827705, Nr. Reg. Com. J40/12087/2019
Termen de plată: 15 zile.

Cu stimă,
Contabilitate"""),
    ("email", """Olá,

A sua encomenda n.º PT-884120 foi confirmada.

Para pagamento por Multibanco utilize:
Entidade: 21312
Referência: 123 456 788
Valor: 45,90 €

A referência é válida até 16/09/2024."""),
    ("prompt", """Summarise this customer complaint for the weekly CX report, one paragraph:

"Ordered the 3-seater sofa (order 55-1182093) on 2 July, delivery was promised for week 31. It's now September and every time I call I'm told it's 'in transit'. I paid in full with my card ending 7781. I want a firm date or a refund, not another voucher."\""""),
    ("log", """pasted from the integration dashboard, failing since this morning:

2024-09-12T07:58:02.114Z WARN  sync-worker[3] job=orders-export attempt=3 status=502 upstream=erp-gateway latency_ms=30012
2024-09-12T07:58:02.118Z ERROR sync-worker[3] job=orders-export giving up, batch=1726127882 records=412
2024-09-12T08:03:00.001Z INFO  scheduler next run in 300s (cron */5 * * * *)
trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902b7

version 3.9.14, connector build 2024.09.1"""),
    ("csv", """deal_id,account,owner,stage,amount_eur,close_date,probability
D-2024-0381,Tulip Logistics BV,j.meyer,Negotiation,48000,2024-10-31,0.6
D-2024-0392,Baltic Parts,s.kowal,Proposal,12500,2024-11-15,0.4
D-2024-0407,Norrsken AB,j.meyer,Closed Won,96000,2024-09-06,1.0
D-2024-0411,Rinaldi Impianti,a.costa,Discovery,7200,2025-01-20,0.1"""),
    ("tsv", """Name\tvon\tbis\tTage\tVertretung
Albrecht, J.\t23.09.2024\t04.10.2024\t10\tKrüger
Krüger, A.\t14.10.2024\t18.10.2024\t5\tAlbrecht
Meyer, S.\t21.10.2024\t25.10.2024\t5\tAlbrecht"""),
    ("medical", """Discharge instructions

- Take ibuprofen 400 mg every 6-8 hours with food for pain, max 3 tablets a day.
- Keep the wound dry for 48 hours, then shower normally.
- Stitches out at your GP surgery in 10-14 days.
- Come back to A&E if you have a fever over 38 °C, spreading redness or pus.

Your follow-up appointment letter will be posted to you."""),
    ("ocr", """CAFÉ  BRÜCKE   -  Filiale 012
Kasse 3    Bon-Nr.  4471     06.09.2024  12:41

2x Cappuccino          7,60
1x Bagel Lachs         6,90
SUMME  EUR            14,50

VISA     ************4417
AUTH  08812C   TERM-ID 00412 / TA-Nr. 009318
REF  4811 2093 7712 0049
Vielen  Dank  für  Ihren  Besuch !"""),
    ("chat", """lol my card got declined again, the one ending 0619. gonna call the bank after standup"""),
    ("email", """Estimada paciente:

Le recordamos su cita con el Dr. Pérez (Traumatología) el 14/10/2024 a las 9:30, consulta 12, planta 2.
Si no puede acudir, por favor anúlela con al menos 24 horas de antelación a través de la app.

Un saludo,
Centro Médico Salud Norte"""),
    ("form", """q=boiler+service&postcode=SW1A+1AA&date_from=2024-09-01&date_to=2024-09-30&page=2&sort=price_asc&utm_source=newsletter&utm_medium=email&utm_campaign=autumn24"""),
    ("email", """Your password was changed

Hi, the password for your account was changed on 12 Sep 2024 at 09:14 UTC from a Windows device in Frankfurt, Germany.

If this was you, you can ignore this e-mail. If not, reset your password right away at https://account.example.com/reset and contact our support team."""),
    ("chat", """the wifi password is on the whiteboard in the kitchen, ask Tom if it's been wiped again"""),
    ("ticket", """[SEC-1187] Verify installer integrity before rollout
Vendor published SHA-256 for AgentSetup-7.2.0.1544.msi:
3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b
Our download matches. Packaging commit 9e1c4b7d2a6f83e05c1d9b4a7e2f6c3d8b0a5e19 in the intune-apps repo. OK to proceed with pilot group (42 devices)."""),
    ("chat", """ci vediamo alle 18 al bar sotto l'ufficio, porto io le stampe del progetto v2.3 e il preventivo n. 2024/118"""),
    ("email", """Q3 snapshot (preliminary)

Revenue: EUR 1,245,882.10 (+8.4% QoQ)
Units shipped: 12 400 (SKU 4006381333931 alone: 3 150)
Headcount: 1 204 (incl. 37 contractors)
Open tickets at quarter end: 318, median resolution 19.5 h

Full deck to follow after the board meeting on 24 October."""),
    ("ticket", """Customer paid by bank transfer but forgot to put the invoice number in the reference. The only thing on our statement is 5104 2291 0087 3316 (their bank's end-to-end ID). Matched it manually to INV-2024-0522 by amount (EUR 2,380.00) - closing."""),
    ("ticket", """Subject: Replacement order for damaged parcel

Order 5512-00913 arrived with a broken lamp base. Customer sent photos (attached). Replacement shipped today under DPD parcel 01905 0188 4472 11, refund of shipping fee EUR 4.90 issued to the original payment method (Mastercard ****5521)."""),
    ("email", """Hi Lisa,

the new pricing goes live on 1 Nov: Starter 9.99, Pro 24.99, Business 79 (per seat / month). Old SKUs PLN-STR-2023 and PLN-PRO-2023 will be retired on 31 Dec. The price book version is 2024.11.0.

Thanks, Pricing team"""),
]

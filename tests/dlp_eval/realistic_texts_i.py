# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part I: structured customer data and pasted records (CSV/TSV
exports, JSON API bodies, XML/SOAP, HL7 v2 and FHIR, database output, logs, AI prompts).

``⟦detector|value⟧`` marks a labelled span; everything else must not be reported.
"""

TEXTS: list[tuple[str, str]] = [
    # --- HR / payroll exports -----------------------------------------------------------
    ("csv", """employee_id,first_name,last_name,ssn,dob,hire_date,state,pay_grade
E-20418,Dana,Whitlock,⟦us_ssn|513-58-4278⟧,⟦date_of_birth|1986-02-14⟧,2019-08-05,OH,G7
E-20419,Marcus,Bell,⟦us_ssn|283-39-5070⟧,⟦date_of_birth|1979-11-30⟧,2021-01-11,TX,G5
E-20420,Priya,Raman,,,2024-03-18,CA,G6
"""),
    ("csv", """Personalnr;Name;Vorname;Geburtsdatum;Steuer-ID;IBAN;Steuerklasse;Eintritt
004711;Hoffmann;Jana;⟦date_of_birth|14.09.1988⟧;⟦de_tax_id|50841575923⟧;⟦iban|DE86 1007 0000 3982 5979 19⟧;1;01.04.2021
004712;Krüger;Tobias;⟦date_of_birth|03.02.1975⟧;;;4;15.10.2017
"""),
    ("csv", "matricule\tnom\tprénom\tdate de naissance\tnuméro de sécurité sociale\tentrée\n"
            "FR-0193\tLefèvre\tCamille\t⟦date_of_birth|14/07/1988⟧\t⟦fr_nir|2 88 07 75 115 526 78⟧\t02/09/2019\n"
            "FR-0207\tGarnier\tHugo\t⟦date_of_birth|22/11/1972⟧\t⟦fr_nir|1 72 11 69 383 018 08⟧\t15/01/2008\n"),
    ("csv", """Employee,NI Number,Tax Code,Sort Code,Account Number,Gross YTD
"Whitfield, Hannah",⟦uk_nino|JG103742B⟧,1257L,⟦uk_sort_code|20-32-53⟧,⟦bank_account_number|73849261⟧,"18,450.00"
"Patel, Dev",⟦uk_nino|PW482617A⟧,BR,,,"9,210.50"
"""),
    ("csv", "PPSN\tSurname\tForename\tIBAN\tWeekly gross\tStart\n"
            "⟦ie_pps|0358133R⟧\tByrne\tAoife\t⟦iban|IE79 BOFI 9014 9027 4839 15⟧\t812.40\t06/03/2023\n"
            "⟦ie_pps|2551911L⟧\tKavanagh\tSeán\t\t640.00\t21/08/2023\n"),
    ("json", """{
  "employee": {
    "employeeNumber": "AU-10382",
    "givenName": "Olivia",
    "familyName": "Tran",
    "startDate": "2024-07-01",
    "taxFileNumber": "⟦au_tfn|370 338 803⟧",
    "superFund": {"usi": "STA0100AU", "memberNumber": "100458812"},
    "bank": {"bsb": "062-000", "accountNumber": "⟦bank_account_number|18374920⟧", "accountName": "O TRAN"}
  }
}"""),
    ("csv", """personnummer;namn;mobil;anställd;avdelning
⟦se_personnummer|910409-4595⟧;Erik Lindqvist;⟦phone_number|070-582 41 93⟧;2020-02-01;Lager
⟦se_personnummer|680223-2808⟧;Karin Sjöberg;;2015-09-14;Ekonomi
"""),
    ("log", """ts=2024-09-12T07:41:03.552Z level=info svc=hr-sync tenant=fi-oulu action=upsert employee_ref=FI-3381 hetu=⟦fi_hetu|110295-003A⟧ dept=R&D cost_center=4410 status=ok duration_ms=84"""),
    ("csv", """PESEL;Nazwisko;Imię;Telefon;Stanowisko
⟦pl_pesel|90090566764⟧;Wiśniewska;Agnieszka;⟦phone_number|+48 601 284 937⟧;księgowa
⟦pl_pesel|02291487731⟧;Zieliński;Kacper;;magazynier
"""),
    ("json", """{"empresa":"Transportes Lusos Lda","trabalhadores":[{"nome":"Inês Carvalho","nif":"⟦pt_nif|213151987⟧","cartaoCidadao":"⟦pt_citizen_card|53705656 3 AB8⟧","categoria":"Motorista","admissao":"2022-11-02"}],"periodo":"2024-08"}"""),
    ("csv", """Nombre,DNI,Puesto,Fecha alta,Salario bruto
"García Morales, Lucía",⟦es_dni|47943329J⟧,Administrativa,01/03/2020,"28.400,00"
"Popescu, Andrei",⟦es_nie|X1110728N⟧,Mozo de almacén,15/09/2022,"19.950,00"
"""),
    ("json", """{"t4_slips":[{"box12_sin":"⟦ca_sin|285 969 952⟧","employee":"Nguyen, Thomas","box14_income":61250.00,"box22_tax":11840.12,"province":"ON"},{"box12_sin":"⟦ca_sin|597-036-862⟧","employee":"Tremblay, Chloé","box14_income":48900.00,"box22_tax":8120.55,"province":"QC"}],"tax_year":2023,"employer_bn":"123456789RP0001"}"""),
    ("csv", """Name,PAN,Aadhaar,UAN,DOJ,CTC (INR)
Rohan Sharma,⟦in_pan|BKRPS4817M⟧,⟦in_aadhaar|6123 4465 8242⟧,100928374655,2021-06-14,"14,50,000"
Anjali Nair,⟦in_pan|AHUPN2093Q⟧,,100928374981,2023-01-09,"9,80,000"
"""),
    ("csv", """Kimlik No,Ad Soyad,Cep Telefonu,Departman
⟦tr_tc_kimlik|83161377556⟧,Elif Yıldız,⟦phone_number|0532 418 39 57⟧,Satış
⟦tr_tc_kimlik|96615354874⟧,Mert Aydın,,Muhasebe
"""),
    ("csv", """id,legal_name,role,hire_date,termination_date,department,fte,salary_band
1042,Anna Kowalczyk,Data Engineer,2019-03-04,,Platform,1.0,L4
1043,Jorge Ibáñez,Support Lead,2017-11-20,2024-05-31,Customer,1.0,L5
1044,Mei Lin,Designer,2022-08-15,,Product,0.8,L3
1045,Samuel Osei,Account Exec,2023-02-01,,Sales,1.0,L3
"""),
    ("csv", "Department\tHeadcount\tGross payroll\tEmployer NI\tPension\tPeriod\n"
            "Engineering\t42\t312,480.00\t38,112.61\t15,624.00\t2024-08\n"
            "Sales\t18\t121,905.55\t14,870.22\t6,095.28\t2024-08\n"
            "Operations\t27\t98,330.10\t11,204.87\t4,916.51\t2024-08\n"),
    ("json", """{
  "employeeId": "8f3c2d1e-77b0-4a19-9c55-0e2f1b6a9d40",
  "ssnLast4": "4278",
  "ssnMasked": "***-**-4278",
  "dobVerified": true,
  "i9Status": "complete",
  "everifyCase": "2024182004517QK",
  "updatedAt": "2024-09-12T14:03:22Z"
}"""),
    # --- CRM / customers ------------------------------------------------------------------
    ("csv", """"Cliente";"DNI/NIE";"Teléfono";"Fecha alta";"Origen"
"Serrano Pastor, Nuria";"⟦es_dni|81346173A⟧";"⟦phone_number|654 218 937⟧";"12/01/2023";"web"
"Benali, Youssef";"⟦es_nie|Z9210577W⟧";"";"03/05/2023";"tienda"
"""),
    ("json", """{"cliente":{"id":"CLI-0048213","nome":"Marco","cognome":"Rinaldi","codiceFiscale":"⟦it_codice_fiscale|RNLMRC79C22F205E⟧","dataNascita":"⟦date_of_birth|1979-03-22⟧","iban":"⟦iban|IT23X0306909606074833788762⟧","consensoMarketing":false,"creatoIl":"2023-04-18T09:12:44+02:00"}}"""),
    ("json", """{
  "checkId": "kyc_01J7ZQ4M8N2B5XW3R6T9",
  "status": "approved",
  "createdAt": "2024-09-10T08:15:02Z",
  "subject": {
    "firstName": "Sanne",
    "lastName": "de Boer",
    "bsn": "⟦nl_bsn|404068662⟧",
    "dateOfBirth": "⟦date_of_birth|1990-03-27⟧",
    "iban": "⟦iban|NL95 INGB 0007 3482 91⟧"
  },
  "checks": [
    {"type": "document", "result": "clear", "score": 0.97},
    {"type": "sanctions", "result": "clear", "listsVersion": "2024.09.09"}
  ]
}"""),
    ("xml", """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:klant="urn:verzekeraar:klant:v2">
  <soapenv:Header/>
  <soapenv:Body>
    <klant:RegistreerKlantRequest>
      <klant:Achternaam>Peeters</klant:Achternaam>
      <klant:Voornaam>Wout</klant:Voornaam>
      <klant:Rijksregisternummer>⟦be_national_number|85.11.02-137.16⟧</klant:Rijksregisternummer>
      <klant:Geboortedatum>⟦date_of_birth|1985-11-02⟧</klant:Geboortedatum>
      <klant:Rekeningnummer>⟦iban|BE59 0017 7877 8926⟧</klant:Rekeningnummer>
      <klant:Polisnummer>BE-AUTO-2024-118305</klant:Polisnummer>
    </klant:RegistreerKlantRequest>
  </soapenv:Body>
</soapenv:Envelope>"""),
    ("sql", """ kunde_id |      navn       |     cpr     | segment  |  oprettet
----------+-----------------+-------------+----------+------------
    10442 | Mette Kjær      | ⟦dk_cpr|301276-2148⟧ | privat   | 2022-03-01
    10443 | Rasmus Holm     | ⟦dk_cpr|050689-2253⟧ | erhverv  | 2023-11-17
(2 rows)
"""),
    ("json", """{"kunde":{"navn":"Ingrid Bakke","fodselsnummer":"⟦no_fodselsnummer|18068327187⟧","kontonummer_iban":"⟦iban|NO93 1503 3134 123⟧","kundenummer":"700188342","opprettet":"2024-02-19"}}"""),
    ("csv", """IRD number,Client,Return type,Period end
⟦nz_ird|122-216-969⟧,Aroha Ngata,IR3,2024-03-31
⟦nz_ird|146-260-268⟧,Liam O'Connor,IR3,2024-03-31
"""),
    ("csv", """NRIC/FIN,Name,Membership tier,Joined
⟦sg_nric|S8827391E⟧,Tan Wei Ling,Gold,2021-05-30
⟦sg_nric|T0412758C⟧,Muhammad Hafiz,Silver,2023-12-02
"""),
    ("json", """{"pedido":{"numero":"PED-2024-0091822","valorTotal":389.90,"frete":"SEDEX"},"comprador":{"nome":"Beatriz Souza","cpf":"⟦br_cpf|221.509.949-68⟧","celular":"⟦phone_number|(21) 99734-5812⟧"},"vendedor":{"razaoSocial":"Casa Verde Utilidades Ltda","cnpj":"⟦br_cnpj|76.814.201/0001-94⟧"}}"""),
    ("xml", """<?xml version="1.0" encoding="UTF-8"?>
<Solicitud folio="SOL-000318" fecha="2024-08-22T11:04:09">
  <Solicitante>
    <Nombre>Ricardo García Martínez</Nombre>
    <CURP>⟦mx_curp|GAMR850312HDFRRC07⟧</CURP>
    <Telefono>⟦phone_number|55 1234 5678⟧</Telefono>
    <CodigoPostal>06700</CodigoPostal>
  </Solicitante>
  <Empresa rfc="CVU180215QJ4">Comercializadora del Valle SA de CV</Empresa>
  <Monto moneda="MXN">45000.00</Monto>
</Solicitud>"""),
    ("csv", """ID Number,Full Name,Branch,Account opened
⟦za_id|8705215167087⟧,Thabo Mokoena,Sandton,2019-10-07
⟦za_id|9208130315088⟧,Lerato Dlamini,Durban North,2022-06-21
"""),
    ("csv", "顧客番号\t氏名\t生年月日\tマイナンバー\n"
            "C-55012\t佐藤 美咲\t⟦date_of_birth|1984/06/12⟧\t⟦jp_my_number|7771 1713 0910⟧\n"
            "C-55013\t鈴木 健太\t⟦date_of_birth|1977/01/28⟧\t⟦jp_my_number|7290 0691 4349⟧\n"),
    ("json", """{"member":{"memberNo":"M20240917-0042","name":"김민준","rrn":"⟦kr_rrn|821003-1742315⟧","mobile":"⟦phone_number|010-2345-6789⟧","grade":"VIP","joinedAt":"2024-09-17T10:22:31+09:00"}}"""),
    ("csv", """会员编号,姓名,身份证号,注册时间
100283,王芳,⟦cn_resident_id|440106199308150109⟧,2024-03-11 09:41:27
100284,李强,⟦cn_resident_id|110105198111298006⟧,2024-03-11 10:02:55
"""),
    ("xml", """<Versicherter>
  <Name>Brunner</Name>
  <Vorname>Lea</Vorname>
  <AHVNummer>⟦ch_ahv|756.1551.6616.05⟧</AHVNummer>
  <Zahlungsverbindung>
    <IBAN>⟦iban|CH34 0023 0102 7346 4686 9⟧</IBAN>
  </Zahlungsverbindung>
  <Vertragsnummer>KV-2024-77102</Vertragsnummer>
</Versicherter>"""),
    ("csv", """Rodné číslo;Příjmení;Jméno;Číslo smlouvy
⟦cz_birth_number|780125/4000⟧;Novotný;Petr;SML-2023-04418
⟦cz_birth_number|855614/8876⟧;Dvořáková;Tereza;SML-2024-00931
"""),
    ("csv", """order_id,sku,qty,unit_price,currency,created_at,tracking_number,status
SO-118203,HDPH-BT-200-BLK,1,79.99,EUR,2024-09-01T10:22:05Z,00340434161094042557,SHIPPED
SO-118204,CBL-USBC-2M,3,9.49,EUR,2024-09-01T10:31:40Z,1Z7E4V210364481920,DELIVERED
SO-118205,HDPH-BT-200-WHT,2,79.99,EUR,2024-09-01T11:02:18Z,,PENDING
SO-118206,KBD-MX-DE,1,129.00,EUR,2024-09-01T11:15:51Z,JJD000390007823416895,SHIPPED
"""),
    ("json", """{"shipment":{"trackingNumber":"1Z4W82F70392817465","carrier":"UPS","service":"WW_EXPRESS","packages":2,"weightKg":3.85,"createdAt":"2024-09-14T06:41:00Z","estimatedDelivery":"2024-09-17","events":[{"code":"OR","ts":1726296060,"location":"Köln DE"},{"code":"DP","ts":1726331700,"location":"Köln DE"}]}}"""),
    ("sql", """mysql> SELECT invoice_no, customer_id, amount, due_date, status FROM invoices WHERE status <> 'paid' LIMIT 4;
+---------------+-------------+---------+------------+---------+
| invoice_no    | customer_id | amount  | due_date   | status  |
+---------------+-------------+---------+------------+---------+
| INV-2024-8812 |      400218 | 1249.00 | 2024-09-30 | overdue |
| INV-2024-8840 |      400377 |  312.50 | 2024-10-05 | open    |
| INV-2024-8851 |      401002 | 8800.00 | 2024-10-12 | open    |
| INV-2024-8852 |      400218 |   64.99 | 2024-10-12 | open    |
+---------------+-------------+---------+------------+---------+
4 rows in set (0.01 sec)"""),
    ("csv", "SKU\tDescription\tEAN\tISBN\tStock\tPrice\n"
            "BK-0981\tThe Pragmatic Programmer (20th ed.)\t9780135957059\t978-0-13-595705-9\t14\t42.90\n"
            "BK-1022\tDesigning Data-Intensive Applications\t9781449373320\t978-1-4493-7332-0\t6\t49.50\n"
            "ST-0440\tNotebook A5 dotted\t5012345678917\t\t220\t6.95\n"),
    ("json", """{"loyalty":{"cardNumber":"6019 8841 2207 3315","tier":"silver","points":18420,"memberSince":"2016-05-02","lastVisit":"2024-09-08T17:44:12+01:00","storeId":"UK-0412"}}"""),
    ("csv", """txn_id,posted,description,reference,amount,balance
TX-88120041,2024-09-02,SEPA CT RENT SEPT,RF18539007547034,-1450.00,3120.44
TX-88120042,2024-09-02,CARD PURCHASE REWE 4471,ARN 74987504245011824539901,-58.12,3062.32
TX-88120043,2024-09-03,SALARY ACME GMBH,LOHN 2024-08 PNR 004711,3890.21,6952.53
TX-88120044,2024-09-04,DD STADTWERKE,MANDATE SW-2019-004812,-96.00,6856.53
"""),
    ("log", """2024-09-15T22:10:05.331Z INFO  [payment-svc] authorize ok order=SO-118207 amount=79.99 currency=EUR card=visa ****4242 exp=**/** 3ds=frictionless psp_ref=8816929203413541 latency_ms=412
2024-09-15T22:10:07.902Z WARN  [payment-svc] authorize declined order=SO-118208 amount=240.00 currency=EUR card=mastercard ****4444 reason=insufficient_funds psp_ref=8816929203427731
2024-09-15T22:10:09.115Z INFO  [payment-svc] refund queued order=SO-117950 amount=-19.99 currency=EUR refund_id=rf_3PzT8y2eZvKi"""),
    ("json", """{"id":"ch_3PzT8y2eZvKi1aX01gT8hQ2b","object":"charge","amount":7999,"currency":"eur","created":1726438205,"payment_method_details":{"card":{"brand":"visa","country":"DE","exp_month":11,"exp_year":2027,"fingerprint":"Xt5EWLLDS7FJjR1c","funding":"credit","last4":"4242","network":"visa"},"type":"card"},"receipt_number":"1882-7331","status":"succeeded"}"""),
    ("xml", """<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">
  <cbc:ID>RE-2024-004417</cbc:ID>
  <cbc:IssueDate>2024-09-05</cbc:IssueDate>
  <cbc:DueDate>2024-10-05</cbc:DueDate>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:OrderReference><cbc:ID>PO-77120</cbc:ID></cac:OrderReference>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="H87">12</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">1140.00</cbc:LineExtensionAmount>
    <cac:Item><cac:StandardItemIdentification><cbc:ID schemeID="0160">04012345678901</cbc:ID></cac:StandardItemIdentification></cac:Item>
  </cac:InvoiceLine>
  <cac:LegalMonetaryTotal><cbc:PayableAmount currencyID="EUR">1356.60</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"""),
    # --- payments / banking ---------------------------------------------------------------
    ("log", """{"ts":"2024-09-15T09:12:44.871Z","level":"error","service":"checkout-api","msg":"tokenization failed, raw payload logged","request":{"card_number":"⟦credit_card|4000002760003184⟧","exp":"12/27","holder":"K WALSH"},"client_ip":"⟦ipv4_address|198.51.100.74⟧","err":"upstream_timeout"}"""),
    ("json", """{
  "amount": 12900,
  "currency": "USD",
  "paymentMethod": {
    "type": "scheme",
    "number": "⟦credit_card|5200 8282 8282 8210⟧",
    "expiryMonth": "03",
    "expiryYear": "2028",
    "holderName": "Jordan Mercer"
  },
  "billingAddress": {"street": "41 Harbor Rd", "city": "Boston", "postalCode": "02210", "country": "US"},
  "shopperEmail": "⟦email_address|j.mercer@inbox.example⟧",
  "reference": "SO-220918-0004"
}"""),
    ("csv", """card_id,pan,brand,exp,holder,migrated_at
1,⟦credit_card|378282246310005⟧,amex,09/26,R LANGE,2024-09-14 02:00:11
2,⟦credit_card|6011111111111117⟧,discover,01/27,M OKAFOR,2024-09-14 02:00:11
"""),
    ("xml", """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">
  <soap:Body>
    <CreateTransfer xmlns="http://bank.example/payments/v3">
      <MessageId>MSG-20240913-000271</MessageId>
      <Debtor>
        <Name>Atelier Moreau SARL</Name>
        <IBAN>⟦iban|FR76 2004 1010 0581 4373 6989 142⟧</IBAN>
        <BIC>⟦swift_bic|BNPAFRPP⟧</BIC>
      </Debtor>
      <Creditor>
        <Name>Weber Metallbau GmbH</Name>
        <IBAN>⟦iban|AT18 2011 1047 9666 9725⟧</IBAN>
        <BIC>⟦swift_bic|GIBAATWWXXX⟧</BIC>
      </Creditor>
      <Amount currency="EUR">18450.00</Amount>
      <RemittanceInfo>Rechnung RE-2024-004417</RemittanceInfo>
      <RequestedExecutionDate>2024-09-16</RequestedExecutionDate>
    </CreateTransfer>
  </soap:Body>
</soap:Envelope>"""),
    ("csv", """vendor_id,vendor_name,tin_type,tin,routing_number,account_number,account_type
V-0318,Lakeside Catering LLC,EIN,⟦us_ein|27-6161249⟧,⟦us_aba_routing|121000248⟧,⟦bank_account_number|4820019375⟧,checking
V-0319,Miguel Ortega (sole prop.),ITIN,⟦us_itin|956-99-3272⟧,,,paper_check
"""),
    ("csv", """Data operacji;Kontrahent;Numer rachunku;Tytuł;Kwota
2024-09-02;Fabryka Mebli Dąb Sp. z o.o.;⟦iban|PL31 1090 1014 5896 9350 4925 8991⟧;FV 2024/08/112;-7 380,00
2024-09-03;ZUS;;składki 08/2024;-2 114,37
2024-09-05;Klient detaliczny;;zwrot zamówienia 55812;129,99
"""),
    ("chat", "ok here are the two refunds from the sheet, can you push them through today?\n"
             "Lucía Ferrer\t⟦iban|ES53 2100 0418 4103 9917 9244⟧\t240,00 €\n"
             "Tiago Mendes\t⟦iban|PT39 0035 0697 0695 5341 5125 3⟧\t89,50 €\n"),
    ("csv", """Buchungstag;Valuta;Auftraggeber/Empfänger;Verwendungszweck;Betrag;Währung
02.09.2024;02.09.2024;Stadtwerke Musterstadt;Abschlag 09/2024 Vertragskonto 300044812;-96,00;EUR
03.09.2024;03.09.2024;ACME GmbH;Gehalt 08/2024;3.890,21;EUR
05.09.2024;05.09.2024;Amazon Payments Europe;Bestellung 302-4417729-9910436;-42,99;EUR
"""),
    ("json", """{"fx":{"base":"EUR","asOf":"2024-09-13T16:00:00Z","rates":{"USD":1.1075,"GBP":0.84395,"CHF":0.9421,"PLN":4.2873,"SEK":11.3915,"JPY":157.62}},"source":"ecb","requestId":"5d1f0c2a-93e4-4b7b-8f6a-2c0e41d7e8b3"}"""),
    ("csv", """bin,brand,type,issuer_country,prepaid
424242,VISA,credit,US,false
555555,MASTERCARD,credit,US,false
400005,VISA,debit,US,false
222300,MASTERCARD,credit,GB,false
"""),
    # --- health ---------------------------------------------------------------------------
    ("hl7", "MSH|^~\\&|EPIC|SPRINGFIELD_GEN|LABSYS|SPRINGFIELD_GEN|20240911083015||ADT^A04|MSG00017342|P|2.5.1\r"
            "EVN|A04|20240911083015\r"
            "PID|1||MRN4471902^^^SGH^MR||Okafor^Grace^A||⟦date_of_birth|19680417⟧|F|||12 Elm St^^Springfield^IL^62704^USA||⟦phone_number|(217)555-0139⟧|||M||ACC88421307|⟦us_ssn|236-21-5114⟧\r"
            "PV1|1|O|CLIN2^204^01||||⟦us_npi|1548296379⟧^Adeyemi^Tunde^^^MD|||||||||||V00394811\r"
            "DG1|1||⟦icd10_code|E11.22⟧^Type 2 diabetes mellitus with diabetic chronic kidney disease^I10|||A\r"),
    ("hl7", "MSH|^~\\&|PAS|RIVERSIDE|PACS|RIVERSIDE|20240912141502||ADT^A08|A08-99120443|P|2.4\n"
            "PID|1||⟦uk_nhs_number|2747555534⟧^^^NHS^NH~RVX0048213^^^RIVERSIDE^MR||Harrington^Paul^J||⟦date_of_birth|19540322⟧|M|||4 Quay St^^Bristol^^BS1 4DJ^GBR\n"
            "PV1|1|I|WARD7^B12^2||||G8812334^Lowe^Caroline|||MED\n"),
    ("hl7", "MSH|^~\\&|LABSYS|SPRINGFIELD_GEN|EPIC|SPRINGFIELD_GEN|20240911101244||ACK^A04|ACK00017342|P|2.5.1\r"
            "MSA|AA|MSG00017342|Message accepted\r"),
    ("json", """{
  "resourceType": "Patient",
  "id": "pat-7c21e0",
  "meta": {"lastUpdated": "2024-09-10T12:44:01Z"},
  "identifier": [
    {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "⟦us_ssn|304-63-4550⟧"},
    {"system": "http://hl7.org/fhir/sid/us-mbi", "value": "⟦us_mbi|3QT8MW2KD47⟧"},
    {"system": "urn:oid:2.16.840.1.113883.3.7418", "value": "MRN-00912874"}
  ],
  "name": [{"family": "Delgado", "given": ["Rosa"]}],
  "telecom": [
    {"system": "phone", "value": "⟦phone_number|(206) 555-0113⟧", "use": "home"}
  ],
  "gender": "female",
  "birthDate": "⟦date_of_birth|1952-07-19⟧"
}"""),
    ("json", """{"resourceType":"Observation","id":"obs-55810","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4","display":"Hemoglobin A1c/Hemoglobin.total in Blood"}]},"subject":{"reference":"Patient/pat-7c21e0"},"effectiveDateTime":"2024-09-09T08:30:00Z","valueQuantity":{"value":7.4,"unit":"%","system":"http://unitsofmeasure.org","code":"%"},"referenceRange":[{"low":{"value":4.0},"high":{"value":5.6}}]}"""),
    ("json", """{
  "claimId": "CLM-2024-0918-004471",
  "receivedAt": "2024-09-18T15:02:11Z",
  "subscriber": {"memberId": "⟦health_insurance_id|W284619375⟧", "groupNumber": "0073412", "relationship": "self"},
  "billingProvider": {"npi": "⟦us_npi|1245739085⟧", "taxonomy": "207Q00000X"},
  "diagnoses": [
    {"seq": 1, "code": "⟦icd10_code|M17.11⟧", "system": "ICD-10-CM"}
  ],
  "lines": [
    {"cpt": "99214", "units": 1, "charge": 185.00, "dos": "2024-09-03"},
    {"cpt": "20610", "units": 1, "charge": 240.00, "dos": "2024-09-03"}
  ]
}"""),
    ("sql", """rx_id  | written_on | drug                   | qty | prescriber_npi | prescriber_dea
-------+------------+------------------------+-----+----------------+----------------
 88120 | 2024-09-02 | oxycodone 5 mg tab     |  20 | ⟦us_npi|1982645172⟧     | ⟦us_dea|MR4728169⟧
(1 row)"""),
    ("csv", """Patient,DOB,Medicare No.,IRN,Next appt,Clinic
"Nguyen, Linh",⟦date_of_birth|08/05/1961⟧,⟦au_medicare|6153 94206 2⟧,1,24/09/2024 09:30,Parramatta
"Walker, Ben",⟦date_of_birth|17/10/1998⟧,,,24/09/2024 10:15,Parramatta
"""),
    ("xml", """<Abrechnungsfall>
  <Fallnummer>2024-031877</Fallnummer>
  <Versicherter>
    <Name>Schäfer, Monika</Name>
    <Geburtsdatum>⟦date_of_birth|1971-05-09⟧</Geburtsdatum>
    <Krankenversichertennummer>⟦health_insurance_id|M384726153⟧</Krankenversichertennummer>
    <Kostentraeger IK="109519005">AOK Rheinland/Hamburg</Kostentraeger>
  </Versicherter>
  <Diagnose sicherheit="G" seite="R">⟦icd10_code|M75.1⟧</Diagnose>
  <Leistung datum="2024-09-04" gop="03000"/>
</Abrechnungsfall>"""),
    ("csv", """clinic,month,visits,new_patients,no_shows,avg_wait_min
Riverside,2024-07,1842,211,96,18.4
Riverside,2024-08,1790,198,104,21.0
Hillcrest,2024-07,922,87,41,12.7
Hillcrest,2024-08,1005,93,38,11.9
"""),
    ("csv", """appointment_id,patient_ref,slot_start,slot_end,room,type,status
APT-550182,PT-00419,2024-09-23T09:00,2024-09-23T09:20,R2,follow-up,booked
APT-550183,PT-01877,2024-09-23T09:20,2024-09-23T09:40,R2,new,booked
APT-550184,PT-00022,2024-09-23T09:40,2024-09-23T10:00,R2,follow-up,cancelled
"""),
    ("json", """{"plans":[{"planCode":"PPO-500-2025","name":"Silver PPO 500","deductible":500,"oopMax":6000,"metalTier":"silver","effective":"2025-01-01"},{"planCode":"HMO-250-2025","name":"Gold HMO 250","deductible":250,"oopMax":4500,"metalTier":"gold","effective":"2025-01-01"}],"version":"2024.3.1"}"""),
    ("log", """2024-09-18 08:02:17,553 INFO  [gp-connect] GET /Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|⟦uk_nhs_number|2555954546⟧ -> 200 (312 ms) org=Y12345 interaction=urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1"""),
    # --- travel / identity documents ------------------------------------------------------
    ("json", """{
  "bookingRef": "K7XQ2L",
  "createdAt": "2024-09-11T19:20:33Z",
  "passengers": [
    {"type": "ADT", "surname": "VAN DIJK", "givenName": "EMMA", "dateOfBirth": "⟦date_of_birth|1987-03-12⟧", "nationality": "NLD", "passportNumber": "⟦passport_number|PX4827715⟧", "passportExpiry": "2031-05-28"}
  ],
  "segments": [{"flight": "KL1775", "dep": "AMS", "arr": "FRA", "date": "2024-10-03"}],
  "ticketNumbers": ["0742458130775"]
}"""),
    ("prompt", """Can you parse this MRZ from a passport scan into JSON with fields surname, given names, document number, nationality, birth date, sex and expiry?

P<GBRPRICE<<OLIVER<JAMES<<<<<<<<<<<<<<<<<<<<
⟦passport_mrz|5482139075GBR7609033M3301177<<<<<<<<<<<<<<<4⟧"""),
    ("csv", """rental_id,driver_name,dl_number,dl_state,dob,pickup,return
RA-448120,Chris Alvarez,⟦us_drivers_license|B7392046⟧,CA,⟦date_of_birth|1992-04-18⟧,2024-09-20,2024-09-24
RA-448121,Tasha Greene,⟦us_drivers_license|41827593⟧,TX,⟦date_of_birth|1983-12-07⟧,2024-09-21,2024-09-22
"""),
    ("ticket", """HIRE-5512 | Licence check failed at counter
Customer: Hannah Whitfield, booking BK-20240919-1183
Licence no. provided: ⟦uk_driving_licence|WHITF859074HJ9XK⟧ (DVLA check code pending)
Contact: ⟦phone_number|020 7946 0321⟧
Agent note: customer says the photocard expired 2024-08-31, renewal in progress."""),
    ("json", """{"visaApplication":{"applicationNo":"IND-EV-2024-1187342","applicant":{"name":"Vikram Desai","passportNo":"⟦passport_number|K8374621⟧","dob":"⟦date_of_birth|1975-08-30⟧","placeOfBirth":"Pune"},"arrivalDate":"2024-11-02","portOfEntry":"LHR","fee":{"amount":115,"currency":"GBP"}}}"""),
    ("json", """{"verification":{"id":"ver_9a8f7e6d5c","documentType":"passport","issuingCountry":"FRA","documentVerified":true,"faceMatchScore":0.982,"livenessPassed":true,"completedAt":"2024-09-16T10:41:09Z","expiresAt":"2025-09-16T10:41:09Z"}}"""),
    # --- devices / auth logs --------------------------------------------------------------
    ("sql", """mysql> select device_id, owner, imei, msisdn, enrolled_at from mdm_devices where team = 'fieldops' order by enrolled_at limit 2;
+-----------+------------+-----------------+---------------+---------------------+
| device_id | owner      | imei            | msisdn        | enrolled_at         |
+-----------+------------+-----------------+---------------+---------------------+
| MDM-20931 | K. Obi     | ⟦imei|359253030367462⟧ | ⟦phone_number|+447911123456⟧ | 2024-02-14 09:12:01 |
| MDM-20932 | R. Santos  | ⟦imei|355994702164638⟧ | ⟦phone_number|+447123456789⟧ | 2024-02-14 09:15:44 |
+-----------+------------+-----------------+---------------+---------------------+
2 rows in set (0.00 sec)"""),
    ("log", """Sep 16 03:14:07 auth-01 sshd[21877]: Failed password for invalid user admin from ⟦ipv4_address|203.0.113.58⟧ port 51022 ssh2
Sep 16 03:14:09 auth-01 idp[9912]: login_failed user=⟦email_address|m.haddad@corp.example⟧ reason=bad_password attempts=5 src=⟦ipv6_address|2001:db8:3c4d:15::1a2f⟧ mfa=none
Sep 16 03:14:09 auth-01 idp[9912]: account_locked user_id=u_88123 until=2024-09-16T03:44:09Z"""),
    ("log", """2024-09-17T11:05:22.004Z pod=orders-api-7d9c8b5f6-x2klm version=3.14.2 commit=9f2c41ab7e03d5f6a1c8b2e4d7f90a3c5b6e8d12 msg="migration 20240917_1102_add_index done" rows=1840222 elapsed=38.4s
2024-09-17T11:05:22.117Z pod=orders-api-7d9c8b5f6-x2klm version=3.14.2 msg="cache warmup" keys=48210 hit_ratio=0.913"""),
    ("json", """{"events":[{"event":"checkout_started","session":"b7d2f0a4-3c19-4e8a-9d51-2a6f7c8e0b13","ts":1726480811234,"cartValue":129.98,"items":2},{"event":"checkout_completed","session":"b7d2f0a4-3c19-4e8a-9d51-2a6f7c8e0b13","ts":1726480934871,"orderId":"SO-118209"}],"sdk":"web/5.2.0"}"""),
    ("log", """[2024-09-14 02:00:00] cron.daily_report started pid=44812
[2024-09-14 02:03:41] cron.daily_report wrote 18 files (212.4 MB) to s3://reports-archive/2024/09/14/
[2024-09-14 02:03:41] cron.daily_report finished exit=0 runtime=221s next_run=1726365600"""),
    ("sql", """asset_tag | serial_number | model                 | assigned_to | purchased  | warranty_end
----------+---------------+-----------------------+-------------+------------+--------------
 IT-03318 | C02XK4ZJJGH5  | MacBook Pro 14" M3    | u_88123     | 2024-01-22 | 2027-01-21
 IT-03319 | 5CG3214QFT    | HP EliteBook 840 G10  | u_88140     | 2024-01-22 | 2027-01-21
 IT-03320 | PF4BX9T2      | Lenovo ThinkPad T14s  |             | 2024-02-05 | 2027-02-04
(3 rows)"""),
    # --- AI prompts with pasted data ------------------------------------------------------
    ("prompt", """Write a SQL query (Postgres) that finds duplicate customers in this table, matching on lower(email) or on phone with all non-digits stripped. Here are some rows so you see the format:

 id |      name       |         email          |     phone
----+-----------------+------------------------+----------------
 17 | Jordan Mercer   | ⟦email_address|j.mercer@inbox.example⟧ | ⟦phone_number|(617) 555-0142⟧
 52 | Jordan  Mercer  | ⟦email_address|J.Mercer@Inbox.example⟧ | ⟦phone_number|617-555-0142⟧
(2 rows)"""),
    ("prompt", """Bitte bereinige diese CSV: Datumsformat einheitlich auf JJJJ-MM-TT, Ortsnamen ohne Leerzeichen am Ende, leere Zeilen raus.

Kundennr;Name;Geburtsdatum;Ort
K-3301;Vogel, Sabine;⟦date_of_birth|7.3.1969⟧;München

K-3302;Yilmaz, Deniz;⟦date_of_birth|1995-11-21⟧;Augsburg"""),
    ("prompt", """Convert this TSV to a JSON array of objects with numeric prices:

sku\tname\tprice\tstock
TSH-M-BLK\tT-Shirt M schwarz\t19,90\t120
TSH-L-BLK\tT-Shirt L schwarz\t19,90\t87
HD-XL-GRY\tHoodie XL grau\t49,00\t12"""),
    ("prompt", """I have a pandas dataframe of Indian customers. Write code that validates the PAN and Aadhaar columns and flags bad rows. Sample:

name,pan,aadhaar,city
Kavya Iyer,⟦in_pan|CQTPD5521L⟧,⟦in_aadhaar|4895 1398 8049⟧,Chennai"""),
    ("prompt", """Summarise the churn reasons by plan from this export, don't need names:

account_id,plan,mrr,churned_on,reason
AC-1102,pro,99,2024-08-02,price
AC-1187,team,249,2024-08-09,missing SSO
AC-1203,pro,99,2024-08-15,moved to competitor
AC-1255,starter,29,2024-08-30,no longer needed"""),
    ("prompt", """Why does this Postgres query plan use a seq scan?

Seq Scan on orders  (cost=0.00..48211.40 rows=1840222 width=64) (actual time=0.012..512.331 rows=1840222 loops=1)
  Filter: (created_at >= '2024-01-01 00:00:00+00'::timestamp with time zone)
Planning Time: 0.141 ms
Execution Time: 611.902 ms"""),
    ("prompt", """Generate a test fixture: I need 3 rows like these but with the order ids and dates shuffled.

order_id,placed_at,total,items
112-4839201-5567321,2024-09-03 14:22,58.40,2
112-7710482-0049213,2024-09-04 09:05,12.99,1
112-0093817-3310846,2024-09-04 18:47,230.00,4"""),
    ("prompt", """Translate these column headers to English and tell me which columns are personal data:

numero_pratica;cognome;nome;codice_fiscale;data_nascita;importo_rimborso
PR-2024-0412;Bonacci;Giulia;⟦it_codice_fiscale|BNCGLI92E45H501B⟧;⟦date_of_birth|05/05/1992⟧;312,40"""),
    ("prompt", """Help me write a regex that extracts the order number and the amount from lines like these:

Order #A-2024-552318 confirmed - total EUR 84.20 - ETA 2024-09-21
Order #A-2024-552319 confirmed - total EUR 1,204.00 - ETA 2024-09-23"""),
    # --- tickets and chat with pasted records ---------------------------------------------
    ("ticket", """OPS-8841 Duplicate invoices sent
Invoices INV-2024-8840 and INV-2024-8841 were both sent to customer 400377 for the same PO (PO-77120, 312.50 EUR). Credit note CN-2024-0119 created. Please suppress reminder run #5512 for this account."""),
    ("ticket", """PRIV-2207 Right of access request
Requester verified via callback. Masked identifiers on file: SSN XXX-XX-5070, card ending 4444, DOB on file: yes. Data export id DSAR-2024-0093 due 2024-10-14."""),
    ("chat", """the Hetzner invoice number is 0000818273, amount €212.71, due on the 30th. can you approve in the portal"""),
    ("chat", """tracking for the replacement unit: 00340434161094042557, DHL says out for delivery, serial on the box is SN-HX2-0048817"""),
    ("chat", """Finnish new joiner details for the contract, copy from the form:
Henkilötunnus: ⟦fi_hetu|030804A384T⟧
Syntymäaika: ⟦date_of_birth|3.8.2004⟧"""),
    ("ticket", """INC-77120 Customer portal 500 on profile save
Payload from the browser devtools:
{"firstName":"Andreea","lastName":"Ionescu","cnp":"⟦ro_cnp|2910217128701⟧","phone":"⟦phone_number|0722 418 395⟧","consent":true}
Error: column "cnp" value too long for type character varying(12)."""),
    ("ticket", """BILL-4410 Card update not saved
Customer read out the new card on the call: ⟦credit_card|2222 4000 7000 0005⟧, exp 05/29. Old card ****1117 should be detached. Subscription sub_1PzQa2 renews 2024-10-01."""),
    ("chat", """batch 2024-09-13 stats: 18,402 rows imported, 117 rejected (bad postcode), 9 duplicates. job id 7f3e9a12, took 00:04:51"""),
    ("json", """{"invoice":{"number":"2024-000871","issued":"2024-09-01","due":"2024-10-01","lines":[{"desc":"Hosting Sept","qty":1,"unit":"EUR","amount":212.71}],"vatRate":0.19,"total":253.12,"paymentRef":"RF71 2024 0008 71"}}"""),
    ("log", """level=info ts=2024-09-18T06:00:01Z caller=scheduler.go:212 job=reminders batch=5512 queued=318 skipped=12 window_start=1726617600 window_end=1726704000
level=info ts=2024-09-18T06:00:04Z caller=mailer.go:88 job=reminders sent=318 bounced=0 template=dunning_v3"""),
    ("log", """2024-09-18T09:44:12.771+02:00 INFO  [hr-portal] PUT /api/employees/004713/bank by u_hradmin: old_iban=⟦iban|DE55 1007 0000 1614 6100 33⟧ new_iban=⟦iban|DE18 5001 0517 0033 9075 79⟧ ip=⟦ipv4_address|10.40.2.17⟧"""),
    ("csv", """ticket_id,created_at,priority,queue,first_response_min,resolved_at,csat
ZD-481201,2024-09-16 08:02,high,billing,7,2024-09-16 09:40,5
ZD-481202,2024-09-16 08:15,normal,tech,42,2024-09-17 11:02,4
ZD-481203,2024-09-16 08:19,low,tech,118,,
"""),
    ("csv", """SSCC,PO,Pallet,Cartons,Gross kg,Ship date
003401234567890125,PO-77120,1/3,48,412.5,2024-09-19
003401234567890132,PO-77120,2/3,48,409.8,2024-09-19
003401234567890149,PO-77120,3/3,22,188.1,2024-09-19
"""),
    ("json", """{"release":{"name":"orders-api","version":"3.14.2","previous":"3.14.1","buildNumber":20418,"sha":"9f2c41ab7e03d5f6a1c8b2e4d7f90a3c5b6e8d12","image":"registry.example/orders-api@sha256:7d3f0e2a91c4b58e6a0d2f1c3b5e7a9d8c6f4e2a0b1c3d5e7f9a8b6c4d2e0f1a3","deployedAt":"2024-09-17T11:04:48Z"}}"""),
    ("xml", """<StockLevelResponse xmlns="urn:warehouse:v1">
  <Timestamp>2024-09-18T05:00:00Z</Timestamp>
  <Item sku="HDPH-BT-200-BLK" gtin="04012345678901"><OnHand>312</OnHand><Reserved>40</Reserved><Bin>A-12-03</Bin></Item>
  <Item sku="CBL-USBC-2M" gtin="04012345678918"><OnHand>2150</OnHand><Reserved>118</Reserved><Bin>C-01-17</Bin></Item>
</StockLevelResponse>"""),
]

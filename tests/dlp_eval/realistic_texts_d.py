# ruff: noqa: E501
# (hand-written texts: lines as long as the messages they imitate)
"""Hand-written carrier texts, part D: more configuration syntaxes, HTTP traffic, exports and
mixed look-alikes.

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("terraform", """provider "aws" {
  region     = "eu-west-1"
  access_key = "⟦aws_access_key_id|AKIAQEOFPEMXCF3TFE4I⟧"
  secret_key = "⟦aws_secret_access_key|e3EIjLAM1uyugq94lxmxjc2p6aBg0HDtqUKS4ZKL⟧"
}"""),
    ("terraform", """resource "aws_db_instance" "main" {
  engine         = "postgres"
  engine_version = "16.2"
  username       = "dbadmin"
  ⟦password_in_config|password       = "Vk3$9zLq!mW2⟧"
  instance_class = "db.t3.micro"
}"""),
    ("properties", """# application.properties
spring.datasource.url=jdbc:postgresql://db.internal:5432/app
spring.datasource.username=app
⟦password_in_config|spring.datasource.password=Nq7!vB3xKp2w⟧
server.port=8443"""),
    ("properties", """mail.smtp.host=smtp.example.com
mail.smtp.port=587
mail.smtp.user=⟦email_address|alerts@example.com⟧
⟦password_in_config|mail.smtp.password=Qm4#tZ8rLw1y⟧"""),
    ("xml", """<connectionStrings>
  <add name="Default" connectionString="Server=sql01.corp.example;Database=Sales;User Id=sales_app;⟦password_in_config|Password=Hx7!pQ2mZr9k⟧;" />
</connectionStrings>"""),
    ("json", """{"mailer": {"host": "smtp.mailgun.org", "port": 587, "username": "⟦email_address|postmaster@mg.example.com⟧", "⟦password_in_config|password": "Lp3!xR8vNq2z⟧"}}"""),
    ("json", """{"id": 4411, "username": "jdoe", "password": "$2b$12$KIXQJvLr8f1Y5m7Q9z3ZbOe6G1uN2pW4sT8vX0yA3cD5eF7gH9iJk", "role": "admin"}"""),
    ("yaml", """github:
  app_id: 348812
  ⟦generic_secret|client_secret: 9f3c7a1e5b2d8f4a6c0e9b7d3f1a5c8e2b4d6f80⟧
  webhook_url: https://ci.example.com/hooks/github"""),
    ("yaml", """openai:
  api_key: ⟦openai_api_key|sk-proj-H1AAzf2cP5AavhXp5ocypfqXYgwyKcLdryQ14WgHmaVF1LiBJXUkflNjaqJMpe_GPCDTBnfIAsdLudWEYAFPBYHvP5RDMs1_M5LJGAMTW8IqUzW7i7vtzt6RAeU7WiUpoz3Ma1a_MFL_fFgztcc8ioGDiyjL⟧
  model: gpt-4o-mini
  max_tokens: 1024"""),
    ("yaml", """auth:
  jwt_secret: "${JWT_SECRET}"
  token_ttl: 3600
  refresh_token_ttl: 2592000"""),
    ("http", """POST /v1/chat/completions HTTP/1.1
Host: api.openai.com
Authorization: Bearer ⟦openai_api_key|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⟧
Content-Type: application/json
Content-Length: 412"""),
    ("http", """GET /api/v2/me HTTP/1.1
Host: app.example.com
Cookie: _ga=GA1.2.1234567890.1715683200; session=9c1f7e3a5b2d4f6a8c0e1b3d5f7a9c2e
X-Request-Id: 7f3a9c2e-1b4d-4e6f-8a0c-2d4f6a8c0e1b
User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15"""),
    ("http", """HTTP/1.1 200 OK
Date: Tue, 14 May 2024 10:15:32 GMT
Content-Type: application/json; charset=utf-8
ETag: W/"5e-2Kf8d0h3E9kLp7Q1mZ"
X-Forwarded-For: ⟦ipv4_address|81.2.69.160⟧, ⟦ipv4_address|10.0.0.1⟧
Server: nginx/1.25.4"""),
    ("http", """GET /download?file=report.pdf HTTP/1.1
Host: files.example.com
Authorization: ⟦http_basic_auth|Basic bHVrYXM6RmFsY29uYmx1ZTExMjgl⟧"""),
    ("http", """Set-Cookie: XSRF-TOKEN=eyJpdiI6IjNxT1ZtQ2R4In0; Path=/; Secure; SameSite=Lax
Strict-Transport-Security: max-age=31536000; includeSubDomains"""),
    ("log", """2024-05-14T10:15:32Z ERROR webhook delivery failed url=⟦slack_webhook|https://hooks.slack.com/services/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⟧ status=404"""),
    ("log", """[deploy] Pushing image registry.example.com/api:2024.05.14-3f9a2b1 ... done (digest sha256:4f3c2b1a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a)"""),
    ("log", """ERROR 2024-05-14 10:15:32 [mailer] SMTP auth failed for ⟦email_address|alerts@acme-corp.example⟧ on smtp.office365.com:587 (535 5.7.3 Authentication unsuccessful)"""),
    ("log", """INFO  2024-05-14 10:15:32 [sync] fetched 1532 records from https://api.partner.example/v2/customers?page=4&per_page=500 in 812 ms"""),
    ("log", """May 14 10:15:32 vpn01 charon: 09[IKE] ⟦ipv4_address|198.51.100.77⟧ is initiating an IKE_SA, remote host ⟦ipv6_address|2001:db8:498:3517::84d6⟧"""),
    ("log", """panic: runtime error: index out of range [5] with length 5

goroutine 1 [running]:
main.parse(0xc000012345, 0x5, 0x5)
	/app/main.go:42 +0x1d5
exit status 2"""),
    ("log", """Exception in thread "main" java.sql.SQLException: Access denied for user 'report'@'localhost' (using password: YES)
	at com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:130)"""),
    ("log", """Node.js v20.12.2
Error: connect ECONNREFUSED ⟦ipv4_address|127.0.0.1⟧:5432
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1595:16)"""),
    ("log", """INFO: card verification ok last4=1111 bin=411111 brand=visa 3ds=frictionless"""),
    ("csv", """date,description,amount,balance
2024-05-01,CARD PAYMENT TESCO STORES 3297,-23.45,1204.11
2024-05-02,FASTER PAYMENT FROM J SMITH REF 445566,150.00,1354.11
2024-05-03,DIRECT DEBIT VODAFONE LTD 88213377,-32.00,1322.11"""),
    ("csv", """contact,company,email,mobile
Jan Kowalski,Polbud,⟦email_address|jan.kowalski@polbud.example⟧,⟦phone_number|+48 512 345 678⟧
Eva Novak,Tatra,⟦email_address|eva.novak@tatra.example⟧,⟦phone_number|+420 601 123 456⟧"""),
    ("csv", """host,ip,mac,os
ws-0142,⟦ipv4_address|10.10.4.142⟧,⟦mac_address|3C-52-82-1F-AA-07⟧,Windows 11
ws-0143,⟦ipv4_address|10.10.4.143⟧,⟦mac_address|3C-52-82-1F-AA-08⟧,Windows 11"""),
    ("csv", """customer_id,name,card_last4,card_brand,exp
C-1001,R. Patel,4242,visa,12/27
C-1002,T. Okafor,4444,mastercard,03/26"""),
    ("csv", """Name;Geburtsdatum;Ort
Müller, Hans;⟦date_of_birth|12.03.1961⟧;Köln
Schmidt, Eva;⟦date_of_birth|30.11.1975⟧;Bonn"""),
    ("json", """{"shipment": {"tracking": "1Z999AA10123456784", "weight_kg": 2.4, "from": "DE-10115", "to": "FR-75001", "eta": "2024-05-17"}}"""),
    ("json", """{"invoice": {"number": "RE-2024-000871", "iban": "⟦iban|DE89370400440532013000⟧", "bic": "⟦swift_bic|COBADEFFXXX⟧", "amount": 1180.0}}"""),
    ("json", """{"bank_account": {"holder": "Lucía Fernández", "iban": "⟦iban|ES9121000418450200051332⟧"}}"""),
    ("json", """{"contact": {"email": "⟦email_address|support@example.org⟧", "phone": "⟦phone_number|+1 800 555 0199⟧", "hours": "9-17"}}"""),
    ("json", """{"kyc": {"pan": "⟦in_pan|FFSHX8057K⟧", "aadhaar_last4": "5435", "dob": "⟦date_of_birth|1992-02-27⟧"}}"""),
    ("json", """{"device": {"imei": "⟦imei|350414840619059⟧", "model": "Pixel 8", "os": "Android 14"}}"""),
    ("json", """{"items": [{"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "price": 1999}, {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "price": 2999}]}"""),
    ("json", """{"sha": "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3", "node_id": "C_kwDOAJy2KtoAKGE5NGE4ZmU1Y2NiMTliYTYxYzRjMDg3M2QzOTFlOTg3OTgyZmJiZDM", "url": "https://api.github.com/repos/octo/hello/commits/a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"}"""),
    ("prompt", """I'm getting "invalid_api_key" from the API. Here's how I call it, what's wrong?

import anthropic
client = anthropic.Anthropic(api_key="⟦anthropic_api_key|sk-ant-api03-l7jRmXzqnL73WfbzSsv2_UIh18GiQhJdqilw-NyK_hPA6FXBeIWG8XL2BscbFu9ZYi49SbIz0_516fuIKYRSPuwiPSVqxAA⟧")"""),
    ("prompt", """Summarize: "Patient Jane Roe (MRN 000482913, DOB ⟦date_of_birth|1975-11-23⟧) presented with chest pain. ECG normal. Troponin negative x2. Discharged."""),
    ("prompt", """Classify this support message: "Hi, I changed my bank, new IBAN is ⟦iban|GB82 WEST 1234 5698 7654 32⟧, please use it for the next payout. Thanks, Amir" """),
    ("prompt", """Extract the fields as JSON: "Name: Chen Jing, Passport: ⟦passport_number|E12345678⟧, Nationality: CHN, Phone: ⟦phone_number|+86 138 0013 8000⟧" """),
    ("prompt", """Is this a valid credit card number? ⟦credit_card|4111-1111-1111-1111⟧"""),
    ("prompt", """Write unit tests for a function that validates UK postcodes like SW1A 1AA and EC1A 1BB."""),
    ("prompt", """Convert this cURL to Python requests: curl -H "X-Api-Key: $API_KEY" https://api.example.com/items?limit=50"""),
    ("prompt", """Proofread: "Our new office phone number is ⟦phone_number|+44 20 7946 0958⟧ and the fax is ⟦phone_number|+44 20 7946 0959⟧." """),
    ("prompt", """Why does my regex \\d{3}-\\d{2}-\\d{4} also match 123-45-67890?"""),
    ("chat", """hey, prod db password is ⟦password_in_config|password=Tr0ub4dor&3x⟧ — rotate after the migration"""),
    ("chat", """the staging login is admin / Summer2024! — don't tell security lol"""),
    ("chat", """ping me on slack or at ⟦email_address|ops-oncall@example.com⟧"""),
    ("chat", """I pushed the fix in 9fceb02, can you re-run job 48213?"""),
    ("chat", """His SSN is ⟦us_ssn|432-56-7890⟧, can you check the W-2?"""),
    ("chat", """SSN ending 7890 verified, thanks"""),
    ("chat", """ok so the new vlan is ⟦ipv4_address|10.20.0.0⟧/16, gateway ⟦ipv4_address|10.20.0.1⟧"""),
    ("chat", """use version 1.2.3 of the chart, not 1.2.30"""),
    ("email", """Hello,
Please wire the deposit to:
Account name: Casa Azul Lda
IBAN: ⟦iban|PT50 0002 0123 1234 5678 9015 4⟧
SWIFT/BIC: ⟦swift_bic|CGDIPTPL⟧
Thank you, Rita"""),
    ("email", """Hi Mark, the new joiner's details: Jane Smith, ⟦email_address|jane.smith@example.com⟧, mobile ⟦phone_number|+1 415 555 0132⟧, start 1 July. Laptop asset tag LT-00871."""),
    ("email", """Your Amazon.de order 302-4839201-2209185 of 14 May 2024 has been dispatched. Estimated delivery: 16 May."""),
    ("email", """Your Uber receipt: trip on 14/05/2024 from 52.5200° N, 13.4050° E, total €18.40, card •••• 4242."""),
    ("email", """Confirmation: appointment booked for 21.05.2024 at 10:30. Booking reference 7X9-K2P. Call ⟦phone_number|+49 30 901820⟧ to cancel."""),
    ("email", """Reminder: password expires in 7 days. Reset at https://id.example.com/reset. IT Service Desk, ext. 4471."""),
    ("email", """Beste klant, uw factuur F2024-00871 van € 181,50 wordt op 20-05-2024 afgeschreven van rekening ⟦iban|NL91 ABNA 0417 1643 00⟧."""),
    ("email", """Bonjour, votre commande n° 2024051400123 est expédiée. Suivi : 6A12345678901."""),
    ("email", """Sehr geehrter Herr Klein, Ihre Kundennummer lautet 100234771. Ihre Vertragsnummer: V-2024-0815-4711."""),
    ("ticket", """SEC-118: found ⟦github_token|ghs_dtRIGs0JXXSRjaooDUFxsce4GefJlEJcUiuA⟧ in a public gist, revoked via GitHub API at 10:42 UTC."""),
    ("ticket", """SEC-119: credential scan false positive — the string EXAMPLEKEY123 in docs/example.md is a placeholder."""),
    ("ticket", """HR-2291: update emergency contact for employee 10231: Maria Lopez, phone ⟦phone_number|(312) 555-0147⟧."""),
    ("ticket", """FIN-771: vendor changed bank details. Old: ⟦iban|DE89 3704 0044 0532 0130 00⟧, new: ⟦iban|DE22 4340 6385 7834 8089 07⟧. Verified by phone callback."""),
    ("ticket", """IT-4410: user cannot VPN. Client IP ⟦ipv4_address|203.0.113.45⟧, assigned ⟦ipv4_address|10.8.0.14⟧, MAC ⟦mac_address|7a:d1:df:69:24:21⟧."""),
    ("code", """# test data, all fake
TEST_SSN = "000-00-0000"
TEST_CARD = "4111 1111 1111 1112"
TEST_IBAN = "DE00 0000 0000 0000 0000 00"
"""),
    ("code", """const config = {
  apiKey: process.env.FIREBASE_API_KEY,
  authDomain: "acme-app.firebaseapp.com",
  projectId: "acme-app",
  appId: "1:123456789012:web:abcdef0123456789"
};"""),
    ("code", """const firebaseConfig = {
  apiKey: "⟦gcp_api_key|AIzaM-u8VkrzrHE96B8sq8t90zNBrR9YAnwJf5u⟧",
  authDomain: "acme-app.firebaseapp.com",
};"""),
    ("code", """if err := db.Ping(); err != nil {
    log.Printf("db unreachable: %v (dsn=%s)", err, redact(dsn))
}"""),
    ("code", """@pytest.fixture
def user():
    return User(email="⟦email_address|test@example.com⟧", password="test")"""),
    ("code", """-- seed.sql
INSERT INTO users (id, email, phone) VALUES
  (1, '⟦email_address|alice@example.com⟧', '⟦phone_number|+1 212 555 0101⟧'),
  (2, '⟦email_address|bob@example.com⟧', '⟦phone_number|+1 212 555 0102⟧');"""),
    ("code", """docker run -e ⟦password_in_config|POSTGRES_PASSWORD=Hy7!kQ2wLp9z⟧ -p 5432:5432 postgres:16"""),
    ("code", """helm install grafana grafana/grafana --set ⟦password_in_config|adminPassword=Gr4f!na2024x⟧"""),
    ("code", """az login --service-principal -u 0f8fad5b-d9cb-469f-a165-70867728950e ⟦password_in_config|--password Qz8~vK2.mL5_pR9-xT3⟧ --tenant acme.onmicrosoft.com"""),
    ("env", """NEXT_PUBLIC_API_URL=https://api.example.com
NEXT_PUBLIC_SENTRY_DSN=https://abc123@o123.ingest.sentry.io/456
NEXTAUTH_⟦generic_secret|SECRET=Jx7Qp2Lm9Vz4Rt8Wn3Kb6Yc1Hd5Gs0Fa⟧"""),
    ("env", """AZURE_STORAGE_KEY=⟦azure_storage_key|Xh2MbCHlPg5jo9IneqsUPsbcyVAEzoqqfmQYlwwk8rE8/sbO7Btw9vKD44OL1XeRpwlJFvPnaP0l1kCbiVc/rc==⟧"""),
    ("env", """JWT_TOKEN=⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4OTkzNjMiLCJuYW1lIjoiamFtZXMiLCJpYXQiOjE3MDc0NDk0NjJ9.k5J01bAYLV4aorSUdrcnY31Kzv96J5JfpUF7lNlVbG4⟧"""),
    ("env", """GOOGLE_APPLICATION_CREDENTIALS=/secrets/sa.json
GCP_PROJECT=acme-prod-123456"""),
    ("neg", """Plate numbers: B-MW 1234, M-AB 567; VIN WVWZZZ1JZXW000001"""),
    ("neg", """Chassis 1HGCM82633A004352, engine no. K24A2-1234567"""),
    ("neg", """Wikipedia revision 1223344556, page id 48213, oldid=1223344000"""),
    ("neg", """AWS account 123456789012, ARN arn:aws:iam::123456789012:role/ReadOnly, vpc-0a1b2c3d4e5f67890"""),
    ("neg", """Stripe object ids: cus_Nf83kLx0aB, pi_3P8Xq2LkdIwHu7ix1XyZ, pm_1P8Xq2LkdIwHu7ixAbCd, price_1OaBcDeFgHiJkLmN"""),
    ("neg", """S3 ETag "d41d8cd98f00b204e9800998ecf8427e-12", VersionId 3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"""),
    ("neg", """Trace id 4bf92f3577b34da6a3ce929d0e0e4736, span id 00f067aa0ba902b7"""),
    ("neg", """Phone-like product codes: 030-9018-20A, 0800-FLOWERS, 1-800-GOT-JUNK"""),
    ("neg", """Temperatures: 21.5 °C at 06:00, 27.8 °C at 14:00, humidity 54 %"""),
    ("neg", """Screen 2560x1440, refresh 144 Hz, model 27GL850-B, firmware 2.0.1.3"""),
    ("neg", """Pfizer lot FK5618, exp 2024-08-31; Moderna lot 039K20A"""),
    ("neg", """Train ICE 1049 departs Berlin Hbf 10:34 from platform 13, coach 7, seat 61"""),
    ("neg", """The quick brown fox jumps over the lazy dog 1234567890 times."""),
    ("neg", """Git tags: v2.31.0, v2.32.3-rc.1, release/2024.05"""),
    ("neg", """Matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] determinant 1"""),
    ("neg", """IPv6 prefix notation in docs: ::/0, fe80::/10, 2001:db8::/32"""),
    ("neg", """Time range 10:15:32-10:16:04, duration 00:00:32"""),
    ("neg", """Account settings > Security > Two-factor authentication (enabled since 2021)"""),
]

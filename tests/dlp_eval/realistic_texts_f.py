# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate)
"""Hand-written carrier texts, part F: diffs, notebooks, HTML, chat exports, READMEs, and
look-alikes next to the words that usually label a value.

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("diff", """diff --git a/config/settings.py b/config/settings.py
index 3f9a2b1..8c7d6e5 100644
--- a/config/settings.py
+++ b/config/settings.py
@@ -12,7 +12,7 @@ DEBUG = False
-SENDGRID_KEY = os.environ["SENDGRID_KEY"]
+SENDGRID_KEY = "⟦sendgrid_api_key|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⟧"
 DEFAULT_FROM = "⟦email_address|noreply@example.com⟧\""""),
    ("diff", """@@ -1,4 +1,4 @@
-version: 1.4.2
+version: 1.4.3
 dependencies:
-  requests==2.31.0
+  requests==2.32.3"""),
    ("notebook", """{"cells": [{"cell_type": "code", "source": ["import openai\\n", "openai.api_key = \\"⟦openai_api_key|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⟧\\"\\n"], "outputs": [{"text": ["<OpenAIObject at 0x7f3a9c2e1b40>"]}]}]}"""),
    ("notebook", """{"cells": [{"cell_type": "code", "execution_count": 14, "source": ["df.groupby('country')['revenue'].sum()"], "outputs": [{"data": {"text/plain": ["DE    1204331.50\\nFR     918902.10\\n"]}}]}]}"""),
    ("html", """<p>Questions? Write to <a href="mailto:⟦email_address|support@example.com⟧">⟦email_address|support@example.com⟧</a> or call <a href="tel:⟦phone_number|+14155550132⟧">⟦phone_number|+1 415 555 0132⟧</a>.</p>"""),
    ("html", """<form action="/login" method="post"><input type="password" name="password" placeholder="Password"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>"""),
    ("html", """<tr><td>Name</td><td>Sofia Rossi</td></tr><tr><td>Codice fiscale</td><td>⟦it_codice_fiscale|FPPGTV88R11H013U⟧</td></tr><tr><td>IBAN</td><td>⟦iban|IT60 X054 2811 1010 0000 0123 456⟧</td></tr>"""),
    ("chat-export", """[{"ts": "1715683200.123456", "user": "U024BE7LH", "text": "deploying now, token is ⟦slack_token|xoxb-46228572874-460009612911-QmXe9nNxSvUOMCHaB5Y52uwl⟧ if you need it"}, {"ts": "1715683260.000200", "user": "U0G9QF9C6", "text": "pls don't paste tokens here :facepalm:"}]"""),
    ("chat-export", """[{"ts": "1715683300.000300", "user": "U024BE7LH", "text": "meeting moved to 3pm, room 4.12"}]"""),
    ("readme", """## Configuration

Copy `.env.example` to `.env` and fill in:

```
OPENAI_API_KEY=sk-...
DATABASE_URL=postgres://user:password@localhost:5432/app
SECRET_KEY=change-me
```"""),
    ("readme", """### Test cards

Use `⟦credit_card|4242 4242 4242 4242⟧` with any future expiry and any CVC in test mode. Do not use real card numbers."""),
    ("readme", """Example request:

    curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/users/42"""),
    ("support", """Agent: Thanks for holding. Can you confirm the email on the account?
Customer: it's ⟦email_address|pat.obrien@example.ie⟧
Agent: And the last four digits of the card?
Customer: 1881
Agent: Perfect, I've issued a refund of €42.50. Reference RFND-2024-00871."""),
    ("support", """Customer: my phone number changed, new one is ⟦phone_number|07911 123456⟧
Agent: Updated. Anything else?
Customer: no thanks"""),
    ("support", """Customer: I was charged for order 3029384-12 twice, card ending 4444
Agent: I see two authorizations; one will drop off in 3-5 business days."""),
    ("support", """Kunde: Meine neue Bankverbindung lautet ⟦iban|DE22434063857834808907⟧, bitte ab Juni verwenden.
Agent: Danke, ist hinterlegt."""),
    ("support", """Client : mon numéro de téléphone est le ⟦phone_number|07 81 23 45 67⟧, et mon adresse e-mail ⟦email_address|c.bernard@example.fr⟧."""),
    ("support", """Cliente: mi número es ⟦phone_number|+34 699 12 34 56⟧, llámame por la tarde."""),
    ("prompt", """Please anonymize the following record before I share it with the vendor:
Name: Thomas Müller; Email: ⟦email_address|t.mueller@example.de⟧; Telefon: ⟦phone_number|+49 171 1234567⟧; Geburtsdatum: ⟦date_of_birth|14.07.1982⟧; IBAN: ⟦iban|DE89 3704 0044 0532 0130 00⟧"""),
    ("prompt", """Parse this log line into JSON fields: 2024-05-14T10:15:32Z ⟦ipv4_address|203.0.113.9⟧ GET /api/v1/items 200 512"""),
    ("prompt", """My code fails with 'Invalid IBAN'. What's wrong with this test value? DE89 3704 0044 0532 0130 01"""),
    ("prompt", """What's the format of a Swedish personnummer? For example YYMMDD-NNNC."""),
    ("prompt", """Explain how Luhn works using the number 79927398713 as the example."""),
    ("prompt", """Here is my resume, make it one page:
Jane Park — ⟦email_address|jane.park@example.com⟧ — ⟦phone_number|(646) 555-0143⟧ — linkedin.com/in/janepark
Experience: Data Engineer at Initech (2019–2024)..."""),
    ("log", """2024-05-14 10:15:32,118 ERROR [celery] Task send_sms[5f3c] raised: TwilioRestException: Unable to create record: The 'To' number ⟦phone_number|+15005550006⟧ is not a valid phone number."""),
    ("log", """2024-05-14 10:15:32 INFO  user.signup email=⟦email_address|new.user+test@example.com⟧ country=DE referrer=google utm_campaign=spring24"""),
    ("log", """[14/May/2024 10:15:32] "POST /api/auth/login HTTP/1.1" 401 58 {"username": "jdoe", "password": "[FILTERED]"}"""),
    ("log", """Started POST "/users" for ⟦ipv4_address|127.0.0.1⟧ at 2024-05-14 10:15:32 +0200
Processing by UsersController#create as HTML
  Parameters: {"user"=>{"email"=>"⟦email_address|jane@example.com⟧", "password"=>"[FILTERED]"}}"""),
    ("log", """AWS_ACCESS_KEY_ID not set; falling back to instance profile arn:aws:iam::123456789012:instance-profile/app"""),
    ("log", """2024-05-14 10:15:32 DEBUG HikariPool-1 - Added connection conn0: url=jdbc:postgresql://⟦ipv4_address|10.20.0.15⟧:5432/app user=app"""),
    ("csv", """"Transaction ID","Date","Card","Amount"
"T-000871","2024-05-14","VISA ****1111","42.50"
"T-000872","2024-05-14","MC ****4444","18.00\""""),
    ("csv", """iban,holder,mandate_date
⟦iban|FR7630006000011234567890189⟧,Atelier Roux,2024-01-15
⟦iban|BE71096123456769⟧,Brasserie Dupont,2024-02-01"""),
    ("json", """{"data": {"viewer": {"login": "octocat", "email": "⟦email_address|octocat@example.com⟧", "createdAt": "2011-01-25T18:44:36Z", "databaseId": 583231}}}"""),
    ("json", """{"error": {"code": 402, "message": "Your card was declined.", "decline_code": "insufficient_funds", "charge": "ch_3P8Xq2LkdIwHu7ix0aBcDeFg", "last4": "0002"}}"""),
    ("json", """{"geo": {"ip": "⟦ipv4_address|81.2.69.142⟧", "country": "GB", "city": "London", "lat": 51.5142, "lon": -0.0931, "asn": 20712}}"""),
    ("json", """{"token": {"access_token": "⟦jwt|eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyNzA5MTAiLCJuYW1lIjoib21hciIsImlhdCI6MTc5NDQzMzUxNX0.9bPwA68ILfQcWX2kpMR-rnrojsDlHMuFNqc5OpRRsOJ⟧", "token_type": "Bearer", "expires_in": 3600}}"""),
    ("json", """{"type": "service_account", "project_id": "acme-ml", "private_key_id": "⟦gcp_service_account|c2afaa8a9ec6b5e96c940855d513008ec2b2b316⟧", "private_key": "⟦private_key|-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Zk9mQ2x1dGhlcjRm\\nYW5jeVJhbmRvbUtleTEyMzQ1Njc4OTBhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\\n-----END PRIVATE KEY-----⟧\\n", "client_email": "⟦email_address|ml@acme-ml.iam.gserviceaccount.com⟧"}"""),
    ("yaml", """# .github/workflows/deploy.yml
env:
  AWS_REGION: eu-west-1
  IMAGE: ghcr.io/acme/api:${{ github.sha }}
jobs:
  deploy:
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}"""),
    ("yaml", """# ansible inventory
all:
  hosts:
    web1:
      ansible_host: ⟦ipv4_address|192.0.2.10⟧
      ansible_user: deploy
      ⟦password_in_config|ansible_password: Dq8!vL2xKm7z⟧"""),
    ("ini", """[mysqld]
bind-address = 0.0.0.0
port = 3306
max_connections = 500"""),
    ("neg", """Phone model: iPhone 15 Pro (A3102), storage 256 GB, IMEI not provided"""),
    ("neg", """Tel Aviv office opens at 09:00; Telford warehouse ships by 15:00."""),
    ("neg", """Account number format: 8 digits, sort code format: 6 digits (XX-XX-XX)."""),
    ("neg", """Passport photo requirements: 35 x 45 mm, taken within the last 6 months."""),
    ("neg", """SSN format is AAA-GG-SSSS; never store it in plain text."""),
    ("neg", """Date of birth field is optional since release 2024.05.14"""),
    ("neg", """Card ending 4242 expires 12/27; update it under Billing > Payment methods."""),
    ("neg", """The IBAN field accepts up to 34 alphanumeric characters without spaces."""),
    ("neg", """Employee count 1204, payroll run 2024-05 completed, next run 2024-06-28"""),
    ("neg", """NHS 111 is the non-emergency number; in an emergency dial 999."""),
    ("neg", """Call 911 in an emergency, or 988 for the crisis line."""),
    ("neg", """Medicare Part B premium for 2024 is $174.70 per month."""),
    ("neg", """Diagnosis codes are maintained by WHO; the 2024 release adds 12 codes."""),
    ("neg", """The routing table has 4 entries; route 10 is the default."""),
    ("neg", """License: MIT. Copyright (c) 2019-2024 Acme Corp."""),
    ("neg", """Tax ID will be requested at checkout for business customers."""),
]

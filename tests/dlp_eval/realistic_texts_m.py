# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part M: adversarial-but-realistic edge cases. Real values in
awkward places (first or last characters of a text, brackets, quotes, markdown code, URL paths
and query strings, HTML attributes next to entities, YAML block scalars, quoted CSV cells, deeply
nested JSON, unusual separators, upper/lower case, line breaks between keyword and value),
several sensitive values side by side, and hard look-alikes that fail a checksum or only share
the shape (build numbers, OIDs, order and part numbers, placeholder tokens, hashes, UUIDs).

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    # ---- values at the very start / very end of a text ------------------------------------
    ("chat", """⟦iban|DE58764782866186077316⟧ ← das ist das neue Konto für die Kaution, nicht mehr das alte bei der Sparkasse. BIC ist ⟦swift_bic|DEUTDEDBBER⟧, falls das Formular danach fragt"""),
    ("email", """Hi Marta,

quick one before I head to the airport: if anything goes wrong with the hotel booking tonight, tell the front desk to call me directly, not the office line (that one goes to voicemail after 18:00). My mobile is ⟦phone_number|+34 622 18 45 90⟧"""),
    ("log", """⟦ipv4_address|198.51.100.23⟧ - - [02/Jun/2024:09:14:02 +0000] "GET /newsletter/confirm?email=⟦email_address|maria.sanchez@example.es⟧&lang=es&utm_source=mailchimp HTTP/1.1" 302 0 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.112 Safari/537.36" rt=0.004"""),
    ("chat", """ok here it is: ⟦iban|de54 9571 8339 6981 1934 66⟧ (sorry, typing on my phone, no caps)"""),
    ("email", """Please forward the signed NDA to "Lena Brandt" <⟦email_address|lena.brandt@example.de⟧> and cc legal — not me, I'm out until the 17th."""),
    ("sms", """Hi it's Dana from Brightside Dental, running 15 min late for your 3:30. If you need to reschedule just call or text ⟦phone_number|212.555.0187⟧"""),
    # ---- brackets, quotes, markdown code ---------------------------------------------------
    ("ticket", """[SUP-20931] Refund landed on the wrong card
Customer (⟦email_address|r.okafor@example.org⟧) says the partial refund of €41.60 went to an old card [⟦credit_card|5173-1103-2959-5935⟧] instead of the Visa she paid with for order 114-3941689-6205381. Please check the PSP token mapping before we reissue anything."""),
    ("chat", """Found this in #platform while doing the quarterly audit:

> anyone know why `aws s3 ls s3://acme-exports` gives AccessDenied? I exported `AWS_ACCESS_KEY_ID=⟦aws_access_key_id|AKIAKYTNTHN7W6MELHQP⟧` and put the secret in ~/.aws/credentials like the wiki says

The `AKIAIOSFODNN7EXAMPLE` key quoted further down the thread is just the AWS docs example, ignore it. The first one is real though: IAM shows it was last used 2 hours ago. Deactivating now."""),
    ("chat", """the ingress still points at the old node: `curl -v http://⟦ipv4_address|10.42.0.17⟧:8443/healthz` times out, but the new one (`⟦ipv4_address|10.42.3.5⟧`) answers fine. kubectl says v1.29.4 on both"""),
    ("chat", """here's the cert key for the staging LB, paste it into the secret and delete this msg pls
```
⟦private_key|-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIB14TBF3OoN5B4q+2U5f50HLTBp1uJvlDmFUL/75z/sSoAoGCCqGSM49
AwEHoUQDQgAEpJ+Ef+z06qjqLI46ThMNP9T+XpjyGhOZ8WQ7j6504hnCUdzEXy28
yT9O88otgjux1aAM2Dd9LwB9m0Xk1WQHcg==
-----END EC PRIVATE KEY-----⟧
```"""),
    ("chat", """ok card is ⟦credit_card|3782-369039-62052⟧, name on card R. Villanueva, expiry 08/28. the CVV I'll read to you on the phone"""),
    # ---- unusual separators: arrow, pipe, tab, :=, middle dot -------------------------------
    ("email", """Hallo Frau Brandt,

bitte aktualisieren Sie meine Bankverbindung für die Nebenkostenabrechnung:
alt: ⟦iban|DE54 6477 6327 1078 9334 80⟧ → neu: ⟦iban|DE18 9181 8101 3957 9627 47⟧

Das alte Konto wird zum 30.06. aufgelöst.

Viele Grüße
Tobias Reuter"""),
    ("email", """Freundliche Grüsse

Nadia Gerber
Treuhand Gerber & Partner AG
IBAN ⟦iban|CH79 2946 6685 1600 4003 4⟧ · BIC ⟦swift_bic|UBSWCHZH80A⟧ · Tel. ⟦phone_number|+41 79 555 12 34⟧
MWST-Nr. CHE-116.281.710 MWST"""),
    ("email", """Hola Andrés, te paso los datos para la transferencia de la fianza:
Titular: Lucía Ferrer Soto | IBAN: ⟦iban|ES51 8920 8736 6102 1784 1184⟧ | BIC: ⟦swift_bic|CAIXESBBXXX⟧ | Móvil: ⟦phone_number|655 31 27 84⟧
Concepto: "fianza piso Ruzafa". Gracias!"""),
    ("csv", """emp_id\tlast_name\tfirst_name\tssn\tstate\tpay_group
E-20417\tNakamura\tKen\t⟦us_ssn|133881366⟧\tWA\tBW-A
E-20418\tAbernathy\tRuth\t⟦us_ssn|410-30-6191⟧\tOR\tBW-A
"""),
    ("code", """package partner

const baseURL = "https://api.partner-feeds.example/v2"

func NewClient() *Client {
\t⟦generic_secret|apiKey := "OLyeOfVMKNOggVWKx4F8rDfE4sE6vgkg⟧" // TODO read from env before merging
\treturn &Client{base: baseURL, key: apiKey, timeout: 15 * time.Second}
}"""),
    ("markdown", """| Role | Name | Phone | E-mail |
|---|---|---|---|
| Primary | S. Adeyemi | ⟦phone_number|+44 20 7946 0321⟧ | ⟦email_address|s.adeyemi@ops.acme.example⟧ |
| Secondary | L. Castro | ⟦phone_number|+1-646-555-0123⟧ | ⟦email_address|lcastro@ops.acme.example⟧ |
| Escalation | Duty manager | via PagerDuty | — |"""),
    ("log", """Jun  2 03:17:44 edge-fw01 filterlog: block in on wan0 tcp ⟦ipv4_address|192.0.2.141⟧:51344 → ⟦ipv4_address|10.0.8.14⟧:443 flags S rule 1000000103 (geo: NL, asn 60781)"""),
    # ---- line breaks between keyword and value -------------------------------------------
    ("email", """Hi Priya,

Thanks for sorting out the deposit so quickly. As discussed, please send the remaining balance by bank transfer rather than card. My IBAN is
⟦iban|GB05 NWBK 4436 7073 5735 75⟧ (or, if your bank prefers domestic details, sort code ⟦uk_sort_code|44-36-70⟧ and account number
⟦bank_account_number|73573575⟧).

Cheers,
Owen"""),
    ("prompt", """Help me fill in the ESTA application, these are my details: Olusegun Bakare, born
⟦date_of_birth|3 June 1979⟧ in Leeds, British citizen, passport number ⟦passport_number|548207731⟧ (expires 2031). Which of the fields are mandatory and which can I skip?"""),
    ("yaml", """- id: lead-88213
  company: Stadtwerke Nordheim
  stage: proposal
  notes: >
    Ansprechpartner bevorzugt Anrufe nach 17 Uhr auf dem Handy
    ⟦phone_number|+49-170-5566778⟧, nicht auf der Festnetznummer.
    Angebot v3 bis KW 24."""),
    # ---- URLs: query strings and paths ---------------------------------------------------
    ("log", """2024-06-03 11:02:44,918 INFO  [openbanking] GET /v1/accounts/⟦iban|AT176148306773787125⟧/transactions?from=2024-05-01&to=2024-05-31 -> 200 (143 ms, 57 items)"""),
    ("log", """[2024-06-02 14:55:09] legacy-pay: GET /pay/confirm.php?card=⟦credit_card|4915819961727707⟧&exp=0927&amt=49.00&cur=EUR&ref=INV-2024-0612 200 812b"""),
    ("log", """2024-06-01 22:10:05 WARN notifier: retrying POST https://api.telegram.org/bot⟦telegram_bot_token|1025324849:AAkB4LY8RbzIFb3esHaU9GFobZXX0_VC0aB⟧/sendMessage chat_id=-1001873265540 (429 Too Many Requests, retry_after=7)"""),
    ("html", """<script async defer src="https://maps.googleapis.com/maps/api/js?key=⟦gcp_api_key|AIzaSyac59Vim3F90foJegj0e0uuXAhKIdgJPgw⟧&callback=initMap&libraries=places&v=weekly"></script>"""),
    ("code", """$ git clone ⟦password_in_url|https://x-access-token:⟦github_token|ghp_Zuf5V66NZFyVWbyClGC2EuuZuW2pCZ0yP6bQ⟧@github.com⟧/acme/infra-live.git
Cloning into 'infra-live'...
remote: Enumerating objects: 4812, done.
remote: Counting objects: 100% (611/611), done."""),
    # ---- HTML attributes and entities ------------------------------------------------------
    ("html", """<form action="/kontakt/senden" method="post">
  <input type="hidden" name="rueckruf_nummer" value="⟦phone_number|+49 151 27384950⟧">
  <input type="hidden" name="formular" value="kontakt-2024-06">
</form>
<p>Rückfragen gerne an&nbsp;<a href="mailto:⟦email_address|vertrieb@kanzlei-hoffmann.example⟧">unser Sekretariat</a> oder telefonisch unter Tel.&nbsp;⟦phone_number|030 23125678⟧ (Mo&ndash;Fr 9&ndash;16&nbsp;Uhr).</p>"""),
    ("html", """<tr data-customer-id="88213"><td>M.&nbsp;Okafor</td><td><a href="tel:⟦phone_number|+13035550164⟧">call</a></td><td title="⟦email_address|m.okafor@example.com⟧">e-mail</td><td>since&nbsp;2019</td></tr>"""),
    # ---- YAML block scalars / config -------------------------------------------------------
    ("yaml", """# group_vars/bastion.yml  (TODO: move to ansible-vault!!)
deploy:
  host: bastion.eu-central.acme.example
  user: ci
  ssh_private_key: |
    ⟦private_key|-----BEGIN OPENSSH PRIVATE KEY-----
    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
    QyNTUxOQAAACD4z020FWlRbZrc97WFb2dhMhPr43JxXBLLSTdBXwnruwAAAJBc/f/9XP3/
    /QAAAAtzc2gtZWQyNTUxOQAAACD4z020FWlRbZrc97WFb2dhMhPr43JxXBLLSTdBXwnruw
    AAAEA2+2yAodDC7oD3LM8lSsGEsQMXC/ZP7Wu9CMi9SBqnYfjPTbQVaVFtmtz3tYVvZ2Ey
    E+vjcnFcEstJN0FfCeu7AAAACWRlcGxveUBjaQECAwQ=
    -----END OPENSSH PRIVATE KEY-----⟧
  ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPjPTbQVaVFtmtz3tYVvZ2EyE+vjcnFcEstJN0FfCeu7 deploy@ci"""),
    ("yaml", """receivers:
  - name: slack-prod
    slack_configs:
      - api_url: '⟦slack_webhook|https://hooks.slack.com/services/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⟧'
        channel: '#alerts-prod'
        send_resolved: true
        title: '{{ .CommonLabels.alertname }} ({{ .Status }})'"""),
    ("yaml", """services:
  api:
    image: ghcr.io/acme/orders-api:2.14.1
    environment:
      DATABASE_URL: "⟦db_connection_string|postgresql://orders_rw:Fq2!vN8xLz4pQ@orders-db:5432⟧/orders?sslmode=disable"
      REDIS_URL: redis://cache:6379/0
  orders-db:
    image: postgres:16.3
    environment:
      POSTGRES_USER: orders_rw
      ⟦password_in_config|POSTGRES_PASSWORD: Fq2!vN8xLz4pQ⟧"""),
    ("ini", """[reporting]
; read-only replica, do not point writers here
dsn = ⟦db_connection_string|postgresql://report_ro:Zc8#mW2qLp5t@[⟦ipv6_address|2001:db8:4f1::23⟧]:5432⟧/dwh?target_session_attrs=read-only
pool_size = 4

[mailer]
host = smtp.office365.com
user = reports
⟦password_in_config|smtp_password = Hq5!wZ2nRk8v⟧"""),
    # ---- CSV cells with quotes -------------------------------------------------------------
    ("csv", """"id","name","email","iban","memo"
"1042","Dubois, Camille","⟦email_address|camille.dubois@example.fr⟧","⟦iban|FR7675309265185735235382346⟧","acompte ""atelier"" juin"
"1043","Okonkwo, Chidi","⟦email_address|chidi.okonkwo@example.com⟧","⟦iban|IE93BOFI63616250946368⟧","ref RF18 5390 0754 7034"
"""),
    # ---- JSON nested three levels or deeper ------------------------------------------------
    ("log", """2024-06-02T08:41:17.552Z ERROR checkout-svc [req 3f9c1d2e-8b7a-4c55-9e61-0d2f4a7b9c13] PSP rejected payload: {"order": {"payment": {"card": {"number": "⟦credit_card|4816797398838109⟧", "exp_month": 11, "exp_year": 2027, "holder": "M KOWALCZYK"}, "amount": 12990, "currency": "EUR"}, "client": {"ip": "⟦ipv4_address|203.0.113.77⟧", "ua": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X)"}}}"""),
    ("json", """{"applicant": {"identity": {"tax": {"ssn": "⟦us_ssn|646-71-9786⟧", "itin": null}, "name": {"first": "Maya", "last": "Goldberg"}}}, "status": "pending_review", "submitted": "2024-05-29T16:04:11Z"}"""),
    ("json", """{"device": {"hardware": {"network": {"wifi_mac": "⟦mac_address|F4:5A:8F:C0:D5:56⟧", "last_ip": "⟦ipv4_address|10.31.7.202⟧"}, "imei": "⟦imei|359784613362553⟧", "serial": "R58N91KXZ2T"}, "os": "Android 14 (UP1A.231005.007)", "enrolled": "2024-02-19T10:22:31Z"}}"""),
    ("json", """{
  "Logging": { "LogLevel": { "Default": "Information" } },
  "Storage": {
    "Blob": {
      "Primary": "⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=acmeinvoicesprd;AccountKey=nBbeQy7hJov3BEBiWvVgLUrRuP2JAIa5YC/PDi6s0Xip4KQEurv/aGFKMv3Tp3ldmQv2DAi9IAbQcO88aZBqWA==;EndpointSuffix=core.windows.net⟧",
      "Container": "invoices"
    }
  }
}"""),
    ("prompt", """pasting the top of the key file so you can see which service account it is (I cut the private key off, obviously):
{
  "type": "service_account",
  "project_id": "acme-dwh-prod",
  "private_key_id": "⟦gcp_service_account|b21edb8c39d81315421af26e41d344dc16981cc8⟧",
  "client_email": "⟦email_address|looker-export@acme-dwh-prod.iam.gserviceaccount.com⟧",
  "client_id": "104772294816533028841",
why does Looker say "invalid_grant: account not found"?"""),
    # ---- secrets in shells, CI logs and code ------------------------------------------------
    ("env", """# billing-worker
export STRIPE_PUBLISHABLE_KEY='pk_live_51nO9R4el1SQpFtpgOdT4E7oPMiJuV0tcf16eLK4pebu0QOiGoAycpEIkdAWDfYNwccJjhQfgHtvkARzZy4mq4Mif5J2r7o8li5'
export STRIPE_SECRET_KEY='⟦stripe_key|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⟧'
export STRIPE_WEBHOOK_TOLERANCE=300"""),
    ("code", """import requests

PROXIES = {
    "http": "⟦password_in_url|http://svc-crawler:Tm4%23rQ8vLx@proxy.corp.example:8080⟧",
    "https": "⟦password_in_url|http://svc-crawler:Tm4%23rQ8vLx@proxy.corp.example:8080⟧",
}
resp = requests.get("https://status.partner.example/api/v1/health", proxies=PROXIES, timeout=10)"""),
    ("shell", """curl -sS -H 'Authorization: ⟦http_basic_auth|Basic c3ZjLWJhY2t1cDpLdTcjcEwybVdxOXg=⟧' "https://backup.acme.example/api/v1/snapshots?limit=5" | jq '.items[].id'"""),
    ("http", """GET /account/settings HTTP/2
Host: app.acme.example
User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15
Cookie: _ga=GA1.2.1187342207.1717318400; session=⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzQ4MjEzIiwicm9sZSI6InN1cHBvcnQiLCJpYXQiOjE3MTU2ODMyMDAsImV4cCI6MTcxNTY4NjgwMH0.1qYf87IrqJ4c6udr34Ss236dUNrz1vmVae0D8KckxQU⟧; theme=dark
Accept-Language: de-DE,de;q=0.9,en;q=0.8"""),
    ("prompt", """why does this return 401 invalid_api_key?? i literally just created the key 5 minutes ago

from openai import OpenAI
client = OpenAI(api_key="⟦openai_api_key|sk-proj-lPaiCmLlpUFN2Am0w6yHflSHZLQlGondnF7im16K0R00z5-m5yYjGO_k7hwFuK8B34_kJQdSu_nkNBZCXjmjJ44Z8-GEx1Oge_UMF_EheulNCa1SQdS0v77fxOOHqAT9PBGvBHcap3E-RYnK-dXseN9K2X4e⟧")
print(client.models.list())"""),
    ("json", """  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\\n",
    "os.environ[\\"ANTHROPIC_API_KEY\\"] = \\"⟦anthropic_api_key|sk-ant-api03-ZzGoFiewlM0pr5dkOUWEn3xAHdjC9z5OzFNFOkXOQdmSfh8nS8DInLxQnZVil0-mH2A4KIUTIKvjOwSR0PEBUPPc4T8VCAA⟧\\"\\n",
    "client = anthropic.Anthropic()"
   ]
  },"""),
    ("config", """@acme:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=${GITHUB_PACKAGES_TOKEN}
//registry.npmjs.org/:_authToken=⟦npm_token|npm_9KDzCInTGwosrpJYE06ZqyiStkZ3W8j9B4oT⟧
always-auth=true"""),
    ("log", """Run docker login -u acmebot -p ⟦dockerhub_token|dckr_pat_9u5S6YjUwbmxOMoHZy-gZrQQekP⟧
WARNING! Using --password via the CLI is insecure. Use --password-stdin.
Login Succeeded
Run huggingface-cli login --token ⟦huggingface_token|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⟧ --add-to-git-credential
Token is valid (permission: write)."""),
    ("env", """TWILIO_ACCOUNT_SID=ACa8121c4d07724e9a17d0a38833c89abf
TWILIO_AUTH_TOKEN=⟦twilio_auth_token|aa3d73d231520e4303477a74c9de28ab⟧
TWILIO_API_KEY=⟦twilio_api_key|SK37e31ac492d3684a50acd76135c365c9⟧
TWILIO_FROM_NUMBER=⟦phone_number|+14375550129⟧"""),
    ("shell", """  501  cd ~/work/infra
  502  export VAULT_ADDR=https://vault.acme.example:8200
  503  export VAULT_TOKEN=⟦vault_token|hvs.CAESI8G5L02y7o8LbxoxJTaFqWvxsMAOdv5xUVKAjzjTL6LHtl673FEEjADbiLsG0ew9bbuZJCJXO8GYU5hIWhxeKr8⟧
  504  vault kv get -field=url secret/ci/artifactory
  505  history | tail"""),
    ("code", """# TODO(ops): move to Secrets Manager before the SOC2 audit
# bot token: ⟦slack_token|xoxb-84191372760-258777506528-74P7z2ft6rrOcRcEcTvW3UE8⟧
SLACK_CHANNEL_ID = "C04QK2M7T1A"
client = WebClient(token=os.environ["SLACK_BOT_TOKEN"])"""),
    ("chat", """Variables for the mirror job (Settings → CI/CD → Variables):
MIRROR_USER | project_bot_4471
MIRROR_TOKEN | ⟦gitlab_token|glpat-W4Nym8XE8vxmp-ZbwrVr⟧ | masked: no (!!)
can someone with maintainer rights flip that to masked + protected?"""),
    ("code", """<?php
return [
    'mail' => [
        'driver' => 'sendgrid',
        'sendgrid_key' => '⟦sendgrid_api_key|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⟧',
        'from' => ['address' => '⟦email_address|no-reply@lakeshore-print.example⟧', 'name' => 'Lakeshore Print'],
    ],
];"""),
    # ---- upper / lower case, compact and dotted formats --------------------------------------
    ("log", """*** CUSTOMER MASTER RECORD ***
CUST-NO....: 0048213377
NAME.......: WEBER, JONAS
DOB........: ⟦date_of_birth|14.02.1987⟧
EMAIL......: ⟦email_address|JONAS.WEBER@EXAMPLE.DE⟧
SEGMENT....: RETAIL / DOCUMENT STATUS OK
LAST-UPD...: 2024-05-31 23:58:07"""),
    ("chat", """if anyone wants to chip in for the server costs: BTC ⟦bitcoin_address|3QeJ4yQJSYoVFzyueauvuhZgLoiqipvTgU⟧ (or ping me for a lightning invoice)"""),
    ("ocr", """OCR result (confidence 0.97):
P<GBRHOLLOWAY<<JUNE<ELIZABETH<<<<<<<<<<<<<<<
⟦passport_mrz|5331982047GBR8702148F3105227<<<<<<<<<<<<<<08⟧"""),
    # ---- several sensitive values side by side, several languages ---------------------------
    ("email", """Bonjour Madame Laurent,

Suite à notre échange, voici les éléments pour mon dossier de mutuelle : je suis né le ⟦date_of_birth|23/09/1984⟧ à Nantes, mon numéro de sécurité sociale est le ⟦fr_nir|1 84 09 44 109 237 13⟧ et le RIB pour les remboursements : ⟦iban|FR76 9700 1404 7728 4106 3931 239⟧.

Vous pouvez me joindre au ⟦phone_number|06 45 78 12 90⟧ après 18 h.

Cordialement,
Julien Morel"""),
    ("email", """Hola Javier:

Te paso los datos para el alta en la mutua. Mi DNI es ⟦es_dni|36536135Z⟧ y el de mi pareja (es francesa, tiene NIE) ⟦es_nie|X1854327K⟧. Para cualquier cosa, mi móvil es el ⟦phone_number|+34 655 31 27 84⟧.

Un saludo,
Lucía"""),
    ("hr", """Personalfragebogen – Neueinstellung
Name:\tKerstin Albrecht
Geburtsdatum:\t⟦date_of_birth|09.11.1983⟧
Steuer-ID:\t⟦de_tax_id|68 955 035 174⟧
Bankverbindung:\t⟦iban|DE46 4462 2189 4462 2513 62⟧
Krankenkasse:\tAOK Bayern"""),
    ("hr", """New starter checklist (UK)
National Insurance no.: ⟦uk_nino|JG 10 37 42 C⟧
NHS number (for the occupational health referral): ⟦uk_nhs_number|779 520 1040⟧
Right to work: online check done 04/06/2024, share code on file"""),
    ("finance", """Vendor setup — Lakeshore Print Co.
EIN: ⟦us_ein|43-0402549⟧
Remit ACH to: routing ⟦us_aba_routing|043697441⟧ / checking acct ⟦bank_account_number|5520019834⟧
Terms: Net 30. W-9 on file (rev. March 2024)."""),
    ("medical", """Referral — cardiology
Pt: Harold Voss, DOB ⟦date_of_birth|1954-09-30⟧, member ID ⟦health_insurance_id|W284719366⟧ (Aetna)
Reason: exertional chest tightness x3 wks; hx ⟦icd10_code|I10⟧, ⟦icd10_code|E78.5⟧. ECG 05/28 NSR, no acute changes. Please eval for stable angina (r/o ⟦icd10_code|I20.8⟧)."""),
    ("medical", """Arztbrief – Entlassung
Patientin: M. Schröder, geb. ⟦date_of_birth|02.05.1961⟧
Versichertennummer: ⟦health_insurance_id|K004972413⟧
Diagnosen: ⟦icd10_code|J18.9⟧ Pneumonie, nicht näher bezeichnet; ⟦icd10_code|E11.9⟧ Diabetes mellitus Typ 2
Procedere: Kontrolle beim Hausarzt in 7 Tagen, Antibiose bis einschließlich 08.06."""),
    ("prompt", """Extract the KYC fields from this form as JSON:
Applicant: R. Iyer | PAN: ⟦in_pan|RKBPC7735R⟧ | Aadhaar: ⟦in_aadhaar|8372 9555 6858⟧ | Mobile: ⟦phone_number|+91 91234 56780⟧"""),
    ("email", """Madame, Monsieur,

Pour la mise à jour de mon dossier, veuillez trouver ci-dessous mon numéro de registre national : ⟦be_national_number|66.11.01-902.46⟧, ainsi que mon compte ⟦iban|BE79 4456 0325 9333⟧ (⟦swift_bic|GKCCBEBB⟧).

Bien à vous,
Marc Dewitte"""),
    ("ticket", """HR-3382: Polish contractor onboarding blocked. The form rejects PESEL ⟦pl_pesel|70100378266⟧ with "invalid format", but it looks fine to me (11 digits, matches her ID card). Can someone check the validator regex?"""),
    ("email", """Dear Mr Jansen,

Please find our invoice INV-2024-0588 attached. Payment to ⟦iban|NL65INGB3309255215⟧ (BIC: ⟦swift_bic|INGBNL2A⟧), referencing the invoice number.

Kind regards,
Accounts team"""),
    ("chat", """ping from ⟦ipv6_address|2001:db8:a0b:12f0::1⟧ works but nothing over v4, I think the AAAA record is the only one that got updated"""),
    ("email", """Ciao Giulia, per il bonifico della caparra: IBAN [⟦iban|IT72 B796 6897 0220 2802 7712 559⟧], intestato a Franco Neri. Grazie!"""),
    ("ticket", """Chargeback notice: card ⟦credit_card|6011 2460 7049 6990⟧ (Discover), amount $318.40, reason code 4853. Cardholder contact: ⟦email_address|p.hernandez@example.net⟧. Attach the signed delivery receipt, not the invoice PDF."""),
    ("log", """2024-06-04T07:12:55Z DEBUG http: POST https://login.partner.example/oauth2/token?grant_type=client_credentials&client_id=web-exporter&⟦generic_secret|client_secret=Sy371cKs414a9pFUdIRhhvrn03kme3uU⟧ -> 200"""),
    # ---- hard look-alikes only ---------------------------------------------------------------
    ("ticket", """INC0048213 — update loop on LT-0871
OS build 10.0.19045.3693, cumulative update KB5032189 fails with 0x800f0922 at 100 %. BIOS 1.18.0 (2023-11-07), Intel graphics driver 31.0.101.4502. Tried DISM /RestoreHealth and sfc /scannow, no change. Next step: in-place upgrade with the 22H2 media."""),
    ("log", """Certificate:
    Data:
        Version: 3 (0x2)
        Serial Number:
            0a:3f:91:c2:5e:07:d4:88:1b:6c:e2:90:4f:a7:13:5d
        Signature Algorithm: sha256WithRSAEncryption (1.2.840.113549.1.1.11)
        Validity
            Not Before: Jan 15 00:00:00 2024 GMT
            Not After : Feb 14 23:59:59 2025 GMT
        X509v3 Certificate Policies:
            Policy: 2.23.140.1.2.2
        X509v3 Subject Key Identifier:
            6E:21:9C:04:B8:3A:F1:77:0D:52:E9:8B:4C:13:A6:F0:29:D5:7B:88"""),
    ("email", """Hallo Jan,

die Überweisung an den Caterer ist zurückgekommen: „IBAN ungültig“. Ich hatte DE44 3704 0044 0532 0130 00 von der Rechnung abgetippt, laut Banking-App stimmt die Prüfziffer nicht. Kannst du beim Caterer nachfragen, wie die richtige IBAN lautet? Bitte nicht raten.

Danke
Sabine"""),
    ("chat", """lol the gift card from the raffle: code 6035 7100 2298 4417, PIN on the back is scratched off, app says balance €25. anyone know if the store can reissue it?"""),
    ("csv", """part_no,description,material,qty_on_hand,bin
512-44-0913,Bracket L 40x40 M6,S235 galv.,340,A-12-03
518-20-4471,Hinge 2-wing 60mm,AISI 304,85,A-12-04
521-07-1180,Spacer sleeve 8x12x20,PA6,1200,B-02-11"""),
    ("email", """Your order 113-7750294-1183462 has shipped!
Carrier: UPS, tracking 1Z 999 AA1 01 2345 6784
Arriving: Tuesday, June 4
Order total: $64.17 (Visa ending in 7704)
Questions? Visit Your Orders."""),
    ("env", """# Copy to .env and fill in real values. NEVER commit .env!
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
STRIPE_SECRET_KEY=sk_live_REPLACE_ME
OPENAI_API_KEY=sk-proj-...
SLACK_BOT_TOKEN=xoxb-your-bot-token-here
AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX
DATABASE_URL=postgres://app:<password>@localhost:5432/app"""),
    ("email", """Subject: =?UTF-8?B?UmU6IEFuZ2Vib3QgZsO8ciBRMyDigJMgRmluYWxl?=
MIME-Version: 1.0
Message-ID: <CAF7tR2x9vQk1mZ0Lp4eWbN8sHq3YcDj6uG5@mail.gmail.com>
Content-Type: multipart/alternative; boundary="000000000000b9e71c0619c8d2f4"
X-MS-Exchange-Organization-SCL: 1"""),
    ("log", """#12 [builder 4/7] RUN npm ci --omit=dev
#12 DONE 41.3s
#14 exporting to image
#14 writing image sha256:3d0c056aff871422cb3bc8afb4e62d8245ecc8dd964c1784f0f400c5e711ffd5 done
#14 naming to ghcr.io/acme/orders-api:2.14.1 done
HEAD is now at 9fceb02d0ae598e95dc970b74767f19372d61af8 fix(checkout): round VAT per line"""),
    ("log", """{"ts":1717318462117,"level":"info","msg":"job finished","job_id":"c0f1b7d2-3e4a-4f5b-9c6d-7e8f9a0b1c2d","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","duration_ms":8123,"rows":1532044}"""),
    ("ticket", """Batch 118 (Hazy IPA) QA notes
Born-on date: 2024-03-11, canned 2024-03-14, best before 2024-06-11.
Tasting panel: slight diacetyl, pass. Do NOT release lot 4471 to the distributor until the born-on date is also printed on the case labels."""),
    ("web", """About us: Nordheim Analytics was born on 12 April 1998 in a garage in Aachen, when two students wrote their first route-planning tool. Today we are 240 people in 4 countries."""),
    ("chat", """my dishwasher (SMV4HTX31E) shows E24, then after a reset E15. manual says E24 is a drain blockage and E15 means water in the base tray. anyone fixed this themselves? firmware 2.3.1 if that matters"""),
    ("log", """added 3 packages: @babel/core@7.24.5, lodash@4.17.21, @types/node@20.11.30
npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.
found 0 vulnerabilities"""),
    ("email", """Dial-in for tomorrow's steering committee: access code 884 211 9307#, then participant PIN 5521#. Room 4.12 if you're in the office, slides are in the shared drive."""),
    ("yaml", """database:
  url: postgres://app@db.internal:5432/app
  password: ${DB_PASSWORD}
partner_api:
  key: "{{ .Values.partner.apiKey }}"
  client_secret: ""
smtp:
  password: "********\""""),
    ("http", """HTTP/1.1 401 Unauthorized
WWW-Authenticate: Basic realm="Jenkins", charset="UTF-8"
Content-Length: 0
X-Request-Id: 8d3f1c2a-4b5e-4f60-8a71-9c2d3e4f5a6b

(the request was sent with Authorization: Basic <redacted>, check the credential binding in the pipeline)"""),
    ("finance", """Trade confirmation TC-2024-06-03-0087
Bought 120 DEUTSCHE BANK AG NA O.N., ISIN DE0005140008 / WKN 514000, @ 15.482 EUR on XETRA
Counterparty LEI 7LTWFZYICNSX8D621K86, settlement T+2 (2024-06-05)"""),
    ("email", """Mit freundlichen Grüßen

Stadtwerke Nordheim GmbH
Sitz: Nordheim · Amtsgericht Ulm HRB 731204
Geschäftsführung: Dr. Petra Lang
USt-IdNr.: DE287391045 · Steuernummer: 88/143/40127"""),
    ("ticket", """Repair intake R-5521: customer says Settings shows IMEI 356938035643801 but the box label reads 356938035643807. Neither passes the check digit, so one of them is a misprint or the board was swapped. Asked for the purchase invoice."""),
    ("chat", """rolled the monitoring agent to version 7.4.2.18 on all edge nodes last night; the dashboard UI stays on 2.11.0 until the API schema migration is done"""),
    ("markdown", """### Bank details format
A German IBAN looks like `DEkk bbbb bbbb cccc cccc cc` (22 characters): country code, two check digits, 8-digit bank code (BLZ) and 10-digit account number. Validation uses ISO 7064 MOD 97-10. Never paste real customer IBANs into this page."""),
    ("code", """def test_rejects_reserved_ssns():
    for bad in ("000-12-3456", "666-45-6789", "912-00-1234", "123-45-0000"):
        assert not is_valid_ssn(bad), bad"""),
    ("finance", """Zahlungsreferenz / payment reference: RF10INV20240612
Please quote this reference exactly, our system matches payments automatically. Invoice 2024-0612, due 30 June 2024, amount EUR 1,184.00."""),
    ("email", """Sendungsverfolgung: DHL 00340434161094042557, UPS 1Z 999 AA1 01 2345 6784. Zustellung voraussichtlich Mittwoch zwischen 10:00 und 14:00 Uhr."""),
    ("json", """{"flags": [{"key": "new-checkout", "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "rollout": 0.25, "color": "#1f6feb"}, {"key": "dark-mode", "id": "16fd2706-8baf-433b-82eb-8c7fada847da", "rollout": 1.0, "color": "#0d1117"}], "etag": "a3f8c91d02be4e77", "version": 418}"""),
    ("email", """Appointment confirmation: date of service 06/14/2024 at 9:40 AM with Dr. Patel (Dermatology). Please arrive 15 minutes early and bring your insurance card. Policy effective date on file: 01/01/2024."""),
    ("sms", """Your Lakeshore Bank verification code is 482913. It expires in 10 minutes. Never share this code, we will never call to ask for it. Ref 7731-9921-4410"""),
    ("email", """Ihre Kundenkarte Nr. 9276 0012 3344 5568 ist ab sofort aktiv. Sammeln Sie bei jedem Einkauf Punkte und lösen Sie sie an der Kasse ein."""),
    ("prompt", """explain what each line does in this snippet from the AWS CLI docs:
[default]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
region = us-west-2
output = json"""),
    ("log", """GET /api/v3/invoices?cursor=eyJvZmZzZXQiOjQwLCJsaW1pdCI6MjB9&limit=20 -> 200, 20 items, next_cursor=eyJvZmZzZXQiOjYwLCJsaW1pdCI6MjB9"""),
    ("yaml", """before_script:
  - git config --global url."https://oauth2:${CI_JOB_TOKEN}@gitlab.acme.example/".insteadOf "https://gitlab.acme.example/"
  - git submodule update --init --recursive"""),
    ("web", """Introduzca su DNI con letra, sin espacios ni guiones (por ejemplo: 12345678A). Si es extranjero, utilice su NIE: X, Y o Z seguido de 7 cifras y una letra."""),
    ("email", """Facture n° F-2024-0611 — Atelier Morel SARL, SIRET 797 859 360 00019, TVA intracommunautaire FR78 797859360. Règlement à 30 jours fin de mois."""),
    ("ticket", """Case 0800-552-1190 escalated to tier 2. Related: INC0012345678, CHG0030441. Customer wants a callback between 14:00 and 16:00 CET on the number on file."""),
    ("html", """<div class="card" style="--accent:#c0ffee; border-color:#1f6feb">
  <span class="badge">v3.12.4</span>
  <img src="/static/img/logo.8f3a9c2e.svg" alt="Acme" width="120" height="32">
</div>"""),
    ("log", """Vendor lookup: OUI 3C-52-82 → Hewlett Packard; OUI F4:5A:8F → not registered. Heart-rate service UUID 0000180d-0000-1000-8000-00805f9b34fb, characteristic 0x2A37."""),
    ("finance", """Statement summary, account ****4821 (checking)
05/28 ACH CREDIT PAYROLL ACME CORP       2,415.88
05/30 POS DEBIT 4417 WHOLEFDS #10233       -87.12
06/01 TRANSFER TO SAVINGS ****9902        -500.00
Ending balance: 6,902.31"""),
    ("web", """Ihre Steuer-ID finden Sie auf Ihrer Lohnsteuerbescheinigung oder im Schreiben des Bundeszentralamts für Steuern. Sie hat 11 Ziffern und ist nicht mit der Steuernummer (z. B. 88/143/40127) zu verwechseln."""),
    ("log", """Event 4625: An account failed to log on. Security ID: S-1-5-21-3623811015-3361044348-30300820-1013, Logon Type: 3, Failure Reason: Unknown user name or bad password. Status: 0xC000006D, Sub Status: 0xC0000064"""),
    ("chat", """reminder: the contract was signed 2019-04-01, renewal is due 2024-06-30 and the notice period is 90 days, so we're already late on this one"""),
]

# ruff: noqa: E501
# (hand-written texts: lines as long as the messages they imitate)
"""Hand-written carrier texts, part B: config files, .env, code, logs, CSV, JSON payloads.

``⟦detector|value⟧`` marks a labelled span; everything else must not be reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("env", """# production
NODE_ENV=production
PORT=8080
DATABASE_URL=⟦db_connection_string|postgresql://orders:Hq8vT2mNx4Lp@orders-db.prod.internal:5432⟧/orders
AWS_ACCESS_KEY_ID=⟦aws_access_key_id|AKIAWNZEZ6D5ZCQSUHVY⟧
AWS_SECRET_ACCESS_KEY=⟦aws_secret_access_key|JtwREk3xldBrwRNYcAWs3T83ybHEpyOGl/m0Q3cg⟧
AWS_REGION=eu-central-1
SENTRY_DSN=https://4f1c2a9e8b7d4c3a@o123456.ingest.sentry.io/4504"""),
    ("env", """STRIPE_SECRET_KEY=⟦stripe_key|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⟧
STRIPE_PUBLISHABLE_KEY=pk_live_51H8xKqLz9vW2mN4pR7tY1uB3cD5eF
STRIPE_WEBHOOK_SECRET=whsec_placeholder"""),
    ("env", """SLACK_BOT_TOKEN=⟦slack_token|xoxb-72761201524-944643471550-sQ2V0BwvmuSPkg4rR3AmKAvQ⟧
SLACK_SIGNING_SECRET=
SLACK_CHANNEL=#alerts"""),
    ("env", """GITHUB_TOKEN=⟦github_token|ghp_j9sXueEHa4pdrvqmOLX4NjDj64zoAnWxzb62⟧
GITLAB_TOKEN=⟦gitlab_token|glpat-CnFxsmnRs8e7gnXW4OIi⟧
CI=true"""),
    ("env", """# local dev only
POSTGRES_USER=postgres
⟦password_in_config|POSTGRES_PASSWORD=Xr4!kd92LmQa⟧
POSTGRES_DB=app_dev"""),
    ("env", """ANTHROPIC_API_KEY=⟦anthropic_api_key|sk-ant-api03-D55VIRf5XKpojQnaRKInANq1eSsjJ_m5vb4GBXlWw9iYONymwpea8HIbvp_Xp_Z2Z4RTggVK3tK-YbJ-T9urPkKIM2u4vAA⟧
HF_TOKEN=⟦huggingface_token|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⟧
MODEL=claude-3-5-sonnet-20241022"""),
    ("env", """SENDGRID_API_KEY=⟦sendgrid_api_key|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⟧
MAIL_FROM=⟦email_address|noreply@example.com⟧
TWILIO_ACCOUNT_SID=AC1f2e3d4c5b6a79880716253443526170
TWILIO_AUTH_TOKEN=⟦twilio_auth_token|9f86d081884c7d659a2feaa0c55ad015⟧"""),
    ("yaml", """spring:
  datasource:
    url: jdbc:mysql://db.internal:3306/shop
    username: shop
    ⟦password_in_config|password: Kx9#mQ2vLp7w⟧
  redis:
    host: redis.internal
    port: 6379"""),
    ("yaml", """apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
type: Opaque
data:
  username: YWRtaW4=
  ⟦password_in_config|password: MWYyZDFlMmU2N2Rm⟧"""),
    ("yaml", """# docker-compose.yml
services:
  db:
    image: postgres:16.2
    environment:
      ⟦password_in_config|POSTGRES_PASSWORD: Tq83hLw!9Zp⟧
    ports:
      - "5432:5432"
  web:
    image: ghcr.io/acme/web:1.18.4
    depends_on: [db]"""),
    ("yaml", """datasource:
  password: ${DB_PASSWORD}
  username: ${DB_USER}
jwt:
  secret: ${JWT_SECRET:changeme}"""),
    ("ini", """[database]
host = ⟦ipv4_address|10.1.2.3⟧
port = 5432
user = reporting
⟦password_in_config|password = Lq2#Zr8vNw4s⟧

[smtp]
server = smtp.office365.com
port = 587"""),
    ("ini", """[default]
aws_access_key_id = ⟦aws_access_key_id|AKIAY4YEIPPG3WPPZLQ5⟧
aws_secret_access_key = ⟦aws_secret_access_key|3fMr7A8npNh/OMjdPx1UtkmYltULTFZb9Zzsja0s⟧
region = us-east-1"""),
    ("toml", """[tool.poetry]
name = "acme-sdk"
version = "0.14.2"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.acme.example/simple/"
"""),
    ("npmrc", """//registry.npmjs.org/:_authToken=⟦npm_token|npm_ufAzoLxrGZlt509jxUttGKeezi3S1NdgCIRc⟧
@acme:registry=https://npm.pkg.github.com"""),
    ("pypirc", """[pypi]
username = __token__
password = ⟦pypi_token|pypi-AgEIcHlwaS5vcmcVW8gDynqXARAPb0RMTI2ihmLEfg1dybehmO_FPuDLyrXbOE85HvUW6YY1PrQsp_qQhO0QDB4KUYqZCn6RE2hir15wWpD2kqfpb-sNWF-spBQA7qOVOae06pBjxigH7zw4q5RJKEDacayx4y2vrl9dw⟧"""),
    ("code", """import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="⟦aws_access_key_id|ASIAHQ6FJOZIKLON4QL2⟧",
    aws_secret_access_key="⟦aws_secret_access_key|Tt5Pz+zzxHlrzRV1BAqvCjIIzGI472imdRslBRIG⟧",
)
for obj in s3.list_objects_v2(Bucket="acme-reports")["Contents"]:
    print(obj["Key"])"""),
    ("code", """const stripe = require('stripe')('⟦stripe_key|sk_live_4eC39HqLyjWDarjtT1zdp7dcXyZ2⟧');

async function charge(amount) {
  return stripe.charges.create({ amount, currency: 'usd', source: 'tok_visa' });
}"""),
    ("code", """# settings.py
DEBUG = False
ALLOWED_HOSTS = ["app.example.com"]
⟦generic_secret|SECRET_KEY = "k8#2p!vz$w9q@x4m7n1r&t5y3u6i0o⟧"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app",
        "USER": "app",
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": "db",
    }
}"""),
    ("code", """func main() {
	client := openai.NewClient("⟦openai_api_key|sk-proj-Kn0dW5JB0sUtBnIMnmmp4zwskRMCte9cO6LC-BLyRN3Xs1iijj9uBq8Kcr52mEmUn7X8ZNtkwQ8aeoM7Bt11rfYAIvpOOG1-a13-VUYrrnLlcyKDBVPdGrQtQSw1_byRlSG1tgrvnbHKL62Y-7F6-LGBMwAQ⟧")
	resp, err := client.CreateChatCompletion(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
}"""),
    ("code", """// test fixture - not a real key
const FAKE_KEY = "sk-test-xxxxxxxxxxxxxxxxxxxxxxxx";
const SAMPLE_UUID = "123e4567-e89b-12d3-a456-426614174000";
expect(hash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");"""),
    ("code", """String url = "jdbc:postgresql://localhost:5432/test";
Properties props = new Properties();
props.setProperty("user", "test");
props.setProperty("password", System.getenv("PGPASSWORD"));"""),
    ("code", """curl -X POST https://api.example.com/v2/orders \\
  -H "Authorization: Bearer ⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c⟧" \\
  -H "Content-Type: application/json" \\
  -d '{"sku": "WID-0042", "qty": 3}'"""),
    ("code", """curl -u admin:admin http://localhost:8080/api/health
curl -H "Authorization: ⟦http_basic_auth|Basic ZGllZ286Tm92YWJsdWU4Njc5Pw==⟧" https://ci.acme.example/job/deploy/build"""),
    ("code", """git remote set-url origin ⟦password_in_url|https://deploy-bot:Zq7vN2kLx9Rp@git.acme.example⟧/platform/api.git"""),
    ("code", """export https_proxy=⟦password_in_url|http://jsmith:Welkom2024%21@proxy.corp.example:3128⟧
export no_proxy=localhost,⟦ipv4_address|127.0.0.1⟧,.corp.example"""),
    ("code", """mongo_uri = "⟦db_connection_string|mongodb+srv://analytics:p4Ss-w0rd-77x@cluster0.x1y2z.mongodb.net⟧/events?retryWrites=true&w=majority"
"""),
    ("code", """echo ⟦dockerhub_token|dckr_pat_5vkUWFHf3CEEOH0jXxW33cOFhfN⟧ | docker login -u acmebuild --password-stdin"""),
    ("code", """vault login ⟦vault_token|hvs.TmugXpYiCQVUK_p7kgHD6dcj1J4q4MOky5Z7Q0icSksw-xB4MFCi9oJp-nUsVr6wVb5IzH-7t47crj7NnTnjXZj8sQ⟧
vault kv get secret/app/prod"""),
    ("code", """bot = telebot.TeleBot("⟦telegram_bot_token|5618527767:AA6hMxhcdE-6xIU9dPDoNz8pXUbSRq7Mee6⟧")"""),
    ("code", """SHOPIFY_ACCESS_TOKEN = '⟦shopify_token|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⟧'
SHOP = 'acme-store.myshopify.com'"""),
    ("code", """requests.post("⟦slack_webhook|https://hooks.slack.com/services/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⟧", json={"text": "deploy done"})"""),
    ("code", """<script src="https://maps.googleapis.com/maps/api/js?key=⟦gcp_api_key|AIzaZ4tbbF-JqcTKhpmuOkx7KfffzLWS5L7YtNd⟧&callback=initMap"></script>"""),
    ("json", """{
  "type": "service_account",
  "project_id": "acme-analytics-prod",
  "private_key_id": "⟦gcp_service_account|d65ff2bc36e87e5e2c0934fe3d11d3b63210c68e⟧",
  "client_email": "⟦email_address|etl@acme-analytics-prod.iam.gserviceaccount.com⟧",
  "client_id": "104772294817263549812"
}"""),
    ("code", """AZURE_STORAGE_CONNECTION_STRING="⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=hfpcgyknfz;AccountKey=mY2ScSy/5EgNg0SMSx/GgoRpSigALH4fNVWQq+yLKuHjZEfTPZUdX2g21OUu7pcn2Tt3q9FelDQUeU5ryd0FIy==;EndpointSuffix=core.windows.net⟧" """),
    ("code", """az storage blob upload --account-name acmelogs --account-key ⟦azure_storage_key|72g3ALVRx1nS8+yxnyB+uEHvH8VztTJuOcZotvbqNYr6vUqsAKz5Eq9RBC+7dByK/gj3DjktpeMFaidD7oTN3E==⟧ -f out.tar.gz"""),
    ("code", """client = Client("⟦twilio_api_key|SKf86d99b0cfc20fbfd0bec8146a422899⟧", api_secret, account_sid)  # twilio"""),
    ("pem", """Here's the deploy key, keep it safe:
⟦private_key|-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBkZXBsb3kta2V5LWZvci1jaS1ub3QtcmVhbAAAAAAAAAAAAAAAAAAAAA
-----END OPENSSH PRIVATE KEY-----⟧"""),
    ("pem", """-----BEGIN CERTIFICATE-----
MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ
RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD
-----END CERTIFICATE-----"""),
    ("log", """2024-05-14T10:15:32.118Z ERROR [payment-svc] charge failed for customer=cus_Nf83kLx card=************4242 amount=4999 currency=EUR request_id=req_8Hq2mZkP0aX
2024-05-14T10:15:32.120Z WARN  [payment-svc] retry 1/3 in 2000ms"""),
    ("log", """Jun 03 09:12:44 web-01 sshd[21877]: Failed password for invalid user admin from ⟦ipv4_address|185.229.8.46⟧ port 52144 ssh2
Jun 03 09:12:47 web-01 sshd[21877]: Connection closed by authenticating user admin ⟦ipv4_address|185.229.8.46⟧ port 52144 [preauth]"""),
    ("log", """⟦ipv4_address|203.0.113.9⟧ - - [14/May/2024:10:21:07 +0000] "GET /api/v1/users/8812/orders?page=2 HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36"
⟦ipv4_address|203.0.113.9⟧ - - [14/May/2024:10:21:08 +0000] "GET /static/app.3f9a2b1c.js HTTP/1.1" 304 0 "-" "-\""""),
    ("log", """Traceback (most recent call last):
  File "/srv/app/venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py", line 1969, in _exec_single_context
    self.dialect.do_execute(
  File "/srv/app/venv/lib/python3.11/site-packages/sqlalchemy/engine/default.py", line 922, in do_execute
    cursor.execute(statement, parameters)
psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "users_email_key"
DETAIL:  Key (email)=(⟦email_address|m.jovanovic@example.com⟧) already exists."""),
    ("log", """java.lang.IllegalStateException: Failed to execute CommandLineRunner
	at org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:771)
	at org.springframework.boot.SpringApplication.run(SpringApplication.java:315)
Caused by: java.net.ConnectException: Connection refused (Connection refused) to ⟦ipv4_address|10.42.7.19⟧:9092
	at java.base/sun.nio.ch.Net.pollConnect(Native Method)
	... 14 common frames omitted"""),
    ("log", """2024-03-02 14:01:55,331 INFO  [main] o.a.k.c.c.ConsumerConfig - ConsumerConfig values:
	bootstrap.servers = [kafka-1:9092, kafka-2:9092]
	client.id = consumer-orders-1
	group.id = orders
	ssl.key.password = null
	ssl.keystore.password = [hidden]
	sasl.jaas.config = [hidden]"""),
    ("log", """[2024-06-01 12:00:03] production.ERROR: SQLSTATE[HY000] [1045] Access denied for user 'shop'@'⟦ipv4_address|172.18.0.5⟧' (using password: YES) {"exception":"[object] (PDOException(code: 1045)"}"""),
    ("log", """DEBUG urllib3.connectionpool: https://api.github.com:443 "GET /repos/acme/api/commits/3f9a2b1c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a HTTP/1.1" 200 None
DEBUG urllib3.connectionpool: Starting new HTTPS connection (1): uploads.github.com:443"""),
    ("log", """2024-07-22T08:30:00Z INFO  request method=POST path=/v1/login status=401 latency_ms=83 ip=⟦ipv4_address|81.2.69.160⟧ ua="okhttp/4.12.0" user=⟦email_address|r.baker@example.co.uk⟧"""),
    ("log", """kernel: [12345.678901] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx
dhclient[812]: DHCPACK of ⟦ipv4_address|192.168.10.44⟧ from ⟦ipv4_address|192.168.10.1⟧"""),
    ("log", """Apr 11 03:14:07 fw01 kernel: DROP IN=eth0 OUT= MAC=⟦mac_address|00:1a:2b:3c:4d:5e⟧ SRC=⟦ipv4_address|45.33.32.156⟧ DST=⟦ipv4_address|10.0.0.5⟧ LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=54321 DF PROTO=TCP SPT=44321 DPT=22 WINDOW=29200"""),
    ("log", """2024-05-30 11:22:33.444 [http-nio-8080-exec-7] ERROR c.a.b.OrderController - Payment declined: {"cardNumber":"⟦credit_card|4000056655665556⟧","expiry":"12/26","amount":129.5}"""),
    ("log", """time="2024-05-30T11:22:33Z" level=info msg="build finished" commit=3c9f1e8a2b7d4f60a1c5e9b8d7f6a5b4c3d2e1f0 duration=4m12.331s image=sha256:9b2f3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"""),
    ("log", """W0530 11:22:33.444123       1 reflector.go:535] k8s.io/client-go/informers/factory.go:150: failed to list *v1.Pod: Get "https://⟦ipv4_address|10.96.0.1⟧:443/api/v1/pods?limit=500&resourceVersion=0": dial tcp ⟦ipv4_address|10.96.0.1⟧:443: i/o timeout"""),
    ("log", """2024-08-19 16:44:01 WARN  auth-service: login failed user=jdoe reason=bad_password attempts=3 src_ip=⟦ipv4_address|198.51.100.23⟧"""),
    ("csv", """employee_id,first_name,last_name,email,phone,ssn,hire_date
10231,Maria,Lopez,⟦email_address|maria.lopez@example.com⟧,⟦phone_number|(312) 555-0147⟧,⟦us_ssn|018-41-4633⟧,2021-04-12
10232,Kevin,O'Neil,⟦email_address|kevin.oneil@example.com⟧,⟦phone_number|(646) 555-0190⟧,⟦us_ssn|328-43-3468⟧,2022-09-01"""),
    ("csv", """order_id,sku,qty,unit_price,created_at
100234,WID-0042,3,19.99,2024-05-01T10:00:00Z
100235,GAD-1187,1,249.00,2024-05-01T10:02:11Z
100236,WID-0042,12,17.49,2024-05-01T10:05:43Z"""),
    ("csv", """Datum;Buchungstext;Betrag;IBAN Gegenkonto
02.05.2024;Miete Mai;-1250,00;⟦iban|DE22 4340 6385 7834 8089 07⟧
03.05.2024;Gehalt;3412,55;⟦iban|DE89 3704 0044 0532 0130 00⟧"""),
    ("csv", """patient_id,name,dob,nhs_number,diagnosis
P-0091,Oliver Hughes,⟦date_of_birth|1957-08-21⟧,⟦uk_nhs_number|480 257 8601⟧,⟦icd10_code|J45.909⟧
P-0092,Amelia Clarke,⟦date_of_birth|1962-01-30⟧,⟦uk_nhs_number|952 234 5385⟧,⟦icd10_code|I25.10⟧"""),
    ("csv", """tracking_number,carrier,status
1Z999AA10123456784,UPS,delivered
9400111899223197428490,USPS,in_transit
JD014600006281470543,DHL,delivered"""),
    ("csv", """sku,ean,price
A-100,4006381333931,3.99
B-220,5901234123457,12.50
C-301,9780306406157,24.00"""),
    ("csv", """name,iban,bic,amount
Acme GmbH,⟦iban|AT61 1904 3002 3457 3201⟧,⟦swift_bic|BKAUATWW⟧,1200.00
Dupont SARL,⟦iban|LU28 0019 4006 4475 0000⟧,⟦swift_bic|BCEELULL⟧,880.50"""),
    ("csv", """id,user_agent,ip,country
1,Mozilla/5.0,⟦ipv4_address|81.2.69.142⟧,GB
2,curl/8.4.0,⟦ipv4_address|216.160.83.56⟧,US"""),
    ("json", """{"customer": {"id": "cus_9s8d7f", "name": "Lea Roux", "email": "⟦email_address|lea.roux@example.fr⟧", "phone": "⟦phone_number|+33 6 12 34 56 78⟧"}, "items": [{"sku": "TSH-M-BLK", "qty": 2}], "total": "39.80"}"""),
    ("json", """{"payment_method": {"type": "card", "card": {"number": "⟦credit_card|4242424242424242⟧", "exp_month": 12, "exp_year": 2027, "cvc": "123"}}}"""),
    ("json", """{"id": "evt_1P8Xq2LkdIwHu7ix0aBcDeFg", "object": "event", "created": 1715683200, "data": {"object": {"id": "pi_3P8Xq2LkdIwHu7ix1XyZ", "amount": 2000, "currency": "usd", "status": "succeeded"}}}"""),
    ("json", """{"user": {"uuid": "9b2e6f1a-4c3d-4e5f-8a7b-1c2d3e4f5a6b", "created_at": "2024-01-15T09:30:00Z", "last_login_ip": "⟦ipv4_address|81.2.69.160⟧", "plan": "enterprise", "seats": 250}}"""),
    ("json", """{"employee": {"name": "Hanna Schmidt", "steuer_id": "⟦de_tax_id|93824675029⟧", "iban": "⟦iban|DE56049237139134986914⟧", "geburtsdatum": "⟦date_of_birth|1984-02-03⟧"}}"""),
    ("json", """{"patient": {"mrn": "000482913", "birthDate": "⟦date_of_birth|1975-11-23⟧", "conditions": [{"code": "⟦icd10_code|N18.3⟧", "display": "Chronic kidney disease, stage 3"}]}}"""),
    ("json", """{"image": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "alt": "pixel"}"""),
    ("json", """{"build": {"version": "4.11.2", "commit": "3f9a2b1c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a", "timestamp": 1716800000123, "checksum": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}"""),
    ("json", """{"messages": [{"role": "user", "content": "my card is ⟦credit_card|5105 1051 0510 5100⟧ can you check why it was declined"}], "model": "gpt-4o"}"""),
    ("json", """{"messages": [{"role": "user", "content": "Write a haiku about autumn in Kyoto."}], "temperature": 0.7}"""),
    ("json", """{"auth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}, "servers": [{"url": "https://api.example.com/v1"}]}"""),
    ("json", """{"config": {"⟦generic_secret|api_key": "8f3b2a9c7d1e4f60b5a8c3d2e1f09a7b⟧", "endpoint": "https://api.partner.example/v2", "timeout": 30}}"""),
    ("json", """{"lead": {"firstName": "Jan", "lastName": "de Vries", "phone": "⟦phone_number|+31 20 123 4567⟧", "company": "Tulp BV", "kvk": "12345678"}}"""),
    ("xml", """<Customer>
  <Name>Giulia Bianchi</Name>
  <CodiceFiscale>⟦it_codice_fiscale|GBFHCD67P25C304Y⟧</CodiceFiscale>
  <Email>⟦email_address|giulia.bianchi@example.it⟧</Email>
</Customer>"""),
    ("xml", """<dependency>
  <groupId>com.fasterxml.jackson.core</groupId>
  <artifactId>jackson-databind</artifactId>
  <version>2.17.1</version>
</dependency>"""),
    ("code", """# .git-credentials
⟦password_in_url|https://ci-user:gH7kLm29XqPz@gitlab.acme.example⟧"""),
    ("code", """ssh -i ~/.ssh/id_ed25519 deploy@⟦ipv4_address|203.0.113.10⟧ 'sudo systemctl restart api'"""),
    ("code", """kubectl create secret generic db-creds --from-literal=username=app --from-literal=⟦password_in_config|password=Pz8!rT2qLm5x⟧"""),
    ("code", """mysql -h db.internal -u root -p"$MYSQL_ROOT_PASSWORD" -e 'SHOW DATABASES;'"""),
    ("code", """def test_luhn():
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")"""),
    ("code", """# Cargo.lock
[[package]]
name = "serde"
version = "1.0.203"
checksum = "7253ab4de971e72fb7be983802300c30b5a7f0c2e56fab8abfc6a214307c0094"
"""),
    ("code", """package-lock.json: "integrity": "sha512-Pp6GSa/K2yBOhdtkLDTtY2J4H0e5MYZZxYFMI3pm5kCPmy3k8uVzg+5UkdDWyyD1GgRUW4B0zsdtF1Ub7nwhxw==" """),
    ("code", """-- migration 20240514_101500_add_index.sql
CREATE INDEX CONCURRENTLY idx_orders_created ON orders (created_at);
-- ticket PROJ-4412"""),
    ("code", """REDIS_PASSWORD=
DB_PASSWORD=changeme
SMTP_PASSWORD=<your-password>
API_TOKEN=xxxxxxxxxxxxxxxxxxxxxxxx"""),
    ("log", """2024-05-14 10:15:32 INFO  Connecting to ⟦db_connection_string|mysql://billing:Rk72!xzQp@⟦ipv4_address|10.20.0.15⟧:3306⟧/billing
2024-05-14 10:15:33 INFO  Connected, pool size 10"""),
    ("log", """2024-05-14 10:15:32 INFO  Connecting to postgresql://billing:****@⟦ipv4_address|10.20.0.15⟧:5432/billing"""),
    ("log", """E0514 10:15:32.000 token refresh failed: invalid_grant, refresh_⟦generic_secret|token=1//0gL9xQpR7vK2mNzT8wYb4cD6eF3hJ5kLqW⟧"""),
]

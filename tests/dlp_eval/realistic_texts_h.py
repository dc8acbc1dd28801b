# ruff: noqa: E501
# (hand-written texts: lines as long as the files, logs and messages they imitate)
"""Hand-written carrier texts, part H: developer and operations traffic (.env files, compose,
Kubernetes, Terraform, Helm, CI workflows and logs, shell history, curl, code, stack traces,
access logs, SQL dumps, API bodies, Postman, Slack, AI-assistant prompts, tickets, package
manager config, ssh config, DHCP and firewall logs) and their look-alikes.

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("env", """# api/.env.production
NODE_ENV=production
PORT=8080
LOG_LEVEL=info
DATABASE_URL=⟦db_connection_string|postgresql://lumen_api:Gx7!pR2kW9mQz4@lumen-prod.cluster-c9akq2ulxz4m.eu-west-1.rds.amazonaws.com:5432⟧/lumen?sslmode=require
REDIS_URL=redis://lumen-cache.u3k2lq.ng.0001.euw1.cache.amazonaws.com:6379/0
STRIPE_SECRET_KEY=⟦stripe_key|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⟧
STRIPE_PUBLISHABLE_KEY=pk_live_51OxT2aKq9vW3mN8pR5tY1uB4cD6eF7gH0jL2kZ9xV3bN5mQ8wE1rT4yU6iO0pA2sD4fG6hJ8kL
SENDGRID_API_KEY=⟦sendgrid_api_key|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⟧
SESSION_⟦generic_secret|SECRET=DLAGFKCRp7sBIRsEpW0koXpH3X7EObTr⟧
SENTRY_DSN=https://4f1c9e0b8a7d4c2e9f3b6a1d0e8c7b5a@o448213.ingest.sentry.io/5539021
"""),
    ("env", """# .env.example -- copy to .env and fill in. Never commit the real one.
DATABASE_URL=postgres://postgres:postgres@localhost:5432/app_dev
OPENAI_API_KEY=sk-...
ANTHROPIC_API_KEY=<your-anthropic-key>
STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx
JWT_SECRET=change-me-in-prod
SMTP_PASSWORD=
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
FEATURE_NEW_CHECKOUT=false"""),
    ("yaml", """version: "3.9"
services:
  db:
    image: postgres:16.2-alpine
    restart: unless-stopped
    environment:
      POSTGRES_USER: billing
      ⟦password_in_config|POSTGRES_PASSWORD: Kd8#vLq2!Rx7Tm⟧
      POSTGRES_DB: billing
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "5432:5432"
  pgadmin:
    image: dpage/pgadmin4:8.5
    environment:
      PGADMIN_DEFAULT_EMAIL: ⟦email_address|s.lindqvist@corvid-analytics.com⟧
      ⟦password_in_config|PGADMIN_DEFAULT_PASSWORD: Orchid-Falcon-1187⟧
    ports:
      - "5050:80"
volumes:
  pgdata:"""),
    ("yaml", """# docker-compose.yml for local wordpress theme dev
services:
  mysql:
    image: mysql:8.0.36@sha256:b63bacecb55a751cf0e1cbe5ccf726572ab372532b591f9f69ccf1515b25e285
    environment:
      MYSQL_ROOT_PASSWORD: example
      MYSQL_DATABASE: wordpress
    healthcheck:
      test: ["CMD", "mysqladmin", "ping", "-h", "localhost"]
      interval: 10s
      retries: 5
  wordpress:
    image: wordpress:6.5.3-php8.2-apache
    depends_on: [mysql]
    environment:
      WORDPRESS_DB_HOST: mysql:3306
      WORDPRESS_DB_USER: root
      WORDPRESS_DB_PASSWORD: ${WP_DB_PASSWORD:?set it in .env}
    ports: ["8000:80"]
    volumes:
      - ./theme:/var/www/html/wp-content/themes/lumen"""),
    ("yaml", """apiVersion: v1
kind: Secret
metadata:
  name: orders-api-credentials
  namespace: orders
  labels:
    app.kubernetes.io/name: orders-api
    app.kubernetes.io/part-of: checkout
type: Opaque
data:
  DB_USER: b3JkZXJzLWFwaQ==
  ⟦password_in_config|DB_PASSWORD: U24wd2RyMWZ0IzQ0Mmtx⟧
  PAYMENTS_⟦generic_secret|API_KEY: c2s5WHEyTG1WbjRSdFc4YlpjM1k3cERm⟧
  REGION: ZXUtd2VzdC0x"""),
    ("yaml", """apiVersion: v1
kind: ConfigMap
metadata:
  name: checkout-config
  namespace: checkout
  annotations:
    checksum/config: e598645f7058721855e520d4ed413dec5e16e015b2e90ed7157de968751997ce
data:
  APP_ENV: production
  AWS_REGION: eu-west-1
  OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector.observability.svc.cluster.local:4317
  DB_HOST: checkout-db.checkout.svc.cluster.local
  DB_PASSWORD_SECRET_REF: checkout-db-credentials/password
  HTTP_TIMEOUT_MS: "2500"
binaryData:
  flags.json: eyJmZWF0dXJlIjoiZGFyay1tb2RlIiwicm9sbG91dCI6MjV9"""),
    ("yaml", """apiVersion: v1
kind: Secret
metadata:
  name: velero-cloud-credentials
  namespace: velero
type: Opaque
stringData:
  cloud: |
    [default]
    aws_access_key_id = ⟦aws_access_key_id|AKIA5Y4TMVTDWE4PDVJF⟧
    aws_secret_access_key = ⟦aws_secret_access_key|Yk8zIEHUQGbzGXGv7HVVWGhSAA4NiH8/M80u4GSV⟧"""),
    ("terraform", """provider "aws" {
  region     = "us-east-2"
  access_key = "⟦aws_access_key_id|AKIAFIMAFFEWUAT6LUW6⟧"
  secret_key = "⟦aws_secret_access_key|ETjbtiBK4DD1Q0Djp2B6PsM0P+2sdLDe0wzym+Qi⟧"
}

resource "aws_db_instance" "reporting" {
  identifier          = "reporting-prod"
  engine              = "postgres"
  engine_version      = "15.6"
  instance_class      = "db.r6g.large"
  allocated_storage   = 200
  username            = "reporting_admin"
  ⟦password_in_config|password            = "Qv3$Lm8!Tz2wPk⟧"
  skip_final_snapshot = false
}"""),
    ("terraform", """variable "db_password" {
  description = "Master password for the RDS instance"
  type        = string
  sensitive   = true
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = "prod/reporting/db"
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0c7217cdde317cfec"
  instance_type          = "t3.micro"
  subnet_id              = "subnet-0a3f5c9e1b7d24680"
  vpc_security_group_ids = ["sg-04d2c6a9e8b1f3057"]
  key_name               = "ops-bastion-2024"
  tags = { Name = "bastion-prod", Owner = "platform" }
}

resource "aws_db_instance" "reporting" {
  username = "reporting_admin"
  password = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]
}"""),
    ("terraform", """# environments/prod/prod.auto.tfvars
subscription_id    = "3f2b8c1e-9d47-4a6b-8e05-c71d2f9a4b36"
tenant_id          = "a1c4e7f0-2b5d-48a9-b3c6-d9e2f5a8b1c4"
location           = "westeurope"
resource_group     = "rg-lumen-prod-weu"
storage_account    = "lumenfieldtfstate"
storage_access_key = "⟦azure_storage_key|QoLB79KsbujuuySO4FdpxEut0GUMovl4q0LGz0+w5aE1gxg+OdxB3AOpjrXF8CCHgL/tN1mz1X9h/KhyjhfZSg==⟧"
aks_node_count     = 4
aks_vm_size        = "Standard_D4s_v5"
"""),
    ("yaml", """# charts/api/values-prod.yaml
image:
  repository: ghcr.io/lumenfield/api
  tag: "2.31.4"
  pullPolicy: IfNotPresent
replicaCount: 3
postgresql:
  auth:
    username: lumen
    ⟦password_in_config|password: Tidal-Quartz-5529⟧
    database: lumen
    ⟦password_in_config|postgresPassword: mW4!zK9qLt2#Vx⟧
redis:
  auth:
    enabled: true
    existingSecret: redis-auth
ingress:
  enabled: true
  className: nginx
  hosts:
    - host: api.lumenfield.io
      paths: [{path: /, pathType: Prefix}]
resources:
  limits: {cpu: 500m, memory: 512Mi}"""),
    ("yaml", """# keycloak values.yaml (bitnami chart 21.4.1)
auth:
  adminUser: admin
  existingSecret: keycloak-admin
  passwordSecretKey: admin-password
postgresql:
  enabled: false
externalDatabase:
  host: keycloak-db.identity.svc.cluster.local
  port: 5432
  user: keycloak
  database: keycloak
  existingSecret: keycloak-db
  existingSecretPasswordKey: password
image:
  registry: quay.io
  repository: keycloak/keycloak
  tag: 24.0.4
  digest: sha256:cd39ef6adc9d9f1d1aad100600a8bdf6d9a96bd232a976b5c3984cfa7522a437
replicaCount: 2"""),
    ("yaml", """# .github/workflows/publish-image.yml
name: publish-image
on:
  push:
    tags: ["v*"]
jobs:
  build:
    runs-on: ubuntu-22.04
    env:
      DOCKERHUB_USERNAME: lumenfieldci
      DOCKERHUB_TOKEN: ⟦dockerhub_token|dckr_pat_rH9o4iqsZbzVfadwl4gEk3y_MU3⟧  # TODO move to repo secrets
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
      - uses: docker/login-action@v3
        with:
          username: ${{ env.DOCKERHUB_USERNAME }}
          password: ${{ env.DOCKERHUB_TOKEN }}
      - uses: docker/build-push-action@v5
        with:
          push: true
          tags: lumenfield/api:${{ github.ref_name }}"""),
    ("yaml", """name: ci
on: [pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@692973e3d937129bcbf40652eb9f2f61becf3332 # v4.1.7
      - uses: actions/setup-python@82c7e631bb3cdc910f68e0081d67478d79c6982d # v5.1.0
        with:
          python-version: ${{ matrix.python }}
          cache: pip
      - run: pip install -r requirements-dev.txt
      - run: pytest -q --cov=app
        env:
          DATABASE_URL: postgresql://ci:ci@localhost:5432/ci
          OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
          CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}"""),
    ("shell", """  501  aws sts get-caller-identity
  502  export AWS_ACCESS_KEY_ID=⟦aws_access_key_id|AKIAVUI52SU5M2PO4A7B⟧
  503  export AWS_SECRET_ACCESS_KEY=⟦aws_secret_access_key|F3sBHWPLE5wQ6zA+zYZnWp4DMDAGyoXIySRoMqf3⟧
  504  aws s3 ls s3://lumenfield-exports/2024/05/ --recursive | tail
  505  ssh -i ~/.ssh/ops_ed25519 ubuntu@⟦ipv4_address|34.241.18.77⟧
  506  ⟦password_in_config|PGPASSWORD=Hx4!nTq8Zr2Lw⟧ psql -h ⟦ipv4_address|10.40.3.12⟧ -U reporting -d warehouse -c '\\dt'
  507  history | grep vault
  508  vault login ⟦vault_token|hvs.CAESIymRKF8pgpwMANP3xDU1_g5H5htgOvg27-k9j3aUZTfQNPHahFM-FEqJbq318UMgiJ14N-eXaryLVwuhtfu7yg6⟧
  509  vault kv get -format=json secret/reporting/db | jq .data.data
  510  history"""),
    ("shell", """$ curl https://api.anthropic.com/v1/messages \\
    -H "x-api-key: ⟦anthropic_api_key|sk-ant-api03-6Qlz49_xy8_G4PGNzAGI07z8NQpQ6NAdCjgolqaMmxtafjzZ_qM7nwHdD0IafMhXq8RjkU0TtVDW-V9AqIVHrogeZjoXZAA⟧" \\
    -H "anthropic-version: 2023-06-01" \\
    -H "content-type: application/json" \\
    -d '{"model": "claude-3-5-sonnet-20240620", "max_tokens": 256, "messages": [{"role": "user", "content": "ping"}]}'
{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"""),
    ("shell", """curl -sS -X POST -H "Authorization: ⟦http_basic_auth|Basic amVua2lucy1kZXBsb3k6UW03I3RSMnZMeDlw⟧" "https://jenkins.corvid-analytics.com/job/etl-nightly/buildWithParameters?ENV=prod&DRY_RUN=false\""""),
    ("shell", """# trigger a re-index; the token comes from the environment, not from here
curl -fsSL -X POST "https://search.internal.lumenfield.io/admin/reindex?index=products-v7" \\
  -H "Authorization: Bearer ${SEARCH_ADMIN_TOKEN}" \\
  -H "X-Request-Id: $(uuidgen)" \\
  --retry 3 --retry-delay 5"""),
    ("code", """import os
from openai import OpenAI

# quick hack for the demo, will move to env before merging
client = OpenAI(api_key="⟦openai_api_key|sk-proj-HNfTX_PmHfl_RqzIeZIOP-kviSPgOjeRBN0nfvEGzbxFvvH11C1FdfK4GjLcie3_jV8oCJXpRX9clN2y8uCnzgNQ3OuW_E_nfjwcnH59htBpp4WFzR6ljtv61pq-VySEso7aYn5FlhTQaqWhaakjYuM-GIql⟧")

resp = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "Summarise ticket SUP-4471 in two lines"}],
    temperature=0.2,
)
print(resp.choices[0].message.content)"""),
    ("code", """const twilio = require('twilio');

const accountSid = 'AC2ffc67eb1010c7a327c27046a97161fd';
const authToken = '⟦twilio_auth_token|791435c59b29b1f24fd4c6bb5c8df9d1⟧';
const client = twilio(accountSid, authToken);

client.messages
  .create({ body: `Your Lumenfield login code is ${code}`, from: process.env.TWILIO_FROM, to: user.phone })
  .then((m) => console.log('sent', m.sid))
  .catch((err) => console.error('twilio error', err.code, err.moreInfo));"""),
    ("code", """package notify

import (
\t"fmt"

\t"github.com/slack-go/slack"
)

const botToken = "⟦slack_token|xoxb-18410596110-6168082920049-8R3dqyRnVO0wcgeKVUEHgOLU⟧"

func PostDeploy(channel, service, version string) error {
\tapi := slack.New(botToken)
\tmsg := fmt.Sprintf(":rocket: %s %s deployed", service, version)
\t_, _, err := api.PostMessage(channel, slack.MsgOptionText(msg, false))
\treturn err
}"""),
    ("properties", """server.port=8443
spring.datasource.url=jdbc:postgresql://pg-ledger.internal.corvid-analytics.com:5432/ledger
spring.datasource.username=ledger_svc
⟦password_in_config|spring.datasource.password=Fr0st-Bitten-Lake-62⟧
spring.jpa.hibernate.ddl-auto=validate
spring.mail.host=smtp.office365.com
spring.mail.port=587
spring.mail.username=⟦email_address|ledger-notify@corvid-analytics.com⟧
⟦password_in_config|spring.mail.password=Wq9#cXv2!Lp7⟧
management.endpoints.web.exposure.include=health,info,prometheus"""),
    ("log", """Traceback (most recent call last):
  File "/app/worker/tasks.py", line 88, in sync_invoices
    engine = create_engine(settings.WAREHOUSE_URL, pool_pre_ping=True)
  File "/usr/local/lib/python3.11/site-packages/sqlalchemy/engine/create.py", line 552, in create_engine
    u = _url.make_url(url)
  File "/usr/local/lib/python3.11/urllib/parse.py", line 182, in port
    raise ValueError(f"Port could not be cast to integer value as {port!r}")
ValueError: Port could not be cast to integer value as 'Br4ss!Kettle'

[worker-3] settings.WAREHOUSE_URL = '⟦db_connection_string|postgresql+psycopg2://etl:Br4ss!Kettle#90@⟦ipv4_address|10.12.8.41⟧:5433⟧/warehouse'"""),
    ("log", """{"ts":"2024-06-11T08:14:02.331Z","level":"info","svc":"auth","msg":"login succeeded","user":"⟦email_address|k.nakamura@lumenfield.io⟧","ip":"⟦ipv4_address|81.174.22.9⟧","mfa":"totp","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}
{"ts":"2024-06-11T08:14:05.907Z","level":"warn","svc":"auth","msg":"login failed","user":"⟦email_address|admin@lumenfield.io⟧","ip":"⟦ipv4_address|185.220.101.47⟧","reason":"bad_password","attempt":4,"trace_id":"00f067aa0ba902b7a3ce929d0e0e4736"}
{"ts":"2024-06-11T08:14:06.010Z","level":"info","svc":"auth","msg":"rate limit applied","ip":"⟦ipv4_address|185.220.101.47⟧","window_s":300}"""),
    ("log", """2024-06-11 09:02:17,412 ERROR [payments.gateway] Charge declined: {'amount': 12900, 'currency': 'usd', 'card': {'number': '⟦credit_card|4000056655665556⟧', 'exp_month': 11, 'exp_year': 2027, 'cvc': '***'}, 'customer': 'cus_Q8fLm2xRt7Vb'} -> card_declined (generic_decline)
2024-06-11 09:02:17,415 WARN  [payments.gateway] raw card payload logged by legacy adapter, see PAY-2231"""),
    ("log", """2024-06-11T09:15:44.020Z INFO  payment_intent.succeeded pi_3PQx7LKq2mVb9Rt81aXc4ZpD amount=4999 currency=eur card=visa ****4242 exp=12/27 request_id=req_Zk3P9qLx2mWb attempt=1
2024-06-11T09:15:44.118Z INFO  webhook delivered endpoint=we_1PQx2bLKq2mVb9RtYw8nE3sT status=200 latency_ms=143
2024-06-11T09:15:45.002Z DEBUG idempotency-key=6707873b-1271-46fe-ac82-d853d284d292 cached=true
2024-06-11T09:15:45.517Z INFO  payout.created po_1PQx9aLKq2mVb9Rt7vN2cE5w amount=184050 arrival_date=1718236800"""),
    ("log", """⟦ipv4_address|203.0.113.54⟧ - - [11/Jun/2024:10:21:07 +0000] "GET /api/v2/orders?page=3 HTTP/1.1" 200 18342 "https://app.lumenfield.io/orders" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36" rt=0.084 uct=0.001
⟦ipv4_address|198.51.100.212⟧ - - [11/Jun/2024:10:21:08 +0000] "POST /api/v2/login HTTP/1.1" 401 57 "-" "python-requests/2.31.0" rt=0.012 uct=0.000
⟦ipv4_address|198.51.100.212⟧ - - [11/Jun/2024:10:21:08 +0000] "POST /api/v2/login HTTP/1.1" 401 57 "-" "python-requests/2.31.0" rt=0.010 uct=0.000
⟦ipv4_address|66.249.66.1⟧ - - [11/Jun/2024:10:21:11 +0000] "GET /robots.txt HTTP/1.1" 200 67 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" rt=0.000 uct=-"""),
    ("log", """⟦ipv6_address|2a02:c7c:5d41:e00:9c1e:4b2f:a3d7:61e8⟧ - - [11/Jun/2024:11:02:44 +0100] "GET /wp-login.php HTTP/1.1" 404 196 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
⟦ipv6_address|2600:1f18:61a:8c00:4e1:b72d:9ac0:3f55⟧ - - [11/Jun/2024:11:02:45 +0100] "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0\""""),
    ("sql", """-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: ⟦ipv4_address|10.0.7.21⟧    Database: payouts
-- ------------------------------------------------------
LOCK TABLES `payout_accounts` WRITE;
/*!40000 ALTER TABLE `payout_accounts` DISABLE KEYS */;
INSERT INTO `payout_accounts` VALUES (1041,'Hollis Design Ltd','⟦email_address|accounts@hollisdesign.co.uk⟧','⟦iban|GB33BUKB20201555555555⟧','2024-02-11 09:14:00'),(1042,'Brenner & Vogt GmbH','⟦email_address|buchhaltung@brenner-vogt.de⟧','⟦iban|DE89370400440532013000⟧','2024-02-13 16:40:21'),(1043,'Studio Vermeulen','⟦email_address|finance@studiovermeulen.nl⟧','⟦iban|NL91ABNA0417164300⟧','2024-03-02 11:05:09');
/*!40000 ALTER TABLE `payout_accounts` ENABLE KEYS */;
UNLOCK TABLES;"""),
    ("sql", """-- staging refresh, copied from prod before the card vault migration (PAY-2231)
INSERT INTO public.orders (id, customer_email, card_number, card_exp, total_cents, created_at) VALUES
  (88120, '⟦email_address|t.adeyemi@fastmail.com⟧', '⟦credit_card|5555555555554444⟧', '08/26', 4599, '2024-05-30 14:02:11+00'),
  (88121, '⟦email_address|lea.moreau@orange.fr⟧', '⟦credit_card|378282246310005⟧', '01/27', 12000, '2024-05-30 14:05:47+00'),
  (88122, '⟦email_address|jpark82@gmail.com⟧', '⟦credit_card|6011111111111117⟧', '11/25', 899, '2024-05-30 14:07:02+00');"""),
    ("json", """{
  "data": {
    "user": {
      "id": "usr_01HZX4K8Q2M7B3R9T5V1W6Y0CQ",
      "email": "⟦email_address|amelia.wright@northwindtraders.com⟧",
      "profile": {"display_name": "Amelia W.", "locale": "en-GB", "timezone": "Europe/London"},
      "security": {
        "last_login_at": "2024-06-10T17:22:09Z",
        "last_login_ip": "⟦ipv4_address|86.142.77.203⟧",
        "known_devices": [
          {"id": "dev_7Qm2", "ua": "Firefox/126.0", "ip": "⟦ipv6_address|2a00:23c7:1e85:7301:d4b9:6a2f:ce0:4b17⟧"}
        ],
        "mfa_enabled": true
      }
    }
  },
  "meta": {"request_id": "req_9f1c2e7a", "took_ms": 41}
}"""),
    ("http", """POST /graphql HTTP/2
Host: api.lumenfield.io
Authorization: Bearer ⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfNDgyMTMiLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzE3MDAwMDAwLCJleHAiOjE3MTcwMDM2MDB9.5RTMQIKChqB-PzMHz-xEJ40pULN-byptEQXKWpEeH3_⟧
Content-Type: application/json
Apollo-Require-Preflight: true

{"operationName":"InviteMember","variables":{"orgId":"org_5521","email":"⟦email_address|d.osei@lumenfield.io⟧","role":"ADMIN"},"query":"mutation InviteMember($orgId: ID!, $email: String!, $role: Role!) { inviteMember(orgId: $orgId, email: $email, role: $role) { id status expiresAt } }"}"""),
    ("json", """{
  "info": {
    "_postman_id": "bf037fb9-743f-46c8-b50e-9a282e36a81d",
    "name": "Mailer API",
    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
  },
  "item": [
    {
      "name": "Send transactional",
      "request": {
        "method": "POST",
        "header": [
          {"key": "Authorization", "value": "Bearer ⟦sendgrid_api_key|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⟧", "type": "text"},
          {"key": "Content-Type", "value": "application/json"}
        ],
        "body": {"mode": "raw", "raw": "{\\"personalizations\\":[{\\"to\\":[{\\"email\\":\\"⟦email_address|qa-inbox@lumenfield.io⟧\\"}]}],\\"from\\":{\\"email\\":\\"⟦email_address|no-reply@lumenfield.io⟧\\"},\\"template_id\\":\\"d-4c1f8e2a9b7d45e6a3f0c9b8e7d6a5f4\\"}"},
        "url": {"raw": "https://api.sendgrid.com/v3/mail/send", "protocol": "https", "host": ["api", "sendgrid", "com"], "path": ["v3", "mail", "send"]}
      }
    }
  ]
}"""),
    ("json", """{"info":{"_postman_id":"ce1df6da-6ce3-40e7-b353-b00d1cc7487d","name":"Orders API (staging)","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"auth":{"type":"bearer","bearer":[{"key":"token","value":"{{access_token}}","type":"string"}]},"variable":[{"key":"baseUrl","value":"https://staging-api.lumenfield.io"},{"key":"access_token","value":""},{"key":"orderId","value":"88120"}],"item":[{"name":"Get order","request":{"method":"GET","url":"{{baseUrl}}/v2/orders/{{orderId}}"}},{"name":"Cancel order","request":{"method":"POST","url":"{{baseUrl}}/v2/orders/{{orderId}}/cancel"}}]}"""),
    ("chat", """[10:42] Tomás Ruiz: can someone with maintainer on infra/terraform-modules give the renovate bot a token? it keeps 401ing
[10:44] Inês Carvalho: made a project access token, scopes read_api + write_repository, expires 2024-09-01
[10:44] Inês Carvalho: ⟦gitlab_token|glpat-rwm5endTvLIj9MxsJAUk⟧
[10:45] Tomás Ruiz: 🙏 thx, putting it in the CI/CD variables now (masked + protected)
[10:51] Inês Carvalho: pls delete the message after"""),
    ("chat", """alerts bot for the on-call group is up :tada: token is ⟦telegram_bot_token|6391028135:AAl1piKpDDIA0DpqSVxOxdaWVzszl_vY6dy⟧ and the group chat id is -1001873420561. webhook points at https://alerts.lumenfield.io/tg/hook, ping me if it goes quiet"""),
    ("chat", """@maya the llama weights are gated, use my read token for now: ⟦huggingface_token|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⟧
`huggingface-cli login --token $HF_TOKEN` after you export it. I'll revoke it on friday"""),
    ("chat", """rotated the stripe live key after yesterday's incident. old one ended in …9fQ and is revoked in the dashboard (14:02 UTC). new restricted key lives in 1Password → Payments → "stripe-prod-restricted". nothing to do on your side unless you had it hard-coded somewhere 👀"""),
    ("prompt", """why does this fail? the api container can't reach mongo, but from my laptop the same URI works fine

```yaml
services:
  api:
    build: .
    environment:
      MONGO_URI: "⟦db_connection_string|mongodb+srv://svc_catalog:Tq5vK8!mR3wz@catalog-prod.x7kqp.mongodb.net⟧/catalog?retryWrites=true&w=majority"
      OPENAI_API_KEY: "⟦openai_api_key|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⟧"
    network_mode: bridge
```

error:
```
pymongo.errors.ServerSelectionTimeoutError: catalog-prod-shard-00-01.x7kqp.mongodb.net:27017: [Errno -3] Temporary failure in name resolution, Timeout: 30s, Topology Description: <TopologyDescription id: 6668a3f1c2e4b7d9a0f15e22, topology_type: ReplicaSetNoPrimary>
```"""),
    ("prompt", """I'm getting `google.auth.exceptions.RefreshError: ('invalid_grant: Invalid JWT Signature.', {'error': 'invalid_grant'})` with this key file. is it malformed or was the key deleted?

{
  "type": "service_account",
  "project_id": "corvid-dwh-prod",
  "private_key_id": "⟦gcp_service_account|2e7853ffd93b8d68b87f3577c15bdcb1332c1812⟧",
  "private_key": "⟦private_key|-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCvHncf0z8QqvTJ\\nvZTaZeXOAG6QVFIW8jnFpIMLjdNvZDynFlFvMRkc48jB97pjStExhFbVFAJjaPab\\nhxbDruYGeTsHAQb9/GdYZNi6PenoqpzyTDZfN0jTP2zi4958RK0OvD+CBgDXYoas\\nlGvHpYJHiZBdzNFbY2fvvd81dnS1RHwVQRMd8+GKo4wsSZZsvKgKcFOgEyIXAmR+\\nWL0UNlkOOY+uF1MBTxHHrQZF1xdQ3fawKOoOZI49hKsBbRgmmVEg4zo17SugpkSl\\nhQekFD18i/8Hy5ZRAdul2ErBirMwsVNalR1lRlyT9f30H3+PjT3nciAFDAX5LhxZ\\nFnL5yvjrAgMBAAECggEAN7cWqX55WyE5HpJ9sHqpAcCrbKoXMAvDC7nKo7ts4Mzg\\nazyzjg/t8H4cWnIpz/t20S1MvyBNnjk/9L2nJX0Y3Ehn2lOeWOKcMshrF94o9IiL\\nxJ8w0VxyhBty1kEvgRQMh1qnTgQA8oX7WR8jp3JmH8KJtv46Qbw/zkv3nzff6+em\\nX2wQ5wKgKacGT1Jmi7NQitAWtMqLnuAb9PCn2ZeaHxZetJfDBYG3/zLbGNs5A7Xo\\nG444h6NuQP6TwqHTGikAuLS8geURU1bQ5Ab1g/1ARm9+sbvQ1GK2WYR/y+gstZR5\\nepyjvBPqt4m4ekf/QEWF6WUxCxntADweqz0HQ7jFoQKBgQDXNSMsMEXW0ApKkPtk\\nIE5jIhP3Co9sBkwwuH/1OTqY7mUDNdWYeCz+TuCrN4XpynZrGVhHDEWxOIWQE03Z\\nlAqAPXmukns/JC4Kg+V6GW+ZMLUrBjdYm9ScnenSjMzsy5YM1ObcKes8E9qZyXZU\\nOZv23d25appFocRieLcTdGFZWwKBgQDQUAvTUfgPtc7fetv98hgNjwiY+p4Ko/Ko\\nvaZu0La6udveYuNUvSgMj4N8DKGStJf+r5MpbNAzwWXu2d5+5RxwfP/SDhGdnCgG\\n7GbZLBJdBDPHucxLKVcztU4h9peurXsNXnPMBWy/cMRUqPeBi68sNj6JyYqjAiGi\\nHWuh3CpjsQKBgG3TQ0jYtbtjXe0hwfkd94LlsDShYgHp0NYIQdy+QOYsusYBoih2\\nI9gAHu2hnyhpVzderstLOwGu65JUF6WSxC0fskphnJ3jc8+P8fr2ohoWXk4/lN0W\\nYVEv0VTO4AFz//Y6bDos9kwpgaR7yHRBFhPMs8tc2K/yVws9uYgnG0sDAoGBAJTI\\n53la7XuDFqwmG2To+mcMx05Eiob9DH+bXXl+11TNFQ5kwQwwQp+eDYKXnvuiw4Ek\\nNE79KkQdGUodEL6/s61ginOkms5gz3IKfXcV9FO9gaJgwVrZvy/uikzVzQb1X5Nv\\n5/NL2J1v1LrHKGi9tTM11zsg2UWOaylYLB0inKAxAoGBAL+NOYCXDwPrz1lpJaFK\\nnfPHcmf1q37f+VJ1xe9rETw7FFeBXgecKcLgzmp9D0TE0z3Wl8kJWtdn22krdz9t\\nuJrckbEHeH02sGZfLqvd2xsZbmVPo6DNLeazPG3U3xJPhrXido4HFntBVNBAKL4b\\n1N09IL5hTv7CtnXBKgncF+iO\\n-----END PRIVATE KEY-----⟧\\n",
  "client_email": "⟦email_address|dbt-runner@corvid-dwh-prod.iam.gserviceaccount.com⟧",
  "client_id": "117309462218845120936",
  "auth_uri": "https://accounts.google.com/o/oauth2/auth",
  "token_uri": "https://oauth2.googleapis.com/token",
  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
  "universe_domain": "googleapis.com"
}"""),
    ("prompt", """Can you explain this error? It happens on `terraform apply` in our GitHub Actions job:

```
│ Error: No valid credential sources found
│
│   with provider["registry.terraform.io/hashicorp/aws"],
│   on providers.tf line 12, in provider "aws":
│   12: provider "aws" {
│
│ Please see https://registry.terraform.io/providers/hashicorp/aws
│ for more information about providing credentials.
│
│ Error: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request canceled, context deadline exceeded
```

We pass AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from `${{ secrets.* }}` so I don't get why they're empty. Runner ubuntu-22.04, hashicorp/aws v5.52.0, terraform 1.8.4. The job runs on a pull_request from a fork, if that matters."""),
    ("ticket", """SEC-2207 — Shopify Admin API token committed to storefront-sync
Priority: Highest    Component: Security    Labels: secret-leak, gitleaks
Description:
gitleaks flagged commit 9118bb53 in lumenfield/storefront-sync (config/shopify.rb, line 4):

    ShopifyAPI::Context.setup(api_key: ENV["SHOPIFY_API_KEY"], access_token: "⟦shopify_token|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⟧", scope: "write_orders,read_customers")

The custom app has write_orders + read_customers. Please rotate by reinstalling the custom app, then purge the file from history (git filter-repo) and force-push.
Acceptance: token revoked, history rewritten, gitleaks baseline updated."""),
    ("ticket", """SUP-4471: Customer locked out after SSO migration
Reporter: Priya Raman    Severity: S2
Customer: ⟦email_address|m.castellano@hollisdesign.co.uk⟧ (Hollis Design, Enterprise plan)
Steps: customer signs in via Okta → redirected back to /login?error=access_denied.
Auth logs show repeated attempts from ⟦ipv4_address|212.58.244.20⟧ between 09:10 and 09:25 UTC, correlation id 7e910000-05f1-406a-bc43-070ed1b5e950.
Workaround: none yet. Suspect the SAML NameID format changed from email to employee id during the migration."""),
    ("ticket", """CI-893: test_checkout_concurrency flaky on main
Seen in builds #18234, #18241 and #18250 (runner pool linux-xlarge), fails roughly 1 in 12 runs.
First bad commit looks like 0e9f5065 ("bump sqlalchemy to 2.0.30"), last good fb3d038e.
  AssertionError: expected 2 reservations, got 3
  tests/checkout/test_concurrency.py:141
Artifacts: s3://ci-artifacts/checkout/18250/junit.xml — retention 14 days.
Proposed fix: SELECT ... FOR UPDATE SKIP LOCKED in ReservationRepo.claim()."""),
    ("ci", """Run npm publish --access public
npm verb cli /opt/hostedtoolcache/node/20.14.0/x64/bin/node /opt/hostedtoolcache/node/20.14.0/x64/bin/npm
npm info using npm@10.7.0
npm info using node@v20.14.0
npm verb config writing //registry.npmjs.org/:_authToken=⟦npm_token|npm_Ipg9soJXV5PQz73S78rQSNcbHw9HuMxyx6R6⟧ to /home/runner/work/_temp/.npmrc
npm http fetch PUT 403 https://registry.npmjs.org/@lumenfield%2fui-kit 612ms
npm ERR! code E403
npm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/@lumenfield%2fui-kit - You cannot publish over the previously published versions: 3.8.2.
Error: Process completed with exit code 1."""),
    ("ci", """2024-06-11T12:03:55.1023311Z ##[group]Run aws-actions/configure-aws-credentials@v4
2024-06-11T12:03:55.1024112Z with:
2024-06-11T12:03:55.1024410Z   aws-access-key-id: ***
2024-06-11T12:03:55.1024702Z   aws-secret-access-key: ***
2024-06-11T12:03:55.1025000Z   aws-region: eu-west-1
2024-06-11T12:03:55.1025301Z ##[endgroup]
2024-06-11T12:03:57.4410981Z Authenticated as assumedRoleId AROAQX4Z7EXAMPLEID:GitHubActions
2024-06-11T12:04:31.8820144Z #12 exporting to image
2024-06-11T12:04:31.8821029Z #12 writing image sha256:e04e01c5d4aaf093382ba282ea6700fbf81ad8a0bf271c190e5ae6b16ca9ef28 done
2024-06-11T12:04:31.8821790Z #12 naming to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:sha-755f745 done
2024-06-11T12:04:33.0012230Z \x1b[32m✔\x1b[0m pushed orders-api:sha-755f745 (digest: sha256:409ccd1e18f1cad90812bf2aa325e4bc82b2c3c2e652cc68b6f1bc636392f726, size: 2417)"""),
    ("npmrc", """registry=https://registry.npmjs.org/
@lumenfield:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=⟦github_token|ghp_NJFkR8p26hS1yvpHU1MWZOWgZLyRzxRi8bwo⟧
always-auth=true
save-exact=true"""),
    ("npmrc", """# .npmrc committed to the repo -- tokens are injected by CI
@lumenfield:registry=https://npm.pkg.github.com
//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
engine-strict=true
fund=false
audit-level=high"""),
    ("pypirc", """[distutils]
index-servers =
    pypi
    internal

[pypi]
username = __token__
password = ⟦pypi_token|pypi-AgEIcHlwaS5vcmcP8rcqysULw8vY3vsNmHLIWcqZZdK7Jv-CHwSGfpC9fF3KnttxSiHSLlx4VvSiNiQ34LAmpNDuL8FWQ8IZLoSzcD-5z3299S3Caw0pr_augJOAG4MI-OYubwdItbkAT4Zvh6K4cD7QB1Z12tD8P9iFjp-tj-qjK6T⟧

[internal]
repository = https://nexus.corvid-analytics.com/repository/pypi-internal/
username = svc-release
⟦password_in_config|password = Gl4cier!Moss-208⟧"""),
    ("ssh_config", """# ~/.ssh/config
Host bastion-prod
    HostName ⟦ipv4_address|52.48.201.17⟧
    User ec2-user
    IdentityFile ~/.ssh/lumen-prod.pem
    ServerAliveInterval 60

Host db-replica
    HostName ⟦ipv4_address|10.40.5.88⟧
    User ubuntu
    ProxyJump bastion-prod
    LocalForward 15432 localhost:5432

Host *.internal.lumenfield.io
    User deploy
    StrictHostKeyChecking accept-new"""),
    ("known_hosts", """github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
⟦ipv4_address|10.40.5.88⟧ ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHCm8AHWBfM82gCodEcm7mWNH5NjwONAhdyB2Xc7g8/edPpeLcPBhktnbG48xCXT3fxeDg18i+CM4ZIC4J25ffE=
[bastion.lumenfield.io]:2222,[⟦ipv4_address|52.48.201.17⟧]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGuuf/xVUNOzpqvyStbztsOc8ZudXDvVIYrydbqoN/dr
|1|LJm+7gAZSOWNom5766e4ToBUpjc=|aaBP9XGnAZjUbL16Yvea3GTGbb0= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGuuf/xVUNOzpqvyStbztsOc8ZudXDvVIYrydbqoN/dr"""),
    ("log", """Jun 11 07:58:03 gw01 dhcpd[1123]: DHCPREQUEST for ⟦ipv4_address|192.168.20.57⟧ (⟦ipv4_address|192.168.20.1⟧) from ⟦mac_address|3c:22:fb:8e:41:07⟧ (Priyas-MBP) via eth1
Jun 11 07:58:03 gw01 dhcpd[1123]: DHCPACK on ⟦ipv4_address|192.168.20.57⟧ to ⟦mac_address|3c:22:fb:8e:41:07⟧ (Priyas-MBP) via eth1
Jun 11 07:58:09 gw01 dhcpd[1123]: DHCPINFORM from ⟦ipv4_address|192.168.20.112⟧ via eth1: not authoritative for subnet"""),
    ("log", """Jun 11 08:30:12 edge-fw kernel: [UFW BLOCK] IN=ens5 OUT= SRC=⟦ipv6_address|2001:470:1f0b:8c2::17⟧ DST=⟦ipv6_address|2a05:d018:9b1:e400:5c3a:8f21:d7e0:4a6c⟧ LEN=80 TC=0 HOPLIMIT=54 FLOWLBL=592311 PROTO=TCP SPT=51234 DPT=22 WINDOW=64800 RES=0x00 SYN URGP=0"""),
    ("json", """{
  "Logging": {"LogLevel": {"Default": "Information", "Microsoft.AspNetCore": "Warning"}},
  "AllowedHosts": "*",
  "ConnectionStrings": {
    "Blob": "⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=lumenfieldmedia;AccountKey=WBYqWyTf+yp2hbSmVf6KBD0u9m6RZsGpzvOA3o0rA9xK15bTC535Kh365r6E1GadRTzfn4/HbObUOf/kdHKi7A==;EndpointSuffix=core.windows.net⟧",
    "Sql": "Server=tcp:lumenfield-sql.database.windows.net,1433;Initial Catalog=orders;Persist Security Info=False;User ID=orders_app;⟦password_in_config|Password=Cq7!vN3x#Tk8⟧;MultipleActiveResultSets=False;Encrypt=True;Connection Timeout=30;"
  },
  "Features": {"UseBlobCdn": true}
}"""),
    ("code", """// src/lib/firebase.ts
import { initializeApp } from "firebase/app";
import { getAuth } from "firebase/auth";

const firebaseConfig = {
  apiKey: "⟦gcp_api_key|AIza-ZckjuQt51tLNx1d2DfN9_tQcxdlf6MY0zR⟧",
  authDomain: "lumenfield-mobile.firebaseapp.com",
  projectId: "lumenfield-mobile",
  storageBucket: "lumenfield-mobile.appspot.com",
  messagingSenderId: "884120937155",
  appId: "1:884120937155:web:3f9c2b7d1e8a4c6f0b5d2e",
  measurementId: "G-7QK2M9XWZ3",
};

export const app = initializeApp(firebaseConfig);
export const auth = getAuth(app);"""),
    ("shell", """$ echo "⟦github_token|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⟧" | gh auth login --with-token
$ gh auth status
github.com
  ✓ Logged in to github.com account lumen-release-bot (keyring)
  - Active account: true
  - Git operations protocol: https
  - Token: github_pat_11**********************************"""),
    ("code", """# scripts/backfill_refunds.py -- one-off, run from the ops box
import stripe

stripe.api_key = "⟦stripe_key|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⟧"  # restricted: refunds write, charges read

with open("charges_to_refund.txt") as fh:
    for charge_id in fh.read().split():
        r = stripe.Refund.create(charge=charge_id, reason="requested_by_customer")
        print(charge_id, r.status)"""),
    ("prompt", """my script keeps getting `401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}` even though I copied the key straight from the console. what am I doing wrong?

```python
import os
import anthropic

os.environ["ANTHROPIC_API_KEY"] = "⟦anthropic_api_key|sk-ant-api03-o20dJt52diBFTG36AuOcTXakEF3g6IzL1SorwsclxOi7wDJ76ZTL6r2FfLpPpbBEuPKRlBHn5qxFqQnATnhOSBuV3o_mJAA⟧ "
client = anthropic.Anthropic()
msg = client.messages.create(
    model="claude-3-haiku-20240307",
    max_tokens=100,
    messages=[{"role": "user", "content": "hi"}],
)
print(msg.content[0].text)
```"""),
    ("shell", """#!/usr/bin/env bash
# export channel history for the incident review (INC-0611)
set -euo pipefail
SLACK_TOKEN="⟦slack_token|xoxp-98638340844-029776256092-1301113833317-19ab8f268d95a6b3780529f28852ebba⟧"
CHANNEL=C06QK2M9XWZ
curl -s -H "Authorization: Bearer $SLACK_TOKEN" \\
  "https://slack.com/api/conversations.history?channel=$CHANNEL&oldest=1718064000&limit=200" \\
  | jq -r '.messages[] | [.ts, .user, .text] | @tsv' > incident-2024-06-11.tsv"""),
    ("code", """// Jenkinsfile (etl-nightly)
post {
    failure {
        sh '''
          curl -X POST -H 'Content-type: application/json' \\
            --data "{\\"text\\":\\"Nightly ETL failed: ${JOB_NAME} #${BUILD_NUMBER} <${BUILD_URL}|logs>\\"}" \\
            ⟦slack_webhook|https://hooks.slack.com/services/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⟧
        '''
    }
    always {
        junit 'reports/**/*.xml'
    }
}"""),
    ("yaml", """# alertmanager.yml
global:
  resolve_timeout: 5m
  smtp_smarthost: 'smtp.sendgrid.net:587'
  smtp_from: '⟦email_address|alerts@corvid-analytics.com⟧'
  smtp_auth_username: 'apikey'
  smtp_auth_password: '⟦sendgrid_api_key|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⟧'
  slack_api_url: '⟦slack_webhook|https://hooks.slack.com/services/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⟧'
route:
  receiver: team-data
  group_by: [alertname, cluster]
  repeat_interval: 4h
receivers:
  - name: team-data
    slack_configs:
      - channel: '#data-alerts'
        send_resolved: true"""),
    ("http", """GET /api/v1/me HTTP/1.1
Host: portal.corvid-analytics.com
User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.142 Safari/537.36
Accept: application/json
Cookie: _ga=GA1.1.1843920571.1717923311; portal_session=⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjozMDExNywic2Vzc2lvbiI6IndlYiIsImV4cCI6MTcxOTAwMDAwMH0.wKn3zw-EXaTUWsUPEUUv0BgqnBgIiJn6Z23PMQqpncS⟧; theme=dark
Sec-Fetch-Mode: cors

HTTP/1.1 500 Internal Server Error
content-type: application/json
x-request-id: 554c0e2165ae425f5fc0cb0a

{"error":"internal","message":"profile service unavailable"}"""),
    ("notebook", """{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 3,
   "id": "a91f3c2e",
   "metadata": {},
   "outputs": [],
   "source": [
    "import os\\n",
    "os.environ[\\"HF_TOKEN\\"] = \\"⟦huggingface_token|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⟧\\"\\n",
    "from transformers import AutoTokenizer, AutoModelForCausalLM\\n",
    "tok = AutoTokenizer.from_pretrained(\\"meta-llama/Meta-Llama-3-8B-Instruct\\")"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}"""),
    ("log", """2024-06-11 13:44:09.812 ERROR 1 --- [   scheduling-1] c.l.billing.InvoiceMailer                : Failed to send invoice INV-2024-0611-07
org.springframework.mail.MailSendException: Failed messages: jakarta.mail.SendFailedException: Invalid Addresses;
  nested exception is:
\torg.eclipse.angus.mail.smtp.SMTPAddressFailedException: 550 5.1.1 <⟦email_address|accounts-payable@brenner-vogt.de⟧>: Recipient address rejected: User unknown in virtual mailbox table
\tat org.springframework.mail.javamail.JavaMailSenderImpl.doSend(JavaMailSenderImpl.java:461)
\tat org.springframework.mail.javamail.JavaMailSenderImpl.send(JavaMailSenderImpl.java:323)
\tat com.lumenfield.billing.InvoiceMailer.send(InvoiceMailer.java:77)
\tat com.lumenfield.billing.InvoiceJob.run(InvoiceJob.java:41)"""),
    ("log", """2024/06/11 14:02:55 http: panic serving [⟦ipv6_address|2a01:4f8:c17:b8f::2⟧]:48812: runtime error: invalid memory address or nil pointer dereference
goroutine 48211 [running]:
net/http.(*conn).serve.func1()
\t/usr/local/go/src/net/http/server.go:1898 +0xbe
panic({0x9f4c20?, 0x10a3e50?})
\t/usr/local/go/src/runtime/panic.go:770 +0x132
github.com/lumenfield/edge/internal/geo.(*Resolver).Lookup(0x0, {0xc0004a2f30, 0x27})
\t/src/internal/geo/resolver.go:64 +0x3a
github.com/lumenfield/edge/internal/api.(*Server).handleRegion(0xc0001b6000, {0xb8e1c0, 0xc0004d20e0}, 0xc0003c4b40)
\t/src/internal/api/region.go:31 +0x9c"""),
    ("code", """# portal/settings/production.py
from .base import *  # noqa

DEBUG = False
ALLOWED_HOSTS = ["portal.corvid-analytics.com"]
⟦generic_secret|SECRET_KEY = "oqax@%8ob76l^8x%)*1c-k18drq_4)xw1#hbd-&bri0lpos05_⟧"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "portal",
        "USER": "portal_app",
        "⟦password_in_config|PASSWORD": "Mx2!qR7vTn4#Lb⟧",
        "HOST": "⟦ipv4_address|10.60.2.14⟧",
        "PORT": "5432",
        "CONN_MAX_AGE": 60,
    }
}"""),
    ("shell", """kubectl -n ci create secret docker-registry ghcr-pull \\
  --docker-server=ghcr.io \\
  --docker-username=lumen-release-bot \\
  --docker-password=⟦github_token|ghp_7gGyGIelvH7Q6tkDocxB4JShuSj4uUlViw3I⟧ \\
  --docker-email=⟦email_address|release-bot@lumenfield.io⟧
secret/ghcr-pull created"""),
    ("shell", """ubuntu@etl-worker-02:~$ ip -br link show ens5
ens5             UP             ⟦mac_address|0a:3d:91:5e:c4:27⟧ <BROADCAST,MULTICAST,UP,LOWER_UP>
ubuntu@etl-worker-02:~$ ip -br -4 addr show ens5
ens5             UP             ⟦ipv4_address|10.40.12.87⟧/20"""),
    ("chat", """here's the deploy key for the ci runner, the old one expired. put it in the runner's ~/.ssh/id_ed25519 and chmod 600

```
⟦private_key|-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACBrrn/8VVDTs6ar8krW87bDnPGbnVw71SGK8nW6qDf3awAAAJiWDx38lg8d
/AAAAAtzc2gtZWQyNTUxOQAAACBrrn/8VVDTs6ar8krW87bDnPGbnVw71SGK8nW6qDf3aw
AAAEAc42QizyoOkuWVk+oa613vDkhcyAPOQ4O/xg8Dk3OjWmuuf/xVUNOzpqvyStbztsOc
8ZudXDvVIYrydbqoN/drAAAAE2RlcGxveUBjaS1ydW5uZXItMDMBAg==
-----END OPENSSH PRIVATE KEY-----⟧
```"""),
    ("yaml", """# charts/edge/values-prod.yaml
ingress:
  enabled: true
  host: api.lumenfield.io
  tls:
    # TODO: switch to cert-manager, pasted manually for now
    crt: |
      -----BEGIN CERTIFICATE-----
      MIIBjjCCATOgAwIBAgIUJ8hzXKH+STbZn/16IkxTVeO46PQwCgYIKoZIzj0EAwIw
      HDEaMBgGA1UEAwwRYXBpLmx1bWVuZmllbGQuaW8wHhcNMjYxMTIzMTczOTU3WhcN
      MjcwMjIxMTczOTU3WjAcMRowGAYDVQQDDBFhcGkubHVtZW5maWVsZC5pbzBZMBMG
      ByqGSM49AgEGCCqGSM49AwEHA0IABJRkoDh3phfly4F0F7KIm4CHrAkiUvqa9c5s
      L0Ls4GcWMJi4cZpiNtlcGdPTM6rD9hbjdjBuiKVrIKZGA4uwX0ujUzBRMB0GA1Ud
      DgQWBBQS4n9gkkT3v4S2qGX7ZKotJ1eAyDAfBgNVHSMEGDAWgBQS4n9gkkT3v4S2
      qGX7ZKotJ1eAyDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDE
      ht95CFqOiMVKqCXea4+7CdsiRmHTA3G+uRRztKatQwIhANwnKnhsSzBjbm2fso8E
      ELhn9upoJ4rhZLtH3gBO+tPk
      -----END CERTIFICATE-----
    key: |
      ⟦private_key|-----BEGIN PRIVATE KEY-----
      MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghTHMWimwGjuDLDrC
      2OX1aWsFwXU9jpyVL8sXSHsSRfKhRANCAASUZKA4d6YX5cuBdBeyiJuAh6wJIlL6
      mvXObC9C7OBnFjCYuHGaYjbZXBnT0zOqw/YW43YwboilayCmRgOLsF9L
      -----END PRIVATE KEY-----⟧"""),
    ("ci", """[Pipeline] withCredentials
Warning: A secret was passed to "sh" using Groovy String interpolation, which is insecure.
\t\t Affected argument(s) used the following variable(s): [VAULT_ROLE_SECRET]
[Pipeline] sh
+ export VAULT_ADDR=https://vault.corvid-analytics.com:8200
+ VAULT_ADDR=https://vault.corvid-analytics.com:8200
+ export VAULT_TOKEN=⟦vault_token|hvs.CAESIYqWvW6lxozKSXgkSYyEx-LLxoCbATprLznVAS56mfM6W2D6BzTWFAZmodKWqIi6hhFr04zWinPnjF1GU9PGgpS⟧
+ vault kv get -field=password secret/etl/warehouse
Error reading secret/data/etl/warehouse: Error making API request.
Code: 403. Errors:
* permission denied
[Pipeline] }
Finished: FAILURE"""),
    ("shell", """#!/bin/sh
# /etc/cron.hourly/disk-alert -- pings the ops telegram group when / is above 85%
USAGE=$(df / --output=pcent | tail -1 | tr -dc '0-9')
if [ "$USAGE" -gt 85 ]; then
  curl -s "https://api.telegram.org/bot⟦telegram_bot_token|3125387390:AApkG3u-5UW41cGFyqJ_oKZVid4C9C-eAS9⟧/sendMessage" \\
    -d chat_id=-1001873420561 \\
    -d text="$(hostname): disk at ${USAGE}%"
fi"""),
    ("prompt", """This docker run works on my mac but inside our k8s job the app says "OPENAI_API_KEY not set". Is it the quoting?

docker run --rm -e OPENAI_API_KEY=⟦openai_api_key|sk-svcacct-dKK1JMg3M6DU8KpPn6Qpm5hU7wsck2j3Ykyl3O2So_HLI9_ieNhBUB19J__1yLZi-_JIzP-H9VaLI_L7AYUChJQE22MSKVACBTlQ27086kfs3kl1KBXZDOt31hQpymVvZi2FftpjHZNPYE0YXppVrTgkj9n3⟧ -e MODEL=gpt-4o ghcr.io/lumenfield/summarizer:0.9.2 --input s3://lumenfield-exports/tickets.jsonl

and the job spec has
  env:
    - name: OPENAI_API_KEY
      valueFrom:
        secretKeyRef: {name: summarizer, key: openai-api-key}"""),
    ("yaml", """# .gitlab-ci.yml (data-platform/dbt-models)
stages: [test, trigger]

dbt-test:
  stage: test
  image: ghcr.io/dbt-labs/dbt-postgres:1.8.2
  script:
    - dbt deps
    - dbt build --target ci

trigger-docs:
  stage: trigger
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
  script:
    - >
      curl --fail -X POST
      -F token=⟦gitlab_token|glpat-Y45_BqGi3wVH8NTRcmgk⟧
      -F ref=main
      https://gitlab.corvid-analytics.com/api/v4/projects/412/trigger/pipeline"""),
    ("ini", """# /etc/pip.conf on the build agents
[global]
index-url = ⟦password_in_url|https://svc-pypi:Mh3tZq8Wv2Kx@nexus.corvid-analytics.com⟧/repository/pypi-all/simple
trusted-host = nexus.corvid-analytics.com
timeout = 60
disable-pip-version-check = true"""),
    ("shell", """$ git clone ⟦password_in_url|https://build-agent:9vKx2TqL7mWz4R@git.lumenfield.io⟧/data/dbt-models.git
Cloning into 'dbt-models'...
remote: Enumerating objects: 18231, done.
remote: Counting objects: 100% (412/412), done.
Receiving objects: 100% (18231/18231), 9.84 MiB | 21.30 MiB/s, done.
Resolving deltas: 100% (11022/11022), done."""),
    ("config", """# /etc/nginx/conf.d/grafana-prom.conf
location /prometheus/ {
    proxy_pass http://prometheus.monitoring.svc.cluster.local:9090/;
    proxy_set_header Authorization "⟦http_basic_auth|Basic Z3JhZmFuYS1ybzpQbDRuM3QtT3gxZGUtOTE=⟧";
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_read_timeout 120s;
}"""),
    ("code", """package store

import (
\t"context"

\t"github.com/jackc/pgx/v5/pgxpool"
)

// TODO(ravi): read from env, hard-coded while debugging the replica lag
const dsn = "⟦db_connection_string|postgres://ledger:Vn8qT2xLm5wRk3@⟦ipv4_address|10.60.2.30⟧:5432⟧/ledger?sslmode=verify-full&pool_max_conns=20"

func Open(ctx context.Context) (*pgxpool.Pool, error) {
\treturn pgxpool.New(ctx, dsn)
}"""),
    ("chat", """staging checkout is back up. use ⟦credit_card|4242 4242 4242 4242⟧ with any future expiry and any CVC; for the 3DS challenge flow use ⟦credit_card|4000 0025 0000 3155⟧. please don't use real cards on staging, it's not PCI scoped"""),
    ("log", """06-11 16:20:44.118  8812  8890 D OkHttp  : --> GET https://api.lumenfield.io/v2/orders?status=open
06-11 16:20:44.118  8812  8890 D OkHttp  : Authorization: Bearer ⟦jwt|eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxLTIwMjQtMDUiLCJ0eXAiOiJKV1QifQ.eyJpc3MiOiJodHRwczovL2F1dGguYWNtZS1pbnRlcm5hbC5uZXQvIiwiYXVkIjoib3JkZXJzLWFwaSIsInN1YiI6InN2Yy1vcmRlcnMiLCJzY29wZSI6Im9yZGVyczp3cml0ZSIsImlhdCI6MTcxNjg5MTIwMCwiZXhwIjoxNzE2ODk0ODAwfQ.gpT4GMHrbrvUb6A1uNInQojST0RgaTEWrMn1xq7ocsoIE_L9T891QyelMlZx5aeE10LBkrwswnSHs2O5cJGuPikCT0GhTtC7I_M01pjW5BwZqLP0GOBhdSKZRWC4E1fcX8C3yoM0vlsL39WiRzOyzwRm9Fk9kE4y33rY8-n7NOLBZ1vXPvG3H0rm7Y7FM-T4iUyZNORqaJ-rJcUTbPtQlp0GTWhFvI7QKweytzEzowojQEjW6eAduux2WXkL9qkCrpcywSu6s6ygTAjvWdTRWyveRRFQJ5CgFTEkxRn3judASrJrfkORLveqE5MHFbheevY4Ig4QaBjtBAYB2OiE4v⟧
06-11 16:20:44.119  8812  8890 D OkHttp  : --> END GET
06-11 16:20:44.402  8812  8890 D OkHttp  : <-- 200 https://api.lumenfield.io/v2/orders?status=open (283ms)
06-11 16:20:44.403  8812  8890 D OkHttp  : content-type: application/json; charset=utf-8"""),
    ("http", """POST /v1/payouts HTTP/1.1
Host: api.tessera-pay.com
Idempotency-Key: 9c311270-6d97-400e-8178-841d242fea34
Content-Type: application/json
Authorization: Bearer ${TESSERA_API_KEY}

{"amount": 184050, "currency": "EUR", "destination": {"type": "sepa", "iban": "⟦iban|ES9121000418450200051332⟧", "holder": "Estudio Norte SL", "email": "⟦email_address|pagos@estudionorte.es⟧"}, "reference": "INV-2024-0611-07", "metadata": {"batch": "2024-06-11-eu"}}"""),
    ("code", """# restore-media.ps1
$ErrorActionPreference = "Stop"
$ctx = New-AzStorageContext -StorageAccountName "lumenbackups" -StorageAccountKey "⟦azure_storage_key|AuDx923abg0mu1WZmVZ6EnEivXQZ5aT3FfKpRONRZVJCIFGg+SoWHk9IrIkxk2gSqt9+zU82pDd2OoIrfHmzcg==⟧"
Get-AzStorageBlob -Container "media-2024" -Context $ctx |
    Where-Object { $_.LastModified -gt (Get-Date).AddDays(-2) } |
    Get-AzStorageBlobContent -Destination "D:\\restore\\media" -Force"""),
    ("code", """// server/webhooks/github.js
const crypto = require('crypto');
const express = require('express');

const GITHUB_WEBHOOK_⟦generic_secret|SECRET = 'sk5i451R5tB3fbeKrkstuuvtV4AEx96s⟧';

function verify(req) {
  const sig = req.get('X-Hub-Signature-256') || '';
  const mac = 'sha256=' + crypto.createHmac('sha256', GITHUB_WEBHOOK_SECRET).update(req.rawBody).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(mac));
}

module.exports = { verify };"""),
    ("shell", """curl -s https://login.microsoftonline.com/a1c4e7f0-2b5d-48a9-b3c6-d9e2f5a8b1c4/oauth2/v2.0/token \\
  -d grant_type=client_credentials \\
  -d client_id=6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b \\
  -d ⟦generic_secret|client_secret=DSe8Q~pfveJwHCv-qaxwM~ohj1v4Ofk.E10ftwI_⟧ \\
  -d scope=https://graph.microsoft.com/.default | jq -r .access_token"""),
    ("code", """import os
from twilio.rest import Client

# API key "ops-sms" (created 2024-05-02)
client = Client("⟦twilio_api_key|SK92ad0ac68810c7681aa14d1a66adb679⟧", os.environ["TWILIO_API_SECRET"], "AC2ffc67eb1010c7a327c27046a97161fd")
for n in client.incoming_phone_numbers.list(limit=20):
    print(n.friendly_name, n.capabilities)"""),
    ("log", """{"level":"error","ts":"2024-06-11T16:41:09.552Z","caller":"sepa/mandate.go:212","msg":"mandate rejected by debtor bank","iban":"⟦iban|AT611904300234573201⟧","reason":"AC04","reason_text":"account closed","mandate_id":"MD-7731-0042","retry":false}"""),
    ("shell", """$ kubectl -n checkout get cm checkout-config -o jsonpath='{.binaryData.flags\\.json}'
eyJmZWF0dXJlIjoiZGFyay1tb2RlIiwicm9sbG91dCI6MjV9
$ echo eyJmZWF0dXJlIjoiZGFyay1tb2RlIiwicm9sbG91dCI6MjV9 | base64 -d
{"feature":"dark-mode","rollout":25}"""),
    ("json", """    "node_modules/lodash": {
      "version": "4.17.21",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
      "integrity": "sha512-mfla+FZ8561VJfsd2A5rLZt2Ip7/EGbeZvXk0AC2752CJKeD4FAxrCDNalkpvyNJwDy5WgR//Ap7RwrFy44afg==",
      "license": "MIT"
    },
    "node_modules/ms": {
      "version": "2.1.3",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
      "integrity": "sha512-cXoFjioFAfvU6+vgM7V1xXjF+HFdCV2Ldb24jxNctvDFTFKxZlp4Bt1Aso8WtyBtLZW8uiPI+2XbjY3p/0vPiA=="
    },"""),
    ("text", """#
# This file is autogenerated by pip-compile with Python 3.12
# by the following command:
#
#    pip-compile --generate-hashes requirements.in
#
certifi==2024.6.2 \\
    --hash=sha256:b5247eeaa379a161c969b9efc56850979622c765f4d361f721bf8a62046642fa \\
    --hash=sha256:e598645f7058721855e520d4ed413dec5e16e015b2e90ed7157de968751997ce
    # via requests
idna==3.7 \\
    --hash=sha256:409ccd1e18f1cad90812bf2aa325e4bc82b2c3c2e652cc68b6f1bc636392f726
    # via requests"""),
    ("ci", """\x1b[1m#8 [builder 4/7] RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels\x1b[0m
#8 DONE 41.3s
#9 [stage-1 3/5] COPY --from=builder /wheels /wheels
#9 sha256:cd39ef6adc9d9f1d1aad100600a8bdf6d9a96bd232a976b5c3984cfa7522a437 12.58MB / 12.58MB 0.4s done
#9 DONE 0.9s
#12 exporting layers 3.1s done
#12 writing image sha256:b63bacecb55a751cf0e1cbe5ccf726572ab372532b591f9f69ccf1515b25e285 done
#12 naming to docker.io/lumenfield/summarizer:0.9.2 done
\x1b[33mWARNING\x1b[0m: current commit information was not captured by the build: git was not found"""),
    ("shell", """$ kubectl -n orders get pods -o wide
NAME                            READY   STATUS             RESTARTS         AGE    NODE
orders-api-7d9f8b6c5d-4xk2p     1/1     Running            0                3d4h   ip-10-40-12-87.eu-west-1.compute.internal
orders-api-7d9f8b6c5d-9qz7m     0/1     CrashLoopBackOff   14 (2m11s ago)   47m    ip-10-40-14-203.eu-west-1.compute.internal
orders-worker-5c7b9d4f8-h2lmn   1/1     Running            2 (5h ago)       3d4h   ip-10-40-12-87.eu-west-1.compute.internal"""),
    ("shell", """$ git log --oneline -8
755f745 (HEAD -> main, origin/main) orders: retry idempotent payouts on 409
0e9f506 bump sqlalchemy to 2.0.30
fb3d038 checkout: claim reservations with SKIP LOCKED
88babee ci: pin actions to full commit SHAs
9118bb5 storefront-sync: read shopify token from env
dbf68c9 docs: rotate-secrets runbook
4e63f95 chore(deps): bump lodash from 4.17.20 to 4.17.21
a3c91e0 Merge pull request #2291 from lumenfield/fix/tz-offsets"""),
    ("terraform", """Terraform will perform the following actions:

  # aws_instance.bastion will be updated in-place
  ~ resource "aws_instance" "bastion" {
        id                     = "i-0f3a9c2e7b1d45680"
      ~ instance_type          = "t3.micro" -> "t3.small"
        tags                   = {
            "Name"  = "bastion-prod"
            "Owner" = "platform"
        }
        # (28 unchanged attributes hidden)
    }

  # aws_db_instance.reporting will be updated in-place
  ~ resource "aws_db_instance" "reporting" {
        id       = "db-7QK2M9XWZ3LQ4T8VNB2RHC6PJE"
      ~ password = (sensitive value)
        # (41 unchanged attributes hidden)
    }

Plan: 0 to add, 2 to change, 0 to destroy."""),
    ("readme", """## Configuring credentials

Run `aws configure` and paste the values from the IAM console. The transcript below uses the example values from the AWS documentation:

```bash
$ aws configure
AWS Access Key ID [None]: AKIAIOSFODNN7EXAMPLE
AWS Secret Access Key [None]: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
Default region name [None]: us-west-2
Default output format [None]: json
```

Never commit `~/.aws/credentials`; use `aws sso login --profile lumen-dev` for day-to-day work."""),
    ("readme", """# Changelog

## [2.31.4] - 2024-06-10
### Fixed
- Payout retries no longer double-submit when the bank returns HTTP 409 (#2288).
- `orders-api` health check timeout raised from 2s to 5s.

## [2.31.3] - 2024-06-03
### Changed
- Bumped `pgx` to v5.6.0 and `otel` SDK to 1.27.0.
- Minimum supported Node runtime is now 20.11.1.

## [2.31.0] - 2024-05-21
### Added
- Restricted API keys for partner integrations (see docs/partners.md)."""),
    ("text", """# HELP http_server_requests_seconds Duration of HTTP server requests
# TYPE http_server_requests_seconds histogram
http_server_requests_seconds_bucket{method="GET",route="/v2/orders",status="200",le="0.05"} 18234
http_server_requests_seconds_bucket{method="GET",route="/v2/orders",status="200",le="0.1"} 19941
http_server_requests_seconds_bucket{method="GET",route="/v2/orders",status="200",le="+Inf"} 20117
http_server_requests_seconds_sum{method="GET",route="/v2/orders",status="200"} 1041.882
http_server_requests_seconds_count{method="GET",route="/v2/orders",status="200"} 20117
process_start_time_seconds 1.718064012e+09
go_goroutines 412"""),
    ("yaml", """# config/database.yml
default: &default
  adapter: postgresql
  encoding: unicode
  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>

development:
  <<: *default
  database: storefront_development

production:
  <<: *default
  database: storefront_production
  username: storefront
  password: <%= ENV["STOREFRONT_DATABASE_PASSWORD"] %>
  host: <%= ENV["DATABASE_HOST"] %>"""),
    ("json", """{
  "dashboard": {
    "uid": "orders-slo",
    "title": "Orders SLO",
    "schemaVersion": 39,
    "version": 27,
    "panels": [
      {
        "id": 4,
        "type": "timeseries",
        "title": "p99 latency",
        "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"},
        "targets": [{"expr": "histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket{route=\\"/v2/orders\\"}[5m])))", "refId": "A"}]
      }
    ]
  },
  "folderUid": "ddk3q9m2xv7kgb",
  "overwrite": true
}"""),
    ("yaml", """components:
  securitySchemes:
    ApiKeyAuth:
      type: apiKey
      in: header
      name: X-API-Key
    BearerAuth:
      type: http
      scheme: bearer
      bearerFormat: JWT
    OAuth2:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.lumenfield.io/oauth/token
          scopes:
            orders:read: Read orders
            orders:write: Create and cancel orders
security:
  - BearerAuth: []"""),
    ("yaml", """# group_vars/prod/vault.yml
$ANSIBLE_VAULT;1.1;AES256
38643031356239373763356231383066393861626332333239343765393335623031646534636230
3766613032316238653831383339663138623564613262370a363330363662643365303234623638
61363132663130353034613961306137393362626264373561346365333962623862616136383935
3461356563376231360a373239636539323765636366363739343232366335653063666634346431
6434"""),
    ("yaml", """# secrets/prod.enc.yaml (sops)
db:
    user: ENC[AES256_GCM,data:q3Jf8w==,iv:0Rk2b6oX5mQ1Vt8sYc3nLp7wZ4aH9dE2fG6jK1lM0nB=,tag:Xp4vQ8rT2wZ6yB9cF1hJ3k==,type:str]
    password: ENC[AES256_GCM,data:Zk9pL2xQ7vR4tW8nY3bC6mH1jF5dS0aG,iv:Ht6yU1iO4pA7sD0fG3hJ6kL9zX2cV5bN8mQ=,tag:Lq2wE5rT8yU1iO4pA7sD0f==,type:str]
sops:
    kms:
        - arn: arn:aws:kms:eu-west-1:123456789012:key/7b9b62b0-ba51-4e09-96cf-403adfcd10d1
          created_at: "2024-06-03T09:12:44Z"
          enc: AQICAHhN2ScX4v6yF3rX0aZbkE8W1c9t5mQ7pL2oJ6nH4dG8sAEy0Zk3Qp9Lm2Vx8Rt4Wn6Kb1Y
          aws_profile: ""
    lastmodified: "2024-06-03T09:12:45Z"
    mac: ENC[AES256_GCM,data:pR7tY1uB3cD5eF7gH9jK2mN4qS6vX8zA0bC2dE4fG6hJ8kL0mN2pQ4rS6tU8vW0x,iv:Qk4vN8mZ2xL6pR0tW3yB7cF1hJ5dS9aG2eK6nV0qX4=,tag:Bv7nM2xL5pR8tW1yC4fH7j==,type:str]
    version: 3.8.1"""),
    ("yaml", """apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: summarizer
  namespace: ml
spec:
  encryptedData:
    openai-api-key: AgBy8hQ2fX4w7kLm9pR3tV6nZ1cE5jH0aS8dG2bY4uI7oK3mN6qW9eT1rP5lC8vA2zX7sD0fB4gJ6hU9yM3nQ8wE1rT5yU7iO0pA2sD4fG6hJ8kL0zX2cV4bN6mQ8wE1rT3yU5iO7pA9sD1fG3hJ5kL7zX9cV1bN3mQ5wE7rT9yU1iO3pA5sD7fG9hJ1kL3zX5cV7bN9mQ1wE3rT5y
  template:
    metadata:
      name: summarizer
      namespace: ml"""),
    ("shell", """# .envrc (direnv) -- nothing secret lives in this file, values come from 1Password at load time
export AWS_PROFILE=lumen-dev
export DATABASE_URL="$(op read 'op://Engineering/orders-dev-db/connection string')"
export STRIPE_SECRET_KEY="$(op read 'op://Engineering/stripe-test/secret key')"
export OPENAI_API_KEY="$(op read 'op://Engineering/openai-dev/credential')"
dotenv_if_exists .env.local"""),
    ("chat", """heads up: someone pasted a bot token into #eng-random earlier (it started with xoxb-1841… and I've already revoked it). same for a ghp_**** PAT in the incident doc. if you see a secret in a channel, don't quote it back, just ping #security and we'll rotate"""),
    ("code", """import json

import boto3


def load_db_config(secret_id: str = "prod/reporting/db") -> dict:
    \"\"\"Fetch the reporting DB credentials from Secrets Manager at startup.\"\"\"
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    resp = client.get_secret_value(SecretId=secret_id)
    cfg = json.loads(resp["SecretString"])
    return {"host": cfg["host"], "user": cfg["username"], "password": cfg["password"], "dbname": "warehouse"}"""),
    ("prompt", """How do I check why this JWT is rejected? I decoded the header and it says {"alg":"RS256","kid":"k1-2024-05"} but our JWKS endpoint only lists kid "k1-2024-04". The token itself is eyJhbGciOiJSUzI1NiIs…<snip, it's a prod token> — do I need to force a JWKS refresh on the gateway or just wait for the 24h cache TTL?"""),
    ("log", """Events:
  Type     Reason     Age                  From               Message
  ----     ------     ----                 ----               -------
  Normal   Scheduled  47m                  default-scheduler  Successfully assigned orders/orders-api-7d9f8b6c5d-9qz7m to ip-10-40-14-203.eu-west-1.compute.internal
  Normal   Pulled     46m                  kubelet            Container image "ghcr.io/lumenfield/orders-api@sha256:e04e01c5d4aaf093382ba282ea6700fbf81ad8a0bf271c190e5ae6b16ca9ef28" already present on machine
  Warning  BackOff    2m11s (x210 over 46m)  kubelet          Back-off restarting failed container orders-api in pod orders-api-7d9f8b6c5d-9qz7m_orders(eb864a97-9762-4c14-a64a-48b0a0962f8e)
Container ID:   containerd://0e9f5065fff59328c3aace3a00ae751a8430fded88babee9efe95603ff200f84"""),
    ("ci", """$ npm audit --omit=dev
# npm audit report

braces  <3.0.3
Severity: high
Uncontrolled resource consumption in braces - https://github.com/advisories/GHSA-grv7-fg5c-xmjg
fix available via `npm audit fix`
node_modules/braces

ws  8.0.0 - 8.17.0
Severity: high
ws affected by a DoS when handling a request with many HTTP headers - https://github.com/advisories/GHSA-3h5v-q93c-6h6q
fix available via `npm audit fix`

2 high severity vulnerabilities"""),
    ("http", """POST /webhooks/github HTTP/1.1
Host: hooks.lumenfield.io
User-Agent: GitHub-Hookshot/8e9c5d1
X-GitHub-Event: pull_request
X-GitHub-Delivery: db8ffbbd-4d0b-497a-874f-7842684f62e6
X-GitHub-Hook-ID: 482913377
X-Hub-Signature-256: sha256=3f9c2b7d1e8a4c6f0b5d2e9a7c1f3b5d8e0a2c4f6b8d0e2a4c6e8f0b2d4f6a81
Content-Type: application/json

{"action":"opened","number":2291,"pull_request":{"head":{"sha":"755f74554e83e89d60cb4b0911062a0cd11d796e","ref":"fix/tz-offsets"}}}"""),
    ("readme", """Example signed request from the S3 docs (all values are the documentation's sample values):

    GET /test.txt HTTP/1.1
    Host: examplebucket.s3.amazonaws.com
    Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41
    Range: bytes=0-9
    x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    x-amz-date: 20130524T000000Z"""),
    ("text", """# ~/.ssh/authorized_keys on bastion-prod
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGuuf/xVUNOzpqvyStbztsOc8ZudXDvVIYrydbqoN/dr priya@Priyas-MBP
ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHCm8AHWBfM82gCodEcm7mWNH5NjwONAhdyB2Xc7g8/edPpeLcPBhktnbG48xCXT3fxeDg18i+CM4ZIC4J25ffE= ci-runner-03"""),
    ("yaml", """apiVersion: v1
kind: ConfigMap
metadata:
  name: internal-ca
  namespace: edge
data:
  ca.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBjjCCATOgAwIBAgIUJ8hzXKH+STbZn/16IkxTVeO46PQwCgYIKoZIzj0EAwIw
    HDEaMBgGA1UEAwwRYXBpLmx1bWVuZmllbGQuaW8wHhcNMjYxMTIzMTczOTU3WhcN
    MjcwMjIxMTczOTU3WjAcMRowGAYDVQQDDBFhcGkubHVtZW5maWVsZC5pbzBZMBMG
    ByqGSM49AgEGCCqGSM49AwEHA0IABJRkoDh3phfly4F0F7KIm4CHrAkiUvqa9c5s
    L0Ls4GcWMJi4cZpiNtlcGdPTM6rD9hbjdjBuiKVrIKZGA4uwX0ujUzBRMB0GA1Ud
    DgQWBBQS4n9gkkT3v4S2qGX7ZKotJ1eAyDAfBgNVHSMEGDAWgBQS4n9gkkT3v4S2
    qGX7ZKotJ1eAyDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDE
    ht95CFqOiMVKqCXea4+7CdsiRmHTA3G+uRRztKatQwIhANwnKnhsSzBjbm2fso8E
    ELhn9upoJ4rhZLtH3gBO+tPk
    -----END CERTIFICATE-----"""),
    ("chat", """gitleaks is failing on docs/payments.md because of `sk_test_4eC39HqLyjWDarjtT1zdp7dc` — that's Stripe's public test key from their docs, not ours. can someone approve adding it to .gitleaksignore? fingerprint docs/payments.md:stripe-access-token:41"""),
    ("prompt", """Our Windows build agents are slow after the latest update, is there a known issue? Details:
OS: Windows Server 2022, build 10.0.20348.2527
Agent: Azure Pipelines agent 3.240.1, .NET 8.0.6
Chrome for tests: 126.0.6478.62
uptime: 12 days, load average equivalent ~0.52, 0.58, 0.59
The "Restore NuGet packages" step went from 1m 40s to 6m 12s between builds 20240603.4 and 20240610.2."""),
    ("ticket", """OPS-3120: rotate the Grafana service account token before 2024-07-01
The token for service account "prometheus-reader" (id 17) expires on 2024-07-01. Create a new token in Grafana → Administration → Service accounts, store it in Vault at secret/observability/grafana-sa (key: token), then run `helm upgrade observability ./charts/observability -f values-prod.yaml` — the chart reads it through existingSecret grafana-sa-token. Do NOT paste the token in this ticket."""),
]

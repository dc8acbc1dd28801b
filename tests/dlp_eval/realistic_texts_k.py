# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate)
"""Hand-written carrier texts, part K: security, IT operations and business systems -- incident
and pentest reports, SIEM/firewall/proxy/VPN logs, helpdesk and MDM records, ERP/CRM/HR
exports, payment and fraud operations, cloud and CI configuration, and look-alikes from the
same places (hashes, digests, masked and redacted values, placeholders, public keys).

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    ("report", """INC-2024-0412 — Postmortem: AWS access key exposed in public repository
Severity: SEV-2 | Status: Resolved | Owner: Platform Security

Summary
At 09:41 UTC on 11 June a secret-scanning alert flagged commit 9fc62acb5d6bb96ebdb828387952b908ea85f334 in the public repo acme-corp/etl-samples. The file scripts/backfill.sh contained a long-lived IAM user key:

  export AWS_ACCESS_KEY_ID=⟦aws_access_key_id|AKIAHQ6VUQUV2YVRVUPL⟧
  export AWS_SECRET_ACCESS_KEY=⟦aws_secret_access_key|fCea4azTSqQ4D6mAaSc0WJbk2Poy+do6uZ3E47fE⟧
  export AWS_DEFAULT_REGION=eu-central-1

Timeline (UTC)
09:41  alert received, PagerDuty incident Q2K7XZPL0M3RTA opened
09:52  key deactivated in IAM (user svc-etl-backfill)
10:07  CloudTrail review: 14 ListBuckets/GetObject calls from ⟦ipv4_address|45.137.21.9⟧ between 09:44 and 09:50, all AccessDenied except s3://acme-etl-scratch
11:30  history rewritten, force-push, cache purge requested from GitHub support

Root cause: a developer copied a working shell script from their laptop; push protection was not enabled on this repo.
Action items: SEC-2231 enable push protection org-wide; SEC-2232 move the ETL job to OIDC role assumption."""),
    ("report", """Post-incident review: Slack bot credentials pasted in #eng-help

What happened: while debugging the release-notes bot, an engineer pasted the whole .env file into a thread in #eng-help (about 340 members, including 12 external guests via Slack Connect). The paste contained:

SLACK_BOT_TOKEN=⟦slack_token|xoxb-22262730297-8777056383713-isD2Eq5DflOqodMcdxscDiNb⟧
SLACK_SIGNING_⟦generic_secret|SECRET=10bc4475502f3f68dcbca10259461ae6⟧
RELEASE_CHANNEL=C05QJ7L2M9A
LOG_LEVEL=debug

The message was deleted after 23 minutes. Slack access logs show no API calls with the token from outside our egress range in that window. The token was revoked with auth.revoke, the app reinstalled and the signing secret regenerated. Follow-up: DX-874 add a Slack DLP rule for xoxb- prefixes."""),
    ("report", """HackerOne report #2471903 — Unauthenticated Elasticsearch cluster exposes support tickets

Asset: search-legacy.acme-corp.example (resolves to ⟦ipv4_address|34.90.112.58⟧, port 9200)
Weakness: CWE-306 Missing Authentication for Critical Function
CVSS 3.1: 7.5 (AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N)

Steps to reproduce:
1. curl -s http://search-legacy.acme-corp.example:9200/_cat/indices
2. curl -s 'http://search-legacy.acme-corp.example:9200/zendesk-export-2023/_search?size=1'

Sample document (I stopped after one record and kept no data):
{"ticket_id": 884213, "requester": {"name": "Hannah Okafor", "email": "⟦email_address|h.okafor@northwind-mail.example⟧", "phone": "⟦phone_number|+44 20 7946 0321⟧"}, "subject": "Refund for double charge", "created_at": "2023-09-14T08:12:44Z"}

The index reports 1,284,552 documents."""),
    ("report", """Finding PT-07 (High): Database credentials embedded in front-end bundle

Location: https://portal.acme-corp.example/static/js/main.8c1f2e4b.js (line 1, col 88211)

While reviewing the minified bundle we found a leftover server-side config object:

  ,reporting:{dsn:"⟦db_connection_string|postgresql://report_ro:Vq2hM8xLt4Zc@pg-reporting.internal.acme-corp.example:5432⟧/analytics",poolSize:5,ssl:!0}

The host does not resolve publicly, but the same credentials were accepted through the bastion port-forward that support staff use. Recommendation: remove the object from the build, rotate the password of role report_ro, and add a CI check that fails when a bundle contains a database URI."""),
    ("json", """{"alert_id": "c9c8930b-8729-412e-b1e5-b73993aa3c53", "rule": "Impossible travel activity", "severity": "medium", "user": "⟦email_address|r.vasquez@acme-corp.example⟧", "events": [{"ts": "2024-06-12T07:58:11Z", "src_ip": "⟦ipv4_address|81.2.69.160⟧", "geo": "London, GB", "app": "Office 365 Exchange Online"}, {"ts": "2024-06-12T08:21:47Z", "src_ip": "⟦ipv6_address|2804:14c:65a1:4f22:9d3e:1b7a:c2e0:5f18⟧", "geo": "São Paulo, BR", "app": "Office 365 Exchange Online"}], "mfa": "satisfied", "verdict": "pending", "assigned_to": "soc-tier1"}"""),
    ("log", """Jun 12 09:14:22 fw-edge-02 CEF:0|Palo Alto Networks|PAN-OS|10.2.9|url|THREAT|3|rt=Jun 12 2024 09:14:22 GMT deviceExternalId=013201004567 src=⟦ipv4_address|10.40.12.87⟧ dst=⟦ipv4_address|104.21.48.200⟧ suser=acme\\jkowalczyk cs1Label=Rule cs1=allow-web-outbound request="pastebin.com/raw/Xk2pQ9aL" cat=paste-sites act=alert spt=51844 dpt=443 proto=tcp"""),
    ("log", """LEEF:2.0|Microsoft|Windows|2019|4625|^|devTime=2024-06-12T03:11:09.442Z^usrName=svc_backup^domain=ACME^src=⟦ipv4_address|185.220.101.34⟧^dst=⟦ipv4_address|10.0.8.15⟧^logonType=3^failureReason=%%2313^workstationName=KALI^sev=6"""),
    ("log", """1718183714.112    412 ⟦ipv4_address|10.20.31.44⟧ TCP_TUNNEL/200 8123 CONNECT drive.google.com:443 mbauer HIER_DIRECT/drive.google.com -
1718183715.908     96 ⟦ipv4_address|10.20.31.44⟧ TCP_DENIED/403 3912 CONNECT transfer.sh:443 mbauer HIER_NONE/- text/html
1718183720.330   1877 ⟦ipv4_address|10.20.17.9⟧ TCP_MISS/200 48211 GET http://download.windowsupdate.com/c/msdownload/update/software/secu/2024/06/windows10.0-kb5039211-x64.cab - HIER_DIRECT/download.windowsupdate.com application/octet-stream"""),
    ("csv", """Client IP Address,Name,Lease Expiration,Type,Unique ID,Description
⟦ipv4_address|10.60.4.118⟧,LT-FIN-0231.corp.acme.example,6/20/2024 9:12:44 AM,DHCP,⟦mac_address|f4-5c-89-a3-1e-07⟧,
⟦ipv4_address|10.60.4.131⟧,iPhone,6/19/2024 11:47:31 PM,DHCP,⟦mac_address|a6-1f-72-e0-58-3b⟧,private Wi-Fi address"""),
    ("log", """core-sw01#show ip arp vlan 120
Protocol  Address          Age (min)  Hardware Addr   Type   Interface
Internet  ⟦ipv4_address|10.120.0.1⟧              -   ⟦mac_address|0050.56b2.7f10⟧  ARPA   Vlan120
Internet  ⟦ipv4_address|10.120.0.57⟧             4   ⟦mac_address|f8b1.56d3.a20e⟧  ARPA   Vlan120
core-sw01#"""),
    ("log", """2024-06-12T06:02:19Z vpn-gw-fra1 ocserv[18822]: main[⟦email_address|l.schneider@acme-corp.example⟧]:⟦ipv6_address|2a02:8109:9c40:1e00:5d2b:a3f1:7c64:e019⟧:51522 user logged in
2024-06-12T06:02:19Z vpn-gw-fra1 ocserv[18822]: main: assigned IPv4 ⟦ipv4_address|172.27.8.54⟧ to session 7f3Kq2
2024-06-12T06:47:55Z vpn-gw-fra1 ocserv[18822]: main: session 7f3Kq2 closed, rx 48.2 MB, tx 3.1 MB, reason: user disconnected"""),
    ("ticket", """[INC0048812] Password reset – Finance scanner service account
Caller: Priya Raman (ext. 4471)
Requested by phone, identity verified via manager callback.

Work notes:
Reset AD password for svc-ap-scanner (used by the Canon scanner on Finance 3rd floor). New ⟦password_in_config|password: Scan2Mail#June24⟧ – set to never expire per exception EXC-0193. Updated the SMTP profile on the scanner. Do not paste this into the customer-visible comments."""),
    ("ticket", """Ticket #88214 – MFA device lost, requesting bypass
Requester: Tomás Ferreira <⟦email_address|tomas.ferreira@acme-corp.example⟧>
Callback number on HR record: ⟦phone_number|+351 912 884 301⟧
Notes: User lost phone while travelling; identity verified on a video call with badge shown. Issued a Temporary Access Pass (8 h, one-time use). Old Authenticator registration removed. User will re-enroll from the replacement device on Monday."""),
    ("ticket", """Hardware handover form – HW-2024-0619
Employee: Daniel Achterberg, Sales NL
Laptop: Dell Latitude 7440, service tag 8XKQ2J3, Wi-Fi MAC ⟦mac_address|3c:58:c2:4e:91:0b⟧, BitLocker recovery key ID 6A1E2F90 (key escrowed in Intune)
Phone: Samsung Galaxy S23, IMEI ⟦imei|358625214268924⟧, SIM ICCID 8931 0416 2207 5519 843
Accessories: USB-C dock WD19S (asset ACME-D-1142), headset
Received in good condition. Signed: D. Achterberg / IT: K. Mensah"""),
    ("csv", """Device name,Primary user UPN,OS,OS version,Serial number,IMEI,Wi-Fi MAC,Last check-in
ACME-IPH-0412,⟦email_address|s.nakamura@acme-corp.example⟧,iOS,17.5.1,F4GZ82LPN72J,⟦imei|350531164366163⟧,⟦mac_address|8c:7a:aa:19:d2:5e⟧,2024-06-12 07:41
ACME-AND-0088,⟦email_address|b.adeyemi@acme-corp.example⟧,Android,14,R5CT61ABCXW,⟦imei|865536202714033⟧,randomized,2024-06-11 22:03"""),
    ("json", """{"total": 1, "rows": [{"id": 2291, "asset_tag": "ACME-00921", "serial": "C02FK1ZXMD6T", "model": {"name": "MacBook Pro 14 (M3)"}, "status_label": {"name": "Deployed"}, "assigned_to": {"username": "jlindqvist", "email": "⟦email_address|j.lindqvist@acme-corp.example⟧"}, "custom_fields": {"Ethernet MAC": {"value": "⟦mac_address|f8:4d:89:6a:02:c7⟧"}, "Last seen IP": {"value": "⟦ipv4_address|10.14.2.207⟧"}}, "warranty_expires": {"date": "2027-03-31"}}]}"""),
    ("csv", """LIFNR;NAME1;LAND1;ORT01;BANKS;IBAN;SWIFT;STCEG;ZTERM
0000104522;Brenner Industrietechnik GmbH;DE;Stuttgart;DE;⟦iban|DE88 3997 3100 8361 7425 50⟧;⟦swift_bic|SOLADEST600⟧;DE811907980;Z030
0000104530;Van Dijk Verpakkingen B.V.;NL;Tilburg;NL;⟦iban|NL16 ABNA 7342 2386 35⟧;⟦swift_bic|ABNANL2A⟧;NL853746112B01;Z045"""),
    ("json", """{"attributes": {"type": "Contact", "url": "/services/data/v60.0/sobjects/Contact/0035g00000XkT9QAAV"}, "Id": "0035g00000XkT9QAAV", "FirstName": "Alejandro", "LastName": "Gómez Morales", "Email": "⟦email_address|a.gomez@ferreteria-lumbre.example⟧", "Phone": "⟦phone_number|+52 55 1234 5678⟧", "Birthdate": "⟦date_of_birth|1988-03-17⟧", "MailingCity": "Ciudad de México", "CURP__c": "⟦mx_curp|GOMA880317HDFMRL01⟧", "LeadSource": "Trade Show"}"""),
    ("csv", """Employee_ID,Legal_Name,Country,National_ID_Type,National_ID,Hire_Date,Cost_Center
100482,Jonas Weber,Germany,Steuer-IdNr,⟦de_tax_id|97592463893⟧,2019-04-01,CC-4410
100519,Camille Lefèvre,France,NIR,⟦fr_nir|2 70 08 55 634 971 51⟧,2021-09-13,CC-4410
100533,Lucía Navarro,Spain,DNI,⟦es_dni|04055847G⟧,2022-01-10,CC-5120
100577,Luigi Bianchi,Italy,Codice Fiscale,⟦it_codice_fiscale|BNCLGU87M14F205L⟧,2020-06-02,CC-5120"""),
    ("json", """{"Report_Entry": [{"Worker_ID": "200114", "Worker": "Erik Lindholm", "Country": "SE", "National_ID_Type": "Personnummer", "National_ID": "⟦se_personnummer|690419-7834⟧"}, {"Worker_ID": "200131", "Worker": "Mads Kjær", "Country": "DK", "National_ID_Type": "CPR-nummer", "National_ID": "⟦dk_cpr|130877-6765⟧"}, {"Worker_ID": "200156", "Worker": "Katarzyna Wiśniewska", "Country": "PL", "National_ID_Type": "PESEL", "National_ID": "⟦pl_pesel|82060503222⟧"}]}"""),
    ("json", """{"recordType": "employee", "id": "4812", "entityId": "EMP-4812 Derek Holloway", "email": "⟦email_address|d.holloway@acme-corp.example⟧", "socialSecurityNumber": "⟦us_ssn|245-12-4342⟧", "birthDate": "⟦date_of_birth|1979-11-02⟧", "subsidiary": {"id": "3", "refName": "Acme Corp US"}, "directDeposit": {"routingNumber": "⟦us_aba_routing|326102938⟧", "accountNumber": "⟦bank_account_number|7730019284⟧", "accountType": "Checking"}}"""),
    ("note", """Chargeback CB-2024-06-0713 | Reason code 10.4 (Other Fraud – Card Absent Environment)
Merchant ref: ORD-5591842 | Amount: USD 1,249.00 | ARN 74987504158012345678901
Analyst notes (K. Osei): the issuer put the full PAN in the retrieval request PDF: ⟦credit_card|4601 8918 5201 0369⟧, exp 11/26. Matches our vaulted token (last4 0369). Order shipped to a freight forwarder in Miami, billing ZIP mismatch, AVS=N, CVV=M. Account email on the order ⟦email_address|jwright.shop77@mailbox.example⟧ was created the same day. Recommend: accept liability, add email and device fingerprint to the blocklist."""),
    ("alert", """[Fraud Ops] Card-testing spike on /api/v2/checkout — merchant acct 8841
Window: 2024-06-12 02:10–02:34 UTC | 1,912 auth attempts | 97.1% declined (05, 14, 54)
Top source IPs: ⟦ipv4_address|91.92.248.17⟧ (1,204 attempts), ⟦ipv4_address|91.92.248.23⟧ (611)
Sample attempts (masked by gateway):
  424242******4242  exp 01/27  decline 05
  537410******8812  exp 09/25  decline 14
One attempt bypassed masking because it came through the legacy /v1 endpoint and was logged raw:
  card_number=⟦credit_card|5194265168540874⟧ cvv=*** exp=0826 result=approved auth_code=T4K9Q2
Action: velocity rule VR-33 enabled, source range blocked at the WAF, PCI-112 opened to purge the raw log line."""),
    ("email", """Subject: Updated remittance details – Halvorsen Logistics Ltd

Dear Accounts Payable,

Please note our new bank details, effective 1 July 2024:

Beneficiary: Halvorsen Logistics Ltd
Bank: HSBC UK Bank plc
Sort code: ⟦uk_sort_code|75-30-99⟧
Account number: ⟦bank_account_number|87010674⟧
IBAN: ⟦iban|GB41 HBUK 7530 9987 0106 74⟧
SWIFT/BIC: ⟦swift_bic|HBUKGB4B⟧

Kindly update your vendor record before the next payment run and confirm by reply.

Kind regards,
Accounts Receivable, Halvorsen Logistics"""),
    ("finance", """Vendor onboarding – Crestline Packaging Inc. (NetSuite vendor 2210)
Remit-to: 4400 Industrial Pkwy, Dayton, OH
Bank: PNC Bank, N.A.
ABA routing number: ⟦us_aba_routing|267085981⟧
Account number: ⟦bank_account_number|4820571936⟧ (checking)
SWIFT for international wires: ⟦swift_bic|PNCCUS33⟧
EIN: ⟦us_ein|86-1211714⟧
W-9 received 2024-06-10, 1099 eligible: yes"""),
    ("terraform", """  # aws_lambda_function.invoice_sync will be updated in-place
  ~ resource "aws_lambda_function" "invoice_sync" {
        function_name = "invoice-sync-prod"
        id            = "invoice-sync-prod"
      ~ last_modified = "2024-06-03T11:20:41.000+0000" -> (known after apply)
        # (19 unchanged attributes hidden)

      ~ environment {
          ~ variables = {
              + "DB_HOST"     = "orders-prod.c9xk2l1mqz.eu-west-1.rds.amazonaws.com"
              + "⟦password_in_config|DB_PASSWORD" = "Hk29!vQmZ7pW⟧"
              + "STRIPE_KEY"  = "⟦stripe_key|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⟧"
                "LOG_LEVEL"   = "info"
            }
        }
    }

Plan: 0 to add, 1 to change, 0 to destroy."""),
    ("json", """{"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROA4QWZ7XK2N5P3RT6YB:j.mbeki", "arn": "arn:aws:sts::381492027761:assumed-role/AWSReservedSSO_AdministratorAccess_9f3c1e2a7b4d6e80/j.mbeki", "accountId": "381492027761", "accessKeyId": "⟦aws_access_key_id|ASIAT7KN2NCK5WB2GKS3⟧"}, "eventTime": "2024-06-12T01:17:09Z", "eventSource": "secretsmanager.amazonaws.com", "eventName": "GetSecretValue", "awsRegion": "eu-west-1", "sourceIPAddress": "⟦ipv4_address|203.0.113.77⟧", "userAgent": "aws-cli/2.15.58 Python/3.11.8 Darwin/23.5.0 source/arm64", "requestParameters": {"secretId": "prod/payments/stripe"}, "responseElements": null, "requestID": "71721851-4b86-4d6f-b79a-2e8a99fbca5e", "eventID": "658bfe94-37ea-4487-90ba-6863ae3768e2", "readOnly": true, "recipientAccountId": "381492027761"}"""),
    ("log", """LAST SEEN   TYPE      REASON      OBJECT                             MESSAGE
2m14s       Warning   Unhealthy   pod/checkout-api-7f9c8d6b5-x2kqp   Readiness probe failed: Get "http://⟦ipv4_address|10.244.3.17⟧:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)
2m3s        Warning   BackOff     pod/checkout-api-7f9c8d6b5-x2kqp   Back-off restarting failed container api in pod checkout-api-7f9c8d6b5-x2kqp_payments(79e60ce5-8559-407b-a40d-a017054efe72)
58s         Normal    Pulled      pod/checkout-api-7f9c8d6b5-x2kqp   Container image "registry.acme-corp.example/payments/checkout-api@sha256:363da478885f4ebd3f5454a753ab726f81d94e12e4cc7ee53817db9b911cbc64" already present on machine"""),
    ("yaml", """apiVersion: v1
kind: Secret
metadata:
  name: billing-worker
  namespace: billing
type: Opaque
stringData:
  DATABASE_URL: "⟦db_connection_string|postgres://billing_rw:Tz4pW9kQx2Lm@billing-db.billing.svc.cluster.local:5432⟧/billing?sslmode=require"
  SENDGRID_API_KEY: "⟦sendgrid_api_key|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⟧"
  WEBHOOK_SIGNING_⟦generic_secret|SECRET: "x2PExyhdKoC5pv0IzDHuFCkVlYSQOW61⟧"
  FEATURE_FLAGS: "invoices_v2,dunning_emails"
"""),
    ("log", """2024-06-12T10:04:31.2210433Z ##[group]Run ./scripts/publish.sh
2024-06-12T10:04:31.2211021Z + set -x
2024-06-12T10:04:31.2398712Z + echo '//registry.npmjs.org/:_authToken=⟦npm_token|npm_mJq9RNG94e8d3beXWQuzhKDDTtGYA6XZ3SQi⟧'
2024-06-12T10:04:31.2401190Z + npm publish --access public
2024-06-12T10:04:35.8812003Z npm notice Publishing to https://registry.npmjs.org/ with tag latest and public access
2024-06-12T10:04:36.9902817Z + @acme/ui-kit@4.18.0
2024-06-12T10:04:37.0011456Z ##[endgroup]"""),
    ("log", """Running with gitlab-runner 16.11.1 (f5da3c5a)
  on acme-shared-runner-03 t3_xZ9kQ2, system ID: s_8b1f0c2e7d4a
Preparing the "docker" executor
Using docker image sha256:cda2ccfed6a6fa8b7618f48fc67e3c75ea4b810cecd78069be724a81141e04fb for hashicorp/terraform:1.8.2 ...
$ curl -sS --fail --header "PRIVATE-TOKEN: ⟦gitlab_token|glpat-lw698l6Y3eAJx6uy-B_W⟧" "https://gitlab.acme-corp.example/api/v4/projects/412/packages/generic/terraform-modules/1.8.2/modules.tgz" -o modules.tgz
$ tar xzf modules.tgz
$ terraform init -input=false
Initializing the backend...
Job succeeded"""),
    ("npmrc", """; ~/.npmrc on build agent ci-win-04
registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=⟦github_token|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⟧
//registry.npmjs.org/:_authToken=⟦npm_token|npm_gcDGr5zpTg9vTKU2mbz9x4fb3tJ6k9JrVZww⟧
always-auth=true
fund=false"""),
    ("pypirc", """[distutils]
index-servers =
    pypi
    internal

[pypi]
username = __token__
password = ⟦pypi_token|pypi-AgEIcHlwaS5vcmcIR7FGQYokVYeqO1E3SV_CJK7Bx4gopMKFCDyqC41Z0T4RQy8or8rPM92q40eFPPrucYqp40lSTURP3MGoc0RGt_PNKofwVqDmea1FCPRjcuXlm6jk3S45xvy⟧

[internal]
repository = https://nexus.acme-corp.example/repository/pypi-internal/
username = ci-publisher
⟦password_in_config|password = Nx7#qLw2Rz9p⟧"""),
    ("log", """[Pipeline] sh
+ docker login -u acmebuild -p ⟦dockerhub_token|dckr_pat_baA5z125nH_uzETtEY2yitI6OYF⟧
WARNING! Using --password via the CLI is insecure. Use --password-stdin.
WARNING! Your password will be stored unencrypted in /home/jenkins/.docker/config.json.
Login Succeeded
[Pipeline] sh
+ docker push acmecorp/edge-proxy:2.7.3
The push refers to repository [docker.io/acmecorp/edge-proxy]
5f70bf18a086: Layer already exists
2.7.3: digest: sha256:e06563f3539527573fbb7a18851f3b6b48068e32d102ea88dfe8d59bf991b25a size: 1573
[Pipeline] }"""),
    ("prompt", """Can you look at these sshd lines from our jump host and tell me whether this is a brute-force attempt or a misconfigured script? Also suggest a fail2ban filter.

Jun 12 03:14:07 jump01 sshd[44120]: Invalid user oracle from ⟦ipv4_address|218.92.0.112⟧ port 40622
Jun 12 03:14:12 jump01 sshd[44125]: Failed password for root from ⟦ipv4_address|218.92.0.112⟧ port 41188 ssh2
Jun 12 03:15:40 jump01 sshd[44190]: Accepted publickey for deploy from ⟦ipv4_address|10.8.0.22⟧ port 55012 ssh2: ED25519 SHA256:q8N4kT2m7xZ0vR5pLb3cW9yH6dF1sJ8gA4eU2iO7nKQ"""),
    ("prompt", """I'm cleaning our HubSpot export before importing it into Salesforce. Write a Python script that merges duplicates by email (case-insensitive) and keeps the most recent phone. A few rows so you see the format:

record_id,firstname,lastname,email,phone,lifecyclestage,createdate
5512093,Aisha,Bello,⟦email_address|aisha.bello@greenline-agri.example⟧,⟦phone_number|07457 301882⟧,lead,2024-02-11
5512118,AISHA,Bello,⟦email_address|Aisha.Bello@greenline-agri.example⟧,,opportunity,2024-05-30
5513007,Ken,Moriarty,⟦email_address|ken@moriarty-legal.example⟧,⟦phone_number|(617) 555-0183⟧,customer,2023-11-02"""),
    ("report", """IR-2024-019 — Ransomware on file server FS-BER-02 (interim report)

Initial access: VPN login without MFA for a dormant contractor account, from ⟦ipv4_address|77.91.124.55⟧ on 8 June 22:41 UTC.
Impact: 1.8 TB encrypted on the Projects and Scans shares; backups on the immutable tier are intact.
Ransom note (akira_readme.txt) demands 4.5 BTC to ⟦bitcoin_address|bc1qcrlzpfez48x7mxdwh7g8c2393nhxhryljs7g0k⟧ and points to a Tor chat portal.
Encryptor: w.exe, SHA-256 c95a9723c9a198ea95ac0de013d73ba7dc5833a1ec91c854ab603d6b30650f8f, detected by EDR only after execution.
Decision: no payment. Restore from snapshot taken 8 June 18:00 started at 11:20."""),
    ("chat", """[#platform-oncall] vault-2 came back sealed after the node restart, I unsealed it. if you need to fix the PKI role before morning use my token for now: ⟦vault_token|hvs.ijhVrOOcqnK8FrGYUDR6pv76ThLOBeNdL6LuODM8L0oSP3g3XKP8nKjPS6DQPBL_4pWz2DcJXvAGp0VYrro8nAOjuY⟧ — TTL 8h, I'll revoke it at 09:00"""),
    ("ticket", """Support case 03417782 – Webhooks failing after key roll
Customer: Lumen Yoga Studios (acct 8812-0042)
The customer pasted their deployment config into the case description:

  STRIPE_API_KEY=⟦stripe_key|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⟧
  STRIPE_WEBHOOK_⟦generic_secret|SECRET=whsec_OIDDCATdZTVkuo22dA5sCQS4aaohuQnR⟧
  WEBHOOK_URL=https://lumen-yoga.example/stripe/hook

Agent note: asked the customer to roll both keys in the Dashboard; case visibility restricted to Tier 2."""),
    ("report", """Finding PT-11 (Medium): Backup file exposes third-party API credentials

GET https://sms-gw.acme-corp.example/.env.bak returned HTTP 200 (1.2 KB):

APP_ENV=production
TWILIO_API_KEY=⟦twilio_api_key|SK9f69573466fe112c332bdba46d5c946d⟧
TWILIO_AUTH_TOKEN=⟦twilio_auth_token|36df148681a0e29faaaf54f40d3401b8⟧
TWILIO_FROM_NUMBER=⟦phone_number|+14155550117⟧
QUEUE_DRIVER=redis

Recommendation: block dotfiles at the load balancer and rotate the Twilio credentials."""),
    ("json", """{
  "Logging": { "LogLevel": { "Default": "Information", "Microsoft.AspNetCore": "Warning" } },
  "ConnectionStrings": {
    "Blob": "⟦azure_connection_string|DefaultEndpointsProtocol=https;AccountName=acmeerpstorage01;AccountKey=Ls35YXi2C2dByN2lEi2PVNKBOY8fAsVaVV1omy6/stioWwOCRY5MtQ5EYK2NOi7PufQv2aj2I6hEUyvU28CScQ==;EndpointSuffix=core.windows.net⟧",
    "Sql": "Server=tcp:acme-erp-sql.database.windows.net,1433;Initial Catalog=erp;User ID=erp_app;⟦password_in_config|Password=Xq8!mT3vLr6w⟧;Encrypt=True;Connection Timeout=30;"
  },
  "AllowedHosts": "*"
}"""),
    ("prompt", """Our Looker export job fails with "invalid_grant: Invalid JWT Signature". Here is the key file it uses, is something wrong with it?

{"type": "service_account", "project_id": "acme-data-platform", "private_key_id": "⟦gcp_service_account|9b7e4c8e540a2fccd17f284cb02b0fc9fbd51574⟧", "private_key": "⟦private_key|-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCkDs6uMOmIuJ2S\\nKhNEOPj8UjwdK9m1y+vK8SQ3ssAqi0oWd8sHlidu+XMOXLQzcPEiFV+Dt34XPi15\\nOU+4seH0rKR01f9ZPzajGX1f02jsb7Vz9Oth/CD6P8vyxrKyY1OtP2OG/4LiXXbZ\\nJOrUAcpSsNAwWOQVt272HEtQxLRPeYzupfidN1OKLXEdzgOqkZV4/8G7dNl0YzfL\\n3Cu7eU296vZ+Xdqj/mvFVv9EjzgFAoZh2itU9TNU7ZF2+ccGPjHhwY2zYN9GZarZ\\nYQTbf2I1wxmYa2hvDQ5jxfb9hooCQ0cqqAA7V56c4cOH+xqHnto40Xs2vKtibYta\\nk+El2nA5AgMBAAECggEAF23z72WV3Iw9GKRApyQZzvMxmZrrFy79yDhjCz9QeWL2\\nHDpUeQtlK1CdsWXk6FnPXiY+Q1HfxJMBLIhWTdK9qdNEE1mCg6zm8SkRQi+vkuCr\\nQdmvCgnXbdXRmyTsXVSZHStp29w+xXRCpmVC0i9FRUTyHo17WWyegLBuwySseZLv\\n9hYec6USkLE+Kbz2jaAAYDYJ3YXnbBqL4de51abCAjLyCSh+s3YtCRB/9JCLdnQt\\nikWYfcngrqPLgitgb7oqsiqH+PiXtIqJV6LY4gzhjFHd0GwCC3Np+ooT6PtaeKwf\\nUnMVnSG/ZcHD9gNlvrc9f41+76r2YNrNV5W82cWnTwKBgQDlvJrOyE2E6wm023rC\\nHa+Y0f/Sd7DIOfvUscG8WFvQt9feaFprVXHOoIixU07T/tcpiQOMAHyce0ONMBJt\\nWF99swVW3u65xszZPYFDiNtE8T6oTHMCLaUcPXbNSxFtsp8zEVt2DQB/H0kecHaV\\nnYkR3oStcZGwlOcE6vJPEnxFOwKBgQC20BEjhRYOhacjR85KYfBVPUJ6zHaYNaG+\\nJVCIRF5/2xekSfetZZU60iJCsvGk1Z2uGOEMyB5QrbJT3zdBhk13qEtiQ70q+pP+\\njpbqpAF2sGxChGNxJIYI718VQ3vQJijDPqMJ04ytXV8MrfT4LBJpmQgfncGv9ZrQ\\nmpJIXK85GwKBgQCx/UDXSlq8yziW9aCTOlqshK62CmNdjYbtj9awrKhd+cF2n9TF\\n6colszyUXh3pozxiArRLyKjCt8FrZr4wF1LMWWGen1PHfR2CheNbRnHTZTENRUWp\\nf2G3kmszvKBBJC2xbBY3TPWAh+WnfqxxWD81J/gVRLMCYyrlJX4cAw9itwKBgEZG\\nW6BE48K3XBWy37k2RvXtc6XS/W/rhf6bR4bqiU0rAr6T9JMCbshKyQLM2RldSJ0J\\nUVHhh83Jx7h4ITyeDR+HYVsn4QspgkSjuZ3/Z9ShYyx6yeNPf/rlUa7R30GXuam8\\nZV48pWJrd0Nfh8Dy6C0Rt863jSJADsBL+xm4D1+rAoGBAKmNUZLhEbA9K3Wm2m5I\\n2AvlP0duMJKNCFOaC+r7EwQHXJd8CNUc++PuDg5fUprI1KOjdjg/Ekd6QZbJP5yX\\nnu9byu4pks63feIzoRfPXgzcDdheoYcU0QNENems4ndcerqXmMio4qyVGeNu331U\\nRVyQiPy4Wtz+oISB3iOrW6NU\\n-----END PRIVATE KEY-----⟧\\n", "client_email": "⟦email_address|looker-export@acme-data-platform.iam.gserviceaccount.com⟧", "client_id": "104928371650283746512", "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token"}"""),
    ("ticket", """RITM0031884 – Request: company OpenAI API access for Marketing
Requester comment: "We've been using my personal key for the campaign tool, can IT take this over? The current key is ⟦openai_api_key|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⟧ and it bills to my own card, so please replace it asap."
Fulfiller note: created project 'marketing-copy' in the acme-corp org, new key stored at kv/marketing/openai. Asked the requester to delete the personal key."""),
    ("log", """$ python run_eval.py --suite support-summaries --limit 200
2024-06-12 14:02:11,481 DEBUG config loaded: {'model': 'claude-3-5-sonnet-20240620', 'max_tokens': 1024, 'temperature': 0.0, 'api_key': '⟦anthropic_api_key|sk-ant-api03-dB5RNEvbffLDMzPvwP9YbYpvTGS9gD8CU3m8Cm_y-QkHiZ7d3hflu_tWv4KUzDZ0LhDfGoxaiCgt2y5Rps7PkydHwPROsAA⟧'}
2024-06-12 14:02:12,907 INFO  running 200 cases with concurrency 8
2024-06-12 14:05:44,330 INFO  done: 187 passed, 13 failed, report written to out/eval-20240612-1402.json"""),
    ("notebook", """{"cell_type": "code", "execution_count": 3, "metadata": {}, "source": ["from huggingface_hub import login\\n", "login(token=\\"⟦huggingface_token|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⟧\\")\\n"], "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Token is valid (permission: write).\\n", "Your token has been saved to /root/.cache/huggingface/token\\n", "Login successful\\n"]}]}"""),
    ("yaml", """# integrations/shopify-netsuite.yaml (exported from the iPaaS flow builder)
connection:
  type: shopify
  store: acme-outdoor.myshopify.com
  api_version: "2024-04"
  access_token: ⟦shopify_token|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⟧
netsuite:
  account: "8812445_SB1"
  role: 1042
  subsidiary: 3
sync:
  orders: every 15m
  inventory: hourly"""),
    ("report", """TI-0611 — Infostealer exfiltrating to Telegram

The loader (SHA-256 70ac67d8b86e2caaf4792be8212f4381483f98a00e5e64dd770bce186d06444c) drops a .NET stealer that sends browser cookies and saved passwords to a Telegram bot. Hard-coded in its config resource:

  BotToken = "⟦telegram_bot_token|6165923911:AA77E3Ph13AUU46WoYWFliq92O7a2WSUG8J⟧"
  ChatId   = -1002088347711
  Mutex    = Global\\qT7pX2

We reported the bot to Telegram abuse; the token was still accepted by getMe on 12 June. Hunt query: process creation of w32tm.exe from %APPDATA%."""),
    ("report", """Forensics note FS-22 (web-03, case IR-2024-019)
/home/deploy/.ssh/ contained an unencrypted key that is authorized on all app servers:

$ sudo cat /home/deploy/.ssh/id_ed25519
⟦private_key|-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDIMoRYwTKHZ7+cRupYjk3mbREGTsk1vgTaHCib0Wo7PAAAAKDQ6ccA0OnH
AAAAAAtzc2gtZWQyNTUxOQAAACDIMoRYwTKHZ7+cRupYjk3mbREGTsk1vgTaHCib0Wo7PA
AAAEB8/inxBG60aQ/P05gbpuw8DMcNIJSSIKilYADAPJLc9cgyhFjBModnv5xG6liOTeZt
EQZOyTW+BNocKJvRajs8AAAAFmRlcGxveUBidWlsZC1ydW5uZXItMDcBAgMEBQYH
-----END OPENSSH PRIVATE KEY-----⟧
$ sudo stat -c '%y' /home/deploy/.ssh/id_ed25519
2021-03-08 14:22:51.000000000 +0000

The attacker's bash history shows scp -i ~/.ssh/id_ed25519 to six internal hosts. Public half removed from authorized_keys via Ansible at 16:40; new per-host keys issued."""),
    ("yaml", """# values-prod.yaml for ingress-gateway (found in the shared drive folder Ops/old-configs)
replicaCount: 3
tls:
  enabled: true
  cert: |
    -----BEGIN CERTIFICATE-----
    MIIBlTCCATugAwIBAgIUfFhbOYOBJ7cLTFtW8eVUHU08lZYwCgYIKoZIzj0EAwIw
    IDEeMBwGA1UEAwwVYXBpLmFjbWUtY29ycC5leGFtcGxlMB4XDTI2MTEyMzE4MDM0
    MFoXDTI3MTEyMzE4MDM0MFowIDEeMBwGA1UEAwwVYXBpLmFjbWUtY29ycC5leGFt
    cGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkyGWMQS/TRVYC0lxmC8iA8tQ
    VtcCkODJlewzOXOVxjzMTc5H7a+NAfb3kGdK4KxMRnTeDOS9SkuHNcI/02c6lqNT
    MFEwHQYDVR0OBBYEFBQ5T1LOExGoNGLJSgjVnekRrO9qMB8GA1UdIwQYMBaAFBQ5
    T1LOExGoNGLJSgjVnekRrO9qMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
    SAAwRQIgP6+zfCdkr2bX266cCMUKDrgQEsYOQ/2bUmIHrpxaRqoCIQDw7j5G2XZb
    p+LJS/QdnGipPImRj9nY7Lr+ETETAtajPw==
    -----END CERTIFICATE-----
  key: |
    ⟦private_key|-----BEGIN EC PRIVATE KEY-----
    MHcCAQEEICwi3OcJUQ7fSYBRPTrpbxLN9JGoKD0rC0EvrJvOhgFloAoGCCqGSM49
    AwEHoUQDQgAEkyGWMQS/TRVYC0lxmC8iA8tQVtcCkODJlewzOXOVxjzMTc5H7a+N
    Afb3kGdK4KxMRnTeDOS9SkuHNcI/02c6lg==
    -----END EC PRIVATE KEY-----⟧
service:
  type: LoadBalancer
  port: 443"""),
    ("log", """{"request": {"method": "POST", "uri": "/erp/v1/invoices", "size": 2811, "headers": {"host": "api.acme-corp.example", "authorization": "⟦http_basic_auth|Basic c2FwX2ludGVncmF0aW9uOlAwc3RJbnYhMjAyNFEy⟧", "content-type": "application/json", "user-agent": "SAP NetWeaver Application Server (1.0;757)"}}, "response": {"status": 201, "size": 512}, "latencies": {"kong": 3, "proxy": 409, "request": 412}, "route": {"name": "erp-invoices"}, "started_at": 1718186712045}"""),
    ("report", """Finding PT-03 (High): Git metadata exposed on www-staging

GET /.git/config -> 200 OK

[core]
	repositoryformatversion = 0
	filemode = true
	bare = false
[remote "origin"]
	url = ⟦password_in_url|https://build-svc:Wk3pZ8qR2mTx@bitbucket.acme-corp.example⟧/scm/fin/ledger-sync.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[branch "main"]
	remote = origin
	merge = refs/heads/main

The credentials belong to a Bitbucket service account with write access to 14 repositories."""),
    ("log", """2024-06-12 08:15:03 WARN  travel-sync: profile push to TravelHub failed for worker 100874 (HTTP 422)
payload: {"traveler": {"firstName": "Oluwaseun", "lastName": "Adebayo", "dateOfBirth": "⟦date_of_birth|1990-07-23⟧", "passport": {"number": "⟦passport_number|A09348817⟧", "issuingCountry": "NG", "expiry": "2031-02-14"}}}
error: field 'gender' is required for Secure Flight"""),
    ("ticket", """Payroll onboarding checklist — new hires starting 1 July
- Canada (Toronto): Nadia Haddad, SIN ⟦ca_sin|729-146-803⟧, TD1 federal and provincial forms received
- Australia (Sydney): Liam O'Connor, TFN ⟦au_tfn|160 072 018⟧, super choice form pending
- New Zealand (Auckland): Aroha Ngata, IRD ⟦nz_ird|109-223-506⟧, KiwiSaver 3%, tax code M
Owner: Global Payroll (APAC/AMER). Please do not forward outside the payroll queue."""),
    ("finance", """[Vendor KYC] Sole proprietor onboarding – Pillai Design Studio, Kochi
Proprietor: Venkatesh Pillai
PAN: ⟦in_pan|VMJPP8433J⟧
Aadhaar (for e-KYC): ⟦in_aadhaar|4001 2782 5988⟧
Bank proof: cancelled cheque uploaded (DMS doc 55120)
Status: pending GST certificate"""),
    ("ticket", """REL-339: payroll IDs needed before the first pay run
- Singapore: Tan Wei Ling, NRIC ⟦sg_nric|S7729485F⟧ (citizen), CPF contributions from July
- Ireland: Ciarán Walsh, PPS number ⟦ie_pps|8890423R⟧, RPN requested from Revenue
- UK: Gemma Price, NI number ⟦uk_nino|JR 48 27 16 C⟧, P45 from previous employer attached"""),
    ("csv", """PERNR;NACHN;VORNA;LAND1;ICTYP;ICNUM;BEGDA
00071233;Meier;Reto;CH;AHV-Nr.;⟦ch_ahv|756.6932.8879.40⟧;01.04.2021
00071240;Peeters;Lotte;BE;Rijksregisternummer;⟦be_national_number|85.07.30-002.59⟧;15.09.2022
00071255;Hansen;Ingrid;NO;Fødselsnummer;⟦no_fodselsnummer|21059694097⟧;03.01.2023"""),
    ("report", """Finding PT-14 (Medium): Access token sent in URL query string

The reporting export link puts the user's access token in the query string, so it ends up in proxy logs, browser history and Referer headers:

GET /reports/export.csv?period=2024-05&access_token=⟦jwt|eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjFvSVJVY1dlanMwWGdZUDVaNkJjIn0.eyJpc3MiOiJodHRwczovL2xvZ2luLmFjbWUtY29ycC5leGFtcGxlLyIsInN1YiI6IjAwdU1LRVRtWWpCa1hlT3pTNnprIiwiYXVkIjoiYXBpOi8vZGVmYXVsdCIsImlhdCI6MTcxODAwNjQwMCwiZXhwIjoxNzE4MDEwMDAwLCJzY3AiOlsib3BlbmlkIiwicHJvZmlsZSJdfQ.nr68X_D_E1u-_B_abAOYuFS4Oq2ySH2BWSWmkwaha9wdCYtA9jwLDV3Lzdu5PoEYkl9oLYMTjW84oBN7UWQsOSPWWhiLZNsc1R6C6TmeP8ylcFPmAyaJyzzC4vSsMXlH1Dpr_HYQZDdb64qZSHkagJohJBOmjAgNUBKx-2oPZU4UXBNBFd5FnY47jGrqV0HnMHNaEUGnrIefaDTLcRbVtdGTCJz57eOccxx1eNXyXRnwf6n0JAxrq2QPCD2NiYtRLqI1Ajs16W4yXiz7AR5IpJbxYr7cmKYBXoZNGCZqxXVuX13LrLof8-u0o92rxH74I8HGXXNe9dPloEUzEG49wg⟧ HTTP/2
Host: reports.acme-corp.example

Recommendation: send the token in the Authorization header and use a short-lived, single-use download URL."""),
    ("yaml", """route:
  receiver: payments-oncall
  group_by: ['alertname', 'cluster']
  group_wait: 30s
receivers:
- name: payments-oncall
  slack_configs:
  - api_url: '⟦slack_webhook|https://hooks.slack.com/services/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⟧'
    channel: '#payments-alerts'
    send_resolved: true
    title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}'"""),
    ("ticket", """Ticket #771204 – Rückerstattung Bestellung 30044817
Kundin: Sabine Kröger
Nachricht: Guten Tag, die Retoure ist seit dem 5. Juni bei Ihnen eingegangen. Bitte überweisen Sie die 189,90 € auf mein Konto bei der ING: IBAN ⟦iban|DE18 5001 0517 4001 0807 03⟧, BIC ⟦swift_bic|INGDDEFFXXX⟧. Vielen Dank!
Interne Notiz: Erstattung per Überweisung freigegeben, Sammelzahlung am Freitag."""),
    ("report", """DLP-2291: credentials file synced to personal cloud storage
During the offboarding review of a contractor laptop (asset ACME-L-3318) we found ~/.aws/credentials inside the synced Documents folder:

[default]
aws_access_key_id = ⟦aws_access_key_id|AKIA6MUFDHL57KVYWRFQ⟧
aws_secret_access_key = ⟦aws_secret_access_key|KROS5GMabcdpzXMdy1vWnmRwsh3PoI8XQ+/GVC4O⟧
region = us-east-1

[profile sandbox]
sso_start_url = https://acme-corp.awsapps.com/start
sso_region = eu-west-1

The key belongs to IAM user ci-legacy-deployer (last used 41 days ago). Deactivated and scheduled for deletion."""),
    ("json", """{"attributes": {"type": "Account"}, "Name": "Distribuidora Alvorada Ltda", "CNPJ__c": "⟦br_cnpj|42.487.397/0001-38⟧", "Legal_Representative__c": "Fernanda Ribeiro", "Legal_Rep_CPF__c": "⟦br_cpf|566.717.383-27⟧", "BillingCity": "Belo Horizonte", "BillingState": "MG", "Industry": "Wholesale", "Credit_Limit__c": 250000}"""),
    ("report", """Finding M-03 (Low): Unrestricted Google Maps key in the Android app
Decompiled AndroidManifest.xml (app version 5.12.0, build 51200417):

<meta-data android:name="com.google.android.geo.API_KEY" android:value="⟦gcp_api_key|AIzaSynTVNY1cF-te444_xPcQFU5MKKDb08b3Fe⟧"/>

The key has no Android app restriction and is accepted by the Geocoding and Places APIs from any origin, so it can be abused for billable requests. Recommendation: restrict it by package name and SHA-1 signing certificate fingerprint."""),
    ("report", """INC-2024-0412 follow-up (public summary for the security channel)
The exposed key AKIA****************VUPL was deactivated 11 minutes after the alert and deleted on 12 June. The secret half is not reproduced here; see the restricted evidence folder (ticket SEC-2231, attachment 3 of 5, SHA-256 9242f57f71049ae2e06e975d789e16777e016337ab8ef0acce4b45b896a68817).
Blast radius: read-only access to two scratch buckets; no customer data. CloudTrail query ID fa466404-85d4-4c36-a455-b31cc4458312 saved in the case.
Lessons learned session: Thursday 15:00 CET, room 4.12."""),
    ("email", """Subject: [Advisory] Patch PAN-OS GlobalProtect gateways this week

Team,
Palo Alto published CVE-2024-3400 (CVSS 10.0, command injection in GlobalProtect). Our gateways run 10.2.9 and 11.0.4, both affected. Fixed releases are 10.2.9-h1 and 11.0.4-h1; the threat prevention signature 95187 is a stopgap only.
Change CHG0041187 is scheduled for Saturday 02:00–04:00 CET. Expect VPN disconnects for about 10 minutes per gateway.
Related: CVE-2024-3596 (RADIUS Blast-RADIUS) is not applicable, we use SAML.

Thanks,
Network Security"""),
    ("log", """registry.acme-corp.example/payments/checkout-api:2.14.0 (debian 12.5)
Total: 4 (UNKNOWN: 0, LOW: 0, MEDIUM: 0, HIGH: 3, CRITICAL: 1)

Library        Vulnerability    Severity  Installed Version    Fixed Version       Title
libssl3        CVE-2024-5535    CRITICAL  3.0.11-1~deb12u2     3.0.13-1~deb12u1    openssl: SSL_select_next_proto buffer overread
libexpat1      CVE-2024-45491   HIGH      2.5.0-1              2.5.0-1+deb12u1     libexpat: integer overflow in dtdCopy
zlib1g         CVE-2023-45853   HIGH      1:1.2.13.dfsg-1      -                   zlib: integer overflow in MiniZip
golang.org/x/net CVE-2023-44487 HIGH      v0.15.0              0.17.0              HTTP/2 rapid reset

Image digest: sha256:73d89451de93540ca569723e52aa8d30832383d8a95a50b1e106fe7edfc1b9b6"""),
    ("terraform", """  # aws_db_instance.orders will be updated in-place
  ~ resource "aws_db_instance" "orders" {
      ~ engine_version   = "15.5" -> "15.7"
        id               = "db-7XQZK3M2PLRFJ4A6N5B8C2D1E0"
        identifier       = "orders-prod"
      ~ password         = (sensitive value)
        port             = 5432
        # (41 unchanged attributes hidden)
    }

  # aws_secretsmanager_secret_version.stripe will be created
  + resource "aws_secretsmanager_secret_version" "stripe" {
      + arn           = (known after apply)
      + id            = (known after apply)
      + secret_id     = "arn:aws:secretsmanager:eu-west-1:381492027761:secret:prod/payments/stripe-Qx7k2L"
      + secret_string = (sensitive value)
      + version_id    = (known after apply)
    }

Plan: 1 to add, 1 to change, 0 to destroy."""),
    ("log", """$ kubectl -n billing describe secret billing-worker
Name:         billing-worker
Namespace:    billing
Labels:       app.kubernetes.io/name=billing-worker
              app.kubernetes.io/part-of=billing
Annotations:  reloader.stakater.com/match: true

Type:  Opaque

Data
====
DATABASE_URL:            96 bytes
SENDGRID_API_KEY:        69 bytes
WEBHOOK_SIGNING_SECRET:  32 bytes"""),
    ("log", """2024-06-12T11:20:04.0012331Z ##[group]Run curl -fsS -X POST -H "Authorization: token ***" -H "Accept: application/vnd.github+json" https://api.github.com/repos/acme-corp/infra/dispatches -d '{"event_type":"deploy-prod"}'
2024-06-12T11:20:04.0013120Z env:
2024-06-12T11:20:04.0013771Z   DEPLOY_TOKEN: ***
2024-06-12T11:20:04.0014215Z   AWS_ROLE_ARN: arn:aws:iam::381492027761:role/gha-deploy
2024-06-12T11:20:04.6671009Z ##[endgroup]
2024-06-12T11:20:05.1120943Z Dispatch accepted (HTTP 204), run id 9478123310"""),
    ("npmrc", """# .npmrc committed to the repo – tokens come from the CI environment
registry=https://registry.npmjs.org/
@acme:registry=https://npm.pkg.github.com/
//npm.pkg.github.com/:_authToken=${GITHUB_PACKAGES_TOKEN}
//registry.npmjs.org/:_authToken=${NPM_TOKEN}
engine-strict=true
save-exact=true"""),
    ("pypirc", """# template – copy to ~/.pypirc and fill in
[distutils]
index-servers =
    pypi
    testpypi

[pypi]
username = __token__
password = <your PyPI API token, starts with pypi->

[testpypi]
repository = https://test.pypi.org/legacy/
username = __token__
password = <your TestPyPI token>"""),
    ("json", """{
  "auths": {
    "https://index.docker.io/v1/": {},
    "ghcr.io": {},
    "registry.acme-corp.example": {}
  },
  "credsStore": "osxkeychain",
  "currentContext": "desktop-linux",
  "plugins": {
    "-x-cli-hints": {"enabled": "true"}
  }
}"""),
    ("ticket", """[INC0049130] Can't log in after password expiry
Caller: warehouse supervisor, Rotterdam DC
Resolution: Walked the caller through self-service reset at the password portal. Verification by push notification on the registered device succeeded; new password set by the user, not shared with the agent. Account unlocked automatically after 15 minutes (lockout threshold 10 attempts).
Category: Access > Password > Self-service
Time spent: 12 min"""),
    ("csv", """Asset Tag,Serial,Model,Status,Location,Purchase Date,Warranty End,Cost (EUR)
ACME-L-3301,5CG3281Z7Q,HP EliteBook 840 G10,Deployed,Hamburg,2023-07-14,2026-07-13,1349.00
ACME-L-3302,5CG3281Z8F,HP EliteBook 840 G10,In stock,Hamburg,2023-07-14,2026-07-13,1349.00
ACME-L-3318,PF4K2Q9M,Lenovo ThinkPad T14 Gen 4,Offboarding,Remote,2023-09-02,2026-09-01,1289.50
ACME-M-0412,C02FK1ZXMD6T,MacBook Pro 14 (M3),Deployed,Amsterdam,2024-01-22,2027-01-21,2299.00"""),
    ("note", """Dispute summary DSP-88120 (for the weekly fraud review)
Card: Visa, BIN 460189, last4 0369, card present: no
Transaction: 2024-05-28, USD 1,249.00, auth code 08832Z, ARN 74987504158012345678901
Reason: 10.4 Other Fraud – Card-Absent Environment
Evidence sent: AVS result, 3DS not attempted, delivery proof (UPS 1Z9X42V80312345678)
Outcome: pre-arbitration declined, merchant liable. Write-off booked to GL 6840-FRAUD."""),
    ("json", """{"detection_id": "ldt:9f2c4e1a8b7d4c3e:4294967311", "tactic": "Credential Access", "technique": "T1003.001 OS Credential Dumping: LSASS Memory", "severity": 90, "hostname": "WS-FIN-0231", "user_name": "ACME\\\\mkeller", "filename": "rundll32.exe", "cmdline": "rundll32.exe C:\\\\Windows\\\\System32\\\\comsvcs.dll, MiniDump 624 C:\\\\Users\\\\Public\\\\lsass.dmp full", "sha256": "fae367494ec9b3ccb45ca14cc395ec76da2357e12ab696a16b0f0727fe492e5a", "md5": "eb7ba4ed1dc59a0ac0526ab956b6fe30", "parent_process": "powershell.exe", "pattern_disposition": "process_blocked", "timestamp": "2024-06-12T04:41:17Z"}"""),
    ("report", """SOC weekly report – week 24
Alerts triaged: 4,812 (auto-closed 3,967; escalated 61; true positive 9)
MTTA 6m 40s, MTTR 3h 12m. Top rules: 4625 brute force (1,204), impossible travel (388), mass download from SharePoint (57).
True positives: 2 phishing with credential entry (users reset), 1 card-testing burst (blocked), 6 commodity malware on unmanaged devices.
SIEM ingest: 412 GB/day (+6%), license cap 500 GB/day. Parser failures dropped to 0.03% after the LEEF fix."""),
    ("log", """$ git log --oneline -8
8a02924 (HEAD -> main, origin/main) chore(deps): bump golang.org/x/net to 0.26.0
7fb8a74 fix(auth): reject tokens with alg=none (SEC-2240)
2e98723 feat(billing): retry SEPA mandate sync on 429
e9d8760 Revert "feat: log full request headers on 401"
14d46b1 ci: enable secret scanning push protection
d60d25e refactor(vpn): move ocserv config to templates
059cd1f docs: rotate-keys runbook v3
e1428bf Merge pull request #4821 from acme-corp/release/2.14"""),
    ("ticket", """CHG0041203 – Renew TLS certificate for api.acme-corp.example
The current certificate expires on 2024-07-01. New CSR generated on the load balancer, key never left the HSM partition. Issued certificate for the change record:

-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUfFhbOYOBJ7cLTFtW8eVUHU08lZYwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVYXBpLmFjbWUtY29ycC5leGFtcGxlMB4XDTI2MTEyMzE4MDM0
MFoXDTI3MTEyMzE4MDM0MFowIDEeMBwGA1UEAwwVYXBpLmFjbWUtY29ycC5leGFt
cGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEkyGWMQS/TRVYC0lxmC8iA8tQ
VtcCkODJlewzOXOVxjzMTc5H7a+NAfb3kGdK4KxMRnTeDOS9SkuHNcI/02c6lqNT
MFEwHQYDVR0OBBYEFBQ5T1LOExGoNGLJSgjVnekRrO9qMB8GA1UdIwQYMBaAFBQ5
T1LOExGoNGLJSgjVnekRrO9qMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SAAwRQIgP6+zfCdkr2bX266cCMUKDrgQEsYOQ/2bUmIHrpxaRqoCIQDw7j5G2XZb
p+LJS/QdnGipPImRj9nY7Lr+ETETAtajPw==
-----END CERTIFICATE-----

Serial and SHA-256 fingerprint recorded in the CMDB. Rollout: blue listener first, then green, no downtime expected."""),
    ("ticket", """Access request AR-7719: SSH access to bastion-eu for new SRE
Please add the following public key to the sre group in the bastion config repo:

ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMgyhFjBModnv5xG6liOTeZtEQZOyTW+BNocKJvRajs8 deploy@build-runner-07

Approved by: SRE manager. Expires: 2024-12-31 (quarterly access review)."""),
    ("yaml", """# group_vars/prod/vault.yml
$ANSIBLE_VAULT;1.1;AES256
39396539356136623566616133366632646238663234353365616166376636316161363034653065
6662613031336631656366383261396463656664333631340a326134343431333661656463636532
33626332613239613530626564313061316664366136353732323331363836376334326164323430
3838613234303930330a303236333834653266613735613833303763623939306133323039363034
63636562666161663235623139636133343462333939343737643936613365393861313930356331
31656631636134626633303232333535333264633930636531366135373561613737346238643063
37373764333238343835383938306163346335326332666537323531373630303938653238616432
31633062663166373063396339663935343136616562636530396331366266363061636431623934
6635"""),
    ("yaml", """# secrets/prod.enc.yaml (managed with sops, AWS KMS)
database:
    user: ENC[AES256_GCM,data:TBlkY77iEsxl,iv:hyteZiCcQPt4qJAeXOCKLW9uo9BN4QHfRU3lbmOeMU0=,tag:jy9dwMdEGkRgvlX+lckndA==,type:str]
    password: ENC[AES256_GCM,data:9ZNMGbA7XsRCk7JxNI/VOoTss9gwYyKHWkdzvH8Lqs7i1/q0186SpDRRcE53pqz7,iv:RAL+dOoCoyPrVj6Wpd7o7rKGKRBeyLkP2Qa0S4zm3A0=,tag:npNUyhGkOqUeVLRvH4MYbw==,type:str]
stripe:
    api_key: ENC[AES256_GCM,data:fNLUUPCsw70yg7xg/wtc5VPQtOGTObVexiyuMUg0k7f5anHfwaRa0d0KcUlOolbm,iv:MqseQxv6q1z+rM/NaQ5Lf35IBy2aSokJhCa9p0ZV464=,tag:yB98gv+ylOB2GxnXUK2uOg==,type:str]
sops:
    kms:
        - arn: arn:aws:kms:eu-west-1:381492027761:key/a7c719f5-a59c-4af6-ad5a-3faca9e10a83
          created_at: "2024-05-02T09:14:51Z"
    lastmodified: "2024-06-10T16:22:03Z"
    mac: ENC[AES256_GCM,data:Imt0WdH27dCwt9hcz44bpRKnpPy9LIG6x9SXRxb931TxhgXKb5f2kwFV2Qq71TY3,iv:qVshUgZc1A3WVIhpYfdatxUI+3SLhKBcYJTETMVn8ts=,tag:8Gv293Z4dUKOsd14Gez6Jw==,type:str]
    version: 3.8.1"""),
    ("log", """Log Name:      Security
Source:        Microsoft-Windows-Security-Auditing
Date:          12/06/2024 07:02:44
Event ID:      4740
Task Category: User Account Management
Keywords:      Audit Success
Computer:      DC02.corp.acme.example
Description:
A user account was locked out.

Subject:
	Security ID:		S-1-5-18
	Account Name:		DC02$
	Account Domain:		ACME
	Logon ID:		0x3E7

Account That Was Locked Out:
	Security ID:		S-1-5-21-3623811015-3361044348-30300820-4471
	Account Name:		mkeller

Additional Information:
	Caller Computer Name:	WS-FIN-0231"""),
    ("readme", """## Local setup

1. Install aws-vault and add a profile. The AWS docs use the sample pair AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY; never paste your real keys into this file.
2. Create `.env` from `.env.example`:

       DATABASE_URL=postgresql://<user>:<password>@localhost:5432/ledger
       GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
       SLACK_BOT_TOKEN=xoxb-your-token-here

3. Run `make dev`; the API listens on port 8080 and the admin UI on 8443."""),
    ("log", """[2024-06-12T10:15:32.118Z] "GET /api/v2/orders/5591842 HTTP/2" 200 - via_upstream - "-" 0 1843 38 37 "-" "okhttp/4.12.0" "b3d65d17-7eef-4b5b-a08b-b43ae4768078" "api.acme-corp.example" "orders-svc.orders.svc.cluster.local:8080"
[2024-06-12T10:15:32.402Z] "POST /api/v2/checkout HTTP/2" 429 - rate_limited - "-" 412 18 1 - "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" "36686ce9-74c2-4942-9837-c7c9df8b06ae" "api.acme-corp.example" "-"
[2024-06-12T10:15:33.007Z] "GET /healthz HTTP/1.1" 200 - via_upstream - "-" 0 2 0 0 "-" "kube-probe/1.29" "1ff9526a-37bd-4e98-8584-83eddb3809db" "orders-svc" "orders-svc.orders.svc.cluster.local:8080\""""),
    ("code", """upstream erp_backend {
    server erp-app-01.corp.acme.example:8443 max_fails=3 fail_timeout=30s;
    server erp-app-02.corp.acme.example:8443 max_fails=3 fail_timeout=30s;
    keepalive 32;
}

server {
    listen 443 ssl http2;
    server_name erp.acme-corp.example;
    ssl_certificate     /etc/nginx/tls/erp.crt;
    ssl_certificate_key /etc/nginx/tls/erp.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;
    client_max_body_size 25m;
    location / { proxy_pass https://erp_backend; proxy_read_timeout 120s; }
}"""),
    ("csv", """PO Number,Vendor,Vendor No,Cost Center,GL Account,Currency,Net Amount,VAT,Status,Created
4500018821,Brenner Industrietechnik GmbH,0000104522,CC-4410,640200,EUR,18450.00,3505.50,Released,2024-06-03
4500018822,Van Dijk Verpakkingen B.V.,0000104530,CC-5120,610100,EUR,2290.40,480.98,Awaiting GR,2024-06-04
4500018830,Crestline Packaging Inc.,0000102210,CC-5120,610100,USD,7735.00,0.00,Closed,2024-06-07"""),
    ("report", """Headcount snapshot 2024-05-31 (source: HRIS, pseudonymised)
Org unit           FTE    Joiners  Leavers  Open reqs  Avg tenure
Sales EMEA         84.5   3        2        6          3.4 y
Sales AMER         61.0   1        4        3          2.9 y
Engineering       212.8   9        5        14         4.1 y
Finance & Legal    38.0   0        1        2          6.2 y
Employee keys in the detail tab are salted hashes, e.g. 7f1e…c2a9; mapping table held by HR Ops only."""),
    ("finance", """Settlement batch 20240611-03 | Acquirer: Worldline | MID 000841127730019 | Terminal IDs T8841001–T8841006
Transactions: 3,418 | Gross EUR 214,882.17 | Refunds EUR 3,104.90 | Chargebacks EUR 1,249.00 | Fees EUR 2,987.12 | Net EUR 207,541.15
Funding reference SETL-88412-20240612, value date 2024-06-13, batch checksum 0x7A3F19C2
Reconciliation: matched 3,416 of 3,418; 2 pending (late presentments, see REC-1183)."""),
    ("json", """{"eventVersion": "1.09", "userIdentity": {"type": "AWSService", "invokedBy": "backup.amazonaws.com"}, "eventTime": "2024-06-12T02:00:14Z", "eventSource": "kms.amazonaws.com", "eventName": "Decrypt", "awsRegion": "eu-west-1", "sourceIPAddress": "backup.amazonaws.com", "userAgent": "backup.amazonaws.com", "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": {"aws:backup:source-resource": "arn:aws:rds:eu-west-1:381492027761:db:orders-prod"}}, "responseElements": null, "requestID": "d497a8d7-9994-4dfe-bf91-20b32433ee4b", "eventID": "ef65b545-93e7-465e-9009-afbd9e45019e", "readOnly": true, "resources": [{"accountId": "381492027761", "type": "AWS::KMS::Key", "ARN": "arn:aws:kms:eu-west-1:381492027761:key/76750066-effb-4c75-aff6-e7a57b9baa6d"}], "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "381492027761"}"""),
    ("log", """$ kubectl -n payments get deploy,pods -o wide --no-headers | head
deployment.apps/checkout-api   3/3   3   3   41d   api   registry.acme-corp.example/payments/checkout-api:2.14.0   app=checkout-api
deployment.apps/ledger-sync    1/1   1   1   12d   sync  registry.acme-corp.example/fin/ledger-sync:0.9.4       app=ledger-sync
pod/checkout-api-7f9c8d6b5-x2kqp   1/1   Running   4 (2m ago)   41d   aks-pool1-21388144-vmss000003
pod/checkout-api-7f9c8d6b5-m8zrt   1/1   Running   0            41d   aks-pool1-21388144-vmss000001
pod/ledger-sync-5c4d9b7f8-qq2lw    1/1   Running   0            12d   aks-pool2-90112844-vmss000000"""),
    ("prompt", """Explain what this Splunk query does and whether it would miss logins from IPv6 clients:

index=auth sourcetype=okta:im2 eventType=user.session.start outcome.result=FAILURE
| stats count dc(client.ipAddress) as ips by actor.alternateId
| where count > 20 AND ips > 5
| sort - count

Our IDs are in the form <user>@<domain>; I replaced real values with placeholders."""),
    ("email", """Subject: Re: [H1 #2473318] Exposed API key in JavaScript

Hi,
Thanks for the report. After review we are closing it as Informative: the key in config.js is a publishable Stripe key (pk_live_...), which is designed to be exposed in client-side code, and the "AWS key" in the same file is the documentation example AKIAIOSFODNN7EXAMPLE left in a code comment. Neither grants access to our systems.
Duplicate check: similar to #2401187 (closed). No bounty is awarded, but we appreciate the effort.

Acme Security Team"""),
    ("log", """$ vault status
Key                     Value
---                     -----
Seal Type               awskms
Recovery Seal Type      shamir
Initialized             true
Sealed                  false
Total Recovery Shares   5
Threshold               3
Version                 1.16.2
Storage Type            raft
Cluster Name            vault-cluster-8f2a91c0
Cluster ID              30d0ffb2-7847-4d1f-adc0-f5f27b91859f
HA Enabled              true
HA Cluster              https://vault-2.vault-internal:8201
HA Mode                 standby
Active Node Address     https://vault-0.vault-internal:8200
Raft Committed Index    4482193
Raft Applied Index      4482193"""),
    ("json", """{"id": "evt_3PQr8sLkdIwHu7ix0c9Tq2Lm", "object": "event", "api_version": "2024-04-10", "created": 1718183714, "type": "charge.dispute.created", "data": {"object": {"id": "dp_1PQr8sLkdIwHu7ixK4nB2Xw", "amount": 124900, "currency": "usd", "charge": "ch_3PQr8sLkdIwHu7ix1mZ7c0Pq", "payment_intent": "pi_3PQr8sLkdIwHu7ix1Wn5Yt8R", "reason": "fraudulent", "status": "needs_response", "evidence_details": {"due_by": 1719791999, "submission_count": 0}}}, "livemode": true, "request": {"id": null, "idempotency_key": null}}"""),
    ("ticket", """SEC-2210 – Phishing-resistant MFA rollout, status update
Done: 1,842 of 2,310 accounts enrolled a FIDO2 key or passkey (79.7%). SMS and voice are disabled for admins since 3 June.
Blocked: 96 shared kiosk accounts in warehouses (need certificate-based auth, waiting on CHG0041240).
Next: conditional access policy CA-017 (require phishing-resistant MFA for Azure portal) moves from report-only to enforced on 24 June."""),
    ("ticket", """FW change request FCR-1187
Source: GRP-SAP-APP-PRD (object group, 6 members)
Destination: GRP-BANK-SFTP (object group, 2 members)
Service: tcp/22, tcp/990
Action: allow, log at session end
Justification: daily payment file upload to the house bank (SEPA pain.001, camt.053 download)
Expiry: none (business-critical), review in 12 months. Approved by CAB 2024-06-11."""),
    ("log", """ Testing protocols via sockets
 SSLv2      not offered (OK)
 SSLv3      not offered (OK)
 TLS 1      not offered
 TLS 1.1    not offered
 TLS 1.2    offered (OK)
 TLS 1.3    offered (OK): final

 Server Certificate #1
   Serial                 3F0A9C22E1D47B6A5C1E8F2D9B0A7C43
   Fingerprints           SHA256 9448C92444975A3BCD7289E4D8CF3B6538941F096BC02628DF38732B14757395
   Common Name (CN)       api.acme-corp.example
   Certificate Validity   expires < 30 days (2024-07-01 23:59)
   Key Size               EC 256 bits (curve P-256)"""),
    ("csv", """customer_id,name,email,phone,ssn,card,updated_at
C-100231,M. Lopez,m*****z@e******.com,+1 ***-***-0147,***-**-4633,************4242,2024-06-11T09:12:44Z
C-100232,K. O'Neil,k*****l@e******.com,+1 ***-***-0190,***-**-3468,************5100,2024-06-11T09:12:44Z
C-100233,R. Baker,[REDACTED],[REDACTED],[REDACTED],[REDACTED],2024-06-11T09:12:45Z"""),
    ("report", """Intune compliance report – iPadOS shared devices (Retail)
Device           Serial         OS       Compliant  Encryption  Passcode  IMEI
RTL-IPAD-0017    DMPX41Q2KDH3   17.5.1   Yes        Yes         Yes       n/a (Wi-Fi only)
RTL-IPAD-0018    DMPX41Q2KDJ9   17.4     No         Yes         No        n/a (Wi-Fi only)
RTL-IPAD-0031    GG7Z8L0XQ1M5   17.5.1   Yes        Yes         Yes       n/a (Wi-Fi only)
Non-compliant devices are blocked from Exchange after a 72 h grace period."""),
    ("json", """{"id": 148829301, "name": "[payments] checkout-api p99 latency high", "type": "query alert", "query": "avg(last_5m):p99:trace.http.request{service:checkout-api,env:prod} > 1.5", "message": "p99 above 1.5s. Runbook: https://wiki.acme-corp.example/rb/checkout-latency @pagerduty-payments", "tags": ["team:payments", "env:prod", "tier:1"], "options": {"thresholds": {"critical": 1.5, "warning": 1.0}, "notify_no_data": false, "renotify_interval": 30, "evaluation_delay": 60}, "priority": 2, "created_at": 1707734400000}"""),
    ("report", """Finding PT-09 (Low): Verbose error discloses stack trace

Request:
POST /api/login HTTP/2
Host: portal.acme-corp.example
Content-Type: application/json
Authorization: Bearer <redacted>

{"username": "pentest01", "password": "<redacted>"}

Response (HTTP 500) contained a Java stack trace revealing Spring Boot 3.1.4, Hibernate 6.2.9 and the internal package names. Credentials used during testing were issued for the test window only and have been disabled."""),
    ("log", """Release pipeline summary – ledger-sync
Build #4812 (commit f65e982acde0973d95ca0f04e5da814d8d6f6cab) started 1718190000, finished 1718190742 (12m 22s)
Stages: lint 0:41, unit 3:12 (1,542 passed), integration 5:03, image 2:10, deploy-staging 1:16
Image: registry.acme-corp.example/fin/ledger-sync:0.9.5 sha256:8be8001229999097b7a74332345d60403f76f3d33ddf75bb88a922bc2c3fe46d
Artifacts: sbom.spdx.json (412 KB), coverage 83.4%
Promoted to prod by change CHG0041251 at build 4812.1."""),
]

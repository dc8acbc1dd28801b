# ruff: noqa: E501, RUF001
# (hand-written texts: lines as long as the messages they imitate, in their own scripts)
"""Hand-written carrier texts, part J: the wider world, informal and messy. Messaging-app
exports (WhatsApp, WeChat, LINE, KakaoTalk, Telegram, Viber, Zalo), voice-message
transcripts, OCR of scanned forms and passports, PDF copy-paste, classifieds, support chats,
remittance and rent transfers, clinic reminders and AI prompts in many languages and scripts,
with look-alikes (order, tracking and booking numbers, masked cards, payment references).

``⟦detector|value⟧`` marks a labelled span (markers nest); everything else must not be
reported.
"""

TEXTS: list[tuple[str, str]] = [
    # --- India / Hinglish / Hindi ---------------------------------------------------------
    ("chat", """[14/03/24, 9:41:07 PM] Rohit Bhai: bhai KYC ke liye details bhej raha hu, bank wale maang rahe hain
[14/03/24, 9:41:52 PM] Rohit Bhai: aadhaar ⟦in_aadhaar|4949 8630 6587⟧
[14/03/24, 9:42:10 PM] Rohit Bhai: PAN ⟦in_pan|BXRPS4821K⟧
[14/03/24, 9:42:31 PM] Rohit Bhai: ‎<attached: 00000041-PHOTO-2024-03-14-21-42-31.jpg>
[14/03/24, 9:43:02 PM] Amit: ok mil gaya 👍 form me mobile kaunsa daalu?
[14/03/24, 9:43:40 PM] Rohit Bhai: ⟦phone_number|+91 99887 66554⟧ wala, purana band hai
[14/03/24, 9:44:15 PM] Amit: done. OTP aayega 6 digit ka, mujhe forward kar dena"""),
    ("chat", """bro paise bhej diye 🙏
₹2,450.00 paid to Sharma Kirana Store
UPI Ref No: 407418329765
14 Mar 2024, 06:12 pm
Paytm Txn ID T2403141812553908172
screenshot bhi bhej raha hu. flipkart wala order OD430218776512345100 kal tak aa jayega"""),
    ("chat", """नमस्ते सर, राशन कार्ड अपडेट के लिए मेरी जानकारी:
नाम: सुनीता देवी
आधार नंबर: ⟦in_aadhaar|7238 8413 5866⟧
जन्म तिथि: ⟦date_of_birth|12/08/1979⟧
मोबाइल: ⟦phone_number|98201 45673⟧
कृपया जल्दी कर दीजिए, दुकान वाला बोल रहा है e-KYC पेंडिंग है 🙏"""),
    ("prompt", """mera ITR file karna hai, ye Form 16 ka data hai, batao kitna refund banega aur old regime better hai ya new:
PAN: ⟦in_pan|AJQPM7304L⟧
Gross salary ₹14,60,000, 80C ₹1,50,000 (PPF + ELSS), HRA exempt ₹1,32,000
TDS deducted ₹1,41,288
Employer TAN: MUMA12345B, AY 2024-25"""),
    ("chat", """bhai UPI pe bhej de, id hai rahul.verma@okaxis ya phir rahulv92@ybl 🙏
₹650 tha na movie + popcorn ka. kal wale auto ke ₹120 alag"""),
    ("chat", """IRCTC ticket confirm ho gaya 🚆
PNR: 4521873096
Train 12951 Mumbai Rajdhani, 22-Mar-2024, dep 17:00
Coach B3, Berth 42 (LB), 43 (MB)
Fare ₹6,870 incl. GST. Txn id 100004871236557"""),
    ("chat", """Papa, Frankfurt wale account ki details:
IBAN: ⟦iban|DE14 5007 0010 5534 5786 88⟧
BIC/SWIFT: ⟦swift_bic|DEUTDEFF⟧
Account holder: Arjun Mehta
SBI branch wale ko bolna purpose 'family maintenance' hai, aur INR me mat bhejna, EUR me convert karke 🙏 fees ₹ 1500 se zyada ho toh mat karna"""),
    ("finance", """Western Union receipt
Money Transfer Control Number (MTCN): 482-117-3395
Amount sent: USD 300.00   Transfer fee: USD 4.99
Exchange rate: 1 USD = 83.0200 INR
Expected payout amount: INR 24,906.00
Date: 16 Mar 2024 11:42  Agent location 0041"""),
    # --- China / Taiwan ------------------------------------------------------------------
    ("chat", """[微信] 王姐: 小李，帮我订下周三去成都的机票，身份证号⟦cn_resident_id|440106199203150444⟧，手机⟦phone_number|138 1234 5678⟧，姓名王丽。要靠窗的哈😂
小李: 收到！经济舱可以吗？
王姐: 可以可以，别超过1200"""),
    ("chat", """亲，您的快递已到驿站啦📦 取件码 8-2-3107，顺丰单号 SF1428836650213，请于3月18日前取件。
订单编号：240316-587210934461283
有问题联系在线客服哦～"""),
    ("prompt", """帮我把下面的客户信息整理成表格，并检查身份证号有没有写错：
1. 陈志强，身份证 ⟦cn_resident_id|310104198807230457⟧
2. 刘婷，身份证 ⟦cn_resident_id|510104199506088460⟧，出生日期 ⟦date_of_birth|1995-06-08⟧
3. 赵敏，订单号 20240315008812，尚未提供证件"""),
    ("chat", """老公，我那张工行卡号发你了，房租从这张扣：⟦credit_card|6222 1273 8955 7337 960⟧，别发给别人啊
开户行：工商银行深圳科技园支行
这个月房租4800，物业费另算"""),
    ("chat", """@老周 v2.3.1 已经发到测试环境了，commit 7c1e9b2f4a，构建号 #1842
接口文档更新在 /api/v2/orders/{orderId}，traceId: 4bf92f3577b34da6a3ce929d0e0e4736
有问题群里说，今晚 22:00 之后别再合并了🙏"""),
    ("chat", """12306 订单已支付成功
订单号 E482917365
G1234次 北京南→上海虹桥 3月22日 08:00开
8车12F号 二等座 ¥662.0
请携带购票时所使用的有效身份证件原件检票乘车"""),
    ("form", """个人简历
姓名：周雨桐        性别：女
出生日期：⟦date_of_birth|2001年02月11日⟧
身份证号：⟦cn_resident_id|330106200102112684⟧
手机：⟦phone_number|139 0571 2283⟧
邮箱：⟦email_address|yutong.zhou@mail.example.cn⟧
求职意向：UI设计实习生
教育背景：2019.09-2023.06 浙江理工大学 数字媒体艺术"""),
    ("medical", """【门诊病历】 就诊日期 2024-03-18  科室：内分泌科
患者：李建华  男  58岁
主诉：口干多饮半年，近一月双下肢水肿
诊断：2型糖尿病伴肾脏并发症（⟦icd10_code|E11.2⟧）；高血压性心脏病（⟦icd10_code|I11.9⟧）
处理：二甲双胍 0.5g bid，两周后复查肾功能"""),
    ("ocr", """扫描件OCR结果：
中华人民共和国 护照
PEOPLE'S REPUBLIC OF CHINA  PASSPORT
类型/Type P  国家码/Country Code CHN  护照号/Passport No. ⟦passport_number|EJ4829175⟧
姓名/Name 李婷 LI TING
性别/Sex 女/F   出生日期/Date of birth ⟦date_of_birth|23 JUL 1988⟧
签发日期/Date of issue 10 JAN 2023  有效期至/Date of expiry 09 JAN 2033
POCHNLI<<TING<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<
⟦passport_mrz|EJ48291753CHN8807238F3301096<<<<<<<<<<<<<<<2⟧"""),
    ("chat", """媽 我幫妳在蝦皮下單了 可是要綁卡
信用卡號 ⟦credit_card|4543 9683 6139 4558⟧ 到期 08/27 背面三碼我再打電話問妳
收件手機填 ⟦phone_number|0912-345-678⟧ 對嗎？
媽：對 是這支 謝謝乖女兒❤️"""),
    ("chat", """電子發票證明聯
發票號碼：QT-48213756
隨機碼：3821
賣方統編：24536806
總計：NT$1,280
開立日期：113-03-15 14:22:07
載具：/AB12C+D"""),
    # --- Japan ---------------------------------------------------------------------------
    ("chat", """田中さん、年末調整の書類ありがとうございます🙇‍♀️
マイナンバーの記入漏れがあったので、こちらで追記しておきますね。
マイナンバー：⟦jp_my_number|1940 7621 7342⟧
扶養の奥様の分も必要なので、わかったら教えてください〜
何かあれば内線 2417 まで！"""),
    ("email", """【予約確認】ホテルサンルート渋谷
予約番号：JH-20240412-7736
チェックイン：2024年4月12日(金) 15:00〜
チェックアウト：2024年4月14日(日) 11:00
〒150-0043 東京都渋谷区道玄坂1-11-1
ご宿泊料金：¥18,700（税込）
※キャンセルは前日18時までにお願いします。"""),
    ("prompt", """以下の社員情報をExcelに貼れる表形式に整えてください。
氏名: 佐藤 健一 / マイナンバー ⟦jp_my_number|564190550568⟧ / 内線 3302 / 入社日 2019年4月1日
氏名: 鈴木 美咲 / マイナンバー ⟦jp_my_number|886731174146⟧ / メール ⟦email_address|m.suzuki@corp.example.jp⟧ / 入社日 2021年10月1日
列は「氏名」「マイナンバー」「連絡先」「入社日」でお願いします。"""),
    ("form", """履　歴　書　　　　　　　2024年3月18日現在
ふりがな　やまもと　さくら
氏名　山本 さくら
生年月日　⟦date_of_birth|1997年5月12日⟧（満26歳）
現住所　〒530-0001 大阪府大阪市北区梅田2-4-9
電話　⟦phone_number|06-6345-2218⟧
E-mail　⟦email_address|sakura.y@mail.example.jp⟧
学歴・職歴
2016年4月　関西外国語大学 外国語学部 入学"""),
    ("email", """【セブン-イレブン払込票】
払込票番号：4812-7733-0915-7
お支払期限：2024/03/22 23:59
お支払金額：3,980円
受付番号：A7734-22
※レシートが領収書となります"""),
    # --- Korea ---------------------------------------------------------------------------
    ("chat", """[카카오톡] 엄마 🌸
엄마: 은행에서 주민번호 뭐냐고 물어보는데
엄마: ⟦kr_rrn|921120-2543911⟧ 이거 맞지?
나: 응 맞아 ㅋㅋ 근데 그런 거 카톡으로 보내지 마 ㅠㅠ
엄마: 알았어~ 그리고 등록금 보낼 계좌번호 다시 알려줘
나: 국민은행 ⟦bank_account_number|457801-01-238846⟧
나: 예금주 김서연"""),
    ("chat", """[CJ대한통운] 고객님의 상품이 배송출발 예정입니다.
운송장번호: 6892 4471 3305
주문번호: 20240318-0012847
배송예정일: 3/19(화)
문의는 앱 > 고객센터 이용 바랍니다."""),
    ("prompt", """아래 이력서 내용을 영어로 번역해줘. 경력 부분은 bullet으로 정리해주고.
이름: 박지훈
생년월일: ⟦date_of_birth|1986년 3월 4일⟧
연락처: ⟦phone_number|010-4827-3361⟧
이메일: ⟦email_address|jihoon.park86@mail.example.kr⟧
경력: 2012.03 ~ 현재 (주)한빛소프트 백엔드 개발 (Java, Spring, Kafka)"""),
    ("email", """견적서 보내드립니다.
견적번호: Q-2024-0318-07
품목: 사무용 의자 x 12
공급가액: 1,250,000원 / 부가세: 125,000원
유효기간: 2024.04.17까지
납기: 발주 후 2주"""),
    ("chat", """여권번호 ⟦passport_number|M48273915⟧ 이고 영문이름 KIM SEOYEON 이에요. 만료일 2031.05.19.
항공권 발권할 때 필요하대서요~ 좌석은 통로 쪽으로 부탁드려요 🙏"""),
    # --- Russia --------------------------------------------------------------------------
    ("chat", """Саша, скинь пожалуйста на карту, до пятницы верну 🙏
⟦credit_card|2200 6141 5790 0723⟧ (Мир, Сбер)
или по номеру ⟦phone_number|+7 916 482-31-77⟧ через СБП
сумма 15 000₽"""),
    ("chat", """Ребят, бот опять упал 😩 вот конфиг, посмотрите кто-нибудь:
```
BOT_TOKEN=⟦telegram_bot_token|7852099019:AA1qdXWPJx-d8ut8pdqsxRpvED5hJRaOvRT⟧
ADMIN_CHAT_ID=-1002183746152
LOG_LEVEL=debug
```
webhook стоит на https://bot.example.ru/tg/hook, в логах 409 Conflict"""),
    ("email", """Заказ №4471-0932 оформлен!
Трек-номер Почты России: RA482917365RU
Сумма: 3 490,00 ₽, оплачено картой ****7745
Ожидаемая дата доставки: 22.03.2024
Спасибо, что выбрали нас!"""),
    ("chat", """Кто-нибудь знает, почему ключ не работает? Пишет 401 Incorrect API key 🤔
OPENAI_API_KEY=⟦openai_api_key|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⟧
модель gpt-4o-mini, библиотека openai==1.14.0, python 3.11"""),
    ("classifieds", """Продаю диван-кровать, б/у 2 года, состояние отличное. Самовывоз м. Профсоюзная, 3 этаж без лифта. Цена 12 000 ₽, торг уместен. Звоните ⟦phone_number|8 (903) 725-18-40⟧ после 18:00, в WhatsApp не отвечаю."""),
    # --- Greece / Turkey -----------------------------------------------------------------
    ("chat", """Γεια σου Νίκο! Για το νοίκι του Απριλίου στείλε στο:
IBAN ⟦iban|GR72 0110 1250 0001 9718 1478 158⟧
Εθνική Τράπεζα, δικαιούχος Ελένη Παπαδοπούλου
Αν υπάρχει θέμα πάρε με ⟦phone_number|+30 694 812 3457⟧ 👍"""),
    ("email", """Η κράτησή σας επιβεβαιώθηκε ✈️
Κωδικός κράτησης: K7QW2M
Πτήση A3 612 Αθήνα → Θεσσαλονίκη, 14/05/2024, 07:35
Θέση 14C, αποσκευή 23 kg
Αριθμός εισιτηρίου: 390-2417783356"""),
    ("chat", """Abi kargo için bilgiler:
Ad Soyad: Mehmet Yılmaz
TC: ⟦tr_tc_kimlik|88417450366⟧
Cep: ⟦phone_number|0532 418 27 63⟧
Ödemeyi de şu IBAN'a yaparsın: ⟦iban|TR70 0006 2006 9983 3976 2600 07⟧ (Garanti)
Teşekkürler 🙏"""),
    ("email", """Siparişiniz kargoya verildi! 🚚
Sipariş No: 1029384756
Kargo takip no: 7281 0394 5512 (Yurtiçi Kargo)
Fatura tutarı: 1.249,90 TL
Tahmini teslim: 21 Mart Perşembe"""),
    ("prompt", """Aşağıdaki bilgilerle bir dilekçe hazırla, okula verilecek:
Öğrenci: Elif Demir, 9-B sınıfı, okul no 1174
Veli: Ayşe Demir, T.C. Kimlik No ⟦tr_tc_kimlik|73673808440⟧, doğum tarihi ⟦date_of_birth|02.11.1984⟧
Konu: 18-22 Mart arası sağlık raporu nedeniyle devamsızlık"""),
    ("chat", """kanka borcu btc olarak atıyorum, adresin bu mu? ⟦bitcoin_address|1B8AdjxKDpbJA2zDnEzzphi2n9Ect1h2z1⟧
network ücreti yüksek şu an, akşam atarım. tx hash'i sonra yollarım"""),
    ("ocr", """Garanti BBVA Mobil
Hesap: Vadesiz TL ****6620
Kullanılabilir bakiye: 12.458,73 TL
Son işlemler
15.03.2024  MİGROS SANAL MARKET   -847,20
14.03.2024  FAST gelen – M*** Y***  +2.500,00
Dekont no: 20240315-7718234"""),
    ("email", """e-Devlet Kapısı – Belge Doğrulama
Barkod No: YOKOS-9F2K-QX71-LM3P
Belge türü: Öğrenci Belgesi
Oluşturma tarihi: 18.03.2024 10:42
Bu belge 30 gün süreyle geçerlidir."""),
    # --- Poland / Czechia / Romania ------------------------------------------------------
    ("email", """Dzień dobry, w załączeniu przesyłam dane do umowy najmu:
Anna Kowalczyk
PESEL: ⟦pl_pesel|88032509805⟧
Nr konta do zwrotu kaucji: ⟦iban|PL12 1020 5561 7569 0072 0031 7167⟧
Pozdrawiam serdecznie"""),
    ("chat", """Twoja paczka jest w drodze 📦
Numer przesyłki InPost: 6800 2947 1183 5520 9931 47
Paczkomat: WAW21M, ul. Puławska 145
Kod odbioru: 482 913
Zamówienie nr 2024/03/118273"""),
    ("medical", """Przypomnienie: wizyta u lek. Marka Nowaka (ortopeda), 21.03.2024 godz. 16:40, gab. 12.
Skierowanie: rozpoznanie ⟦icd10_code|M54.4⟧ – rwa kulszowa z bólem lędźwiowym.
Pacjent: Tomasz Wiśniewski, PESEL ⟦pl_pesel|91071402271⟧
Prosimy zabrać dowód osobisty. Odwołanie wizyty: SMS o treści NIE."""),
    ("ocr", """mBank – potwierdzenie przelewu
Z rachunku: eKonto ⟦iban|PL93 1140 2004 1234 3122 2003 8699⟧
Na rachunek: PL** **** **** **** **** **** 4471
Tytuł: czynsz marzec + media
Kwota: 2 150,00 PLN
Data realizacji: 01.03.2024   Nr ref. 24061A2209KX"""),
    ("chat", """Ahoj Petro, do formuláře na pojišťovnu potřebuju tvoje rodné číslo, prosím.
Petra: ⟦cz_birth_number|856215/2489⟧
Petra: a kdyby něco, volej na ⟦phone_number|+420 777 318 492⟧, jsem dneska v práci do 18
Já: díky 😘"""),
    ("email", """Platební údaje k objednávce č. 2024001873:
Variabilní symbol: 2024001873
Konstantní symbol: 0308
Částka: 2 490 Kč
Splatnost: 28. 3. 2024
QR platbu najdete v příloze."""),
    ("form", """OSOBNÍ DOTAZNÍK ZAMĚSTNANCE                                   Strana 1/2
Příjmení: Dvořák         Jméno: Martin          Titul: Ing.
Datum naro-
zení: ⟦date_of_birth|17. 8. 1990⟧        Místo narození: Brno
Rodné číslo: ⟦cz_birth_number|900817/2173⟧
Zdravotní pojišťovna: VZP (111)
Číslo účtu pro výplatu mzdy (IBAN): ⟦iban|CZ65 0800 0000 0091 2425 0899⟧
Nástup: 1. 4. 2024"""),
    ("email", """Bună ziua, vă trimit datele pentru contractul de muncă:
Nume: Ioana Popescu
CNP: ⟦ro_cnp|2940612126453⟧
Data nașterii: ⟦date_of_birth|12.06.1994⟧
IBAN salariu: ⟦iban|RO36 BTRL RONC RT06 7849 1796⟧ (Banca Transilvania), SWIFT ⟦swift_bic|BTRLRO22⟧
Mulțumesc frumos!"""),
    ("email", """Comanda dvs. #RO-58217734 a fost predată curierului Fan Courier.
AWB: 2284 1190 7731 5
Valoare ramburs: 389,99 lei
Livrare estimată: 19.03.2024, interval 9-18"""),
    # --- Brazil --------------------------------------------------------------------------
    ("chat", """oi moça! faço 180 sim 😍
minha chave pix é o cpf: ⟦br_cpf|404.439.435-08⟧
ou pode mandar pro celular ⟦phone_number|(21) 98765-4321⟧ que também é chave
pode buscar amanhã depois das 18h, é no bloco 2"""),
    ("classifieds", """Olá! O produto ainda está disponível?
Vendedor: Sim! iPhone 12 128GB, bateria 87%, R$ 2.300
Envio pelos Correios, o código de rastreio é tipo AA123456789BR, te mando assim que postar
Modelo MGJ93BR/A, sem marcas de uso"""),
    ("email", """Prezados, segue a nota fiscal nº 000.482.117 série 1 referente ao serviço de março.
CNPJ prestador: ⟦br_cnpj|61.261.010/0001-75⟧
Valor: R$ 4.850,00
Dúvidas: ⟦email_address|financeiro@contabilnorte.example⟧
Att, Juliana"""),
    ("medical", """Olá, Sra. Fernanda! Confirmamos sua consulta com a Dra. Beatriz (Endocrinologia) dia 22/03 às 10h30 📅
Para liberar a guia pelo convênio precisamos confirmar:
Nº da carteirinha Unimed: ⟦health_insurance_id|086500451239872⟧
Data de nascimento: ⟦date_of_birth|14/09/1978⟧
CID do encaminhamento: ⟦icd10_code|E03.9⟧
Responda 1 para CONFIRMAR ou 2 para REMARCAR."""),
    ("chat", """Segue o boleto do condomínio de março 👇
Linha digitável: 34191.79001 01043.510047 91020.150008 4 96310000052340
Vencimento: 10/03/2024 — Valor: R$ 523,40
Depois do vencimento tem multa de 2%"""),
    ("support", """Cliente: a internet cai toda hora, o técnico pediu o MAC do roteador
Cliente: tá escrito na etiqueta: ⟦mac_address|A4:2B:B0:7C:19:E3⟧
Atendente: Obrigada! Protocolo 2024031845521. Vou reiniciar remotamente, aguarde 5 min."""),
    ("ocr", """Comprovante de Situação Cadastral no CPF
Nº do CPF: ⟦br_cpf|128.860.102-60⟧
Nome: RAFAEL SOUZA LIMA
Data de Nasci-
mento: ⟦date_of_birth|22/07/1990⟧
Situação Cadastral: REGULAR
Comprovante emitido às: 14:22:08 do dia 18/03/2024 (hora e data de Brasília).
Código de controle do comprovante: 4A1F.88C2.E31D.0B97"""),
    ("prompt", """por que esse código dá erro de conexão? já conferi a senha
```python
import psycopg2
conn = psycopg2.connect("⟦db_connection_string|postgresql://loja_admin:Mng2024!vendas@⟦ipv4_address|192.168.0.40⟧:5432⟧/loja")
cur = conn.cursor()
cur.execute("SELECT * FROM pedidos WHERE status = 'pago'")
```
erro: could not connect to server: Connection refused"""),
    # --- Mexico / Argentina / Colombia / Spain / US Spanish ------------------------------
    ("chat", """Buenas tardes lic., le paso los datos para la cita del SAT:
CURP: ⟦mx_curp|GORL920415MJCNZR09⟧
Correo: ⟦email_address|lupita.gonzalez92@correo.example.mx⟧
Gracias, quedo al pendiente 🙏"""),
    ("email", """Tu pedido de Mercado Libre ya va en camino 🚚
Número de guía Estafeta: 8055 7714 2093 6618 4402 37
Folio de compra: 2000007451128834
Total: $1,899.00 MXN (3 MSI)
Llega el jueves 21 de marzo"""),
    ("email", """Buen día, para el pago de la factura F-2291 favor de depositar a:
Banco: BBVA
CLABE interbancaria: ⟦bank_account_number|012180015348296178⟧
Beneficiario: Héctor Ramírez Díaz
Enviar comprobante a ⟦email_address|pagos.hramirez@correo.example.mx⟧
Saludos"""),
    ("support", """[Chat soporte – tienda en línea]
Agente Karla: ¿Me confirma los 16 dígitos de la tarjeta con la que realizó la compra?
Cliente: ⟦credit_card|5406 6388 5345 3252⟧
Agente Karla: Gracias. Por seguridad no comparta el CVV. Veo el cargo del 12/03 por $3,249.00 con folio 88172604.
Cliente: sí ese, me lo cobraron 2 veces 😤"""),
    ("support", """Agente: Hola Diego, veo tu pedido #MX-7734120. El pago se hizo con la tarjeta terminada en 4821 (Visa ****4821).
Agente: Tu número de caso es 04419873. El reembolso de $529.00 se verá reflejado en 5 a 10 días hábiles.
Cliente: ok gracias, ¿me llega correo?
Agente: Sí, en cuanto se procese 👍"""),
    ("classifieds", """Vendo bici de ruta Trek Émonda ALR 5, talla 54, modelo 2021
Grupo Shimano 105 R7000, 11v
Número de serie del cuadro: WTU215C4821K (registrada en Bike Index)
Precio: 14.500 MXN, acepto cambios
Entrega en metro Coyoacán"""),
    ("classifieds", """SE RENTA depto 2 rec, 1 baño, 68 m², piso 4, cajón de estacionamiento
Col. Narvarte, a 5 min del metro Etiopía
Renta $13,500 + mantenimiento $900
Depósito 1 mes, contrato 12 meses. Sin mascotas grandes 🐶❌"""),
    ("chat", """Che, te paso los datos para la transferencia del alquiler:
CBU: ⟦bank_account_number|0170040472386255118480⟧
Alias: LUNA.PERRO.MATE
Titular: Martina Sosa
Cualquier cosa mandame un wsp al ⟦phone_number|+54 9 11 2345-6789⟧ 🧉"""),
    ("email", """Hola! Gracias por tu compra 🙌
Venta #2000004893317625
Código de seguimiento Andreani: 360002418876230
Te llega entre el 19 y el 22 de marzo.
Total abonado: $ 45.300 en 6 cuotas sin interés"""),
    ("prompt", """Redactá un mail formal para reclamar a la empresa de internet: hace 3 semanas que no anda.
Número de cliente 0048812273, reclamo Nº 7731-2024-03, el técnico vino el 12/03 y no resolvió nada.
Pago $ 18.999 por mes por 300 megas. Que suene firme pero educado, y pedí un descuento proporcional."""),
    ("chat", """Parce, el arriendo mándamelo por Nequi al ⟦phone_number|311 482 7730⟧
y el recibo me lo mandas al correo ⟦email_address|camilo.restrepo@correo.example.co⟧
Gracias, bacano 🙌"""),
    ("email", """Su solicitud fue radicada con el número 2024-118-004719-2 ante la Secretaría de Movilidad.
Fecha de radicación: 15/03/2024
Valor a pagar: $ 287.500 COP
Referencia de pago PSE: 87221940"""),
    ("chat", """Hola! Soy la chica que vio el piso el sábado 🙋‍♀️ Te paso mis datos para el contrato:
Nombre: Giulia Bianchi
NIE: ⟦es_nie|Z3610632M⟧
Móvil: ⟦phone_number|+34 655 21 88 40⟧
Fianza y primer mes te los hago por Bizum hoy mismo"""),
    ("form", """SOLICITUD DE EMPADRONAMIENTO
DATOS DEL SOLICITANTE
Apellidos y nombre: GARCÍA LÓPEZ, Lucía        DNI/NIE: ⟦es_dni|82302677Y⟧
Fecha de naci-
miento: ⟦date_of_birth|03/09/1989⟧    Nacionalidad: ESPAÑOLA
Teléfono: ⟦phone_number|612 418 337⟧
OTRAS PERSONAS QUE SE EMPADRONAN EN EL DOMICI-
LIO:
ROSSI, Marco    NIE: ⟦es_nie|X1768022N⟧    Parentesco: pareja
Página 1 de 2                       Oficina de Padrón"""),
    ("chat", """Oye prima, para los taxes el contador me pide el seguro social de Javier y tu ITIN:
Javier: ⟦us_ssn|512-48-3376⟧
Tú: ⟦us_itin|927-81-4402⟧
Mándamelos por aquí y yo se los paso al señor Ortiz el lunes. Él ya tiene el resto de los papeles."""),
    ("medical", """Hola Sra. Medina, le recordamos su cita con el Dr. Patel el jueves 21/03 a las 9:00 AM.
Traiga su tarjeta del seguro. Member ID: ⟦health_insurance_id|W284719365⟧, Grupo 0071842.
Si necesita cambiar la cita llame al ⟦phone_number|+1 (786) 412-3390⟧."""),
    ("medical", """Recordatorio 🦷 Clínica Dental Sonrisas
Su cita es el martes 19/03 a las 17:15 con la Dra. Ruiz, consultorio 3.
Por favor llegue 10 min antes. Para cancelar responda CANCELAR.
Ref. cita: 2024-0319-0047"""),
    ("chat", """[Nota de voz transcrita – 0:37]
Hola mija, te paso el número de la tarjeta para lo de la aerolínea, es ⟦credit_card|48 93 14 42 04 96 68 89⟧, vence en el 09 del 28, y el código de atrás te lo digo por llamada mejor, ¿ok? Besos."""),
    ("chat", """wey ya abrí el server de Minecraft 🎮 la ip es ⟦ipv4_address|189.203.44.17⟧:25565, versión 1.20.4, sin mods. No pongan TNT en el spawn porfa"""),
    # --- Indonesia / Vietnam / Thailand / Philippines ------------------------------------
    ("chat", """Kak, barangnya udah aku kirim ya, resi nyusul 🙏
Buat refund ongkir transfer ke rekening BCA aku aja:
No. rek: ⟦bank_account_number|5271048396⟧ a.n. Dewi Lestari
WA aku ⟦phone_number|0812-3456-7890⟧ kalau udah ya kak"""),
    ("chat", """Paket kamu sedang dikirim! 🛵
No. Resi JNE: CGK1N04827716534
Kode booking tiket KAI: KX7P2QM
Total belanja: Rp 349.000
Estimasi tiba: 20 Mar 2024"""),
    ("chat", """Halo kak, ini data untuk pengajuan visa Jepang ya:
Nama: Rizky Pratama
Tanggal lahir: ⟦date_of_birth|27/02/1996⟧
No. paspor: ⟦passport_number|C4821937⟧
Masa berlaku: 14/06/2029
Email: ⟦email_address|rizky.pratama96@mail.example.id⟧
Berangkat tgl 10 Mei, pulang 17 Mei. Makasih kak 🙏"""),
    ("chat", """bang, token dari endpoint login kok langsung expired ya? ini contohnya:
Authorization: Bearer ⟦jwt|eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1XzU4MjEzIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzE5ODIyMDAwLCJleHAiOjE3MTk5MDg0MDB9.b0OrV5Evkb-38ApyS21fDF_FvP6M5VsgWx3xCln44oA⟧
jam server udah aku cek, sama WIB 😅"""),
    ("chat", """Token listrik PLN kamu:
5512 8830 1947 2265 0381
Nominal Rp 100.000 / 64,2 kWh
ID Pelanggan 532110482277
Simpan struk ini sebagai bukti pembayaran"""),
    ("chat", """Chị ơi em gửi tiền cọc phòng nha
STK của chị là ⟦bank_account_number|0451000382716⟧ Vietcombank đúng ko ạ?
Chị: đúng rồi em, chủ TK Nguyễn Thị Hoa
Chị: em ck xong nhắn chị qua sđt ⟦phone_number|0912 345 678⟧ nha"""),
    ("email", """Đơn hàng Shopee #240317KQ8M2N7 đã được giao cho đơn vị vận chuyển.
Mã vận đơn: SPXVN046218837415
Tổng thanh toán: ₫459.000
Dự kiến giao: 19/03 - 21/03"""),
    ("email", """THÔNG BÁO TIỀN ĐIỆN
Mã khách hàng: PE0400012345
Kỳ hóa đơn: 03/2024 (từ 15/02 đến 14/03)
Điện năng tiêu thụ: 312 kWh
Số tiền: 856.300đ, hạn thanh toán 25/03/2024"""),
    ("ocr", """VISA APPLICATION FORM                    Page 1 of 3
1. Surname (as in passport) : NGUYEN
2. Given name(s) : THI MAI
3. Date of birth (DD/MM/YYYY) : ⟦date_of_birth|08/11/1994⟧      4. Sex : F
5. Passport No. : ⟦passport_number|C3928174⟧     6. Date of issue : 11/06/2019
7. Telephone /Mobile : ⟦phone_number|+84 93 812 4477⟧
8. E-mail : ⟦email_address|mai.nguyen.94@mail.example.vn⟧
9. Purpose of vis it : TOURISM           10. Intended date of ar-
rival : 02/05/2024"""),
    ("prompt", """Viết giúp mình email xin nghỉ phép 3 ngày gửi chị trưởng phòng, giọng lịch sự. Thông tin: tên Trần Minh Khoa, mã NV 20817, nghỉ từ 25/03 đến 27/03 vì đám cưới em gái, số điện thoại liên lạc khi nghỉ ⟦phone_number|0961 472 385⟧."""),
    ("code", """anh ơi em deploy lên staging bị lỗi 500, file .env đây ạ:
DB_HOST=⟦ipv4_address|10.8.0.12⟧
DB_USER=shop_api
⟦password_in_config|DB_PASSWORD=Tx9#vLq2Wm8k⟧
REDIS_URL=redis://⟦ipv4_address|10.8.0.15⟧:6379/0
APP_ENV=staging"""),
    ("chat", """สวัสดีค่ะ สนใจคอนโดที่ลงประกาศไว้ค่ะ 🏢
ติดต่อกลับได้ที่เบอร์ ⟦phone_number|081 234 5678⟧ หรืออีเมล ⟦email_address|pim.s@mail.example.co.th⟧ นะคะ
สะดวกดูห้องวันเสาร์ช่วงบ่ายค่ะ"""),
    ("chat", """คำสั่งซื้อของคุณได้รับการจัดส่งแล้ว
หมายเลขพัสดุ Kerry Express: KERDO0182773641
หมายเลขคำสั่งซื้อ: 2403170918KJ
ยอดชำระ ฿1,290.00
ขอบคุณที่ใช้บริการค่ะ 🙏"""),
    ("email", """ยืนยันการจองห้องพัก
หมายเลขการจอง: 1428837615
เช็คอิน 12 เม.ย. 2567 / เช็คเอาท์ 15 เม.ย. 2567
ห้อง Deluxe King x1, 2 ผู้ใหญ่
ราคารวม THB 7,350 (รวมภาษี)"""),
    ("chat", """Ate, pa-send na lang sa GCash ko yung share sa Airbnb 🏠 ⟦phone_number|0917 123 4567⟧ (Maria C.)
₱2,350 each tayo. Thank youuu 😘"""),
    ("travel", """Itinerary – Booking ref: 6ZKQ4T
TG 628 BKK → KIX  Dep 23:55  Arr 07:20 (+1)
Seat 32A | Baggage 30 kg
E-ticket: 217-2418837620
Hotel conf. no. 77318204 (Namba Oriental)"""),
    # --- Arabic --------------------------------------------------------------------------
    ("chat", """السلام عليكم أخي، حوّل لي المبلغ على هذا الحساب:
IBAN: ⟦iban|AE69 0334 8447 3097 1002 011⟧
SWIFT: ⟦swift_bic|BOMLAEAD⟧
بنك المشرق، باسم أحمد خالد
وإذا في مشكلة اتصل على ⟦phone_number|+971 50 318 4427⟧"""),
    ("email", """تم تأكيد حجزك ✈️
رقم الحجز: QW7K9L
رحلة SV 1025 من الرياض إلى جدة
التاريخ: 18/03/2024 الساعة 14:20
رقم الطلب: 6624318
المبلغ: 845 ر.س"""),
    ("chat", """يا أستاذ محمد، دي بيانات الباسبور علشان حجز الفندق:
رقم جواز السفر: ⟦passport_number|A28461937⟧
تاريخ الميلاد: ⟦date_of_birth|05/03/1991⟧
والحجز من ١٢ لـ ١٥ أبريل، غرفة دبل"""),
    ("classifieds", """للبيع: سيارة تويوتا كامري ٢٠١٨، ممشى ٩٥ ألف كم، صيانة وكالة
السعر: ٤٨,٠٠٠ درهم قابل للتفاوض
للتواصل واتساب: ⟦phone_number|٠٥٥ ٧٢١ ٩٠٣٤⟧"""),
    ("prompt", """اكتب لي رسالة رسمية للبنك أطلب فيها تحويل راتبي إلى حسابي الجديد، وخليها قصيرة:
رقم الآيبان: ⟦iban|SA29 8083 1621 6477 8636 4418⟧
الاسم: فهد العتيبي
رقم الجوال: ⟦phone_number|+966 55 214 7789⟧"""),
    # --- Africa / Singapore / forms / OCR ------------------------------------------------
    ("chat", """Hi Mr Pillay, for the lease application here's my details:
Name: Thandi Mokoena
ID no: ⟦za_id|9203153331088⟧
Cell: ⟦phone_number|082 418 3307⟧
I'll email the 3 months payslips tonight. Deposit R8 500 can go in on the 25th 👍"""),
    ("classifieds", """FOR SALE: Samsung Galaxy S23 Ultra 256GB, Phantom Black, barely used 📱
Not blacklisted, you can check the IMEI yourself: ⟦imei|353911109661786⟧
Comes with box + charger. R14 000 neg. Collection in Randburg only, no time wasters pls"""),
    ("chat", """Eskom prepaid: your token is 4821 7730 1186 2295 0174
Units: 312.4 kWh  Amount: R800.00
Meter no. 04182273915
Receipt: 88231-4471"""),
    ("chat", """[Voice message transcript, 0:42]
Hello sir good afternoon, this is Chinedu from the estate, I'm calling about the borehole repair. Please call me back on ⟦phone_number|0803 123 4567⟧, or if I no pick you can text me. The total na forty-five thousand naira. Thank you sir."""),
    ("chat", """MTN recharge card ₦1,000 – PIN: 7734 1209 8852 6631
Serial: 10000214738891
Dial *311*PIN# to load. Valid till Dec 2025"""),
    ("chat", """SLK4H7Y2QW Confirmed. Ksh1,500.00 paid to NAIVAS SUPERMARKET. on 16/3/24 at 7:42 PM. New M-PESA balance is Ksh3,218.55. Transaction cost, Ksh0.00. Amount you can transact within the day is 498,500.00."""),
    ("form", """STUDENT REGISTRATION FORM – PRIMARY 1 (2025)
Child's Name: TAN XIN YI
Child's Birth Cert No./NRIC: ⟦sg_nric|T1824736J⟧
Date of Birth: ⟦date_of_birth|09/07/2018⟧
Parent/Guardian: LIM HUI MIN        NRIC: ⟦sg_nric|S9034571J⟧
Contact No.: ⟦phone_number|9123 4567⟧   Email: ⟦email_address|huimin.lim@mail.example.sg⟧"""),
    ("chat", """P4 Maths homework due Fri 22/3 📚
Pg 34-37, Qn 1-12 (skip Qn 9)
Class 4E2, register no. 18
Spelling test on 25/3 – list 7
Pls sign the consent form for the zoo trip ($12.50) by 20/3, thanks! – Mrs Wong"""),
    ("chat", """Boss, my work permit renew already, new card expiry 14/11/2026. FIN no change, still ⟦sg_nric|G5128830R⟧. Tomorrow I go MOM collect card. My HP still same ⟦phone_number|+65 8765 4321⟧ 👍"""),
    ("ocr", """REPUBLIC OF INDIA                भारत गणराज्य
Type/प्रकार P   Country Code/देश कोड IND   Passport No./पासपोर्ट नं. ⟦passport_number|T4821937⟧
Surname/उपनाम
SHARMA
Given Name(s)/दिया गया नाम
PRIYA
Sex/लिंग F   Date of Birth/जन्मतिथि ⟦date_of_birth|15/04/1993⟧
Place of Birth/जन्म स्थान JAIPUR, RAJASTHAN
Date of Expiry/समाप्ति की तिथि 22/08/2031
P<INDSHARMA<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<<<
⟦passport_mrz|T4821937<1IND9304158F3108228<<<<<<<<<<<<<<<6⟧"""),
    ("ocr", """INV0ICE N0. 2O24-0O317
Date : 15.O3.2024
Qty  Description            Unit     Amount
2    Ink cartridge XL-412    18.5O    37.OO
1    A4 paper 5OO sh         6.2O     6.2O
TOTAL                                 43.2O
Thank y0u f0r y0ur business"""),
    ("pdf", """Keywords: remittances; mobile money; finan-
cial inclusion
DOI: 10.1016/j.jdeveco.2023.103187
Received 14 March 2023; Accepted 2 November 2023
Available online 18 November 2023
0304-3878/© 2023 Elsevier B.V. All rights reserved.
1. Introduction
Between 2010 and 2022, remittance flows to low- and middle-in-
come countries grew from USD 340 billion to USD 647 billion (World Bank, 2023, p. 14)."""),
]

# ruff: noqa: RUF001 - natural text in Greek and Cyrillic looks like Latin to ruff
"""An evaluation corpus for encoding detection, written for this project (no downloaded text).

Each language has a paragraph and the legacy code pages its writers used. ``files`` encodes
every paragraph in each of them at two sizes (at most 200 bytes, and a few kilobytes of the
paragraph's sentences in shifting order) with LF and CRLF line ends, plus UTF-8 (with and
without a BOM), UTF-16/32, and binary files that must be refused.

``DEVELOPMENT`` was used while tuning the detector; ``HELD_OUT`` was written after the detector
was finished and never tuned on: report the two apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

WESTERN = ("cp1252", "iso8859-1", "iso8859-15", "cp850", "mac-roman", "cp437")
CENTRAL = ("cp1250", "iso8859-2", "cp852", "mac-latin2")
CYRILLIC = ("cp1251", "koi8-r", "iso8859-5", "cp866", "mac-cyrillic", "cp855")
BALTIC = ("cp1257", "iso8859-13", "iso8859-4", "cp775")

# language: (code pages, paragraph). Sentences end with ". " so they can be reshuffled.
DEVELOPMENT: dict[str, tuple[tuple[str, ...], str]] = {
    "he": (
        ("cp1255", "iso8859-8", "cp862"),
        "הבוקר יצאנו מוקדם מהבית כדי להספיק לרכבת לירושלים. בדרך עצרנו בבית קפה קטן ליד התחנה, "
        "ושתינו קפה חם עם עוגה. המוכרת סיפרה לנו שהיא עובדת שם כבר עשרים שנה ומכירה את כל "
        "הלקוחות בשמם. כשהגענו לעיר העתיקה התחיל לרדת גשם, אבל המשכנו ללכת בין הסמטאות. "
        "בערב חזרנו עייפים ומרוצים, והבטחנו לעצמנו לחזור בקרוב.",
    ),
    "ar": (
        ("cp1256", "iso8859-6", "cp720"),
        "في صباح يوم الجمعة ذهبت مع أخي إلى السوق القديم في وسط المدينة. كانت الشوارع مزدحمة "
        "بالناس الذين جاؤوا لشراء الخضار والفواكه الطازجة. اشترينا بعض التمر والخبز، ثم جلسنا "
        "في مقهى صغير نشرب الشاي ونتحدث عن أيام الدراسة. قال لي أخي إنه يريد أن يسافر إلى "
        "الخارج ليكمل تعليمه في الجامعة. عدنا إلى البيت قبل الظهر بقليل.",
    ),
    "fa": (
        ("cp1256",),  # written with the Arabic yeh, as cp1256 has no Farsi yeh
        "ديروز با دوستانم به کوه رفتيم و تا ظهر پياده‌روي کرديم. هوا کمي سرد بود ولي آفتاب "
        "مي‌تابيد و منظره بسيار زيبا بود. در راه برگشت در يک روستاي کوچک چاي و نان تازه "
        "خورديم. پيرمردي که صاحب آن مغازه بود از جواني خودش و از زندگي در آن روستا براي ما "
        "قصه گفت. شب که به خانه رسيديم همه خسته ولي خوشحال بوديم.",
    ),
    "el": (
        ("cp1253", "iso8859-7", "cp737", "cp869", "mac-greek"),
        "Το καλοκαίρι πήγαμε διακοπές σε ένα μικρό νησί των Κυκλάδων. Κάθε πρωί κολυμπούσαμε "
        "στη θάλασσα και το μεσημέρι τρώγαμε φρέσκο ψάρι σε μια ταβέρνα δίπλα στο λιμάνι. Ο "
        "ιδιοκτήτης μας μιλούσε για την ιστορία του νησιού και για τους ψαράδες που ζούσαν "
        "εκεί παλιά. Τα βράδια περπατούσαμε στα στενά δρομάκια του χωριού. Θέλουμε πολύ να "
        "ξαναπάμε του χρόνου.",
    ),
    "tr": (
        ("cp1254", "iso8859-9", "cp857", "mac-turkish"),
        "Geçen hafta sonu ailemle birlikte İstanbul'a gittik ve Boğaz'da uzun bir yürüyüş "
        "yaptık. Öğle yemeğinde balık ekmek yedik, ardından çay bahçesinde oturup martıları "
        "seyrettik. Babam gençliğinde bu şehirde öğrenci olduğunu ve her akşam vapurla karşıya "
        "geçtiğini anlattı. Akşam olunca ışıklar yandı ve şehir bambaşka bir güzelliğe büründü. "
        "Eve döndüğümüzde çok yorgunduk ama mutluyduk.",
    ),
    "vi": (
        ("cp1258",),
        "Sáng nay tôi dậy sớm để đi chợ cùng mẹ. Chợ rất đông người, ai cũng vội vàng mua rau "
        "và cá cho bữa trưa. Mẹ tôi chọn những quả cam ngon nhất và mặc cả với bà bán hàng rất "
        "lâu. Trên đường về, chúng tôi ghé vào một quán phở nhỏ ở đầu ngõ. Tôi nghĩ đó là bát "
        "phở ngon nhất mà tôi từng ăn.",
    ),
    "th": (
        ("tis-620", "cp874", "iso8859-11"),
        "เมื่อวานนี้ฉันไปเที่ยวตลาดน้ำกับครอบครัว. พวกเราตื่นแต่เช้าเพราะอยากไปถึงก่อนที่คนจะเยอะ. "
        "แม่ค้าพายเรือขายผลไม้และขนมไทยหลายอย่าง. ฉันซื้อมะม่วงกับข้าวเหนียวมากินด้วยกัน. "
        "ตอนบ่ายเรานั่งเรือชมคลองและถ่ายรูปบ้านเก่าริมน้ำ.",
    ),
    "ru": (
        CYRILLIC,
        "Вчера вечером мы с друзьями собрались на даче у Сергея. Погода была прекрасная, и мы "
        "долго сидели на веранде, пили чай с вареньем и разговаривали о жизни. Сергей рассказал, "
        "что весной собирается поехать на Байкал и уже купил билеты на поезд. Потом мы пошли "
        "гулять к реке и смотрели, как садится солнце. Домой вернулись только за полночь.",
    ),
    "uk": (
        ("cp1251", "koi8-u", "iso8859-5", "cp866", "mac-cyrillic"),
        "Минулої неділі ми їздили до бабусі в село. Вона зустріла нас біля воріт і одразу "
        "повела до хати, де на столі вже стояли вареники з вишнями. Після обіду ми допомагали "
        "їй збирати яблука в саду. Ввечері дідусь розповідав нам історії про своє дитинство і "
        "про те, як колись у селі була велика ярмарка. Ми поверталися додому щасливі.",
    ),
    "bg": (
        ("cp1251", "iso8859-5", "cp866", "mac-cyrillic", "koi8-r"),
        "През лятото прекарахме две седмици на морето край Созопол. Всяка сутрин ставахме рано "
        "и се разхождахме по плажа, докато още нямаше много хора. Обядвахме в малка механа, "
        "където готвеха много вкусна риба. Вечер се разхождахме из стария град и слушахме "
        "музиката на улицата. Това беше най-хубавата ни почивка от години.",
    ),
    "sr": (
        ("cp1251", "iso8859-5", "mac-cyrillic"),
        "Прошле године смо путовали возом из Београда до Новог Сада. Вожња је трајала нешто "
        "више од сат времена, а кроз прозор смо гледали поља и мала села. У граду смо шетали "
        "поред Дунава и посетили тврђаву. Једна љубазна жена нам је препоручила ресторан где "
        "смо јели одличну рибљу чорбу. Увече смо се вратили кући веома задовољни.",
    ),
    "kk": (
        ("kz1048", "ptcp154"),
        "Біз жазда ауылға барып, атамыз бен әжемізбен бірге бір ай тұрдық. Күн сайын таңертең "
        "сиыр сауып, қой жайып, бақшада жұмыс істедік. Кешке бәріміз дастархан басына жиналып, "
        "ұзақ әңгімелестік. Әжеміз бізге ескі ертегілер айтып берді. Қалаға қайтқымыз келмеді.",
    ),
    "pl": (
        CENTRAL,
        "W zeszłą sobotę pojechaliśmy z rodziną nad jezioro niedaleko Olsztyna. Pogoda była "
        "piękna, więc od rana pływaliśmy łódką i łowiliśmy ryby. Mój młodszy brat złapał dużego "
        "szczupaka i był z siebie bardzo dumny. Wieczorem rozpaliliśmy ognisko i piekliśmy "
        "kiełbaski, śpiewając stare piosenki. Wróciliśmy do domu zmęczeni, ale szczęśliwi.",
    ),
    "cs": (
        CENTRAL,
        "Minulý týden jsme se vydali na výlet do Krkonoš. Cesta vlakem z Prahy trvala skoro tři "
        "hodiny, ale krajina za oknem byla nádherná. V horách ještě ležel sníh, a tak jsme si "
        "půjčili běžky a projeli několik kilometrů po hřebenech. Večer jsme seděli v chatě u "
        "krbu a pili horký čaj s citronem. Určitě se tam příští rok vrátíme.",
    ),
    "hu": (
        ("cp1250", "iso8859-2", "cp852"),
        "Tavaly nyáron a családommal a Balatonnál töltöttünk egy hetet. Minden reggel "
        "fürödtünk a tóban, délután pedig biciklivel jártuk körbe a környező falvakat. Egyik "
        "este egy kis étteremben halászlét ettünk, ami nagyon ízletes volt. A nagymamám "
        "elmesélte, hogy fiatalkorában ő is gyakran nyaralt ott. Alig vártuk, hogy újra "
        "visszamehessünk.",
    ),
    "ro": (
        ("cp1250", "iso8859-2"),
        "În vacanţa de vară am plecat cu prietenii la munte, în Bucegi. Am urcat pe jos până la "
        "cabană şi am dormit acolo două nopţi. Dimineaţa priveam răsăritul de soare deasupra "
        "norilor, iar seara stăteam în jurul focului şi povesteam. Cabanierul ne-a gătit o "
        "mămăligă cu brânză şi smântână. A fost o excursie de neuitat.",
    ),
    "hr": (
        ("cp1250", "iso8859-2", "cp852"),
        "Prošlog ljeta proveli smo deset dana na otoku Hvaru. Svakog jutra kupali smo se u "
        "čistom moru, a popodne šetali uskim ulicama starog grada. Jedne večeri pozvao nas je "
        "domaćin na večeru u svoju konobu, gdje smo jeli ribu i pili domaće vino. Pričao nam je "
        "o životu na otoku zimi, kad nema turista. Već planiramo sljedeće putovanje.",
    ),
    "lv": (
        ("cp1257", "iso8859-13", "iso8859-4"),
        "Pagājušajā vasarā mēs ar ģimeni devāmies uz jūru netālu no Liepājas. Katru rītu mēs "
        "peldējāmies un pēc tam gājām pastaigā gar krastu. Vakarā mēs cepām zivis uz ugunskura "
        "un klausījāmies, kā vilņi šalc. Vecmāmiņa stāstīja par savu bērnību laukos un par to, "
        "kā viņa agrāk slauca govis. Mums ļoti patika šis ceļojums.",
    ),
    "lt": (
        BALTIC,
        "Praėjusį savaitgalį su draugais nuvažiavome į Trakus. Aplankėme pilį ežero saloje ir "
        "ilgai vaikščiojome pakrante. Pietums valgėme kibinų, kuriuos kepa vietiniai karaimai. "
        "Po pietų išsinuomojome valtį ir plaukiojome ežeru, kol pradėjo temti. Grįžome namo "
        "vėlai vakare, pavargę, bet labai patenkinti.",
    ),
    "et": (
        ("cp1257", "iso8859-13", "iso8859-4", "cp1252", "iso8859-15"),
        "Eelmisel suvel sõitsime perega Saaremaale. Elasime väikeses talus mere ääres ja iga "
        "päev käisime ujumas. Peremees näitas meile, kuidas püüda kala ja suitsutada seda vanas "
        "saunas. Õhtuti istusime terrassil ja vaatasime päikeseloojangut. See oli tõeliselt "
        "ilus ja rahulik nädal.",
    ),
    "ja": (
        ("shift_jis", "cp932", "euc_jp", "iso2022_jp"),
        "先週の日曜日、友達と一緒に京都へ行きました。朝早く新幹線に乗って、昼前に着きました。"
        "お寺や神社をたくさん見て、古い町並みを歩きました。お昼ご飯には湯豆腐を食べました。"
        "とても美味しかったです。夕方には少し雨が降りましたが、楽しい一日でした。",
    ),
    "zh-hans": (
        ("gb2312", "gbk", "gb18030", "hz"),
        "上个周末我和家人一起去了杭州。我们早上坐高铁出发，不到一个小时就到了。西湖的风景非常美丽，"
        "我们在湖边散步，还坐船游览了三潭印月。中午我们在一家老饭店吃了西湖醋鱼和龙井虾仁。"
        "下午又去了灵隐寺，晚上才回家。",
    ),
    "zh-hant": (
        ("big5", "cp950", "big5hkscs"),
        "上個星期天，我和朋友們一起去爬山。天氣很好，山上的空氣非常新鮮。我們一邊走一邊聊天，"
        "中午在山頂吃了自己帶的便當。下山的時候，我們在一家小店喝了熱茶，老闆還送給我們一些水果。"
        "那天雖然很累，但是大家都很開心。",
    ),
    "ko": (
        ("euc_kr", "cp949", "johab", "iso2022_kr"),
        "지난 주말에 가족과 함께 부산에 다녀왔습니다. "
        "기차를 타고 가면서 창밖의 풍경을 구경했습니다. "
        "해운대 바닷가를 산책하고 "
        "시장에서 맛있는 생선회를 먹었습니다. "
        "저녁에는 바다가 보이는 카페에서 차를 마시며 이야기를 나누었습니다. "
        "정말 즐거운 여행이었습니다.",
    ),
    "fr": (
        WESTERN,
        "Samedi dernier, nous sommes allés au marché du village avec ma grand-mère. Elle a "
        "acheté des légumes frais, du fromage de chèvre et une belle baguette encore chaude. "
        "Ensuite, nous avons pris un café à la terrasse, près de l'église, où le patron nous a "
        "raconté l'histoire du château. L'après-midi, nous avons préparé une tarte aux pommes. "
        "C'était une journée très agréable.",
    ),
    "de": (
        WESTERN,
        "Am letzten Wochenende sind wir mit dem Fahrrad an den See gefahren. Die Sonne schien, "
        "und auf dem Weg haben wir in einem kleinen Gasthof Kaffee getrunken und Kuchen "
        "gegessen. Mein Großvater erzählte, dass er früher jeden Sommer hier gezeltet hat. Am "
        "Abend waren wir müde, aber glücklich, und freuen uns schon auf die nächste Tour.",
    ),
    "es": (
        WESTERN,
        "El verano pasado viajamos en tren desde Madrid hasta Sevilla. Durante el camino "
        "vimos campos de olivos y pequeños pueblos blancos. En Sevilla paseamos por el barrio "
        "de Santa Cruz y comimos tapas en una plaza muy tranquila. Mi abuela nos contó que "
        "había vivido allí cuando era niña. Fue un viaje inolvidable para toda la familia.",
    ),
    "pt": (
        WESTERN,
        "No domingo passado fomos à praia com os nossos primos. Levámos sanduíches, fruta e "
        "água fresca, e passámos a manhã a nadar e a jogar à bola na areia. Ao almoço comemos "
        "sardinhas assadas num restaurante pequeno perto do porto. A minha tia contou histórias "
        "da sua juventude em Lisboa. Voltámos para casa ao pôr do sol, cansados mas felizes.",
    ),
    "sv": (
        WESTERN,
        "I somras hyrde vi en liten stuga vid en sjö i Dalarna. Varje morgon badade vi i det "
        "kalla vattnet och åt frukost på bryggan. På eftermiddagarna plockade vi blåbär i "
        "skogen och fiskade abborre från båten. Min morfar berättade om hur han växte upp på en "
        "gård i närheten. Det var en underbar sommar.",
    ),
    "it": (
        WESTERN,
        "L'estate scorsa siamo andati in vacanza in Sicilia con i nostri amici. Ogni mattina "
        "facevamo il bagno in un mare limpidissimo e poi mangiavamo una granita al limone. Una "
        "sera abbiamo cenato in una trattoria dove il proprietario ci ha raccontato la storia "
        "della città. È stata una settimana davvero indimenticabile, e vorremmo tornarci presto.",
    ),
}

# Written after the detector was finished; never used to tune it.
HELD_OUT: dict[str, tuple[tuple[str, ...], str]] = {
    "he": (
        ("cp1255", "iso8859-8"),
        "אחי הקטן התחיל השנה ללמוד בבית ספר חדש. בשבוע הראשון הוא פחד מאוד ולא רצה לקום בבוקר. "
        "המורה שלו התקשרה אלינו וסיפרה שהוא ילד חכם ושקט. עכשיו יש לו כבר שני חברים טובים, "
        "והוא מחכה לכל יום לימודים.",
    ),
    "ar": (
        ("cp1256", "iso8859-6"),
        "تعلمت جدتي الطبخ من أمها عندما كانت صغيرة. كل يوم جمعة تطبخ لنا الأرز مع اللحم "
        "والخضار. نجتمع كلنا حول المائدة ونستمع إلى قصصها عن القرية. أحب رائحة الخبز الذي "
        "تخبزه في الفرن القديم.",
    ),
    "el": (
        ("cp1253", "iso8859-7", "cp737"),
        "Η γιαγιά μου ζει σε ένα χωριό στην Κρήτη. Κάθε φθινόπωρο μαζεύουμε μαζί ελιές από τα "
        "δέντρα της. Το βράδυ μας μαγειρεύει φασολάδα και μας λέει ιστορίες από τον πόλεμο. "
        "Μου αρέσει πολύ να ακούω τη φωνή της.",
    ),
    "tr": (
        ("cp1254", "iso8859-9"),
        "Annem her sabah erkenden kalkıp bahçedeki çiçekleri sular. Kahvaltıda taze peynir, "
        "zeytin ve domates yeriz. Küçük kardeşim okula gitmeden önce kedimizle oynamayı çok "
        "sever. Hafta sonları hep birlikte pazara gideriz.",
    ),
    "vi": (
        ("cp1258",),
        "Ông tôi năm nay đã tám mươi tuổi nhưng vẫn còn rất khỏe. Mỗi buổi sáng ông đi bộ "
        "quanh hồ và tập thể dục với các bạn. Ông thích đọc báo và uống trà nóng. Cuối tuần, "
        "cả nhà thường về thăm ông.",
    ),
    "th": (
        ("tis-620", "cp874"),
        "น้องสาวของฉันชอบวาดรูปมาก. ทุกวันหลังเลิกเรียนเธอจะนั่งวาดดอกไม้และต้นไม้ในสวน. "
        "คุณครูบอกว่าเธอมีพรสวรรค์. ปีหน้าเธออยากไปเรียนศิลปะที่กรุงเทพ.",
    ),
    "ru": (
        ("cp1251", "koi8-r", "cp866"),
        "Моя сестра работает врачом в районной больнице. Каждое утро она встаёт в шесть часов "
        "и едет на работу на автобусе. Пациенты её очень любят и часто приносят ей цветы. "
        "Летом она мечтает поехать к морю.",
    ),
    "uk": (
        ("cp1251", "koi8-u"),
        "Мій друг Олег вирощує помідори та огірки на своєму городі. Цього літа врожай був "
        "дуже гарний, тож він пригощав усіх сусідів. Його дружина варить смачний борщ і "
        "пече пиріжки з капустою.",
    ),
    "mk": (
        ("cp1251", "iso8859-5"),
        "Минатата зима отидовме на скијање на Маврово. Снегот беше длабок и меко паѓаше "
        "секоја вечер. Во хотелот јадевме топла супа и пиевме чај со мед. Се вративме дома "
        "одморени и среќни.",
    ),
    "be": (
        ("cp1251",),
        "Мая бабуля жыве ў вёсцы каля лесу. Улетку мы збіраем там грыбы і ягады. Вечарам "
        "дзядуля расказвае нам старыя казкі пра ваўкоў і мядзведзяў.",
    ),
    "pl": (
        ("cp1250", "iso8859-2"),
        "Moja ciocia mieszka w małym domu pod Krakowem. Ma ogród pełen kwiatów i dwa koty, "
        "które śpią na słońcu przez cały dzień. Kiedy ją odwiedzamy, zawsze piecze sernik "
        "i opowiada o swojej młodości.",
    ),
    "sk": (
        ("cp1250", "iso8859-2"),
        "V nedeľu sme sa s deťmi prechádzali po Bratislave. Pozreli sme si hrad a potom sme "
        "sa najedli v reštaurácii pri Dunaji. Deti si dali zmrzlinu a my sme pili kávu. "
        "Večer sme išli domov vlakom.",
    ),
    "sl": (
        ("cp1250", "iso8859-2"),
        "Lani poleti smo se z družino odpravili na Bled. Čolnarili smo po jezeru do otoka in "
        "jedli kremšnite v slaščičarni. Zvečer smo se sprehodili okrog jezera, ko je sonce "
        "zahajalo za gorami.",
    ),
    "hu": (
        ("cp1250", "iso8859-2"),
        "A szomszédunk minden tavasszal paradicsomot és paprikát ültet a kertjében. Nyáron "
        "gyakran átjön hozzánk egy kosár zöldséggel. Cserébe anyám almás süteményt süt neki. "
        "Jó barátok lettünk az évek során.",
    ),
    "ro": (
        ("cp1250", "iso8859-2"),
        "Bunicul meu avea o livadă mare cu meri şi pruni. Toamna îl ajutam să culeagă "
        "fructele şi să facă gem. Seara ne povestea despre tinereţea lui la oraş. Mi-e dor "
        "de acele zile liniştite.",
    ),
    "lv": (
        ("cp1257", "iso8859-13"),
        "Mana māsa strādā par skolotāju Rīgā. Viņa māca bērniem matemātiku un fiziku. "
        "Vasarā viņa brauc pie vecākiem uz laukiem un palīdz dārzā. Rudenī viņa cep ābolu "
        "pīrāgus visai ģimenei.",
    ),
    "lt": (
        ("cp1257", "iso8859-13"),
        "Mano brolis gyvena Kaune ir dirba ligoninėje. Savaitgaliais jis mėgsta važinėti "
        "dviračiu palei Nemuną. Žiemą jis slidinėja ir čiuožia ant ledo su savo vaikais.",
    ),
    "ja": (
        ("shift_jis", "euc_jp", "iso2022_jp"),
        "私の姉は東京の小さな会社で働いています。毎朝電車に乗って会社に行きます。"
        "週末には料理を作るのが好きで、よくカレーやお寿司を作ってくれます。"
        "来年は家族で北海道に旅行する予定です。",
    ),
    "zh-hans": (
        ("gb2312", "gbk", "hz"),
        "我的奶奶住在农村，她家后面有一片竹林。每年春天，我们都去那里挖竹笋。"
        "奶奶做的竹笋炒肉特别好吃。晚上我们坐在院子里看星星，听奶奶讲故事。",
    ),
    "zh-hant": (
        ("big5", "cp950", "big5hkscs"),
        "我的爺爺以前是一位老師，他教了四十年的書。退休以後，他每天早上都去公園打太極拳。"
        "下午他喜歡在家裡看書寫字，有時候也會畫山水畫。",
    ),
    "ko": (
        ("euc_kr", "cp949", "johab"),
        "우리 할머니는 시골에서 작은 밭을 가꾸십니다. "
        "봄에는 상추와 고추를 심고 가을에는 배추를 수확하십니다. "
        "겨울이 되면 온 가족이 모여서 김장을 합니다.",
    ),
    "nl": (
        ("cp1252", "iso8859-1"),
        "Vorige week zijn we met de fiets naar het strand gereden. Het was een mooie, zonnige "
        "dag en het water was nog koud. Na het zwemmen aten we patat met mayonaise in een "
        "strandtent. Op de terugweg kregen we tegenwind.",
    ),
    "da": (
        ("cp1252", "iso8859-1", "cp850"),
        "Min søster bor i en lille lejlighed i København. Hun cykler hver dag på arbejde, "
        "også når det regner. Om søndagen går vi ofte en tur langs havnen og drikker kaffe "
        "på en café. Det er hyggeligt.",
    ),
    "fi": (
        ("cp1252", "iso8859-1"),
        "Kesällä menemme aina mökille järven rannalle. Saunomme joka ilta ja uimme kylmässä "
        "vedessä. Isä käy kalassa aamuisin, ja äiti paistaa lettuja. Metsässä kasvaa paljon "
        "mustikoita.",
    ),
    "fr": (
        ("cp1252", "iso8859-15", "mac-roman"),
        "Mon frère a ouvert une petite boulangerie dans notre quartier. Chaque matin, il se "
        "lève à quatre heures pour préparer le pain et les croissants. Les voisins font la "
        "queue devant sa boutique dès sept heures. Il est très fier de son travail.",
    ),
    "de": (
        ("cp1252", "iso8859-1", "cp850"),
        "Meine Nachbarin züchtet Bienen in ihrem Garten. Im Sommer schenkt sie uns oft ein "
        "Glas Honig. Sie erzählt gern, wie die Bienen im Winter überleben und warum sie für "
        "die Natur so wichtig sind.",
    ),
    "es": (
        ("cp1252", "iso8859-1"),
        "Mi tía tiene una pequeña tienda de flores en el centro de Valencia. Todos los días "
        "llegan clientes que buscan rosas o claveles para una ocasión especial. Ella conoce "
        "el nombre de cada flor y sabe cuánto tiempo dura.",
    ),
}


@dataclass(frozen=True)
class Case:
    """One file of the corpus: its name, bytes, and the text a right reading returns."""

    name: str
    data: bytes
    text: str | None  # None: binary, must be refused


def write(directory: Path, data: bytes, name: str = "file.txt") -> Path:
    """``data`` as the file ``name`` in ``directory``, made anew: a file already there is
    unlinked first. Truncated and written again instead, ext4 (its default ``auto_da_alloc``)
    writes the file back to disk as it is closed: measured ~3 ms of waiting and 3-5 times the
    CPU of a new file per rewrite, and a test rewrites one file hundreds of times (issue 21)."""
    path = directory / name
    path.unlink(missing_ok=True)
    path.write_bytes(data)
    return path


def _reshuffled(paragraph: str, size: int) -> str:
    """The paragraph's sentences in several orders, to about ``size`` characters."""
    separator = "。" if "。" in paragraph else ". "
    sentences = [s for s in paragraph.split(separator) if s]
    generator = random.Random(len(paragraph))  # noqa: S311 - a fixed shuffle, not a secret
    lines: list[str] = [paragraph]
    while sum(map(len, lines)) < size:
        generator.shuffle(sentences)
        lines.append(separator.join(sentences))
    return "\n".join(lines) + "\n"


def _short(paragraph: str, codec: str, limit: int = 200) -> str:
    """The longest run of whole words from the start that encodes to at most ``limit`` bytes."""
    words = paragraph.split(" ")
    text = ""
    for word in words:
        longer = f"{text} {word}" if text else word
        if len(longer.encode(codec)) > limit:
            break
        text = longer
    if not text:  # scripts without spaces (Japanese, Chinese, Thai): cut by characters
        for char in paragraph:
            if len((text + char).encode(codec)) > limit:
                break
            text += char
    return text + "\n"


def files(corpus: dict[str, tuple[tuple[str, ...], str]]) -> list[Case]:
    """Every paragraph in every code page (where it encodes), short and long, LF and CRLF."""
    cases: list[Case] = []
    for language, (codecs, paragraph) in corpus.items():
        for codec in codecs:
            try:
                paragraph.encode(codec)
            except UnicodeEncodeError:
                continue
            for size, text in (
                ("short", _short(paragraph, codec)),
                ("long", _reshuffled(paragraph, 3000)),
            ):
                for newline in ("\n", "\r\n"):
                    name = f"{language}-{codec}-{size}-{'crlf' if newline != chr(10) else 'lf'}"
                    data = text.replace("\n", newline).encode(codec)
                    cases.append(Case(name, data, text))
        long_text = _reshuffled(paragraph, 2000)
        for codec, prefix in (
            ("utf-8", b""),
            ("utf-8", b"\xef\xbb\xbf"),
            ("utf-16", b""),
            ("utf-32", b""),
        ):
            crlf = long_text.replace("\n", "\r\n")
            label = codec + ("-bom" if prefix else "")
            cases.append(Case(f"{language}-{label}-crlf", prefix + crlf.encode(codec), long_text))
        cases.append(
            Case(
                f"{language}-utf-8-short",
                _short(paragraph, "utf-8").encode(),
                _short(paragraph, "utf-8"),
            )
        )
    return cases


def binaries() -> list[Case]:
    """Files that are not text: random bytes, a PNG, a gzip stream, an ELF header, high bytes."""
    import gzip  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    generator = random.Random(7)  # noqa: S311 - fixed noise, not a secret
    noise = bytes(generator.randrange(256) for _ in range(4096))
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(noise[:2000])
    elf = b"\x7fELF\x02\x01\x01" + bytes(9) + noise[:1000]
    packed = gzip.compress(("plain text " * 300).encode())
    return [
        Case("binary-random", noise, None),
        Case("binary-png", png, None),
        Case("binary-gzip", packed, None),
        Case("binary-elf", elf, None),
        Case("binary-high-bytes", bytes(generator.randrange(128, 256) for _ in range(2048)), None),
    ]

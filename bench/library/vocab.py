"""Vocabulary of the generated library corpus, written for ctnode in the six UN languages.

No public-domain multilingual texts are available offline on these machines (nltk
ships without its data; the Project Gutenberg packages on PyPI download at run time),
so the corpus is generated from these phrases and sentence frames. For each topic of
the taxonomy: three general phrases and two subtopics of three phrases each.
"""

from __future__ import annotations

# language -> topic -> (general, subtopic a, subtopic b)
Phrases = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

PHRASES: dict[str, dict[str, Phrases]] = {
    "en": {
        "financing-of-terrorism": (
            (
                "terrorist financing",
                "financial intelligence units",
                "suspicious transaction reports",
            ),
            ("abuse of charities", "non-profit organisations", "donations collected for relief"),
            ("cash couriers", "hawala brokers", "informal money transfers"),
        ),
        "forensics": (
            ("digital forensics", "forensic laboratories", "evidence for prosecution"),
            ("chain of custody", "seized devices", "evidence bags and labels"),
            ("mobile phone extraction", "messaging application data", "recovery of deleted files"),
        ),
        "online-content": (
            ("terrorist content online", "online platforms", "propaganda material"),
            ("removal orders", "referrals to hosting services", "takedown of accounts"),
            ("hash sharing", "perceptual hashes of videos", "known terrorist videos"),
        ),
        "critical-infrastructure": (
            ("critical infrastructure", "infrastructure operators", "resilience planning"),
            ("power grid protection", "energy substations", "control systems of utilities"),
            ("airport security exercises", "railway stations", "crowded transport hubs"),
        ),
        "border-and-travel": (
            ("border management", "border guards", "travel routes"),
            ("passenger name records", "advance passenger information", "analysis of airline data"),
            ("forged passports", "document fraud", "stolen travel documents"),
        ),
        "biometrics": (
            ("biometric identification", "biometric databases", "identity verification"),
            ("fingerprint matching", "latent fingerprints", "fingerprint scanners"),
            ("face recognition", "automated border gates", "facial images"),
        ),
        "prevention-and-rehabilitation": (
            ("prevention programmes", "rehabilitation of offenders", "social reintegration"),
            (
                "prison disengagement programmes",
                "mentoring of inmates",
                "radicalisation risks in prison",
            ),
            ("returning families", "community support networks", "care for children of returnees"),
        ),
        "legal-frameworks": (
            ("legal frameworks", "counter-terrorism legislation", "human rights safeguards"),
            (
                "foreign terrorist fighters",
                "criminal offence of travel",
                "penalties under national law",
            ),
            (
                "mutual legal assistance",
                "extradition requests",
                "cross-border cooperation of prosecutors",
            ),
        ),
    },
    "fr": {
        "financing-of-terrorism": (
            (
                "financement du terrorisme",
                "cellules de renseignement financier",
                "déclarations de soupçon",
            ),
            (
                "utilisation abusive des associations caritatives",
                "organisations à but non lucratif",
                "dons collectés pour l'aide humanitaire",
            ),
            ("passeurs de fonds en espèces", "courtiers hawala", "transferts informels d'argent"),
        ),
        "forensics": (
            (
                "criminalistique numérique",
                "laboratoires de police scientifique",
                "preuves pour les poursuites",
            ),
            ("chaîne de possession des preuves", "appareils saisis", "scellés et étiquettes"),
            (
                "extraction des téléphones portables",
                "données des messageries",
                "récupération des fichiers supprimés",
            ),
        ),
        "online-content": (
            ("contenus terroristes en ligne", "plateformes en ligne", "matériel de propagande"),
            ("injonctions de retrait", "signalements aux hébergeurs", "suppression de comptes"),
            (
                "partage d'empreintes numériques",
                "empreintes perceptuelles des vidéos",
                "vidéos terroristes connues",
            ),
        ),
        "critical-infrastructure": (
            (
                "infrastructures critiques",
                "opérateurs d'infrastructures",
                "planification de la résilience",
            ),
            (
                "protection du réseau électrique",
                "postes électriques",
                "systèmes de contrôle des services publics",
            ),
            (
                "exercices de sûreté aéroportuaire",
                "gares ferroviaires",
                "pôles de transport fréquentés",
            ),
        ),
        "border-and-travel": (
            ("gestion des frontières", "garde-frontières", "itinéraires de voyage"),
            (
                "dossiers passagers",
                "informations préalables sur les passagers",
                "analyse des données des compagnies aériennes",
            ),
            ("passeports falsifiés", "fraude documentaire", "documents de voyage volés"),
        ),
        "biometrics": (
            (
                "identification biométrique",
                "bases de données biométriques",
                "vérification d'identité",
            ),
            (
                "comparaison des empreintes digitales",
                "empreintes digitales latentes",
                "lecteurs d'empreintes digitales",
            ),
            ("reconnaissance faciale", "sas automatiques aux frontières", "images faciales"),
        ),
        "prevention-and-rehabilitation": (
            ("programmes de prévention", "réhabilitation des délinquants", "réinsertion sociale"),
            (
                "programmes de désengagement en prison",
                "accompagnement des détenus",
                "risques de radicalisation en prison",
            ),
            (
                "familles de retour",
                "réseaux de soutien communautaire",
                "prise en charge des enfants de rapatriés",
            ),
        ),
        "legal-frameworks": (
            ("cadres juridiques", "législation antiterroriste", "garanties des droits de l'homme"),
            (
                "combattants terroristes étrangers",
                "infraction pénale de voyage",
                "peines prévues par le droit national",
            ),
            (
                "entraide judiciaire",
                "demandes d'extradition",
                "coopération transfrontalière des procureurs",
            ),
        ),
    },
    "es": {
        "financing-of-terrorism": (
            (
                "financiación del terrorismo",
                "unidades de inteligencia financiera",
                "informes de operaciones sospechosas",
            ),
            (
                "abuso de organizaciones benéficas",
                "organizaciones sin fines de lucro",
                "donaciones recaudadas para ayuda humanitaria",
            ),
            ("correos de efectivo", "intermediarios hawala", "transferencias informales de dinero"),
        ),
        "forensics": (
            ("informática forense", "laboratorios forenses", "pruebas para el enjuiciamiento"),
            ("cadena de custodia", "dispositivos incautados", "bolsas y etiquetas de pruebas"),
            (
                "extracción de teléfonos móviles",
                "datos de aplicaciones de mensajería",
                "recuperación de archivos borrados",
            ),
        ),
        "online-content": (
            ("contenido terrorista en línea", "plataformas en línea", "material de propaganda"),
            (
                "órdenes de retirada",
                "notificaciones a los servicios de alojamiento",
                "cierre de cuentas",
            ),
            (
                "intercambio de huellas hash",
                "hashes perceptuales de vídeos",
                "vídeos terroristas conocidos",
            ),
        ),
        "critical-infrastructure": (
            (
                "infraestructuras críticas",
                "operadores de infraestructuras",
                "planificación de la resiliencia",
            ),
            (
                "protección de la red eléctrica",
                "subestaciones de energía",
                "sistemas de control de servicios públicos",
            ),
            (
                "ejercicios de seguridad aeroportuaria",
                "estaciones de ferrocarril",
                "centros de transporte concurridos",
            ),
        ),
        "border-and-travel": (
            ("gestión de fronteras", "guardias de fronteras", "rutas de viaje"),
            (
                "registros de nombres de pasajeros",
                "información anticipada sobre pasajeros",
                "análisis de datos de aerolíneas",
            ),
            ("pasaportes falsificados", "fraude documental", "documentos de viaje robados"),
        ),
        "biometrics": (
            (
                "identificación biométrica",
                "bases de datos biométricos",
                "verificación de identidad",
            ),
            (
                "cotejo de huellas dactilares",
                "huellas dactilares latentes",
                "lectores de huellas dactilares",
            ),
            ("reconocimiento facial", "puertas automáticas de frontera", "imágenes faciales"),
        ),
        "prevention-and-rehabilitation": (
            ("programas de prevención", "rehabilitación de delincuentes", "reintegración social"),
            (
                "programas de desvinculación en prisión",
                "tutoría de reclusos",
                "riesgos de radicalización en prisión",
            ),
            (
                "familias retornadas",
                "redes de apoyo comunitario",
                "atención a los hijos de retornados",
            ),
        ),
        "legal-frameworks": (
            ("marcos jurídicos", "legislación antiterrorista", "salvaguardias de derechos humanos"),
            (
                "combatientes terroristas extranjeros",
                "delito de viajar",
                "penas previstas en la legislación nacional",
            ),
            (
                "asistencia judicial recíproca",
                "solicitudes de extradición",
                "cooperación transfronteriza entre fiscales",
            ),
        ),
    },
    "ru": {
        "financing-of-terrorism": (
            (
                "финансирование терроризма",
                "подразделения финансовой разведки",
                "сообщения о подозрительных операциях",
            ),
            (
                "злоупотребление благотворительными организациями",
                "некоммерческие организации",
                "пожертвования на гуманитарную помощь",
            ),
            ("курьеры наличных денег", "посредники хавала", "неформальные денежные переводы"),
        ),
        "forensics": (
            (
                "цифровая криминалистика",
                "криминалистические лаборатории",
                "доказательства для обвинения",
            ),
            ("цепочка хранения доказательств", "изъятые устройства", "упаковка и маркировка улик"),
            (
                "извлечение данных из мобильных телефонов",
                "данные мессенджеров",
                "восстановление удалённых файлов",
            ),
        ),
        "online-content": (
            (
                "террористический контент в интернете",
                "онлайн-платформы",
                "пропагандистские материалы",
            ),
            (
                "предписания об удалении",
                "уведомления хостинг-провайдерам",
                "блокировка учётных записей",
            ),
            (
                "обмен хешами",
                "перцептивные хеши видеозаписей",
                "известные террористические видеозаписи",
            ),
        ),
        "critical-infrastructure": (
            ("критическая инфраструктура", "операторы инфраструктуры", "планирование устойчивости"),
            (
                "защита электросетей",
                "энергетические подстанции",
                "системы управления коммунальных служб",
            ),
            (
                "учения по безопасности аэропортов",
                "железнодорожные вокзалы",
                "многолюдные транспортные узлы",
            ),
        ),
        "border-and-travel": (
            ("управление границами", "пограничники", "маршруты поездок"),
            (
                "записи данных о пассажирах",
                "предварительная информация о пассажирах",
                "анализ данных авиакомпаний",
            ),
            (
                "поддельные паспорта",
                "мошенничество с документами",
                "украденные проездные документы",
            ),
        ),
        "biometrics": (
            ("биометрическая идентификация", "биометрические базы данных", "проверка личности"),
            (
                "сравнение отпечатков пальцев",
                "латентные отпечатки пальцев",
                "сканеры отпечатков пальцев",
            ),
            ("распознавание лиц", "автоматические пограничные шлюзы", "изображения лиц"),
        ),
        "prevention-and-rehabilitation": (
            ("программы профилактики", "реабилитация правонарушителей", "социальная реинтеграция"),
            (
                "программы дерадикализации в тюрьмах",
                "наставничество для заключённых",
                "риски радикализации в тюрьмах",
            ),
            ("вернувшиеся семьи", "сети поддержки на уровне общин", "забота о детях вернувшихся"),
        ),
        "legal-frameworks": (
            ("правовая база", "антитеррористическое законодательство", "гарантии прав человека"),
            (
                "иностранные боевики-террористы",
                "уголовная ответственность за выезд",
                "наказания по национальному законодательству",
            ),
            (
                "взаимная правовая помощь",
                "запросы об экстрадиции",
                "трансграничное сотрудничество прокуроров",
            ),
        ),
    },
    "ar": {
        "financing-of-terrorism": (
            ("تمويل الإرهاب", "وحدات الاستخبارات المالية", "تقارير المعاملات المشبوهة"),
            ("إساءة استخدام الجمعيات الخيرية", "المنظمات غير الربحية", "التبرعات المجمعة للإغاثة"),
            ("ناقلو الأموال النقدية", "وسطاء الحوالة", "التحويلات المالية غير الرسمية"),
        ),
        "forensics": (
            (
                "الأدلة الجنائية الرقمية",
                "مختبرات الأدلة الجنائية",
                "الأدلة اللازمة للملاحقة القضائية",
            ),
            ("سلسلة حفظ الأدلة", "الأجهزة المضبوطة", "أكياس الأدلة وملصقاتها"),
            (
                "استخراج بيانات الهواتف المحمولة",
                "بيانات تطبيقات المراسلة",
                "استعادة الملفات المحذوفة",
            ),
        ),
        "online-content": (
            ("المحتوى الإرهابي على الإنترنت", "المنصات الإلكترونية", "المواد الدعائية"),
            ("أوامر الإزالة", "الإحالات إلى مزودي الاستضافة", "إغلاق الحسابات"),
            (
                "تبادل البصمات الرقمية",
                "البصمات الإدراكية لمقاطع الفيديو",
                "مقاطع الفيديو الإرهابية المعروفة",
            ),
        ),
        "critical-infrastructure": (
            ("البنية التحتية الحيوية", "مشغلو البنية التحتية", "التخطيط للقدرة على الصمود"),
            ("حماية الشبكة الكهربائية", "محطات الطاقة الفرعية", "أنظمة التحكم في المرافق العامة"),
            ("تمارين أمن المطارات", "محطات السكك الحديدية", "مراكز النقل المزدحمة"),
        ),
        "border-and-travel": (
            ("إدارة الحدود", "حرس الحدود", "مسارات السفر"),
            ("سجلات أسماء الركاب", "المعلومات المسبقة عن الركاب", "تحليل بيانات شركات الطيران"),
            ("جوازات السفر المزورة", "تزوير الوثائق", "وثائق السفر المسروقة"),
        ),
        "biometrics": (
            ("تحديد الهوية بالقياسات الحيوية", "قواعد البيانات البيومترية", "التحقق من الهوية"),
            ("مطابقة بصمات الأصابع", "بصمات الأصابع الكامنة", "أجهزة مسح بصمات الأصابع"),
            ("التعرف على الوجه", "البوابات الحدودية الآلية", "صور الوجه"),
        ),
        "prevention-and-rehabilitation": (
            ("برامج الوقاية", "إعادة تأهيل الجناة", "إعادة الإدماج الاجتماعي"),
            ("برامج فك الارتباط في السجون", "توجيه النزلاء", "مخاطر التطرف في السجون"),
            ("الأسر العائدة", "شبكات الدعم المجتمعي", "رعاية أطفال العائدين"),
        ),
        "legal-frameworks": (
            ("الأطر القانونية", "تشريعات مكافحة الإرهاب", "ضمانات حقوق الإنسان"),
            ("المقاتلون الإرهابيون الأجانب", "تجريم السفر", "العقوبات بموجب القانون الوطني"),
            (
                "المساعدة القانونية المتبادلة",
                "طلبات التسليم",
                "التعاون بين المدعين العامين عبر الحدود",
            ),
        ),
    },
    "zh": {
        "financing-of-terrorism": (
            ("恐怖主义融资", "金融情报机构", "可疑交易报告"),
            ("滥用慈善组织", "非营利组织", "为救济募集的捐款"),
            ("现金携带者", "哈瓦拉中间人", "非正式汇款"),
        ),
        "forensics": (
            ("数字取证", "法证实验室", "起诉所需证据"),
            ("证据保管链", "扣押的设备", "证据袋和标签"),
            ("手机数据提取", "即时通讯应用数据", "恢复已删除文件"),
        ),
        "online-content": (
            ("网上恐怖主义内容", "网络平台", "宣传材料"),
            ("删除令", "向托管服务提供商转介", "关闭账户"),
            ("哈希值共享", "视频感知哈希", "已知恐怖主义视频"),
        ),
        "critical-infrastructure": (
            ("关键基础设施", "基础设施运营者", "韧性规划"),
            ("电网保护", "变电站", "公用事业控制系统"),
            ("机场安保演习", "火车站", "人流密集的交通枢纽"),
        ),
        "border-and-travel": (
            ("边境管理", "边防人员", "旅行路线"),
            ("旅客订座记录", "预报旅客信息", "航空公司数据分析"),
            ("伪造护照", "证件欺诈", "被盗旅行证件"),
        ),
        "biometrics": (
            ("生物特征识别", "生物特征数据库", "身份核验"),
            ("指纹比对", "潜在指纹", "指纹扫描仪"),
            ("人脸识别", "自助通关闸口", "面部图像"),
        ),
        "prevention-and-rehabilitation": (
            ("预防方案", "罪犯改造", "重返社会"),
            ("监狱脱离方案", "服刑人员辅导", "监狱激进化风险"),
            ("回返家庭", "社区支持网络", "回返者子女照料"),
        ),
        "legal-frameworks": (
            ("法律框架", "反恐立法", "人权保障"),
            ("外国恐怖主义战斗人员", "出行犯罪化", "国内法规定的刑罚"),
            ("司法协助", "引渡请求", "检察官跨境合作"),
        ),
    },
}

# Sentence frames: a phrase goes where {p} is.
FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "This guide explains {p}.",
        "Practitioners describe their experience with {p}.",
        "The annex lists lessons learned on {p}.",
        "Several member states reported progress on {p}.",
        "Training for officers covers {p} in detail.",
        "A checklist on {p} is attached.",
    ),
    "fr": (
        "Ce guide porte sur : {p}.",
        "Les praticiens partagent leur expérience : {p}.",
        "L'annexe présente les enseignements tirés ({p}).",
        "Plusieurs États membres ont signalé des progrès : {p}.",
        "La formation des agents couvre en détail : {p}.",
        "Une liste de contrôle est jointe : {p}.",
    ),
    "es": (
        "Esta guía trata sobre: {p}.",
        "Los profesionales comparten su experiencia: {p}.",
        "El anexo recoge las lecciones aprendidas ({p}).",
        "Varios Estados miembros informaron de avances: {p}.",
        "La formación de los agentes cubre en detalle: {p}.",
        "Se adjunta una lista de verificación: {p}.",
    ),
    "ru": (
        "Это руководство посвящено теме: {p}.",
        "Специалисты делятся опытом: {p}.",
        "В приложении изложены извлечённые уроки ({p}).",
        "Несколько государств-членов сообщили о прогрессе: {p}.",
        "Подготовка сотрудников подробно охватывает тему: {p}.",
        "Прилагается контрольный список: {p}.",
    ),
    "ar": (
        "يتناول هذا الدليل موضوع {p}.",
        "يعرض الممارسون تجربتهم في مجال {p}.",
        "يتضمن المرفق الدروس المستفادة بشأن {p}.",
        "أفادت عدة دول أعضاء بإحراز تقدم في {p}.",
        "يغطي تدريب الموظفين بالتفصيل {p}.",
        "مرفق قائمة مرجعية بشأن {p}.",
    ),
    "zh": (
        "本指南介绍{p}。",
        "从业人员分享了关于{p}的经验。",
        "附件列出了{p}方面的经验教训。",
        "若干会员国报告了{p}方面的进展。",
        "人员培训详细涵盖{p}。",
        "随附关于{p}的核对清单。",
    ),
}

# Sentences about nothing in particular: meetings, annexes, translations.
FILLER: dict[str, tuple[str, ...]] = {
    "en": (
        "The meeting of national coordinators took place in the spring.",
        "Participants agreed to review the document next year.",
        "Contact points are listed at the end of this note.",
        "The text was translated by the secretariat.",
        "Comments from partner agencies were included.",
        "This version replaces the earlier draft.",
        "Statistics are given for the last three years.",
        "Questions may be sent to the network office.",
    ),
    "fr": (
        "La réunion des coordinateurs nationaux a eu lieu au printemps.",
        "Les participants ont convenu de réexaminer le document l'année prochaine.",
        "Les points de contact figurent à la fin de cette note.",
        "Le texte a été traduit par le secrétariat.",
        "Les commentaires des agences partenaires ont été intégrés.",
        "Cette version remplace le projet précédent.",
        "Des statistiques sont fournies pour les trois dernières années.",
        "Les questions peuvent être adressées au bureau du réseau.",
    ),
    "es": (
        "La reunión de coordinadores nacionales tuvo lugar en primavera.",
        "Los participantes acordaron revisar el documento el próximo año.",
        "Los puntos de contacto figuran al final de esta nota.",
        "El texto fue traducido por la secretaría.",
        "Se incluyeron los comentarios de los organismos asociados.",
        "Esta versión sustituye al borrador anterior.",
        "Se presentan estadísticas de los últimos tres años.",
        "Las preguntas pueden enviarse a la oficina de la red.",
    ),
    "ru": (
        "Совещание национальных координаторов состоялось весной.",
        "Участники договорились пересмотреть документ в следующем году.",
        "Контактные лица указаны в конце этой записки.",
        "Текст переведён секретариатом.",
        "Учтены замечания партнёрских ведомств.",
        "Эта версия заменяет предыдущий проект.",
        "Приведена статистика за последние три года.",
        "Вопросы можно направлять в офис сети.",
    ),
    "ar": (
        "عقد اجتماع المنسقين الوطنيين في فصل الربيع.",
        "اتفق المشاركون على مراجعة الوثيقة في العام المقبل.",
        "ترد جهات الاتصال في نهاية هذه المذكرة.",
        "قامت الأمانة بترجمة النص.",
        "أدرجت تعليقات الوكالات الشريكة.",
        "تحل هذه النسخة محل المشروع السابق.",
        "ترد إحصاءات السنوات الثلاث الأخيرة.",
        "يمكن توجيه الأسئلة إلى مكتب الشبكة.",
    ),
    "zh": (
        "国家协调员会议于春季举行。",
        "与会者同意明年审查本文件。",
        "联络人名单见本说明末尾。",
        "本文由秘书处翻译。",
        "已纳入伙伴机构的意见。",
        "本版本取代先前的草案。",
        "提供了过去三年的统计数据。",
        "问题可发送至网络办公室。",
    ),
}

TITLES: dict[str, tuple[str, ...]] = {
    "en": ("Good practices: {p}", "Guide on {p}", "Lessons learned: {p}"),
    "fr": ("Bonnes pratiques : {p}", "Guide : {p}", "Enseignements tirés : {p}"),
    "es": ("Buenas prácticas: {p}", "Guía: {p}", "Lecciones aprendidas: {p}"),
    "ru": ("Передовой опыт: {p}", "Руководство: {p}", "Извлечённые уроки: {p}"),
    "ar": ("الممارسات الجيدة: {p}", "دليل: {p}", "الدروس المستفادة: {p}"),
    "zh": ("良好做法：{p}", "指南：{p}", "经验教训：{p}"),
}

#include "core/template.h"

#include <string.h>

/*
 * Labels are in the order ar, zh, en, fr, ru, es. Technical tokens (IPv4, MD5, CVE, TLP:AMBER)
 * stay untranslated in every language. A label's wording may change without a new
 * TEMPLATE_VERSION; a code may not.
 */

#define NCODES(a) (sizeof(a) / sizeof((a)[0]))

static const struct tcode type_codes[] = {
    {"notification",
     {"إخطار بحادث", "事件通报", "Incident notification", "Notification d'incident",
      "Уведомление об инциденте", "Notificación de incidente"}},
    {"request_information",
     {"طلب معلومات", "信息请求", "Request for information", "Demande d'informations",
      "Запрос информации", "Solicitud de información"}},
    {"request_assistance",
     {"طلب مساعدة", "协助请求", "Request for assistance", "Demande d'assistance", "Запрос о помощи",
      "Solicitud de asistencia"}},
    {"request_clarification",
     {"طلب توضيح أو تشاور", "澄清或磋商请求", "Request for clarification or consultation",
      "Demande d'éclaircissements ou de consultations", "Запрос разъяснений или консультаций",
      "Solicitud de aclaración o consulta"}},
    {"request_capacity_building",
     {"طلب بناء القدرات", "能力建设请求", "Request for capacity-building",
      "Demande de renforcement des capacités", "Запрос о наращивании потенциала",
      "Solicitud de creación de capacidad"}},
};

/* The labels qualify the communication: "رسالة" is feminine, "сообщение" neuter, and
 * "communication" feminine in French and Spanish. */
static const struct tcode urgency_codes[] = {
    {"routine", {"عادية", "常规", "Routine", "Ordinaire", "Обычное", "Ordinaria"}},
    {"priority", {"ذات أولوية", "优先", "Priority", "Prioritaire", "Приоритетное", "Prioritaria"}},
    {"urgent", {"عاجلة", "紧急", "Urgent", "Urgente", "Срочное", "Urgente"}},
};

/* TLP 2.0 (FIRST): the TLP:XXX token itself is never translated. */
static const struct tcode tlp_codes[] = {
    {"CLEAR",
     {"TLP:CLEAR — الإفصاح غير مقيد", "TLP:CLEAR — 披露不受限制",
      "TLP:CLEAR — disclosure is not limited", "TLP:CLEAR — diffusion non limitée",
      "TLP:CLEAR — распространение не ограничено", "TLP:CLEAR — divulgación sin restricciones"}},
    {"GREEN",
     {"TLP:GREEN — إفصاح محدود في نطاق المجتمع المعني", "TLP:GREEN — 有限披露，仅限社区内部",
      "TLP:GREEN — limited disclosure, within the community",
      "TLP:GREEN — diffusion limitée à la communauté",
      "TLP:GREEN — ограниченное распространение в пределах сообщества",
      "TLP:GREEN — divulgación limitada a la comunidad"}},
    {"AMBER",
     {"TLP:AMBER — إفصاح محدود داخل الجهة المتلقية وعملائها على أساس الحاجة إلى المعرفة",
      "TLP:AMBER — 有限披露，仅限接收机构及其客户按需知悉",
      "TLP:AMBER — limited disclosure, within the recipient organization and its clients, "
      "on a need-to-know basis",
      "TLP:AMBER — diffusion limitée à l'organisation destinataire et à ses clients, selon le "
      "besoin d'en connaître",
      "TLP:AMBER — ограниченное распространение внутри организации-получателя и среди ее "
      "клиентов, при служебной необходимости",
      "TLP:AMBER — divulgación limitada a la organización destinataria y sus clientes, según "
      "la necesidad de conocer"}},
    {"AMBER+STRICT",
     {"TLP:AMBER+STRICT — إفصاح محدود داخل الجهة المتلقية فقط على أساس الحاجة إلى المعرفة",
      "TLP:AMBER+STRICT — 有限披露，仅限接收机构内部按需知悉",
      "TLP:AMBER+STRICT — limited disclosure, within the recipient organization only, on a "
      "need-to-know basis",
      "TLP:AMBER+STRICT — diffusion limitée à la seule organisation destinataire, selon le "
      "besoin d'en connaître",
      "TLP:AMBER+STRICT — ограниченное распространение только внутри "
      "организации-получателя, при служебной необходимости",
      "TLP:AMBER+STRICT — divulgación limitada a la organización destinataria únicamente, "
      "según la necesidad de conocer"}},
    {"RED",
     {"TLP:RED — للمتلقين المحددين فقط، دون أي إفصاح إضافي",
      "TLP:RED — 仅限指定接收者，不得进一步披露",
      "TLP:RED — for the named recipients only, no further disclosure",
      "TLP:RED — réservé aux seuls destinataires désignés, aucune diffusion ultérieure",
      "TLP:RED — только для указанных получателей, без дальнейшего распространения",
      "TLP:RED — solo para los destinatarios designados, sin divulgación ulterior"}},
};

static const struct tcode sector_codes[] = {
    {"energy", {"الطاقة", "能源", "Energy", "Énergie", "Энергетика", "Energía"}},
    {"water", {"المياه", "水务", "Water", "Eau", "Водоснабжение", "Agua"}},
    {"health", {"الصحة", "医疗卫生", "Health", "Santé", "Здравоохранение", "Salud"}},
    {"finance",
     {"الخدمات المالية", "金融", "Finance", "Secteur financier", "Финансовый сектор", "Finanzas"}},
    {"transport", {"النقل", "交通运输", "Transport", "Transports", "Транспорт", "Transporte"}},
    {"telecommunications",
     {"الاتصالات", "电信", "Telecommunications", "Télécommunications", "Телекоммуникации",
      "Telecomunicaciones"}},
    {"digital_infrastructure",
     {"البنية التحتية الرقمية", "数字基础设施", "Digital infrastructure",
      "Infrastructures numériques", "Цифровая инфраструктура", "Infraestructura digital"}},
    {"government",
     {"القطاع الحكومي", "政府部门", "Government", "Administration publique",
      "Государственное управление", "Administración pública"}},
    {"emergency_services",
     {"خدمات الطوارئ", "应急服务", "Emergency services", "Services d'urgence", "Экстренные службы",
      "Servicios de emergencia"}},
    {"food_agriculture",
     {"الأغذية والزراعة", "粮食和农业", "Food and agriculture", "Alimentation et agriculture",
      "Продовольствие и сельское хозяйство", "Alimentación y agricultura"}},
    {"chemical",
     {"الصناعة الكيميائية", "化工", "Chemical industry", "Industrie chimique",
      "Химическая промышленность", "Industria química"}},
    {"manufacturing",
     {"الصناعة التحويلية", "制造业", "Manufacturing", "Industrie manufacturière",
      "Обрабатывающая промышленность", "Industria manufacturera"}},
    {"space", {"الفضاء", "航天", "Space", "Espace", "Космическая отрасль", "Espacio"}},
    {"education", {"التعليم", "教育", "Education", "Éducation", "Образование", "Educación"}},
    {"other", {"أخرى", "其他", "Other", "Autre", "Другое", "Otro"}},
};

static const struct tcode incident_status_codes[] = {
    {"ongoing", {"مستمر", "持续中", "Ongoing", "En cours", "Продолжается", "En curso"}},
    {"contained", {"تم احتواؤه", "已遏制", "Contained", "Endigué", "Локализован", "Contenido"}},
    {"resolved", {"تمت معالجته", "已解决", "Resolved", "Résolu", "Устранен", "Resuelto"}},
};

/* The labels qualify "الأثر" (masculine), "степень" (feminine) and "impacto" (masculine). */
static const struct tcode impact_codes[] = {
    {"low", {"منخفض", "低", "Low", "Faible", "Низкая", "Bajo"}},
    {"medium", {"متوسط", "中", "Medium", "Moyen", "Средняя", "Medio"}},
    {"high", {"مرتفع", "高", "High", "Élevé", "Высокая", "Alto"}},
    {"critical", {"حرج", "严重", "Critical", "Critique", "Критическая", "Crítico"}},
};

static const struct tcode indicator_type_codes[] = {
    {"ipv4",
     {"عنوان IPv4", "IPv4 地址", "IPv4 address", "Adresse IPv4", "IPv4-адрес", "Dirección IPv4"}},
    {"ipv6",
     {"عنوان IPv6", "IPv6 地址", "IPv6 address", "Adresse IPv6", "IPv6-адрес", "Dirección IPv6"}},
    {"cidr",
     {"كتلة عناوين (CIDR)", "IP 地址段（CIDR）", "Address block (CIDR)", "Bloc d'adresses (CIDR)",
      "Блок адресов (CIDR)", "Bloque de direcciones (CIDR)"}},
    {"domain",
     {"اسم نطاق", "域名", "Domain name", "Nom de domaine", "Доменное имя", "Nombre de dominio"}},
    {"url", {"عنوان URL", "网址（URL）", "URL", "Adresse URL", "URL-адрес", "Dirección URL"}},
    {"email",
     {"عنوان بريد إلكتروني", "电子邮件地址", "Email address", "Adresse électronique",
      "Адрес электронной почты", "Dirección de correo electrónico"}},
    {"md5", {"قيمة تجزئة MD5", "MD5 哈希值", "MD5 hash", "Empreinte MD5", "Хеш MD5", "Hash MD5"}},
    {"sha1",
     {"قيمة تجزئة SHA-1", "SHA-1 哈希值", "SHA-1 hash", "Empreinte SHA-1", "Хеш SHA-1",
      "Hash SHA-1"}},
    {"sha256",
     {"قيمة تجزئة SHA-256", "SHA-256 哈希值", "SHA-256 hash", "Empreinte SHA-256", "Хеш SHA-256",
      "Hash SHA-256"}},
    {"asn",
     {"رقم نظام مستقل (ASN)", "自治系统号（ASN）", "Autonomous system number (ASN)",
      "Numéro de système autonome (ASN)", "Номер автономной системы (ASN)",
      "Número de sistema autónomo (ASN)"}},
    {"cve",
     {"معرّف ثغرة (CVE)", "漏洞编号（CVE）", "Vulnerability identifier (CVE)",
      "Identifiant de vulnérabilité (CVE)", "Идентификатор уязвимости (CVE)",
      "Identificador de vulnerabilidad (CVE)"}},
};

static const struct tcode requested_action_codes[] = {
    {"investigate",
     {"التحقيق", "开展调查", "Investigate", "Mener une enquête", "Провести расследование",
      "Investigar"}},
    {"mitigate",
     {"التخفيف من الآثار", "采取缓解措施", "Mitigate", "Prendre des mesures d'atténuation",
      "Принять меры по смягчению последствий", "Adoptar medidas de mitigación"}},
    {"preserve_evidence",
     {"الحفاظ على الأدلة", "保全证据", "Preserve evidence", "Préserver les éléments de preuve",
      "Сохранить доказательства", "Preservar las pruebas"}},
    {"share_information",
     {"تبادل المعلومات", "共享信息", "Share information", "Partager des informations",
      "Обменяться информацией", "Compartir información"}},
    {"consult",
     {"التشاور", "进行磋商", "Consult", "Engager des consultations", "Провести консультации",
      "Celebrar consultas"}},
    {"acknowledge_only",
     {"الإقرار بالاستلام فقط", "仅确认收到", "Acknowledge receipt only",
      "Accuser réception uniquement", "Только подтвердить получение", "Solo acusar recibo"}},
};

const struct tset template_sets[] = {
    {"type",
     {"نوع المراسلة", "通信类型", "Type of communication", "Type de communication", "Тип сообщения",
      "Tipo de comunicación"},
     NCODES(type_codes),
     type_codes},
    {"urgency",
     {"درجة الاستعجال", "紧急程度", "Urgency", "Degré d'urgence", "Срочность", "Urgencia"},
     NCODES(urgency_codes),
     urgency_codes},
    {"tlp",
     {"بروتوكول إشارات المرور (TLP)", "交通灯协议（TLP）", "Traffic Light Protocol (TLP)",
      "Protocole TLP (Traffic Light Protocol)", "Протокол светофора (TLP)",
      "Protocolo de semáforo (TLP)"},
     NCODES(tlp_codes),
     tlp_codes},
    {"sector",
     {"القطاعات المتضررة", "受影响部门", "Sectors affected", "Secteurs touchés",
      "Затронутые секторы", "Sectores afectados"},
     NCODES(sector_codes),
     sector_codes},
    {"incident_status",
     {"حالة الحادث", "事件状态", "Incident status", "État de l'incident", "Статус инцидента",
      "Estado del incidente"},
     NCODES(incident_status_codes),
     incident_status_codes},
    {"impact",
     {"الأثر", "影响程度", "Impact", "Impact", "Степень воздействия", "Impacto"},
     NCODES(impact_codes),
     impact_codes},
    {"indicator_type",
     {"نوع المؤشر", "指标类型", "Indicator type", "Type d'indicateur", "Тип индикатора",
      "Tipo de indicador"},
     NCODES(indicator_type_codes),
     indicator_type_codes},
    {"requested_action",
     {"الإجراء المطلوب", "请求采取的行动", "Requested action", "Action demandée",
      "Запрашиваемое действие", "Acción solicitada"},
     NCODES(requested_action_codes),
     requested_action_codes},
};

const size_t template_nsets = NCODES(template_sets);

const struct tset *
template_set(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < template_nsets; i++)
		if (strcmp(template_sets[i].name, name) == 0)
			return &template_sets[i];
	return NULL;
}

int
template_code(const struct tset *set, const char *code)
{
	size_t i;

	if (set == NULL || code == NULL)
		return -1;
	for (i = 0; i < set->n; i++)
		if (strcmp(set->codes[i].code, code) == 0)
			return (int)i;
	return -1;
}

/*
 * What each notification says. A mail without OpenPGP carries no content of an exchange:
 * only that something happened, its urgency and deadline, a reference and links. A line
 * whose placeholder has no value in the payload is left out (a ping without a code).
 */
#include "mail/catalog.h"

#include <string.h>

static const struct catalog_entry entries[] = {
    {"comm_new",
     {"رسالة جديدة ({urgency}) إلى دولتكم", "贵国收到一份新的通信（{urgency}）",
      "New {urgency} communication for your state",
      "Nouvelle communication ({urgency}) pour votre État",
      "Новое сообщение ({urgency}) для вашего государства",
      "Nueva comunicación ({urgency}) para su Estado"},
     {"أُرسلت إلى دولتكم عبر pocd رسالة بدرجة استعجال \"{urgency}\".\n"
      "يرجى الإقرار بالاستلام قبل {ack_due}.\n\n"
      "الإقرار بالاستلام الآن (رابط للاستخدام مرة واحدة):\n{link}\n\n"
      "قراءتها والرد عليها في pocd:\n{base}\n\nالمرجع: {comm}\n",
      "已通过 pocd 向贵国发送一份紧急程度为“{urgency}”的通信。\n"
      "请在 {ack_due} 之前确认收到。\n\n"
      "立即确认收到（一次性链接）：\n{link}\n\n"
      "在 pocd 中阅读并答复：\n{base}\n\n编号：{comm}\n",
      "A communication with urgency \"{urgency}\" has been sent to your state through pocd.\n"
      "Please acknowledge receipt by {ack_due}.\n\n"
      "Acknowledge receipt now (one-time link):\n{link}\n\n"
      "Read and answer it in pocd:\n{base}\n\nReference: {comm}\n",
      "Une communication d'urgence « {urgency} » a été adressée à votre État via pocd.\n"
      "Veuillez en accuser réception avant le {ack_due}.\n\n"
      "Accuser réception maintenant (lien à usage unique) :\n{link}\n\n"
      "La lire et y répondre dans pocd :\n{base}\n\nRéférence : {comm}\n",
      "Через pocd вашему государству направлено сообщение со срочностью «{urgency}».\n"
      "Подтвердите получение до {ack_due}.\n\n"
      "Подтвердить получение сейчас (одноразовая ссылка):\n{link}\n\n"
      "Прочитать сообщение и ответить в pocd:\n{base}\n\nНомер: {comm}\n",
      "Se ha enviado a su Estado, a través de pocd, una comunicación con urgencia "
      "«{urgency}».\nAcuse recibo antes del {ack_due}.\n\n"
      "Acusar recibo ahora (enlace de un solo uso):\n{link}\n\n"
      "Leerla y responderla en pocd:\n{base}\n\nReferencia: {comm}\n"}},
    {"comm_escalated",
     {"تصعيد: رسالة ({urgency}) لم يُقَر باستلامها", "升级：未确认收到的通信（{urgency}）",
      "Escalated: unacknowledged {urgency} communication",
      "Escalade : communication ({urgency}) sans accusé de réception",
      "Эскалация: неподтверждённое сообщение ({urgency})",
      "Escalamiento: comunicación ({urgency}) sin acuse de recibo"},
     {"لم يُقَر قبل {ack_due} باستلام رسالة بدرجة استعجال \"{urgency}\" موجهة إلى دولتكم، "
      "وقد صُعِّدت إليكم بصفتكم {escalation}.\n\n"
      "الإقرار بالاستلام الآن (رابط للاستخدام مرة واحدة):\n{link}\n\n"
      "قراءتها والرد عليها في pocd:\n{base}\n\nالمرجع: {comm}\n",
      "发给贵国的一份紧急程度为“{urgency}”的通信未在 {ack_due} 之前确认收到，"
      "现已升级至您（{escalation}）。\n\n"
      "立即确认收到（一次性链接）：\n{link}\n\n"
      "在 pocd 中阅读并答复：\n{base}\n\n编号：{comm}\n",
      "A communication with urgency \"{urgency}\" to your state was not acknowledged by "
      "{ack_due}. It has been escalated to you as {escalation}.\n\n"
      "Acknowledge receipt now (one-time link):\n{link}\n\n"
      "Read and answer it in pocd:\n{base}\n\nReference: {comm}\n",
      "Une communication d'urgence « {urgency} » adressée à votre État n'a pas fait l'objet "
      "d'un accusé de réception avant le {ack_due}. Elle vous est transmise en tant que "
      "{escalation}.\n\n"
      "Accuser réception maintenant (lien à usage unique) :\n{link}\n\n"
      "La lire et y répondre dans pocd :\n{base}\n\nRéférence : {comm}\n",
      "Получение сообщения со срочностью «{urgency}», направленного вашему государству, не "
      "было подтверждено до {ack_due}. Оно передано вам как {escalation}.\n\n"
      "Подтвердить получение сейчас (одноразовая ссылка):\n{link}\n\n"
      "Прочитать сообщение и ответить в pocd:\n{base}\n\nНомер: {comm}\n",
      "No se acusó recibo antes del {ack_due} de una comunicación con urgencia «{urgency}» "
      "dirigida a su Estado. Se le ha escalado como {escalation}.\n\n"
      "Acusar recibo ahora (enlace de un solo uso):\n{link}\n\n"
      "Leerla y responderla en pocd:\n{base}\n\nReferencia: {comm}\n"}},
    {"comm_overdue",
     {"تأخر الرد على رسالة ({urgency})", "通信（{urgency}）的答复已逾期",
      "Answer overdue for a {urgency} communication",
      "Réponse en retard à une communication ({urgency})",
      "Просрочен ответ на сообщение ({urgency})",
      "Respuesta vencida a una comunicación ({urgency})"},
     {"كان من المقرر أن ترد دولتكم قبل {answer_due} على رسالة بدرجة استعجال \"{urgency}\".\n\n"
      "الرد عليها في pocd:\n{base}\n\nالمرجع: {comm}\n",
      "贵国对一份紧急程度为“{urgency}”的通信的答复应于 {answer_due} 之前作出。\n\n"
      "在 pocd 中答复：\n{base}\n\n编号：{comm}\n",
      "The answer of your state to a communication with urgency \"{urgency}\" was due by "
      "{answer_due}.\n\nAnswer it in pocd:\n{base}\n\nReference: {comm}\n",
      "La réponse de votre État à une communication d'urgence « {urgency} » était attendue "
      "avant le {answer_due}.\n\nY répondre dans pocd :\n{base}\n\nRéférence : {comm}\n",
      "Ответ вашего государства на сообщение со срочностью «{urgency}» ожидался до "
      "{answer_due}.\n\nОтветить в pocd:\n{base}\n\nНомер: {comm}\n",
      "La respuesta de su Estado a una comunicación con urgencia «{urgency}» debía enviarse "
      "antes del {answer_due}.\n\nResponderla en pocd:\n{base}\n\nReferencia: {comm}\n"}},
    {"comm_acknowledged",
     {"أُقِرّ باستلام رسالتكم", "您的通信已被确认收到", "Your communication was acknowledged",
      "Réception de votre communication confirmée", "Получение вашего сообщения подтверждено",
      "Se acusó recibo de su comunicación"},
     {"أقرّت دولة مستلِمة باستلام رسالتكم في {at}.\n\n"
      "الاطلاع عليها في pocd:\n{base}\n\nالمرجع: {comm}\n",
      "一个收件国已于 {at} 确认收到您的通信。\n\n在 pocd 中查看：\n{base}\n\n编号：{comm}\n",
      "A recipient state acknowledged receipt of your communication at {at}.\n\n"
      "See it in pocd:\n{base}\n\nReference: {comm}\n",
      "Un État destinataire a accusé réception de votre communication le {at}.\n\n"
      "La consulter dans pocd :\n{base}\n\nRéférence : {comm}\n",
      "Государство-получатель подтвердило получение вашего сообщения {at}.\n\n"
      "Открыть в pocd:\n{base}\n\nНомер: {comm}\n",
      "Un Estado destinatario acusó recibo de su comunicación el {at}.\n\n"
      "Verla en pocd:\n{base}\n\nReferencia: {comm}\n"}},
    {"comm_answered",
     {"ورد رد على رسالتكم", "您的通信已获答复", "Your communication was answered",
      "Réponse à votre communication", "На ваше сообщение получен ответ",
      "Su comunicación ha sido respondida"},
     {"ردّت دولة مستلِمة على رسالتكم في {at}.\n\n"
      "قراءة الرد في pocd:\n{base}\n\nالمرجع: {comm}\n",
      "一个收件国已于 {at} 答复您的通信。\n\n在 pocd 中阅读答复：\n{base}\n\n编号：{comm}\n",
      "A recipient state answered your communication at {at}.\n\n"
      "Read the answer in pocd:\n{base}\n\nReference: {comm}\n",
      "Un État destinataire a répondu à votre communication le {at}.\n\n"
      "Lire la réponse dans pocd :\n{base}\n\nRéférence : {comm}\n",
      "Государство-получатель ответило на ваше сообщение {at}.\n\n"
      "Прочитать ответ в pocd:\n{base}\n\nНомер: {comm}\n",
      "Un Estado destinatario respondió a su comunicación el {at}.\n\n"
      "Leer la respuesta en pocd:\n{base}\n\nReferencia: {comm}\n"}},
    {"ping",
     {"اختبار اتصال: يرجى تأكيد جهة الاتصال هذه", "联络测试：请确认此联络点",
      "Ping test: please confirm this contact",
      "Test de contact : veuillez confirmer ce point de contact",
      "Проверка связи: подтвердите этот контактный пункт",
      "Prueba de contacto: confirme este punto de contacto"},
     {"تتحقق الأمانة من إمكانية الوصول إلى جهة الاتصال هذه. يرجى الرد قبل {due}.\n\n"
      "رمزكم: {challenge}\n\n"
      "الرد الآن (رابط للاستخدام مرة واحدة):\n{link}\n\n"
      "أو الرد في pocd:\n{base}\n\nالمرجع: {ping}\n",
      "秘书处正在核实此联络点是否可以联系上。请在 {due} 之前答复。\n\n"
      "您的代码：{challenge}\n\n"
      "立即答复（一次性链接）：\n{link}\n\n"
      "或在 pocd 中答复：\n{base}\n\n编号：{ping}\n",
      "The Secretariat is checking that this point of contact can be reached. Please answer "
      "by {due}.\n\nYour code: {challenge}\n\n"
      "Answer now (one-time link):\n{link}\n\n"
      "Or answer in pocd:\n{base}\n\nReference: {ping}\n",
      "Le Secrétariat vérifie que ce point de contact est joignable. Veuillez répondre avant "
      "le {due}.\n\nVotre code : {challenge}\n\n"
      "Répondre maintenant (lien à usage unique) :\n{link}\n\n"
      "Ou répondre dans pocd :\n{base}\n\nRéférence : {ping}\n",
      "Секретариат проверяет доступность этого контактного пункта. Ответьте до {due}.\n\n"
      "Ваш код: {challenge}\n\n"
      "Ответить сейчас (одноразовая ссылка):\n{link}\n\n"
      "Или ответить в pocd:\n{base}\n\nНомер: {ping}\n",
      "La Secretaría está comprobando que este punto de contacto está disponible. Responda "
      "antes del {due}.\n\nSu código: {challenge}\n\n"
      "Responder ahora (enlace de un solo uso):\n{link}\n\n"
      "O responder en pocd:\n{base}\n\nReferencia: {ping}\n"}},
    {"ping_reminder",
     {"تذكير: اختبار الاتصال مفتوح حتى {due}", "提醒：联络测试开放至 {due}",
      "Reminder: ping test open until {due}", "Rappel : test de contact ouvert jusqu'au {due}",
      "Напоминание: проверка связи открыта до {due}",
      "Recordatorio: prueba de contacto abierta hasta el {due}"},
     {"لم يُرَد بعد على اختبار الاتصال الخاص بجهة الاتصال هذه. يرجى الرد قبل {due} عبر رابط "
      "الرسالة الأولى أو في pocd:\n{base}\n\nالمرجع: {ping}\n",
      "此联络点的联络测试尚未答复。请在 {due} 之前通过第一封邮件中的链接或在 pocd 中答复：\n"
      "{base}\n\n编号：{ping}\n",
      "A ping test for this point of contact has not been answered yet. Please answer by "
      "{due}, with the link of the first message or in pocd:\n{base}\n\nReference: {ping}\n",
      "Un test de contact pour ce point de contact est toujours sans réponse. Veuillez "
      "répondre avant le {due}, avec le lien du premier message ou dans pocd :\n{base}\n\n"
      "Référence : {ping}\n",
      "На проверку связи для этого контактного пункта ещё не получен ответ. Ответьте до "
      "{due} по ссылке из первого письма или в pocd:\n{base}\n\nНомер: {ping}\n",
      "Una prueba de contacto para este punto de contacto aún no ha sido respondida. "
      "Responda antes del {due}, con el enlace del primer mensaje o en pocd:\n{base}\n\n"
      "Referencia: {ping}\n"}},
    {"task",
     {"مهمة تصحيح لإدخالات دولتكم", "贵国名录条目的更正任务",
      "Correction task for your state's directory entries",
      "Tâche de correction pour les fiches de votre État",
      "Задача по исправлению записей вашего государства",
      "Tarea de corrección para las entradas de su Estado"},
     {"فُتحت مهمة تصحيح لأحد إدخالات دولتكم: {task_kind}.\n"
      "يرجى التحقق من الإدخال وتصحيحه في pocd:\n{base}\n\nالمرجع: {task}\n",
      "已为贵国的一个条目开立更正任务：{task_kind}。\n"
      "请在 pocd 中核查并更正该条目：\n{base}\n\n编号：{task}\n",
      "A correction task was opened for one of your state's entries: {task_kind}.\n"
      "Please check and correct the entry in pocd:\n{base}\n\nReference: {task}\n",
      "Une tâche de correction a été ouverte pour l'une des fiches de votre État : "
      "{task_kind}.\nVeuillez vérifier et corriger la fiche dans pocd :\n{base}\n\n"
      "Référence : {task}\n",
      "Открыта задача по исправлению одной из записей вашего государства: {task_kind}.\n"
      "Проверьте и исправьте запись в pocd:\n{base}\n\nНомер: {task}\n",
      "Se abrió una tarea de corrección para una de las entradas de su Estado: "
      "{task_kind}.\nVerifique y corrija la entrada en pocd:\n{base}\n\n"
      "Referencia: {task}\n"}},
    {"review",
     {"إدخال في الدليل تجب مراجعته قبل {review_by}", "名录条目须在 {review_by} 之前复核",
      "Directory entry due for review by {review_by}",
      "Fiche de l'annuaire à réexaminer avant le {review_by}",
      "Запись справочника нужно проверить до {review_by}",
      "Entrada del directorio por revisar antes del {review_by}"},
     {"تجب مراجعة أحد إدخالات دولتكم في الدليل قبل {review_by}. يرجى تأكيده أو تحديثه في "
      "pocd:\n{base}\n\nالمرجع: {poc}\n",
      "贵国在名录中的一个条目须在 {review_by} 之前复核。请在 pocd 中确认或更新：\n{base}\n\n"
      "编号：{poc}\n",
      "One of your state's directory entries is due for review by {review_by}. Please "
      "confirm or update it in pocd:\n{base}\n\nReference: {poc}\n",
      "L'une des fiches de votre État dans l'annuaire doit être réexaminée avant le "
      "{review_by}. Veuillez la confirmer ou la mettre à jour dans pocd :\n{base}\n\n"
      "Référence : {poc}\n",
      "Одну из записей вашего государства в справочнике нужно проверить до {review_by}. "
      "Подтвердите или обновите её в pocd:\n{base}\n\nНомер: {poc}\n",
      "Una de las entradas de su Estado en el directorio debe revisarse antes del "
      "{review_by}. Confírmela o actualícela en pocd:\n{base}\n\nReferencia: {poc}\n"}},
    {"broadcast",
     {"إعلان من دليل نقاط الاتصال", "联络点名录公告", "Announcement from the PoC directory",
      "Annonce de l'annuaire des points de contact", "Объявление справочника контактных лиц",
      "Anuncio del directorio de puntos de contacto"},
     {"أرسلت الأمانة هذا الإعلان إلى نقاط اتصال جميع الدول المشاركة. الإعلانات كلها في "
      "pocd:\n{base}\n",
      "本公告由秘书处发送给所有参与国的联络点。全部公告见 pocd：\n{base}\n",
      "The Secretariat sent this announcement to the PoCs of every participating state. All "
      "announcements are in pocd:\n{base}\n",
      "Le Secrétariat a envoyé cette annonce aux points de contact de tous les États "
      "participants. Toutes les annonces sont dans pocd :\n{base}\n",
      "Секретариат направил это объявление контактным лицам всех участвующих государств. "
      "Все объявления — в pocd:\n{base}\n",
      "La Secretaría envió este anuncio a los puntos de contacto de todos los Estados "
      "participantes. Todos los anuncios están en pocd:\n{base}\n"}},
    {"reenrolment",
     {"أعادت الأمانة تسجيل مسؤول لدولتكم ({state})", "秘书处为贵国（{state}）重新登记了管理员",
      "The Secretariat re-enrolled an administrator for your state ({state})",
      "Le Secrétariat a réinscrit un administrateur pour votre État ({state})",
      "Секретариат повторно зарегистрировал администратора вашего государства ({state})",
      "La Secretaría volvió a inscribir un administrador para su Estado ({state})"},
     {"أصدرت الأمانة في {at} رابط تسجيل لمرة واحدة لمسؤول جديد عن دولتكم في pocd، صالحًا حتى "
      "{expires}. يُبلَّغ بذلك كل حساب لدولتكم وكل نقطة اتصال لها، والحدث مسجل في السجل.\n"
      "إن لم تطلب دولتكم ذلك، فاتصلوا بالأمانة فورًا وراجعوا حسابات دولتكم في pocd:\n{base}\n",
      "秘书处于 {at} 为贵国在 pocd 中的新管理员签发了一次性登记链接，有效期至 {expires}。"
      "贵国的每个账户和每个联络点都会收到此通知，该事件已记入记录。\n"
      "如果贵国并未提出此请求，请立即联系秘书处，并在 pocd 中检查贵国的账户：\n{base}\n",
      "At {at} the Secretariat issued a one-time enrolment link for a new administrator of "
      "your state in pocd, valid until {expires}. Every account and every PoC of your state "
      "is told, and the event is in the record.\n"
      "If your state did not ask for this, contact the Secretariat at once and check your "
      "state's accounts in pocd:\n{base}\n",
      "Le {at}, le Secrétariat a émis un lien d'inscription à usage unique pour un nouvel "
      "administrateur de votre État dans pocd, valable jusqu'au {expires}. Chaque compte et "
      "chaque point de contact de votre État en est informé, et l'événement figure au "
      "registre.\n"
      "Si votre État ne l'a pas demandé, contactez immédiatement le Secrétariat et vérifiez "
      "les comptes de votre État dans pocd :\n{base}\n",
      "{at} Секретариат выдал одноразовую ссылку для регистрации нового администратора "
      "вашего государства в pocd, действительную до {expires}. Об этом сообщается каждой "
      "учётной записи и каждому контактному лицу вашего государства; событие внесено в "
      "реестр.\n"
      "Если ваше государство об этом не просило, немедленно свяжитесь с Секретариатом и "
      "проверьте учётные записи вашего государства в pocd:\n{base}\n",
      "El {at}, la Secretaría emitió un enlace de inscripción de un solo uso para un nuevo "
      "administrador de su Estado en pocd, válido hasta el {expires}. Se informa a cada "
      "cuenta y a cada punto de contacto de su Estado, y el evento consta en el registro.\n"
      "Si su Estado no lo solicitó, póngase en contacto de inmediato con la Secretaría y "
      "revise las cuentas de su Estado en pocd:\n{base}\n"}},
    {"recovery_link",
     {"صدر رابط استعادة للحساب {username} في دولتكم ({state})",
      "已为贵国（{state}）的账户 {username} 签发恢复链接",
      "A recovery link was issued for the account {username} of your state ({state})",
      "Un lien de récupération a été émis pour le compte {username} de votre État ({state})",
      "Для учётной записи {username} вашего государства ({state}) выдана ссылка восстановления",
      "Se emitió un enlace de recuperación para la cuenta {username} de su Estado ({state})"},
     {"أصدر أحد مسؤولي دولتكم في {at} رابطًا لمرة واحدة يضع كلمة مرور جديدة للحساب {username} "
      "في pocd، صالحًا حتى {expires}. يُبلَّغ بذلك الحساب ومسؤولو دولتكم ونقاط الاتصال التي "
      "يعمل لها.\nإن لم يُطلب ذلك، فراجعوا حسابات دولتكم في pocd فورًا:\n{base}\n",
      "贵国一名管理员于 {at} 为 pocd 中的账户 {username} 签发了设置新密码的一次性链接，"
      "有效期至 {expires}。该账户、贵国管理员及其所代表的联络点均会收到通知。\n"
      "如非所请，请立即在 pocd 中检查贵国的账户：\n{base}\n",
      "At {at} an administrator of your state issued a one-time link that sets a new "
      "password on the account {username} in pocd, valid until {expires}. The account, "
      "your state's administrators and the PoCs it acts for are told.\n"
      "If nobody asked for this, check your state's accounts in pocd at once:\n{base}\n",
      "Le {at}, un administrateur de votre État a émis un lien à usage unique qui définit un "
      "nouveau mot de passe pour le compte {username} dans pocd, valable jusqu'au {expires}. "
      "Le compte, les administrateurs de votre État et les points de contact pour lesquels il "
      "agit en sont informés.\n"
      "Si personne ne l'a demandé, vérifiez immédiatement les comptes de votre État dans "
      "pocd :\n{base}\n",
      "{at} администратор вашего государства выдал одноразовую ссылку, задающую новый пароль "
      "учётной записи {username} в pocd, действительную до {expires}. Об этом сообщается "
      "учётной записи, администраторам вашего государства и контактным лицам, от имени "
      "которых она действует.\n"
      "Если об этом никто не просил, немедленно проверьте учётные записи вашего государства "
      "в pocd:\n{base}\n",
      "El {at}, un administrador de su Estado emitió un enlace de un solo uso que establece "
      "una nueva contraseña para la cuenta {username} en pocd, válido hasta el {expires}. Se "
      "informa a la cuenta, a los administradores de su Estado y a los puntos de contacto "
      "por los que actúa.\n"
      "Si nadie lo solicitó, revise de inmediato las cuentas de su Estado en pocd:\n"
      "{base}\n"}},
    {"recovered",
     {"استُخدم رابط استعادة للحساب {username} في دولتكم ({state})",
      "贵国（{state}）账户 {username} 的恢复链接已被使用",
      "A recovery link was used on the account {username} of your state ({state})",
      "Un lien de récupération a été utilisé pour le compte {username} de votre État ({state})",
      "Ссылка восстановления учётной записи {username} вашего государства ({state}) "
      "использована",
      "Se usó un enlace de recuperación de la cuenta {username} de su Estado ({state})"},
     {"في {used} وُضعت كلمة مرور جديدة للحساب {username} في pocd برابط استعادة، وأُنهيت "
      "جلساته وأُزيل عامل التحقق الثاني.\nإن لم يكن ذلك متوقعًا، فراجعوا حسابات دولتكم في "
      "pocd فورًا:\n{base}\n",
      "{used}，pocd 中账户 {username} 的密码已通过恢复链接重新设置，其会话已结束，"
      "第二重验证已移除。\n如非预期，请立即在 pocd 中检查贵国的账户：\n{base}\n",
      "At {used} a recovery link set a new password on the account {username} in pocd; its "
      "sessions ended and its second factor was removed.\n"
      "If you did not expect this, check your state's accounts in pocd at once:\n{base}\n",
      "Le {used}, un lien de récupération a défini un nouveau mot de passe pour le compte "
      "{username} dans pocd ; ses sessions ont pris fin et son second facteur a été retiré.\n"
      "Si vous ne vous y attendiez pas, vérifiez immédiatement les comptes de votre État dans "
      "pocd :\n{base}\n",
      "{used} ссылка восстановления задала новый пароль учётной записи {username} в pocd; её "
      "сеансы завершены, второй фактор удалён.\n"
      "Если вы этого не ожидали, немедленно проверьте учётные записи вашего государства в "
      "pocd:\n{base}\n",
      "El {used}, un enlace de recuperación estableció una nueva contraseña para la cuenta "
      "{username} en pocd; sus sesiones terminaron y se retiró su segundo factor.\n"
      "Si no lo esperaba, revise de inmediato las cuentas de su Estado en pocd:\n{base}\n"}},
    {"key_expiry",
     {"ينتهي مفتاح OpenPGP لأحد إدخالات الدليل في {expires}",
      "名录条目的 OpenPGP 密钥将于 {expires} 过期",
      "OpenPGP key of a directory entry expires on {expires}",
      "La clé OpenPGP d'une fiche de l'annuaire expire le {expires}",
      "Ключ OpenPGP записи справочника истекает {expires}",
      "La clave OpenPGP de una entrada del directorio caduca el {expires}"},
     {"ينتهي في {expires} مفتاح OpenPGP المرفق بأحد إدخالات دولتكم، وبعد ذلك لن يُشفَّر البريد "
      "المرسل إليه. يرجى إرفاق مفتاح مجدَّد في pocd:\n{base}\n\nالمرجع: {poc}\n",
      "贵国某一条目所附的 OpenPGP 密钥将于 {expires} 过期，此后发往该条目的邮件将不再加密。"
      "请在 pocd 中附上更新的密钥：\n{base}\n\n编号：{poc}\n",
      "The OpenPGP key attached to one of your state's entries expires on {expires}; mail to "
      "it will not be encrypted after that. Please attach a renewed key in pocd:\n{base}\n\n"
      "Reference: {poc}\n",
      "La clé OpenPGP jointe à l'une des fiches de votre État expire le {expires} ; le courrier "
      "qui lui est adressé ne sera plus chiffré ensuite. Veuillez joindre une clé renouvelée "
      "dans pocd :\n{base}\n\nRéférence : {poc}\n",
      "Ключ OpenPGP, прикреплённый к одной из записей вашего государства, истекает {expires}; "
      "после этого письма на неё не будут шифроваться. Прикрепите обновлённый ключ в "
      "pocd:\n{base}\n\nНомер: {poc}\n",
      "La clave OpenPGP adjunta a una de las entradas de su Estado caduca el {expires}; el "
      "correo dirigido a ella dejará de cifrarse. Adjunte una clave renovada en pocd:\n"
      "{base}\n\nReferencia: {poc}\n"}},
    {"poc_change",
     {"تغيير مقترح لأحد إدخالات دولتكم في الدليل", "贵国名录条目的一项变更待确认",
      "Proposed change to one of your state's directory entries",
      "Modification proposée d'une fiche de votre État dans l'annuaire",
      "Предложено изменение записи вашего государства в справочнике",
      "Cambio propuesto en una entrada de su Estado en el directorio"},
     {"اقتُرح في pocd تغيير {changes} لأحد إدخالات دولتكم في الدليل.\n"
      "يسري تلقائيًا في {effective_at} ما لم يلغه أحد مسؤولي دولتكم.\n"
      "إن لم تكونوا تتوقعونه، فتحققوا منه في pocd الآن:\n{base}\n\nالمرجع: {poc}\n",
      "有人在 pocd 中提议变更贵国某一名录条目的{changes}。\n"
      "除非贵国管理员取消，该变更将于 {effective_at} 自动生效。\n"
      "如非预期，请立即在 pocd 中核查：\n{base}\n\n编号：{poc}\n",
      "A change of {changes} of one of your state's directory entries was proposed in "
      "pocd.\nIt takes effect by itself on {effective_at} unless an administrator of your "
      "state cancels it.\nIf you did not expect it, check it in pocd now:\n{base}\n\n"
      "Reference: {poc}\n",
      "Une modification de {changes} d'une fiche de votre État a été proposée dans pocd.\n"
      "Elle prendra effet d'elle-même le {effective_at}, sauf si un administrateur de votre "
      "État l'annule.\nSi vous ne l'attendiez pas, vérifiez-la dans pocd dès maintenant :\n"
      "{base}\n\nRéférence : {poc}\n",
      "В pocd предложено изменить {changes} одной из записей вашего государства.\n"
      "Изменение вступит в силу само {effective_at}, если администратор вашего государства "
      "его не отменит.\nЕсли вы его не ожидали, проверьте его в pocd сейчас:\n{base}\n\n"
      "Номер: {poc}\n",
      "Se ha propuesto en pocd un cambio de {changes} de una de las entradas de su Estado.\n"
      "Surtirá efecto por sí solo el {effective_at}, salvo que un administrador de su Estado "
      "lo cancele.\nSi no lo esperaba, verifíquelo en pocd ahora:\n{base}\n\n"
      "Referencia: {poc}\n"}},
};

static const struct catalog_phrase phrases[] = {
    {"change_email",
     {"عنوان البريد الإلكتروني", "电子邮件地址", "the e-mail address", "l'adresse électronique",
      "адрес электронной почты", "la dirección de correo electrónico"}},
    {"change_key",
     {"مفتاح OpenPGP", "OpenPGP 密钥", "the OpenPGP key", "la clé OpenPGP", "ключ OpenPGP",
      "la clave OpenPGP"}},
    {"change_email_key",
     {"عنوان البريد الإلكتروني ومفتاح OpenPGP", "电子邮件地址和 OpenPGP 密钥",
      "the e-mail address and the OpenPGP key", "l'adresse électronique et la clé OpenPGP",
      "адрес электронной почты и ключ OpenPGP",
      "la dirección de correo electrónico y la clave OpenPGP"}},
    {"alternate_technical",
     {"جهة الاتصال التقنية البديلة", "候补技术联络点", "the alternate technical point of contact",
      "point de contact technique suppléant", "запасной технический контактный пункт",
      "punto de contacto técnico suplente"}},
    {"diplomatic",
     {"جهة الاتصال الدبلوماسية", "外交联络点", "the diplomatic point of contact",
      "point de contact diplomatique", "дипломатический контактный пункт",
      "punto de contacto diplomático"}},
    {"ping_unanswered",
     {"لم يُرَد على اختبار اتصال", "一次联络测试未获答复", "a ping test went unanswered",
      "un test de contact est resté sans réponse", "проверка связи осталась без ответа",
      "una prueba de contacto quedó sin respuesta"}},
    {"ping_wrong",
     {"رُدّ على اختبار اتصال برمز خاطئ", "一次联络测试的答复代码有误",
      "a ping test was answered with a wrong code", "un test de contact a reçu un code erroné",
      "на проверку связи дан неверный код",
      "una prueba de contacto se respondió con un código erróneo"}},
    {"mail_failed",
     {"يتعذر تسليم البريد إلى عنوانه", "发往其地址的邮件无法投递",
      "mail to its address cannot be delivered", "le courrier vers son adresse ne peut être remis",
      "письма на её адрес не доставляются", "no se puede entregar el correo a su dirección"}},
};

const struct catalog_entry *
catalog_entry(const char *kind)
{
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (strcmp(entries[i].kind, kind) == 0)
			return &entries[i];
	return NULL;
}

const struct catalog_phrase *
catalog_phrase(const char *code)
{
	for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (strcmp(phrases[i].code, code) == 0)
			return &phrases[i];
	return NULL;
}

/* Communications between states: sending, the inbox and outbox, one thread, and its
 * acknowledgement, replies and closing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/cache.h"
#include "api/handlers.h"
#include "core/attachment.h"
#include "core/authz.h"
#include "core/comm_export.h"
#include "core/comm.h"
#include "core/exchange.h"
#include "core/record.h"
#include "lib/timeutil.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX     200

static const char *const status_names[] = {"sent", "acknowledged", "answered", "closed"};
static const char *const escalations[] = {"none", "alternate_technical", "diplomatic"};

/* Late now: its acknowledgement or answer is past due and still not given. */
static bool
overdue(const struct comm_recipient *r)
{
	return (r->ack_late && r->status == COMM_SENT) ||
	       (r->answer_late && (r->status == COMM_SENT || r->status == COMM_ACKNOWLEDGED));
}

static json_t *
recipient_json(const struct comm_recipient *r)
{
	json_t *o = json_pack(
	    "{s:s,s:o*,s:s,s:b,s:b,s:b,s:s}", "state", r->state, "kinds", json_kinds(r->kinds),
	    "status", status_names[r->status], "overdue", overdue(r), "ack_late", r->ack_late,
	    "answer_late", r->answer_late, "escalation",
	    escalations[r->escalation < 0 || r->escalation > 2 ? 0 : r->escalation]);

	if (o == NULL)
		return NULL;
	json_set_time(o, "ack_due", r->ack_due);
	json_set_time(o, "answer_due", r->answer_due);
	json_set_time(o, "acknowledged_at", r->acknowledged_at);
	json_set_time(o, "answered_at", r->answered_at);
	json_set_time(o, "closed_at", r->closed_at);
	return o;
}

/* What one caller may see of a communication. */
struct view {
	const struct principal *who;
	const struct comm *cm;
	bool all;     /* the other recipients and their threads */
	bool content; /* not withheld by TLP:RED */
};

static bool
visible(const struct view *v, const char *recipient_state)
{
	return v->all || strcmp(recipient_state, v->who->state) == 0;
}

struct detail_ctx {
	const struct view *v;
	json_t *history;
	json_t *thread;
	bool oom; /* a step or reply could not be added: the answer would be incomplete */
};

static int
add_step(const struct comm_step *st, void *arg)
{
	struct detail_ctx *dc = arg;
	json_t *o;

	if (!visible(dc->v, st->state))
		return 0;
	o = json_pack("{s:s,s:s,s:s?,s:s?}", "state", st->state, "what", st->what, "by",
	              st->actor_state[0] ? st->actor_state : NULL, "detail",
	              st->detail[0] ? st->detail : NULL);
	if (o == NULL) {
		dc->oom = true;
		return -1;
	}
	json_set_time(o, "at", st->at);
	/* Which account acted is a state's own business. */
	if (st->actor_account[0] && strcmp(st->actor_state, dc->v->who->state) == 0)
		json_object_set_new(o, "account", json_string(st->actor_account));
	dc->oom |= json_array_append_new(dc->history, o) != 0;
	return dc->oom ? -1 : 0;
}

static int
add_reply(const struct comm_reply *rp, void *arg)
{
	struct detail_ctx *dc = arg;
	json_t *o, *body;

	/* A thread is the sender's and one recipient's: open distribution shows who else was
	 * addressed and their progress, never their exchanges. */
	if (strcmp(dc->v->who->state, dc->v->cm->sender_state) != 0 &&
	    strcmp(rp->thread, dc->v->who->state) != 0)
		return 0;
	o = json_pack("{s:s,s:s,s:s}", "id", rp->id, "thread", rp->thread, "author_state",
	              rp->author_state);
	if (o == NULL) {
		dc->oom = true;
		return -1;
	}
	json_set_time(o, "at", rp->at);
	if (!dc->v->content) {
		json_object_set_new(o, "content_withheld", json_string("TLP:RED"));
	} else if ((body = json_loads(rp->body, 0, NULL)) != NULL) {
		json_object_update(o, body);
		json_decref(body);
	}
	dc->oom |= json_array_append_new(dc->thread, o) != 0;
	return dc->oom ? -1 : 0;
}

/* The communication as v may see it; with detail, its history and thread too. */
static json_t *
comm_json(struct store_conn *c, const struct view *v, bool detail, enum pocd_err *err)
{
	const struct comm *cm = v->cm;
	struct detail_ctx dc = {.v = v};
	json_t *o, *rs, *content;

	*err = POCD_ENOMEM;
	rs = json_array();
	o = json_pack("{s:s,s:i,s:s,s:s,s:s,s:b,s:{s:s}}", "id", cm->id, "template_version",
	              cm->template_version, "type", cm->type, "urgency", cm->urgency, "tlp",
	              cm->tlp, "open_distribution", cm->open_distribution, "sender", "state",
	              cm->sender_state);
	if (o == NULL || rs == NULL)
		goto fail;
	if (strcmp(v->who->state, cm->sender_state) == 0)
		json_object_set_new(json_object_get(o, "sender"), "account",
		                    json_string(cm->sender_account));
	json_set_time(o, "created_at", cm->created_at);
	for (size_t i = 0; i < cm->nrecipients; i++)
		if (visible(v, cm->r[i].state))
			json_array_append_new(rs, recipient_json(&cm->r[i]));
	json_object_set_new(o, "recipients", rs);
	rs = NULL;
	content = v->content ? json_loads(cm->content, 0, NULL) : NULL;
	if (content != NULL && !detail) {
		/* Lists carry the subject only. */
		json_object_set(o, "subject", json_object_get(content, "subject"));
		json_decref(content);
	} else if (content != NULL) {
		json_object_update(o, content);
		json_decref(content);
	} else {
		json_object_set_new(o, "content_withheld", json_string("TLP:RED"));
	}
	if (!detail) {
		*err = POCD_OK;
		return o;
	}
	dc.history = json_array();
	dc.thread = json_array();
	json_object_set_new(o, "history", dc.history);
	json_object_set_new(o, "thread", dc.thread);
	if (dc.history == NULL || dc.thread == NULL)
		goto fail;
	*err = store_comm_steps(c, cm->id, add_step, &dc);
	if (*err == POCD_OK)
		*err = store_comm_replies(c, cm->id, add_reply, &dc);
	if (*err == POCD_OK && dc.oom)
		*err = POCD_ENOMEM;
	if (*err == POCD_OK)
		return o;
fail:
	json_decref(rs);
	json_decref(o);
	return NULL;
}

/* Reads the communication the path names for the caller, as a party sees it. POCD_ENOTFOUND
 * for ids of no communication and of communications the caller is no party to. */
static enum pocd_err
load(struct api_req *req, struct store_conn *c, struct comm *cm, struct view *v)
{
	unsigned linked = 0;
	enum pocd_err err;

	memset(cm, 0, sizeof(*cm));
	if (!id_valid(req->params[0]))
		return POCD_ENOTFOUND;
	err = store_comm_get(c, req->params[0], cm);
	if (err != POCD_OK)
		return err;
	if (authz_comm_party(&req->who, cm) == PARTY_NONE)
		return POCD_ENOTFOUND;
	if (strcmp(cm->tlp, "RED") == 0) {
		err = store_account_poc_kinds(c, req->who.account_id, req->who.state, &linked);
		if (err != POCD_OK)
			return err;
	}
	v->who = &req->who;
	v->cm = cm;
	v->all = authz_comm_sees_all(&req->who, cm);
	v->content = authz_comm_content(&req->who, cm, linked);
	return POCD_OK;
}

/* Answers with the communication the path names, as the caller sees it now, and with the
 * receipt of the write that led here (ref, may be NULL). */
static void
show(struct api_req *req, struct api_resp *resp, unsigned status, const struct leaf_ref *ref)
{
	struct store_conn *c = reader(req, resp);
	struct comm *cm;
	struct view v;
	json_t *o = NULL;
	enum pocd_err err;

	if (c == NULL)
		return;
	cm = malloc(sizeof(*cm));
	if (cm == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return;
	}
	err = load(req, c, cm, &v);
	if (err == POCD_OK)
		o = comm_json(c, &v, true, &err);
	if (err == POCD_OK && ref != NULL)
		add_receipt(req, o, ref);
	if (err != POCD_OK)
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no communication with this id for you"
		                              : NULL);
	else
		resp_json(resp, status, o);
	free(cm->content);
	free(cm);
}

/* The communication for other tools (?format=iodef or stix), for those who may read its
 * content. */
static void export(struct api_req *req, struct api_resp *resp, bool iodef)
{
	struct store_conn *c = reader(req, resp);
	struct export_names names = {0};
	struct state_rec st;
	struct comm *cm;
	struct view v;
	json_t *content = NULL;
	enum pocd_err err;
	size_t len = 0;

	if (c == NULL)
		return;
	cm = malloc(sizeof(*cm));
	if (cm == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return;
	}
	err = load(req, c, cm, &v);
	if (err == POCD_OK && !v.content)
		err = POCD_EFORBIDDEN;
	/* A recipient outside open distribution exports the recipients it sees: itself. */
	for (size_t i = 0, k = 0; err == POCD_OK && i < cm->nrecipients; i++) {
		if (visible(&v, cm->r[i].state))
			cm->r[k++] = cm->r[i];
		if (i + 1 == cm->nrecipients)
			cm->nrecipients = k;
	}
	for (size_t i = 0; err == POCD_OK && i <= cm->nrecipients; i++) {
		const char *code = i == 0 ? cm->sender_state : cm->r[i - 1].state;
		strlcpy(names.s[names.n].code, code, STATE_SIZE);
		if (store_state_get(c, code, &st) == POCD_OK)
			strlcpy(names.s[names.n].name, st.names[2], NAME_SIZE);
		names.n++;
	}
	if (err == POCD_OK && (content = json_loads(cm->content, 0, NULL)) == NULL)
		err = POCD_ENOMEM;
	if (err == POCD_OK) {
		resp->body =
		    iodef ? comm_iodef(cm, content, &names, "pocd", core_now(req->api->core), &len)
		          : comm_stix(cm, content, &names, &len);
		err = resp->body != NULL ? POCD_OK : POCD_ENOMEM;
	}
	if (err == POCD_OK) {
		resp->status = 200;
		resp->len = len;
		resp->content_type =
		    iodef ? "application/xml" : "application/stix+json;version=2.1";
		resp_header(resp, "Content-Disposition", "attachment; filename=\"%s.%s\"", cm->id,
		            iodef ? "xml" : "json");
	} else {
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no communication with this id for you"
		        : err == POCD_EFORBIDDEN
		            ? "TLP:RED: only the accounts that read the content "
		              "export it"
		            : NULL);
	}
	json_decref(content);
	free(cm->content);
	free(cm);
}

enum api_result
h_comm_get(struct api_req *req, struct api_resp *resp)
{
	const char *format = req->query(req, "format");

	if (format == NULL || strcmp(format, "json") == 0)
		show(req, resp, 200, NULL);
	else if (strcmp(format, "iodef") == 0 || strcmp(format, "stix") == 0)
		export(req, resp, strcmp(format, "iodef") == 0);
	else
		problem_field(resp, POCD_EINVAL, "format", "must be json, iodef or stix");
	return API_DONE;
}

/* The ops own what decoding allocated; freed once, when the request ends however it ends. */
static void
free_send(void *state)
{
	free(((struct send_op *)state)->cm.content);
}

static void
free_act(void *state)
{
	free(((struct act_op *)state)->reply_body);
}

static void
send_cont(struct api_req *req, struct api_resp *resp)
{
	struct send_op *op = req->state;

	if (op->status == POCD_EINVAL) {
		problem_fields(resp, &op->errs);
		return;
	}
	if (op->status != POCD_OK) {
		problem(resp, op->status, NULL);
		return;
	}
	memcpy(req->params[0], op->cm.id, ID_SIZE);
	show(req, resp, 201, &op->mine);
	resp_header(resp, "Location", "/api/v1/communications/%s", op->cm.id);
}

enum api_result
h_comm_send(struct api_req *req, struct api_resp *resp)
{
	struct core *core = req->api->core;
	struct verrs errs = {0};
	struct send_op *op;
	json_t *o;
	enum pocd_err err;

	if (authz_send_comm(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only the accounts of a participating state send communications");
		return API_DONE;
	}
	if ((o = body_object(req, resp)) == NULL)
		return API_DONE;
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL) {
		json_decref(o);
		return API_DONE;
	}
	req_state_cleanup(req, free_send);
	op->now = core_now(core);
	err = comm_decode(o, op->now, &op->cm, &errs);
	attachment_ids_decode(json_object_get(o, "attachments"), op->attach, &op->nattach, &errs);
	if (err == POCD_OK && errs.n > 0)
		err = POCD_EINVAL;
	json_decref(o);
	if (err != POCD_OK) {
		if (err == POCD_EINVAL)
			problem_fields(resp, &errs);
		else
			problem(resp, err, NULL);
		return API_DONE;
	}
	op->actor = req->who;
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, exchange_send(core, op), send_cont);
}

static void
act_cont(struct api_req *req, struct api_resp *resp)
{
	struct act_op *op = req->state;

	if (op->status == POCD_ECONFLICT)
		problem(resp, POCD_ECONFLICT, "this communication is closed");
	else if (op->status == POCD_EINVAL && op->errs.n > 0)
		problem_fields(resp, &op->errs);
	else if (op->status == POCD_EINVAL)
		problem_field(resp, POCD_EINVAL, "state",
		              "must name a recipient of this communication (a recipient names only "
		              "itself, or leaves it out)");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		show(req, resp, op->action == EX_REPLY ? 201 : 200, &op->mine);
	if (op->status == POCD_OK && op->action == EX_REPLY && resp->status == 201)
		resp_header(resp, "Location", "/api/v1/communications/%s", op->comm_id);
}

/* The checks every action shares, in order: a party (else 404), the right party (else 403),
 * then the body. Returns the op to submit, or NULL with resp filled. */
static struct act_op *
prepare_act(struct api_req *req, struct api_resp *resp, enum exchange_action action)
{
	struct store_conn *c = reader(req, resp);
	struct comm *cm;
	struct view v;
	struct act_op *op;
	enum pocd_err err;
	bool red;

	if (c == NULL || (cm = malloc(sizeof(*cm))) == NULL) {
		if (c != NULL)
			problem(resp, POCD_ENOMEM, NULL);
		return NULL;
	}
	err = load(req, c, cm, &v);
	if (err == POCD_OK)
		err = authz_comm_act(&req->who, cm, action);
	/* Who may not read a TLP:RED content may not answer it either. */
	red = err == POCD_OK && action == EX_REPLY && !v.content;
	free(cm->content);
	free(cm);
	if (err != POCD_OK || red) {
		problem(resp, red ? POCD_EFORBIDDEN : err,
		        red                     ? "TLP:RED: only the accounts acting for the PoCs "
		                                  "addressed reply"
		        : err == POCD_ENOTFOUND ? "there is no communication with this id for you"
		        : err == POCD_EFORBIDDEN
		            ? (action == EX_CLOSE ? "only the sending state closes it"
		                                  : "only a recipient state acknowledges it")
		            : NULL);
		return NULL;
	}
	op = req_state(req, resp, sizeof(*op));
	if (op == NULL)
		return NULL;
	req_state_cleanup(req, free_act);
	op->action = action;
	memcpy(op->comm_id, req->params[0], ID_SIZE);
	op->actor = req->who;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return op;
}

/* Acknowledge and close take no fields: an empty body or {}. */
static bool
empty_body(struct api_req *req, struct api_resp *resp)
{
	struct verrs errs = {0};
	json_t *o;

	if (req->body_len == 0)
		return true;
	if ((o = body_object(req, resp)) == NULL)
		return false;
	json_refuse_unknown(o, (const char *const[]){NULL}, "this request", &errs);
	json_decref(o);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return false;
	}
	return true;
}

static enum api_result
simple_act(struct api_req *req, struct api_resp *resp, enum exchange_action action)
{
	struct act_op *op = prepare_act(req, resp, action);

	if (op == NULL || !empty_body(req, resp))
		return API_DONE;
	return req_pending(req, resp, exchange_act(req->api->core, op), act_cont);
}

enum api_result
h_comm_ack(struct api_req *req, struct api_resp *resp)
{
	return simple_act(req, resp, EX_ACKNOWLEDGE);
}

enum api_result
h_comm_close(struct api_req *req, struct api_resp *resp)
{
	return simple_act(req, resp, EX_CLOSE);
}

static void
ack_link_cont(struct api_req *req, struct api_resp *resp)
{
	struct act_op *op = req->state;

	if (op->status == POCD_EGONE)
		problem(resp, POCD_EGONE, "this acknowledgement link is unknown, used or expired");
	else if (op->status != POCD_OK)
		problem(resp, op->status, NULL);
	else
		resp_json(resp, 200,
		          json_pack("{s:s,s:s,s:s}", "communication", op->comm_id, "state",
		                    op->link_state, "status", "acknowledged"));
	resp_header(resp, "Cache-Control", "no-store");
}

/* POST /api/v1/ack {"token"}: the mailed one-time link, without a
 * login. A missing token takes the path of a wrong one. */
enum api_result
h_comm_ack_link(struct api_req *req, struct api_resp *resp)
{
	static const char *const fields[] = {"token", NULL};
	struct act_op *op = req_state(req, resp, sizeof(*op));
	struct verrs errs = {0};
	const char *tok;
	json_t *o;

	if (op == NULL || (o = body_object(req, resp)) == NULL)
		return API_DONE;
	json_refuse_unknown(o, fields, "a link acknowledgement", &errs);
	tok = json_member_str(o, "token", false, TOKEN_SIZE - 1, &errs);
	if (errs.n == 0)
		strlcpy(op->token, tok != NULL ? tok : "", sizeof(op->token));
	json_decref(o);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	op->action = EX_ACKNOWLEDGE_LINK;
	op->now = core_now(req->api->core);
	op->done = req_wake;
	op->arg = req;
	return req_pending(req, resp, exchange_act(req->api->core, op), ack_link_cont);
}

enum api_result
h_comm_reply(struct api_req *req, struct api_resp *resp)
{
	struct act_op *op = prepare_act(req, resp, EX_REPLY);
	struct verrs errs = {0};
	json_t *o;
	enum pocd_err err;

	if (op == NULL || (o = body_object(req, resp)) == NULL)
		return API_DONE;
	err = reply_decode(o, &op->reply_body, op->thread, &errs);
	attachment_ids_decode(json_object_get(o, "attachments"), op->attach, &op->nattach, &errs);
	if (err == POCD_OK && errs.n > 0)
		err = POCD_EINVAL;
	json_decref(o);
	if (err != POCD_OK) {
		if (err == POCD_EINVAL)
			problem_fields(resp, &errs);
		else
			problem(resp, err, NULL);
		return API_DONE;
	}
	return req_pending(req, resp, exchange_act(req->api->core, op), act_cont);
}

struct list_ctx {
	struct store_conn *c;
	const struct principal *who;
	json_t *items;
	size_t n;
	int64_t last_at;
	char last_id[ID_SIZE];
	enum pocd_err err;
	struct comm cm;
};

static int
add_item(const char *id, int64_t created_at, void *arg)
{
	struct list_ctx *lc = arg;
	struct view v = {.who = lc->who, .cm = &lc->cm};
	unsigned linked = 0;
	json_t *o;

	lc->n++;
	lc->last_at = created_at;
	strlcpy(lc->last_id, id, sizeof(lc->last_id));
	lc->err = store_comm_summary(lc->c, id, &lc->cm);
	if (lc->err == POCD_OK && strcmp(lc->cm.tlp, "RED") == 0)
		lc->err =
		    store_account_poc_kinds(lc->c, lc->who->account_id, lc->who->state, &linked);
	if (lc->err == POCD_OK) {
		v.all = authz_comm_sees_all(lc->who, &lc->cm);
		v.content = authz_comm_content(lc->who, &lc->cm, linked);
		o = comm_json(lc->c, &v, false, &lc->err);
		if (o != NULL)
			json_array_append_new(lc->items, o);
	}
	free(lc->cm.content);
	lc->cm.content = NULL;
	return lc->err != POCD_OK;
}

/* A list cursor is "CREATED_AT|ID" of the last item given. */
static bool
list_cursor(const char *cursor, struct comm_filter *f)
{
	char at[24], *end;

	if (!cursor_unpack(cursor, at, sizeof(at), f->before_id, sizeof(f->before_id)) ||
	    !id_valid(f->before_id))
		return false;
	f->before_at = strtoll(at, &end, 10);
	return *end == '\0' && at[0] != '-';
}

enum api_result
h_comm_list(struct api_req *req, struct api_resp *resp)
{
	const char *box = req->query(req, "box"), *status = req->query(req, "status");
	const char *cursor = req->query(req, "cursor");
	struct comm_filter f = {.status = -1};
	struct verrs errs = {0};
	struct list_ctx *lc;
	char at[24], next[CURSOR_MAX + 1], key[64 + ID_SIZE + CURSOR_MAX];
	struct store_conn *c;
	struct blob *b;
	uint64_t gen;
	bool cacheable;
	json_t *page;
	int n;

	if (req->who.role == ROLE_SECRETARIAT) {
		problem(resp, POCD_EFORBIDDEN,
		        "the Secretariat does not see communications: see the reports");
		return API_DONE;
	}
	if (box != NULL && strcmp(box, "inbox") && strcmp(box, "outbox"))
		verr_add(&errs, "box", "must be inbox or outbox");
	f.outbox = box != NULL && strcmp(box, "outbox") == 0;
	if (status != NULL) {
		for (int i = 0; i < 4; i++)
			if (strcmp(status, status_names[i]) == 0)
				f.status = i;
		f.overdue_only = strcmp(status, "overdue") == 0;
		if (f.status < 0 && !f.overdue_only)
			verr_add(&errs, "status",
			         "must be sent, acknowledged, answered, closed or overdue");
	}
	if (cursor != NULL && !list_cursor(cursor, &f))
		verr_add(&errs, "cursor", "is not a cursor this service gave out");
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return API_DONE;
	}
	if (!query_limit(req, resp, PAGE_DEFAULT, PAGE_MAX, &f.limit))
		return API_DONE;
	/* An account's pages are kept until a communication or the directory changes: the
	 * account is in the key because TLP:RED content is shown by account. */
	resp_header(resp, "Cache-Control", "no-store");
	gen = store_comms_generation(req->api->core->store);
	n = snprintf(key, sizeof(key), "comms:%s:%d:%d:%d:%zu:%s", req->who.account_id, f.outbox,
	             f.status, f.overdue_only, f.limit, cursor != NULL ? cursor : "");
	cacheable = n > 0 && (size_t)n < sizeof(key);
	b = cacheable ? cache_get(req->api->lists, key, gen) : NULL;
	if (b != NULL) {
		resp_blob(req, resp, b);
		return API_DONE;
	}
	if ((c = reader(req, resp)) == NULL)
		return API_DONE;
	memcpy(f.state, req->who.state, STATE_SIZE);
	lc = calloc(1, sizeof(*lc));
	if (lc == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	lc->c = c;
	lc->who = &req->who;
	lc->items = json_array();
	lc->err = lc->items != NULL ? store_comms_list(c, &f, add_item, lc) : POCD_ENOMEM;
	if (lc->err != POCD_OK) {
		problem(resp, lc->err, NULL);
		json_decref(lc->items);
		free(lc);
		return API_DONE;
	}
	snprintf(at, sizeof(at), "%lld", (long long)lc->last_at);
	cursor_pack(at, lc->last_id, next, sizeof(next));
	page = json_pack("{s:o,s:s?}", "items", lc->items, "next", lc->n == f.limit ? next : NULL);
	resp_json(resp, 200, page);
	if (cacheable)
		resp_cache_store(req, resp, req->api->lists, key, gen);
	free(lc);
	return API_DONE;
}

struct receipts_ctx {
	struct api_req *req;
	struct store_conn *c;
	json_t *items;
	char last[ID_SIZE];
	enum pocd_err err;
};

static int
add_step_receipt(const struct comm_step *st, void *arg)
{
	struct receipts_ctx *rc = arg;
	struct receipt r;
	enum pocd_err err;

	/* The sending's steps share one event; steps older than the log have none. */
	if (st->event_id[0] == '\0' || strcmp(st->event_id, rc->last) == 0)
		return 0;
	strlcpy(rc->last, st->event_id, sizeof(rc->last));
	err = record_receipt(rc->req->api->core, rc->c, st->event_id, rc->req->who.state, &r);
	if (err == POCD_ENOTFOUND)
		return 0;
	if (err != POCD_OK) {
		rc->err = err;
		return 1;
	}
	/* The sending is one event for every recipient; the other steps are one recipient's. */
	json_array_append_new(rc->items, json_pack("{s:s,s:s*,s:o}", "step", st->what, "state",
	                                           strcmp(st->what, "sent") != 0 ? st->state : NULL,
	                                           "receipt", receipt_json(&r)));
	receipt_free(&r);
	return 0;
}

enum api_result
h_comm_receipts(struct api_req *req, struct api_resp *resp)
{
	struct receipts_ctx rc = {.req = req, .c = reader(req, resp)};
	struct comm *cm;
	struct view v;
	enum pocd_err err;

	if (rc.c == NULL)
		return API_DONE;
	cm = malloc(sizeof(*cm));
	if (cm == NULL) {
		problem(resp, POCD_ENOMEM, NULL);
		return API_DONE;
	}
	err = load(req, rc.c, cm, &v);
	rc.items = json_array();
	if (err == POCD_OK)
		err = rc.items != NULL ? store_comm_steps(rc.c, cm->id, add_step_receipt, &rc)
		                       : POCD_ENOMEM;
	if (err == POCD_OK)
		err = rc.err;
	free(cm->content);
	free(cm);
	if (err != POCD_OK) {
		json_decref(rc.items);
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no communication with this id for you"
		                              : NULL);
		return API_DONE;
	}
	resp_json(resp, 200, json_pack("{s:o,s:n}", "items", rc.items, "next"));
	return API_DONE;
}

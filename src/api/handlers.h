/* Shared by the files of src/api: the handlers the router names, and their helpers. */
#ifndef POCD_API_HANDLERS_H
#define POCD_API_HANDLERS_H

#include <stdatomic.h>
#include <stddef.h>

#include "api/api.h"

typedef enum api_result (*api_handler)(struct api_req *req, struct api_resp *resp);

#define LATENCY_BUCKETS 14

struct api {
	struct core *core;
	char *metrics_token;      /* NULL for none */
	struct resp_cache *cache; /* the directory's responses */
	/* Inbox and outbox pages, apart so that many accounts' pages never push the directory's
	 * entries out. */
	struct resp_cache *lists;
	_Atomic uint64_t by_class[6]; /* responses by status class: [2] is 2xx, ... */
	_Atomic uint64_t latency[LATENCY_BUCKETS + 1];
	_Atomic uint64_t latency_sum_us;
};

extern const uint64_t latency_bounds_us[LATENCY_BUCKETS];

/* problem.c: RFC 9457 problem documents */
void problem(struct api_resp *resp, enum pocd_err err, const char *detail);
void problem_fields(struct api_resp *resp, const struct verrs *errs);
void problem_status(struct api_resp *resp, unsigned status, const char *name, const char *title,
                    const char *detail);
unsigned problem_http_status(enum pocd_err err);
/* A problem for err whose errors list names one field, e.g. a 409 for a taken username. */
void problem_field(struct api_resp *resp, enum pocd_err err, const char *field, const char *reason);

/* json.c: reading bodies and writing JSON */
/* Parses the body as a JSON object; on failure fills resp with a 415 (not JSON) or a 400 and
 * returns NULL. Handlers call it after their authorization check. */
json_t *body_object(struct api_req *req, struct api_resp *resp);
/* Adds "is not a field of ..." for every member of o not in allowed (NULL-terminated). */
void json_refuse_unknown(const json_t *o, const char *const *allowed, const char *what,
                         struct verrs *errs);
/* The string member name; NULL and a reason in errs if absent (when required) or not a string. */
const char *json_member_str(const json_t *o, const char *name, bool required, size_t maxlen,
                            struct verrs *errs);
/* The bits of the list of names member name (each known to parse, none twice); dflt when
 * absent; 0 and a reason in errs when malformed. */
unsigned json_member_names(const json_t *o, const char *name, unsigned (*parse)(const char *),
                           unsigned dflt, struct verrs *errs);
/* The names of the bits set, in bit order. */
json_t *json_names(unsigned bits, const char *(*name_of)(unsigned));
/* Sets key to the RFC 3339 form of t, unless t is 0 ("not yet"). */
void json_set_time(json_t *o, const char *key, int64_t t);
/* ["technical", "diplomatic"] as far as kinds (KIND_BIT()s) holds them. */
json_t *json_kinds(unsigned kinds);
/* Fills resp with status and the compact JSON of o (stolen). */
void resp_json(struct api_resp *resp, unsigned status, json_t *o);
void resp_header(struct api_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Cursors: an opaque string for "after (a, b)", two non-empty parts without "|". */
#define CURSOR_RAW_MAX 96
#define CURSOR_MAX     128 /* its base64url form */
void cursor_pack(const char *a, const char *b, char *out, size_t outlen);
bool cursor_unpack(const char *cursor, char *a, size_t asize, char *b, size_t bsize);
/* Directory cursors: "after this state and sort key". */
void cursor_encode(const char *state, const char *key, char *out, size_t outlen);
bool cursor_decode(const char *cursor, char state[STATE_SIZE], char key[SORTKEY_SIZE]);
/* Page size from ?limit=, default def, 1..max; false (and a 400 in resp) if malformed. */
bool query_limit(struct api_req *req, struct api_resp *resp, size_t def, size_t max, size_t *out);
/* The revision an If-Match header ("ID-REV" or "ID-REV.stale") names for object id, or -1
 * if it names another. */
int64_t if_match_revision(const char *header, const char *id);
/* Whether an If-None-Match header matches etag. */
bool etag_matches(const char *header, const char *etag);
/* The request's state: size zeroed bytes, wiped and freed when the request ends. NULL (with a
 * 503 in resp) when memory is short. */
void *req_state(struct api_req *req, struct api_resp *resp, size_t size);
/* Frees what the state points to when the request ends (before the state is wiped), also
 * when the client went away and the continuation never ran. */
void req_state_cleanup(struct api_req *req, void (*cleanup)(void *state));
/* A core op's done callback: wakes the request passed as arg. */
void req_wake(void *arg);
/* What a handler returns after submitting a core op: API_PENDING with cont to finish, or, when
 * the submit failed with err, a problem and API_DONE. */
enum api_result req_pending(struct api_req *req, struct api_resp *resp, enum pocd_err err,
                            void (*cont)(struct api_req *req, struct api_resp *resp));
/* Answers with the shared body b (its reference passes to resp), or 304 when If-None-Match
 * names it. */
void resp_blob(struct api_req *req, struct api_resp *resp, struct blob *b);
/* Moves a 200 body of resp into the response cache under key at generation gen, then answers
 * from the cached copy (with its ETag). Leaves any other response as it is. */
void resp_cache_store(struct api_req *req, struct api_resp *resp, struct resp_cache *cache,
                      const char *key, uint64_t gen);
/* A read connection for this thread, or NULL with a 503 in resp. */
struct store_conn *reader(struct api_req *req, struct api_resp *resp);

/* apikeys.c: whether the caller manages its state's API keys and webhooks; false with a 403. */
bool may_manage_machines(struct api_req *req, struct api_resp *resp);

/* Route handlers, by file. */
enum api_result h_login(struct api_req *req, struct api_resp *resp);
enum api_result h_apikey_create(struct api_req *req, struct api_resp *resp);
enum api_result h_apikeys(struct api_req *req, struct api_resp *resp);
enum api_result h_apikey_revoke(struct api_req *req, struct api_resp *resp);
enum api_result h_webhook_create(struct api_req *req, struct api_resp *resp);
enum api_result h_webhooks(struct api_req *req, struct api_resp *resp);
enum api_result h_webhook_delete(struct api_req *req, struct api_resp *resp);
enum api_result h_webhook_deliveries(struct api_req *req, struct api_resp *resp);
enum api_result h_logout(struct api_req *req, struct api_resp *resp);
enum api_result h_me(struct api_req *req, struct api_resp *resp);
enum api_result h_password(struct api_req *req, struct api_resp *resp);
enum api_result h_totp_begin(struct api_req *req, struct api_resp *resp);
enum api_result h_totp_confirm(struct api_req *req, struct api_resp *resp);
enum api_result h_totp_remove(struct api_req *req, struct api_resp *resp);
enum api_result h_enrol(struct api_req *req, struct api_resp *resp);
enum api_result h_enrolment_create(struct api_req *req, struct api_resp *resp);
enum api_result h_states(struct api_req *req, struct api_resp *resp);
enum api_result h_state(struct api_req *req, struct api_resp *resp);
enum api_result h_state_patch(struct api_req *req, struct api_resp *resp);
enum api_result h_state_pocs(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_create(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_get(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_put(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_delete(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_history(struct api_req *req, struct api_resp *resp);
/* pocs.c: the ETag of a PoC as today ("YYYY-MM-DD") shows it. */
void poc_etag(const struct poc *p, const char *today, char *out, size_t outlen);
enum api_result h_poc_changes(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_change_confirm(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_change_cancel(struct api_req *req, struct api_resp *resp);
/* poc_changes.c: the pending changes of the caller's state's PoCs, for GET /api/v1/me (new
 * reference; NULL for the Secretariat, a state not taking part, or on failure). */
json_t *api_pending_changes(struct api_req *req);
enum api_result h_directory(struct api_req *req, struct api_resp *resp);
enum api_result h_accounts(struct api_req *req, struct api_resp *resp);
enum api_result h_account_patch(struct api_req *req, struct api_resp *resp);
/* recovery.c */
enum api_result h_account_reset(struct api_req *req, struct api_resp *resp);
enum api_result h_reset(struct api_req *req, struct api_resp *resp);
enum api_result h_reenrol(struct api_req *req, struct api_resp *resp);
enum api_result h_reenrol_cancel(struct api_req *req, struct api_resp *resp);
enum api_result h_notices(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_send(struct api_req *req, struct api_resp *resp);
bool attachment_sink_open(struct api_req *req, struct api_resp *resp);
enum api_result h_attachment_upload(struct api_req *req, struct api_resp *resp);
enum api_result h_attachment_get(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_list(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_get(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_ack(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_reply(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_close(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_ack_link(struct api_req *req, struct api_resp *resp);
enum api_result h_templates(struct api_req *req, struct api_resp *resp);
enum api_result h_report(struct api_req *req, struct api_resp *resp);
enum api_result h_test_clock(struct api_req *req, struct api_resp *resp);
enum api_result h_campaign_create(struct api_req *req, struct api_resp *resp);
enum api_result h_campaigns(struct api_req *req, struct api_resp *resp);
enum api_result h_campaign(struct api_req *req, struct api_resp *resp);
enum api_result h_campaign_results(struct api_req *req, struct api_resp *resp);
enum api_result h_ping_report(struct api_req *req, struct api_resp *resp);
enum api_result h_pings(struct api_req *req, struct api_resp *resp);
enum api_result h_ping_answer(struct api_req *req, struct api_resp *resp);
enum api_result h_ping_answer_link(struct api_req *req, struct api_resp *resp);
enum api_result h_tasks(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_confirm(struct api_req *req, struct api_resp *resp);
enum api_result h_poc_key_put(struct api_req *req, struct api_resp *resp);
enum api_result h_service(struct api_req *req, struct api_resp *resp);
enum api_result h_log_checkpoint(struct api_req *req, struct api_resp *resp);
enum api_result h_log_key(struct api_req *req, struct api_resp *resp);
enum api_result h_log_inclusion(struct api_req *req, struct api_resp *resp);
enum api_result h_log_consistency(struct api_req *req, struct api_resp *resp);
enum api_result h_log_leaves(struct api_req *req, struct api_resp *resp);
enum api_result h_receipt(struct api_req *req, struct api_resp *resp);
enum api_result h_broadcast_send(struct api_req *req, struct api_resp *resp);
enum api_result h_broadcasts(struct api_req *req, struct api_resp *resp);
enum api_result h_comm_receipts(struct api_req *req, struct api_resp *resp);
enum api_result h_witnesses(struct api_req *req, struct api_resp *resp);
enum api_result h_witness_add(struct api_req *req, struct api_resp *resp);
enum api_result h_cosign(struct api_req *req, struct api_resp *resp);

struct receipt;
struct leaf_ref;
/* A receipt as the API gives it: event_id, leaf, index, checkpoint, proof. */
json_t *receipt_json(const struct receipt *rc);
/* Adds "receipt" to o for the caller's leaf of a write just committed (none if ref has none). */
void add_receipt(struct api_req *req, json_t *o, const struct leaf_ref *ref);
enum api_result h_healthz(struct api_req *req, struct api_resp *resp);
enum api_result h_metrics(struct api_req *req, struct api_resp *resp);

/* The CSRF token that goes with a session token (router.c). */
void api_csrf_token(const char *session_token, char out[TOKEN_SIZE]);
/* The metrics token check lives in ops.c; the router asks it for /metrics. */
bool metrics_token_ok(struct api *a, const char *bearer);

#endif

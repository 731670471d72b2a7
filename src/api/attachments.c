/* Attachments: the upload, streamed to disk as it arrives, and the download to the parties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handlers.h"
#include "core/attachment.h"
#include "core/authz.h"

/* The request's state: the sink the HTTP layer writes to, over the upload. */
struct upload_state {
	struct api_sink sink;
	struct upload up;
};

static bool
sink_write(struct api_sink *s, const char *data, size_t n)
{
	struct upload_state *us = container_of(s, struct upload_state, sink);

	return upload_write(&us->up, data, n);
}

static void
free_upload(void *state)
{
	upload_discard(&((struct upload_state *)state)->up);
}

static void
over_quota(struct api_resp *resp, const char *why)
{
	problem_status(resp, 413, "attachment-quota", "Attachment quota reached", why);
}

/* The state's quota of unreferenced uploads, checked with the declared length when there is
 * one (a body without one is checked against it when complete). False with the answer. */
static bool
within_quota(struct api_req *req, struct api_resp *resp, struct upload_state *us)
{
	struct store_conn *c = reader(req, resp);
	const char *cl = req->header(req, "Content-Length");
	long long declared = cl != NULL ? strtoll(cl, NULL, 10) : 0;
	enum pocd_err err;

	if (c == NULL)
		return false;
	err = attachment_quota_check(req->api->core, c, req->who.state,
	                             declared > 0 ? (int64_t)declared : 0, us->up.why,
	                             sizeof(us->up.why));
	if (err == POCD_ETHROTTLED)
		over_quota(resp, us->up.why);
	else if (err != POCD_OK)
		problem(resp, err, "attachments cannot be stored now: retry later");
	return err == POCD_OK;
}

/* POST /api/v1/attachments?filename=NAME with the raw bytes: who may upload and what the
 * upload is called are settled before a byte of it is read. */
bool
attachment_sink_open(struct api_req *req, struct api_resp *resp)
{
	struct upload_state *us;
	struct verrs errs = {0};
	enum pocd_err err;

	if (authz_send_comm(&req->who) != POCD_OK) {
		problem(resp, POCD_EFORBIDDEN,
		        "only the accounts of a participating state upload attachments");
		return false;
	}
	us = req_state(req, resp, sizeof(*us));
	if (us == NULL)
		return false;
	us->up.fd = -1; /* nothing to close until upload_begin opens it */
	req_state_cleanup(req, free_upload);
	attachment_meta(req->query(req, "filename"), req->header(req, "Content-Type"), &us->up.a,
	                &errs);
	if (errs.n > 0) {
		problem_fields(resp, &errs);
		return false;
	}
	if (!within_quota(req, resp, us))
		return false;
	err = upload_begin(req->api->core, &us->up, &req->who);
	if (err != POCD_OK) {
		problem(resp, err, "attachments cannot be stored now: retry later");
		return false;
	}
	us->sink.write = sink_write;
	us->sink.limit = req->api->core->cfg.attachment_limit;
	req->sink = &us->sink;
	return true;
}

static void
upload_cont(struct api_req *req, struct api_resp *resp)
{
	struct upload_state *us = req->state;
	const struct attachment *a = &us->up.a;

	if (us->up.status == POCD_ETHROTTLED) {
		over_quota(resp, us->up.why);
		return;
	}
	if (us->up.status != POCD_OK) {
		problem(resp, us->up.status, "the attachment could not be stored: send it again");
		return;
	}
	resp_json(resp, 201,
	          json_pack("{s:s,s:s,s:I,s:s,s:s}", "id", a->id, "sha256", a->sha256, "size",
	                    (json_int_t)a->size, "filename", a->filename, "media_type",
	                    a->media_type));
	resp_header(resp, "Location", "/api/v1/attachments/%s", a->id);
}

enum api_result
h_attachment_upload(struct api_req *req, struct api_resp *resp)
{
	struct upload_state *us = req->state;

	if (us == NULL || req->sink == NULL) {
		problem(resp, POCD_EUNAVAILABLE, NULL);
		return API_DONE;
	}
	if (us->up.a.size == 0) {
		upload_discard(&us->up);
		problem_field(resp, POCD_EINVAL, "body", "is empty: send the file's bytes");
		return API_DONE;
	}
	if (us->up.write_failed) {
		upload_discard(&us->up);
		problem(resp, POCD_EUNAVAILABLE,
		        "the attachment could not be written: retry later");
		return API_DONE;
	}
	us->up.done = req_wake;
	us->up.arg = req;
	return req_pending(req, resp, upload_finish(&us->up), upload_cont);
}

/* filename*= of RFC 8187 (UTF-8, percent-encoded), and a plain ASCII stand-in for old
 * clients, in which anything but letters, digits, ".", "-" and "_" becomes "_". */
static void
disposition(const char *name, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	char plain[65], enc[ATTACH_NAME_MAX * 3 + 1];
	size_t p = 0, e = 0;

	for (const unsigned char *s = (const unsigned char *)name; *s != '\0'; s++) {
		bool safe = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		            (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_';
		if (p + 1 < sizeof(plain))
			plain[p++] = safe ? (char)*s : '_';
		if (safe) {
			enc[e++] = (char)*s;
		} else {
			enc[e++] = '%';
			enc[e++] = hex[*s >> 4];
			enc[e++] = hex[*s & 15];
		}
	}
	plain[p] = '\0';
	enc[e] = '\0';
	snprintf(out, outlen, "attachment; filename=\"%s\"; filename*=UTF-8''%s", plain, enc);
}

/* GET /api/v1/attachments/{id}: the bytes, to the state that uploaded it while nothing
 * references it, then to the parties who may read the communication's content. Never as
 * active content: always application/octet-stream, to be saved. */
enum api_result
h_attachment_get(struct api_req *req, struct api_resp *resp)
{
	struct store_conn *c = reader(req, resp);
	struct attachment a;
	uint8_t raw[32];
	char cd[sizeof(resp->hdr[0].value)],
	    b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	enum pocd_err err;
	int fd;

	if (c == NULL)
		return API_DONE;
	err = attachment_open_for(req->api->core, c, &req->who, req->params[0], &a, &fd);
	if (err != POCD_OK) {
		problem(resp, err,
		        err == POCD_ENOTFOUND ? "there is no attachment with this id for you"
		                              : NULL);
		return API_DONE;
	}
	resp->status = 200;
	resp->content_type = "application/octet-stream";
	resp->fd = fd;
	resp->has_fd = true;
	resp->len = (size_t)a.size;
	disposition(a.filename, cd, sizeof(cd));
	resp_header(resp, "Content-Disposition", "%s", cd);
	resp_header(resp, "X-Pocd-Sha256", "%s", a.sha256);
	sodium_hex2bin(raw, sizeof(raw), a.sha256, 64, NULL, NULL, NULL);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	resp_header(resp, "Repr-Digest", "sha-256=:%s:", b64);
	return API_DONE;
}

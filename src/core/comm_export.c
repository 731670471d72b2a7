#include "core/comm_export.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/timeutil.h"

#define IODEF_NS "urn:ietf:params:xml:ns:iodef-2.0"

static const char *
name_of(const struct export_names *names, const char *code)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->s[i].code, code) == 0 && names->s[i].name[0] != '\0')
			return names->s[i].name;
	return code;
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Text as XML character data or an attribute value: &, <, >, " and line breaks escaped (the
 * content holds no other control characters). */
static void
xml_text(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\n':
			buf_puts(b, "&#10;");
			break;
		case '\t':
			buf_puts(b, "&#9;");
			break;
		case '\r':
			buf_puts(b, "&#13;");
			break;
		default:
			buf_add(b, s, 1);
		}
	}
}

/* <NAME ATTRS>text</NAME> with the text escaped; attrs is trusted markup or "". */
static void
xml_elem(struct buf *b, const char *indent, const char *name, const char *attrs, const char *text)
{
	buf_printf(b, "%s<%s%s>", indent, name, attrs);
	xml_text(b, text);
	buf_printf(b, "</%s>\n", name);
}

static void
xml_lang_text(struct buf *b, const char *indent, const char *name, const json_t *tagged)
{
	buf_printf(b, "%s<%s xml:lang=\"", indent, name);
	xml_text(b, str(tagged, "lang"));
	buf_puts(b, "\">");
	xml_text(b, str(tagged, "text"));
	buf_printf(b, "</%s>\n", name);
}

/* RFC 7970 restriction-type for a TLP 2.0 label. */
static const char *
iodef_restriction(const char *tlp)
{
	if (strcmp(tlp, "CLEAR") == 0)
		return "restriction=\"white\"";
	if (strcmp(tlp, "GREEN") == 0)
		return "restriction=\"green\"";
	if (strcmp(tlp, "AMBER") == 0)
		return "restriction=\"amber\"";
	if (strcmp(tlp, "RED") == 0)
		return "restriction=\"red\"";
	return "restriction=\"ext-value\" ext-restriction=\"amber-strict\"";
}

/* An indicator's Observable: an Address of an RFC 7970 category where there is one. */
static void
iodef_observable(struct buf *b, const char *type, const char *value)
{
	static const struct {
		const char *type, *category;
	} addr[] = {{"ipv4", "ipv4-addr"},
	            {"ipv6", "ipv6-addr"},
	            {"email", "e-mail"},
	            {"url", "site-uri"},
	            {"asn", "asn"}};
	char attrs[64];

	buf_puts(b, "        <Observable>\n");
	for (size_t i = 0; i < sizeof(addr) / sizeof(addr[0]); i++)
		if (strcmp(type, addr[i].type) == 0) {
			snprintf(attrs, sizeof(attrs), " category=\"%s\"", addr[i].category);
			/* An AS number is the number alone. */
			xml_elem(b, "          ", "Address", attrs,
			         strcmp(type, "asn") == 0 ? value + 2 : value);
			buf_puts(b, "        </Observable>\n");
			return;
		}
	if (strcmp(type, "cidr") == 0) {
		xml_elem(b, "          ", "Address",
		         strchr(value, ':') != NULL ? " category=\"ipv6-net\""
		                                    : " category=\"ipv4-net\"",
		         value);
	} else {
		snprintf(attrs, sizeof(attrs), " dtype=\"string\" meaning=\"%s\"", type);
		xml_elem(b, "          ", "AdditionalData", attrs, value);
	}
	buf_puts(b, "        </Observable>\n");
}

static const char *
iodef_purpose(const char *type)
{
	if (strcmp(type, "notification") == 0)
		return "reporting";
	if (strcmp(type, "request_assistance") == 0)
		return "mitigation";
	return "other";
}

char *
comm_iodef(const struct comm *cm, const json_t *content, const struct export_names *names,
           const char *issuer, int64_t now, size_t *len)
{
	const json_t *incident = json_object_get(content, "incident"), *v;
	const char *status = str(incident, "status");
	char t[RFC3339_SIZE];
	struct buf b;
	size_t i;
	int64_t at;

	buf_init(&b);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<IODEF-Document version=\"2.00\" xml:lang=\"en\" xmlns=\"" IODEF_NS "\">\n");
	buf_printf(&b, "  <Incident purpose=\"%s\"", iodef_purpose(cm->type));
	if (status != NULL)
		buf_printf(&b, " status=\"%s\"",
		           strcmp(status, "resolved") == 0 ? "resolved" : "in-progress");
	buf_printf(&b, " %s>\n", iodef_restriction(cm->tlp));
	buf_puts(&b, "    <IncidentID name=\"");
	xml_text(&b, issuer);
	buf_puts(&b, "\">");
	xml_text(&b, cm->id);
	buf_puts(&b, "</IncidentID>\n");
	if (str(incident, "detected") != NULL && parse_rfc3339(str(incident, "detected"), &at)) {
		fmt_rfc3339(at, t);
		xml_elem(&b, "    ", "DetectTime", "", t);
	}
	if (str(incident, "first_seen") != NULL &&
	    parse_rfc3339(str(incident, "first_seen"), &at)) {
		fmt_rfc3339(at, t);
		xml_elem(&b, "    ", "StartTime", "", t);
	}
	fmt_rfc3339(cm->created_at, t);
	xml_elem(&b, "    ", "ReportTime", "", t);
	fmt_rfc3339(now, t);
	xml_elem(&b, "    ", "GenerationTime", "", t);
	xml_lang_text(&b, "    ", "Description", json_object_get(content, "subject"));
	xml_lang_text(&b, "    ", "Description", json_object_get(content, "description"));
	buf_puts(&b, "    <Contact role=\"creator\" type=\"organization\">\n");
	xml_elem(&b, "      ", "ContactName", "", name_of(names, cm->sender_state));
	buf_puts(&b, "    </Contact>\n");
	for (i = 0; i < cm->nrecipients; i++) {
		buf_puts(&b, "    <Contact role=\"irt\" type=\"organization\">\n");
		xml_elem(&b, "      ", "ContactName", "", name_of(names, cm->r[i].state));
		buf_puts(&b, "    </Contact>\n");
	}
	if (json_array_size(json_object_get(content, "indicators")) > 0)
		buf_puts(&b, "    <IndicatorData>\n");
	json_array_foreach(json_object_get(content, "indicators"), i, v)
	{
		/* An IndicatorID is unique in the document and an NCName: "pocd-ID-N". */
		buf_puts(
		    &b,
		    "      <Indicator>\n        <IndicatorID name=\"pocd\" version=\"1\">pocd-");
		xml_text(&b, cm->id);
		buf_printf(&b, "-%zu</IndicatorID>\n", i + 1);
		iodef_observable(&b, str(v, "type"), str(v, "value"));
		buf_puts(&b, "      </Indicator>\n");
	}
	if (json_array_size(json_object_get(content, "indicators")) > 0)
		buf_puts(&b, "    </IndicatorData>\n");
	json_array_foreach(json_object_get(content, "attachments"), i, v)
	{
		buf_puts(&b, "    <AdditionalData dtype=\"string\" meaning=\"attachment sha256: ");
		xml_text(&b, str(v, "filename"));
		buf_puts(&b, "\">");
		xml_text(&b, str(v, "sha256"));
		buf_puts(&b, "</AdditionalData>\n");
	}
	buf_puts(&b, "  </Incident>\n</IODEF-Document>\n");
	if (b.oom) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, len);
}

/* "TYPE--UUID": a version 4 UUID whose bits come from SHA-256 of the communication's id and
 * what, so an export names the same objects the same way every time. */
static void
stix_id(const char *type, const char *comm_id, const char *what, char *out, size_t outlen)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)"pocd-stix:", 10);
	crypto_hash_sha256_update(&st, (const uint8_t *)comm_id, strlen(comm_id));
	crypto_hash_sha256_update(&st, (const uint8_t *)":", 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)what, strlen(what));
	crypto_hash_sha256_final(&st, h);
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x40);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	snprintf(out, outlen,
	         "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", type,
	         h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
	         h[13], h[14], h[15]);
}

/* A STIX pattern string literal: ' and \ escaped. */
static void
stix_literal(struct buf *b, const char *s)
{
	buf_puts(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			buf_puts(b, "\\");
		buf_add(b, s, 1);
	}
	buf_puts(b, "'");
}

/* The STIX pattern of an indicator, or false for a type that is no observable (cve). */
static bool
stix_pattern(const char *type, const char *value, struct buf *b)
{
	static const struct {
		const char *type, *path;
	} paths[] = {
	    {"ipv4", "ipv4-addr:value"},     {"ipv6", "ipv6-addr:value"},
	    {"domain", "domain-name:value"}, {"url", "url:value"},
	    {"email", "email-addr:value"},   {"md5", "file:hashes.MD5"},
	    {"sha1", "file:hashes.'SHA-1'"}, {"sha256", "file:hashes.'SHA-256'"},
	};

	if (strcmp(type, "asn") == 0) {
		buf_printf(b, "[autonomous-system:number = %s]", value + 2);
		return true;
	}
	if (strcmp(type, "cidr") == 0) {
		buf_printf(b, "[%s:value ISSUBSET ",
		           strchr(value, ':') ? "ipv6-addr" : "ipv4-addr");
		stix_literal(b, value);
		buf_puts(b, "]");
		return true;
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(type, paths[i].type) == 0) {
			buf_printf(b, "[%s = ", paths[i].path);
			stix_literal(b, value);
			buf_puts(b, "]");
			return true;
		}
	return false;
}

/* STIX's TLP 1.0 marking definitions (STIX 2.1, 7.2.1.4) for a TLP 2.0 label. */
static const char *
stix_tlp(const char *tlp)
{
	if (strcmp(tlp, "CLEAR") == 0)
		return "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";
	if (strcmp(tlp, "GREEN") == 0)
		return "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
	if (strcmp(tlp, "RED") == 0)
		return "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
	return "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
}

/* The properties every SDO of the bundle shares. */
static json_t *
sdo(const char *type, const char *id, const char *ts, const char *created_by, const char *tlp)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", type, "spec_version", "2.1", "id",
	                      id, "created", ts, "modified", ts);

	if (o != NULL && created_by != NULL)
		json_object_set_new(o, "created_by_ref", json_string(created_by));
	if (o != NULL && tlp != NULL) {
		json_object_set_new(o, "object_marking_refs", json_pack("[s]", stix_tlp(tlp)));
		json_object_set_new(o, "x_pocd_tlp", json_string(tlp));
	}
	return o;
}

static json_t *
identity(const struct export_names *names, const char *code, const char *ts)
{
	char id[96];
	json_t *o;

	/* A state is the same identity in every export. */
	stix_id("identity", "state", code, id, sizeof(id));
	o = sdo("identity", id, ts, NULL, NULL);
	if (o != NULL) {
		json_object_set_new(o, "name", json_string(name_of(names, code)));
		json_object_set_new(o, "identity_class", json_string("organization"));
		json_object_set_new(o, "x_pocd_state", json_string(code));
	}
	return o;
}

static void
relate(json_t *objs, const struct comm *cm, const char *from, const char *to, const char *ts,
       const char *creator)
{
	char id[96], what[256];
	json_t *o;

	snprintf(what, sizeof(what), "rel:%s:%s", from, to);
	stix_id("relationship", cm->id, what, id, sizeof(id));
	o = sdo("relationship", id, ts, creator, cm->tlp);
	if (o == NULL)
		return;
	json_object_set_new(o, "relationship_type", json_string("related-to"));
	json_object_set_new(o, "source_ref", json_string(from));
	json_object_set_new(o, "target_ref", json_string(to));
	json_array_append_new(objs, o);
}

char *
comm_stix(const struct comm *cm, const json_t *content, const struct export_names *names,
          size_t *len)
{
	char ts[32], creator[96], inc[96], id[96], what[32];
	const char *type, *value;
	json_t *bundle, *objs, *o, *v;
	struct buf pat;
	char *text;
	size_t i;

	fmt_rfc3339(cm->created_at, ts);
	/* STIX timestamps carry milliseconds: "...:00.000Z". */
	memmove(ts + 19, ".000Z", 6);
	objs = json_array();
	if (objs == NULL)
		return NULL;
	stix_id("identity", "state", cm->sender_state, creator, sizeof(creator));
	json_array_append_new(objs, identity(names, cm->sender_state, ts));
	for (i = 0; i < cm->nrecipients; i++)
		json_array_append_new(objs, identity(names, cm->r[i].state, ts));
	stix_id("incident", cm->id, "incident", inc, sizeof(inc));
	o = sdo("incident", inc, ts, creator, cm->tlp);
	if (o != NULL) {
		json_object_set_new(o, "name",
		                    json_string(str(json_object_get(content, "subject"), "text")));
		json_object_set_new(
		    o, "description",
		    json_string(str(json_object_get(content, "description"), "text")));
		json_object_set_new(
		    o, "external_references",
		    json_pack("[{s:s,s:s}]", "source_name", "pocd", "external_id", cm->id));
		json_array_append_new(objs, o);
	}
	for (i = 0; i < cm->nrecipients; i++) {
		char to[96];
		stix_id("identity", "state", cm->r[i].state, to, sizeof(to));
		relate(objs, cm, inc, to, ts, creator);
	}
	json_array_foreach(json_object_get(content, "indicators"), i, v)
	{
		type = str(v, "type");
		value = str(v, "value");
		snprintf(what, sizeof(what), "indicator:%zu", i);
		buf_init(&pat);
		if (stix_pattern(type, value, &pat) && !pat.oom) {
			stix_id("indicator", cm->id, what, id, sizeof(id));
			o = sdo("indicator", id, ts, creator, cm->tlp);
			if (o != NULL) {
				json_object_set_new(o, "name", json_string(value));
				json_object_set_new(o, "pattern", json_string(pat.p));
				json_object_set_new(o, "pattern_type", json_string("stix"));
				json_object_set_new(o, "valid_from", json_string(ts));
				json_array_append_new(objs, o);
			}
		} else {
			stix_id("vulnerability", cm->id, what, id, sizeof(id));
			o = sdo("vulnerability", id, ts, creator, cm->tlp);
			if (o != NULL) {
				json_object_set_new(o, "name", json_string(value));
				json_object_set_new(o, "external_references",
				                    json_pack("[{s:s,s:s}]", "source_name", "cve",
				                              "external_id", value));
				json_array_append_new(objs, o);
			}
		}
		buf_free(&pat);
		relate(objs, cm, id, inc, ts, creator);
	}
	json_array_foreach(json_object_get(content, "attachments"), i, v)
	{
		snprintf(what, sizeof(what), "file:%zu", i);
		stix_id("file", cm->id, what, id, sizeof(id));
		json_array_append_new(objs, json_pack("{s:s,s:s,s:s,s:O,s:O,s:{s:O}}", "type",
		                                      "file", "spec_version", "2.1", "id", id,
		                                      "name", json_object_get(v, "filename"),
		                                      "size", json_object_get(v, "size"), "hashes",
		                                      "SHA-256", json_object_get(v, "sha256")));
	}
	stix_id("bundle", cm->id, "bundle", id, sizeof(id));
	bundle = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", id, "objects", objs);
	if (bundle == NULL)
		return NULL;
	text = json_dumps(bundle, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(bundle);
	if (text != NULL)
		*len = strlen(text);
	return text;
}

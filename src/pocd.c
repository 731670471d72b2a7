/* pocd: the points-of-contact directory daemon. Commands: init, serve. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>

#include "api/api.h"
#include "core/accounts.h"
#include "core/attachment.h"
#include "core/demo.h"
#include "core/backup.h"
#include "core/record.h"
#include "core/scheduler.h"
#include "core/states.h"
#include "core/validate.h"
#include "http/server.h"
#include "lib/log.h"
#include "lib/timeutil.h"
#include "lib/rand.h"
#include "core/keys.h"
#include "mail/mime.h"
#include "mail/pgp.h"
#include "mail/spawn.h"
#include "mail/worker.h"
#include "privs.h"
#include "sandbox.h"

#define CONFIG_LINE_MAX 1024

struct opts {
	char db[1024];
	char archive[1024];              /* backup --to, restore --from */
	char username[USERNAME_MAX + 1]; /* secretariat add */
	char listen[128];
	char metrics_token[256];
	char tls_cert[1024];
	char tls_key[1024];
	char user[64];
	char trusted[HTTP_TRUSTED_MAX][64];
	const char *trusted_ptr[HTTP_TRUSTED_MAX];
	size_t ntrusted;
	unsigned threads;
	unsigned conn_limit;
	unsigned conn_timeout;
	unsigned rate_limit;
	size_t header_limit;
	size_t body_limit;
	size_t attachment_limit;
	size_t attachment_quota;
	long session_ttl;
	long campaign_chunk;
	int64_t ack_after[3]; /* 0: the default; by urgency: routine, priority, urgent */
	int64_t answer_after[3];
	int demo;
	int test;
	int test_clock;
	int no_log;
	int no_seccomp;
	int require_2fa;
	long transition_days; /* log rotate-key; -1: the default */
	int quiet;
	char smtp[512]; /* "" without mail */
	char mail_from[MIME_ADDR_MAX + 1];
	char smtp_tls[16];    /* "", "none" or "starttls" */
	char public_url[256]; /* "": http://LISTEN */
	char smtp_user[256];  /* config file or environment only */
	char smtp_password[256];
	long retry_base;
	int notify_fd;
	int webhook_allow_private;
	char webhook_ca[1024]; /* "": the system's trust store */
};

static void
usage(FILE *f)
{
	fputs(
	    "usage: pocd init --db PATH [--demo] [--test]\n"
	    "       pocd serve --db PATH [--listen ADDR:PORT] [--config FILE] [--threads N]\n"
	    "                  [--conn-limit N] [--timeout SECONDS] [--session-ttl SECONDS]\n"
	    "                  [--metrics-token TOKEN] [--quiet] [--test-clock] [--no-log]\n"
	    "                  [--require-second-factor] [--campaign-chunk N]\n"
	    "                  [--deadline-routine ACK/ANSWER] [--deadline-priority ACK/ANSWER]\n"
	    "                  [--deadline-urgent ACK/ANSWER]\n"
	    "                  [--smtp URL --mail-from ADDR [--smtp-tls none|starttls]\n"
	    "                   [--public-url URL] [--mail-retry-base SECONDS]]\n"
	    "                  [--tls-cert FILE --tls-key FILE] [--trusted-proxy ADDR]...\n"
	    "                  [--rate-limit N] [--header-limit BYTES] [--body-limit BYTES]\n"
	    "                  [--attachment-limit BYTES] [--attachment-quota BYTES]\n"
	    "                  [--user NAME] [--no-seccomp]\n"
	    "                  [--webhook-allow-private] [--webhook-ca FILE]\n"
	    "\n"
	    "init creates the database, the 193 states and the Secretariat account; --demo adds\n"
	    "the demo directory and writes its logins to PATH.credentials.json (mode 0600);\n"
	    "--test marks a database for tests. serve answers the API on ADDR:PORT\n"
	    "(default 127.0.0.1:8080) until SIGINT or SIGTERM. A config file holds the same\n"
	    "options as lines of 'name = value' (e.g. 'listen = 127.0.0.1:8080').\n"
	    "Deadlines to acknowledge and to answer are durations such as 2h/24h (s, m, h, d).\n"
	    "--test-clock (test databases only) lets POST /api/v1/test/clock move the clock.\n"
	    "--no-log (test databases only) keeps no transparency log, to measure its cost.\n"
	    "--require-second-factor: the Secretariat and states' administrators must log in with\n"
	    "a TOTP code; until they enrol one, their sessions may only enrol.\n"
	    "--tls-cert and --tls-key (PEM; the key mode 0600) serve HTTPS, TLS 1.2 and 1.3.\n"
	    "--trusted-proxy ADDR: requests from ADDR take their client address from\n"
	    "X-Forwarded-For. --rate-limit N: requests per second per client address and per\n"
	    "session (default 50; 0 for none). Limits: headers 16K, bodies 1M, attachments\n"
	    "25M (stored in PATH.attachments/) by default.\n"
	    "--user NAME: started as root, become NAME once bound (the files must be NAME's).\n"
	    "serve refuses a database, -wal, -shm or .logkey file that others may read.\n"
	    "Once started, a seccomp filter confines serve (--no-seccomp: not).\n"
	    "\n"
	    "       pocd backup --db PATH --to FILE\n"
	    "       pocd restore --from FILE --db PATH\n"
	    "backup writes, while pocd may be serving, one consistent snapshot of the database\n"
	    "with the log's keys, PATH.gnupg/ and PATH.attachments/ into FILE (a new file,\n"
	    "mode 0600); restore writes them into a fresh PATH, PATH.logkey and so on, then\n"
	    "verifies the log.\n"
	    "\n"
	    "       pocd log rotate-key --db PATH [--transition-days N]\n"
	    "makes a new log key; the previous one goes on signing beside it for N days\n"
	    "(default 30), and GET /api/v1/log/key lists both meanwhile. Restart serve after.\n"
	    "\n"
	    "       pocd mail rotate-key --db PATH [--transition-days N]\n"
	    "       pocd secretariat add --db PATH --username NAME\n"
	    "makes a new OpenPGP key for the service's mail in PATH.gnupg; the previous one\n"
	    "goes on signing beside it for N days (default 30), and GET /api/v1/service lists\n"
	    "both with the end of the transition. Restart serve after.\n"
	    "\n"
	    "       pocd log verify --db PATH\n"
	    "rebuilds the transparency log from its leaves and checks every leaf against its\n"
	    "event, every stored node, and every checkpoint's root and signature; exit 0 only\n"
	    "when all hold.\n"
	    "\n"
	    "With --smtp (smtp://HOST:PORT or smtps://HOST:PORT) serve starts the mail sender,\n"
	    "pocd mail-worker, as a process of its own; its login comes from the config file\n"
	    "(smtp-user, smtp-password) or POCD_SMTP_USER and POCD_SMTP_PASSWORD, never argv.\n"
	    "Without it the sender still runs, for webhook events only. Webhooks go over HTTPS\n"
	    "to public addresses only; --webhook-allow-private also lets them reach private,\n"
	    "loopback and link-local ones; --webhook-ca FILE: trust these CAs (PEM) for them\n"
	    "instead of the system's.\n",
	    f);
}

static unsigned
parse_uint(const char *name, const char *v, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *v == '\0' || *end != '\0' || *v == '-' || n < min || n > max)
		fatal("--%s %s: expected a whole number from %lu to %lu", name, v, min, max);
	return (unsigned)n;
}

/* "65536", "64K", "1M" in bytes (K and M are 1024 and 1048576). */
static size_t
parse_size(const char *name, const char *v, size_t min, size_t max)
{
	char *end;
	unsigned long long n;
	size_t unit = 1;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end == 'K' || *end == 'k')
		unit = 1024;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024;
	else if (*end == 'G' || *end == 'g')
		unit = 1024 * 1024 * 1024;
	if (unit != 1)
		end++;
	if (errno != 0 || end == v || *v == '-' || *end != '\0' || n > max / unit || n * unit < min)
		fatal("--%s %s: expected a size from %zu to %zu bytes (K, M and G allowed)", name,
		      v, min, max);
	return (size_t)n * unit;
}

/* "90", "90s", "15m", "2h", "14d" in seconds. */
static int64_t
parse_duration(const char *name, const char *v)
{
	char *end;
	long long n;
	int64_t unit = 1;

	n = strtoll(v, &end, 10);
	if (end == v || n < 1)
		goto bad;
	if (*end == 'm')
		unit = 60;
	else if (*end == 'h')
		unit = 3600;
	else if (*end == 'd')
		unit = 86400;
	else if (*end != 's' && *end != '\0')
		goto bad;
	if (*end != '\0' && end[1] != '\0')
		goto bad;
	if (n > 365LL * 86400 / unit)
		goto bad;
	return (int64_t)n * unit;
bad:
	fatal("--%s %s: expected durations such as 2h/24h (s, m, h, d; at most a year)", name, v);
}

static void
set_deadline(struct opts *o, int urgency, const char *name, const char *v)
{
	char ack[32];
	const char *slash = strchr(v, '/');

	if (slash == NULL || (size_t)(slash - v) >= sizeof(ack))
		fatal("--%s %s: expected ACK/ANSWER such as 2h/24h", name, v);
	memcpy(ack, v, (size_t)(slash - v));
	ack[slash - v] = '\0';
	o->ack_after[urgency] = parse_duration(name, ack);
	o->answer_after[urgency] = parse_duration(name, slash + 1);
	if (o->answer_after[urgency] < o->ack_after[urgency])
		fatal("--%s %s: the answer deadline comes before the acknowledgement", name, v);
}

static void
set_str(char *dst, size_t size, const char *name, const char *v)
{
	if (strlcpy(dst, v, size) >= size)
		fatal("--%s: the value is too long", name);
}

static void
add_trusted(struct opts *o, const char *v)
{
	if (o->ntrusted == HTTP_TRUSTED_MAX)
		fatal("--trusted-proxy %s: at most %d trusted proxies", v, HTTP_TRUSTED_MAX);
	set_str(o->trusted[o->ntrusted], sizeof(o->trusted[0]), "trusted-proxy", v);
	o->trusted_ptr[o->ntrusted] = o->trusted[o->ntrusted];
	o->ntrusted++;
}

/* Applies one option by name; used by both the command line and the config file. */
static void
apply(struct opts *o, const char *name, const char *v)
{
	if (strcmp(name, "db") == 0)
		set_str(o->db, sizeof(o->db), name, v);
	else if (strcmp(name, "require-second-factor") == 0 &&
	         (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0))
		o->require_2fa = strcmp(v, "yes") == 0;
	else if (strcmp(name, "transition-days") == 0)
		o->transition_days = (long)parse_uint(name, v, 0, 3650);
	else if (strcmp(name, "username") == 0)
		set_str(o->username, sizeof(o->username), name, v);
	else if (strcmp(name, "to") == 0 || strcmp(name, "from") == 0)
		set_str(o->archive, sizeof(o->archive), name, v);
	else if (strcmp(name, "listen") == 0)
		set_str(o->listen, sizeof(o->listen), name, v);
	else if (strcmp(name, "metrics-token") == 0)
		set_str(o->metrics_token, sizeof(o->metrics_token), name, v);
	else if (strcmp(name, "tls-cert") == 0)
		set_str(o->tls_cert, sizeof(o->tls_cert), name, v);
	else if (strcmp(name, "tls-key") == 0)
		set_str(o->tls_key, sizeof(o->tls_key), name, v);
	else if (strcmp(name, "user") == 0)
		set_str(o->user, sizeof(o->user), name, v);
	else if (strcmp(name, "threads") == 0)
		o->threads = parse_uint(name, v, 1, 256);
	else if (strcmp(name, "conn-limit") == 0)
		o->conn_limit = parse_uint(name, v, 1, 1000000);
	else if (strcmp(name, "timeout") == 0)
		o->conn_timeout = parse_uint(name, v, 1, 3600);
	else if (strcmp(name, "rate-limit") == 0)
		o->rate_limit = parse_uint(name, v, 0, 1000000);
	else if (strcmp(name, "header-limit") == 0)
		o->header_limit = parse_size(name, v, 4096, 1 << 20);
	else if (strcmp(name, "body-limit") == 0)
		o->body_limit = parse_size(name, v, 1024, 64 << 20);
	else if (strcmp(name, "attachment-limit") == 0)
		o->attachment_limit = parse_size(name, v, 1024, 1024u << 20);
	else if (strcmp(name, "attachment-quota") == 0)
		o->attachment_quota = parse_size(name, v, 1u << 20, (size_t)1 << 40);
	else if (strcmp(name, "trusted-proxy") == 0)
		add_trusted(o, v);
	else if (strcmp(name, "session-ttl") == 0)
		o->session_ttl = parse_uint(name, v, 60, 30 * 24 * 3600);
	else if (strcmp(name, "campaign-chunk") == 0)
		o->campaign_chunk = parse_uint(name, v, 1, 1000000);
	else if (strcmp(name, "deadline-routine") == 0)
		set_deadline(o, 0, name, v);
	else if (strcmp(name, "deadline-priority") == 0)
		set_deadline(o, 1, name, v);
	else if (strcmp(name, "deadline-urgent") == 0)
		set_deadline(o, 2, name, v);
	else if (strcmp(name, "smtp") == 0)
		set_str(o->smtp, sizeof(o->smtp), name, v);
	else if (strcmp(name, "mail-from") == 0)
		set_str(o->mail_from, sizeof(o->mail_from), name, v);
	else if (strcmp(name, "smtp-tls") == 0)
		set_str(o->smtp_tls, sizeof(o->smtp_tls), name, v);
	else if (strcmp(name, "public-url") == 0)
		set_str(o->public_url, sizeof(o->public_url), name, v);
	else if (strcmp(name, "smtp-user") == 0)
		set_str(o->smtp_user, sizeof(o->smtp_user), name, v);
	else if (strcmp(name, "smtp-password") == 0)
		set_str(o->smtp_password, sizeof(o->smtp_password), name, v);
	else if (strcmp(name, "mail-retry-base") == 0)
		o->retry_base = parse_uint(name, v, 1, 86400);
	else if (strcmp(name, "notify-fd") == 0)
		o->notify_fd = (int)parse_uint(name, v, 3, 1024);
	else if (strcmp(name, "webhook-ca") == 0)
		set_str(o->webhook_ca, sizeof(o->webhook_ca), name, v);
	else if (strcmp(name, "webhook-allow-private") == 0 && v[0] != '\0')
		o->webhook_allow_private = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	else
		fatal("unknown option '%s'", name);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
read_config(struct opts *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[CONFIG_LINE_MAX], *eq, *name;
	int n = 0;

	if (f == NULL)
		fatal("cannot read config %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		name = trim(line);
		if (*name == '\0' || *name == '#')
			continue;
		eq = strchr(name, '=');
		if (eq == NULL)
			fatal("%s:%d: expected 'name = value'", path, n);
		*eq = '\0';
		apply(o, trim(name), trim(eq + 1));
	}
	fclose(f);
}

static void
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 0},
	    {"to", required_argument, NULL, 0},
	    {"username", required_argument, NULL, 0},
	    {"transition-days", required_argument, NULL, 0},
	    {"from", required_argument, NULL, 0},
	    {"listen", required_argument, NULL, 0},
	    {"config", required_argument, NULL, 0},
	    {"threads", required_argument, NULL, 0},
	    {"conn-limit", required_argument, NULL, 0},
	    {"timeout", required_argument, NULL, 0},
	    {"rate-limit", required_argument, NULL, 0},
	    {"header-limit", required_argument, NULL, 0},
	    {"body-limit", required_argument, NULL, 0},
	    {"attachment-limit", required_argument, NULL, 0},
	    {"attachment-quota", required_argument, NULL, 0},
	    {"trusted-proxy", required_argument, NULL, 0},
	    {"session-ttl", required_argument, NULL, 0},
	    {"campaign-chunk", required_argument, NULL, 0},
	    {"metrics-token", required_argument, NULL, 0},
	    {"tls-cert", required_argument, NULL, 0},
	    {"tls-key", required_argument, NULL, 0},
	    {"user", required_argument, NULL, 0},
	    {"deadline-routine", required_argument, NULL, 0},
	    {"deadline-priority", required_argument, NULL, 0},
	    {"deadline-urgent", required_argument, NULL, 0},
	    {"smtp", required_argument, NULL, 0},
	    {"mail-from", required_argument, NULL, 0},
	    {"smtp-tls", required_argument, NULL, 0},
	    {"public-url", required_argument, NULL, 0},
	    {"mail-retry-base", required_argument, NULL, 0},
	    {"notify-fd", required_argument, NULL, 0},
	    {"webhook-ca", required_argument, NULL, 0},
	    {"webhook-allow-private", no_argument, NULL, 'w'},
	    {"test-clock", no_argument, NULL, 'c'},
	    {"require-second-factor", no_argument, NULL, '2'},
	    {"no-log", no_argument, NULL, 'n'},
	    {"no-seccomp", no_argument, NULL, 's'},
	    {"demo", no_argument, NULL, 'd'},
	    {"test", no_argument, NULL, 't'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->transition_days = -1;
	strlcpy(o->listen, "127.0.0.1:8080", sizeof(o->listen));
	o->conn_limit = 4096;
	o->conn_timeout = 30;
	o->rate_limit = 50;
	o->header_limit = 16 * 1024;
	o->body_limit = 1 << 20;
	o->attachment_limit = ATTACH_LIMIT_DEFAULT;
	o->attachment_quota = ATTACH_QUOTA_DEFAULT;
	o->retry_base = MAIL_RETRY_BASE_DEFAULT;
	o->notify_fd = -1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		switch (c) {
		case 0:
			if (strcmp(longopts[idx].name, "config") == 0)
				read_config(o, optarg);
			else
				apply(o, longopts[idx].name, optarg);
			break;
		case 'd':
			o->demo = 1;
			break;
		case 't':
			o->test = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'c':
			o->test_clock = 1;
			break;
		case '2':
			o->require_2fa = 1;
			break;
		case 'n':
			o->no_log = 1;
			break;
		case 's':
			o->no_seccomp = 1;
			break;
		case 'w':
			o->webhook_allow_private = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pocd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	if (o->db[0] == '\0')
		fatal("--db PATH is required");
}

static struct core *
open_core(const struct opts *o, struct store **st)
{
	struct core_config cc;
	struct core *c;
	char msg[512];

	if (store_open(o->db, st, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	core_config_defaults(&cc);
	if (o->session_ttl > 0)
		cc.session_ttl = o->session_ttl;
	for (int u = 0; u < 3; u++)
		if (o->ack_after[u] > 0) {
			cc.ack_after[u] = o->ack_after[u];
			cc.answer_after[u] = o->answer_after[u];
		}
	if (o->test_clock && !store_is_test(*st))
		fatal("--test-clock: %s was not created with pocd init --test", o->db);
	/* A database that went without its log cannot prove what happened meanwhile. */
	if (o->no_log && !store_is_test(*st))
		fatal("--no-log: %s was not created with pocd init --test", o->db);
	cc.test_clock = o->test_clock;
	cc.require_second_factor = o->require_2fa;
	cc.attachment_limit = o->attachment_limit;
	cc.attachment_quota = o->attachment_quota;
	cc.webhook_allow_private = o->webhook_allow_private;
	if (o->campaign_chunk > 0)
		cc.campaign_chunk = (size_t)o->campaign_chunk;
	c = core_new(*st, &cc);
	if (c == NULL)
		fatal("cannot start the core services: out of memory");
	return c;
}

static int
cmd_init(const struct opts *o)
{
	struct store *st;
	struct core *c;
	struct account sec;
	char msg[512], pw[TOKEN_SIZE], cred[1100];
	enum pocd_err err;

	if (store_create(o->db, o->test, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	c = open_core(o, &st);
	if (record_open(c, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	err = states_seed(c);
	if (err != POCD_OK)
		fatal("cannot load the states: %s", pocd_err_name(err));
	rand_token(pw);
	pw[24] = '\0';
	err = accounts_create_sync(c, "secretariat", pw, ROLE_SECRETARIAT, NULL, &sec);
	if (err != POCD_OK)
		fatal("cannot create the Secretariat account: %s", pocd_err_name(err));
	if (o->demo) {
		if ((size_t)snprintf(cred, sizeof(cred), "%s.credentials.json", o->db) >=
		    sizeof(cred))
			fatal("--db: the path is too long");
		err = demo_populate(c, cred, "secretariat", pw);
		if (err != POCD_OK)
			fatal("cannot create the demo data: %s", pocd_err_name(err));
	} else {
		printf("created %s\nSecretariat login: secretariat / %s\n"
		       "(shown once: keep it safe)\n",
		       o->db, pw);
	}
	sodium_memzero(pw, sizeof(pw));
	core_free(c);
	store_close(st);
	return 0;
}

/* Checks the mail options and fills in their defaults: the public URL from --listen, and
 * STARTTLS required except towards a relay on the loopback. */
static void
mail_settings(struct opts *o)
{
	const char *host;
	size_t n;

	if (o->smtp[0] == '\0')
		return;
	if (strncmp(o->smtp, "smtp://", 7) != 0 && strncmp(o->smtp, "smtps://", 8) != 0)
		fatal("--smtp %s: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]", o->smtp);
	if (!mime_addr_ok(o->mail_from))
		fatal("--smtp needs --mail-from ADDR, a plain address such as pocd@example.org");
	if (o->smtp_tls[0] == '\0') {
		host = o->smtp + (o->smtp[4] == 's' ? 8 : 7);
		n = strcspn(host, ":/");
		bool loopback = (n == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
		                (n == 9 && strncmp(host, "localhost", 9) == 0) ||
		                strncmp(host, "[::1]", 5) == 0;
		strlcpy(o->smtp_tls, o->smtp[4] == 's' || loopback ? "none" : "starttls",
		        sizeof(o->smtp_tls));
	}
	if (strcmp(o->smtp_tls, "none") != 0 && strcmp(o->smtp_tls, "starttls") != 0)
		fatal("--smtp-tls %s: expected none or starttls", o->smtp_tls);
	if (o->public_url[0] == '\0')
		snprintf(o->public_url, sizeof(o->public_url), "http://%s", o->listen);
	n = strlen(o->public_url);
	while (n > 0 && o->public_url[n - 1] == '/')
		o->public_url[--n] = '\0';
	if ((strncmp(o->public_url, "http://", 7) != 0 &&
	     strncmp(o->public_url, "https://", 8) != 0) ||
	    strspn(o->public_url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	                          "-._~:/[]") != n)
		fatal("--public-url %s: expected http(s)://HOST[:PORT][/PATH] (links in mail start "
		      "with it)",
		      o->public_url);
	if (o->smtp_user[0] == '\0' && getenv("POCD_SMTP_USER") != NULL)
		set_str(o->smtp_user, sizeof(o->smtp_user), "smtp-user", getenv("POCD_SMTP_USER"));
	if (o->smtp_password[0] == '\0' && getenv("POCD_SMTP_PASSWORD") != NULL)
		set_str(o->smtp_password, sizeof(o->smtp_password), "smtp-password",
		        getenv("POCD_SMTP_PASSWORD"));
}

/* The keyring of the mail sender: beside the database, backed up with it. */
static void
gnupg_home(const struct opts *o, char *out, size_t outlen)
{
	if ((size_t)snprintf(out, outlen, "%s.gnupg", o->db) >= outlen)
		fatal("--db: the path is too long");
}

/* Makes the service's mail-signing key on first start and publishes its fingerprint. */
static void
service_key(const struct opts *o, struct core *c)
{
	char home[1100], uid[MIME_ADDR_MAX + 16], fpr[FPR_SIZE], msg[512];
	struct pgp_keys keys;
	struct pgp *p;

	gnupg_home(o, home, sizeof(home));
	snprintf(uid, sizeof(uid), "pocd <%s>", o->mail_from);
	p = pgp_open(home, uid, fpr, msg, sizeof(msg));
	if (p == NULL)
		fatal("%s", msg);
	pgp_keys(p, &keys);
	pgp_close(p);
	if (keys_set_service(c, keys.current, keys.previous, keys.previous_until) != POCD_OK)
		fatal("cannot record the mail key's fingerprint in %s", o->db);
	log_info("pocd: mail is signed with OpenPGP key %s", fpr);
	if (keys.previous[0] != '\0' && keys.previous_until > now_s())
		log_info("pocd: and, during its transition, with the previous key %s",
		         keys.previous);
}

/* Starts pocd mail-worker beside the server; its login goes in its environment. Without
 * --smtp it sends webhook events only. */
static struct mailer *
start_mailer(const struct opts *o, struct core *c)
{
	char retry[24], user[300], password[300], msg[512];
	char *argv[24] = {"pocd", "mail-worker", "--db", (char *)o->db};
	char *env[3] = {NULL, NULL, NULL};
	size_t n = 0, a = 4;
	struct mailer *m;

	snprintf(retry, sizeof(retry), "%ld", o->retry_base);
	if (o->smtp[0] != '\0') {
		argv[a++] = "--smtp";
		argv[a++] = (char *)o->smtp;
		argv[a++] = "--mail-from";
		argv[a++] = (char *)o->mail_from;
		argv[a++] = "--smtp-tls";
		argv[a++] = (char *)o->smtp_tls;
		argv[a++] = "--public-url";
		argv[a++] = (char *)o->public_url;
	}
	argv[a++] = "--mail-retry-base";
	argv[a++] = retry;
	argv[a++] = "--notify-fd";
	argv[a++] = "3";
	if (o->webhook_allow_private)
		argv[a++] = "--webhook-allow-private";
	if (o->webhook_ca[0] != '\0') {
		argv[a++] = "--webhook-ca";
		argv[a++] = (char *)o->webhook_ca;
	}
	argv[a] = NULL;
	if (o->smtp_user[0] != '\0') {
		snprintf(user, sizeof(user), "POCD_SMTP_USER=%s", o->smtp_user);
		snprintf(password, sizeof(password), "POCD_SMTP_PASSWORD=%s", o->smtp_password);
		env[n++] = user;
		env[n++] = password;
	}
	m = mailer_start(c, argv, env, msg, sizeof(msg));
	sodium_memzero(password, sizeof(password));
	if (m == NULL)
		fatal("cannot start the mail sender: %s", msg);
	return m;
}

static int
cmd_mail_worker(struct opts *o)
{
	struct mail_worker_config mc = {
	    .db = o->db, .retry_base = o->retry_base, .notify_fd = o->notify_fd};
	char home[1100];

	mail_settings(o);
	gnupg_home(o, home, sizeof(home));
	mc.gnupg_home = home;
	mc.webhook.allow_private = o->webhook_allow_private;
	mc.webhook.ca_file = o->webhook_ca[0] ? o->webhook_ca : NULL;
	if (o->smtp[0] == '\0')
		return mail_worker_run(&mc); /* webhook events only */
	mc.smtp.url = o->smtp;
	mc.smtp.starttls = strcmp(o->smtp_tls, "starttls") == 0;
	mc.smtp.user = o->smtp_user[0] ? o->smtp_user : NULL;
	mc.smtp.password = o->smtp_password;
	mc.smtp.from = o->mail_from;
	mc.public_url = o->public_url;
	return mail_worker_run(&mc);
}

static int
cmd_serve(const struct opts *o)
{
	struct api_config ac = {.metrics_token = o->metrics_token[0] ? o->metrics_token : NULL};
	struct http_config hc = {.listen = o->listen,
	                         .threads = o->threads,
	                         .conn_limit = o->conn_limit,
	                         .conn_timeout = o->conn_timeout,
	                         .header_limit = o->header_limit,
	                         .body_limit = o->body_limit,
	                         .rate_limit = o->rate_limit,
	                         .trusted_proxies = o->trusted_ptr,
	                         .ntrusted = o->ntrusted,
	                         .tls_cert = o->tls_cert[0] ? o->tls_cert : NULL,
	                         .tls_key = o->tls_key[0] ? o->tls_key : NULL,
	                         .quiet = o->quiet};
	struct http_server *srv;
	struct mailer *mailer = NULL;
	struct privs_user user;
	struct store *st;
	struct core *c;
	struct api *api;
	sigset_t set;
	char msg[512];
	int sig = 0;

	/* Every thread started from here on inherits the mask; only sigwait sees the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Buffering is set before any other thread can write to stderr. */
	if (log_start() != 0)
		log_info("pocd: log lines are unbuffered (no flusher thread)");
	if (!privs_files_private(o->db, msg, sizeof(msg)))
		fatal("%s", msg);
	if (o->user[0] != '\0' && !privs_user_check(o->user, o->db, &user, msg, sizeof(msg)))
		fatal("%s", msg);
	c = open_core(o, &st);
	msg[0] = '\0';
	if (!o->no_log && record_open(c, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	if (!attachments_open(c, o->db, o->user[0] != '\0' ? user.uid : (uid_t)-1,
	                      o->user[0] != '\0' ? user.gid : (gid_t)-1, msg, sizeof(msg)))
		fatal("%s", msg);
	if (scheduler_start(c) == NULL)
		fatal("cannot start the deadline scheduler");
	api = api_new(c, &ac);
	if (api == NULL)
		fatal("out of memory");
	srv = http_bind(&hc, api, msg, sizeof(msg));
	if (srv == NULL)
		fatal("%s", msg);
	/* Bound, and every file of the start read: root is no longer needed, and no request has
	 * been read yet. */
	if (o->user[0] != '\0' && !privs_drop(&user, msg, sizeof(msg)))
		fatal("%s", msg);
	/* The mail key and the sender come after the drop: the keyring, its gpg-agent, the
	 * supervisor and the worker are the user's too, and nothing of mail needs root. Without
	 * --smtp the sender still starts, for webhooks. */
	if (o->smtp[0] != '\0')
		service_key(o, c);
	mailer = start_mailer(o, c);
	if (!http_start(srv, msg, sizeof(msg)))
		fatal("%s", msg);
	/* The last step of the start: every thread exists and takes the filter. A process that
	 * must not live under it, the mail sender (which needs sockets of its own), is started
	 * before this point; a child started after it would inherit the filter. */
	if (o->no_seccomp)
		log_info("pocd: seccomp filter off (--no-seccomp)");
	else if (sandbox_enter(mailer_pid(mailer), msg, sizeof(msg)) == SANDBOX_FAILED)
		fatal("%s", msg);
	else
		log_info("pocd: %s", msg);
	http_ready(srv);
	log_info("pocd: serving %s://%s (database %s)", hc.tls_cert != NULL ? "https" : "http",
	         o->listen, o->db);
	fflush(stderr);
	sigwait(&set, &sig);
	log_info("pocd: %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_stop(srv);
	mailer_stop(mailer);
	api_free(api);
	core_free(c);
	store_close(st);
	log_info("pocd: stopped");
	log_stop();
	return 0;
}

static int
cmd_log_verify(const struct opts *o)
{
	struct store *st;
	struct core *c;
	char msg[512] = "";
	size_t problems;

	c = open_core(o, &st);
	if (record_open(c, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	problems = record_verify(c, stdout);
	if (problems == 0)
		printf("log verify: %s: every leaf, node and checkpoint holds\n", o->db);
	else
		printf("log verify: %s: %zu problem(s)\n", o->db, problems);
	core_free(c);
	store_close(st);
	return problems == 0 ? 0 : 1;
}

static int
cmd_log_rotate(const struct opts *o)
{
	struct store *st;
	struct core *c;
	char msg[512] = "", vkey[NOTE_KEY_TEXT];
	int64_t transition =
	    o->transition_days >= 0 ? o->transition_days * 86400 : RECORD_TRANSITION_S;

	c = open_core(o, &st);
	if (record_open(c, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	if (record_rotate_key(c, o->db, transition, msg, sizeof(msg)) != POCD_OK)
		fatal("log rotate-key: %s", msg);
	core_free(c);
	store_close(st);
	/* Read back as serve will: the new key, and the previous one while it still signs. */
	c = open_core(o, &st);
	if (record_open(c, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("%s", msg);
	note_key_format(&c->record->key, vkey);
	printf("log rotate-key: the log now signs with %s\n", vkey);
	if (c->record->has_prev) {
		note_key_format(&c->record->prev_key, vkey);
		printf("  and, for %ld days, also with %s\n", (long)(transition / 86400), vkey);
	}
	printf("restart pocd serve to sign with it\n");
	core_free(c);
	store_close(st);
	return 0;
}

static int
cmd_mail_rotate(const struct opts *o)
{
	char home[1100], msg[512] = "", until[RFC3339_SIZE];
	int64_t transition =
	    o->transition_days >= 0 ? o->transition_days * 86400 : PGP_TRANSITION_S;
	struct pgp_keys keys;

	gnupg_home(o, home, sizeof(home));
	if (pgp_rotate(home, transition, &keys, msg, sizeof(msg)) != POCD_OK)
		fatal("mail rotate-key: %s", msg);
	fmt_rfc3339(keys.previous_until, until);
	printf("mail rotate-key: mail is now signed with OpenPGP key %s\n", keys.current);
	if (transition > 0)
		printf("  and, until %s, also with %s\n", until, keys.previous);
	printf("restart pocd serve to sign with it; GET /api/v1/service publishes both\n");
	return 0;
}

/* Another Secretariat account: a second person, and the one that can recover the first
 * (POST /api/v1/accounts/{id}/reset). Made from the host, as the first is by init; its
 * password is shown once. */
static int
cmd_secretariat_add(const struct opts *o)
{
	struct store *st;
	struct core *c;
	struct account a;
	char pw[TOKEN_SIZE];
	enum pocd_err err;

	if (!valid_username(o->username))
		fatal("secretariat add needs --username NAME: 3 to 64 of a-z, 0-9 and . _ - "
		      "(not first)");
	c = open_core(o, &st);
	rand_token(pw);
	pw[24] = '\0';
	err = accounts_create_sync(c, o->username, pw, ROLE_SECRETARIAT, NULL, &a);
	if (err == POCD_ECONFLICT)
		fatal("secretariat add: the username %s is taken", o->username);
	if (err != POCD_OK)
		fatal("secretariat add: %s", pocd_err_name(err));
	printf("Secretariat login: %s / %s\n(shown once: keep it safe)\n", a.username, pw);
	sodium_memzero(pw, sizeof(pw));
	core_free(c);
	store_close(st);
	return 0;
}

static int
cmd_backup(const struct opts *o)
{
	char msg[1300] = "";

	if (o->archive[0] == '\0')
		fatal("backup needs --to FILE");
	if (backup_write(o->db, o->archive, msg, sizeof(msg)) != POCD_OK)
		fatal("backup: %s", msg);
	printf("backup: %s and its log key written to %s\n", o->db, o->archive);
	return 0;
}

static int
cmd_restore(const struct opts *o)
{
	char msg[1300] = "";

	if (o->archive[0] == '\0')
		fatal("restore needs --from FILE");
	if (backup_restore(o->archive, o->db, msg, sizeof(msg)) != POCD_OK)
		fatal("restore: %s", msg);
	printf("restore: %s written from %s; verifying its log\n", o->db, o->archive);
	fflush(stdout);
	return cmd_log_verify(o);
}

int
main(int argc, char **argv)
{
	struct opts o;

	/* Whatever pocd creates (databases, keys, credentials) is its owner's alone. */
	umask(077);
	if (sodium_init() < 0)
		fatal("cannot initialise libsodium");
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "log") == 0) {
		if (argc < 3 ||
		    (strcmp(argv[2], "verify") != 0 && strcmp(argv[2], "rotate-key") != 0)) {
			usage(stderr);
			return 2;
		}
		/* "pocd log verify --db PATH": the options follow the subcommand. */
		parse_args(&o, argc - 1, argv + 1);
		return strcmp(argv[2], "verify") == 0 ? cmd_log_verify(&o) : cmd_log_rotate(&o);
	}
	if (strcmp(argv[1], "mail") == 0) {
		if (argc < 3 || strcmp(argv[2], "rotate-key") != 0) {
			usage(stderr);
			return 2;
		}
		parse_args(&o, argc - 1, argv + 1);
		return cmd_mail_rotate(&o);
	}
	if (strcmp(argv[1], "secretariat") == 0) {
		if (argc < 3 || strcmp(argv[2], "add") != 0) {
			usage(stderr);
			return 2;
		}
		parse_args(&o, argc - 1, argv + 1);
		return cmd_secretariat_add(&o);
	}
	if (strcmp(argv[1], "backup") == 0 || strcmp(argv[1], "restore") == 0) {
		parse_args(&o, argc, argv);
		return strcmp(argv[1], "backup") == 0 ? cmd_backup(&o) : cmd_restore(&o);
	}
	if (strcmp(argv[1], "mail-supervisor") == 0)
		return mailer_supervise(argv + 1);
	if (strcmp(argv[1], "mail-worker") == 0) {
		parse_args(&o, argc, argv);
		return cmd_mail_worker(&o);
	}
	if (strcmp(argv[1], "init") != 0 && strcmp(argv[1], "serve") != 0) {
		fprintf(stderr, "pocd: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	parse_args(&o, argc, argv);
	if (strcmp(argv[1], "serve") == 0)
		mail_settings(&o);
	return strcmp(argv[1], "init") == 0 ? cmd_init(&o) : cmd_serve(&o);
}

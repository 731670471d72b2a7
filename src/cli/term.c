/* The terminal side of poc: see cli/term.h. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/term.h"

/* Writes the character at p to f as term_put_clean does; returns its last byte. */
static const unsigned char *
put_char(FILE *f, const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f) {
		fputc('?', f);
	} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
		fputc('?', f);
		p++;
	} else {
		fputc(*p, f);
	}
	return p;
}

void
term_put_clean(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		p = put_char(f, p);
}

void
term_put_block(FILE *f, const char *s, const char *indent)
{
	bool start = true;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\r' && p[1] == '\n')
			continue;
		if (start)
			fputs(indent, f);
		start = *p == '\n';
		if (start)
			fputc('\n', f);
		else
			p = put_char(f, p);
	}
	if (!start)
		fputc('\n', f);
}

/* Display width of s, counted in code points: right for the Latin, Cyrillic and Arabic
 * scripts; CJK names come out narrower than they are. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

void
term_print_table(size_t ncols, const char *const *head, const char *const *cells, size_t nrows)
{
	size_t w[TERM_COLUMNS_MAX] = {0}, pad;

	if (ncols == 0 || ncols > TERM_COLUMNS_MAX)
		return;
	for (size_t c = 0; c < ncols; c++)
		w[c] = width(head[c]);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++)
			if (width(cells[r * ncols + c]) > w[c])
				w[c] = width(cells[r * ncols + c]);
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = r == 0 ? head[c] : cells[(r - 1) * ncols + c];
			term_put_clean(stdout, s);
			if (c + 1 == ncols)
				break;
			pad = w[c] < TERM_COLUMN_MAX ? w[c] : TERM_COLUMN_MAX;
			pad = width(s) < pad ? pad - width(s) + 2 : 2;
			while (pad-- > 0)
				fputc(' ', stdout);
		}
		fputc('\n', stdout);
	}
}

ssize_t
term_read_line(char *out, size_t outlen)
{
	size_t n = 0;
	ssize_t got;
	char ch;

	for (;;) {
		got = read(STDIN_FILENO, &ch, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (got == 0 && n == 0))
			return -1;
		if (got == 0 || ch == '\n')
			break;
		if (n + 1 >= outlen) {
			sodium_memzero(out, outlen);
			return -2;
		}
		out[n++] = ch;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return (ssize_t)n;
}

static struct termios saved_tio;
static volatile sig_atomic_t tio_changed;

/* Puts echo back on before a signal ends the process in the middle of a password. */
static void
restore_tty(int sig)
{
	if (tio_changed)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

ssize_t
term_read_hidden(const char *prompt, char *out, size_t outlen)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	struct sigaction sa, old[4];
	struct termios t;
	ssize_t n;

	fputs(prompt, stderr);
	if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	tio_changed = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0)
		n = -1;
	else
		n = term_read_line(out, outlen);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_changed = 0;
	for (size_t i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	return n;
}

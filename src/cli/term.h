/* The terminal side of the poc command: lines typed in (a password without echo), tables
 * printed, and text from the server cleaned of control characters before it is shown. */
#ifndef POCD_CLI_TERM_H
#define POCD_CLI_TERM_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define TERM_COLUMN_MAX  64 /* display width a table column pads to, at most */
#define TERM_COLUMNS_MAX 10 /* columns of a table */

/* Writes s to f with control characters, which a server could use to drive the terminal,
 * shown as '?'. */
void term_put_clean(FILE *f, const char *s);

/* Writes the text s to f as term_put_clean does, but keeps its line breaks: each line starts
 * with indent and ends with a newline, the last one included. Writes nothing for "". */
void term_put_block(FILE *f, const char *s, const char *indent);

/* Prints to standard output a table of nrows rows of ncols cells (row after row in cells)
 * under head, each cell cleaned as by term_put_clean, columns padded to their widest cell up
 * to TERM_COLUMN_MAX (longer cells push the rest of their row), two spaces apart.
 * Prints nothing unless ncols is 1 to TERM_COLUMNS_MAX. */
void term_print_table(size_t ncols, const char *const *head, const char *const *cells,
                      size_t nrows);

/* Reads a line of the terminal, or of standard input, into out without its line end, a byte
 * at a time so that nothing after it is consumed. The length, -1 on a read failure or at the
 * end of input, -2 when the line does not fit out (which is then wiped). */
ssize_t term_read_line(char *out, size_t outlen);

/* Prompts on standard error and reads a line from the terminal on standard input with echo
 * off; as term_read_line, and -1 when standard input is not a terminal. The terminal is
 * restored even if a signal ends the process meanwhile. */
ssize_t term_read_hidden(const char *prompt, char *out, size_t outlen);

#endif

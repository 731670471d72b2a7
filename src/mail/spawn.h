/*
 * The serving process's side of the mail sender: it starts `pocd mail-worker` as a child
 * (posix_spawn of its own executable), starts it again if it dies, wakes the scheduler when
 * the sender reports a correction task owed, and stops it on shutdown.
 */
#ifndef POCD_MAIL_SPAWN_H
#define POCD_MAIL_SPAWN_H

#include <stddef.h>

struct core;
struct mailer;

/*
 * Starts the sender with argv (argv[0] is ignored: the running executable is used; the
 * list ends with NULL) and the extra environment variables extra_env ("NAME=value", ending
 * with NULL; they travel in the environment, never in argv). Returns NULL with a reason in
 * msg on failure.
 */
struct mailer *mailer_start(struct core *c, char *const argv[], char *const extra_env[], char *msg,
                            size_t msglen);
/* Stops the sender (SIGTERM, then waits) and frees m; NULL is fine. */
void mailer_stop(struct mailer *m);

#endif

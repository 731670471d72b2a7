/*
 * The mail sender's processes. The serving process starts `pocd mail-supervisor` once, before
 * its seccomp filter (which would refuse starting any program, and would bind any child it
 * started), wakes the scheduler when the sender reports a correction task owed, and stops the
 * supervisor on shutdown. The supervisor starts `pocd mail-worker` (posix_spawn of its own
 * executable), starts it again if it dies, and passes its reports on.
 */
#ifndef POCD_MAIL_SPAWN_H
#define POCD_MAIL_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

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
/* Stops the sender (closes the pipe the supervisor watches: it gives the sender a grace
 * period, then kills it, then exits; no signal, so the supervisor may run as another user),
 * waits for the supervisor and frees m; NULL is fine. */
void mailer_stop(struct mailer *m);
/* The supervisor's process id, the one process the serving process signals and waits for;
 * 0 for NULL. */
pid_t mailer_pid(const struct mailer *m);
/* `pocd mail-supervisor mail-worker ARGS...`: argv starts at "mail-supervisor"; runs until
 * its stop pipe closes (the serving process stops or dies), or SIGTERM or SIGINT. Returns
 * the exit status. */
int mailer_supervise(char *const argv[]);

#endif

/* The process log: buffered lines on standard error, flushed at least once a second. */
#ifndef POCD_LIB_LOG_H
#define POCD_LIB_LOG_H

/* Starts the flusher thread; before it, lines are written unbuffered. */
int log_start(void);
/* Flushes and stops the flusher. */
void log_stop(void);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For start-up failures and impossible states only: logs and exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif

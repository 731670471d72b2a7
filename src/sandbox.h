/*
 * The serving process's seccomp filter: once started, pocd needs only a few dozen system
 * calls (network I/O on accepted connections, file I/O on its database, memory, threads'
 * synchronisation, time); everything else (new sockets, exec, ptrace, new executable memory,
 * signals to other processes) is refused, in every thread.
 */
#ifndef POCD_SANDBOX_H
#define POCD_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

enum sandbox_status {
	SANDBOX_ON,        /* the filter holds every thread, for the process's life */
	SANDBOX_SANITIZED, /* not installed: a sanitizer build needs calls the filter refuses */
	SANDBOX_FAILED,    /* not installed: the kernel or libseccomp refused; see msg */
};

/* Installs the filter on every thread of the process; it cannot be removed. To be called
 * last at start-up, when every thread exists and every file of the start is open; a process
 * that must not be confined like this (the mail sender) is started before. child, when not
 * 0, is the one process this one may still wait for (the mail supervisor). */
enum sandbox_status sandbox_enter(pid_t child, char *msg, size_t msglen);

#endif

/*
 * The allow-list below is what `strace -f` of pocd serve saw after start-up over the whole API
 * suite (tests/api), plus the calls of paths the suite reaches rarely: abort(), a thread's
 * first calls when it started just before the filter, SQLite's recovery of a WAL file.
 *
 * A call outside the list is not run. It fails with EPERM and leaves one line in the log,
 * rather than killing the process: the confinement is the same (the call never happens,
 * whoever asked for it), but a call the list missed, on some rare path of SQLite, GnuTLS or
 * a newer glibc, then costs one request an error and says which call it was, instead of
 * taking the service down for every state at once. Where the architecture's registers are not
 * known here the call fails with EPERM silently.
 */
#include "sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#if defined(__x86_64__)
#define RETURN_REG(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#elif defined(__aarch64__)
#define RETURN_REG(uc) ((uc)->uc_mcontext.regs[0])
#endif

/* Allowed whatever their arguments. */
static const char *const allowed[] = {
    /* connections: accepted, read, written, watched, closed */
    "accept4",
    "recvfrom",
    "recvmsg",
    "read",
    "readv",
    "sendto",
    "sendmsg",
    "write",
    "writev",
    "shutdown",
    "close",
    "epoll_wait",
    "epoll_pwait",
    "epoll_ctl",
    "setsockopt",
    "getsockopt",
    "getsockname",
    "getpeername",
    "poll",
    "ppoll",
    "eventfd2",
    /* the database: SQLite opens a reader per thread as it first reads, and keeps its WAL */
    "openat",
    "newfstatat",
    "fstat",
    "stat",
    "lstat",
    "lseek",
    "pread64",
    "pwrite64",
    /* the attachment sweep lists its directory for files no row names */
    "getdents64",
    "fcntl",
    "fsync",
    "fdatasync",
    "ftruncate",
    "unlink",
    /* attachments: uploads renamed to their hash, removed when cut short, sent by sendfile */
    "unlinkat",
    "rename",
    "renameat",
    "renameat2",
    "sendfile",
    "fchown",
    "fchmod",
    "access",
    "getcwd",
    "readlink",
    /* memory: without PROT_EXEC (below) */
    "munmap",
    "madvise",
    "brk",
    "mremap",
    "mlock",
    "munlock",
    /* threads and time */
    "futex",
    "sched_yield",
    "nanosleep",
    "clock_nanosleep",
    "clock_gettime",
    "gettimeofday",
    "getrandom",
    "rt_sigprocmask",
    "rt_sigreturn",
    "rt_sigtimedwait",
    "restart_syscall",
    "set_robust_list",
    "rseq",
    "exit",
    "exit_group",
    "getpid",
    "gettid",
    "geteuid",
    "getuid",
    "getegid",
    "getgid",
};

/* One line to standard error, by write(2) alone: this runs in a signal handler. */
static void
on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	static const char head[] = "pocd: seccomp: refused system call ";
	char line[sizeof(head) + 24];
	char digits[12];
	size_t n = sizeof(head) - 1, d = 0;
	unsigned nr = (unsigned)si->si_syscall;

	memcpy(line, head, n);
	do
		digits[d++] = (char)('0' + nr % 10);
	while ((nr /= 10) != 0 && d < sizeof(digits));
	while (d > 0)
		line[n++] = digits[--d];
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to say it. */
	}
#ifdef RETURN_REG
	RETURN_REG((ucontext_t *)ctx) = -EPERM;
#endif
}

/* Adds the rules, counting the calls in *n; false with the failing call's name in *what. */
static bool
add_rules(scmp_filter_ctx f, pid_t child, const char **what, size_t *n)
{
	int nr;

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		*what = allowed[i];
		nr = seccomp_syscall_resolve_name(allowed[i]);
		/* A call this architecture does not have (stat on arm64) is nothing to allow. */
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0) != 0)
			return false;
		(*n)++;
	}
	*n += 5;
	/* The child is reaped at shutdown (told to stop by a pipe it watches); no other
	 * process is. */
	if (child > 0) {
		*what = "wait4";
		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(wait4), 1,
		                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)child, 0)) != 0)
			return false;
		(*n)++;
	}
	/* No new executable memory: code cannot be loaded or written once pocd serves. */
	*what = "mmap";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		return false;
	*what = "mprotect";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) != 0)
		return false;
	/* Threads name themselves as they start (libmicrohttpd's workers). */
	*what = "prctl";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
	                     SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME, 0)) != 0)
		return false;
	/* abort() signals its own thread, never another process. */
	*what = "tgkill";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0)) != 0)
		return false;
	/* abort() resets SIGABRT's action; nothing else may change a handler. */
	*what = "rt_sigaction";
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigaction), 1,
	                        SCMP_A0(SCMP_CMP_EQ, SIGABRT, 0)) == 0;
}

enum sandbox_status
sandbox_enter(pid_t child, char *msg, size_t msglen)
{
	struct sigaction sa;
	scmp_filter_ctx f;
	const char *what = "seccomp_init";
	size_t n = 0;
	int rc = -1;

	if (SANITIZED) {
		snprintf(msg, msglen, "seccomp filter off: this is a sanitizer build");
		return SANDBOX_SANITIZED;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
#ifdef RETURN_REG
	f = seccomp_init(SCMP_ACT_TRAP);
#else
	f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
#endif
	if (f == NULL || sigaction(SIGSYS, &sa, NULL) != 0)
		goto out;
	/* Every thread, not only this one: the request threads are the ones exposed. */
	what = "SCMP_FLTATR_CTL_TSYNC";
	if (seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1) != 0 || !add_rules(f, child, &what, &n))
		goto out;
	what = "seccomp_load";
	rc = seccomp_load(f);
out:
	seccomp_release(f);
	if (rc == 0) {
		snprintf(msg, msglen, "seccomp filter on: %zu system calls allowed", n);
		return SANDBOX_ON;
	}
	snprintf(msg, msglen,
	         "cannot install the seccomp filter (%s failed): run with --no-seccomp "
	         "on a kernel without seccomp",
	         what);
	return SANDBOX_FAILED;
}

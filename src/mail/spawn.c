#include "mail/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "core/scheduler.h"
#include "lib/log.h"

#define NOTIFY_FD       3  /* a child's end of the pipe it reports owed tasks on */
#define STOP_FD         4  /* the supervisor's end of a pipe whose end of file means stop */
#define RESPAWN_MIN     1  /* seconds before starting a sender that died */
#define RESPAWN_MAX     60 /* ... doubled each time it dies quickly, up to this */
#define RAN_LONG_ENOUGH 60 /* a sender that ran this long resets the delay */
#define STOP_GRACE      10 /* seconds a sender has to finish its message on shutdown */

extern char **environ;

/* The serving process's side: the supervisor process, and a thread that wakes the scheduler
 * for each task the sender reports owed. */
struct mailer {
	struct core *c;
	pid_t pid;   /* the supervisor */
	int fd;      /* the read end of the reports */
	int stop_fd; /* closed to stop the supervisor: no signal, so it may run as another user */
	pthread_t th;
};

/* The supervisor process's side: it starts the sender, again when it dies, and forwards what
 * the sender reports to the serving process. */
struct supervisor {
	char exe[PATH_MAX];
	char **argv; /* owned copies */
	char **envp; /* owned copies */
	pthread_t th;
	pthread_mutex_t lk;
	pthread_cond_t cv;
	bool stopping;
	pid_t pid; /* 0 while no child runs */
};

/* The running executable's path, for starting it again as another command. */
static bool
own_exe(char exe[PATH_MAX], char *msg, size_t msglen)
{
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);

	if (n <= 0) {
		snprintf(msg, msglen, "cannot find the pocd executable: %s", strerror(errno));
		return false;
	}
	exe[n] = '\0';
	return true;
}

static void
free_list(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* A NULL-terminated copy of a then b (b may be NULL); NULL when memory is short. */
static char **
copy_lists(char *const a[], char *const b[])
{
	size_t na = 0, nb = 0, i;
	char **out;

	while (a[na] != NULL)
		na++;
	while (b != NULL && b[nb] != NULL)
		nb++;
	out = calloc(na + nb + 1, sizeof(*out));
	for (i = 0; out != NULL && i < na + nb; i++)
		if ((out[i] = strdup(i < na ? a[i] : b[i - na])) == NULL) {
			free_list(out);
			return NULL;
		}
	return out;
}

/* Starts one child with its pipe; the caller holds m->lk. Returns the read end, or -1. */
static int
spawn_one(struct supervisor *m)
{
	posix_spawn_file_actions_t fa;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_info("mail: cannot make a pipe for the sender: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], NOTIFY_FD);
	/* The sender inherits standard input, output and error and its pipe, nothing else:
	 * no listening socket, no database descriptor of the serving process. */
	posix_spawn_file_actions_addclosefrom_np(&fa, NOTIFY_FD + 1);
	rc = posix_spawn(&m->pid, m->exe, &fa, NULL, m->argv, m->envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		log_info("mail: cannot start the sender %s: %s", m->exe, strerror(rc));
		m->pid = 0;
		close(fds[0]);
		return -1;
	}
	return fds[0];
}

static void *
supervise(void *arg)
{
	struct supervisor *m = arg;
	int fd, delay = RESPAWN_MIN, status = 0;
	time_t started;
	struct timespec ts;
	char b[64];
	ssize_t n;
	pid_t pid;

	pthread_mutex_lock(&m->lk);
	while (!m->stopping) {
		fd = spawn_one(m);
		pid = m->pid;
		started = time(NULL);
		pthread_mutex_unlock(&m->lk);
		/* Each byte is a correction task owed, passed on to the serving process; end of
		 * file is the sender's exit. */
		while (fd >= 0 && ((n = read(fd, b, sizeof(b))) > 0 || (n < 0 && errno == EINTR)))
			if (n > 0 && write(NOTIFY_FD, b, (size_t)n) < 0)
				log_info("mail: cannot pass on a correction task: %s",
				         strerror(errno));
		if (fd >= 0)
			close(fd);
		if (pid > 0 && waitpid(pid, &status, 0) == pid && !WIFEXITED(status))
			log_info("mail: the sender ended by signal %d", WTERMSIG(status));
		else if (pid > 0 && WEXITSTATUS(status) != 0)
			log_info("mail: the sender exited with status %d", WEXITSTATUS(status));
		pthread_mutex_lock(&m->lk);
		m->pid = 0;
		pthread_cond_broadcast(&m->cv);
		if (m->stopping)
			break;
		delay = time(NULL) - started >= RAN_LONG_ENOUGH ? RESPAWN_MIN
		        : delay * 2 > RESPAWN_MAX               ? RESPAWN_MAX
		                                                : delay * 2;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += delay;
		while (!m->stopping && pthread_cond_timedwait(&m->cv, &m->lk, &ts) == 0)
			;
	}
	pthread_mutex_unlock(&m->lk);
	return NULL;
}

static struct supervisor *
supervisor_start(char *const argv[], char *msg, size_t msglen)
{
	struct supervisor *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	if (!own_exe(m->exe, msg, msglen)) {
		free(m);
		return NULL;
	}
	m->argv = copy_lists(argv, NULL);
	m->envp = copy_lists(environ, NULL);
	if (m->argv == NULL || m->envp == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	free(m->argv[0]);
	if ((m->argv[0] = strdup(m->exe)) == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&m->lk, NULL);
	pthread_cond_init(&m->cv, NULL);
	if (pthread_create(&m->th, NULL, supervise, m) != 0) {
		snprintf(msg, msglen, "cannot start the mail supervisor thread");
		pthread_mutex_destroy(&m->lk);
		pthread_cond_destroy(&m->cv);
		goto fail;
	}
	return m;
fail:
	free_list(m->argv);
	free_list(m->envp);
	free(m);
	return NULL;
}

static void
supervisor_stop(struct supervisor *m)
{
	struct timespec ts;

	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lk);
	m->stopping = true;
	if (m->pid > 0)
		kill(m->pid, SIGTERM);
	pthread_cond_broadcast(&m->cv);
	/* A sender in the middle of a slow relay conversation gets a grace period, then goes. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += STOP_GRACE;
	while (m->pid > 0 && pthread_cond_timedwait(&m->cv, &m->lk, &ts) == 0)
		;
	if (m->pid > 0) {
		log_info("mail: the sender did not stop within %d s: killed", STOP_GRACE);
		kill(m->pid, SIGKILL);
	}
	pthread_mutex_unlock(&m->lk);
	pthread_join(m->th, NULL);
	pthread_mutex_destroy(&m->lk);
	pthread_cond_destroy(&m->cv);
	for (size_t i = 0; m->envp[i] != NULL; i++)
		sodium_memzero(m->envp[i], strlen(m->envp[i]));
	free_list(m->argv);
	free_list(m->envp);
	free(m);
}

int
mailer_supervise(char *const argv[])
{
	struct supervisor *m;
	struct pollfd pf[2];
	sigset_t set;
	char msg[512];

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A supervisor whose pocd died stops its sender and goes too. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 0;
	pf[0] = (struct pollfd){.fd = STOP_FD, .events = POLLIN};
	pf[1] = (struct pollfd){.fd = signalfd(-1, &set, SFD_CLOEXEC), .events = POLLIN};
	if (pf[1].fd < 0) {
		log_info("mail: cannot watch for signals: %s", strerror(errno));
		return 1;
	}
	m = supervisor_start(argv, msg, sizeof(msg));
	if (m == NULL) {
		log_info("mail: %s", msg);
		return 1;
	}
	/* Stop when the serving process closes its end (or dies), or on SIGTERM or SIGINT. */
	while (poll(pf, 2, -1) < 0 && errno == EINTR)
		;
	supervisor_stop(m);
	close(pf[1].fd);
	return 0;
}

static void *
read_reports(void *arg)
{
	struct mailer *m = arg;
	char b[64];
	ssize_t n;

	/* End of file: the supervisor and its sender are gone. */
	while ((n = read(m->fd, b, sizeof(b))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && m->c->scheduler != NULL)
			scheduler_kick(m->c->scheduler);
	return NULL;
}

struct mailer *
mailer_start(struct core *c, char *const argv[], char *const extra_env[], char *msg, size_t msglen)
{
	posix_spawn_file_actions_t fa;
	char exe[PATH_MAX], **sargv = NULL, **envp = NULL;
	char *const head[] = {exe, "mail-supervisor", NULL};
	struct mailer *m = calloc(1, sizeof(*m));
	int reports[2] = {-1, -1}, stop[2] = {-1, -1}, rc;
	bool ok = false;

	if (m == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	if (!own_exe(exe, msg, msglen))
		goto out;
	m->c = c;
	/* "pocd mail-supervisor mail-worker ARGS": the supervisor starts argv after its name
	 * (argv[0], the worker's program, is the running executable again). */
	sargv = copy_lists(head, argv + 1);
	envp = copy_lists(environ, extra_env);
	if (sargv == NULL || envp == NULL) {
		snprintf(msg, msglen, "out of memory");
		goto out;
	}
	if (pipe2(reports, O_CLOEXEC) != 0 || pipe2(stop, O_CLOEXEC) != 0) {
		snprintf(msg, msglen, "cannot make a pipe for the mail supervisor: %s",
		         strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, reports[1], NOTIFY_FD);
	posix_spawn_file_actions_adddup2(&fa, stop[0], STOP_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, STOP_FD + 1);
	rc = posix_spawn(&m->pid, exe, &fa, NULL, sargv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(msg, msglen, "cannot start the mail supervisor %s: %s", exe, strerror(rc));
		goto out;
	}
	m->fd = reports[0];
	m->stop_fd = stop[1];
	if (pthread_create(&m->th, NULL, read_reports, m) != 0) {
		snprintf(msg, msglen, "cannot start the mail report thread");
		close(stop[1]); /* the supervisor stops at once */
		stop[1] = -1;
		waitpid(m->pid, NULL, 0);
		goto out;
	}
	reports[0] = stop[1] = -1; /* m's now */
	ok = true;
out:
	for (int i = 0; i < 2; i++) {
		if (reports[i] >= 0)
			close(reports[i]);
		if (stop[i] >= 0)
			close(stop[i]);
	}
	free_list(sargv);
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
		sodium_memzero(envp[i], strlen(envp[i]));
	free_list(envp);
	if (!ok) {
		free(m);
		return NULL;
	}
	return m;
}

pid_t
mailer_pid(const struct mailer *m)
{
	return m != NULL ? m->pid : 0;
}

void
mailer_stop(struct mailer *m)
{
	if (m == NULL)
		return;
	/* The supervisor gives the sender its grace period, then kills it, then exits. */
	close(m->stop_fd);
	while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
		;
	pthread_join(m->th, NULL);
	close(m->fd);
	free(m);
}

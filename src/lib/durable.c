#include "lib/durable.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
durable_sync(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), saved;
	bool ok;

	if (fd < 0)
		return false;
	ok = fsync(fd) == 0;
	saved = errno;
	close(fd);
	errno = saved;
	return ok;
}

bool
durable_sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);

	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return false;
	}
	if (n == 0)
		return durable_sync(".");
	memcpy(dir, path, n);
	dir[n] = '\0';
	return durable_sync(dir);
}

/* Making a file's or a rename's effect survive power loss: fsync of a path, and of the
 * directory that holds a name (a rename or a new name is durable only once its directory is
 * synced). */
#ifndef POCD_LIB_DURABLE_H
#define POCD_LIB_DURABLE_H

#include <stdbool.h>

/* fsyncs the file or directory at path. False with errno set on failure. */
bool durable_sync(const char *path);
/* fsyncs the directory holding path's last name ("." when path has no "/"). */
bool durable_sync_parent(const char *path);

#endif

/*
 * The web interface: the files of web/, embedded in the binary at build time
 * (scripts/embed_web.py), served at their own paths, and index.html at the paths of the
 * interface's pages. Only these exact paths exist: nothing is read from disk.
 */
#ifndef POCD_API_WEB_H
#define POCD_API_WEB_H

#include <stddef.h>

#include "api/api.h"

struct web_file {
	const char *path; /* "/app.js" */
	const char *type; /* the Content-Type */
	const unsigned char *data;
	size_t len;
	const char *etag; /* quoted */
};

/* Generated: every file of web/, sorted by path. */
extern const struct web_file web_files[];
extern const size_t web_nfiles;

/* The file served at path (index.html for a page of the interface), or NULL. */
const struct web_file *web_find(const char *path);
/* Answers GET or HEAD of a path web_find knows: the file, or 304 when If-None-Match names
 * it. */
enum api_result h_web(struct api_req *req, struct api_resp *resp);

#endif

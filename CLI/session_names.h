/*
 * session_names.h - the DEFACED_<series> folder name a series gets in a
 * session, from its DICOM text.
 */
#ifndef DEFACE_CLI_SESSION_NAMES_H
#define DEFACE_CLI_SESSION_NAMES_H

#include <stddef.h>

/** The names given in one session so far. */
typedef struct session_names session_names;

/** An empty set; NULL when out of memory. Free with session_names_free(). */
session_names *session_names_new(void);
void session_names_free(session_names *names);

/**
 * The folder name the next series gets from its DICOM text, for
 * DEFACED_<name>: "NUMBER_DESCRIPTION" (either part may be missing; "series"
 * when both are) reduced to [A-Za-z0-9._-]: other bytes and dots next to dots
 * become '_', runs of '_' one, it starts with a letter or digit and ends with
 * neither '_', '.' nor '-', and it has at most SESSION_NAME_MAX characters. A
 * name equal to one given before (ignoring case) gets _2, _3... within the
 * same bound. Linear time over a session: a hash set of the names given and,
 * per base name, the next suffix to try.
 * @return 0, or -1 when out of memory.
 */
#define SESSION_NAME_MAX 64
int session_names_make(session_names *names, long number, const char *description,
                       char name[SESSION_NAME_MAX + 1]);

#endif

/*
 * module_output.h - the module's files written completely or not at all: each
 * is written under a temporary name in the target's folder and renamed over
 * the target when complete, so Slicer never reads half an image.
 *
 * Local to the module until Logic/IO has the project's shared atomic writer;
 * then fm_temp_create/commit/discard are replaced by it (same three steps).
 */
#ifndef FM_MODULE_OUTPUT_H
#define FM_MODULE_OUTPUT_H

#include "deface.h"

/**
 * Creates an empty file beside `path` whose name ends with the target's own
 * file name (so its extension still selects the format), exclusively.
 * @return the temporary name (caller frees with fm_temp_discard or after
 *         fm_temp_commit), or NULL with the reason in err.
 */
char *fm_temp_create(const char *path, char *err);

/** Renames tmp over path. 0, or -1 with the reason in err (tmp is left). */
int fm_temp_commit(const char *tmp, const char *path, char *err);

/** Removes the temporary file (if any) and frees the name; NULL is a no-op. */
void fm_temp_discard(char *tmp);

/**
 * Slicer's return-parameter file, `name = value` a line, numbers in the C
 * locale: status, reason (one line), rightEye and leftEye as "x,y,z" (RAS mm).
 * Written through a temporary name. 0, or -1 with the reason in err.
 */
int fm_write_return_file(const char *path, const char *status, const char *reason,
                         const deface_result *result, char *err);

#endif /* FM_MODULE_OUTPUT_H */

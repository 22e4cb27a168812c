/*
 * io_private.h - the message helpers every file adapter of Logic/IO shares
 * (defined in write.c, the one library they all link); not installed, not
 * exported from libdeface.
 */
#ifndef DEFACE_IO_PRIVATE_H
#define DEFACE_IO_PRIVATE_H

#include "deface.h"

#include <stddef.h>

#if defined(__GNUC__)
#define DEFACE_IO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DEFACE_IO_PRINTF(a, b)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Writes "PATH: reason" on one line into err (DEFACE_ERRLEN bytes, may be
 * NULL) and returns status. */
deface_status deface__io_fail(char *err, deface_status status, const char *path, const char *fmt,
                              ...) DEFACE_IO_PRINTF(4, 5);

/* strerror() without its shared buffer, for thread safety. */
const char *deface__io_strerror(int errnum, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif

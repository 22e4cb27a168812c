/*
 * modules.c - the module folder (modules.h). Found from the executable, not
 * from PATH or an install prefix compiled in: the build tree and any
 * `cmake --install --prefix` then work alike, and a copied tree still finds
 * its own modules, never another version's.
 */
#define _POSIX_C_SOURCE 200809L
#include "modules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEFACE_MODULE_RELDIR
#define DEFACE_MODULE_RELDIR "../lib/deface"
#endif

int module_path(const char *file, char *out, size_t size)
{
  const char *dir = getenv("DEFACE_MODULE_DIR");
  if (dir && *dir) {
    if ((size_t)snprintf(out, size, "%s/%s", dir, file) >= size) {
      snprintf(out, size, "DEFACE_MODULE_DIR is too long");
      return -1;
    }
    return 0;
  }
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || (size_t)n >= sizeof exe - 1) {
    snprintf(out, size,
             "cannot find the deface executable (/proc/self/exe: %s); set DEFACE_MODULE_DIR",
             n < 0 ? strerror(errno) : "too long");
    return -1;
  }
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash)
    *slash = '\0';
  if ((size_t)snprintf(out, size, "%s/%s/%s", exe, DEFACE_MODULE_RELDIR, file) >= size) {
    snprintf(out, size, "the module folder's path is too long");
    return -1;
  }
  return 0;
}

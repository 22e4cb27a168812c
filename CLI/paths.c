/*
 * paths.c - output names and path identity for the CLI.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ends_with(const char *s, const char *tail)
{
  size_t n = strlen(s), t = strlen(tail);
  return n >= t && strcmp(s + n - t, tail) == 0;
}

int path_is_nifti(const char *path)
{
  return ends_with(path, ".nii") || ends_with(path, ".nii.gz");
}

void path_stem(const char *path, char *stem, size_t size)
{
  snprintf(stem, size, "%s", path);
  const char *tails[] = {".nii.gz", ".nii", ".json"};
  for (int i = 0; i < 3; i++)
    if (ends_with(stem, tails[i])) {
      stem[strlen(stem) - strlen(tails[i])] = '\0';
      return;
    }
}

void path_split(const char *path, char *dir, size_t dsize, char *base, size_t bsize)
{
  const char *slash = strrchr(path, '/');
  if (!slash) {
    snprintf(dir, dsize, ".");
    snprintf(base, bsize, "%s", path);
    return;
  }
  size_t n = (size_t)(slash - path);
  snprintf(dir, dsize, "%.*s", (int)(n ? n : 1), path);
  snprintf(base, bsize, "%s", slash + 1);
}

int path_same_file(const char *a, const char *b)
{
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int path_exists(const char *path)
{
  struct stat s;
  return lstat(path, &s) == 0;
}

int path_is_dir(const char *path)
{
  struct stat s;
  return stat(path, &s) == 0 && S_ISDIR(s.st_mode);
}

/* Appends one component to a resolved path, lexically. */
static int append(char out[CLI_PATH_MAX], const char *name, size_t len)
{
  if (len == 0 || (len == 1 && name[0] == '.'))
    return 0;
  size_t n = strlen(out);
  if (len == 2 && name[0] == '.' && name[1] == '.') {
    char *slash = strrchr(out, '/');
    if (slash == out)
      out[1] = '\0';
    else if (slash)
      *slash = '\0';
    return 0;
  }
  if (n + 1 + len >= CLI_PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  if (n > 1)
    out[n++] = '/';
  memcpy(out + n, name, len);
  out[n + len] = '\0';
  return 0;
}

int path_resolve(const char *path, char out[CLI_PATH_MAX])
{
  char real[PATH_MAX];
  if (!path || !*path) {
    errno = ENOENT;
    return -1;
  }
  if (realpath(path, real)) {
    if (strlen(real) >= CLI_PATH_MAX) {
      errno = ENAMETOOLONG;
      return -1;
    }
    strcpy(out, real);
    return 0;
  }
  /* The longest existing prefix (ending at a slash) through realpath(), the
   * rest appended lexically: a missing folder cannot be a link. */
  char p[CLI_PATH_MAX];
  if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
    errno = ENAMETOOLONG;
    return -1;
  }
  size_t cut = strlen(p);
  for (;;) {
    while (cut > 0 && p[cut - 1] != '/')
      cut--;
    if (cut == 0) {
      if (!realpath(".", real))
        return -1;
      break;
    }
    char keep = p[cut];
    p[cut] = '\0';
    int ok = realpath(p, real) != NULL;
    p[cut] = keep;
    if (ok)
      break;
    while (cut > 0 && p[cut - 1] == '/')
      cut--;
    if (cut == 0) { /* "/..." that does not resolve at all */
      errno = ENOENT;
      return -1;
    }
  }
  if (strlen(real) >= CLI_PATH_MAX) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(out, real);
  for (const char *s = p + cut; *s;) {
    size_t len = strcspn(s, "/");
    if (append(out, s, len) != 0)
      return -1;
    s += len;
    while (*s == '/')
      s++;
  }
  return 0;
}

int path_entry(const char *path, char out[CLI_PATH_MAX])
{
  char dir[CLI_PATH_MAX], base[CLI_PATH_MAX];
  size_t n = strlen(path);
  if (n == 0 || path[n - 1] == '/') {
    errno = EISDIR;
    return -1;
  }
  path_split(path, dir, sizeof dir, base, sizeof base);
  if (!strcmp(base, ".") || !strcmp(base, "..")) {
    errno = EISDIR;
    return -1;
  }
  if (path_resolve(dir, out) != 0)
    return -1;
  return append(out, base, strlen(base));
}

int path_is_inside(const char *path, const char *folder)
{
  char f[CLI_PATH_MAX], p[CLI_PATH_MAX];
  if (path_resolve(folder, f) != 0 || path_resolve(path, p) != 0)
    return -1;
  size_t n = strlen(f);
  if (n == 1) /* "/" holds everything */
    return 1;
  return strncmp(p, f, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/*
 * paths.c - output names and careful file writing for the CLI.
 */
#define _POSIX_C_SOURCE 200809L
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int ends_with(const char *s, const char *tail)
{
  size_t n = strlen(s), t = strlen(tail);
  return n >= t && strcmp(s + n - t, tail) == 0;
}

int path_is_nifti(const char *path) { return ends_with(path, ".nii") || ends_with(path, ".nii.gz"); }

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

int write_file_atomic(const char *path, const char *text, size_t length)
{
  char dir[CLI_PATH_MAX], base[CLI_PATH_MAX], tmp[CLI_PATH_MAX + 64];
  path_split(path, dir, sizeof dir, base, sizeof base);
  if (snprintf(tmp, sizeof tmp, "%s/.%s.tmpXXXXXX", dir, base) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  int fd = mkstemp(tmp);
  if (fd < 0)
    return -1;
  FILE *f = fdopen(fd, "wb");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
    return -1;
  }
  size_t put = fwrite(text, 1, length, f);
  int bad = put != length || fflush(f) != 0 || fsync(fileno(f)) != 0;
  int e = errno;
  bad |= fclose(f) != 0;
  /* mkstemp creates 0600; outputs are ordinary files like the NIfTI ones. */
  if (!bad) {
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0666 & ~mask);
  }
  if (bad || rename(tmp, path) != 0) {
    e = bad ? e : errno;
    unlink(tmp);
    errno = e;
    return -1;
  }
  return 0;
}

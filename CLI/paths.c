/*
 * paths.c - output names and careful file writing for the CLI.
 */
#define _POSIX_C_SOURCE 200809L
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
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

/* A new file that nobody else uses, created 0666 so that the umask applies as
 * for any file: never by changing the process's umask, which other threads
 * (session mode) would see. */
static int create_temp(const char *dir, const char *base, char *tmp, size_t size)
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20) ^ (uint64_t)(uintptr_t)tmp;
  for (int attempt = 0; attempt < 100; attempt++) {
    char suffix[7];
    for (int i = 0; i < 6; i++) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      suffix[i] = letters[(x >> 33) % (sizeof letters - 1)];
    }
    suffix[6] = '\0';
    if (snprintf(tmp, size, "%s/.%s.tmp%s", dir, base, suffix) >= (int)size) {
      errno = ENAMETOOLONG;
      return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST)
      return fd;
  }
  errno = EEXIST;
  return -1;
}

int write_file_atomic(const char *path, const char *text, size_t length)
{
  char dir[CLI_PATH_MAX], base[CLI_PATH_MAX], tmp[CLI_PATH_MAX + 64];
  path_split(path, dir, sizeof dir, base, sizeof base);
  int fd = create_temp(dir, base, tmp, sizeof tmp);
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
  if (bad || rename(tmp, path) != 0) {
    e = bad ? e : errno;
    unlink(tmp);
    errno = e;
    return -1;
  }
  return 0;
}

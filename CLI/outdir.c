/*
 * outdir.c - a session's OUTDIR: checks before any work, folder creation,
 * the lock, and the series' folders opened without following links.
 */
#define _DEFAULT_SOURCE /* flock */
#include "outdir.h"
#include "exit_codes.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_is_empty(const char *path)
{
  DIR *d = opendir(path);
  if (!d)
    return 0;
  struct dirent *e;
  int empty = 1;
  while (empty && (e = readdir(d)))
    empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
  closedir(d);
  return empty;
}

int outdir_make(const char *path)
{
  char p[CLI_PATH_MAX];
  if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char c = *s;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && !(errno == EEXIST && path_is_dir(p)))
      return -1;
    *s = c;
    if (!c)
      return 0;
  }
}

int outdir_check(const cli_args *a)
{
  const char *in = a->input, *out = a->output;
  if (a->label || a->json || a->qa) {
    fprintf(stderr,
            "deface: %s: --label, --json and --qa name one file; a session writes "
            "DEFACED_<series>/ folders (with their QA pictures) and index.html into -o OUTDIR\n",
            a->label  ? a->label
            : a->json ? a->json
                      : a->qa);
    return EXIT_USAGE;
  }
  int inside = path_is_inside(out, in);
  if (inside < 0) {
    fprintf(stderr, "deface: %s: cannot resolve the path: %s\n", out, strerror(errno));
    return EXIT_OUTPUT;
  }
  if (inside) {
    fprintf(stderr, "deface: %s: is inside the input folder %s, which is never written to\n", out,
            in);
    return EXIT_USAGE;
  }
  struct stat st;
  if (stat(out, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      fprintf(stderr, "deface: %s: exists and is not a folder\n", out);
      return EXIT_OUTPUT;
    }
    if (!a->force && !dir_is_empty(out)) {
      fprintf(stderr, "deface: %s: exists and is not empty (use --force to write into it)\n", out);
      return EXIT_OUTPUT;
    }
  }
  return 0;
}

#define LOCK_NAME ".deface.lock"

/* Takes the lock file's exclusive flock; 1 taken, 0 held by another run,
 * -1 on an error (errno). The file may be removed by the run that held it
 * between our open and our lock: then it is opened again. */
static int take_lock(int outfd, int *lockfd, long *holder)
{
  for (int attempt = 0; attempt < 10; attempt++) {
    int fd = openat(outfd, LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0)
      return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      char text[32] = "";
      ssize_t n = pread(fd, text, sizeof text - 1, 0);
      *holder = n > 0 ? strtol(text, NULL, 10) : 0;
      close(fd);
      if (e == EWOULDBLOCK)
        return 0;
      errno = e;
      return -1;
    }
    struct stat a, b;
    if (fstat(fd, &a) == 0 && fstatat(outfd, LOCK_NAME, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
      char text[32];
      int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
      if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        /* the pid is only for the other run's message */
      }
      *lockfd = fd;
      return 1;
    }
    close(fd); /* the file we locked is no longer the lock file: again */
  }
  errno = EAGAIN;
  return -1;
}

int outdir_open(const char *path, int *fd, int *lockfd)
{
  *fd = *lockfd = -1;
  if (outdir_make(path) != 0) {
    fprintf(stderr, "deface: %s: cannot create the folder: %s\n", path, strerror(errno));
    return EXIT_OUTPUT;
  }
  *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0) {
    fprintf(stderr, "deface: %s: cannot open the folder: %s\n", path, strerror(errno));
    return EXIT_OUTPUT;
  }
  long holder = 0;
  int taken = take_lock(*fd, lockfd, &holder);
  if (taken == 1)
    return 0;
  if (taken == 0 && holder > 0)
    fprintf(stderr,
            "deface: %s: another deface run (process %ld) is writing into this folder; wait "
            "for it to end or give another -o\n",
            path, holder);
  else if (taken == 0)
    fprintf(stderr,
            "deface: %s: another deface run is writing into this folder; wait for it to end "
            "or give another -o\n",
            path);
  else
    fprintf(stderr, "deface: %s: cannot lock the folder (%s): %s\n", path, LOCK_NAME,
            strerror(errno));
  close(*fd);
  *fd = -1;
  return EXIT_OUTPUT;
}

void outdir_close(const char *path, int fd, int lockfd)
{
  (void)path;
  if (lockfd >= 0) {
    if (fd >= 0)
      unlinkat(fd, LOCK_NAME, 0); /* while still held: see take_lock() */
    close(lockfd);
  }
  if (fd >= 0)
    close(fd);
}

int outdir_series_open(int outfd, const char *name, int create)
{
  if (create && mkdirat(outfd, name, 0777) != 0 && errno != EEXIST)
    return -1;
  return openat(outfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

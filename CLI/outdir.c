/*
 * outdir.c - a session's OUTDIR: checks before any work, folder creation.
 */
#define _POSIX_C_SOURCE 200809L
#include "outdir.h"
#include "exit_codes.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

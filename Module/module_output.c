/*
 * module_output.c - temporary name, write, rename (module_output.h), in
 * portable C: exclusive creation is fopen's "x" mode (C11) where the C library
 * has it and _open(_O_EXCL) on Windows, whose msvcrt lacks it; the rename
 * replaces an existing target on Windows too (MoveFileEx).
 */
#if !defined(_WIN32)
#define _POSIX_C_SOURCE 200809L /* strerror_r (XSI) */
#endif
#include "module_output.h"
#include "module_progress.h"

#include "deface_nrrd.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#include <windows.h>
#endif

static void errno_text(int e, char *buf, size_t n)
{
#if defined(_WIN32)
  if (strerror_s(buf, n, e) != 0)
#else
  if (strerror_r(e, buf, n) != 0) /* XSI form: strerror's buffer is shared between threads */
#endif
    snprintf(buf, n, "error %d", e);
}

/* 1 when the file did not exist and now does, empty; 0 if it existed; -1 on
 * another error (errno set). */
static int create_exclusive(const char *name)
{
#if defined(_WIN32)
  int fd = _open(name, _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
  if (fd < 0)
    return errno == EEXIST ? 0 : -1;
  _close(fd);
  return 1;
#else
  FILE *f = fopen(name, "wbx");
  if (!f)
    return errno == EEXIST ? 0 : -1;
  fclose(f);
  return 1;
#endif
}

char *fm_temp_create(const char *path, char *err)
{
  const char *base = path;
  for (const char *p = path; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  size_t dir = (size_t)(base - path);
  size_t size = strlen(path) + 16;
  char *tmp = malloc(size);
  if (!tmp) {
    snprintf(err, DEFACE_ERRLEN, "%s: out of memory", path);
    return NULL;
  }
  /* Names differ by a counter mixed with the clock and an address; the
   * exclusive creation is what guarantees that no one else has the file. */
  uint64_t x = (uint64_t)(fm_seconds() * 1e6) ^ (uint64_t)(uintptr_t)tmp;
  static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; attempt++) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    char rnd[7];
    for (int i = 0; i < 6; i++, z /= 36)
      rnd[i] = digits[z % 36];
    rnd[6] = '\0';
    snprintf(tmp, size, "%.*s.fm%s_%s", (int)dir, path, rnd, base);
    int made = create_exclusive(tmp);
    if (made == 1)
      return tmp;
    if (made < 0) {
      char e[128];
      errno_text(errno, e, sizeof e);
      snprintf(err, DEFACE_ERRLEN, "%s: cannot create a file in its folder: %s", path, e);
      free(tmp);
      return NULL;
    }
  }
  snprintf(err, DEFACE_ERRLEN, "%s: no free temporary name in its folder", path);
  free(tmp);
  return NULL;
}

int fm_temp_commit(const char *tmp, const char *path, char *err)
{
#if defined(_WIN32)
  if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING))
    return 0;
  snprintf(err, DEFACE_ERRLEN, "%s: cannot rename %s into place (Windows error %lu)", path, tmp,
           (unsigned long)GetLastError());
  return -1;
#else
  if (rename(tmp, path) == 0)
    return 0;
  char e[128];
  errno_text(errno, e, sizeof e);
  snprintf(err, DEFACE_ERRLEN, "%s: cannot rename %s into place: %s", path, tmp, e);
  return -1;
#endif
}

void fm_temp_discard(char *tmp)
{
  if (!tmp)
    return;
  remove(tmp);
  free(tmp);
}

/* "x,y,z" in the C locale, as Slicer parses vectors. */
static void format_point(char *buf, size_t n, const double p[3])
{
  char c[3][40];
  for (int i = 0; i < 3; i++)
    if (deface_c_format(c[i], sizeof c[i], 8, p[i]) < 0)
      snprintf(c[i], sizeof c[i], "0");
  snprintf(buf, n, "%s,%s,%s", c[0], c[1], c[2]);
}

int fm_write_return_file(const char *path, const char *status, const char *reason,
                         const deface_result *r, char *err)
{
  char *tmp = fm_temp_create(path, err);
  if (!tmp)
    return -1;
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    snprintf(err, DEFACE_ERRLEN, "%s: cannot open %s", path, tmp);
    fm_temp_discard(tmp);
    return -1;
  }
  char line[DEFACE_ERRLEN], right[128], left[128];
  fm_clean_text(line, sizeof line, reason);
  static const double none[3] = {0, 0, 0};
  format_point(right, sizeof right, r && r->eyes_found ? r->eye_ras[0] : none);
  format_point(left, sizeof left, r && r->eyes_found ? r->eye_ras[1] : none);
  int ok = fprintf(f, "status = %s\nreason = %s\nrightEye = %s\nleftEye = %s\n", status, line,
                   right, left) > 0;
  ok = fclose(f) == 0 && ok;
  if (!ok) {
    snprintf(err, DEFACE_ERRLEN, "%s: cannot write the return parameters", path);
    fm_temp_discard(tmp);
    return -1;
  }
  if (fm_temp_commit(tmp, path, err) != 0) {
    fm_temp_discard(tmp);
    return -1;
  }
  free(tmp);
  return 0;
}

/*
 * nrrd_text.c - numbers in the C locale and errno texts, for the NRRD adapter
 * and the Slicer module (deface_nrrd.h).
 *
 * strtod and printf follow LC_NUMERIC. A CLI module loaded into 3D Slicer
 * runs in a process whose locale the application set, possibly with a
 * decimal comma, and NRRD headers and Slicer's return-parameter files always
 * use a '.', so the decimal point is swapped for the locale's around the
 * standard calls rather than parsing digits by hand (which would round
 * differently from strtod).
 */
#define _POSIX_C_SOURCE 200112L /* XSI strerror_r */
#include "nrrd_private.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static const char *decimal_point(void)
{
  const struct lconv *lc = localeconv();
  return lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point : ".";
}

double deface_c_strtod(const char *s, char **end)
{
  const char *dp = decimal_point();
  if (strcmp(dp, ".") == 0)
    return strtod(s, end);
  /* The longest run that can belong to a number, with '.' as the locale has it. */
  const char *p = s;
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  size_t dpn = strlen(dp), k = 0, dot_at = (size_t)-1;
  char buf[128];
  const char *q = p;
  for (; *q && strchr("+-0123456789.eEinfINFaAtTyYnN", *q) && k + dpn + 1 < sizeof buf; q++) {
    if (*q == '.' && dot_at == (size_t)-1) {
      dot_at = (size_t)(q - p);
      memcpy(buf + k, dp, dpn);
      k += dpn;
    } else {
      buf[k++] = *q;
    }
  }
  buf[k] = '\0';
  char *e = NULL;
  double v = strtod(buf, &e);
  size_t used = (size_t)(e - buf);
  if (used == 0) {
    if (end)
      *end = (char *)s;
    return v;
  }
  /* Map the end back to s: the locale's point took dpn bytes for one '.'. */
  if (dot_at != (size_t)-1 && used > dot_at)
    used = used - dpn + 1;
  if (end)
    *end = (char *)(p + used);
  return v;
}

int deface_c_format(char *buf, size_t n, int precision, double value)
{
  char tmp[64];
  int len = snprintf(tmp, sizeof tmp, "%.*g", precision, value);
  if (len < 0 || (size_t)len >= sizeof tmp)
    return -1;
  const char *dp = decimal_point();
  char *at = strcmp(dp, ".") == 0 ? NULL : strstr(tmp, dp);
  if (at) {
    size_t dpn = strlen(dp);
    at[0] = '.';
    memmove(at + 1, at + dpn, strlen(at + dpn) + 1);
    len = (int)strlen(tmp);
  }
  if ((size_t)len >= n)
    return -1;
  memcpy(buf, tmp, (size_t)len + 1);
  return len;
}

const char *nrrd_errno_text(int errnum, char *buf, size_t n)
{
#if defined(_WIN32)
  if (strerror_s(buf, n, errnum) != 0)
    snprintf(buf, n, "error %d", errnum);
#else
  if (strerror_r(errnum, buf, n) != 0)
    snprintf(buf, n, "error %d", errnum);
#endif
  return buf;
}

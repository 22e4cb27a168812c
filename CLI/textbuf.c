/*
 * textbuf.c - a growing text buffer (see textbuf.h).
 */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(textbuf *t, size_t more)
{
  if (t->failed)
    return -1;
  if (t->n + more + 1 <= t->cap)
    return 0;
  size_t cap = (t->cap + more + 1) * 2;
  char *p = realloc(t->p, cap);
  if (!p) {
    t->failed = 1;
    return -1;
  }
  t->p = p;
  t->cap = cap;
  return 0;
}

void textbuf_printf(textbuf *t, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (need < 0) {
    t->failed = 1;
    return;
  }
  if (reserve(t, (size_t)need) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(t->p + t->n, t->cap - t->n, fmt, ap);
  va_end(ap);
  t->n += (size_t)need;
}

void textbuf_append(textbuf *t, const char *s, size_t len)
{
  if (reserve(t, len) != 0)
    return;
  memcpy(t->p + t->n, s, len);
  t->n += len;
  t->p[t->n] = '\0';
}

void textbuf_free(textbuf *t)
{
  free(t->p);
  t->p = NULL;
  t->n = t->cap = 0;
  t->failed = 0;
}

int text_utf8_length(const char *str)
{
  const unsigned char *s = (const unsigned char *)str;
  if (s[0] < 0x80)
    return s[0] ? 1 : 0;
  int n;
  unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3;
    if (s[0] == 0xe0)
      lo = 0xa0; /* no overlong form */
    else if (s[0] == 0xed)
      hi = 0x9f; /* no surrogate */
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4;
    if (s[0] == 0xf0)
      lo = 0x90;
    else if (s[0] == 0xf4)
      hi = 0x8f; /* at most U+10FFFF */
  } else
    return 0;
  if (s[1] < lo || s[1] > hi)
    return 0;
  for (int k = 2; k < n; k++)
    if (s[k] < 0x80 || s[k] > 0xbf)
      return 0;
  return n;
}

void textbuf_append_escaped(textbuf *t, const char *s, text_escape_fn escape)
{
  while (s && *s) {
    char buf[8];
    const char *instead =
        escape && (unsigned char)*s < 0x80 ? escape((unsigned char)*s, buf) : NULL;
    int n = text_utf8_length(s);
    if (instead)
      textbuf_append(t, instead, strlen(instead));
    else if (n > 0)
      textbuf_append(t, s, (size_t)n);
    else
      textbuf_append(t, TEXT_REPLACEMENT, 3);
    s += n > 0 ? n : 1;
  }
}

void textbuf_append_utf8(textbuf *t, const char *s)
{
  textbuf_append_escaped(t, s, NULL);
}

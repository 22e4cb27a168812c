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

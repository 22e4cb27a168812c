/*
 * textbuf.h - a growing text buffer for the files the CLI composes in memory
 * before writing them atomically (JSON sidecars, summary tables, index.html).
 */
#ifndef DEFACE_CLI_TEXTBUF_H
#define DEFACE_CLI_TEXTBUF_H

#include <stddef.h>

typedef struct textbuf {
  char *p;      /* NUL-terminated once anything was added */
  size_t n, cap;
  int failed;   /* an allocation or format failed: the text is incomplete */
} textbuf;

/** Appends formatted text; on failure sets t->failed and stops adding. */
void textbuf_printf(textbuf *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Appends len bytes. */
void textbuf_append(textbuf *t, const char *s, size_t len);
/** Frees the text; the buffer can be used again. */
void textbuf_free(textbuf *t);

#endif

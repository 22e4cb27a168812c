/*
 * textbuf.h - a growing text buffer for the files the CLI composes in memory
 * before writing them atomically (JSON sidecars, summary tables, index.html).
 */
#ifndef DEFACE_CLI_TEXTBUF_H
#define DEFACE_CLI_TEXTBUF_H

#include <stddef.h>

typedef struct textbuf {
  char *p; /* NUL-terminated once anything was added */
  size_t n, cap;
  int failed; /* an allocation or format failed: the text is incomplete */
} textbuf;

/** Appends formatted text; on failure sets t->failed and stops adding. */
void textbuf_printf(textbuf *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Appends len bytes. */
void textbuf_append(textbuf *t, const char *s, size_t len);
/**
 * The length (1 to 4) of the well-formed UTF-8 character at s (RFC 3629: no
 * overlong forms, no surrogates, at most U+10FFFF), or 0 when s does not
 * start one. Every text file the command writes is UTF-8: file names and
 * DICOM text that are not are written with U+FFFD for each bad byte.
 */
int text_utf8_length(const char *s);

/** U+FFFD, the replacement character, in UTF-8. */
#define TEXT_REPLACEMENT "\xef\xbf\xbd"

/** Appends s (NUL-terminated) with every byte that does not belong to a
 * well-formed UTF-8 character replaced by U+FFFD. */
void textbuf_append_utf8(textbuf *t, const char *s);

/** A file format's escaping of one ASCII byte: the text to write instead
 * (in buf or static), or NULL to write the byte itself. */
typedef const char *(*text_escape_fn)(unsigned char c, char buf[8]);

/** Appends s (NUL-terminated) as textbuf_append_utf8() does, each ASCII byte
 * through `escape` (JSON, TSV and HTML each have theirs). */
void textbuf_append_escaped(textbuf *t, const char *s, text_escape_fn escape);

/** Frees the text; the buffer can be used again. */
void textbuf_free(textbuf *t);

#endif

/*
 * report_html.h - OUTDIR/index.html of session mode: one self-contained page
 * (inline CSS, no scripts, no network) with a row per series: its QA picture
 * as a thumbnail, number, description, status, reason and seconds.
 */
#ifndef DEFACE_CLI_REPORT_HTML_H
#define DEFACE_CLI_REPORT_HTML_H

#include "textbuf.h"

#include <stddef.h>

typedef struct report_row {
  const char *number;        /* series number as text, "" when none */
  const char *description;   /* series description */
  const char *modality;      /* e.g. "MR" */
  const char *dimensions;    /* e.g. "181x217x181" */
  const char *status;        /* "defaced", "refused", "error" or "interrupted" */
  const char *reason;        /* why not defaced, "" when defaced */
  double seconds;            /* the series' whole time */
  const char *folder;        /* DEFACED_<series> relative to OUTDIR, "" when none */
  const char *picture;       /* the QA PNG relative to OUTDIR, NULL when none */
  const char *picture_error; /* why the picture is missing, "" or NULL */
} report_row;

/**
 * Appends the page to t (t->failed when out of memory). Every text is
 * HTML-escaped; pictures are linked by their relative paths.
 */
void report_html_text(const char *title, const report_row *rows, size_t n, textbuf *t);

#endif

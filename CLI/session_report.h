/*
 * session_report.h - OUTDIR/summary.tsv, skipped.tsv and index.html of a
 * session, written from its rows once every series is done.
 */
#ifndef DEFACE_CLI_SESSION_REPORT_H
#define DEFACE_CLI_SESSION_REPORT_H

#include "session_private.h"

/** summary.tsv and skipped.tsv, each replaced atomically; 0, or -1 after
 * one line on stderr. */
int session_write_tables(const session *s, const char *summary_path, const char *skipped_path);

/** index.html (report_html.h); 0, or -1 with the reason in err
 * (DEFACE_ERRLEN bytes). */
int session_write_index(const session *s, const char *path, char *err);

#endif

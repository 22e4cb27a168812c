/*
 * session_report.h - OUTDIR/summary.tsv, skipped.tsv and index.html of a
 * session, written from its rows once every series is done (or the run was
 * interrupted: the rest are "interrupted").
 */
#ifndef DEFACE_CLI_SESSION_REPORT_H
#define DEFACE_CLI_SESSION_REPORT_H

#include "session_private.h"

/**
 * summary.tsv, skipped.tsv and index.html from the rows, replaced together
 * (one write transaction in OUTDIR, s->outfd). Paths under the session folder
 * are written relative to it, in reasons too.
 * @return 0, or -1 with "PATH: reason" in err (DEFACE_ERRLEN bytes).
 */
int session_write_reports(const session *s, char *err);

#endif

/*
 * session.h - session mode of `deface`: every DICOM series in a folder (any
 * layout, e.g. XNAT's SCANS/<id>/DICOM/) defaced into OUTDIR/DEFACED_<series>/,
 * with OUTDIR/summary.tsv (one row per series), OUTDIR/skipped.tsv (the
 * files that are not image series) and OUTDIR/index.html (session_report.h);
 * with QA pictures built, each DEFACED_<series>/ also holds DEFACED_<series>_qa.png.
 */
#ifndef DEFACE_CLI_SESSION_H
#define DEFACE_CLI_SESSION_H

#include "args.h"
#include "deface_write.h"

/**
 * Runs session mode: a->input is the folder, a->output the OUTDIR; --jobs
 * series at a time on POSIX threads (0: the number of online cores). Prints
 * one line per series that was not defaced and a tally (errors only with
 * --quiet), a progress bar on a terminal. `writer` (may be NULL) is given
 * every output's temporaries.
 * @return the exit code (exit_codes.h): 0 when every series was defaced or
 *         refused; 1 when any series ended in an error; 2 for
 *         --label/--json/--qa or an OUTDIR inside the folder; 3 when the
 *         folder holds no series or cannot be read; 5 when a self-check
 *         failed; 6 when OUTDIR is not empty without --force or cannot be
 *         written, or when a defaced series got no QA picture (after
 *         everything else, index.html included, was written).
 */
int session_run(const cli_args *a, deface_writer *writer);

#endif

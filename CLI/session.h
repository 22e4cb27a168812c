/*
 * session.h - session mode of `deface`: every DICOM series in a folder (any
 * layout, e.g. XNAT's SCANS/<id>/DICOM/) defaced into OUTDIR/DEFACED_<series>/,
 * with OUTDIR/summary.tsv (one row per series), OUTDIR/skipped.tsv (the
 * files that are not image series) and OUTDIR/index.html (report_html.h);
 * with QA pictures built, each DEFACED_<series>/ also holds DEFACED_<series>_qa.png.
 */
#ifndef DEFACE_CLI_SESSION_H
#define DEFACE_CLI_SESSION_H

#include "args.h"

#include <stddef.h>

/**
 * Runs session mode: a->input is the folder, a->output the OUTDIR; --jobs
 * series at a time on POSIX threads (0: the number of online cores). Prints
 * one line per series that was not defaced and a tally (errors only with
 * --quiet), a progress bar on a terminal.
 * @return the exit code: 0 when every series was defaced or refused; 1 when
 *         any series ended in an error; 2 for --label/--json or an OUTDIR
 *         inside the folder; 3 when the folder holds no series or cannot be
 *         read; 6 when OUTDIR is not empty without --force or cannot be written,
 *         or when a defaced series got no QA picture (after everything else,
 *         index.html included, was written).
 */
int session_run(const cli_args *a);

/**
 * The folder name a series gets from its DICOM text, for DEFACED_<name>:
 * "NUMBER_DESCRIPTION" (either part may be missing; "series" when both are)
 * reduced to [A-Za-z0-9._-]: other bytes and dots next to dots become '_',
 * runs of '_' one, it starts with a letter or digit and ends with neither
 * '_', '.' nor '-', and it has at most SESSION_NAME_MAX characters. `taken`
 * holds the `ntaken` names given so far; a name equal to one of them
 * (ignoring case) gets _2, _3... within the same bound.
 */
#define SESSION_NAME_MAX 64
void session_series_name(long number, const char *description,
                         const char (*taken)[SESSION_NAME_MAX + 1], size_t ntaken,
                         char name[SESSION_NAME_MAX + 1]);

#endif

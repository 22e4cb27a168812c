/*
 * session_private.h - what session.c (the run) and session_report.c (the
 * tables and the page) share: one row of results per series.
 */
#ifndef DEFACE_CLI_SESSION_PRIVATE_H
#define DEFACE_CLI_SESSION_PRIVATE_H

#include "args.h"
#include "deface.h"
#include "deface_dicom.h"
#include "deface_write.h"
#include "progress.h"
#include "session_names.h"

#include <pthread.h>
#include <stddef.h>

/* A series' outcome; "interrupted": not done because a signal stopped the run. */
typedef enum { ROW_DEFACED, ROW_REFUSED, ROW_ERROR, ROW_INTERRUPTED, ROW_STATUSES } row_status;
extern const char *const SESSION_ROW_STATUS[ROW_STATUSES];

typedef struct series_row {
  row_status status;
  char reason[DEFACE_ERRLEN];
  double seconds;
  int has_picture;                   /* the QA picture was written */
  int self_check_failed;             /* the core's own check stopped this series */
  char picture_error[DEFACE_ERRLEN]; /* why a defaced series has none */
  double render_seconds;
} series_row;

typedef struct session {
  const cli_args *a;
  deface_writer *writer; /* knows every temporary, for a signal (may be NULL) */
  const deface_dicom_folder *scan;
  int outfd, lockfd;                   /* OUTDIR, open; its lock (outdir.h) */
  size_t n;                            /* series */
  char (*names)[SESSION_NAME_MAX + 1]; /* per series: DEFACED_<name> */
  series_row *rows;                    /* per series, written by its thread */
  pthread_mutex_t lock;                /* guards what follows and stderr */
  size_t next, done;
  progress_bar bar;    /* series done, on a terminal (not --quiet) */
  const char *current; /* the series started last, for the bar */
} session;

#endif

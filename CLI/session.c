/*
 * session.c - session mode: scan a folder for DICOM series, deface each on a
 * pool of POSIX threads, and write one DEFACED_<series>/ folder per defaced
 * series (with its QA picture when rendering is built); then the tables and
 * the page (session_report.c). Names come from session_names.c, OUTDIR's
 * checks from outdir.c. Pictures are rendered one at a time (qa.c holds the
 * lock) while other series are defaced, all on one X display started before
 * the threads.
 *
 * The threads share only the scan (read-only), the next-series counter and
 * the progress display (under one mutex); each writes its own row of the
 * results, and the summary is written from those rows in series order once
 * every thread has finished, so it does not depend on --jobs. What the
 * threads call is safe to call concurrently: the core keeps no global state,
 * the DICOM adapter registers dcmtk's codecs once (std::call_once) and reads
 * each file into its own dataset, the NIfTI adapter writes through znzlib
 * (one gzip stream per file) and reads back with nifti_image_read, whose only
 * process-wide state is nifti_clib's options, never set here, and every file
 * goes through its own write transaction (deface_write.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "session.h"
#include "deface_dicom.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "outdir.h"
#include "outputs.h"
#include "paths.h"
#include "qa.h"
#include "series.h"
#include "session_private.h"
#include "session_report.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const SESSION_ROW_STATUS[ROW_STATUSES] = {"defaced", "refused", "error", "interrupted"};

/* ------------------------------------------------------------------------ */
/* One series                                                               */
/* ------------------------------------------------------------------------ */

static int series_paths(const session *s, size_t i, char *dir, output_paths *o)
{
  const char *name = s->names[i], *out = s->a->output;
  int n = snprintf(dir, CLI_PATH_MAX, "%s/DEFACED_%s", out, name);
  int a = snprintf(o->image, CLI_PATH_MAX, "%s/DEFACED_%s.nii.gz", dir, name);
  int b = snprintf(o->label, CLI_PATH_MAX, "%s/DEFACED_%s_label.nii.gz", dir, name);
  int c = snprintf(o->json, CLI_PATH_MAX, "%s/DEFACED_%s.json", dir, name);
  int d = snprintf(o->qa, CLI_PATH_MAX, "%s/DEFACED_%s_qa.png", dir, name);
  snprintf(o->qa_name, sizeof o->qa_name, "DEFACED_%s", name);
  return n < CLI_PATH_MAX && a < CLI_PATH_MAX && b < CLI_PATH_MAX && c < CLI_PATH_MAX &&
                 d < CLI_PATH_MAX
             ? 0
             : -1;
}

/* The folder the series' files have in common (its files may lie anywhere). */
static void common_folder(const char *const *files, size_t n, char *out, size_t size)
{
  size_t len = n ? strlen(files[0]) : 0;
  for (size_t i = 1; i < n; i++) {
    size_t k = 0;
    while (k < len && files[i][k] == files[0][k])
      k++;
    len = k;
  }
  while (len > 0 && files[0][len - 1] != '/')
    len--;
  while (len > 1 && files[0][len - 1] == '/')
    len--;
  if (len == 0)
    snprintf(out, size, ".");
  else
    snprintf(out, size, "%.*s", (int)len, files[0]);
}

static void set_row(series_row *row, row_status status, const char *fmt, ...)
{
  row->status = status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(row->reason, sizeof row->reason, fmt, ap);
  va_end(ap);
}

/* deface_progress_fn for a series: no bar (the session has its own), but a
 * signal stops the core and the write before its commit. */
static int stop_on_signal(void *user, double fraction, const char *stage)
{
  (void)user;
  (void)fraction;
  (void)stage;
  return interrupt_pending();
}

static const char *file_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Outputs left from an earlier run in the series' folder (opened without
 * following links), when this run does not deface the series; then the
 * folder itself, if that leaves it empty (never what others put there). */
static void remove_outputs(const session *s, const output_paths *out, const char *folder, int dfd)
{
  const char *paths[4] = {out->image, out->label, out->json, out->qa};
  if (dfd < 0) { /* not opened by this run: only an existing real folder */
    dfd = outdir_series_open(s->outfd, folder, 0);
    if (dfd < 0)
      return;
    remove_outputs(s, out, folder, dfd);
    close(dfd);
    return;
  }
  for (int k = 0; k < 4; k++)
    if (paths[k][0])
      unlinkat(dfd, file_name(paths[k]), 0);
  unlinkat(s->outfd, folder, AT_REMOVEDIR);
}

/* Reads, defaces and writes series i into its row. */
static void run_series(session *s, size_t i)
{
  series_row *row = &s->rows[i];
  const deface_dicom_series_info *info = deface_dicom_series_at(s->scan, i);
  double t0 = output_now_seconds();
  char dir[CLI_PATH_MAX], folder[SESSION_NAME_MAX + 16], source_dir[CLI_PATH_MAX];
  char err[DEFACE_ERRLEN] = "";
  output_paths out;
  output_txn txn = {0};
  deface_volume *volume = NULL;
  deface_nifti *header = NULL;
  const char **files = NULL;
  int dfd = -1, keep_previous = 0;
  set_row(row, ROW_ERROR, "%s", "not run"); /* until this function says otherwise */
  snprintf(folder, sizeof folder, "DEFACED_%s", s->names[i]);
  int named = series_paths(s, i, dir, &out) == 0;
  if (!qa_available() || s->a->no_qa)
    out.qa[0] = '\0';
  if (!named) {
    set_row(row, ROW_ERROR, "%s: output path too long", s->a->output);
    goto done;
  }
  if (interrupt_pending()) {
    set_row(row, ROW_INTERRUPTED, "not started: %s", interrupt_name(interrupt_signal()));
    keep_previous = 1;
    goto done;
  }
  if (info->status != DEFACE_OK) {
    set_row(row, info->status == DEFACE_E_REFUSED ? ROW_REFUSED : ROW_ERROR, "%s", info->reason);
    goto done;
  }
  /* The series' folder, never through a symbolic link (an earlier
   * DEFACED_<series> replaced by a link must not receive, nor lose, files
   * elsewhere); then every output's temporary, before the work. */
  if ((dfd = outdir_series_open(s->outfd, folder, 1)) < 0) {
    char why[128] = "";
    int e = errno;
    keep_previous = 1; /* nothing is removed through what this run cannot open */
    if (e == ELOOP || e == ENOTDIR)
      set_row(row, ROW_ERROR, "%s: is a symbolic link or not a folder: not followed; remove it",
              dir);
    else
      set_row(row, ROW_ERROR, "%s: cannot create the folder: %s", dir,
              strerror_r(e, why, sizeof why) == 0 ? why : "error");
    goto done;
  }
  const char *names[4] = {out.image, out.label, out.json, out.qa};
  for (int k = 0; k < 4; k++) /* what a killed run left (this run holds OUTDIR's lock) */
    if (names[k][0])
      deface_write_remove_leftovers(dfd, file_name(names[k]));
  deface_status st = output_txn_open(s->writer, &out, dfd, dir, &txn, err);
  if (st != DEFACE_OK) {
    set_row(row, ROW_ERROR, "%s", err);
    goto done;
  }
  st = series_read(s->scan, i, &volume, &header, err);
  if (st != DEFACE_OK) {
    set_row(row, st == DEFACE_E_REFUSED ? ROW_REFUSED : ROW_ERROR, "%s", err);
    goto done;
  }
  size_t nfiles = 0;
  if (!(files = series_files(s->scan, i, &nfiles))) {
    set_row(row, ROW_ERROR, "out of memory");
    goto done;
  }
  common_folder(files, nfiles, source_dir, sizeof source_dir);
  output_source source = {source_dir, files, nfiles};
  output_outcome o;
  st = output_deface_and_write(s->a, &source, &out, &txn, volume, header, t0, stop_on_signal, NULL,
                               &o);
  row->render_seconds = o.qa_seconds;
  if (st == DEFACE_OK && out.qa[0]) {
    row->has_picture = o.qa_status == DEFACE_OK;
    if (!row->has_picture)
      snprintf(row->picture_error, sizeof row->picture_error, "no picture: %.480s", o.qa_message);
  }
  if (st == DEFACE_OK)
    set_row(row, ROW_DEFACED, "%s", "");
  else if (st == DEFACE_E_CANCELLED && interrupt_pending()) {
    set_row(row, ROW_INTERRUPTED, "stopped by %s; nothing replaced",
            interrupt_name(interrupt_signal()));
    keep_previous = 1;
  } else if (st == DEFACE_E_REFUSED)
    set_row(row, ROW_REFUSED, "%s", o.message);
  else if (st == DEFACE_E_SELFCHECK) { /* nothing written, but no normal refusal either */
    set_row(row, ROW_ERROR, "self-check failed: %s", o.message);
    row->self_check_failed = 1;
  } else
    set_row(row, ROW_ERROR, "%s", o.message);
done:
  output_txn_close(&txn); /* what was not committed goes */
  if (named && row->status != ROW_DEFACED && !keep_previous)
    remove_outputs(s, &out, folder, dfd);
  else if (named && row->status != ROW_DEFACED && dfd >= 0)
    unlinkat(s->outfd, folder, AT_REMOVEDIR); /* a folder this run made, if still empty */
  if (dfd >= 0)
    close(dfd);
  row->seconds = output_now_seconds() - t0;
  free(files);
  deface_volume_free(volume);
  deface_nifti_free(header);
}

/* ------------------------------------------------------------------------ */
/* Threads and progress                                                     */
/* ------------------------------------------------------------------------ */

/* One line for a finished series; the lock is held. */
static void report_series(session *s, size_t i)
{
  const series_row *row = &s->rows[i];
  if (row->status == ROW_INTERRUPTED)
    return; /* one line for the whole session says it */
  if (s->a->quiet && row->status != ROW_ERROR && !row->picture_error[0])
    return;
  if (row->status == ROW_DEFACED && !s->a->verbose && !row->picture_error[0])
    return;
  progress_clear(&s->bar);
  fprintf(stderr, "deface: %s: series DEFACED_%s: %s%s%s (%.1f s", s->a->input, s->names[i],
          SESSION_ROW_STATUS[row->status], row->reason[0] ? ": " : "", row->reason, row->seconds);
  if (row->render_seconds > 0)
    fprintf(stderr, ", QA picture %.1f s", row->render_seconds);
  fprintf(stderr, ")\n");
  if (row->picture_error[0])
    fprintf(stderr, "deface: %s: series DEFACED_%s: %s\n", s->a->input, s->names[i],
            row->picture_error);
}

static void *worker(void *user)
{
  session *s = user;
  for (;;) {
    pthread_mutex_lock(&s->lock);
    size_t i = s->next < s->n ? s->next++ : s->n;
    if (i < s->n) {
      s->current = s->names[i];
      progress_count(&s->bar, s->done, s->n, s->current);
    }
    pthread_mutex_unlock(&s->lock);
    if (i >= s->n)
      return NULL;
    run_series(s, i); /* after a signal: each remaining row says "interrupted" at once */
    pthread_mutex_lock(&s->lock);
    s->done++;
    report_series(s, i);
    progress_count(&s->bar, s->done, s->n, s->current);
    pthread_mutex_unlock(&s->lock);
  }
}

static void run_all(session *s, int jobs)
{
  size_t nthreads = jobs > 0 ? (size_t)jobs : 1;
  if (nthreads > s->n)
    nthreads = s->n;
  pthread_t *threads = nthreads > 1 ? calloc(nthreads, sizeof *threads) : NULL;
  size_t started = 0;
  while (threads && started < nthreads && pthread_create(&threads[started], NULL, worker, s) == 0)
    started++;
  if (started == 0)
    worker(s); /* one job, or no thread could be started: this thread does it all */
  for (size_t t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  free(threads);
  pthread_mutex_lock(&s->lock);
  progress_clear(&s->bar);
  pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------------------ */
/* The session                                                              */
/* ------------------------------------------------------------------------ */

static int online_cores(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* Paths the scan could not read: each on stderr (even with --quiet: a series
 * may be missing), counted as errors. */
static size_t report_unreadable(const cli_args *a, const deface_dicom_folder *scan)
{
  size_t n = 0;
  for (size_t i = 0; i < deface_dicom_skipped_count(scan); i++)
    if (deface_dicom_skipped_unreadable(scan, i)) {
      fprintf(stderr, "deface: %s: %s (listed in skipped.tsv)\n",
              deface_dicom_skipped_path(scan, i), deface_dicom_skipped_reason(scan, i));
      n++;
    }
  (void)a;
  return n;
}

static int give_names(session *s)
{
  session_names *given = session_names_new();
  int rc = given ? 0 : -1;
  for (size_t i = 0; i < s->n && rc == 0; i++) {
    const deface_dicom_series_info *info = deface_dicom_series_at(s->scan, i);
    rc = session_names_make(given, info->series_number, info->description, s->names[i]);
  }
  session_names_free(given);
  return rc;
}

int session_run(const cli_args *a, deface_writer *writer)
{
  int code = outdir_check(a);
  if (code != 0)
    return code;
  char err[DEFACE_ERRLEN] = "";
  deface_dicom_folder *scan = NULL;
  deface_status st = deface_dicom_scan(a->input, &scan, err);
  if (st != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    return exit_code(st);
  }
  session s;
  memset(&s, 0, sizeof s);
  s.a = a;
  s.writer = writer;
  s.scan = scan;
  s.outfd = s.lockfd = -1;
  s.n = deface_dicom_series_count(scan);
  size_t nskipped = deface_dicom_skipped_count(scan);
  if (a->verbose)
    for (size_t i = 0; i < nskipped; i++)
      fprintf(stderr, "deface: %s: skipped: %s\n", deface_dicom_skipped_path(scan, i),
              deface_dicom_skipped_reason(scan, i));
  size_t unreadable = report_unreadable(a, scan);
  if (s.n == 0) {
    fprintf(stderr, "deface: %s: no DICOM image series in the folder (%zu file%s skipped)\n",
            a->input, nskipped, nskipped == 1 ? "" : "s");
    deface_dicom_folder_free(scan);
    return EXIT_INPUT;
  }
  s.names = calloc(s.n, sizeof *s.names);
  s.rows = calloc(s.n, sizeof *s.rows);
  if (!s.names || !s.rows || give_names(&s) != 0) {
    fprintf(stderr, "deface: %s: out of memory\n", a->input);
    code = EXIT_INTERNAL;
    goto done;
  }
  if ((code = outdir_open(a->output, &s.outfd, &s.lockfd)) != 0)
    goto done;
  /* A summary always describes one whole run: an earlier one goes first, with
   * what a killed run left of the reports. */
  static const char *const reports[3] = {"summary.tsv", "skipped.tsv", "index.html"};
  for (int k = 0; k < 3; k++) {
    unlinkat(s.outfd, reports[k], 0);
    deface_write_remove_leftovers(s.outfd, reports[k]);
  }
  /* One X display for all the pictures, set up before the threads. */
  if (qa_available() && !a->no_qa && qa_display_begin(err, sizeof err) != 0)
    fprintf(stderr, "deface: %s: %s\n", a->input, err);
  progress_init(&s.bar, !a->quiet && isatty(STDERR_FILENO), a->input);
  if (pthread_mutex_init(&s.lock, NULL) != 0) {
    fprintf(stderr, "deface: %s: cannot create a mutex\n", a->input);
    code = EXIT_INTERNAL;
    goto done;
  }
  run_all(&s, a->jobs > 0 ? a->jobs : online_cores());
  pthread_mutex_destroy(&s.lock);
  size_t count[ROW_STATUSES] = {0}, no_picture = 0, self_check_failed = 0;
  for (size_t i = 0; i < s.n; i++) {
    count[s.rows[i].status]++;
    self_check_failed += s.rows[i].self_check_failed;
    no_picture += s.rows[i].picture_error[0] != '\0';
  }
  if (session_write_reports(&s, err) != 0) {
    fprintf(stderr, "deface: %s\n", err);
    code = EXIT_OUTPUT;
    goto done;
  }
  /* A missing QA picture is an output failure, after everything else was written. */
  code = self_check_failed                ? EXIT_SELFCHECK
         : count[ROW_ERROR] || unreadable ? EXIT_INTERNAL
         : no_picture                     ? EXIT_OUTPUT
                                          : EXIT_DONE;
  if (count[ROW_INTERRUPTED])
    fprintf(stderr,
            "deface: %s: interrupted by %s: %zu of %zu series not done (\"interrupted\" in "
            "summary.tsv); temporary files removed\n",
            a->input, interrupt_name(interrupt_signal()), count[ROW_INTERRUPTED], s.n);
  if (!a->quiet) {
    fprintf(stderr,
            "deface: %s: %zu series: %zu defaced, %zu refused, %zu error%s%s; %zu file%s "
            "skipped%s\n",
            a->input, s.n, count[ROW_DEFACED], count[ROW_REFUSED], count[ROW_ERROR],
            count[ROW_ERROR] == 1 ? "" : "s", count[ROW_INTERRUPTED] ? ", some interrupted" : "",
            nskipped, nskipped == 1 ? "" : "s", unreadable ? " (some could not be read)" : "");
    if (no_picture)
      fprintf(stderr, "deface: %s: %zu defaced series without a QA picture\n", a->input,
              no_picture);
    printf("%s/summary.tsv\n%s/skipped.tsv\n%s/index.html\n", a->output, a->output, a->output);
  }
done:
  outdir_close(a->output, s.outfd, s.lockfd);
  free(s.names);
  free(s.rows);
  deface_dicom_folder_free(scan);
  return code;
}

/*
 * session.c - session mode: scan a folder for DICOM series, deface each on a
 * pool of POSIX threads, and write one DEFACED_<series>/ folder per defaced
 * series (with its QA picture when rendering is built), summary.tsv,
 * skipped.tsv and index.html (report_html.c). Pictures are rendered one at a
 * time (qa.c holds the lock) while other series are defaced, all on one X
 * display started before the threads.
 *
 * The threads share only the scan (read-only), the next-series counter and
 * the progress display (under one mutex); each writes its own row of the
 * results, and the summary is written from those rows in series order once
 * every thread has finished, so it does not depend on --jobs. What the
 * threads call is safe to call concurrently: the core keeps no global state,
 * the DICOM adapter registers dcmtk's codecs once (std::call_once) and reads
 * each file into its own dataset, and the NIfTI adapter writes through znzlib
 * (one gzip stream per file) and reads back with nifti_image_read, whose only
 * process-wide state is nifti_clib's options, never set here.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "session.h"
#include "deface_dicom.h"
#include "outputs.h"
#include "paths.h"
#include "qa.h"
#include "report_html.h"
#include "series.h"
#include "textbuf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_DONE = 0, EXIT_INTERNAL = 1, EXIT_USAGE = 2 };

typedef enum { ROW_DEFACED, ROW_REFUSED, ROW_ERROR } row_status;
static const char *const ROW_STATUS[] = {"defaced", "refused", "error"};

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
  const deface_dicom_folder *scan;
  size_t n;                            /* series */
  char (*names)[SESSION_NAME_MAX + 1]; /* per series: DEFACED_<name> */
  series_row *rows;                    /* per series, written by its thread */
  pthread_mutex_t lock;                /* guards what follows and stderr */
  size_t next, done;
  int bar;             /* progress bar on stderr (a terminal, not --quiet) */
  const char *current; /* the series started last, for the bar */
} session;

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

static int is_alnum(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* `raw` reduced to a safe name of at most `max` characters (see session.h). */
static void sanitise(const char *raw, char *out, size_t max)
{
  size_t k = 0;
  for (size_t i = 0; raw[i] && k < max; i++) {
    char c = raw[i];
    int keep = is_alnum(c) || c == '-' || c == '_' || c == '.';
    if (c == '.' && ((i > 0 && raw[i - 1] == '.') || raw[i + 1] == '.'))
      keep = 0; /* no ".." anywhere */
    if (!keep)
      c = '_';
    if ((k == 0 && !is_alnum(c)) || (c == '_' && out[k - 1] == '_'))
      continue;
    out[k++] = c;
  }
  while (k > 0 && (out[k - 1] == '_' || out[k - 1] == '.' || out[k - 1] == '-'))
    k--;
  out[k] = '\0';
}

static int name_taken(const char *name, const char (*taken)[SESSION_NAME_MAX + 1], size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(name, taken[i]) == 0)
      return 1;
  return 0;
}

void session_series_name(long number, const char *description,
                         const char (*taken)[SESSION_NAME_MAX + 1], size_t ntaken,
                         char name[SESSION_NAME_MAX + 1])
{
  char raw[256], base[SESSION_NAME_MAX + 1];
  if (number >= 0)
    snprintf(raw, sizeof raw, "%ld_%s", number, description ? description : "");
  else
    snprintf(raw, sizeof raw, "%s", description ? description : "");
  sanitise(raw, base, SESSION_NAME_MAX);
  if (!base[0])
    snprintf(base, sizeof base, "series");
  snprintf(name, SESSION_NAME_MAX + 1, "%s", base);
  for (unsigned long k = 2; name_taken(name, taken, ntaken); k++) {
    char suffix[24];
    int ns = snprintf(suffix, sizeof suffix, "_%lu", k);
    char head[SESSION_NAME_MAX + 1];
    sanitise(base, head, (size_t)(SESSION_NAME_MAX - ns)); /* cut, and trimmed again */
    size_t nh = strlen(head);
    memcpy(name, head, nh);
    memcpy(name + nh, suffix, (size_t)ns + 1);
  }
}

/* ------------------------------------------------------------------------ */
/* OUTDIR                                                                   */
/* ------------------------------------------------------------------------ */

/* The absolute, symlink-free form of `path`, which need not exist: its
 * deepest existing ancestor through realpath(), the rest lexically (a missing
 * folder cannot be a symbolic link). 0, or -1 when it cannot be worked out. */
static int resolve(const char *path, char out[PATH_MAX])
{
  if (realpath(path, out))
    return 0;
  char p[CLI_PATH_MAX], parent[CLI_PATH_MAX], base[CLI_PATH_MAX];
  if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
    return -1;
  for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
    p[n - 1] = '\0';
  path_split(p, parent, sizeof parent, base, sizeof base);
  if (!strcmp(parent, p) || resolve(parent, out) != 0)
    return -1;
  if (!strcmp(base, "..")) {
    char *slash = strrchr(out, '/');
    if (slash && slash != out)
      *slash = '\0';
    else
      snprintf(out, PATH_MAX, "/");
  } else if (strcmp(base, ".") != 0) {
    size_t n = strlen(out);
    if (snprintf(out + n, PATH_MAX - n, "%s%s", n > 1 ? "/" : "", base) >= (int)(PATH_MAX - n))
      return -1;
  }
  return 0;
}

static int dir_is_empty(const char *path)
{
  DIR *d = opendir(path);
  if (!d)
    return 0;
  struct dirent *e;
  int empty = 1;
  while (empty && (e = readdir(d)))
    empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
  closedir(d);
  return empty;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
  char p[CLI_PATH_MAX];
  if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
    errno = ENAMETOOLONG;
    return -1;
  }
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char c = *s;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && !(errno == EEXIST && path_is_dir(p)))
      return -1;
    *s = c;
    if (!c)
      return 0;
  }
}

/* The checks made before any work: 0, or the exit code after one line. */
static int check_outdir(const cli_args *a)
{
  const char *in = a->input, *out = a->output;
  if (a->label || a->json || a->qa) {
    fprintf(stderr,
            "deface: %s: --label, --json and --qa name one file; a session writes "
            "DEFACED_<series>/ folders (with their QA pictures) and index.html into -o OUTDIR\n",
            a->label  ? a->label
            : a->json ? a->json
                      : a->qa);
    return EXIT_USAGE;
  }
  char in_real[PATH_MAX], out_real[PATH_MAX];
  if (!realpath(in, in_real) || resolve(out, out_real) != 0) {
    fprintf(stderr, "deface: %s: cannot resolve the path: %s\n", realpath(in, in_real) ? out : in,
            strerror(errno));
    return DEFACE_E_OUTPUT;
  }
  size_t n = strlen(in_real);
  if (!strcmp(in_real, "/") ||
      (strncmp(out_real, in_real, n) == 0 && (out_real[n] == '\0' || out_real[n] == '/'))) {
    fprintf(stderr, "deface: %s: is inside the input folder %s, which is never written to\n", out,
            in);
    return EXIT_USAGE;
  }
  struct stat st;
  if (stat(out, &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      fprintf(stderr, "deface: %s: exists and is not a folder\n", out);
      return DEFACE_E_OUTPUT;
    }
    if (!a->force && !dir_is_empty(out)) {
      fprintf(stderr, "deface: %s: exists and is not empty (use --force to write into it)\n", out);
      return DEFACE_E_OUTPUT;
    }
  }
  return 0;
}

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

/* Reads, defaces and writes series i into its row. Outputs left from an
 * earlier run (with --force) are removed when this run does not deface it. */
static void run_series(session *s, size_t i)
{
  series_row *row = &s->rows[i];
  const deface_dicom_series_info *info = deface_dicom_series_at(s->scan, i);
  double t0 = output_now_seconds();
  char dir[CLI_PATH_MAX], source_dir[CLI_PATH_MAX], err[DEFACE_ERRLEN] = "";
  output_paths out;
  deface_volume *volume = NULL;
  deface_nifti *header = NULL;
  const char **files = NULL;
  set_row(row, ROW_ERROR, "%s", "not run"); /* until this function says otherwise */
  int named = series_paths(s, i, dir, &out) == 0;
  if (!named) {
    set_row(row, ROW_ERROR, "%s: output path too long", s->a->output);
    goto done;
  }
  if (info->status != DEFACE_OK) {
    set_row(row, info->status == DEFACE_E_REFUSED ? ROW_REFUSED : ROW_ERROR, "%s", info->reason);
    goto done;
  }
  deface_status st = series_read(s->scan, i, &volume, &header, err);
  if (st != DEFACE_OK) {
    set_row(row, st == DEFACE_E_REFUSED ? ROW_REFUSED : ROW_ERROR, "%s", err);
    goto done;
  }
  size_t nfiles = 0;
  if (!(files = series_files(s->scan, i, &nfiles))) {
    set_row(row, ROW_ERROR, "out of memory");
    goto done;
  }
  if (make_dirs(dir) != 0) {
    char why[128] = "";
    strerror_r(errno, why, sizeof why); /* strerror() is not thread-safe */
    set_row(row, ROW_ERROR, "%s: cannot create the folder: %s", dir, why);
    goto done;
  }
  common_folder(files, nfiles, source_dir, sizeof source_dir);
  output_source source = {source_dir, files, nfiles};
  output_outcome o;
  if (!qa_available() || s->a->no_qa)
    out.qa[0] = '\0';
  st = output_deface_and_write(s->a, &source, &out, volume, header, t0, NULL, NULL, &o);
  row->render_seconds = o.qa_seconds;
  if (st == DEFACE_OK && out.qa[0]) {
    row->has_picture = o.qa_status == DEFACE_OK;
    if (!row->has_picture)
      snprintf(row->picture_error, sizeof row->picture_error, "no picture: %.480s", o.qa_message);
  }
  if (st == DEFACE_OK)
    set_row(row, ROW_DEFACED, "%s", "");
  else if (st == DEFACE_E_REFUSED)
    set_row(row, ROW_REFUSED, "%s", o.message);
  else if (st == DEFACE_E_SELFCHECK) { /* nothing written, but no normal refusal either */
    set_row(row, ROW_ERROR, "self-check failed: %s", o.message);
    row->self_check_failed = 1;
  } else
    set_row(row, ROW_ERROR, "%s", o.message);
done:
  if (named && row->status != ROW_DEFACED) {
    unlink(out.image);
    unlink(out.label);
    unlink(out.json);
    unlink(out.qa);
    rmdir(dir); /* only when empty: never what others put there */
  }
  row->seconds = output_now_seconds() - t0;
  free(files);
  deface_volume_free(volume);
  deface_nifti_free(header);
}

/* ------------------------------------------------------------------------ */
/* Threads and progress                                                     */
/* ------------------------------------------------------------------------ */

/* Draws "done / total" and the series started last; the lock is held. */
static void draw_bar(const session *s)
{
  if (!s->bar)
    return;
  char line[128];
  snprintf(line, sizeof line, "deface: %zu / %zu series done%s%.48s", s->done, s->n,
           s->current && s->done < s->n ? "; now DEFACED_" : "",
           s->current && s->done < s->n ? s->current : "");
  fprintf(stderr, "\r%-79.79s", line);
  fflush(stderr);
}

static void clear_bar(const session *s)
{
  if (s->bar)
    fprintf(stderr, "\r%79s\r", "");
}

/* One line for a finished series; the lock is held. */
static void report_series(const session *s, size_t i)
{
  const series_row *row = &s->rows[i];
  if (s->a->quiet && row->status != ROW_ERROR && !row->picture_error[0])
    return;
  if (row->status == ROW_DEFACED && !s->a->verbose && !row->picture_error[0])
    return;
  clear_bar(s);
  fprintf(stderr, "deface: %s: series DEFACED_%s: %s%s%s (%.1f s", s->a->input, s->names[i],
          ROW_STATUS[row->status], row->reason[0] ? ": " : "", row->reason, row->seconds);
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
      draw_bar(s);
    }
    pthread_mutex_unlock(&s->lock);
    if (i >= s->n)
      return NULL;
    run_series(s, i);
    pthread_mutex_lock(&s->lock);
    s->done++;
    report_series(s, i);
    draw_bar(s);
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
  clear_bar(s);
  pthread_mutex_unlock(&s->lock);
}

/* ------------------------------------------------------------------------ */
/* summary.tsv and skipped.tsv                                              */
/* ------------------------------------------------------------------------ */

/* A TSV field: tabs, line breaks and other control bytes become spaces. */
static void put_field(textbuf *t, const char *s, int last)
{
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    textbuf_printf(t, "%c", c < 0x20 || c == 0x7f ? ' ' : c);
  }
  textbuf_printf(t, last ? "\n" : "\t");
}

static void dims_text(const size_t d[4], char *out, size_t size)
{
  size_t n = 0;
  out[0] = '\0';
  for (int k = 0; k < 4 && d[k] > 0 && (k < 3 || d[3] > 1); k++)
    n += (size_t)snprintf(out + n, size - n, "%s%zu", k ? "x" : "", d[k]);
}

/* `path` relative to the scanned folder (the scan names files under it). */
static const char *relative(const char *folder, const char *path)
{
  size_t n = strlen(folder);
  while (n > 1 && folder[n - 1] == '/')
    n--;
  if (strncmp(path, folder, n) != 0 || path[n] != '/')
    return path;
  path += n;
  while (*path == '/')
    path++;
  return path;
}

static int write_tables(const session *s, const char *summary_path, const char *skipped_path)
{
  textbuf sum = {0}, skip = {0};
  textbuf_printf(&sum, "series_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds"
            "\toutput\n");
  for (size_t i = 0; i < s->n; i++) {
    const deface_dicom_series_info *info = deface_dicom_series_at(s->scan, i);
    const series_row *row = &s->rows[i];
    char number[32] = "", dims[96], output[SESSION_NAME_MAX + 16] = "";
    if (info->series_number >= 0)
      snprintf(number, sizeof number, "%ld", info->series_number);
    dims_text(info->dims, dims, sizeof dims);
    if (row->status == ROW_DEFACED)
      snprintf(output, sizeof output, "DEFACED_%s", s->names[i]);
    put_field(&sum, info->series_uid, 0);
    put_field(&sum, number, 0);
    put_field(&sum, info->description, 0);
    put_field(&sum, info->modality, 0);
    put_field(&sum, dims, 0);
    put_field(&sum, ROW_STATUS[row->status], 0);
    /* The reader's reasons start with the file's path: relative, as in skipped.tsv. */
    put_field(&sum, relative(deface_dicom_folder_path(s->scan), row->reason), 0);
    textbuf_printf(&sum, "%.2f\t", row->seconds);
    put_field(&sum, output, 1);
  }
  textbuf_printf(&skip, "path\treason\n");
  const char *folder = deface_dicom_folder_path(s->scan);
  for (size_t i = 0; i < deface_dicom_skipped_count(s->scan); i++) {
    put_field(&skip, relative(folder, deface_dicom_skipped_path(s->scan, i)), 0);
    put_field(&skip, deface_dicom_skipped_reason(s->scan, i), 1);
  }
  int rc = 0;
  if (sum.failed || skip.failed) {
    fprintf(stderr, "deface: %s: out of memory\n", summary_path);
    rc = -1;
  } else if (write_file_atomic(skipped_path, skip.p, skip.n) != 0) {
    fprintf(stderr, "deface: %s: cannot write: %s\n", skipped_path, strerror(errno));
    rc = -1;
  } else if (write_file_atomic(summary_path, sum.p, sum.n) != 0) {
    fprintf(stderr, "deface: %s: cannot write: %s\n", summary_path, strerror(errno));
    rc = -1;
  }
  textbuf_free(&sum);
  textbuf_free(&skip);
  return rc;
}

/* index.html: the rows as report_html.c shows them. */
static int write_index(const session *s, const char *path)
{
  report_row *rows = calloc(s->n, sizeof *rows);
  char(*number)[32] = calloc(s->n, sizeof *number);
  char(*dims)[96] = calloc(s->n, sizeof *dims);
  char(*folder)[SESSION_NAME_MAX + 16] = calloc(s->n, sizeof *folder);
  char(*picture)[2 * SESSION_NAME_MAX + 32] = calloc(s->n, sizeof *picture);
  int rc = -1;
  if (!rows || !number || !dims || !folder || !picture) {
    errno = ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < s->n; i++) {
    const deface_dicom_series_info *info = deface_dicom_series_at(s->scan, i);
    const series_row *row = &s->rows[i];
    if (info->series_number >= 0)
      snprintf(number[i], sizeof number[i], "%ld", info->series_number);
    dims_text(info->dims, dims[i], sizeof dims[i]);
    if (row->status == ROW_DEFACED)
      snprintf(folder[i], sizeof folder[i], "DEFACED_%s", s->names[i]);
    if (row->has_picture)
      snprintf(picture[i], sizeof picture[i], "DEFACED_%s/DEFACED_%s_qa.png", s->names[i],
               s->names[i]);
    rows[i] = (report_row){number[i],
                           info->description,
                           info->modality,
                           dims[i],
                           ROW_STATUS[row->status],
                           relative(deface_dicom_folder_path(s->scan), row->reason),
                           row->seconds,
                           folder[i],
                           row->has_picture ? picture[i] : NULL,
                           row->picture_error[0]        ? row->picture_error
                           : row->status != ROW_DEFACED ? "no picture: not defaced"
                           : s->a->no_qa                ? "no picture: --no-qa"
                                                        : "no picture: not built into this version"};
  }
  rc = report_html_write(path, s->a->input, rows, s->n);
done:
  free(rows);
  free(number);
  free(dims);
  free(folder);
  free(picture);
  return rc;
}

/* ------------------------------------------------------------------------ */
/* The session                                                              */
/* ------------------------------------------------------------------------ */

static int online_cores(void)
{
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

int session_run(const cli_args *a)
{
  int code = check_outdir(a);
  if (code != 0)
    return code;
  char err[DEFACE_ERRLEN] = "", summary[CLI_PATH_MAX], skipped[CLI_PATH_MAX], index[CLI_PATH_MAX];
  if (snprintf(summary, sizeof summary, "%s/summary.tsv", a->output) >= (int)sizeof summary ||
      snprintf(skipped, sizeof skipped, "%s/skipped.tsv", a->output) >= (int)sizeof skipped ||
      snprintf(index, sizeof index, "%s/index.html", a->output) >= (int)sizeof index) {
    fprintf(stderr, "deface: %s: path too long\n", a->output);
    return EXIT_USAGE;
  }
  deface_dicom_folder *scan = NULL;
  deface_status st = deface_dicom_scan(a->input, &scan, err);
  if (st != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    return st == DEFACE_E_INPUT || st == DEFACE_E_REFUSED ? (int)st : EXIT_INTERNAL;
  }
  session s;
  memset(&s, 0, sizeof s);
  s.a = a;
  s.scan = scan;
  s.n = deface_dicom_series_count(scan);
  size_t nskipped = deface_dicom_skipped_count(scan);
  if (a->verbose)
    for (size_t i = 0; i < nskipped; i++)
      fprintf(stderr, "deface: %s: skipped: %s\n", deface_dicom_skipped_path(scan, i),
              deface_dicom_skipped_reason(scan, i));
  if (s.n == 0) {
    fprintf(stderr, "deface: %s: no DICOM image series in the folder (%zu file%s skipped)\n",
            a->input, nskipped, nskipped == 1 ? "" : "s");
    deface_dicom_folder_free(scan);
    return DEFACE_E_INPUT;
  }
  s.names = calloc(s.n, sizeof *s.names);
  s.rows = calloc(s.n, sizeof *s.rows);
  if (!s.names || !s.rows) {
    fprintf(stderr, "deface: %s: out of memory\n", a->input);
    code = EXIT_INTERNAL;
    goto done;
  }
  for (size_t i = 0; i < s.n; i++) {
    const deface_dicom_series_info *info = deface_dicom_series_at(scan, i);
    session_series_name(info->series_number, info->description,
                        (const char(*)[SESSION_NAME_MAX + 1]) s.names, i, s.names[i]);
  }
  if (make_dirs(a->output) != 0) {
    fprintf(stderr, "deface: %s: cannot create the folder: %s\n", a->output, strerror(errno));
    code = DEFACE_E_OUTPUT;
    goto done;
  }
  /* A summary always describes one whole run: an earlier one goes first. */
  unlink(summary);
  unlink(skipped);
  unlink(index);
  /* One X display for all the pictures, set up before the threads (it may set DISPLAY). */
  if (qa_available() && !a->no_qa && qa_display_begin(err, sizeof err) != 0)
    fprintf(stderr, "deface: %s: %s\n", a->input, err);
  s.bar = !a->quiet && isatty(STDERR_FILENO);
  if (pthread_mutex_init(&s.lock, NULL) != 0) {
    fprintf(stderr, "deface: %s: cannot create a mutex\n", a->input);
    code = EXIT_INTERNAL;
    goto done;
  }
  run_all(&s, a->jobs > 0 ? a->jobs : online_cores());
  pthread_mutex_destroy(&s.lock);
  size_t count[3] = {0, 0, 0}, no_picture = 0, self_check_failed = 0;
  for (size_t i = 0; i < s.n; i++) {
    count[s.rows[i].status]++;
    self_check_failed += s.rows[i].self_check_failed;
    no_picture += s.rows[i].picture_error[0] != '\0';
  }
  if (write_tables(&s, summary, skipped) != 0) {
    code = DEFACE_E_OUTPUT;
    goto done;
  }
  if (write_index(&s, index) != 0) {
    fprintf(stderr, "deface: %s: cannot write: %s\n", index, strerror(errno));
    code = DEFACE_E_OUTPUT;
    goto done;
  }
  /* A missing QA picture is an output failure, after everything else was written. */
  code = self_check_failed         ? DEFACE_E_SELFCHECK
         : count[ROW_ERROR]        ? EXIT_INTERNAL
         : no_picture              ? DEFACE_E_OUTPUT
                                   : EXIT_DONE;
  if (!a->quiet) {
    fprintf(stderr,
            "deface: %s: %zu series: %zu defaced, %zu refused, %zu error%s; %zu file%s "
            "skipped\n",
            a->input, s.n, count[ROW_DEFACED], count[ROW_REFUSED], count[ROW_ERROR],
            count[ROW_ERROR] == 1 ? "" : "s", nskipped, nskipped == 1 ? "" : "s");
    if (no_picture)
      fprintf(stderr, "deface: %s: %zu defaced series without a QA picture\n", a->input,
              no_picture);
    printf("%s\n%s\n%s\n", summary, skipped, index);
  }
done:
  free(s.names);
  free(s.rows);
  deface_dicom_folder_free(scan);
  return code;
}

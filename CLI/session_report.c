/*
 * session_report.c - what a session reports in OUTDIR: summary.tsv (a row per
 * series), skipped.tsv (the files that are not image series) and index.html
 * (report_html.c draws the page from the same rows).
 */
#define _POSIX_C_SOURCE 200809L
#include "session_report.h"
#include "deface_write.h"
#include "report_html.h"
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int session_write_tables(const session *s, const char *summary_path, const char *skipped_path)
{
  textbuf sum = {0}, skip = {0};
  textbuf_printf(
      &sum, "series_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds"
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
    put_field(&sum, SESSION_ROW_STATUS[row->status], 0);
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
  char err[DEFACE_ERRLEN];
  if (sum.failed || skip.failed) {
    fprintf(stderr, "deface: %s: out of memory\n", summary_path);
    rc = -1;
  } else if (deface_write_file(skipped_path, skip.p, skip.n, err) != DEFACE_OK ||
             deface_write_file(summary_path, sum.p, sum.n, err) != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    rc = -1;
  }
  textbuf_free(&sum);
  textbuf_free(&skip);
  return rc;
}

/* index.html: the rows as report_html.c shows them. */
int session_write_index(const session *s, const char *path, char *err)
{
  report_row *rows = calloc(s->n, sizeof *rows);
  char(*number)[32] = calloc(s->n, sizeof *number);
  char(*dims)[96] = calloc(s->n, sizeof *dims);
  char(*folder)[SESSION_NAME_MAX + 16] = calloc(s->n, sizeof *folder);
  char(*picture)[2 * SESSION_NAME_MAX + 32] = calloc(s->n, sizeof *picture);
  int rc = -1;
  if (!rows || !number || !dims || !folder || !picture) {
    snprintf(err, DEFACE_ERRLEN, "%s: out of memory", path);
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
                           SESSION_ROW_STATUS[row->status],
                           relative(deface_dicom_folder_path(s->scan), row->reason),
                           row->seconds,
                           folder[i],
                           row->has_picture ? picture[i] : NULL,
                           row->picture_error[0]        ? row->picture_error
                           : row->status != ROW_DEFACED ? "no picture: not defaced"
                           : s->a->no_qa                ? "no picture: --no-qa"
                                                        : "no picture: not built into this version"};
  }
  rc = report_html_write(path, s->a->input, rows, s->n, err);
done:
  free(rows);
  free(number);
  free(dims);
  free(folder);
  free(picture);
  return rc;
}

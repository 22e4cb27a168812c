/*
 * session_report.c - what a session reports in OUTDIR: summary.tsv (a row per
 * series), skipped.tsv (the files that are not image series) and index.html
 * (report_html.c draws the page from the same rows).
 */
#define _POSIX_C_SOURCE 200809L
#include "session_report.h"
#include "deface_write.h"
#include "paths.h"
#include "report_html.h"
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A TSV field's escaping: tabs, line breaks and other control bytes become
 * spaces (bytes that are not UTF-8 become U+FFFD). */
static const char *tsv_escape(unsigned char c, char buf[8])
{
  (void)buf;
  return c < 0x20 || c == 0x7f ? " " : NULL;
}

static void put_field(textbuf *t, const char *s, int last)
{
  textbuf_append_escaped(t, s, tsv_escape);
  textbuf_printf(t, last ? "\n" : "\t");
}

static void dims_text(const size_t d[4], char *out, size_t size)
{
  size_t n = 0;
  out[0] = '\0';
  for (int k = 0; k < 4 && d[k] > 0 && (k < 3 || d[3] > 1); k++)
    n += (size_t)snprintf(out + n, size - n, "%s%zu", k ? "x" : "", d[k]);
}

/* `text` with every path under the scanned folder made relative to it
 * ("FOLDER/a/b" -> "a/b"), for a reason that names two files as for a path:
 * the tables do not show where the session lay on this machine. */
static void relative(const char *folder, const char *text, char *out, size_t size)
{
  size_t n = strlen(folder), k = 0;
  while (n > 1 && folder[n - 1] == '/')
    n--;
  while (*text && k + 1 < size) {
    if (n > 0 && strncmp(text, folder, n) == 0 && text[n] == '/') {
      text += n;
      while (*text == '/')
        text++;
      continue;
    }
    if (n > 0 && strncmp(text, folder, n) == 0 && strchr(" ,:;)", text[n])) {
      text += n; /* the folder itself (a NUL ends the text too) */
      out[k++] = '.';
      continue;
    }
    out[k++] = *text++;
  }
  out[k] = '\0';
}

static void summary_text(const session *s, textbuf *sum)
{
  const char *folder = deface_dicom_folder_path(s->scan);
  char reason[DEFACE_ERRLEN];
  textbuf_printf(
      sum, "series_uid\tseries_number\tdescription\tmodality\tdimensions\tstatus\treason\tseconds"
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
    put_field(sum, info->series_uid, 0);
    put_field(sum, number, 0);
    put_field(sum, info->description, 0);
    put_field(sum, info->modality, 0);
    put_field(sum, dims, 0);
    put_field(sum, SESSION_ROW_STATUS[row->status], 0);
    relative(folder, row->reason, reason, sizeof reason); /* as in skipped.tsv */
    put_field(sum, reason, 0);
    textbuf_printf(sum, "%.2f\t", row->seconds);
    put_field(sum, output, 1);
  }
}

static void skipped_text(const session *s, textbuf *skip)
{
  const char *folder = deface_dicom_folder_path(s->scan);
  char path[CLI_PATH_MAX], reason[DEFACE_ERRLEN + CLI_PATH_MAX];
  textbuf_printf(skip, "path\treason\n");
  for (size_t i = 0; i < deface_dicom_skipped_count(s->scan); i++) {
    relative(folder, deface_dicom_skipped_path(s->scan, i), path, sizeof path);
    relative(folder, deface_dicom_skipped_reason(s->scan, i), reason, sizeof reason);
    put_field(skip, path, 0);
    put_field(skip, reason, 1);
  }
}

/* index.html: the rows as report_html.c shows them. 0, or -1 when out of memory. */
static int index_text(const session *s, textbuf *page)
{
  report_row *rows = calloc(s->n ? s->n : 1, sizeof *rows);
  char(*number)[32] = calloc(s->n ? s->n : 1, sizeof *number);
  char(*dims)[96] = calloc(s->n ? s->n : 1, sizeof *dims);
  char(*folder)[SESSION_NAME_MAX + 16] = calloc(s->n ? s->n : 1, sizeof *folder);
  char(*picture)[2 * SESSION_NAME_MAX + 32] = calloc(s->n ? s->n : 1, sizeof *picture);
  char(*reason)[DEFACE_ERRLEN] = calloc(s->n ? s->n : 1, sizeof *reason);
  int rc = -1;
  if (!rows || !number || !dims || !folder || !picture || !reason)
    goto done;
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
    relative(deface_dicom_folder_path(s->scan), row->reason, reason[i], sizeof reason[i]);
    rows[i] = (report_row){number[i],
                           info->description,
                           info->modality,
                           dims[i],
                           SESSION_ROW_STATUS[row->status],
                           reason[i],
                           row->seconds,
                           folder[i],
                           row->has_picture ? picture[i] : NULL,
                           row->picture_error[0]        ? row->picture_error
                           : row->status != ROW_DEFACED ? "no picture: not defaced"
                           : s->a->no_qa                ? "no picture: --no-qa"
                                         : "no picture: not built into this version"};
  }
  report_html_text(s->a->input, rows, s->n, page);
  rc = 0;
done:
  free(rows);
  free(number);
  free(dims);
  free(folder);
  free(picture);
  free(reason);
  return rc;
}

int session_write_reports(const session *s, char *err)
{
  static const char *const names[3] = {"summary.tsv", "skipped.tsv", "index.html"};
  textbuf text[3] = {{0}, {0}, {0}};
  summary_text(s, &text[0]);
  skipped_text(s, &text[1]);
  int ok = index_text(s, &text[2]) == 0;
  for (int k = 0; k < 3; k++)
    ok = ok && !text[k].failed;
  deface_status st = DEFACE_OK;
  deface_txn *txn = NULL;
  if (!ok) {
    snprintf(err, DEFACE_ERRLEN, "%s: out of memory writing the reports", s->a->output);
    st = DEFACE_E_NOMEM;
  } else if ((st = deface_txn_new(s->writer, &txn, err)) == DEFACE_OK) {
    for (int k = 0; k < 3 && st == DEFACE_OK; k++) {
      size_t index;
      st = deface_txn_add_at(txn, s->outfd, s->a->output, names[k], &index, err);
      if (st == DEFACE_OK)
        st = deface_txn_write(txn, index, text[k].p, text[k].n, err);
    }
    if (st == DEFACE_OK)
      st = deface_txn_commit(txn, err);
  }
  deface_txn_free(txn);
  for (int k = 0; k < 3; k++)
    textbuf_free(&text[k]);
  return st == DEFACE_OK ? 0 : -1;
}

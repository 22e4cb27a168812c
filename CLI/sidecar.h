/*
 * sidecar.h - the JSON provenance sidecar written beside each output.
 */
#ifndef DEFACE_CLI_SIDECAR_H
#define DEFACE_CLI_SIDECAR_H

#include "deface.h"
#include "textbuf.h"

typedef struct sidecar_info {
  const char *input, *output, *label; /* the paths the sidecar names */
  /* The files whose SHA-256 the sidecar records for output and label: the
   * temporaries of the write transaction, which become output and label. */
  const char *output_file, *label_file;
  /* A DICOM series: its files (input is then their folder), named in the
   * sidecar by "sha256_of_files": the SHA-256 of the text made of each
   * file's lowercase hex SHA-256 followed by a newline, sorted (bytewise),
   * which does not depend on file names, order or layout. NULL for a file. */
  const char *const *input_files;
  size_t n_input_files;
  deface_fill fill;
  double sigma_mm;
  int ears;
  const deface_result *result;
  const char *status; /* "defaced", "refused", "error" */
  double seconds;
} sidecar_info;

/** Appends the sidecar's JSON to t (t->failed when out of memory). */
void sidecar_text(const sidecar_info *info, textbuf *t);

#endif

/*
 * outputs.h - one loaded volume defaced and its three outputs written (image,
 * label, JSON sidecar): the step file, series and session modes share. It
 * prints nothing, so that session mode can run it on several threads and
 * report each series in its summary.
 */
#ifndef DEFACE_CLI_OUTPUTS_H
#define DEFACE_CLI_OUTPUTS_H

#include "args.h"
#include "deface.h"
#include "deface_nifti.h"
#include "paths.h"

#include <stddef.h>

typedef struct output_paths {
  char image[CLI_PATH_MAX], label[CLI_PATH_MAX], json[CLI_PATH_MAX];
  char qa[CLI_PATH_MAX]; /* the QA picture (PNG), "" for none */
  char qa_name[256];     /* the name in the picture's caption */
} output_paths;

/** What went in, as the sidecar names it: a NIfTI file (files NULL), or a
 * DICOM series' folder and files (hashed; see sidecar.h). */
typedef struct output_source {
  const char *path;
  const char *const *files;
  size_t nfiles;
} output_source;

typedef struct output_outcome {
  deface_status status; /* DEFACE_OK when all three files were written */
  int writing;          /* the failure came from writing, not from the core */
  char message[DEFACE_ERRLEN];
  deface_result result;
  double seconds; /* from t0 to the sidecar */
  /* The QA picture, made after the three files (which stay valid when it fails). */
  deface_status qa_status; /* DEFACE_OK when written or not asked for */
  char qa_message[DEFACE_ERRLEN];
  double qa_seconds; /* rendering time, 0 when none */
} output_outcome;

/**
 * Defaces `input` with the options in `a` and writes out->image, out->label
 * (with `header`) and out->json, each through a temporary name; on a write
 * failure the image and label are removed again, so a DEFACED_ image never
 * stands without its label and sidecar. Nothing is written when the core
 * refuses or its self-check fails. When out->qa is set and the three files
 * were written, the QA picture follows (o->qa_status, o->qa_message; its
 * failure leaves the three files in place and the status DEFACE_OK). `progress` may be NULL. Prints
 * nothing; the caller keeps ownership of everything passed in.
 * @return o->status.
 */
deface_status output_deface_and_write(const cli_args *a, const output_source *source,
                                      const output_paths *out, const deface_volume *input,
                                      const deface_nifti *header, double t0,
                                      deface_progress_fn progress, void *progress_user,
                                      output_outcome *o);

/** Monotonic seconds, for the timings in sidecars and summaries. */
double output_now_seconds(void);

#endif

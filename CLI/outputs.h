/*
 * outputs.h - one loaded volume defaced and its outputs written (image,
 * label, JSON sidecar, and the QA picture when asked for): the step file,
 * series and session modes share. Every output goes through a write
 * transaction (deface_write.h) whose temporaries are created before any work,
 * so that a folder that cannot be written shows at once, and whose renames
 * come last, so that a failed run leaves earlier outputs exactly as they were.
 * It prints nothing, so that session mode can run it on several threads and
 * report each series in its summary.
 */
#ifndef DEFACE_CLI_OUTPUTS_H
#define DEFACE_CLI_OUTPUTS_H

#include "args.h"
#include "deface.h"
#include "deface_nifti.h"
#include "deface_write.h"
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

/** The two transactions of one result: image, label and sidecar replaced
 * together; the QA picture after them (it may fail while they stand). */
typedef struct output_txn {
  deface_txn *files, *picture; /* picture NULL when no picture was asked for */
  size_t image, label, json, qa;
} output_txn;

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
 * Creates the temporaries of every output in `out` now: in the folders the
 * paths name, or, when dirfd >= 0, in the folder open as dirfd (which
 * `dir_path` names; the paths' file names are used). `writer` may be NULL.
 * @return DEFACE_OK, or DEFACE_E_OUTPUT / DEFACE_E_USAGE (two outputs are one
 *         file) / DEFACE_E_NOMEM with "PATH: reason" in err; *t then holds
 *         nothing.
 */
deface_status output_txn_open(deface_writer *writer, const output_paths *out, int dirfd,
                              const char *dir_path, output_txn *t, char *err);

/** Frees both transactions; what was not committed is removed. */
void output_txn_close(output_txn *t);

/**
 * Defaces `input` with the options in `a` and writes the image, label (with
 * `header`) and sidecar into t->files, then commits it; nothing is replaced
 * when the core refuses, its self-check fails or a write fails. When a
 * picture was asked for and the three files were committed, the QA picture
 * follows in t->picture (o->qa_status, o->qa_message; its failure leaves the
 * three files in place and the status DEFACE_OK). `progress` may be NULL; a
 * non-zero return from it cancels, also just before the commit. Prints
 * nothing; the caller keeps ownership of everything passed in. Without a
 * picture `input` is defaced in place (deface_run_in_place: no second copy
 * of the volume), so it holds the defaced voxels after a success and its
 * original ones after a failure; with one, it is left untouched.
 * @return o->status.
 */
deface_status output_deface_and_write(const cli_args *a, const output_source *source,
                                      const output_paths *out, output_txn *t, deface_volume *input,
                                      const deface_nifti *header, double t0,
                                      deface_progress_fn progress, void *progress_user,
                                      output_outcome *o);

/** Monotonic seconds, for the timings in sidecars and summaries. */
double output_now_seconds(void);

#endif

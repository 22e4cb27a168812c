/*
 * single.h - the modes that make one result: file mode (a NIfTI file in) and
 * series mode (a folder holding one DICOM series in). Both write
 * DEFACED_<name>.nii.gz, its label and sidecar (and a QA picture when asked)
 * through one write transaction.
 */
#ifndef DEFACE_CLI_SINGLE_H
#define DEFACE_CLI_SINGLE_H

#include "args.h"
#include "deface_write.h"

/** File mode; returns the exit code (exit_codes.h). `writer` may be NULL. */
int single_run_file(const cli_args *a, deface_writer *writer);

/** Series mode (built with DICOM); returns the exit code. */
int single_run_series(const cli_args *a, deface_writer *writer);

#endif

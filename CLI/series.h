/*
 * series.h - series mode: one DICOM series folder in, a volume with a fresh
 * NIfTI header out, for main.c's defacing and output code.
 */
#ifndef DEFACE_CLI_SERIES_H
#define DEFACE_CLI_SERIES_H

#include "deface.h"
#include "deface_nifti.h"

/** 1 if `path` (a file that may not exist yet) would be inside `folder`. */
int series_output_inside(const char *folder, const char *path);

/**
 * Scans `folder` for DICOM series and reads the only one into *volume with a
 * NIfTI-1 header made for it (*header; its float matrix is the volume's).
 * Prints one line naming the folder and the reason on failure; with
 * `verbose`, also the skipped files and the series read.
 * @return 0, or the exit code: 2 when the folder holds several series,
 *         3 when it holds none or a file cannot be read, 4 when the series is
 *         refused (2D, gantry tilt, uneven spacing...), 1 otherwise.
 *         The caller frees *volume and *header (NULL on failure).
 */
int series_load(const char *folder, int verbose, deface_volume **volume, deface_nifti **header);

#endif

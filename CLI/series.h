/*
 * series.h - series mode: one DICOM series folder in, a volume with a fresh
 * NIfTI header out, for main.c's defacing and output code.
 */
#ifndef DEFACE_CLI_SERIES_H
#define DEFACE_CLI_SERIES_H

#include "deface.h"
#include "deface_dicom.h"
#include "deface_nifti.h"

/**
 * Scans `folder` for DICOM series and reads the only one into *volume with a
 * NIfTI-1 header made for it (*header; its float matrix is the volume's).
 * Prints one line naming the folder and the reason on failure; with
 * `verbose`, also the skipped files and the series read.
 * @return 0, or the exit code (exit_codes.h): EXIT_USAGE when the folder
 *         holds several series (-o OUTDIR takes them), EXIT_INPUT when it
 *         holds none or a file cannot be read, EXIT_REFUSED when the series is
 *         refused (2D, gantry tilt, uneven spacing...), EXIT_INTERNAL otherwise.
 *         The caller frees *volume, *header and *scan (the scan, series 0,
 *         names the files read; all NULL on failure).
 */
int series_load(const char *folder, int verbose, deface_volume **volume, deface_nifti **header,
                deface_dicom_folder **scan);

/**
 * Reads series `index` of a scan into *volume with a fresh NIfTI-1 header
 * (*header, deface_nifti_header_adopt()), printing nothing: the step series and session modes
 * share. Thread-safe for distinct calls on one scan. Returns the reader's status (err holds the
 * reason); the caller frees both (NULL on failure).
 */
deface_status series_read(const deface_dicom_folder *scan, size_t index, deface_volume **volume,
                          deface_nifti **header, char *err);

/** The paths of series `index`'s files (owned by the scan) in a new array of
 * *n pointers that the caller frees; NULL when out of memory. */
const char **series_files(const deface_dicom_folder *scan, size_t index, size_t *n);

#endif

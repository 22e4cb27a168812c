/*
 * series.c - series mode of `deface`: a folder holding one DICOM series is
 * read through the DICOM adapter and handed to the same defacing and output
 * code as a NIfTI file (single.c), with a fresh NIfTI header for the volume.
 */
#include "series.h"
#include "deface_dicom.h"
#include "exit_codes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void describe(const deface_dicom_series_info *s, char *text, size_t size)
{
  snprintf(text, size, "series %ld '%s' (%s, %zu files%s)", s->series_number, s->description,
           s->modality, s->files, s->stacks_in_series > 1 ? ", one orientation of several" : "");
}

deface_status series_read(const deface_dicom_folder *scan, size_t index, deface_volume **volume,
                          deface_nifti **header, char *err)
{
  *volume = NULL;
  *header = NULL;
  deface_status st = deface_dicom_load(scan, index, volume, err);
  if (st == DEFACE_OK)
    st = deface_nifti_header_adopt(*volume, header, err);
  if (st != DEFACE_OK) {
    deface_volume_free(*volume);
    deface_nifti_free(*header);
    *volume = NULL;
    *header = NULL;
  }
  return st;
}

const char **series_files(const deface_dicom_folder *scan, size_t index, size_t *n)
{
  const deface_dicom_series_info *info = deface_dicom_series_at(scan, index);
  *n = 0;
  if (!info)
    return NULL;
  const char **files = calloc(info->files ? info->files : 1, sizeof *files);
  if (!files)
    return NULL;
  for (size_t k = 0; k < info->files; k++)
    if (!(files[k] = deface_dicom_series_file(scan, index, k))) {
      free(files);
      return NULL;
    }
  *n = info->files;
  return files;
}

int series_load(const char *folder, int verbose, deface_volume **volume, deface_nifti **header,
                deface_dicom_folder **scan_out)
{
  char err[DEFACE_ERRLEN] = "", what[DEFACE_ERRLEN];
  deface_dicom_folder *scan = NULL;
  *volume = NULL;
  *header = NULL;
  *scan_out = NULL;
  int code = 0;
  deface_status st = deface_dicom_scan(folder, &scan, err);
  if (st != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    return exit_code(st);
  }
  size_t nskipped = deface_dicom_skipped_count(scan), nseries = deface_dicom_series_count(scan);
  if (verbose)
    for (size_t i = 0; i < nskipped; i++)
      fprintf(stderr, "deface: %s: skipped: %s\n", deface_dicom_skipped_path(scan, i),
              deface_dicom_skipped_reason(scan, i));
  size_t unreadable = 0;
  for (size_t i = 0; i < nskipped; i++)
    if (deface_dicom_skipped_unreadable(scan, i)) {
      fprintf(stderr, "deface: %s: %s\n", deface_dicom_skipped_path(scan, i),
              deface_dicom_skipped_reason(scan, i));
      unreadable++;
    }
  if (unreadable) { /* a file that cannot be read may be a slice of the series */
    fprintf(stderr,
            "deface: %s: %zu path%s in the folder cannot be read, so the series may be "
            "incomplete: nothing defaced\n",
            folder, unreadable, unreadable == 1 ? "" : "s");
    code = EXIT_INPUT;
    goto done;
  }
  if (nseries == 0) {
    if (nskipped)
      fprintf(stderr,
              "deface: %s: no DICOM image series in the folder (%zu file%s skipped; "
              "%s: %s)\n",
              folder, nskipped, nskipped == 1 ? "" : "s", deface_dicom_skipped_path(scan, 0),
              deface_dicom_skipped_reason(scan, 0));
    else
      fprintf(stderr, "deface: %s: no files in the folder\n", folder);
    code = EXIT_INPUT;
    goto done;
  }
  if (nseries > 1) {
    describe(deface_dicom_series_at(scan, 0), what, sizeof what);
    fprintf(stderr,
            "deface: %s: holds %zu series (the first: %s), but an output ending in .nii or "
            ".nii.gz takes one: give -o OUTDIR (a folder) to deface them all as a session\n",
            folder, nseries, what);
    code = EXIT_USAGE;
    goto done;
  }
  const deface_dicom_series_info *info = deface_dicom_series_at(scan, 0);
  if (verbose) {
    describe(info, what, sizeof what);
    fprintf(stderr, "deface: %s: %s, %zu x %zu x %zu x %zu\n", folder, what, info->dims[0],
            info->dims[1], info->dims[2], info->dims[3]);
  }
  st = series_read(scan, 0, volume, header, err);
  if (st != DEFACE_OK) {
    if (st == DEFACE_E_REFUSED)
      fprintf(stderr, "deface: %s: refused: %s\n", folder, err);
    else
      fprintf(stderr, "deface: %s\n", err);
    code = exit_code(st);
  }
done:
  if (code == 0)
    *scan_out = scan;
  else
    deface_dicom_folder_free(scan);
  return code;
}

/*
 * dicom_to_nifti - lists the series the DICOM adapter finds in a folder and
 * writes the only one as NIfTI through deface_nifti_header_adopt() and
 * deface_nifti_write() (the steps series mode takes), so that the end-to-end tests can check a
 * defaced series against exactly what the reader read (verify_deface --input).
 *
 *   dicom_to_nifti FOLDER [OUT.nii.gz]
 *
 * Prints one line per series ("series INDEX: number N 'DESC' MODALITY files F
 * dims X Y Z T status S reason R") and per skipped file ("skipped PATH:
 * REASON") to stdout. Exit 0; 1 when OUT was asked for and no single
 * readable series exists, or on any error.
 */
#include "deface.h"
#include "deface_dicom.h"
#include "deface_nifti.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: dicom_to_nifti FOLDER [OUT.nii.gz]\n");
    return 2;
  }
  char err[DEFACE_ERRLEN] = "";
  deface_dicom_folder *scan = NULL;
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  int rc = 1;
  if (deface_dicom_scan(argv[1], &scan, err) != DEFACE_OK) {
    fprintf(stderr, "dicom_to_nifti: %s\n", err);
    return 1;
  }
  size_t n = deface_dicom_series_count(scan);
  for (size_t i = 0; i < n; i++) {
    const deface_dicom_series_info *s = deface_dicom_series_at(scan, i);
    printf("series %zu: number %ld '%s' %s files %zu dims %zu %zu %zu %zu status %s reason %s\n", i,
           s->series_number, s->description, s->modality, s->files, s->dims[0], s->dims[1],
           s->dims[2], s->dims[3], deface_status_str(s->status), s->reason[0] ? s->reason : "-");
  }
  for (size_t i = 0; i < deface_dicom_skipped_count(scan); i++)
    printf("skipped %s: %s\n", deface_dicom_skipped_path(scan, i),
           deface_dicom_skipped_reason(scan, i));
  if (argc == 2) {
    rc = 0;
    goto done;
  }
  if (n != 1) {
    fprintf(stderr, "dicom_to_nifti: %s: %zu series, expected 1\n", argv[1], n);
    goto done;
  }
  if (deface_dicom_load(scan, 0, &v, err) != DEFACE_OK ||
      deface_nifti_header_adopt(v, &h, err) != DEFACE_OK)
    goto fail;
  if (deface_nifti_write(argv[2], v, h, "deface_dicom read of a DICOM series", err) != DEFACE_OK)
    goto fail;
  rc = 0;
  goto done;
fail:
  fprintf(stderr, "dicom_to_nifti: %s\n", err);
done:
  deface_volume_free(v);
  deface_nifti_free(h);
  deface_dicom_folder_free(scan);
  return rc;
}

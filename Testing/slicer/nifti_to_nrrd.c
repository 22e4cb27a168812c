/*
 * nifti_to_nrrd.c - writes a NIfTI scan as the raw NRRD Slicer hands a CLI
 * module (type kept, `space: left-posterior-superior`, space directions and
 * origin from the sform, else the qform). Test helper, linked to nifti_clib
 * only, so it shares no code with the module it feeds.
 *
 *   nifti_to_nrrd IN.nii.gz OUT.nrrd [--tilt DEG] [--2d]
 * --tilt rotates the grid about the left-right axis (the voxels stay, the head
 * is tilted in the world: a non-trivial direction matrix); --2d writes only the
 * middle axial slice as a 2D image, for the refusal test.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nifti2_io.h>

static const char *nrrd_type(int datatype)
{
  switch (datatype) {
  case NIFTI_TYPE_UINT8:
    return "uint8";
  case NIFTI_TYPE_INT8:
    return "int8";
  case NIFTI_TYPE_INT16:
    return "int16";
  case NIFTI_TYPE_UINT16:
    return "uint16";
  case NIFTI_TYPE_INT32:
    return "int32";
  case NIFTI_TYPE_UINT32:
    return "uint32";
  case NIFTI_TYPE_FLOAT32:
    return "float";
  case NIFTI_TYPE_FLOAT64:
    return "double";
  default:
    return NULL;
  }
}

int main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: nifti_to_nrrd IN.nii.gz OUT.nrrd [--tilt DEG] [--2d]\n");
    return 2;
  }
  double tilt = 0.0;
  int two_d = 0;
  for (int i = 3; i < argc; i++) {
    if (strcmp(argv[i], "--tilt") == 0 && i + 1 < argc)
      tilt = atof(argv[++i]) * 3.14159265358979323846 / 180.0;
    else if (strcmp(argv[i], "--2d") == 0)
      two_d = 1;
    else {
      fprintf(stderr, "nifti_to_nrrd: unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  nifti_image *im = nifti_image_read(argv[1], 1);
  if (!im) {
    fprintf(stderr, "nifti_to_nrrd: cannot read %s\n", argv[1]);
    return 1;
  }
  const char *type = nrrd_type(im->datatype);
  if (!type || im->ndim < 3 || im->nt > 1 || (im->scl_slope != 0 && im->scl_slope != 1) ||
      im->scl_inter != 0) {
    fprintf(stderr, "nifti_to_nrrd: %s: only unscaled 3D scalar images\n", argv[1]);
    nifti_image_free(im);
    return 1;
  }
  nifti_dmat44 m = im->sform_code > 0 ? im->sto_xyz : im->qto_xyz;
  /* tilt: RAS' = R_x(tilt) * RAS */
  double c = cos(tilt), s = sin(tilt), a[4][4];
  for (int j = 0; j < 4; j++) {
    a[0][j] = m.m[0][j];
    a[1][j] = c * m.m[1][j] - s * m.m[2][j];
    a[2][j] = s * m.m[1][j] + c * m.m[2][j];
  }
  FILE *f = fopen(argv[2], "wb");
  if (!f) {
    fprintf(stderr, "nifti_to_nrrd: cannot write %s\n", argv[2]);
    nifti_image_free(im);
    return 1;
  }
  size_t nx = (size_t)im->nx, ny = (size_t)im->ny, nz = (size_t)im->nz;
  size_t slice = nx * ny * (size_t)im->nbyper;
  fprintf(f, "NRRD0004\n# written by deface's Testing/slicer/nifti_to_nrrd from %s\n", argv[1]);
  fprintf(f, "type: %s\n", type);
  if (two_d) {
    fprintf(f, "dimension: 2\nsizes: %zu %zu\nspacings: %.17g %.17g\nkinds: domain domain\n", nx,
            ny, im->dx, im->dy);
  } else {
    fprintf(f, "dimension: 3\nspace: left-posterior-superior\nsizes: %zu %zu %zu\n", nx, ny, nz);
    fprintf(f, "space directions:");
    for (int j = 0; j < 3; j++) /* LPS = (-R, -A, S) */
      fprintf(f, " (%.17g,%.17g,%.17g)", -a[0][j], -a[1][j], a[2][j]);
    fprintf(f, "\nkinds: domain domain domain\nspace origin: (%.17g,%.17g,%.17g)\n", -a[0][3],
            -a[1][3], a[2][3]);
  }
  fprintf(f, "endian: little\nencoding: raw\n\n");
  const char *data = im->data;
  size_t n = two_d ? 1 : nz;
  size_t first = two_d ? nz / 2 : 0;
  int ok = fwrite(data + first * slice, slice, n, f) == n;
  ok = fclose(f) == 0 && ok;
  nifti_image_free(im);
  if (!ok) {
    fprintf(stderr, "nifti_to_nrrd: %s: write failed\n", argv[2]);
    return 1;
  }
  return 0;
}

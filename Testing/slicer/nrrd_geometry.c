/*
 * nrrd_geometry.c - prints what Logic/IO's NRRD reader (deface_nrrd_read)
 * makes of a file, in the form of image_geometry (ITK): LPS origin, spacing
 * and unit directions derived from the voxel-to-RAS matrix, the voxel type
 * in ITK's words, and with --count the voxels that are not zero. The
 * nrrd_vs_itk test compares the two on the same files.
 *
 *   nrrd_geometry FILE [--count]
 */
#include "deface_nrrd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *itk_component(deface_datatype dt)
{
  switch (dt) {
  case DEFACE_UINT8:
    return "unsigned_char";
  case DEFACE_INT8:
    return "char";
  case DEFACE_INT16:
    return "short";
  case DEFACE_UINT16:
    return "unsigned_short";
  case DEFACE_INT32:
    return "int";
  case DEFACE_UINT32:
    return "unsigned_int";
  case DEFACE_FLOAT32:
    return "float";
  case DEFACE_FLOAT64:
    return "double";
  }
  return "unknown";
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: nrrd_geometry FILE [--count]\n");
    return 2;
  }
  char err[DEFACE_ERRLEN];
  deface_volume *v = NULL;
  deface_nrrd *h = NULL;
  if (deface_nrrd_read(argv[1], &v, &h, err) != DEFACE_OK) {
    fprintf(stderr, "nrrd_geometry: %s\n", err);
    return 1;
  }
  int nd = deface_nrrd_dimension(h);
  size_t dims[4];
  double m[4][4];
  deface_volume_dims(v, dims);
  deface_volume_matrix(v, m);
  static const double flip[3] = {-1, -1, 1}; /* RAS -> LPS */
  double spacing[3], dir[3][3];
  for (int a = 0; a < 3; a++) {
    spacing[a] = sqrt(m[0][a] * m[0][a] + m[1][a] * m[1][a] + m[2][a] * m[2][a]);
    for (int r = 0; r < 3; r++)
      dir[a][r] = flip[r] * m[r][a] / spacing[a];
  }
  printf("io deface_nrrd\ndimension %d\ncomponent %s\npixel scalar\nsize", nd,
         itk_component(deface_volume_datatype(v)));
  for (int a = 0; a < nd; a++)
    printf(" %zu", dims[a]);
  printf("\nspacing");
  for (int a = 0; a < nd; a++)
    printf(" %.17g", spacing[a]);
  printf("\norigin");
  for (int r = 0; r < nd; r++)
    printf(" %.17g", flip[r] * m[r][3]);
  printf("\ndirection");
  for (int a = 0; a < nd; a++)
    for (int r = 0; r < nd; r++)
      printf(" %.17g", dir[a][r]);
  printf("\n");
  if (argc > 2 && strcmp(argv[2], "--count") == 0) {
    size_t n = deface_volume_voxels_3d(v), nonzero = 0;
    for (size_t i = 0; i < n; i++)
      nonzero += deface_volume_value(v, i) != 0;
    printf("nonzero %zu\n", nonzero);
  }
  deface_volume_free(v);
  deface_nrrd_free(h);
  return 0;
}

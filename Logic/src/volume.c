/*
 * volume.c - the deface_volume type: voxels of any NIfTI scalar datatype,
 * scaling and the voxel-to-RAS matrix. Every size is checked for overflow
 * before anything is allocated.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct deface_volume {
  size_t dims[4];
  deface_datatype datatype;
  double matrix[4][4];
  double slope, inter;
  void *data;
  size_t bytes;
};

size_t deface_datatype_size(deface_datatype datatype)
{
  switch (datatype) {
  case DEFACE_UINT8:
  case DEFACE_INT8:
    return 1;
  case DEFACE_INT16:
  case DEFACE_UINT16:
    return 2;
  case DEFACE_INT32:
  case DEFACE_UINT32:
  case DEFACE_FLOAT32:
    return 4;
  case DEFACE_FLOAT64:
    return 8;
  }
  return 0;
}

const char *deface_datatype_name(deface_datatype datatype)
{
  switch (datatype) {
  case DEFACE_UINT8:
    return "uint8";
  case DEFACE_INT8:
    return "int8";
  case DEFACE_INT16:
    return "int16";
  case DEFACE_UINT16:
    return "uint16";
  case DEFACE_INT32:
    return "int32";
  case DEFACE_UINT32:
    return "uint32";
  case DEFACE_FLOAT32:
    return "float32";
  case DEFACE_FLOAT64:
    return "float64";
  }
  return "unknown";
}

int deface__size_mul(size_t a, size_t b, size_t *out)
{
  if (a != 0 && b > SIZE_MAX / a)
    return -1;
  *out = a * b;
  return 0;
}

static int matrix_is_valid(const double m[4][4])
{
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      if (!isfinite(m[r][c]))
        return 0;
  if (m[3][0] != 0 || m[3][1] != 0 || m[3][2] != 0 || m[3][3] != 1)
    return 0;
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
               m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
               m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  return fabs(det) > 1e-12;
}

/* How a new volume's voxels are allocated: zeroed on huge pages (a volume
 * that will be written whole: a file read into it), left for the caller to
 * fill (a copy), or zeroed on small pages (the label, written only in the
 * face's box: a huge page would make all of each 2 MiB it touches
 * resident, 16 MiB more peak memory at 256^3). */
typedef enum voxel_memory { VOXELS_ZEROED, VOXELS_UNSET, VOXELS_SPARSE } voxel_memory;

static deface_status volume_new(const size_t dims[4], deface_datatype datatype,
                                const double voxel_to_ras[4][4], voxel_memory memory,
                                deface_volume **out, char *err)
{
  *out = NULL;
  size_t elem = deface_datatype_size(datatype);
  if (elem == 0)
    return deface__fail(err, DEFACE_E_USAGE, "unknown datatype %d", (int)datatype);
  size_t bytes = elem;
  for (int a = 0; a < 4; a++) {
    if (dims[a] < 1)
      return deface__fail(err, DEFACE_E_USAGE, "dimension %d is zero", a + 1);
    if (deface__size_mul(bytes, dims[a], &bytes))
      return deface__fail(err, DEFACE_E_NOMEM, "volume size overflows");
  }
  if (!matrix_is_valid(voxel_to_ras))
    return deface__fail(err, DEFACE_E_USAGE, "voxel-to-RAS matrix is singular or not affine");
  deface_volume *v = calloc(1, sizeof *v);
  if (!v)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory");
  v->data = memory == VOXELS_SPARSE ? calloc(1, bytes)
                                    : deface__alloc_large(bytes, memory == VOXELS_ZEROED);
  if (!v->data) {
    free(v);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for %zu bytes of voxels", bytes);
  }
  memcpy(v->dims, dims, sizeof v->dims);
  memcpy(v->matrix, voxel_to_ras, sizeof v->matrix);
  v->datatype = datatype;
  v->slope = 1.0;
  v->inter = 0.0;
  v->bytes = bytes;
  *out = v;
  return DEFACE_OK;
}

deface_status deface_volume_new(const size_t dims[4], deface_datatype datatype,
                                const double voxel_to_ras[4][4], deface_volume **out, char *err)
{
  return volume_new(dims, datatype, voxel_to_ras, VOXELS_ZEROED, out, err);
}

deface_status deface__volume_new_sparse(const size_t dims[4], deface_datatype datatype,
                                        const double voxel_to_ras[4][4], deface_volume **out,
                                        char *err)
{
  return volume_new(dims, datatype, voxel_to_ras, VOXELS_SPARSE, out, err);
}

void deface_volume_free(deface_volume *volume)
{
  if (!volume)
    return;
  free(volume->data);
  free(volume);
}

deface_status deface_volume_clone(const deface_volume *volume, deface_volume **out, char *err)
{
  deface_status st =
      volume_new(volume->dims, volume->datatype, volume->matrix, VOXELS_UNSET, out, err);
  if (st != DEFACE_OK)
    return st;
  memcpy((*out)->data, volume->data, volume->bytes);
  (*out)->slope = volume->slope;
  (*out)->inter = volume->inter;
  return DEFACE_OK;
}

void deface_volume_dims(const deface_volume *volume, size_t dims[4])
{
  memcpy(dims, volume->dims, sizeof volume->dims);
}

size_t deface_volume_voxels_3d(const deface_volume *volume)
{
  return volume->dims[0] * volume->dims[1] * volume->dims[2];
}

size_t deface_volume_bytes(const deface_volume *volume)
{
  return volume->bytes;
}

deface_datatype deface_volume_datatype(const deface_volume *volume)
{
  return volume->datatype;
}

void *deface_volume_data(deface_volume *volume)
{
  return volume->data;
}

const void *deface_volume_data_const(const deface_volume *volume)
{
  return volume->data;
}

void deface_volume_matrix(const deface_volume *volume, double m[4][4])
{
  memcpy(m, volume->matrix, sizeof volume->matrix);
}

deface_status deface_volume_set_matrix(deface_volume *volume, const double voxel_to_ras[4][4],
                                       char *err)
{
  if (!matrix_is_valid(voxel_to_ras))
    return deface__fail(err, DEFACE_E_USAGE, "voxel-to-RAS matrix is singular or not affine");
  memcpy(volume->matrix, voxel_to_ras, sizeof volume->matrix);
  return DEFACE_OK;
}

void deface_volume_spacing(const deface_volume *volume, double spacing[3])
{
  for (int c = 0; c < 3; c++) {
    double s = 0;
    for (int r = 0; r < 3; r++)
      s += volume->matrix[r][c] * volume->matrix[r][c];
    spacing[c] = sqrt(s);
  }
}

void deface_volume_set_scaling(deface_volume *volume, double slope, double inter)
{
  volume->slope = slope;
  volume->inter = inter;
}

void deface_volume_scaling(const deface_volume *volume, double *slope, double *inter)
{
  *slope = volume->slope;
  *inter = volume->inter;
}

int deface__nonzero_extent(const uint8_t *data, const size_t dims[3], size_t lo[3], size_t hi[3])
{
  int any = 0;
  for (size_t k = 0; k < dims[2]; k++)
    for (size_t j = 0; j < dims[1]; j++) {
      const uint8_t *row = data + dims[0] * (j + dims[1] * k);
      size_t i = 0;
      while (i < dims[0] && !row[i])
        i++;
      if (i == dims[0])
        continue;
      size_t last = dims[0] - 1;
      while (!row[last])
        last--;
      size_t at[3] = {i, j, k}, to[3] = {last, j, k};
      for (int a = 0; a < 3; a++) {
        lo[a] = any && lo[a] < at[a] ? lo[a] : at[a];
        hi[a] = any && hi[a] > to[a] ? hi[a] : to[a];
      }
      any = 1;
    }
  return any;
}

int deface__label_extent(const deface_volume *label, size_t lo[3], size_t hi[3])
{
  size_t d[4];
  deface_volume_dims(label, d);
  return deface__nonzero_extent(deface_volume_data_const(label), d, lo, hi);
}

double deface__volume_stored(const deface_volume *volume, size_t index)
{
  return deface__stored_at(volume->data, volume->datatype, index);
}

double deface_volume_value(const deface_volume *volume, size_t index)
{
  double slope = volume->slope == 0 ? 1.0 : volume->slope;
  return slope * deface__volume_stored(volume, index) + volume->inter;
}

void deface__datatype_range(deface_datatype datatype, double *lo, double *hi)
{
  switch (datatype) {
  case DEFACE_UINT8:
    *lo = 0, *hi = 255;
    return;
  case DEFACE_INT8:
    *lo = -128, *hi = 127;
    return;
  case DEFACE_INT16:
    *lo = -32768, *hi = 32767;
    return;
  case DEFACE_UINT16:
    *lo = 0, *hi = 65535;
    return;
  case DEFACE_INT32:
    *lo = -2147483648.0, *hi = 2147483647.0;
    return;
  case DEFACE_UINT32:
    *lo = 0, *hi = 4294967295.0;
    return;
  case DEFACE_FLOAT32:
    *lo = -3.4e38, *hi = 3.4e38;
    return;
  case DEFACE_FLOAT64:
    *lo = -1.7e308, *hi = 1.7e308;
    return;
  }
  *lo = *hi = 0;
}

/* Stores a real value: inverse scaling, rounding for integers, and clamping
 * to the type's range (the only place a value can be clamped, and only for
 * fill values that are already within the image's own range). */
void deface__volume_store(deface_volume *volume, size_t index, double real)
{
  double slope = volume->slope == 0 ? 1.0 : volume->slope;
  double s = (real - volume->inter) / slope;
  void *d = volume->data;
  switch (volume->datatype) {
  case DEFACE_FLOAT32:
    ((float *)d)[index] = (float)s;
    return;
  case DEFACE_FLOAT64:
    ((double *)d)[index] = s;
    return;
  default:
    break;
  }
  double lo, hi;
  deface__datatype_range(volume->datatype, &lo, &hi);
  s = nearbyint(s);
  s = s < lo ? lo : s > hi ? hi : s;
  switch (volume->datatype) {
  case DEFACE_UINT8:
    ((uint8_t *)d)[index] = (uint8_t)s;
    break;
  case DEFACE_INT8:
    ((int8_t *)d)[index] = (int8_t)s;
    break;
  case DEFACE_INT16:
    ((int16_t *)d)[index] = (int16_t)s;
    break;
  case DEFACE_UINT16:
    ((uint16_t *)d)[index] = (uint16_t)s;
    break;
  case DEFACE_INT32:
    ((int32_t *)d)[index] = (int32_t)s;
    break;
  case DEFACE_UINT32:
    ((uint32_t *)d)[index] = (uint32_t)s;
    break;
  default:
    break;
  }
}

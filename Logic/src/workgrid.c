/*
 * workgrid.c - resampling the input onto the RAS-aligned analysis grid.
 */
#include "workgrid.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void work_grid_free(work_grid *grid)
{
  if (!grid)
    return;
  free(grid->value);
  free(grid->inside);
  memset(grid, 0, sizeof *grid);
}

float wg_select(float *v, size_t n, size_t k)
{
  /* Quickselect: Hoare's partition around the median of three, then on into
   * the side that holds k; a run of equal values splits in the middle. */
  long lo = 0, hi = (long)n - 1, want = (long)k;
  while (hi > lo) {
    long mid = lo + (hi - lo) / 2;
    float t;
#define SWAP(a, b) (t = v[a], v[a] = v[b], v[b] = t)
    if (v[mid] < v[lo])
      SWAP(mid, lo);
    if (v[hi] < v[lo])
      SWAP(hi, lo);
    if (v[hi] < v[mid])
      SWAP(hi, mid);
    float pivot = v[mid];
    long i = lo, j = hi;
    while (i <= j) { /* v[lo] <= pivot <= v[hi] keep both scans inside */
      while (v[i] < pivot)
        i++;
      while (v[j] > pivot)
        j--;
      if (i <= j) {
        SWAP(i, j);
        i++;
        j--;
      }
    }
#undef SWAP
    /* Now v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] == pivot. */
    if (want <= j)
      hi = j;
    else if (want >= i)
      lo = i;
    else
      break;
  }
  return v[k];
}

/* Trilinear sample of the first time point at continuous voxel coordinates;
 * returns 0 when the point lies outside the voxel centres' hull (with half a
 * voxel of tolerance, clamped), so the grid's edge follows the real FOV. */
typedef struct source {
  const void *data;
  deface_datatype type;
  size_t dims[4];
  double slope, inter;
} source;

/* One axis of a sample at voxel coordinate c: the two neighbours and the
 * weight of the upper one; 0 when c lies over half a voxel outside. */
static int axis_at(double c, size_t dim, size_t *i0, size_t *i1, double *w)
{
  double lim = (double)dim - 1;
  if (c < -0.5 || c > lim + 0.5)
    return 0;
  double x = c < 0 ? 0 : c > lim ? lim : c;
  double fl = fast_floor(x);
  *i0 = (size_t)fl;
  *i1 = *i0 + 1 < dim ? *i0 + 1 : *i0;
  *w = x - fl;
  return 1;
}

/* The trilinear sum of the corners given per axis, scaled to a real value. */
static float sum_corners(const source *in, const size_t i0[3], const size_t i1[3],
                         const double w[3]);

static int sample(const source *in, vec3 p, float *out)
{
  double c[3] = {p.x, p.y, p.z};
  size_t i0[3], i1[3];
  double w[3];
  for (int a = 0; a < 3; a++)
    if (!axis_at(c[a], in->dims[a], &i0[a], &i1[a], &w[a]))
      return 0;
  *out = sum_corners(in, i0, i1, w);
  return 1;
}

static float sum_corners(const source *in, const size_t i0[3], const size_t i1[3],
                         const double w[3])
{
  const size_t *dims = in->dims;
  size_t at[8];
  double wt[8];
  for (int corner = 0; corner < 8; corner++) {
    size_t ii = corner & 1 ? i1[0] : i0[0];
    size_t jj = corner & 2 ? i1[1] : i0[1];
    size_t kk = corner & 4 ? i1[2] : i0[2];
    at[corner] = ii + dims[0] * (jj + dims[1] * kk);
    wt[corner] = (corner & 1 ? w[0] : 1 - w[0]) * (corner & 2 ? w[1] : 1 - w[1]) *
                 (corner & 4 ? w[2] : 1 - w[2]);
  }
  /* One switch on the datatype per sample, not one per corner; corners of
   * weight 0 are skipped, so that a NaN beside the point does not spread. */
  double acc = 0;
#define SUM_CORNERS(type)                                                                          \
  do {                                                                                             \
    const type *d = in->data;                                                                      \
    for (int q = 0; q < 8; q++)                                                                    \
      if (wt[q] != 0)                                                                              \
        acc += wt[q] * (double)d[at[q]];                                                           \
  } while (0)
  switch (in->type) {
  case DEFACE_UINT8:
    SUM_CORNERS(uint8_t);
    break;
  case DEFACE_INT8:
    SUM_CORNERS(int8_t);
    break;
  case DEFACE_INT16:
    SUM_CORNERS(int16_t);
    break;
  case DEFACE_UINT16:
    SUM_CORNERS(uint16_t);
    break;
  case DEFACE_INT32:
    SUM_CORNERS(int32_t);
    break;
  case DEFACE_UINT32:
    SUM_CORNERS(uint32_t);
    break;
  case DEFACE_FLOAT32:
    SUM_CORNERS(float);
    break;
  case DEFACE_FLOAT64:
    SUM_CORNERS(double);
    break;
  }
#undef SUM_CORNERS
  /* Scaling is linear: applied once to the interpolated stored value. */
  acc = in->slope * acc + in->inter;
  return isfinite(acc) ? (float)acc : 0.0f; /* NaN voxels count as air */
}

void work_grid_fov(const deface_volume *input, vec3 *lo, vec3 *hi)
{
  size_t dims[4];
  double m[4][4];
  deface_volume_dims(input, dims);
  deface_volume_matrix(input, m);
  /* Bounding box of the eight corner voxel centres in RAS. */
  *lo = v3(INFINITY, INFINITY, INFINITY);
  *hi = v3(-INFINITY, -INFINITY, -INFINITY);
  for (int corner = 0; corner < 8; corner++) {
    vec3 p = v3(corner & 1 ? (double)dims[0] - 1 : 0, corner & 2 ? (double)dims[1] - 1 : 0,
                corner & 4 ? (double)dims[2] - 1 : 0);
    vec3 r = affine_apply(m, p);
    *lo = v3(fmin(lo->x, r.x), fmin(lo->y, r.y), fmin(lo->z, r.z));
    *hi = v3(fmax(hi->x, r.x), fmax(hi->y, r.y), fmax(hi->z, r.z));
  }
}

deface_status work_grid_build(const deface_volume *input, double step_mm,
                              const deface_options *options, work_grid *grid, char *err)
{
  vec3 lo, hi;
  work_grid_fov(input, &lo, &hi);
  return work_grid_build_box(input, lo, hi, step_mm, options, grid, err);
}

deface_status work_grid_build_box(const deface_volume *input, vec3 lo, vec3 hi, double step_mm,
                                  const deface_options *options, work_grid *grid, char *err)
{
  memset(grid, 0, sizeof *grid);
  size_t dims[4];
  double m[4][4], inv[4][4];
  deface_volume_dims(input, dims);
  deface_volume_matrix(input, m);
  if (affine_invert(m, inv))
    return deface__fail(err, DEFACE_E_INPUT, "voxel-to-RAS matrix is singular");
  double ext[3] = {hi.x - lo.x, hi.y - lo.y, hi.z - lo.z};
  size_t count = 1;
  for (int a = 0; a < 3; a++) {
    double n = floor(ext[a] / step_mm) + 1;
    if (!(n >= 1 && n < 4096))
      return deface__fail(err, DEFACE_E_INPUT, "field of view of %.0f mm is not plausible", ext[a]);
    grid->n[a] = (size_t)n;
    count *= grid->n[a];
  }
  grid->count = count;
  grid->step = step_mm;
  grid->origin = lo;
  source src = {deface_volume_data_const(input), deface_volume_datatype(input), {0}, 1, 0};
  memcpy(src.dims, dims, sizeof src.dims);
  deface_volume_scaling(input, &src.slope, &src.inter);
  if (src.slope == 0)
    src.slope = 1;
  /* Voxel y and z stay constant along a grid row when the input's axes
   * hold RAS x to its first axis (no rotation of that axis): most scans. */
  int rows_along_x = inv[1][0] == 0 && inv[2][0] == 0;
  grid->value = deface__alloc_large(count * sizeof *grid->value, 1);
  grid->inside = deface__alloc_large(count, 1);
  if (!grid->value || !grid->inside) {
    work_grid_free(grid);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the analysis grid");
  }
  for (size_t k = 0; k < grid->n[2]; k++) {
    if (progress_report(options, STAGE_RESAMPLE, (double)k / (double)grid->n[2])) {
      work_grid_free(grid);
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    }
    for (size_t j = 0; j < grid->n[1]; j++) {
      if (rows_along_x) {
        /* Along a row only the voxel x coordinate moves: y and z are set
         * up once (the same sums; a term 0 * x could only change the sign
         * of a zero, which no weight or index sees). */
        vec3 p = affine_apply(inv, wg_ras(grid, 0, j, k));
        size_t i0[3], i1[3];
        double w[3];
        if (!axis_at(p.y, dims[1], &i0[1], &i1[1], &w[1]) ||
            !axis_at(p.z, dims[2], &i0[2], &i1[2], &w[2]))
          continue;
        for (size_t i = 0; i < grid->n[0]; i++) {
          vec3 r = wg_ras(grid, i, j, k);
          double x = inv[0][0] * r.x + inv[0][1] * r.y + inv[0][2] * r.z + inv[0][3];
          if (!axis_at(x, dims[0], &i0[0], &i1[0], &w[0]))
            continue;
          size_t idx = wg_index(grid, i, j, k);
          grid->value[idx] = sum_corners(&src, i0, i1, w);
          grid->inside[idx] = 1;
        }
        continue;
      }
      for (size_t i = 0; i < grid->n[0]; i++) {
        size_t idx = wg_index(grid, i, j, k);
        float v;
        if (sample(&src, affine_apply(inv, wg_ras(grid, i, j, k)), &v)) {
          grid->value[idx] = v;
          grid->inside[idx] = 1;
        }
      }
    }
  }
  return DEFACE_OK;
}

/*
 * morphology.c - exact Euclidean distance transform and the mask operations
 * built on it (dilation and erosion by a radius in mm), connected components
 * and hole filling on the analysis grid.
 */
#include "internal.h"
#include "workgrid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FAR 1e20f

/* One 1D pass of the Felzenszwalb-Huttenlocher lower envelope of parabolas:
 * f holds squared distances along a line (spacing 1), d receives the result. */
static void edt_1d(const float *f, size_t n, float *d, int *v, float *z)
{
  size_t k = 0;
  v[0] = 0;
  z[0] = -FAR;
  z[1] = FAR;
  for (size_t q = 1; q < n; q++) {
    float fq = f[q] + (float)q * (float)q, s;
    for (;;) {
      float p = (float)v[k];
      s = (fq - (f[v[k]] + p * p)) / (2.0f * ((float)q - p));
      if (s > z[k] || k == 0)
        break;
      k--; /* z[0] is -FAR, below any s, so k == 0 ends the search */
    }
    k++;
    v[k] = (int)q;
    z[k] = s;
    z[k + 1] = FAR;
  }
  k = 0;
  for (size_t q = 0; q < n; q++) {
    while (z[k + 1] < (float)q)
      k++;
    float dq = (float)q - (float)v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/* Transforms every line of one sheet: `sheet` holds nl lines of n values,
 * line-major, as gathered from the volume. */
static void edt_sheet(float *sheet, size_t nl, size_t n, float *d, int *v, float *z)
{
  for (size_t l = 0; l < nl; l++) {
    float *f = sheet + l * n;
    int any = 0;
    for (size_t q = 0; q < n && !any; q++)
      any = f[q] < FAR;
    if (!any)
      continue; /* nothing to propagate along an empty line: it stays FAR */
    edt_1d(f, n, d, v, z);
    for (size_t q = 0; q < n; q++)
      f[q] = d[q] > FAR ? FAR : d[q];
  }
}

deface_status wg_distance_sq(const work_grid *g, const uint8_t *mask, float *out, char *err)
{
  size_t nx = g->n[0], ny = g->n[1], nz = g->n[2];
  size_t nmax = nx > ny ? nx : ny;
  nmax = nmax > nz ? nmax : nz;
  /* The y and z passes gather a sheet of x-adjacent lines at a time, so that
   * memory is read along x (contiguous) instead of one cache line a value. */
  float *sheet = malloc(nx * nmax * sizeof *sheet), *d = malloc(nmax * sizeof *d);
  float *z = malloc((nmax + 1) * sizeof *z);
  int *v = malloc(nmax * sizeof *v);
  deface_status st = DEFACE_OK;
  if (!sheet || !d || !z || !v) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for a distance transform");
    goto done;
  }
  for (size_t i = 0; i < g->count; i++)
    out[i] = mask[i] ? 0.0f : FAR;
  /* x: lines are contiguous already. */
  for (size_t line = 0; line < ny * nz; line++)
    edt_sheet(out + line * nx, 1, nx, d, v, z);
  /* y then z. */
  for (int axis = 1; axis < 3; axis++) {
    size_t n = axis == 1 ? ny : nz, other = axis == 1 ? nz : ny;
    size_t step = axis == 1 ? nx : nx * ny, outer = axis == 1 ? nx * ny : nx;
    for (size_t p = 0; p < other; p++) {
      float *base = out + p * outer;
      for (size_t q = 0; q < n; q++)
        for (size_t i = 0; i < nx; i++)
          sheet[i * n + q] = base[q * step + i];
      edt_sheet(sheet, nx, n, d, v, z);
      for (size_t q = 0; q < n; q++)
        for (size_t i = 0; i < nx; i++)
          base[q * step + i] = sheet[i * n + q];
    }
  }
  float s2 = (float)(g->step * g->step);
  for (size_t i = 0; i < g->count; i++)
    out[i] = out[i] >= FAR ? FAR : out[i] * s2;
done:
  free(sheet);
  free(d);
  free(z);
  free(v);
  return st;
}

/* Dilation by a ball: whether a mask voxel lies within r voxels (Euclidean,
 * r2 = r * r in voxel units) of each voxel. Only distances up to R = floor(r)
 * voxels per axis matter, so three separable min-plus passes over windows of
 * +-R give the squared distance exactly wherever it is <= r2 and something
 * larger elsewhere: the same mask as thresholding the full transform, at a
 * fraction of its cost, and each pass runs along contiguous x rows. Values
 * saturate at 255, above any r2 of the radii used here (checked). */
static deface_status ball_dilate(const work_grid *g, uint8_t *mask, double r_vox, char *err)
{
  size_t nx = g->n[0], ny = g->n[1], nz = g->n[2];
  int R = (int)floor(r_vox);
  double r2 = r_vox * r_vox;
  if (R < 1) /* nothing within reach but the voxel itself */
    return DEFACE_OK;
  if (3.0 * R * R >= 255.0)
    return deface__fail(err, DEFACE_E_INTERNAL, "dilation radius of %.1f voxels too large", r_vox);
  uint8_t *a = malloc(g->count ? g->count : 1), *b = malloc(g->count ? g->count : 1);
  if (!a || !b) {
    free(a);
    free(b);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for morphology");
  }
  /* x: squared distance to the nearest mask voxel along the row, from a
   * forward and a backward sweep, capped at 255. */
  for (size_t row = 0; row < ny * nz; row++) {
    const uint8_t *m = mask + row * nx;
    uint8_t *d = a + row * nx;
    int last = -1000;
    for (size_t i = 0; i < nx; i++) {
      if (m[i])
        last = (int)i;
      int k = (int)i - last;
      d[i] = (uint8_t)(k > R ? 255 : k * k);
    }
    last = 1 << 30;
    for (size_t i = nx; i-- > 0;) {
      if (m[i])
        last = (int)i;
      int k = last - (int)i;
      if (k <= R && k * k < d[i])
        d[i] = (uint8_t)(k * k);
    }
  }
  /* y then z: out[q] = min over |k| <= R of in[q + k] + k^2, whole rows at a time. */
  uint8_t *src = a, *dst = b;
  for (int axis = 1; axis < 3; axis++) {
    size_t n = axis == 1 ? ny : nz, stride = axis == 1 ? nx : nx * ny;
    size_t lines = axis == 1 ? nz : 1, line_step = nx * ny, rows = axis == 1 ? nx : nx * ny;
    for (size_t l = 0; l < lines; l++)
      for (size_t q = 0; q < n; q++) {
        uint8_t *out = dst + l * line_step + q * stride;
        memcpy(out, src + l * line_step + q * stride, rows);
        for (int k = -R; k <= R; k++) {
          long qk = (long)q + k;
          if (k == 0 || qk < 0 || qk >= (long)n)
            continue;
          const uint8_t *in = src + l * line_step + (size_t)qk * stride;
          unsigned kk = (unsigned)(k * k);
          for (size_t i = 0; i < rows; i++) {
            unsigned v = in[i] + kk;
            v = v > 255 ? 255 : v;
            out[i] = (uint8_t)(v < out[i] ? v : out[i]);
          }
        }
      }
    uint8_t *t = src;
    src = dst;
    dst = t;
  }
  for (size_t i = 0; i < g->count; i++)
    mask[i] = (double)src[i] <= r2;
  free(a);
  free(b);
  return DEFACE_OK;
}

deface_status wg_dilate(const work_grid *g, uint8_t *mask, double r_mm, char *err)
{
  return ball_dilate(g, mask, r_mm / g->step, err);
}

/* Erosion is the dilation of the complement: a voxel stays when no voxel
 * outside the mask lies within the radius (voxels beyond the grid do not
 * count, as in the distance transform). */
deface_status wg_erode(const work_grid *g, uint8_t *mask, double r_mm, char *err)
{
  for (size_t i = 0; i < g->count; i++)
    mask[i] = !mask[i];
  deface_status st = ball_dilate(g, mask, r_mm / g->step, err);
  for (size_t i = 0; i < g->count; i++)
    mask[i] = !mask[i];
  return st;
}

/* Breadth-first flood from the seeds already marked in `seen` through voxels
 * where passable != 0 (6-connectivity). queue holds g->count entries. */
static size_t flood(const work_grid *g, const uint8_t *passable, uint8_t *seen, size_t *queue,
                    size_t head, size_t tail, uint8_t mark)
{
  size_t nx = g->n[0], ny = g->n[1], nz = g->n[2], plane = nx * ny;
  while (head < tail) {
    size_t idx = queue[head++];
    size_t i = idx % nx, j = (idx / nx) % ny, k = idx / plane;
    size_t nb[6];
    int m = 0;
    if (i > 0)
      nb[m++] = idx - 1;
    if (i + 1 < nx)
      nb[m++] = idx + 1;
    if (j > 0)
      nb[m++] = idx - nx;
    if (j + 1 < ny)
      nb[m++] = idx + nx;
    if (k > 0)
      nb[m++] = idx - plane;
    if (k + 1 < nz)
      nb[m++] = idx + plane;
    for (int q = 0; q < m; q++)
      if (passable[nb[q]] && !seen[nb[q]]) {
        seen[nb[q]] = mark;
        queue[tail++] = nb[q];
      }
  }
  return tail;
}

deface_status wg_largest_component(const work_grid *g, uint8_t *mask, size_t *kept, char *err)
{
  *kept = 0;
  size_t *queue = malloc(g->count * sizeof *queue);
  uint8_t *seen = calloc(g->count, 1);
  if (!queue || !seen) {
    free(queue);
    free(seen);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for connected components");
  }
  /* Label components as 1 (current candidate) and 2 (visited); remember the
   * seed of the largest and flood it again at the end. */
  size_t best_seed = 0, best_size = 0;
  for (size_t s = 0; s < g->count; s++) {
    if (!mask[s] || seen[s])
      continue;
    seen[s] = 2;
    queue[0] = s;
    size_t size = flood(g, mask, seen, queue, 0, 1, 2);
    if (size > best_size) {
      best_size = size;
      best_seed = s;
    }
  }
  memset(seen, 0, g->count);
  if (best_size > 0) {
    seen[best_seed] = 1;
    queue[0] = best_seed;
    flood(g, mask, seen, queue, 0, 1, 1);
  }
  memcpy(mask, seen, g->count);
  *kept = best_size;
  free(queue);
  free(seen);
  return DEFACE_OK;
}

deface_status wg_fill_holes(const work_grid *g, uint8_t *mask, char *err)
{
  size_t *queue = malloc(g->count * sizeof *queue);
  uint8_t *outside = calloc(g->count, 1), *background = calloc(g->count, 1);
  if (!queue || !outside || !background) {
    free(queue);
    free(outside);
    free(background);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for hole filling");
  }
  size_t tail = 0;
  for (size_t idx = 0; idx < g->count; idx++) {
    background[idx] = !mask[idx];
    size_t i, j, k;
    wg_coords(g, idx, &i, &j, &k);
    int border =
        i == 0 || j == 0 || k == 0 || i + 1 == g->n[0] || j + 1 == g->n[1] || k + 1 == g->n[2];
    if (border && background[idx]) {
      outside[idx] = 1;
      queue[tail++] = idx;
    }
  }
  flood(g, background, outside, queue, 0, tail, 1);
  for (size_t idx = 0; idx < g->count; idx++)
    mask[idx] = !outside[idx];
  free(queue);
  free(outside);
  free(background);
  return DEFACE_OK;
}

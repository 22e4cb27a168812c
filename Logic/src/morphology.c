/*
 * morphology.c - exact Euclidean distance transform and the mask operations
 * built on it (dilation and erosion by a radius in mm), connected components
 * and hole filling on the analysis grid.
 */
#include "internal.h"
#include "workgrid.h"

#include <math.h>
#include <stdint.h>
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

/* The first pass on a binary row: squared distance (in voxels) to the
 * nearest set voxel, FAR on a row with none. */
static void row_distance_sq(const uint8_t *mask, size_t n, float *out)
{
  size_t last = SIZE_MAX; /* the nearest set voxel at or before q */
  for (size_t q = 0; q < n; q++) {
    if (mask[q])
      last = q;
    out[q] = last == SIZE_MAX ? FAR : (float)(q - last) * (float)(q - last);
  }
  if (last == SIZE_MAX)
    return;
  size_t next = SIZE_MAX; /* the nearest set voxel at or after q */
  for (size_t q = n; q-- > 0;) {
    if (mask[q])
      next = q;
    if (next != SIZE_MAX) {
      float after = (float)(next - q) * (float)(next - q);
      out[q] = after < out[q] ? after : out[q];
    }
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
  /* x: on the binary mask the squared distance to the nearest set voxel of
   * the row, from a sweep either way (what the parabolas give on 0/FAR
   * input, exactly: integers squared below 2^24 are exact floats). */
  for (size_t line = 0; line < ny * nz; line++)
    row_distance_sq(mask + line * nx, nx, out + line * nx);
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
static deface_status ball_dilate(const size_t dims[3], uint8_t *mask, double r_vox, char *err)
{
  size_t nx = dims[0], ny = dims[1], nz = dims[2], count = nx * ny * nz;
  int R = (int)floor(r_vox);
  double r2 = r_vox * r_vox;
  uint8_t *a = deface__alloc_large(count, 0), *b = deface__alloc_large(count, 0);
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
          const uint8_t *restrict in = src + l * line_step + (size_t)qk * stride;
          uint8_t *restrict o = out;
          uint8_t kk = (uint8_t)(k * k);
          for (size_t i = 0; i < rows; i++) { /* saturating add, then min: vectorises */
            uint8_t v = (uint8_t)(in[i] + kk);
            v = v < in[i] ? 255 : v;
            o[i] = v < o[i] ? v : o[i];
          }
        }
      }
    uint8_t *t = src;
    src = dst;
    dst = t;
  }
  /* The squared distances are whole numbers: compare with r2's integer part
   * (a hair above, so that a radius of exactly 3 voxels keeps 9). */
  uint8_t limit = (uint8_t)floor(r2 + 1e-9);
  for (size_t i = 0; i < count; i++)
    mask[i] = src[i] <= limit;
  free(a);
  free(b);
  return DEFACE_OK;
}

/* The box of the mask's set voxels, widened by `grow` voxels within the
 * grid, as a grid of its own (`box`: its size and step); 0 when no voxel is
 * set. */
static int mask_box(const work_grid *g, const uint8_t *mask, size_t grow, size_t lo[3],
                    size_t hi[3], work_grid *box)
{
  if (!deface__nonzero_extent(mask, g->n, lo, hi))
    return 0;
  memset(box, 0, sizeof *box);
  box->step = g->step;
  box->count = 1;
  for (int a = 0; a < 3; a++) {
    lo[a] = lo[a] > grow ? lo[a] - grow : 0;
    hi[a] = hi[a] + grow < g->n[a] ? hi[a] + grow : g->n[a] - 1;
    box->n[a] = hi[a] - lo[a] + 1;
    box->count *= box->n[a];
  }
  return 1;
}

/* Copies the box at `lo` out of a grid-sized mask into a box-sized one,
 * inverting each byte when `invert` is set ... */
static void box_take(const work_grid *g, const work_grid *box, const size_t lo[3],
                     const uint8_t *grid_mask, uint8_t *box_mask, int invert)
{
  for (size_t k = 0; k < box->n[2]; k++)
    for (size_t j = 0; j < box->n[1]; j++) {
      const uint8_t *from = grid_mask + wg_index(g, lo[0], lo[1] + j, lo[2] + k);
      uint8_t *to = box_mask + wg_index(box, 0, j, k);
      for (size_t i = 0; i < box->n[0]; i++)
        to[i] = invert ? !from[i] : from[i];
    }
}

/* ... and back. */
static void box_put(const work_grid *g, const work_grid *box, const size_t lo[3],
                    const uint8_t *box_mask, uint8_t *grid_mask, int invert)
{
  for (size_t k = 0; k < box->n[2]; k++)
    for (size_t j = 0; j < box->n[1]; j++) {
      const uint8_t *from = box_mask + wg_index(box, 0, j, k);
      uint8_t *to = grid_mask + wg_index(g, lo[0], lo[1] + j, lo[2] + k);
      for (size_t i = 0; i < box->n[0]; i++)
        to[i] = invert ? !from[i] : from[i];
    }
}

/* Dilates the mask (0/1 bytes), or with `erode` its complement (so
 * eroding it), by r_vox voxels. Nothing outside the set voxels' box widened
 * by the radius can change or matter, so the passes run on that box only:
 * a dilation reaches no further; an erosion clears only set voxels, and
 * the unset voxels that clear them lie within the radius of them. */
static deface_status dilate_in_box(const work_grid *g, uint8_t *mask, double r_vox, int erode,
                                   char *err)
{
  size_t lo[3], hi[3];
  work_grid box;
  int R = (int)floor(r_vox);
  if (R < 1) /* nothing within reach but the voxel itself */
    return DEFACE_OK;
  if (3.0 * R * R >= 255.0)
    return deface__fail(err, DEFACE_E_INTERNAL, "dilation radius of %.1f voxels too large", r_vox);
  if (!mask_box(g, mask, (size_t)R, lo, hi, &box))
    return DEFACE_OK; /* an empty mask stays empty either way */
  uint8_t *part = deface__alloc_large(box.count, 0);
  if (!part)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for morphology");
  box_take(g, &box, lo, mask, part, erode);
  deface_status st = ball_dilate(box.n, part, r_vox, err);
  if (st == DEFACE_OK)
    box_put(g, &box, lo, part, mask, erode);
  free(part);
  return st;
}

deface_status wg_depth_sq(const work_grid *g, const uint8_t *mask, float *out, char *err)
{
  /* Within the mask's box widened by a voxel: the widening holds only
   * voxels outside the mask, and for a voxel in the box the nearest one
   * outside it is never further than its projection onto that layer, so
   * nothing beyond the box is needed (nor is any of it in the mask). */
  size_t lo[3], hi[3];
  work_grid box;
  memset(out, 0, g->count * sizeof *out); /* 0.0f: every voxel outside the mask */
  if (!mask_box(g, mask, 1, lo, hi, &box))
    return DEFACE_OK;
  uint8_t *outside = deface__alloc_large(box.count, 0);
  float *d = deface__alloc_large(box.count * sizeof *d, 0);
  deface_status st = DEFACE_OK;
  if (!outside || !d) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the head depth");
    goto done;
  }
  box_take(g, &box, lo, mask, outside, 1);
  if ((st = wg_distance_sq(&box, outside, d, err)) != DEFACE_OK)
    goto done;
  for (size_t k = 0; k < box.n[2]; k++)
    for (size_t j = 0; j < box.n[1]; j++)
      memcpy(out + wg_index(g, lo[0], lo[1] + j, lo[2] + k), d + wg_index(&box, 0, j, k),
             box.n[0] * sizeof *d);
done:
  free(outside);
  free(d);
  return st;
}

deface_status wg_dilate(const work_grid *g, uint8_t *mask, double r_mm, char *err)
{
  return dilate_in_box(g, mask, r_mm / g->step, 0, err);
}

/* Erosion is the dilation of the complement: a voxel stays when no voxel
 * outside the mask lies within the radius (voxels beyond the grid do not
 * count, as in the distance transform). */
deface_status wg_erode(const work_grid *g, uint8_t *mask, double r_mm, char *err)
{
  return dilate_in_box(g, mask, r_mm / g->step, 1, err);
}

/* Breadth-first flood from the seeds already marked in `seen` through voxels
 * where passable != 0 (6-connectivity). queue holds g->count entries. */
/* Which of a voxel's six neighbours lie inside the grid, one bit each
 * (-x, +x, -y, +y, -z, +z): computed row by row once, so that the flood
 * below needs no division to find a voxel's coordinates. */
static void neighbour_bits(const work_grid *g, uint8_t *bits)
{
  size_t nx = g->n[0], ny = g->n[1], nz = g->n[2];
  for (size_t k = 0; k < nz; k++)
    for (size_t j = 0; j < ny; j++) {
      uint8_t row = (uint8_t)((j > 0 ? 4 : 0) | (j + 1 < ny ? 8 : 0) | (k > 0 ? 16 : 0) |
                              (k + 1 < nz ? 32 : 0));
      uint8_t *b = bits + nx * (j + ny * k);
      for (size_t i = 0; i < nx; i++)
        b[i] = (uint8_t)(row | (i > 0 ? 1 : 0) | (i + 1 < nx ? 2 : 0));
    }
}

/* Breadth-first flood from queue[head..tail) through passable voxels not yet
 * seen, marking them; returns the new tail (the number of voxels reached). */
static size_t flood(const work_grid *g, const uint8_t *bits, const uint8_t *passable, uint8_t *seen,
                    size_t *queue, size_t head, size_t tail, uint8_t mark)
{
  size_t nx = g->n[0], plane = nx * g->n[1];
  const size_t step[6] = {(size_t)-1, 1, (size_t)0 - nx, nx, (size_t)0 - plane, plane};
  while (head < tail) {
    size_t idx = queue[head++];
    uint8_t b = bits[idx];
    for (int q = 0; q < 6; q++) {
      size_t nb = idx + step[q]; /* wraps for the negative steps, used only when inside */
      if ((b >> q & 1) && passable[nb] && !seen[nb]) {
        seen[nb] = mark;
        queue[tail++] = nb;
      }
    }
  }
  return tail;
}

deface_status wg_largest_component(const work_grid *g, uint8_t *mask, size_t *kept, char *err)
{
  *kept = 0;
  size_t *queue = deface__alloc_large(g->count * sizeof *queue, 0);
  uint8_t *seen = deface__alloc_large(g->count, 1), *bits = deface__alloc_large(g->count, 0);
  if (!queue || !seen || !bits) {
    free(queue);
    free(seen);
    free(bits);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for connected components");
  }
  neighbour_bits(g, bits);
  /* Label components as 1 (current candidate) and 2 (visited); remember the
   * seed of the largest and flood it again at the end. */
  size_t best_seed = 0, best_size = 0;
  for (size_t s = 0; s < g->count; s++) {
    if (!mask[s] || seen[s])
      continue;
    seen[s] = 2;
    queue[0] = s;
    size_t size = flood(g, bits, mask, seen, queue, 0, 1, 2);
    if (size > best_size) {
      best_size = size;
      best_seed = s;
    }
  }
  memset(seen, 0, g->count);
  if (best_size > 0) {
    seen[best_seed] = 1;
    queue[0] = best_seed;
    flood(g, bits, mask, seen, queue, 0, 1, 1);
  }
  memcpy(mask, seen, g->count);
  *kept = best_size;
  free(queue);
  free(seen);
  free(bits);
  return DEFACE_OK;
}

/* Fills the holes of the mask over the whole of grid g. */
static deface_status fill_holes_whole(const work_grid *g, uint8_t *mask, char *err)
{
  size_t *queue = deface__alloc_large(g->count * sizeof *queue, 0);
  uint8_t *outside = deface__alloc_large(g->count, 1),
          *background = deface__alloc_large(g->count, 0), *bits = deface__alloc_large(g->count, 0);
  if (!queue || !outside || !background || !bits) {
    free(queue);
    free(outside);
    free(background);
    free(bits);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for hole filling");
  }
  neighbour_bits(g, bits);
  size_t tail = 0;
  for (size_t idx = 0; idx < g->count; idx++) {
    background[idx] = !mask[idx];
    if (bits[idx] != 63 && background[idx]) { /* on the grid's border */
      outside[idx] = 1;
      queue[tail++] = idx;
    }
  }
  flood(g, bits, background, outside, queue, 0, tail, 1);
  for (size_t idx = 0; idx < g->count; idx++)
    mask[idx] = !outside[idx];
  free(queue);
  free(outside);
  free(background);
  free(bits);
  return DEFACE_OK;
}

/* The holes over the mask's box widened by a voxel: that layer is all
 * background, joined to the grid's border around the box, so what the
 * border reaches inside the box is what the grid's border reaches, and the
 * air beyond the box need not be flooded. */
deface_status wg_fill_holes(const work_grid *g, uint8_t *mask, char *err)
{
  size_t lo[3], hi[3];
  work_grid box;
  if (!mask_box(g, mask, 1, lo, hi, &box))
    return DEFACE_OK; /* no mask, no holes */
  uint8_t *part = deface__alloc_large(box.count, 0);
  if (!part)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for hole filling");
  box_take(g, &box, lo, mask, part, 0);
  deface_status st = fill_holes_whole(&box, part, err);
  if (st == DEFACE_OK)
    box_put(g, &box, lo, part, mask, 0);
  free(part);
  return st;
}

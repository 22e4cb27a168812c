/*
 * workgrid.h - the analysis grid: the input's first time point resampled onto
 * an isotropic grid aligned with RAS, so that every later step reasons in
 * millimetres and anatomical directions whatever the input's voxel axes,
 * flips, obliquity or anisotropy. Masks on this grid are uint8 arrays of
 * grid->count voxels, x fastest.
 */
#ifndef DEFACE_WORKGRID_H
#define DEFACE_WORKGRID_H

#include "deface.h"
#include "geometry.h"

#include <stddef.h>
#include <stdint.h>

typedef struct work_grid {
  size_t n[3];     /* voxels along R, A, S */
  size_t count;    /* n[0]*n[1]*n[2] */
  double step;     /* mm */
  vec3 origin;     /* RAS of voxel (0,0,0) */
  float *value;    /* real (scaled) intensity; 0 where outside the input */
  uint8_t *inside; /* 1 where the input's field of view covers the point */
} work_grid;

/** Resamples the first time point trilinearly. Caller frees with work_grid_free. */
deface_status work_grid_build(const deface_volume *input, double step_mm,
                              const deface_options *options, work_grid *grid, char *err);
/** The same over the RAS box lo..hi (e.g. the head's, from head_box()). */
deface_status work_grid_build_box(const deface_volume *input, vec3 lo, vec3 hi, double step_mm,
                                  const deface_options *options, work_grid *grid, char *err);
/** The RAS bounding box of the input's voxel centres. */
void work_grid_fov(const deface_volume *input, vec3 *lo, vec3 *hi);
void work_grid_free(work_grid *grid);

static inline size_t wg_index(const work_grid *g, size_t i, size_t j, size_t k)
{
  return i + g->n[0] * (j + g->n[1] * k);
}
static inline vec3 wg_ras(const work_grid *g, size_t i, size_t j, size_t k)
{
  return v3(g->origin.x + g->step * (double)i, g->origin.y + g->step * (double)j,
            g->origin.z + g->step * (double)k);
}
/** Grid coordinates of a voxel index. */
static inline void wg_coords(const work_grid *g, size_t idx, size_t *i, size_t *j, size_t *k)
{
  *i = idx % g->n[0];
  *j = (idx / g->n[0]) % g->n[1];
  *k = idx / (g->n[0] * g->n[1]);
}
/* Visits every grid point in index order with its index and coordinates,
 * as the loops that need a point's RAS do: no division per voxel. */
#define WG_FOR_EACH(g, idx, i, j, k)                                                               \
  for (size_t k = 0, idx = 0; k < (g)->n[2]; k++)                                                  \
    for (size_t j = 0; j < (g)->n[1]; j++)                                                         \
      for (size_t i = 0; i < (g)->n[0]; i++, idx++)

static inline vec3 wg_ras_of_index(const work_grid *g, size_t idx)
{
  size_t i, j, k;
  wg_coords(g, idx, &i, &j, &k);
  return wg_ras(g, i, j, k);
}
/** The k-th smallest of v[0..n) (k < n, no NaN), the value v[k] would hold
 * sorted, in O(n): v is reordered so that nothing before v[k] is larger and
 * nothing after it smaller. */
float wg_select(float *v, size_t n, size_t k);
/** Nearest grid voxel of a RAS point, or -1 when outside the grid. */
static inline long wg_nearest(const work_grid *g, vec3 ras)
{
  size_t c[3];
  if (!grid_nearest_cell(g->origin, g->step, g->n, ras, c))
    return -1;
  return (long)wg_index(g, c[0], c[1], c[2]);
}

/* Morphology on grid masks (morphology.c). Distances in mm. */
/** Squared distance (mm^2) from every voxel to the nearest voxel where mask != 0;
 * a huge value when the mask is empty. out has g->count floats. */
deface_status wg_distance_sq(const work_grid *g, const uint8_t *mask, float *out, char *err);
/** Squared depth (mm^2) of every voxel of `mask` below its surface: the
 * squared distance to the nearest voxel outside it (voxels beyond the grid
 * do not count), 0 outside the mask; wg_distance_sq of the complement, worked
 * out over the mask's box only. */
deface_status wg_depth_sq(const work_grid *g, const uint8_t *mask, float *out, char *err);
/** mask = voxels within r mm of mask (dilate) or farther than r from outside (erode). */
deface_status wg_dilate(const work_grid *g, uint8_t *mask, double r_mm, char *err);
deface_status wg_erode(const work_grid *g, uint8_t *mask, double r_mm, char *err);
/** Keeps the largest 6-connected component; returns its voxel count via *kept. */
deface_status wg_largest_component(const work_grid *g, uint8_t *mask, size_t *kept, char *err);
/** Sets every background voxel not 6-connected to the grid border. */
deface_status wg_fill_holes(const work_grid *g, uint8_t *mask, char *err);

#endif

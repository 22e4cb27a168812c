/*
 * render_shrink.c - the small grid a QA picture is rendered from: the first
 * time point block-averaged to about 2 mm (the skin at that size still shows
 * a face; a 1 mm head has 8 times fewer voxels and a 0.5 mm head 64 times),
 * the label by block maximum so that a thin removed region stays visible.
 * One pass over the input in memory order, accumulating into the small grid.
 */
#include "deface_render_wire.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

deface_status deface_render_shrink(const deface_volume *volume, double grid_mm, int block_max,
                                   deface_volume **out, char *err)
{
  if (out)
    *out = NULL;
  if (!volume || !out || !(grid_mm > 0)) {
    if (err)
      snprintf(err, DEFACE_ERRLEN, "deface_render_shrink: missing volume or bad grid");
    return DEFACE_E_USAGE;
  }
  size_t n[4], m[4] = {1, 1, 1, 1}, step[3];
  double spacing[3], matrix[4][4], shrunk[4][4];
  deface_volume_dims(volume, n);
  deface_volume_spacing(volume, spacing);
  deface_volume_matrix(volume, matrix);
  for (int a = 0; a < 3; a++) {
    long s = lround(grid_mm / (spacing[a] > 1e-6 ? spacing[a] : 1e-6));
    step[a] = s < 1 ? 1 : (size_t)s > n[a] ? n[a] : (size_t)s;
    m[a] = n[a] / step[a];
  }
  /* voxel I of the small grid is the centre of input voxels I*step .. I*step+step-1 */
  for (int r = 0; r < 4; r++) {
    for (int c = 0; c < 3; c++)
      shrunk[r][c] = matrix[r][c] * (double)step[c];
    shrunk[r][3] = matrix[r][3];
    for (int c = 0; c < 3; c++)
      shrunk[r][3] += matrix[r][c] * 0.5 * (double)(step[c] - 1);
  }
  deface_volume *small = NULL;
  deface_status st =
      deface_volume_new(m, block_max ? DEFACE_UINT8 : DEFACE_FLOAT32, shrunk, &small, err);
  if (st != DEFACE_OK)
    return st;
  size_t count = m[0] * m[1] * m[2]; /* no overflow: fewer than the input's voxels */
  double *acc = malloc(count * sizeof *acc);
  if (!acc) {
    deface_volume_free(small);
    if (err)
      snprintf(err, DEFACE_ERRLEN, "deface_render_shrink: out of memory");
    return DEFACE_E_NOMEM;
  }
  for (size_t x = 0; x < count; x++)
    acc[x] = block_max ? -HUGE_VAL : 0.0;
  for (size_t k = 0; k < m[2] * step[2]; k++)
    for (size_t j = 0; j < m[1] * step[1]; j++) {
      size_t in = n[0] * (j + n[1] * k);
      double *row = acc + m[0] * (j / step[1] + m[1] * (k / step[2]));
      for (size_t i = 0; i < m[0] * step[0]; i++) {
        double v = deface_volume_value(volume, in + i);
        double *a = row + i / step[0];
        *a = block_max ? (v > *a ? v : *a) : *a + v;
      }
    }
  double per_block = (double)step[0] * (double)step[1] * (double)step[2];
  if (block_max) {
    uint8_t *o = deface_volume_data(small);
    for (size_t x = 0; x < count; x++)
      o[x] = acc[x] <= 0 ? 0 : acc[x] >= 255 ? 255 : (uint8_t)lround(acc[x]);
  } else {
    float *o = deface_volume_data(small);
    for (size_t x = 0; x < count; x++)
      o[x] = (float)(acc[x] / per_block);
  }
  free(acc);
  *out = small;
  return DEFACE_OK;
}

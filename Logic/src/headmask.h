/*
 * headmask.h - the head on the analysis grid: tissue/air threshold,
 * CT detection, the closed and hole-filled head mask and its surface depth.
 */
#ifndef DEFACE_HEADMASK_H
#define DEFACE_HEADMASK_H

#include "workgrid.h"

typedef struct head_info {
  int is_ct;           /* intensities look like Hounsfield units */
  double air_level;    /* typical value of the air around the head */
  double tissue_level; /* median value of head tissue */
  double threshold;    /* tissue/air threshold used */
  uint8_t *mask;       /* head, closed and hole-filled, on the grid */
  float *depth_sq;     /* squared mm from each voxel to the nearest non-head voxel */
  vec3 centroid;       /* RAS centre of the head mask */
  double volume_ml;
} head_info;

/** The intensity levels that separate head from air. */
typedef struct head_levels {
  int is_ct;
  double threshold, air;
} head_levels;

/** Finds the head; DEFACE_E_REFUSED when there is none of plausible size.
 * `levels` (may be NULL: taken from g) are the field of view's, from
 * head_box(): a grid cropped to the head holds too little air for them. */
deface_status head_find(const work_grid *g, const head_levels *levels,
                        const deface_options *options, head_info *head, char *err);
void head_free(head_info *head);

/** The tissue/air threshold, CT or not, and the air's level of a grid;
 * DEFACE_E_REFUSED when the image is flat. */
deface_status head_threshold(const work_grid *g, head_levels *levels, char *err);

/** The RAS box the analysis grid needs: the largest object of a coarse look
 * at the input, widened by a margin, within the field of view (the whole
 * field of view when nothing stands out), and the field of view's levels. */
deface_status head_box(const deface_volume *input, vec3 *lo, vec3 *hi, head_levels *levels,
                       char *err);

/** Percentiles (0..100) of the grid's in-FOV values, or of those under mask
 * (NAN when there are none), from one sorted subsample. */
deface_status grid_percentiles(const work_grid *g, const uint8_t *mask, const double *pct,
                               double *out, int count, char *err);

#endif

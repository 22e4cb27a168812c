/*
 * headmask.h - the head on the analysis grid: tissue/air threshold,
 * CT detection, the closed and hole-filled head mask and its surface depth.
 */
#ifndef DEFACE_HEADMASK_H
#define DEFACE_HEADMASK_H

#include "workgrid.h"

typedef struct head_info {
  int is_ct;            /* intensities look like Hounsfield units */
  double air_level;     /* typical value of the air around the head */
  double tissue_level;  /* median value of head tissue */
  double threshold;     /* tissue/air threshold used */
  uint8_t *mask;        /* head, closed and hole-filled, on the grid */
  float *depth_sq;      /* squared mm from each voxel to the nearest non-head voxel */
  vec3 centroid;        /* RAS centre of the head mask */
  double volume_ml;
} head_info;

/** Finds the head; DEFACE_E_REFUSED when there is none of plausible size. */
deface_status head_find(const work_grid *g, const deface_options *options, head_info *head,
                        char *err);
void head_free(head_info *head);

/** The tissue/air threshold, CT or not, and the air's level of a grid;
 * DEFACE_E_REFUSED when the image is flat. */
deface_status head_threshold(const work_grid *g, int *is_ct, double *threshold, double *air,
                             char *err);

/** The RAS box the analysis grid needs: the largest object of a coarse look
 * at the input, widened by a margin, within the field of view (the whole
 * field of view when nothing stands out). */
deface_status head_box(const deface_volume *input, vec3 *lo, vec3 *hi, char *err);

/** Percentiles (0..100) of the grid's in-FOV values, or of those under mask
 * (NAN when there are none), from one sorted subsample. */
deface_status grid_percentiles(const work_grid *g, const uint8_t *mask, const double *pct,
                               double *out, int count, char *err);

#endif

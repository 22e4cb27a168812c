/*
 * guard.h - what the in-place pipeline keeps of the original before it
 * fills: enough to check the result as the copying pipeline does, and to put
 * the volume back exactly when anything fails.
 */
#ifndef DEFACE_GUARD_H
#define DEFACE_GUARD_H

#include "internal.h"

typedef struct fill_guard {
  unsigned char *saved; /* the labelled voxels' bytes, every time point, in index order */
  size_t saved_bytes;
  uint64_t outside_sum[2]; /* Fletcher sums of the unlabelled voxels' bytes */
  size_t *skin;            /* the face's skin voxels (first time point) ... */
  double *skin_value;      /* ... and their original values */
  size_t nskin;
  size_t box[2][3]; /* the label's extent: outside it every voxel is unlabelled */
} fill_guard;

/** Takes the guard of `volume` before `label` is filled; `box` is the
 * labelled voxels' extent (face_label_build), `threshold` the real value
 * separating tissue from air (deface_result.tissue_threshold). */
deface_status fill_guard_take(const deface_volume *volume, const deface_volume *label,
                              const size_t box[2][3], double threshold, fill_guard *guard,
                              char *err);

/** The checks of the filled `volume` against its guard: the eyes labelled,
 * nothing outside the label changed, the facial surface changed. */
deface_status fill_guard_check(const deface_volume *volume, const deface_volume *label,
                               const fill_guard *guard, deface_result *result, char *err);

/** Writes the saved voxels back: `volume` is again what the guard saw. A
 * guard never taken (zeroed, or freed after a failed take) restores nothing. */
void fill_guard_restore(deface_volume *volume, const deface_volume *label, const fill_guard *guard);

void fill_guard_free(fill_guard *guard);

#endif

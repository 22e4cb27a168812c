/*
 * facecheck.h - the check that cannot be circular: after the fill, a face is
 * searched for again, from scratch, in what the label leaves untouched.
 */
#ifndef DEFACE_FACECHECK_H
#define DEFACE_FACECHECK_H

#include "deface.h"
#include "eyes.h"
#include "headmask.h"

/** The localisation's analysis grid and head, handed to the face search,
 * and the eye finder's scan of them (the search reuses it away from the
 * label; zeroed, it scans from scratch). */
typedef struct face_search_input {
  work_grid grid;
  head_info head;
  eye_scan_memo memo;
  size_t label_box[2][3]; /* where the label can be non-zero (face_label_build) ... */
  int label_box_known;    /* ... when known; otherwise the label is scanned for it */
} face_search_input;

/**
 * The face search on a localisation's grid and head (both are changed: the
 * labelled voxels become air). Sets result->face_check_*; DEFACE_E_SELFCHECK
 * with the reason when an eye-like pair or a nose is left.
 */
deface_status face_search(face_search_input *in, const deface_volume *label,
                          const deface_options *options, deface_result *result, char *err);

/** The checks of the output itself (grid, eyes labelled, nothing outside the
 * label changed, the facial surface changed), without the face search. */
deface_status self_check_output(const deface_volume *original, const deface_volume *defaced,
                                const deface_volume *label, deface_result *result, char *err);

/**
 * The face search from scratch: resamples the original and finds its head,
 * then face_search(). Runs the eye finder (both polarities) on the original with every labelled
 * voxel turned to air, and measures how far a nose still stands out in front
 * of the cheeks below the eyes in each localiser's frame (from `result`).
 * Sets result->face_check_*; DEFACE_E_SELFCHECK with the reason when an
 * eye-like pair or a nose is left.
 */
deface_status face_check_remaining(const deface_volume *original, const deface_volume *label,
                                   const deface_options *options, deface_result *result, char *err);

#endif

/*
 * facecheck.h - the check that cannot be circular: after the fill, a face is
 * searched for again, from scratch, in what the label leaves untouched.
 */
#ifndef DEFACE_FACECHECK_H
#define DEFACE_FACECHECK_H

#include "deface.h"

/**
 * Runs the eye finder (both polarities) on the original with every labelled
 * voxel turned to air, and measures how far a nose still stands out in front
 * of the cheeks below the eyes in each localiser's frame (from `result`).
 * Sets result->face_check_*; DEFACE_E_SELFCHECK with the reason when an
 * eye-like pair or a nose is left.
 */
deface_status face_check_remaining(const deface_volume *original, const deface_volume *label,
                                   const deface_options *options, deface_result *result,
                                   char *err);

#endif

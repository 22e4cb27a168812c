/*
 * progress.h - the progress schedule of deface_run() in one table: each stage
 * owns a slice of 0..1 and its text, so the fractions a caller sees rise
 * monotonically whatever order the files report in.
 */
#ifndef DEFACE_PROGRESS_H
#define DEFACE_PROGRESS_H

#include "deface.h"

typedef enum progress_stage {
  STAGE_RESAMPLE,    /* the analysis grid */
  STAGE_HEAD,        /* threshold, largest component, closing, depth */
  STAGE_EYES,        /* the eye finder's scan */
  STAGE_REGISTER,    /* the head template, from every start */
  STAGE_REREGISTER,  /* registrations seeded by single eye pairs */
  STAGE_MASK,        /* the label on the input grid */
  STAGE_FACE_SEARCH, /* the face search in what the label leaves */
  STAGE_FILL,        /* every time point */
  STAGE_CHECK,       /* the output's own checks */
  STAGE_DONE
} progress_stage;

/**
 * Reports `within` (0..1) of a stage through the options' callback; non-zero
 * means the caller asked to cancel. NULL options report nothing.
 */
int progress_report(const deface_options *options, progress_stage stage, double within);

#endif

/*
 * register.h - the second localiser: an affine registration (12 degrees of
 * freedom) of the head template onto the analysis grid, coarse to fine
 * (6, 4 and 2 mm), by normalised mutual information of rank-binned
 * intensities plus the overlap of the two heads' masks. It shares no decision
 * with the eye finder; candidate eye pairs may only propose starting points.
 */
#ifndef DEFACE_REGISTER_H
#define DEFACE_REGISTER_H

#include "headmask.h"
#include "progress.h"
#include "template.h"

/** Maximum number of starting transforms register_template() takes. */
#define REGISTER_MAX_STARTS 16

typedef struct registration {
  double to_input[4][4]; /* template RAS mm -> input RAS mm */
  double to_template[4][4];
  double similarity;                  /* nmi + head weight * head_dice, finest level */
  double nmi;                         /* (H(T) + H(I)) / H(T, I): 1 independent, 2 identical */
  double head_dice;                   /* overlap of the template's head and the input's */
  double overlap;                     /* share of the template's samples inside the input's view */
  vec3 right_eye, left_eye, nose_tip; /* the template's landmarks, mapped */
  int start;                          /* which start won */
} registration;

/** An opaque registration context: the input's pyramid and the template's samples. */
typedef struct reg_context reg_context;

deface_status register_context_new(const work_grid *g, const head_info *head,
                                   const head_template *t, reg_context **out, char *err);
void register_context_free(reg_context *ctx);

/**
 * Starting transforms independent of any eye candidate: the template's head
 * centre on the input's, the input head's top and back as the template's,
 * each at several pitches. Writes at most `max` into starts; returns the count.
 */
size_t register_head_starts(const reg_context *ctx, double starts[][4][4], size_t max);

/** A starting transform that puts the template's eyes on a candidate pair. */
void register_eye_start(const reg_context *ctx, vec3 right, vec3 left, double pitch_deg,
                        double start[4][4]);

/**
 * Registers from each start at the coarsest level, refines the best ones and
 * returns the best at the finest level. DEFACE_E_CANCELLED if the progress
 * callback asks to stop.
 */
deface_status register_template(reg_context *ctx, const double starts[][4][4], size_t nstarts,
                                const deface_options *options, progress_stage stage,
                                registration *out, char *err);

#endif

/*
 * eyes.h - finding both eye globes from the image.
 */
#ifndef DEFACE_EYES_H
#define DEFACE_EYES_H

#include "headmask.h"

typedef struct eye_pair {
  vec3 right, left;      /* RAS centres of the vitreous */
  double score;          /* pair score times symmetry */
  double symmetry;       /* correlation of the head with its mirror image about the pair */
  int polarity;          /* +1: vitreous darker than its surround (T1, FLAIR); -1: brighter */
  double vitreous_level; /* mean intensity inside the globes */
} eye_pair;

/** Up to this many candidate pairs are kept, best first. */
#define EYES_MAX_PAIRS 8

typedef struct eye_pairs {
  eye_pair pair[EYES_MAX_PAIRS];
  size_t count;
} eye_pairs;

/** The plausible pairs of eyes, best first (none is not an error). */
deface_status eyes_find_pairs(const work_grid *g, const head_info *head,
                              const deface_options *options, eye_pairs *pairs, char *err);

/**
 * The guided search: the best closed ball of fluid within
 * EYE_GUIDED_RADIUS_MM of each of two expected centres (where the registered
 * template puts the eyes), at a lower score than the free search asks, still
 * a plausible, mirror-symmetric pair. *found = 0 when there is none.
 */
deface_status eyes_find_near(const work_grid *g, const head_info *head, vec3 right, vec3 left,
                             eye_pair *eyes, int *found, char *err);

/** Finds the pair of eyes; DEFACE_E_REFUSED with a reason when none is found. */
deface_status eyes_find(const work_grid *g, const head_info *head, const deface_options *options,
                        eye_pair *eyes, char *err);

#endif

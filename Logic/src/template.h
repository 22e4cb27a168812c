/*
 * template.h - the head template that the second localiser registers onto the
 * input: ch2 (Colin27 T1) at 3 mm with its head, brain and keep-out flags,
 * built by Resources/template/make_template.py and compiled into the core.
 */
#ifndef DEFACE_TEMPLATE_H
#define DEFACE_TEMPLATE_H

#include "deface.h"
#include "geometry.h"

#include <stddef.h>
#include <stdint.h>

/* Flags of the template's second volume (see make_template.py). */
enum {
  TEMPLATE_HEAD = 1,      /* the closed head */
  TEMPLATE_BRAIN = 2,     /* ch2bet > 0 */
  TEMPLATE_KEEP_OUT = 4,  /* within 6 mm of the brain: never labelled */
  TEMPLATE_IN_VIEW = 8,   /* inside ch2's field of view */
  TEMPLATE_NEAR_HEAD = 16 /* within 2 voxels (6 mm) of the head: the registration's samples */
};

/* Landmarks in the template's RAS mm. The eyes are ch2's annotated vitreous
 * centres (Testing/data/annotations.tsv). ch2's nose tip lies outside its
 * field of view (the box cuts the nose 29 mm in front of the eyes), so the
 * tip is an estimate, not a measurement: 48 mm in front of and 40 mm below
 * the eyes' midpoint, from adult anthropometry (the pronasale about 45 mm in
 * front of the globe centres and 35-40 mm below them) in ch2's MNI scale,
 * about 5-10 % larger than a native head. It is reported, never used to
 * place the face region. */
#define TEMPLATE_RIGHT_EYE                                                                         \
  {                                                                                                \
    34.8, 61.4, -37.1                                                                              \
  }
#define TEMPLATE_LEFT_EYE                                                                          \
  {                                                                                                \
    -34.8, 61.7, -37.3                                                                             \
  }
#define TEMPLATE_NOSE_TIP                                                                          \
  {                                                                                                \
    0.0, 109.55, -77.2                                                                             \
  }

/* The pitch that the braincase gives ch2's head frame (frame_fix_pitch on
 * ch2: "pitch_correction_deg" 5.9 in its sidecar), so that the template's face region is the one
 * the anatomy places on ch2. */
#define TEMPLATE_PITCH_DEG 5.9

/** The template, its voxels pointing into the compiled-in file. */
typedef struct head_template {
  size_t n[3];          /* voxels along R, A, S */
  double step;          /* mm */
  vec3 origin;          /* RAS of voxel (0,0,0) */
  const uint8_t *value; /* T1 intensity, 0..255 */
  const uint8_t *flags; /* TEMPLATE_* bits */
  vec3 right_eye, left_eye, nose_tip;
} head_template;

/** Reads the compiled-in template; DEFACE_E_INTERNAL if it is malformed. */
deface_status template_load(head_template *t, char *err);

/** Flags at the template voxel nearest to a template RAS point; 0 outside. */
uint8_t template_flags_at(const head_template *t, vec3 p);

#endif

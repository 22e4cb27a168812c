/*
 * facemask.h - the head frame built from the eyes, and the face region in it.
 */
#ifndef DEFACE_FACEMASK_H
#define DEFACE_FACEMASK_H

#include "eyes.h"
#include "template.h"

/* A right-handed frame centred between the eyes: u to the subject's right,
 * v anterior, w superior; lengths divided by `scale` (head size relative to
 * an adult with 66 mm between the globe centres). */
typedef struct head_frame {
  vec3 origin, u, v, w;
  vec3 right, left; /* eye centres, RAS */
  double scale;
  double eye_radius_mm;
} head_frame;

void frame_from_eyes(const eye_pair *eyes, head_frame *frame);
/** Corrects the frame's pitch (rotation about the eye axis) from the shape
 * of the braincase, the correction in degrees into *correction;
 * DEFACE_E_REFUSED when no pitch within 40 degrees fits. */
deface_status frame_fix_pitch(const work_grid *g, const head_info *head, head_frame *frame,
                              double *correction, char *err);
/** Turns v and w about u by `deg` (positive tips the face down). */
void frame_pitch(head_frame *frame, double deg);
/** Frame coordinates (scaled mm) of a RAS point. */
vec3 frame_coords(const head_frame *f, vec3 ras);
/** RAS point of frame coordinates. */
vec3 frame_point(const head_frame *f, vec3 uvw);

/** 1 if a point (frame coordinates) lies in the face region (label 1). */
int face_region_contains(vec3 uvw);
/** 1 if a point (frame coordinates) lies in the outer-ear region (label 3). */
int ear_region_contains(vec3 uvw);

/* A face region placed in the input: the affine from input RAS to frame
 * coordinates (scaled mm, as face_region_contains takes them) and back. */
typedef struct region_map {
  double to_frame[4][4];
  double to_ras[4][4];
} region_map;

#define FACE_MAX_MAPS 2

/* What the label is built from: the globes (label 2) from the eye finder, the
 * union of the face regions placed by each localiser, and, when the template
 * is registered, its keep-out zone (no label 1 or 3) and brain (no label 2). */
typedef struct face_plan {
  vec3 right, left;
  double eye_radius_mm;
  region_map maps[FACE_MAX_MAPS];
  int nmaps;
  const head_template *tmpl; /* NULL: no keep-out zone */
  double to_template[4][4];  /* input RAS -> template RAS */
} face_plan;

void region_map_from_frame(const head_frame *f, region_map *map);
/** The template's own face region (the head frame of its eyes, with the
 * pitch the braincase gives ch2) carried into the input by a registration. */
void template_region_map(const head_template *t, const double to_input[4][4],
                         const double to_template[4][4], region_map *map);
/** out = a * b (apply b first). */
void affine_compose(const double a[4][4], const double b[4][4], double out[4][4]);

/**
 * Builds the uint8 label on the input grid: 2 inside the eye globes, 1 in the
 * face regions near the head (grid mask `near_head`), 0 elsewhere. `box`
 * receives the labelled voxels' extent, outside which the label is 0 ([0]
 * lowest, [1] highest voxel index, inclusive; [0] above [1] when empty).
 */
deface_status face_label_build(const deface_volume *input, const work_grid *g,
                               const uint8_t *near_head, const face_plan *plan,
                               const deface_options *options, deface_volume **label,
                               deface_result *result, size_t box[2][3], char *err);

/** Nose tip (most anterior midline point below the eyes) and whether the face
 * below the eyes is inside the field of view. */
void face_landmarks(const work_grid *g, const head_info *head, const head_frame *frame,
                    deface_result *result);

#endif

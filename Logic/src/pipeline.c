/*
 * pipeline.c - the public entry points: find the face, then run the whole
 * deface (find, copy, fill, self-check) with progress and cancellation.
 */
#include "facemask.h"
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID_STEP_MM 2.0
#define NEAR_HEAD_MM 4.0     /* the label follows the skin this far into the air */
#define BRAIN_HEIGHT_MM 20.0 /* above the eyes... */
#define BRAIN_DEPTH_MM 12.0  /* ...and this deep below the skin lies cranium */

static void copy_vec(double out[3], vec3 v)
{
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
}

/* Spread of the air's values, which the noise fill imitates: 1.4826 times
 * the median absolute deviation, so that a head holder or a coil lying in the
 * air does not count as noise. */
static deface_status air_spread(const work_grid *g, const uint8_t *near_head, double *spread,
                                char *err)
{
  size_t n = 0, stride = g->count / 100000 + 1;
  float *v = malloc((g->count / stride + 1) * sizeof *v);
  *spread = 0;
  if (!v)
    return deface_fail(err, DEFACE_E_NOMEM, "out of memory for the air statistics");
  for (size_t i = 0; i < g->count; i += stride)
    if (g->inside[i] && !near_head[i])
      v[n++] = g->value[i];
  if (n >= 100) {
    qsort(v, n, sizeof *v, wg_cmp_float);
    float median = v[n / 2];
    for (size_t i = 0; i < n; i++)
      v[i] = fabsf(v[i] - median);
    qsort(v, n, sizeof *v, wg_cmp_float);
    *spread = 1.4826 * v[n / 2];
  }
  free(v);
  return DEFACE_OK;
}

/* A guard against a region that grows into the braincase: no voxel of the
 * region may lie deep below the skin (where the face has no tissue but the
 * braincase has brain) well above the eyes. The region's bounds keep it far
 * from there; this catches a frame or a scale gone wrong. */
static deface_status region_clear_of_cranium(const work_grid *g, const head_info *head,
                                             const head_frame *frame, const uint8_t *near_head,
                                             char *err)
{
  double d2 = BRAIN_DEPTH_MM * BRAIN_DEPTH_MM;
  for (size_t idx = 0; idx < g->count; idx++) {
    if (!near_head[idx] || head->depth_sq[idx] < d2)
      continue;
    vec3 p = frame_coords(frame, wg_ras_of_index(g, idx));
    if (p.z > BRAIN_HEIGHT_MM && face_region_contains(p))
      return deface_fail(err, DEFACE_E_SELFCHECK,
                         "the face region would reach the braincase above the eyes");
  }
  return DEFACE_OK;
}

deface_status deface_find_face(const deface_volume *input, const deface_options *options_in,
                               deface_volume **label, deface_result *result, char *err_in)
{
  char local[DEFACE_ERRLEN] = "";
  char *err = err_in ? err_in : local; /* the reason also goes to result->reason */
  deface_options defaults;
  const deface_options *options = options_in;
  if (!options) {
    deface_options_init(&defaults);
    options = &defaults;
  }
  *label = NULL;
  memset(result, 0, sizeof *result);
  work_grid grid = {0};
  head_info head = {0};
  eye_pair eyes;
  head_frame frame;
  uint8_t *near_head = NULL;
  deface_status st = deface_check_suitable(input, err);
  if (st != DEFACE_OK)
    goto done;
  if ((st = work_grid_build(input, GRID_STEP_MM, options, &grid, err)) != DEFACE_OK)
    goto done;
  if ((st = head_find(&grid, options, &head, err)) != DEFACE_OK)
    goto done;
  result->is_ct = head.is_ct;
  result->air_value = head.is_ct ? -1000.0 : 0.0;
  result->tissue_threshold = head.threshold;
  if ((st = eyes_find(&grid, &head, options, &eyes, err)) != DEFACE_OK)
    goto done;
  frame_from_eyes(&eyes, &frame);
  if ((st = frame_fix_pitch(&grid, &head, &frame, &result->pitch_correction_deg, err)) !=
      DEFACE_OK)
    goto done;
  result->eyes_found = 1;
  copy_vec(result->eye_ras[0], eyes.right);
  copy_vec(result->eye_ras[1], eyes.left);
  result->eye_radius_mm = frame.eye_radius_mm;
  face_landmarks(&grid, &head, &frame, result);

  near_head = malloc(grid.count);
  if (!near_head) {
    st = deface_fail(err, DEFACE_E_NOMEM, "out of memory for the face mask");
    goto done;
  }
  memcpy(near_head, head.mask, grid.count);
  if ((st = wg_dilate(&grid, near_head, NEAR_HEAD_MM, err)) != DEFACE_OK)
    goto done;
  if ((st = air_spread(&grid, near_head, &result->air_noise_sd, err)) != DEFACE_OK)
    goto done;
  if ((st = region_clear_of_cranium(&grid, &head, &frame, near_head, err)) != DEFACE_OK)
    goto done;
  st = face_label_build(input, &grid, near_head, &frame, options, label, result, err);
done:
  if (st != DEFACE_OK)
    snprintf(result->reason, sizeof result->reason, "%s", err);
  free(near_head);
  head_free(&head);
  work_grid_free(&grid);
  return st;
}

deface_status deface_run(const deface_volume *input, const deface_options *options_in,
                         deface_volume **defaced, deface_volume **label, deface_result *result,
                         char *err)
{
  deface_options defaults;
  const deface_options *options = options_in;
  if (!options) {
    deface_options_init(&defaults);
    options = &defaults;
  }
  *defaced = NULL;
  *label = NULL;
  char local[DEFACE_ERRLEN];
  char *msg = err ? err : local;
  memset(result, 0, sizeof *result);
  deface_status st = deface_check_fill_options(options, msg); /* before the work, not after */
  if (st == DEFACE_OK)
    st = deface_find_face(input, options, label, result, msg);
  if (st == DEFACE_OK)
    st = deface_volume_clone(input, defaced, msg);
  if (st == DEFACE_OK)
    st = deface_apply_fill(*defaced, *label, options, result, msg);
  if (st == DEFACE_OK && deface_report(options, 0.96, "checking"))
    st = deface_fail(msg, DEFACE_E_CANCELLED, "cancelled");
  if (st == DEFACE_OK)
    st = deface_self_check(input, *defaced, *label, result, msg);
  if (st == DEFACE_OK) {
    deface_report(options, 1.0, "done");
    result->reason[0] = '\0';
    return DEFACE_OK;
  }
  snprintf(result->reason, sizeof result->reason, "%s", msg);
  deface_volume_free(*defaced);
  deface_volume_free(*label);
  *defaced = NULL;
  *label = NULL;
  return st;
}

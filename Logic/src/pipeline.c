/*
 * pipeline.c - the public entry points: find the face, then run the whole
 * deface (find, copy, fill, self-check) with progress and cancellation.
 */
#include "facecheck.h"
#include "facemask.h"
#include "guard.h"
#include "internal.h"
#include "progress.h"
#include "register.h"

#include <math.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID_STEP_MM 2.0
/* The label follows the skin this far into the air: beyond the voxels the
 * threshold calls skin, so that faint skin (low contrast, falloff, a
 * threshold pushed up by outliers) is still removed. */
#define NEAR_HEAD_MM 8.0
#define BRAIN_HEIGHT_MM 20.0 /* above the eyes... */
#define BRAIN_DEPTH_MM 12.0  /* ...and this deep below the skin lies cranium */
/* The eye finder's pair and the registered template's eyes agree when each
 * eye is within this distance: registration errors on unseen heads stay
 * under about 6 mm, a wrong pair (the maxillary sinuses) lies 25-35 mm off. */
#define AGREE_MM 12.0
#define EYE_STARTS 3 /* the best pairs that also seed the registration */

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
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the air statistics");
  for (size_t i = 0; i < g->count; i += stride)
    if (g->inside[i] && !near_head[i])
      v[n++] = g->value[i];
  if (n >= 100) {
    float median = wg_select(v, n, n / 2);
    for (size_t i = 0; i < n; i++)
      v[i] = fabsf(v[i] - median);
    *spread = 1.4826 * wg_select(v, n, n / 2);
  }
  free(v);
  return DEFACE_OK;
}

/* A guard against a region that grows into the braincase: no voxel of the
 * region may lie deep below the skin (where the face has no tissue but the
 * braincase has brain) well above the eyes. The region's bounds keep it far
 * from there; this catches a frame or a scale gone wrong. */
static deface_status region_clear_of_cranium(const work_grid *g, const head_info *head,
                                             const face_plan *plan, const uint8_t *near_head,
                                             char *err)
{
  double d2 = BRAIN_DEPTH_MM * BRAIN_DEPTH_MM;
  WG_FOR_EACH(g, idx, i, j, k)
  {
    if (!near_head[idx] || head->depth_sq[idx] < d2)
      continue;
    vec3 ras = wg_ras(g, i, j, k);
    if (plan->tmpl &&
        (template_flags_at(plan->tmpl, affine_apply(plan->to_template, ras)) & TEMPLATE_KEEP_OUT))
      continue; /* never labelled */
    for (int m = 0; m < plan->nmaps; m++) {
      vec3 p = affine_apply(plan->maps[m].to_frame, ras);
      if (p.z > BRAIN_HEIGHT_MM && face_region_contains(p))
        return deface__fail(err, DEFACE_E_SELFCHECK,
                            "the face region would reach the braincase above the eyes");
    }
  }
  return DEFACE_OK;
}

/* Both localisers agree when each eye the finder reports lies within
 * AGREE_MM of where the registered template puts it. */
static int localisers_agree(const eye_pair *p, const registration *r, double d[2])
{
  d[0] = v3_norm(v3_sub(p->right, r->right_eye));
  d[1] = v3_norm(v3_sub(p->left, r->left_eye));
  return d[0] <= AGREE_MM && d[1] <= AGREE_MM;
}

/* The second localiser and the agreement rule. The registration starts from
 * the head alone and from the best eye pairs; the finder's best pair that
 * agrees with it wins. Else each of the best pairs gets a registration of its
 * own, and the consistent solution with the best similarity wins. Else the
 * scan is refused: two localisers that share no decision disagree. */
static deface_status localise(const work_grid *g, const head_info *head, reg_context *ctx,
                              eye_pairs *pairs, const deface_options *options, size_t *chosen,
                              registration *reg, double dist[2], char *err)
{
  double starts[REGISTER_MAX_STARTS][4][4];
  size_t n = register_head_starts(ctx, starts, REGISTER_MAX_STARTS);
  for (size_t q = 0; q < pairs->count && q < EYE_STARTS && n < REGISTER_MAX_STARTS; q++)
    register_eye_start(ctx, pairs->pair[q].right, pairs->pair[q].left, 0, starts[n++]);
  deface_status st = register_template(ctx, starts, n, options, STAGE_REGISTER, reg, err);
  if (st != DEFACE_OK)
    return st;
  for (size_t q = 0; q < pairs->count; q++)
    if (localisers_agree(&pairs->pair[q], reg, dist)) {
      *chosen = q;
      return DEFACE_OK;
    }
  registration best = *reg;
  int found = 0;
  double best_dist[2] = {0, 0};
  for (size_t q = 0; q < pairs->count && q < EYE_STARTS; q++) {
    static const double pitches[3] = {0, 20, -20};
    for (int p = 0; p < 3; p++)
      register_eye_start(ctx, pairs->pair[q].right, pairs->pair[q].left, pitches[p], starts[p]);
    registration r;
    if ((st = register_template(ctx, starts, 3, options, STAGE_REREGISTER, &r, err)) != DEFACE_OK)
      return st;
    double d[2];
    if (localisers_agree(&pairs->pair[q], &r, d) && (!found || r.similarity > best.similarity)) {
      best = r;
      *chosen = q;
      memcpy(best_dist, d, sizeof best_dist);
      found = 1;
    }
  }
  if (found) {
    *reg = best;
    memcpy(dist, best_dist, sizeof best_dist);
    return DEFACE_OK;
  }
  /* The template proposes, the eye finder confirms: a globe-like ball of
   * fluid near each of the template's eyes (noise, falloff and low contrast
   * push real globes below the free search's thresholds). */
  eye_pair near;
  if ((st = eyes_find_near(g, head, reg->right_eye, reg->left_eye, &near, &found, err)) !=
      DEFACE_OK)
    return st;
  if (found && localisers_agree(&near, reg, dist)) {
    size_t at = pairs->count < EYES_MAX_PAIRS ? pairs->count++ : EYES_MAX_PAIRS - 1;
    pairs->pair[at] = near;
    *chosen = at;
    return DEFACE_OK;
  }
  if (pairs->count == 0)
    return deface__fail(err, DEFACE_E_REFUSED,
                        "eyes not found: the face is not in the field of view, or this is not a "
                        "head (the head template puts the eyes at %.0f,%.0f,%.0f and "
                        "%.0f,%.0f,%.0f RAS mm)",
                        reg->right_eye.x, reg->right_eye.y, reg->right_eye.z, reg->left_eye.x,
                        reg->left_eye.y, reg->left_eye.z);
  localisers_agree(&pairs->pair[0], reg, dist);
  return deface__fail(err, DEFACE_E_REFUSED,
                      "the two face localisers disagree: the eye finder's eyes "
                      "(%.0f,%.0f,%.0f and %.0f,%.0f,%.0f RAS mm) lie %.0f and %.0f mm from "
                      "where the registered head template puts them; no candidate pair agrees",
                      pairs->pair[0].right.x, pairs->pair[0].right.y, pairs->pair[0].right.z,
                      pairs->pair[0].left.x, pairs->pair[0].left.y, pairs->pair[0].left.z, dist[0],
                      dist[1]);
}

/* The anatomy frame's pitch comes from the braincase; when that cannot be
 * found (a head nodding beyond the braincase search), from the template. */
static deface_status anatomy_frame(const work_grid *g, const head_info *head, const eye_pair *eyes,
                                   const registration *reg, head_frame *frame, double *correction,
                                   char *err)
{
  frame_from_eyes(eyes, frame);
  head_frame trial = *frame;
  deface_status st = frame_fix_pitch(g, head, &trial, correction, err);
  if (st == DEFACE_OK) {
    *frame = trial;
    return DEFACE_OK;
  }
  if (st != DEFACE_E_REFUSED)
    return st;
  /* The template's superior axis, carried into the input, against the frame's. */
  vec3 w_t = v3_unit(v3(reg->to_input[0][2], reg->to_input[1][2], reg->to_input[2][2]));
  vec3 w_in = v3_unit(v3_sub(w_t, v3_scale(frame->u, v3_dot(w_t, frame->u))));
  double deg = atan2(v3_dot(w_in, frame->v), v3_dot(w_in, frame->w)) * 180.0 / DEFACE_PI;
  frame_pitch(frame, deg + TEMPLATE_PITCH_DEG);
  *correction = deg + TEMPLATE_PITCH_DEG;
  return DEFACE_OK;
}

static void copy_registration(const registration *reg, const double dist[2], deface_result *result)
{
  result->template_registered = 1;
  memcpy(result->template_to_input, reg->to_input, sizeof result->template_to_input);
  copy_vec(result->template_eye_ras[0], reg->right_eye);
  copy_vec(result->template_eye_ras[1], reg->left_eye);
  copy_vec(result->template_nose_ras, reg->nose_tip);
  result->template_similarity = reg->similarity;
  result->template_nmi = reg->nmi;
  result->template_head_overlap = reg->head_dice;
  result->localiser_distance_mm[0] = dist[0];
  result->localiser_distance_mm[1] = dist[1];
}

/* The localisation; when `keep` is not NULL the analysis grid and head are
 * handed over to it (the caller frees them), so that the face search after
 * it need not build them again. */
static deface_status locate(const deface_volume *input, const deface_options *options_in,
                            deface_volume **label, deface_result *result, char *err_in,
                            face_search_input *keep)
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
  eye_pairs pairs;
  head_template tmpl;
  reg_context *ctx = NULL;
  registration reg;
  head_frame frame;
  face_plan plan;
  size_t chosen = 0;
  double dist[2];
  uint8_t *near_head = NULL;
  eye_scan_memo memo = {0};
  size_t label_box[2][3];
  deface_status st = deface__check_suitable(input, err);
  if (st != DEFACE_OK)
    goto done;
  vec3 box_lo, box_hi;
  head_levels levels;
  if ((st = head_box(input, &box_lo, &box_hi, &levels, err)) != DEFACE_OK ||
      (st = work_grid_build_box(input, box_lo, box_hi, GRID_STEP_MM, options, &grid, err)) !=
          DEFACE_OK)
    goto done;
  if ((st = head_find(&grid, &levels, options, &head, err)) != DEFACE_OK)
    goto done;
  result->is_ct = head.is_ct;
  result->air_value = head.is_ct ? -1000.0 : 0.0;
  result->tissue_threshold = head.threshold;
  if ((st = eyes_find_pairs(&grid, &head, options, keep ? &memo : NULL, NULL, &pairs, err)) !=
      DEFACE_OK)
    goto done;
  if ((st = template_load(&tmpl, err)) != DEFACE_OK ||
      (st = register_context_new(&grid, &head, &tmpl, &ctx, err)) != DEFACE_OK ||
      (st = localise(&grid, &head, ctx, &pairs, options, &chosen, &reg, dist, err)) != DEFACE_OK)
    goto done;
  copy_registration(&reg, dist, result);
  const eye_pair *eyes = &pairs.pair[chosen];
  if ((st = anatomy_frame(&grid, &head, eyes, &reg, &frame, &result->pitch_correction_deg, err)) !=
      DEFACE_OK)
    goto done;
  result->eyes_found = 1;
  copy_vec(result->eye_ras[0], eyes->right);
  copy_vec(result->eye_ras[1], eyes->left);
  result->eye_radius_mm = frame.eye_radius_mm;
  result->eye_pair_score = eyes->score;
  face_landmarks(&grid, &head, &frame, result);

  memset(&plan, 0, sizeof plan);
  plan.right = frame.right;
  plan.left = frame.left;
  plan.eye_radius_mm = frame.eye_radius_mm;
  region_map_from_frame(&frame, &plan.maps[0]);
  template_region_map(&tmpl, reg.to_input, reg.to_template, &plan.maps[1]);
  plan.nmaps = 2;
  plan.tmpl = &tmpl;
  memcpy(plan.to_template, reg.to_template, sizeof plan.to_template);

  near_head = deface__alloc_large(grid.count, 0);
  if (!near_head) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the face mask");
    goto done;
  }
  memcpy(near_head, head.mask, grid.count);
  if ((st = wg_dilate(&grid, near_head, NEAR_HEAD_MM, err)) != DEFACE_OK)
    goto done;
  if ((st = air_spread(&grid, near_head, &result->air_noise_sd, err)) != DEFACE_OK)
    goto done;
  if ((st = region_clear_of_cranium(&grid, &head, &plan, near_head, err)) != DEFACE_OK)
    goto done;
  st = face_label_build(input, &grid, near_head, &plan, options, label, result, label_box, err);
done:
  if (st != DEFACE_OK)
    snprintf(result->reason, sizeof result->reason, "%s", err);
  free(near_head);
  register_context_free(ctx);
  if (st == DEFACE_OK && keep) {
    keep->grid = grid;
    keep->head = head;
    keep->memo = memo;
    memcpy(keep->label_box, label_box, sizeof label_box);
    keep->label_box_known = 1;
  } else {
    head_free(&head);
    work_grid_free(&grid);
    eye_scan_memo_free(&memo);
  }
  return st;
}

deface_status deface_find_face(const deface_volume *input, const deface_options *options,
                               deface_volume **label, deface_result *result, char *err)
{
  return locate(input, options, label, result, err, NULL);
}

/* Freed buffers are handed back to the system before the next phase
 * allocates: glibc keeps freed heap memory that later, larger blocks cannot
 * reuse, and they would add to it rather than take its place (measured: 3.1
 * instead of 2.6 times the input at the peak). */
static void release_free_memory(void)
{
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

/* Finds the face and searches what the label leaves (both pipelines' first
 * half); the analysis grid is freed before the caller touches the voxels. */
static deface_status find_and_search(const deface_volume *input, const deface_options *options,
                                     deface_volume **label, deface_result *result,
                                     size_t label_box[2][3], char *msg)
{
  deface_status st = deface__check_fill_options(options, msg); /* before the work, not after */
  face_search_input found = {0};
  if (st == DEFACE_OK)
    st = locate(input, options, label, result, msg, &found);
  release_free_memory(); /* what the localisers freed, before the search adds its own */
  /* The face search on the localisation's own grid, freed before the fill
   * so that both never share the peak; the voxel check after the fill
   * proves the output holds exactly this remainder outside the label. */
  if (st == DEFACE_OK)
    st = face_search(&found, *label, options, result, msg);
  memcpy(label_box, found.label_box, sizeof found.label_box);
  head_free(&found.head);
  work_grid_free(&found.grid);
  eye_scan_memo_free(&found.memo);
  release_free_memory();
  return st;
}

static const deface_options *options_or_defaults(const deface_options *given,
                                                 deface_options *defaults)
{
  if (given)
    return given;
  deface_options_init(defaults);
  return defaults;
}

/* The end of a run: "done" reported on success, the reason kept on failure. */
static deface_status run_finished(deface_status st, const deface_options *options,
                                  deface_result *result, const char *msg)
{
  if (st == DEFACE_OK) {
    progress_report(options, STAGE_DONE, 0);
    result->reason[0] = '\0';
  } else {
    snprintf(result->reason, sizeof result->reason, "%s", msg);
  }
  return st;
}

deface_status deface_run(const deface_volume *input, const deface_options *options_in,
                         deface_volume **defaced, deface_volume **label, deface_result *result,
                         char *err)
{
  deface_options defaults;
  const deface_options *options = options_or_defaults(options_in, &defaults);
  *defaced = NULL;
  *label = NULL;
  char local[DEFACE_ERRLEN];
  char *msg = err ? err : local;
  memset(result, 0, sizeof *result);
  size_t label_box[2][3];
  deface_status st = find_and_search(input, options, label, result, label_box, msg);
  if (st == DEFACE_OK)
    st = deface_volume_clone(input, defaced, msg);
  if (st == DEFACE_OK)
    st = deface__apply_fill_in_box(*defaced, *label, (const size_t(*)[3])label_box, options, result,
                                   msg);
  if (st == DEFACE_OK && progress_report(options, STAGE_CHECK, 0))
    st = deface__fail(msg, DEFACE_E_CANCELLED, "cancelled");
  if (st == DEFACE_OK)
    st = self_check_output(input, *defaced, *label, result, msg);
  if (run_finished(st, options, result, msg) == DEFACE_OK)
    return DEFACE_OK;
  deface_volume_free(*defaced);
  deface_volume_free(*label);
  *defaced = NULL;
  *label = NULL;
  return st;
}

deface_status deface_run_in_place(deface_volume *volume, const deface_options *options_in,
                                  deface_volume **label, deface_result *result, char *err)
{
  deface_options defaults;
  const deface_options *options = options_or_defaults(options_in, &defaults);
  *label = NULL;
  char local[DEFACE_ERRLEN];
  char *msg = err ? err : local;
  memset(result, 0, sizeof *result);
  fill_guard guard = {0};
  size_t label_box[2][3];
  deface_status st = find_and_search(volume, options, label, result, label_box, msg);
  if (st == DEFACE_OK)
    st = fill_guard_take(volume, *label, (const size_t(*)[3])label_box, result->tissue_threshold,
                         &guard, msg);
  if (st == DEFACE_OK)
    st = deface__apply_fill_in_box(volume, *label, (const size_t(*)[3])label_box, options, result,
                                   msg);
  if (st == DEFACE_OK && progress_report(options, STAGE_CHECK, 0))
    st = deface__fail(msg, DEFACE_E_CANCELLED, "cancelled");
  if (st == DEFACE_OK)
    st = fill_guard_check(volume, *label, &guard, result, msg);
  if (st != DEFACE_OK) /* a no-op unless the guard was taken: the original back */
    fill_guard_restore(volume, *label, &guard);
  fill_guard_free(&guard);
  if (run_finished(st, options, result, msg) == DEFACE_OK)
    return DEFACE_OK;
  deface_volume_free(*label);
  *label = NULL;
  return st;
}

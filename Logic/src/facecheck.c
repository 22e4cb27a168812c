/*
 * facecheck.c - looking for a face in what the label leaves untouched.
 *
 * The first self-checks ask whether the eyes the localisers found are
 * labelled, which a wrong detection passes. This one asks the question the
 * user cares about: is there still a face? It resamples the original anew,
 * finds the head, turns every labelled voxel to air (what the zero fill
 * leaves; blur and noise fill only inside the label, so the question is the
 * same for them), then
 * - runs the eye finder on it: a pair of closed fluid balls, side by side in
 *   front of the head and mirror-symmetric, scoring like real eyes, is an
 *   eye pair left behind;
 * - measures the nose: in each localiser's head frame, how far the most
 *   anterior remaining tissue near the midline, 15-75 mm below the eyes,
 *   stands out in front of the most anterior tissue 25-50 mm to either side.
 *   A nose stands 15-30 mm in front of the cheeks; a cut face stands flat.
 */
#include "facecheck.h"
#include "eyes.h"
#include "eyes_params.h"
#include "facemask.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID_STEP_MM 2.0
#define NOSE_LEFT_MM 12.0  /* a midline bump this far in front of the cheeks is a nose */
#define NOSE_MIN_FRONT 0.0 /* ...whose tip lies in front of the eye centres' plane */
#define NOSE_HALF_U 12.0
#define CHEEK_IN_U 25.0
#define CHEEK_OUT_U 50.0
#define NOSE_TOP_W -15.0
#define NOSE_BOTTOM_W -75.0
#define BAND_W 4.0 /* frame mm per band of height compared */
/* An eye-like pair left scores at least this share of the localised pair's
 * score: real eyes left whole score as they did (1.0), a globe cut in half
 * about 0.55 (and its nose is left: the nose test). */
#define FACE_EYES_RELATIVE 0.7

/* The label on the analysis grid: 1 where the nearest input voxel is
 * labelled. Only grid points whose RAS lies in the labelled voxels' box (its
 * corners transformed, widened by a voxel) are looked up. */
static deface_status label_on_grid(const work_grid *g, const deface_volume *label,
                                   const face_search_input *in, uint8_t *gone, char *err)
{
  double m[4][4], inv[4][4];
  size_t dims[4], lo[3], hi[3];
  deface_volume_matrix(label, m);
  deface_volume_dims(label, dims);
  if (affine_invert(m, inv))
    return deface__fail(err, DEFACE_E_INPUT, "voxel-to-RAS matrix is singular");
  memset(gone, 0, g->count);
  /* The box the label was built in, when known: scanning the whole label
   * would read every page of it, which costs time and, on Linux, makes even
   * its untouched zero pages count as resident (13 MiB at 256^3). */
  if (in->label_box_known) {
    memcpy(lo, in->label_box[0], sizeof lo);
    memcpy(hi, in->label_box[1], sizeof hi);
    for (int a = 0; a < 3; a++)
      if (lo[a] > hi[a])
        return DEFACE_OK;
  } else if (!deface__label_extent(label, lo, hi)) {
    return DEFACE_OK;
  }
  vec3 blo = v3(INFINITY, INFINITY, INFINITY), bhi = v3(-INFINITY, -INFINITY, -INFINITY);
  for (int corner = 0; corner < 8; corner++) {
    vec3 r = affine_apply(m, v3((corner & 1 ? (double)hi[0] + 1 : (double)lo[0] - 1),
                                (corner & 2 ? (double)hi[1] + 1 : (double)lo[1] - 1),
                                (corner & 4 ? (double)hi[2] + 1 : (double)lo[2] - 1)));
    blo = v3(fmin(blo.x, r.x), fmin(blo.y, r.y), fmin(blo.z, r.z));
    bhi = v3(fmax(bhi.x, r.x), fmax(bhi.y, r.y), fmax(bhi.z, r.z));
  }
  const uint8_t *lab = deface_volume_data_const(label);
  for (size_t k = 0; k < g->n[2]; k++)
    for (size_t j = 0; j < g->n[1]; j++)
      for (size_t i = 0; i < g->n[0]; i++) {
        vec3 r = wg_ras(g, i, j, k);
        if (r.x < blo.x || r.x > bhi.x || r.y < blo.y || r.y > bhi.y || r.z < blo.z || r.z > bhi.z)
          continue;
        vec3 p = affine_apply(inv, r);
        double c[3] = {fast_floor(p.x + 0.5), fast_floor(p.y + 0.5), fast_floor(p.z + 0.5)};
        int inside = 1;
        for (int a = 0; a < 3; a++)
          inside &= c[a] >= 0 && c[a] < (double)dims[a];
        gone[wg_index(g, i, j, k)] =
            inside && lab[(size_t)c[0] + dims[0] * ((size_t)c[1] + dims[1] * (size_t)c[2])];
      }
  return DEFACE_OK;
}

/* How far (frame mm) the most nose-like midline tissue stands out in front of
 * the cheeks at the same height, over the bands below the eyes; 0 if none. */
static double nose_protrusion(const work_grid *g, const uint8_t *mask, const region_map *map)
{
  enum { BANDS = (int)((NOSE_TOP_W - NOSE_BOTTOM_W) / BAND_W) };
  double mid[BANDS], side_r[BANDS], side_l[BANDS];
  for (int b = 0; b < BANDS; b++)
    mid[b] = side_r[b] = side_l[b] = -INFINITY;
  WG_FOR_EACH(g, idx, i, j, k)
  {
    if (!mask[idx])
      continue;
    vec3 f = affine_apply(map->to_frame, wg_ras(g, i, j, k));
    if (f.z > NOSE_TOP_W || f.z <= NOSE_BOTTOM_W)
      continue;
    int b = (int)((NOSE_TOP_W - f.z) / BAND_W);
    if (b < 0 || b >= BANDS)
      continue;
    double au = fabs(f.x);
    if (au < NOSE_HALF_U)
      mid[b] = fmax(mid[b], f.y);
    else if (au >= CHEEK_IN_U && au <= CHEEK_OUT_U)
      (f.x > 0 ? side_r : side_l)[b] = fmax((f.x > 0 ? side_r : side_l)[b], f.y);
  }
  double best = 0;
  for (int b = 0; b < BANDS; b++) {
    if (!isfinite(mid[b]) || mid[b] < NOSE_MIN_FRONT)
      continue;
    /* A side out of view or cut away counts as far behind: a nose is what
     * stands in front of the face, whatever is left beside it. */
    double side =
        fmax(isfinite(side_r[b]) ? side_r[b] : -100, isfinite(side_l[b]) ? side_l[b] : -100);
    best = fmax(best, mid[b] - side);
  }
  return best;
}

deface_status face_check_remaining(const deface_volume *original, const deface_volume *label,
                                   const deface_options *options, deface_result *result, char *err)
{
  face_search_input in = {0};
  vec3 lo, hi;
  head_levels levels;
  deface_status st = head_box(original, &lo, &hi, &levels, err);
  if (st == DEFACE_OK)
    st = work_grid_build_box(original, lo, hi, GRID_STEP_MM, NULL, &in.grid, err);
  if (st == DEFACE_OK)
    st = head_find(&in.grid, &levels, NULL, &in.head, err);
  if (st == DEFACE_E_REFUSED) /* no head at all: nothing the label could have left */
    st = deface__fail(err, DEFACE_E_SELFCHECK, "the face check found no head in the input");
  if (st == DEFACE_OK)
    st = face_search(&in, label, options, result, err);
  head_free(&in.head);
  work_grid_free(&in.grid);
  return st;
}

deface_status face_search(face_search_input *in, const deface_volume *label,
                          const deface_options *options, deface_result *result, char *err)
{
  work_grid *g = &in->grid;
  head_info *head = &in->head;
  uint8_t *gone = NULL, *stale = NULL;
  deface_status st = DEFACE_OK;
  if (progress_report(options, STAGE_FACE_SEARCH, 0)) {
    st = deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    goto done;
  }
  gone = deface__alloc_large(g->count, 0);
  if (!gone) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the face check");
    goto done;
  }
  if ((st = label_on_grid(g, label, in, gone, err)) != DEFACE_OK)
    goto done;
  /* Labelled voxels become air and leave the head; the depth below the skin
   * stays the original's, so that a globe left whole but bared by a cut
   * still lies at a globe's depth, and a cut surface makes no new skin for
   * the brow behind it to lie "at a globe's depth" under. */
  for (size_t idx = 0; idx < g->count; idx++)
    if (gone[idx]) {
      g->value[idx] = (float)head->air_level;
      head->mask[idx] = 0;
    }
  /* Where the localisation's scan was kept, only the centres within the
   * scan's reach of a labelled voxel (plus a voxel) are scored again. */
  if (in->memo.recorded && !in->memo.failed) {
    stale = deface__alloc_large(g->count, 0);
    if (!stale) {
      st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the face check");
      goto done;
    }
    memcpy(stale, gone, g->count);
    if ((st = wg_dilate(g, stale, eyes_scan_reach_mm() + g->step, err)) != DEFACE_OK)
      goto done;
  }
  eye_pairs pairs;
  if ((st = eyes_find_pairs(g, head, NULL, stale ? &in->memo : NULL, stale, &pairs, err)) !=
      DEFACE_OK)
    goto done;
  /* A pair left counts when it scores like real eyes: like the pair the
   * localisers agreed on, or at least the free search's own floor. Lesser
   * pairs are the everyday ones the free search also lists below the eyes
   * (a brow ridge, the frontal sinus: 4-6 on ch2-like heads, against 10-17 for
   * their eyes), which a cut face may expose. */
  double floor_score = fmax(head->is_ct ? EYE_MIN_PAIR_SCORE_CT : EYE_MIN_PAIR_SCORE_MR,
                            FACE_EYES_RELATIVE * result->eye_pair_score);
  size_t left = 0;
  for (size_t q = 0; q < pairs.count; q++)
    left += pairs.pair[q].score >= floor_score;
  result->face_check_done = 1;
  result->face_check_eye_pairs = (int)left;
  result->face_check_eye_score = pairs.count ? pairs.pair[0].score : 0;
  /* The nose, in the anatomy frame and in the template's. */
  region_map maps[FACE_MAX_MAPS];
  int nmaps = 0;
  if (result->eyes_found) {
    eye_pair e;
    memset(&e, 0, sizeof e);
    e.right = v3(result->eye_ras[0][0], result->eye_ras[0][1], result->eye_ras[0][2]);
    e.left = v3(result->eye_ras[1][0], result->eye_ras[1][1], result->eye_ras[1][2]);
    head_frame f;
    frame_from_eyes(&e, &f);
    frame_pitch(&f, result->pitch_correction_deg);
    region_map_from_frame(&f, &maps[nmaps++]);
  }
  if (result->template_registered) {
    head_template t;
    double to_template[4][4];
    if ((st = template_load(&t, err)) != DEFACE_OK)
      goto done;
    if (affine_invert(result->template_to_input, to_template)) {
      st = deface__fail(err, DEFACE_E_SELFCHECK, "the template registration is singular");
      goto done;
    }
    template_region_map(&t, result->template_to_input, to_template, &maps[nmaps++]);
  }
  double nose = 0;
  for (int m = 0; m < nmaps; m++)
    nose = fmax(nose, nose_protrusion(g, head->mask, &maps[m]));
  result->face_check_nose_mm = nose;
  if (left > 0) {
    const eye_pair *p = &pairs.pair[0];
    st =
        deface__fail(err, DEFACE_E_SELFCHECK,
                     "a face is left: an eye-like pair remains outside the removed region at "
                     "%.0f,%.0f,%.0f and %.0f,%.0f,%.0f RAS mm (score %.1f)",
                     p->right.x, p->right.y, p->right.z, p->left.x, p->left.y, p->left.z, p->score);
  } else if (nose > NOSE_LEFT_MM) {
    st = deface__fail(err, DEFACE_E_SELFCHECK,
                      "a face is left: a nose stands %.0f mm in front of the cheeks outside the "
                      "removed region",
                      nose);
  }
done:
  free(gone);
  free(stale);
  return st;
}

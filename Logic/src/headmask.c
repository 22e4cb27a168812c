/*
 * headmask.c - separating the head from the air around it.
 *
 * CT is recognised from its Hounsfield scale (a large share of voxels near
 * -1000). MR uses Otsu's threshold between air and tissue, halved, because
 * Otsu on a head histogram splits dark tissue (CSF, vitreous) from bright
 * tissue rather than air from tissue. The largest component is closed by
 * 6 mm and hole-filled so that sinuses, the mouth and the eyes belong to it.
 */
#include "headmask.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_BINS 512
#define HEAD_BOX_STEP_MM 8.0 /* the coarse look for the head's box */
/* The box's margin around the coarse head: a coarse voxel's reach, plus room
 * for the eye shells (16 mm), the closing (6 mm) and the template's samples
 * in the air around the head (6 mm). */
#define HEAD_BOX_MARGIN_MM 24.0

deface_status grid_percentiles(const work_grid *g, const uint8_t *mask, const double *pct,
                               double *out, int count, char *err)
{
  /* One subsample of at most ~200k values: percentiles need no more, and
   * each is selected, not sorted for. */
  size_t n = 0, stride = g->count / 200000 + 1;
  float *buf = malloc((g->count / stride + 1) * sizeof *buf);
  if (!buf)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for intensity statistics");
  for (size_t i = 0; i < g->count; i += stride)
    if (g->inside[i] && (!mask || mask[i]))
      buf[n++] = g->value[i];
  for (int q = 0; q < count; q++) {
    size_t at = n ? (size_t)(pct[q] / 100.0 * (double)(n - 1) + 0.5) : 0;
    out[q] = n ? wg_select(buf, n, at < n ? at : n - 1) : NAN;
  }
  free(buf);
  return DEFACE_OK;
}

static double otsu(const work_grid *g, double lo, double hi)
{
  double hist[HIST_BINS] = {0};
  double width = (hi - lo) / HIST_BINS;
  if (!(width > 0))
    return lo;
  for (size_t i = 0; i < g->count; i++) {
    if (!g->inside[i])
      continue;
    double b = (g->value[i] - lo) / width;
    int bin = b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : (int)b;
    hist[bin] += 1;
  }
  double total = 0, sum = 0;
  for (int b = 0; b < HIST_BINS; b++) {
    total += hist[b];
    sum += b * hist[b];
  }
  double w0 = 0, sum0 = 0, best = -1;
  int best_bin = 0;
  for (int b = 0; b < HIST_BINS; b++) {
    w0 += hist[b];
    sum0 += b * hist[b];
    double w1 = total - w0;
    if (w0 == 0 || w1 == 0)
      continue;
    double m0 = sum0 / w0, m1 = (sum - sum0) / w1;
    double between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      best_bin = b;
    }
  }
  return lo + (best_bin + 1) * width;
}

deface_status head_threshold(const work_grid *g, head_levels *levels, char *err)
{
  int *is_ct = &levels->is_ct;
  double *threshold = &levels->threshold, *air = &levels->air;
  static const double wanted[4] = {1, 10, 90, 99.5};
  double p[4];
  deface_status st = grid_percentiles(g, NULL, wanted, p, 4, err);
  if (st != DEFACE_OK)
    return st;
  double p01 = p[0], p10 = p[1], p90 = p[2], p995 = p[3];
  if (!isfinite(p01) || !isfinite(p995) || p995 <= p01)
    return deface__fail(err, DEFACE_E_REFUSED, "not a head: the image is flat (no contrast)");
  /* Hounsfield: air outside the head reads about -1000 (often -1024). */
  *is_ct = p01 < -700 && p01 > -1200 && p10 < -500 && p995 > 100;
  if (*is_ct) {
    *threshold = -400; /* halfway between air and fat (-100) */
    *air = -1000;
  } else {
    /* Saturated voxels (the top of the scanner's range, scattered along
     * tissue edges) can own the top half percent: the histogram then ends
     * far above the tissue, which Otsu would leave in its lowest bins. A
     * head's brightest tissue (fat, vessels) stays within 3 x the 90th
     * percentile above air. */
    double top = fmin(p995, p01 + 3 * (p90 - p01));
    *threshold = 0.5 * otsu(g, p01, top > p01 ? top : p995);
    *air = p01;
  }
  return DEFACE_OK;
}

deface_status head_box(const deface_volume *input, vec3 *lo, vec3 *hi, head_levels *levels,
                       char *err)
{
  /* A coarse look at the whole field of view: the head's box, widened by
   * HEAD_BOX_MARGIN_MM, is all the analysis grid needs to cover. */
  work_grid g;
  work_grid_fov(input, lo, hi);
  vec3 fov_lo = *lo, fov_hi = *hi;
  deface_status st = work_grid_build(input, HEAD_BOX_STEP_MM, NULL, &g, err);
  if (st != DEFACE_OK)
    return st;
  uint8_t *mask = deface__alloc_large(g.count, 0);
  if (!mask) {
    work_grid_free(&g);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the head's box");
  }
  st = head_threshold(&g, levels, err);
  size_t kept = 0;
  if (st == DEFACE_OK) {
    for (size_t i = 0; i < g.count; i++)
      mask[i] = g.inside[i] && g.value[i] > levels->threshold;
    st = wg_largest_component(&g, mask, &kept, err);
  }
  if (st == DEFACE_E_REFUSED) { /* flat: head_find says so on the full grid */
    st = DEFACE_OK;
    levels->is_ct = -1; /* not known: head_find measures them */
  }
  if (st == DEFACE_OK && kept > 0) {
    vec3 blo = v3(INFINITY, INFINITY, INFINITY), bhi = v3(-INFINITY, -INFINITY, -INFINITY);
    for (size_t k = 0; k < g.n[2]; k++)
      for (size_t j = 0; j < g.n[1]; j++)
        for (size_t i = 0; i < g.n[0]; i++)
          if (mask[wg_index(&g, i, j, k)]) {
            vec3 p = wg_ras(&g, i, j, k);
            blo = v3(fmin(blo.x, p.x), fmin(blo.y, p.y), fmin(blo.z, p.z));
            bhi = v3(fmax(bhi.x, p.x), fmax(bhi.y, p.y), fmax(bhi.z, p.z));
          }
    double m = HEAD_BOX_MARGIN_MM;
    *lo = v3(fmax(fov_lo.x, blo.x - m), fmax(fov_lo.y, blo.y - m), fmax(fov_lo.z, blo.z - m));
    *hi = v3(fmin(fov_hi.x, bhi.x + m), fmin(fov_hi.y, bhi.y + m), fmin(fov_hi.z, bhi.z + m));
  }
  free(mask);
  work_grid_free(&g);
  return st;
}

void head_free(head_info *head)
{
  if (!head)
    return;
  free(head->mask);
  free(head->depth_sq);
  memset(head, 0, sizeof *head);
}

deface_status head_find(const work_grid *g, const head_levels *levels,
                        const deface_options *options, head_info *head, char *err)
{
  memset(head, 0, sizeof *head);
  deface_status st = DEFACE_OK;
  head_levels own;
  if (!levels || levels->is_ct < 0) {
    if ((st = head_threshold(g, &own, err)) != DEFACE_OK)
      return st;
    levels = &own;
  }
  head->is_ct = levels->is_ct;
  head->threshold = levels->threshold;
  head->air_level = levels->air;
  head->mask = deface__alloc_large(g->count, 0);
  head->depth_sq = deface__alloc_large(g->count * sizeof *head->depth_sq, 0);
  if (!head->mask || !head->depth_sq) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the head mask");
    goto done;
  }
  for (size_t i = 0; i < g->count; i++)
    head->mask[i] = g->inside[i] && g->value[i] > head->threshold;
  size_t kept;
  if ((st = wg_largest_component(g, head->mask, &kept, err)) != DEFACE_OK)
    goto done;
  if (progress_report(options, STAGE_HEAD, 0.5)) {
    st = deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    goto done;
  }
  /* Close (dilate, fill, erode) so that the eyes, nostrils and mouth, which
   * open to the air through thin lids and lips, become part of the head. */
  if ((st = wg_dilate(g, head->mask, 6.0, err)) != DEFACE_OK ||
      (st = wg_fill_holes(g, head->mask, err)) != DEFACE_OK ||
      (st = wg_erode(g, head->mask, 6.0, err)) != DEFACE_OK)
    goto done;
  for (size_t i = 0; i < g->count; i++)
    head->mask[i] &= g->inside[i];
  double voxel_ml = g->step * g->step * g->step / 1000.0;
  size_t n = 0;
  vec3 sum = v3(0, 0, 0);
  WG_FOR_EACH(g, idx, i, j, k)
  {
    if (head->mask[idx]) {
      n++;
      sum = v3_add(sum, wg_ras(g, i, j, k));
    }
  }
  head->volume_ml = (double)n * voxel_ml;
  if (n == 0 || head->volume_ml < 300) {
    st = deface__fail(err, DEFACE_E_REFUSED,
                      "not a head: the largest object is %.0f mL (a head is over 300 mL)",
                      head->volume_ml);
    goto done;
  }
  head->centroid = v3_scale(sum, 1.0 / (double)n);
  static const double median = 50;
  if ((st = grid_percentiles(g, head->mask, &median, &head->tissue_level, 1, err)) != DEFACE_OK)
    goto done;
  /* Depth below the skin: distance to the nearest voxel outside the head. */
  st = wg_depth_sq(g, head->mask, head->depth_sq, err);
done:
  if (st != DEFACE_OK)
    head_free(head);
  return st;
}

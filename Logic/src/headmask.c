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

deface_status grid_percentiles(const work_grid *g, const uint8_t *mask, const double *pct,
                               double *out, int count, char *err)
{
  /* One subsample of at most ~200k values, sorted once: percentiles need no more. */
  size_t n = 0, stride = g->count / 200000 + 1;
  float *buf = malloc((g->count / stride + 1) * sizeof *buf);
  if (!buf)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for intensity statistics");
  for (size_t i = 0; i < g->count; i += stride)
    if (g->inside[i] && (!mask || mask[i]))
      buf[n++] = g->value[i];
  if (n > 0)
    qsort(buf, n, sizeof *buf, wg_cmp_float);
  for (int q = 0; q < count; q++) {
    size_t at = n ? (size_t)(pct[q] / 100.0 * (double)(n - 1) + 0.5) : 0;
    out[q] = n ? buf[at < n ? at : n - 1] : NAN;
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

void head_free(head_info *head)
{
  if (!head)
    return;
  free(head->mask);
  free(head->depth_sq);
  memset(head, 0, sizeof *head);
}

deface_status head_find(const work_grid *g, const deface_options *options, head_info *head,
                        char *err)
{
  memset(head, 0, sizeof *head);
  deface_status st = DEFACE_OK;
  static const double wanted[3] = {1, 10, 99.5};
  double p[3];
  if ((st = grid_percentiles(g, NULL, wanted, p, 3, err)) != DEFACE_OK)
    return st;
  double p01 = p[0], p10 = p[1], p995 = p[2];
  if (!isfinite(p01) || !isfinite(p995) || p995 <= p01) {
    return deface__fail(err, DEFACE_E_REFUSED, "not a head: the image is flat (no contrast)");
  }
  /* Hounsfield: air outside the head reads about -1000 (often -1024). */
  head->is_ct = p01 < -700 && p01 > -1200 && p10 < -500 && p995 > 100;
  if (head->is_ct) {
    head->threshold = -400; /* halfway between air and fat (-100) */
    head->air_level = -1000;
  } else {
    head->threshold = 0.5 * otsu(g, p01, p995);
    head->air_level = p01;
  }
  head->mask = malloc(g->count);
  head->depth_sq = malloc(g->count * sizeof *head->depth_sq);
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
  for (size_t i = 0; i < g->count; i++)
    if (head->mask[i]) {
      n++;
      sum = v3_add(sum, wg_ras_of_index(g, i));
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
  uint8_t *outside = malloc(g->count);
  if (!outside) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the head depth");
    goto done;
  }
  for (size_t i = 0; i < g->count; i++)
    outside[i] = !head->mask[i];
  st = wg_distance_sq(g, outside, head->depth_sq, err);
  free(outside);
done:
  if (st != DEFACE_OK)
    head_free(head);
  return st;
}

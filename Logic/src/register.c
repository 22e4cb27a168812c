/*
 * register.c - the head template registered onto the analysis grid.
 *
 * Why this way: a template registration is what every peer (pydeface,
 * mri_deface, the original XNAT container) relies on, and it fails in other
 * ways than our eye finder does, so the two can check each other. It must
 * work across T1, T2, PD, FLAIR and CT, under coil falloff, noise and
 * saturated voxels, and cost well under a tenth of a second:
 * - intensities are binned by rank (an air bin below the head threshold, then
 *   quantiles of the head's tissue), so no contrast, scaling or bias of the
 *   input is assumed; normalised mutual information then asks only that the
 *   same anatomy falls into consistent bins;
 * - the overlap of the two closed head masks adds the head's shape (forehead,
 *   nose, cheeks), which no contrast changes;
 * - partial-volume interpolation (each sample spreads its 8 trilinear weights
 *   over the joint histogram) keeps the measure smooth for a pattern search;
 * - the template is sampled (fixed points near its head) and the input is
 *   looked up, at 6, 4 and 2 mm pyramids of the analysis grid, with 7, 9 and
 *   12 degrees of freedom; several starts at the coarsest level, the best
 *   three refined at 4 mm, the best one at 2 mm.
 */
#include "register.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BINS 16
#define OUTSIDE 255       /* code of a voxel outside the input's field of view */
#define HEAD_BIT 16       /* in a voxel's code: inside the input's closed head mask */
#define HEAD_WEIGHT 0.5   /* weight of the head masks' overlap against the NMI */
#define MIN_OVERLAP 0.35  /* fewer of the template's samples in view: no match */
#define LEVELS 4          /* 6, 4 and 2 mm on the whole head, then 2 mm on the face */
#define REFINE_AT_4MM 2   /* starts refined at the middle level */
#define FACE_RADIUS_MM 60 /* the last level's samples: this close to the eyes' midpoint */

/* Cap on samples per level (a deterministic stride thins the rest): enough
 * for a stable histogram of 16 x 16 bins, few enough to stay fast. */
static const size_t MAX_SAMPLES[LEVELS] = {1500, 3000, 6000, 4000};
static const int LEVEL_FACTOR[LEVELS] = {3, 2, 1, 1}; /* of the 2 mm grid */
static const int LEVEL_PARAMS[LEVELS] = {7, 9, 12, 12};
static const int LEVEL_MAX_EVALS[LEVELS] = {100, 120, 150, 120};
/* Initial pattern-search steps: mm, degrees, log-scale, shear. */
static const double LEVEL_STEP[LEVELS][4] = {{8.0, 8.0, 0.06, 0.04},
                                             {3.0, 3.0, 0.03, 0.02},
                                             {1.5, 1.5, 0.015, 0.01},
                                             {1.5, 1.5, 0.015, 0.01}};

typedef struct level {
  size_t n[3];
  double step;
  vec3 origin;
  /* Each voxel's rank bin (below HEAD_BIT) with HEAD_BIT set inside the
   * input's closed head mask, or OUTSIDE where it is not in view: one byte
   * per corner for the measure to load. */
  uint8_t *code;
  /* 1 where the cell from this voxel to the next along every axis has all
   * eight corners in view: one byte for the measure to test, not eight. */
  uint8_t *cell_ok;
} level;

typedef struct sample_pt {
  float x, y, z; /* template RAS mm relative to the template's head centre */
  uint8_t bin, head;
} sample_pt;

struct reg_context {
  level lv[LEVELS];
  sample_pt *pts[LEVELS];
  size_t npts[LEVELS];
  vec3 centre;                    /* template head centroid, template RAS */
  vec3 input_centre;              /* input head centroid, input RAS */
  double template_top, input_top; /* highest head point above each centroid */
  head_template t;
};

/* ---- transforms ---- */

static void mat3_mul(const double a[3][3], const double b[3][3], double out[3][3])
{
  double r[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
  memcpy(out, r, sizeof r);
}

/* The affine A0 o D(p), D(p)(x) = c + t + R S H (x - c): p holds translation
 * (mm), rotations about x, y, z (degrees), log-scales and shears. */
static void compose(const double a0[4][4], vec3 c, const double p[12], double out[4][4])
{
  double ax = p[3] * DEFACE_PI / 180, ay = p[4] * DEFACE_PI / 180, az = p[5] * DEFACE_PI / 180;
  double rx[3][3] = {{1, 0, 0}, {0, cos(ax), -sin(ax)}, {0, sin(ax), cos(ax)}};
  double ry[3][3] = {{cos(ay), 0, sin(ay)}, {0, 1, 0}, {-sin(ay), 0, cos(ay)}};
  double rz[3][3] = {{cos(az), -sin(az), 0}, {sin(az), cos(az), 0}, {0, 0, 1}};
  double s[3][3] = {{exp(p[6]), 0, 0}, {0, exp(p[7]), 0}, {0, 0, exp(p[8])}};
  double h[3][3] = {{1, p[9], p[10]}, {0, 1, p[11]}, {0, 0, 1}};
  double l[3][3], a0l[3][3], m[3][3];
  mat3_mul(rz, ry, l);
  mat3_mul(l, rx, l);
  mat3_mul(l, s, l);
  mat3_mul(l, h, l);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      a0l[i][j] = a0[i][j];
  mat3_mul(a0l, l, m);
  double cc[3] = {c.x, c.y, c.z}, inner[3];
  for (int i = 0; i < 3; i++)
    inner[i] = cc[i] + p[i] - (l[i][0] * cc[0] + l[i][1] * cc[1] + l[i][2] * cc[2]);
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++)
      out[i][j] = m[i][j];
    out[i][3] = a0[i][0] * inner[0] + a0[i][1] * inner[1] + a0[i][2] * inner[2] + a0[i][3];
  }
  out[3][0] = out[3][1] = out[3][2] = 0;
  out[3][3] = 1;
}

/* A rotation by `pitch_deg` about RAS x and a scale, with the template point
 * `from` moved onto the input point `to`. */
static void start_transform(double pitch_deg, double scale, vec3 from, vec3 to, double out[4][4])
{
  double a = pitch_deg * DEFACE_PI / 180;
  double r[3][3] = {
      {scale, 0, 0}, {0, scale * cos(a), -scale * sin(a)}, {0, scale * sin(a), scale * cos(a)}};
  double f[3] = {from.x, from.y, from.z}, t[3] = {to.x, to.y, to.z};
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++)
      out[i][j] = r[i][j];
    out[i][3] = t[i] - (r[i][0] * f[0] + r[i][1] * f[1] + r[i][2] * f[2]);
  }
  out[3][0] = out[3][1] = out[3][2] = 0;
  out[3][3] = 1;
}

/* ---- the input's pyramid ---- */

/* Rank bins: 0 at or below the air/tissue threshold, then BINS-1 quantiles of
 * the head's tissue values. */
static uint8_t bin_of(float v, float threshold, const float *edges)
{
  if (!(v > threshold))
    return 0;
  /* The edges are sorted: the bin is one more than the count of edges at or
   * below v, counted without branches (a search mispredicts half its tests). */
  int below = 0;
  for (int b = 0; b < BINS - 2; b++) /* edges[0..BINS-3] */
    below += v >= edges[b];
  return (uint8_t)(1 + below);
}

static deface_status tissue_edges(const float *value, const uint8_t *mask, size_t count,
                                  float threshold, float *edges, char *err)
{
  size_t stride = count / 40000 + 1, n = 0; /* ~40k values fix 14 quantiles */
  float *buf = malloc((count / stride + 1) * sizeof *buf);
  if (!buf)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the template registration");
  for (size_t i = 0; i < count; i += stride)
    if (mask[i] && value[i] > threshold)
      buf[n++] = value[i];
  /* The quantiles selected in rising order, each from what lies above the
   * last one. */
  size_t from = 0;
  for (int b = 0; b < BINS - 2; b++) {
    if (n == 0) {
      edges[b] = threshold;
      continue;
    }
    size_t at = (size_t)((double)(b + 1) / (BINS - 1) * (double)(n - 1));
    if (at >= from) { /* not the same index as the last edge's */
      wg_select(buf + from, n - from, at - from);
      from = at + 1;
    }
    edges[b] = buf[at];
  }
  free(buf);
  return DEFACE_OK;
}

static deface_status level_build(const work_grid *g, const head_info *head, const float *edges,
                                 int factor, level *lv, char *err)
{
  for (int a = 0; a < 3; a++)
    lv->n[a] = g->n[a] / (size_t)factor;
  lv->step = g->step * factor;
  /* The centre of the first block. */
  double half = 0.5 * (factor - 1) * g->step;
  lv->origin = v3(g->origin.x + half, g->origin.y + half, g->origin.z + half);
  size_t count = lv->n[0] * lv->n[1] * lv->n[2];
  lv->code = deface__alloc_large(count, 0);
  lv->cell_ok = deface__alloc_large(count, 0);
  if (!lv->code || !lv->cell_ok)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the template registration");
  size_t f = (size_t)factor, f3 = f * f * f;
  /* At the grid's own step a block is one voxel: its value, in view or not. */
  for (size_t at = 0; f == 1 && at < count; at++)
    lv->code[at] = g->inside[at] ? (uint8_t)(bin_of(g->value[at], (float)head->threshold, edges) |
                                             (head->mask[at] ? HEAD_BIT : 0))
                                 : OUTSIDE;
  for (size_t k = 0; f > 1 && k < lv->n[2]; k++)
    for (size_t j = 0; j < lv->n[1]; j++)
      for (size_t i = 0; i < lv->n[0]; i++) {
        double sum = 0;
        size_t in = 0, hd = 0;
        for (size_t dk = 0; dk < f; dk++)
          for (size_t dj = 0; dj < f; dj++) {
            size_t row = wg_index(g, i * f, j * f + dj, k * f + dk);
            for (size_t di = 0; di < f; di++) {
              size_t at = row + di;
              if (g->inside[at]) {
                sum += g->value[at];
                in++;
              }
              hd += head->mask[at];
            }
          }
        size_t at = i + lv->n[0] * (j + lv->n[1] * k);
        lv->code[at] =
            2 * in > f3
                ? (uint8_t)(bin_of((float)(sum / (double)in), (float)head->threshold, edges) |
                            (2 * hd > f3 ? HEAD_BIT : 0))
                : OUTSIDE;
      }
  /* A cell is in view when its voxel and the next are, along x, then of
   * those along y, then along z: three passes forward, each reading only
   * what it has not yet overwritten. */
  size_t nx = lv->n[0], ny = lv->n[1], nz = lv->n[2], plane = nx * ny;
  uint8_t *ok = lv->cell_ok;
  if (count == 0)
    return DEFACE_OK;
  for (size_t at = 0; at < count; at++)
    ok[at] = lv->code[at] != OUTSIDE;
  for (size_t row = 0; row < ny * nz; row++) {
    uint8_t *r = ok + row * nx;
    for (size_t i = 0; i + 1 < nx; i++)
      r[i] &= r[i + 1];
    r[nx - 1] = 0;
  }
  for (size_t k = 0; k < nz; k++)
    for (size_t j = 0; j < ny; j++) {
      uint8_t *r = ok + nx * (j + ny * k);
      if (j + 1 == ny)
        memset(r, 0, nx);
      else
        for (size_t i = 0; i < nx; i++)
          r[i] &= r[i + nx];
    }
  for (size_t k = 0; k < nz; k++) {
    uint8_t *p = ok + plane * k;
    if (k + 1 == nz)
      memset(p, 0, plane);
    else
      for (size_t i = 0; i < plane; i++)
        p[i] &= p[i + plane];
  }
  return DEFACE_OK;
}

/* ---- the template's samples ---- */

static double template_threshold(const head_template *t, size_t count)
{
  /* Half of Otsu's threshold, as the core's head finder: the T1 air is 0-10. */
  double hist[256] = {0}, total = 0, sum = 0;
  for (size_t i = 0; i < count; i++)
    hist[t->value[i]] += 1;
  for (int b = 0; b < 256; b++) {
    total += hist[b];
    sum += b * hist[b];
  }
  double w0 = 0, s0 = 0, best = -1;
  int best_b = 0;
  for (int b = 0; b < 256; b++) {
    w0 += hist[b];
    s0 += b * hist[b];
    double w1 = total - w0;
    if (w0 == 0 || w1 == 0)
      continue;
    double m0 = s0 / w0, m1 = (sum - s0) / w1, between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      best_b = b;
    }
  }
  return 0.5 * (best_b + 1);
}

static vec3 template_point(const head_template *t, size_t i)
{
  size_t nx = t->n[0], ny = t->n[1];
  return v3(t->origin.x + t->step * (double)(i % nx), t->origin.y + t->step * (double)(i / nx % ny),
            t->origin.z + t->step * (double)(i / (nx * ny)));
}

static deface_status template_samples(reg_context *ctx, char *err)
{
  const head_template *t = &ctx->t;
  size_t nx = t->n[0], ny = t->n[1], nz = t->n[2], count = nx * ny * nz;
  deface_status st = DEFACE_OK;
  float *value = malloc(count * sizeof *value);
  uint8_t *head = malloc(count), *near = malloc(count);
  if (!value || !head || !near) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the template registration");
    goto done;
  }
  vec3 sum = v3(0, 0, 0);
  size_t nhead = 0;
  double top = -INFINITY;
  for (size_t i = 0; i < count; i++) {
    value[i] = t->value[i];
    head[i] = (t->flags[i] & TEMPLATE_HEAD) != 0;
    if (head[i]) {
      vec3 p = template_point(t, i);
      sum = v3_add(sum, p);
      nhead++;
      top = fmax(top, p.z);
    }
  }
  if (nhead == 0) {
    st = deface__fail(err, DEFACE_E_INTERNAL, "the compiled-in head template has no head");
    goto done;
  }
  ctx->centre = v3_scale(sum, 1.0 / (double)nhead);
  ctx->template_top = top - ctx->centre.z;
  for (size_t i = 0; i < count; i++)
    near[i] = (t->flags[i] & TEMPLATE_NEAR_HEAD) != 0; /* the head and 6 mm of air around it */
  float threshold = (float)template_threshold(t, count), edges[BINS - 2];
  if ((st = tissue_edges(value, head, count, threshold, edges, err)) != DEFACE_OK)
    goto done;
  vec3 eyes = v3_scale(v3_add(t->right_eye, t->left_eye), 0.5);
  for (int l = 0; l < LEVELS; l++) {
    int local = l == LEVELS - 1;
    size_t candidates = 0;
    for (size_t i = 0; i < count; i++)
      candidates += near[i] && (t->flags[i] & TEMPLATE_IN_VIEW) &&
                    (!local || v3_norm(v3_sub(template_point(t, i), eyes)) <= FACE_RADIUS_MM);
    /* A regular lattice of step 3, 2 or 1 template voxels, thinned to the cap. */
    size_t lattice = (size_t)(LEVEL_FACTOR[l] * LEVEL_FACTOR[l] * LEVEL_FACTOR[l]);
    size_t wanted = candidates / lattice + 1;
    size_t thin = wanted / MAX_SAMPLES[l] + 1;
    ctx->pts[l] = malloc((wanted / thin + 2) * sizeof *ctx->pts[l]);
    if (!ctx->pts[l]) {
      st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the template registration");
      goto done;
    }
    size_t seen = 0, n = 0;
    size_t f = (size_t)LEVEL_FACTOR[l];
    for (size_t k = 0; k < nz; k += f)
      for (size_t j = 0; j < ny; j += f)
        for (size_t i = 0; i < nx; i += f) {
          size_t at = i + nx * (j + ny * k);
          if (!near[at] || !(t->flags[at] & TEMPLATE_IN_VIEW) ||
              (local && v3_norm(v3_sub(template_point(t, at), eyes)) > FACE_RADIUS_MM) ||
              seen++ % thin)
            continue;
          if (n >= wanted / thin + 2)
            continue;
          sample_pt *s = &ctx->pts[l][n++];
          s->x = (float)(t->origin.x + t->step * (double)i - ctx->centre.x);
          s->y = (float)(t->origin.y + t->step * (double)j - ctx->centre.y);
          s->z = (float)(t->origin.z + t->step * (double)k - ctx->centre.z);
          s->bin = bin_of(value[at], threshold, edges);
          s->head = head[at];
        }
    ctx->npts[l] = n;
  }
done:
  free(value);
  free(head);
  free(near);
  return st;
}

void register_context_free(reg_context *ctx)
{
  if (!ctx)
    return;
  for (int l = 0; l < LEVELS; l++) {
    if (l == 0 || ctx->lv[l].code != ctx->lv[l - 1].code) {
      free(ctx->lv[l].code);
      free(ctx->lv[l].cell_ok);
    }
    free(ctx->pts[l]);
  }
  free(ctx);
}

deface_status register_context_new(const work_grid *g, const head_info *head,
                                   const head_template *t, reg_context **out, char *err)
{
  *out = NULL;
  reg_context *ctx = calloc(1, sizeof *ctx);
  if (!ctx)
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the template registration");
  ctx->t = *t;
  ctx->input_centre = head->centroid;
  float edges[BINS - 2];
  deface_status st =
      tissue_edges(g->value, head->mask, g->count, (float)head->threshold, edges, err);
  for (int l = 0; l < LEVELS && st == DEFACE_OK; l++) {
    if (l > 0 && LEVEL_FACTOR[l] == LEVEL_FACTOR[l - 1])
      ctx->lv[l] = ctx->lv[l - 1]; /* the face level: the same grid, shared (freed once) */
    else
      st = level_build(g, head, edges, LEVEL_FACTOR[l], &ctx->lv[l], err);
  }
  if (st == DEFACE_OK)
    st = template_samples(ctx, err);
  if (st == DEFACE_OK) {
    /* The input head's highest point near its centre's vertical line. */
    double top = -INFINITY;
    for (size_t k = 0; k < g->n[2]; k++)
      for (size_t j = 0; j < g->n[1]; j++)
        for (size_t i = 0; i < g->n[0]; i++) {
          if (!head->mask[wg_index(g, i, j, k)])
            continue;
          vec3 p = wg_ras(g, i, j, k);
          if (fabs(p.x - head->centroid.x) < 20 && fabs(p.y - head->centroid.y) < 20)
            top = fmax(top, p.z);
        }
    ctx->input_top = isfinite(top) ? top - head->centroid.z : ctx->template_top;
  }
  if (st != DEFACE_OK) {
    register_context_free(ctx);
    return st;
  }
  *out = ctx;
  return DEFACE_OK;
}

/* ---- the measure ---- */

typedef struct measure {
  double similarity, nmi, dice, overlap;
} measure;

static measure evaluate(const reg_context *ctx, int l, const double a[4][4])
{
  const level *lv = &ctx->lv[l];
  float hist[BINS][BINS];
  memset(hist, 0, sizeof hist);
  double inv = 1.0 / lv->step;
  /* Voxel coordinates of the level directly from template offsets. */
  double m[3][3], b[3];
  vec3 c = ctx->centre;
  double o[3] = {lv->origin.x, lv->origin.y, lv->origin.z};
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++)
      m[i][j] = a[i][j] * inv;
    b[i] = (a[i][0] * c.x + a[i][1] * c.y + a[i][2] * c.z + a[i][3] - o[i]) * inv;
  }
  long nx = (long)lv->n[0], ny = (long)lv->n[1], nz = (long)lv->n[2];
  size_t sx = 1, sy = lv->n[0], sz = lv->n[0] * lv->n[1];
  double head_both = 0, head_t = 0, head_i = 0, used = 0;
  const sample_pt *pts = ctx->pts[l];
  size_t npts = ctx->npts[l];
  for (size_t s = 0; s < npts; s++) {
    const sample_pt *p = &pts[s];
    double fx = m[0][0] * p->x + m[0][1] * p->y + m[0][2] * p->z + b[0];
    double fy = m[1][0] * p->x + m[1][1] * p->y + m[1][2] * p->z + b[1];
    double fz = m[2][0] * p->x + m[2][1] * p->y + m[2][2] * p->z + b[2];
    double flx = fast_floor(fx), fly = fast_floor(fy), flz = fast_floor(fz);
    long ix = (long)flx, iy = (long)fly, iz = (long)flz;
    if (ix < 0 || iy < 0 || iz < 0 || ix + 1 >= nx || iy + 1 >= ny || iz + 1 >= nz)
      continue;
    size_t at = (size_t)ix * sx + (size_t)iy * sy + (size_t)iz * sz;
    if (!lv->cell_ok[at])
      continue;
    size_t corner[8] = {at,      at + sx,      at + sy,      at + sx + sy,
                        at + sz, at + sx + sz, at + sy + sz, at + sx + sy + sz};
    float wx = (float)(fx - flx), wy = (float)(fy - fly), wz = (float)(fz - flz);
    float w[8] = {(1 - wx) * (1 - wy) * (1 - wz),
                  wx * (1 - wy) * (1 - wz),
                  (1 - wx) * wy * (1 - wz),
                  wx * wy * (1 - wz),
                  (1 - wx) * (1 - wy) * wz,
                  wx * (1 - wy) * wz,
                  (1 - wx) * wy * wz,
                  wx * wy * wz};
    float *row = hist[p->bin];
    float hw = 0;
    for (int q = 0; q < 8; q++) {
      uint8_t code = lv->code[corner[q]];
      row[code & (HEAD_BIT - 1)] += w[q];
      hw += w[q] * (float)((code & HEAD_BIT) != 0);
    }
    head_both += p->head * hw;
    head_t += p->head;
    head_i += hw;
    used += 1;
  }
  measure r = {0, 0, 0, npts ? used / (double)npts : 0};
  if (used < 50 || r.overlap < MIN_OVERLAP)
    return r;
  double pt[BINS] = {0}, pi[BINS] = {0}, hj = 0;
  for (int i = 0; i < BINS; i++)
    for (int j = 0; j < BINS; j++) {
      double p = hist[i][j] / used;
      pt[i] += p;
      pi[j] += p;
      if (p > 0)
        hj -= p * log(p);
    }
  double ht = 0, hi = 0;
  for (int i = 0; i < BINS; i++) {
    if (pt[i] > 0)
      ht -= pt[i] * log(pt[i]);
    if (pi[i] > 0)
      hi -= pi[i] * log(pi[i]);
  }
  r.nmi = hj > 0 ? (ht + hi) / hj : 1;
  r.dice = head_t + head_i > 0 ? 2 * head_both / (head_t + head_i) : 0;
  r.similarity = r.nmi + HEAD_WEIGHT * r.dice;
  return r;
}

/* ---- the search ---- */

typedef struct trial {
  double p[12];
  double a0[4][4];
  measure m;
} trial;

static measure measure_params(const reg_context *ctx, int l, const double a0[4][4],
                              const double p[12])
{
  double a[4][4], q[12];
  memcpy(q, p, sizeof q);
  if (LEVEL_PARAMS[l] == 7)
    q[7] = q[8] = q[6]; /* one scale */
  compose(a0, ctx->centre, q, a);
  return evaluate(ctx, l, a);
}

/* The points one pattern search has measured: after a step that improved,
 * the next sweep tries the point it came from again (a step back), whose
 * measure is known. Looked up by the exact parameters; the search still
 * counts such a try against its budget, so its path is what it would be
 * without the cache. */
#define EVAL_CACHE 32
typedef struct eval_cache {
  double p[EVAL_CACHE][12];
  measure m[EVAL_CACHE];
  int count, next;
} eval_cache;

static measure cached_measure(const reg_context *ctx, int l, const double a0[4][4],
                              const double p[12], eval_cache *cache)
{
  for (int c = 0; c < cache->count; c++)
    if (memcmp(cache->p[c], p, sizeof cache->p[c]) == 0)
      return cache->m[c];
  measure m = measure_params(ctx, l, a0, p);
  memcpy(cache->p[cache->next], p, sizeof cache->p[cache->next]);
  cache->m[cache->next] = m;
  cache->next = (cache->next + 1) % EVAL_CACHE;
  if (cache->count < EVAL_CACHE)
    cache->count++;
  return m;
}

/* A pattern search: each active parameter tried a step either way, a better
 * value kept at once; steps halved after a sweep that found nothing. */
static void optimise(const reg_context *ctx, int l, trial *tr)
{
  eval_cache cache = {.count = 0};
  int np = LEVEL_PARAMS[l];
  int active[12], na = 0;
  for (int i = 0; i < 12; i++)
    if (np == 12 || (np == 9 && i < 9) || (np == 7 && i < 7))
      active[na++] = i;
  double step[12];
  for (int i = 0; i < 12; i++)
    step[i] = LEVEL_STEP[l][i < 3 ? 0 : i < 6 ? 1 : i < 9 ? 2 : 3];
  tr->m = cached_measure(ctx, l, tr->a0, tr->p, &cache);
  int evals = 1;
  for (int halvings = 0; halvings < 4 && evals < LEVEL_MAX_EVALS[l];) {
    int improved = 0;
    for (int q = 0; q < na && evals < LEVEL_MAX_EVALS[l]; q++) {
      int i = active[q];
      for (int dir = -1; dir <= 1; dir += 2) {
        double saved = tr->p[i];
        tr->p[i] = saved + dir * step[i];
        measure m = cached_measure(ctx, l, tr->a0, tr->p, &cache);
        evals++;
        if (m.similarity > tr->m.similarity + 1e-6) {
          tr->m = m;
          improved = 1;
          break;
        }
        tr->p[i] = saved;
      }
    }
    if (!improved) {
      for (int i = 0; i < 12; i++)
        step[i] *= 0.5;
      halvings++;
    }
  }
  if (LEVEL_PARAMS[l] == 7)
    tr->p[7] = tr->p[8] = tr->p[6];
}

size_t register_head_starts(const reg_context *ctx, double starts[][4][4], size_t max)
{
  /* Two anchors that need no eyes: the heads' centroids, and their tops
   * (which a neck or a cut chin moves less); at 0 and +-20 degrees of pitch. */
  static const double pitches[3] = {0, 20, -20};
  vec3 top_in = v3_add(ctx->input_centre, v3(0, 0, ctx->input_top - ctx->template_top));
  vec3 anchors[2] = {ctx->input_centre, top_in};
  size_t n = 0;
  for (int a = 0; a < 2; a++)
    for (int p = 0; p < 3 && n < max; p++)
      start_transform(pitches[p], 1.0, ctx->centre, anchors[a], starts[n++]);
  return n;
}

void register_eye_start(const reg_context *ctx, vec3 right, vec3 left, double pitch_deg,
                        double start[4][4])
{
  /* Template eyes onto the pair: scale by their distance, roll and yaw from
   * their axis, the header's anterior for the rest, then a pitch about the
   * eyes' midpoint. */
  vec3 tm = v3_scale(v3_add(ctx->t.right_eye, ctx->t.left_eye), 0.5);
  vec3 im = v3_scale(v3_add(right, left), 0.5);
  double scale = v3_norm(v3_sub(right, left)) / v3_norm(v3_sub(ctx->t.right_eye, ctx->t.left_eye));
  if (!(scale > 0.7 && scale < 1.4))
    scale = 1;
  vec3 u_t = v3_unit(v3_sub(ctx->t.right_eye, ctx->t.left_eye));
  vec3 u_i = v3_unit(v3_sub(right, left));
  vec3 a = v3(0, 1, 0);
  vec3 v_t = v3_unit(v3_sub(a, v3_scale(u_t, v3_dot(a, u_t))));
  vec3 v_i = v3_unit(v3_sub(a, v3_scale(u_i, v3_dot(a, u_i))));
  double pr = pitch_deg * DEFACE_PI / 180;
  vec3 w_i = v3_cross(u_i, v_i);
  vec3 v_p = v3_add(v3_scale(v_i, cos(pr)), v3_scale(w_i, -sin(pr)));
  vec3 w_p = v3_add(v3_scale(v_i, sin(pr)), v3_scale(w_i, cos(pr)));
  vec3 w_t = v3_cross(u_t, v_t);
  /* R maps the template frame (u_t, v_t, w_t) onto (u_i, v_p, w_p): the sum
   * over the three axes of to_k times from_k transposed, scaled. */
  vec3 from[3] = {u_t, v_t, w_t}, to[3] = {u_i, v_p, w_p};
  double r[3][3] = {{0}};
  for (int k = 0; k < 3; k++) {
    double tk[3] = {to[k].x, to[k].y, to[k].z}, fk[3] = {from[k].x, from[k].y, from[k].z};
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++)
        r[i][j] += scale * tk[i] * fk[j];
  }
  double f[3] = {tm.x, tm.y, tm.z}, t[3] = {im.x, im.y, im.z};
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++)
      start[i][j] = r[i][j];
    start[i][3] = t[i] - (r[i][0] * f[0] + r[i][1] * f[1] + r[i][2] * f[2]);
  }
  start[3][0] = start[3][1] = start[3][2] = 0;
  start[3][3] = 1;
}

deface_status register_template(reg_context *ctx, const double starts[][4][4], size_t nstarts,
                                const deface_options *options, progress_stage stage,
                                registration *out, char *err)
{
  memset(out, 0, sizeof *out);
  if (nstarts == 0 || nstarts > REGISTER_MAX_STARTS)
    return deface__fail(err, DEFACE_E_INTERNAL, "registration needs 1 to %d starts",
                        REGISTER_MAX_STARTS);
  trial tr[REGISTER_MAX_STARTS];
  size_t steps = nstarts + REFINE_AT_4MM + 2, done = 0;
  for (size_t s = 0; s < nstarts; s++) {
    if (progress_report(options, stage, (double)done++ / (double)steps))
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    memset(tr[s].p, 0, sizeof tr[s].p);
    memcpy(tr[s].a0, starts[s], sizeof tr[s].a0);
    optimise(ctx, 0, &tr[s]);
  }
  int index[REGISTER_MAX_STARTS];
  for (size_t s = 0; s < nstarts; s++)
    index[s] = (int)s;
  /* Sort by similarity, carrying the start's index along. */
  for (size_t a = 1; a < nstarts; a++)
    for (size_t b = a; b > 0 && tr[b].m.similarity > tr[b - 1].m.similarity; b--) {
      trial t = tr[b];
      tr[b] = tr[b - 1];
      tr[b - 1] = t;
      int i = index[b];
      index[b] = index[b - 1];
      index[b - 1] = i;
    }
  size_t refine = nstarts < REFINE_AT_4MM ? nstarts : REFINE_AT_4MM;
  for (size_t s = 0; s < refine; s++) {
    if (progress_report(options, stage, (double)done++ / (double)steps))
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    optimise(ctx, 1, &tr[s]);
  }
  size_t best = 0;
  for (size_t s = 1; s < refine; s++)
    if (tr[s].m.similarity > tr[best].m.similarity)
      best = s;
  if (progress_report(options, stage, (double)done / (double)steps))
    return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
  optimise(ctx, 2, &tr[best]);
  optimise(ctx, 3, &tr[best]);
  compose(tr[best].a0, ctx->centre, tr[best].p, out->to_input);
  if (affine_invert(out->to_input, out->to_template))
    return deface__fail(err, DEFACE_E_REFUSED, "the head template registration degenerated");
  out->similarity = tr[best].m.similarity;
  out->nmi = tr[best].m.nmi;
  out->head_dice = tr[best].m.dice;
  out->overlap = tr[best].m.overlap;
  out->start = index[best];
  out->right_eye = affine_apply(out->to_input, ctx->t.right_eye);
  out->left_eye = affine_apply(out->to_input, ctx->t.left_eye);
  out->nose_tip = affine_apply(out->to_input, ctx->t.nose_tip);
  return DEFACE_OK;
}

/*
 * eyes.c - the eye globes as spheres of homogeneous fluid inside a shell of
 * other tissue (fat, muscle, bone).
 *
 * The vitreous is a ~11 mm radius ball of water: dark on T1 and FLAIR,
 * bright on T2 and PD, near 0-20 HU on CT. Every head voxel at a plausible
 * depth below the skin is scored by how far the mean of a 7 mm ball differs
 * from the mean of a 12-16 mm shell around it, relative to the ball's own
 * spread. Both polarities are scored; the best pair of the same polarity that
 * is the right distance apart, side by side (left-right), in front of the head
 * centre and at a similar depth below the skin is taken as the eyes.
 */
#include "eyes.h"
#include "eyes_params.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct offsets {
  long *d;
  size_t n;
} offsets;

typedef struct pair_choice pair_choice;

typedef struct candidate {
  vec3 ras;
  double score, inner_mean, inner_sd, depth;
  int polarity;
  double leak; /* see globe_leak() */
} candidate;

/* What score_centre() found at a centre; the rest of a candidate (its RAS
 * and depth) follows from the centre's index, as the scan computes it. */
struct eye_scan_entry {
  size_t idx;
  double score, inner_mean, inner_sd;
  int polarity;
};

void eye_scan_memo_free(eye_scan_memo *memo)
{
  free(memo->entry);
  memset(memo, 0, sizeof *memo);
}

double eyes_scan_reach_mm(void)
{
  return EYE_SHELL_OUT_MM;
}

static void memo_add(eye_scan_memo *memo, size_t idx, const candidate *c)
{
  if (memo->failed)
    return;
  if (memo->count == memo->cap) {
    size_t cap = memo->cap ? 2 * memo->cap : 4096;
    struct eye_scan_entry *grown = realloc(memo->entry, cap * sizeof *grown);
    if (!grown) {
      memo->failed = 1;
      return;
    }
    memo->entry = grown;
    memo->cap = cap;
  }
  struct eye_scan_entry *e = &memo->entry[memo->count++];
  e->idx = idx;
  e->score = c->score;
  e->inner_mean = c->inner_mean;
  e->inner_sd = c->inner_sd;
  e->polarity = c->polarity;
}

struct pair_choice {
  const candidate *a, *b;
  double score, symmetry;
};

/* Grid offsets of the voxels whose distance from the centre is in [r0, r1]
 * mm; `every` keeps one in so many, to bound the cost of the shell. */
static int make_offsets(const work_grid *g, double r0, double r1, int every, offsets *o)
{
  int r = (int)ceil(r1 / g->step);
  size_t cap = (size_t)(2 * r + 1) * (size_t)(2 * r + 1) * (size_t)(2 * r + 1);
  o->d = malloc(cap * sizeof *o->d);
  o->n = 0;
  if (!o->d)
    return -1;
  long sx = 1, sy = (long)g->n[0], sz = (long)(g->n[0] * g->n[1]);
  int count = 0;
  for (int k = -r; k <= r; k++)
    for (int j = -r; j <= r; j++)
      for (int i = -r; i <= r; i++) {
        double d = g->step * sqrt((double)(i * i + j * j + k * k));
        if (d < r0 || d > r1)
          continue;
        if (count++ % every == 0)
          o->d[o->n++] = i * sx + j * sy + k * sz;
      }
  return 0;
}

/* Scores a centre; returns 0 if the ball is not fully inside the head. */
static int score_centre(const work_grid *g, const head_info *head, const offsets *inner,
                        const offsets *shell, size_t idx, double range, candidate *c)
{
  double s = 0, s2 = 0, air_cut = head->air_level + EYE_AIR_CUT * range;
  size_t airy = 0;
  for (size_t q = 0; q < inner->n; q++) {
    size_t at = (size_t)((long)idx + inner->d[q]);
    if (!head->mask[at])
      return 0;
    double v = g->value[at];
    s += v;
    s2 += v * v;
    airy += v < air_cut;
  }
  double mi = s / (double)inner->n;
  double sd = sqrt(fmax(0, s2 / (double)inner->n - mi * mi));
  /* The vitreous is fluid, never air: on CT it is water (about 0-20 HU); on
   * MR hardly any of the ball may be as dark as air, which is what tells a
   * maxillary sinus (air behind mucosa) from a globe. */
  if (head->is_ct ? (mi < EYE_CT_FLUID_LO_HU || mi > EYE_CT_FLUID_HI_HU)
                  : (double)airy > EYE_MAX_AIR_SHARE * (double)inner->n)
    return 0;
  double t = 0, dev = 0, fat = 0;
  size_t nt = 0;
  for (size_t q = 0; q < shell->n; q++) {
    size_t at = (size_t)((long)idx + shell->d[q]);
    if (g->inside[at]) {
      double v = g->value[at];
      t += v;
      dev += fabs(v - mi);
      fat += v > EYE_CT_FAT_LO_HU && v < EYE_CT_FAT_HI_HU;
      nt++;
    }
  }
  if ((double)nt < EYE_MIN_SHELL_SHARE * (double)shell->n)
    return 0;
  double ms = t / (double)nt;
  /* How unlike the ball its surround is: on MR the mean distance of the
   * shell's values from the ball's, since the orbit mixes brighter fat with
   * darker muscle and bone (on PD the vitreous sits between them and the
   * means alone barely differ). On CT the shell's bone and sinus air would
   * swamp that; what marks an eye there is water wrapped in fat: the share of
   * fat in the shell, on a 0-100 HU scale. */
  double contrast = head->is_ct ? EYE_CT_RANGE_HU * fat / (double)nt : dev / (double)nt;
  c->inner_mean = mi;
  c->inner_sd = sd;
  c->polarity = head->is_ct ? -1 : ms >= mi ? 1 : -1;
  c->score = contrast / (sd + EYE_SD_FLOOR * range);
  return 1;
}

/* 1 if the nearest skin lies within 60 degrees of anterior (the header's A,
 * which holds for heads tilted in the coil by the usual 20-30 degrees). */
static int faces_forward(const work_grid *g, const head_info *head, size_t i, size_t j, size_t k)
{
  const float *d = head->depth_sq;
  size_t x = 1, y = g->n[0], z = g->n[0] * g->n[1], idx = wg_index(g, i, j, k);
  vec3 inward = v3(sqrt(d[idx + x]) - sqrt(d[idx - x]), sqrt(d[idx + y]) - sqrt(d[idx - y]),
                   sqrt(d[idx + z]) - sqrt(d[idx - z]));
  vec3 out = v3_unit(v3_scale(inward, -1));
  return out.y >= EYE_FACING_MIN_Y;
}

/* Whether two centres lie closer than the spacing: v3_norm(d) < spacing,
 * with the square root taken only in the hair-thin band where the squared
 * distance alone cannot tell (the scan asks this ~3 million times). */
static int closer_than_spacing(vec3 a, vec3 b)
{
  const double s2 = EYE_CANDIDATE_SPACING_MM * EYE_CANDIDATE_SPACING_MM;
  vec3 d = v3_sub(a, b);
  double d2 = v3_dot(d, d);
  if (d2 < s2 * (1 - 1e-9))
    return 1;
  if (d2 > s2 * (1 + 1e-9))
    return 0;
  return v3_norm(d) < EYE_CANDIDATE_SPACING_MM;
}

/* Keeps the best EYE_MAX_CANDIDATES, at least EYE_CANDIDATE_SPACING_MM apart. */
static void keep_candidate(candidate *list, size_t *n, const candidate *c)
{
  for (size_t q = 0; q < *n; q++) {
    if (closer_than_spacing(list[q].ras, c->ras)) {
      if (c->score > list[q].score)
        list[q] = *c;
      return;
    }
  }
  if (*n < EYE_MAX_CANDIDATES) {
    list[(*n)++] = *c;
    return;
  }
  size_t worst = 0;
  for (size_t q = 1; q < *n; q++)
    if (list[q].score < list[worst].score)
      worst = q;
  if (c->score > list[worst].score)
    list[worst] = *c;
}

/* Scores every head voxel at a globe's depth below forward-facing skin (or,
 * with `near`, only those within `radius` of it) and keeps the best
 * candidates in list. */
static deface_status scan(const work_grid *g, const head_info *head, const offsets *inner,
                          const offsets *shell, double range, const vec3 *near, double radius,
                          const deface_options *options, eye_scan_memo *memo, const uint8_t *stale,
                          candidate *list, size_t *count, char *err)
{
  int record = memo && !stale, replay = memo && stale && memo->recorded && !memo->failed;
  if (record)
    memo->recorded = 1;
  size_t next = 0; /* the first memo entry not yet passed */
  size_t margin = (size_t)ceil(EYE_SHELL_OUT_MM / g->step) + 1, lo[3], hi[3];
  for (int a = 0; a < 3; a++) {
    lo[a] = margin;
    hi[a] = g->n[a] > margin ? g->n[a] - margin : 0;
  }
  if (near) {
    double c[3] = {near->x - g->origin.x, near->y - g->origin.y, near->z - g->origin.z};
    for (int a = 0; a < 3; a++) {
      double l = floor((c[a] - radius) / g->step), h = ceil((c[a] + radius) / g->step) + 1;
      if (l > (double)lo[a])
        lo[a] = l >= (double)hi[a] ? hi[a] : (size_t)l;
      if (h < (double)hi[a])
        hi[a] = h <= (double)lo[a] ? lo[a] : (size_t)h;
    }
  }
  for (size_t k = lo[2]; k < hi[2]; k++) {
    if (!near && progress_report(options, STAGE_EYES, (double)k / (double)g->n[2]))
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    for (size_t j = lo[1]; j < hi[1]; j++)
      for (size_t i = lo[0]; i < hi[0]; i++) {
        size_t idx = wg_index(g, i, j, k);
        if (!head->mask[idx])
          continue;
        if (near && v3_norm(v3_sub(wg_ras(g, i, j, k), *near)) > radius)
          continue;
        /* Globe centres lie 10.5-26 mm below the skin (12 mm of globe in
         * front of the centre, less a little for the closed lids; the fat
         * pads of the cheeks lie shallower), and that skin is in front of
         * them: the way out of the head points anterior. */
        double depth2 = head->depth_sq[idx];
        if (depth2 < EYE_MIN_DEPTH_MM * EYE_MIN_DEPTH_MM ||
            depth2 > EYE_MAX_DEPTH_MM * EYE_MAX_DEPTH_MM || !faces_forward(g, head, i, j, k))
          continue;
        if (replay && !stale[idx]) { /* nothing it reads changed: as scored before */
          while (next < memo->count && memo->entry[next].idx < idx)
            next++;
          if (next < memo->count && memo->entry[next].idx == idx) {
            const struct eye_scan_entry *e = &memo->entry[next];
            candidate c = {.ras = wg_ras(g, i, j, k),
                           .score = e->score,
                           .inner_mean = e->inner_mean,
                           .inner_sd = e->inner_sd,
                           .depth = sqrt(depth2),
                           .polarity = e->polarity};
            keep_candidate(list, count, &c);
          }
          continue;
        }
        candidate c;
        if (!score_centre(g, head, inner, shell, idx, range, &c))
          continue;
        c.ras = wg_ras(g, i, j, k);
        c.depth = sqrt(depth2);
        if (record)
          memo_add(memo, idx, &c);
        keep_candidate(list, count, &c);
      }
  }
  return DEFACE_OK;
}

/* Pair plausibility: 45-85 mm apart, mostly left-right, in front of the head
 * centre, similar depth and vitreous intensity. Returns a score or -1. */
static double pair_score(const candidate *a, const candidate *b, const head_info *head,
                         double range)
{
  vec3 axis = v3_sub(a->ras, b->ras);
  double dist = v3_norm(axis);
  if (dist < EYE_PAIR_MIN_MM || dist > EYE_PAIR_MAX_MM)
    return -1;
  if (fabs(axis.x) / dist < cos(EYE_PAIR_MAX_TILT_DEG * DEFACE_PI / 180.0))
    return -1;
  vec3 mid = v3_scale(v3_add(a->ras, b->ras), 0.5);
  if (mid.y - head->centroid.y < EYE_PAIR_MIN_FRONT_MM)
    return -1;
  /* The eyes straddle the midsagittal plane, which passes near the centre of
   * the head whatever its rotation: their midpoint lies close to the plane
   * through the head centre perpendicular to the eye axis. */
  if (fabs(v3_dot(v3_sub(mid, head->centroid), v3_scale(axis, 1.0 / dist))) >
      EYE_PAIR_MAX_OFF_MIDLINE_MM)
    return -1;
  if (fabs(a->depth - b->depth) > EYE_PAIR_MAX_DEPTH_DIFF_MM)
    return -1;
  if (fabs(a->inner_mean - b->inner_mean) > EYE_PAIR_MAX_VALUE_DIFF * range)
    return -1;
  /* Each globe must stand out on its own, not only the pair together. */
  if (fmin(a->score, b->score) < EYE_MIN_SCORE)
    return -1;
  double balance = fmin(a->score, b->score) / fmax(a->score, b->score);
  /* Globe centres are 64 mm apart in adults (55-75); a child's are closer,
   * so distance only weighs, never excludes, inside 45-85 mm. */
  double off = (dist - EYE_PAIR_TYPICAL_MM) / EYE_PAIR_SPREAD_MM;
  double spacing = exp(-0.5 * off * off);
  return (a->score + b->score) * (1 - EYE_BALANCE_WEIGHT + EYE_BALANCE_WEIGHT * balance) *
         (1 - EYE_SPACING_WEIGHT + EYE_SPACING_WEIGHT * spacing);
}

/* How mirror-symmetric the head is about the plane that bisects a pair of
 * candidates: the correlation of the intensities at points within 60 mm of
 * their midpoint with those at the points' reflections. Two real eyes are
 * mirror images across the midsagittal plane, and so is the head around
 * them; a wrong pair's bisecting plane is not a plane of symmetry. */
static double pair_symmetry(const work_grid *g, const head_info *head, vec3 a, vec3 b)
{
  /* Values clamped to the head's own range, so that a few saturated voxels
   * (the scanner's top value along tissue edges) cannot own the correlation. */
  double lo = head->air_level,
         hi = head->air_level + EYE_SYMMETRY_CLAMP * (head->tissue_level - head->air_level);
  if (head->is_ct) {
    lo = -1000;
    hi = 1500;
  }
  vec3 mid = v3_scale(v3_add(a, b), 0.5), n = v3_unit(v3_sub(a, b));
  long c = wg_nearest(g, mid);
  if (c < 0)
    return 0;
  int r = (int)(EYE_SYMMETRY_RADIUS_MM / g->step);
  size_t ci, cj, ck;
  wg_coords(g, (size_t)c, &ci, &cj, &ck);
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, cnt = 0;
  for (int k = -r; k <= r; k += 2)
    for (int j = -r; j <= r; j += 2)
      for (int i = -r; i <= r; i += 2) {
        long ii = (long)ci + i, jj = (long)cj + j, kk = (long)ck + k;
        if (ii < 0 || jj < 0 || kk < 0 || ii >= (long)g->n[0] || jj >= (long)g->n[1] ||
            kk >= (long)g->n[2] || i * i + j * j + k * k > r * r)
          continue;
        size_t at = wg_index(g, (size_t)ii, (size_t)jj, (size_t)kk);
        vec3 p = wg_ras(g, (size_t)ii, (size_t)jj, (size_t)kk);
        double side = v3_dot(v3_sub(p, mid), n);
        if (side <= 0 || !g->inside[at])
          continue; /* each pair of points once, from the first eye's side */
        long m = wg_nearest(g, v3_sub(p, v3_scale(n, 2 * side)));
        if (m < 0 || !g->inside[m])
          continue;
        double x = fmin(fmax(g->value[at], lo), hi), y = fmin(fmax(g->value[m], lo), hi);
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        cnt++;
      }
  if (cnt < EYE_SYMMETRY_MIN_POINTS)
    return 0;
  double vx = sxx - sx * sx / cnt, vy = syy - sy * sy / cnt;
  if (vx <= 0 || vy <= 0)
    return 0;
  return (sxy - sx * sy / cnt) / sqrt(vx * vy);
}

/* How far a voxel's value may be from a candidate's ball and still count as
 * its fluid: on CT water and not muscle (40-60 HU); on MR the ball's own
 * spread, at least 8% of the tissue scale. */
static double fluid_tolerance(const head_info *head, const candidate *c, double range)
{
  return head->is_ct ? EYE_CT_FLUID_TOL_HU
                     : fmax(EYE_FLUID_SD_TOL * c->inner_sd, EYE_FLUID_RANGE_TOL * range);
}

/* How far the fluid around a candidate reaches: the share of the 15-22 mm
 * ring that a flood from the centre through voxels of the ball's value
 * reaches. A globe is a closed ball of about 12 mm, so its vitreous stays
 * inside (a small share, through the lids and optic nerve); a homogeneous
 * patch of brain, muscle or fat runs on. */
/* Scratch for globe_leak(): a cube of side 2 * ceil(reach / step) + 1. */
typedef struct leak_scratch {
  uint8_t *seen;
  int *queue;
  double *dist; /* each cube voxel's distance from the centre, mm */
  size_t box;
  size_t ring_total; /* cube voxels in the ring: the same for every candidate */
} leak_scratch;

static void leak_scratch_free(leak_scratch *w)
{
  free(w->seen);
  free(w->queue);
  free(w->dist);
  memset(w, 0, sizeof *w);
}

/* The cube's distances and the ring's size are the grid's, not a
 * candidate's: computed once here rather than at every candidate. */
static int leak_scratch_init(const work_grid *g, leak_scratch *w)
{
  memset(w, 0, sizeof *w);
  int r = (int)ceil(EYE_LEAK_REACH_MM / g->step), side = 2 * r + 1;
  w->box = (size_t)side * (size_t)side * (size_t)side;
  w->seen = malloc(w->box);
  w->queue = malloc(w->box * sizeof *w->queue);
  w->dist = malloc(w->box * sizeof *w->dist);
  if (!w->seen || !w->queue || !w->dist) {
    leak_scratch_free(w);
    return -1;
  }
  for (int z = 0; z < side; z++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++) {
        double dist =
            g->step * sqrt((double)((x - r) * (x - r) + (y - r) * (y - r) + (z - r) * (z - r)));
        w->dist[x + side * (y + side * z)] = dist;
        w->ring_total += dist >= EYE_LEAK_RING_MM && dist <= EYE_LEAK_REACH_MM;
      }
  return 0;
}

static double globe_leak(const work_grid *g, const head_info *head, const candidate *c,
                         double range, leak_scratch *w)
{
  const double reach = EYE_LEAK_REACH_MM, ring = EYE_LEAK_RING_MM;
  long start = wg_nearest(g, c->ras);
  if (start < 0)
    return 1;
  double tol = fluid_tolerance(head, c, range);
  int r = (int)ceil(reach / g->step), side = 2 * r + 1;
  uint8_t *seen = w->seen;
  int *queue = w->queue;
  memset(seen, 0, w->box);
  size_t ci, cj, ck;
  wg_coords(g, (size_t)start, &ci, &cj, &ck);
  size_t head_at = 0, tail = 0, reached = 0;
  int centre = r + side * (r + side * r);
  seen[centre] = 1;
  queue[tail++] = centre;
  static const int step[6][3] = {{1, 0, 0},  {-1, 0, 0}, {0, 1, 0},
                                 {0, -1, 0}, {0, 0, 1},  {0, 0, -1}};
  while (head_at < tail) {
    int q = queue[head_at++];
    int x = q % side, y = (q / side) % side, z = q / (side * side);
    for (int d = 0; d < 6; d++) {
      int nx = x + step[d][0], ny = y + step[d][1], nz = z + step[d][2];
      if (nx < 0 || ny < 0 || nz < 0 || nx >= side || ny >= side || nz >= side)
        continue;
      int nq = nx + side * (ny + side * nz);
      double dist = w->dist[nq];
      long gi = (long)ci + nx - r, gj = (long)cj + ny - r, gk = (long)ck + nz - r;
      if (seen[nq] || dist > reach || gi < 0 || gj < 0 || gk < 0 || gi >= (long)g->n[0] ||
          gj >= (long)g->n[1] || gk >= (long)g->n[2])
        continue;
      size_t at = wg_index(g, (size_t)gi, (size_t)gj, (size_t)gk);
      if (fabs(g->value[at] - c->inner_mean) > tol)
        continue;
      seen[nq] = 1;
      queue[tail++] = nq;
      reached += dist >= ring;
    }
  }
  return w->ring_total ? (double)reached / (double)w->ring_total : 1;
}

/* The best few pairs by appearance, each weighed by how symmetric the head
 * is about it; a pair about which it is not symmetric is no pair. Writes the
 * survivors into `out`, best first, and returns their count. */
static size_t rank_pairs(const work_grid *g, const head_info *head, const candidate *list,
                         size_t count, double range, pair_choice *out)
{
  pair_choice top[EYE_TOP_PAIRS];
  size_t ntop = 0;
  for (size_t a = 0; a < count; a++)
    for (size_t b = a + 1; b < count; b++) {
      double s = pair_score(&list[a], &list[b], head, range);
      if (s < (head->is_ct ? EYE_MIN_PAIR_SCORE_CT : EYE_MIN_PAIR_SCORE_MR))
        continue;
      size_t at;
      if (ntop < EYE_TOP_PAIRS)
        at = ntop++;
      else if (s > top[EYE_TOP_PAIRS - 1].score)
        at = EYE_TOP_PAIRS - 1; /* replaces the weakest kept pair */
      else
        continue;
      top[at] = (pair_choice){&list[a], &list[b], s, 0};
      for (size_t q = at; q > 0 && top[q].score > top[q - 1].score; q--) {
        pair_choice t = top[q];
        top[q] = top[q - 1];
        top[q - 1] = t;
      }
    }
  size_t n = 0;
  for (size_t q = 0; q < ntop; q++) {
    top[q].symmetry = pair_symmetry(g, head, top[q].a->ras, top[q].b->ras);
    if (top[q].symmetry < EYE_MIN_SYMMETRY)
      continue;
    top[q].score *= top[q].symmetry;
    out[n++] = top[q];
    for (size_t p = n - 1; p > 0 && out[p].score > out[p - 1].score; p--) {
      pair_choice t = out[p];
      out[p] = out[p - 1];
      out[p - 1] = t;
    }
  }
  return n;
}

/* Moves a centre to the centroid of the vitreous around it: the voxels
 * within 11 mm whose value lies within `tol` of the vitreous level. A window
 * rather than a one-sided cut, so that neither fat nor bone nor sinus air on
 * one side of the globe pulls the centre towards it. */
static vec3 refine(const work_grid *g, const head_info *head, vec3 c, double level, double tol)
{
  const double radius = EYE_REFINE_RADIUS_MM;
  int r = (int)ceil(radius / g->step);
  for (int iter = 0; iter < EYE_REFINE_ITERATIONS; iter++) {
    long centre = wg_nearest(g, c);
    if (centre < 0)
      return c;
    vec3 sum = v3(0, 0, 0);
    double n = 0;
    size_t ci, cj, ck;
    wg_coords(g, (size_t)centre, &ci, &cj, &ck);
    for (int k = -r; k <= r; k++)
      for (int j = -r; j <= r; j++)
        for (int i = -r; i <= r; i++) {
          long ii = (long)ci + i, jj = (long)cj + j, kk = (long)ck + k;
          if (ii < 0 || jj < 0 || kk < 0 || ii >= (long)g->n[0] || jj >= (long)g->n[1] ||
              kk >= (long)g->n[2])
            continue;
          vec3 p = wg_ras(g, (size_t)ii, (size_t)jj, (size_t)kk);
          size_t at = wg_index(g, (size_t)ii, (size_t)jj, (size_t)kk);
          if (v3_norm(v3_sub(p, c)) <= radius && head->mask[at] &&
              fabs(g->value[at] - level) <= tol) {
            sum = v3_add(sum, p);
            n++;
          }
        }
    if (n < EYE_REFINE_MIN_VOXELS)
      return c;
    vec3 next = v3_scale(sum, 1.0 / n);
    double moved = v3_norm(v3_sub(next, c));
    c = next;
    if (moved < EYE_REFINE_STOP_MM)
      break;
  }
  return c;
}

/* The pair of two candidates, each centre refined to its vitreous. */
static void make_pair(const work_grid *g, const head_info *head, const candidate *r,
                      const candidate *l, double score, double symmetry, double range, eye_pair *e)
{
  e->polarity = r->polarity;
  e->score = score;
  e->symmetry = symmetry;
  e->vitreous_level = 0.5 * (r->inner_mean + l->inner_mean);
  e->right = refine(g, head, r->ras, r->inner_mean, fluid_tolerance(head, r, range));
  e->left = refine(g, head, l->ras, l->inner_mean, fluid_tolerance(head, l, range));
}

deface_status eyes_find_pairs(const work_grid *g, const head_info *head,
                              const deface_options *options, eye_scan_memo *memo,
                              const uint8_t *stale, eye_pairs *pairs, char *err)
{
  memset(pairs, 0, sizeof *pairs);
  deface_status st = DEFACE_OK;
  offsets inner = {0}, shell = {0};
  /* One list whatever the sign of the contrast: on PD the vitreous lies
   * between the orbit's brighter fat and darker muscle, so the sign is no
   * property of an eye; pairs must still match in value. */
  candidate list[EYE_MAX_CANDIDATES];
  size_t count = 0;
  /* Intensity scale of soft tissue: on CT, Hounsfield units are absolute. */
  double range = head->is_ct ? EYE_CT_RANGE_HU : head->tissue_level - head->air_level;
  if (make_offsets(g, 0, EYE_INNER_MM, 1, &inner) ||
      make_offsets(g, EYE_SHELL_IN_MM, EYE_SHELL_OUT_MM, EYE_SHELL_EVERY, &shell)) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the eye search");
    goto done;
  }
  if ((st = scan(g, head, &inner, &shell, range, NULL, 0, options, memo, stale, list, &count,
                 err)) != DEFACE_OK)
    goto done;
  /* Only closed balls of fluid can be globes: drop the candidates whose
   * fluid runs on beyond 15 mm before any pairing. */
  size_t kept = 0;
  leak_scratch scratch;
  if (leak_scratch_init(g, &scratch) != 0) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the eye search");
    goto done;
  }
  for (size_t q = 0; q < count; q++) {
    list[q].leak = globe_leak(g, head, &list[q], range, &scratch);
    if (list[q].leak <= EYE_MAX_LEAK)
      list[kept++] = list[q];
  }
  count = kept;
  leak_scratch_free(&scratch);
  pair_choice ranked[EYE_TOP_PAIRS];
  size_t npairs = rank_pairs(g, head, list, count, range, ranked);
  for (size_t q = 0; q < npairs && q < EYES_MAX_PAIRS; q++) {
    const candidate *ba = ranked[q].a, *bb = ranked[q].b;
    const candidate *r = ba->ras.x >= bb->ras.x ? ba : bb, *l = r == ba ? bb : ba;
    make_pair(g, head, r, l, ranked[q].score, ranked[q].symmetry, range,
              &pairs->pair[pairs->count++]);
  }
done:
  free(inner.d);
  free(shell.d);
  return st;
}

deface_status eyes_find(const work_grid *g, const head_info *head, const deface_options *options,
                        eye_pair *eyes, char *err)
{
  eye_pairs pairs;
  memset(eyes, 0, sizeof *eyes);
  deface_status st = eyes_find_pairs(g, head, options, NULL, NULL, &pairs, err);
  if (st != DEFACE_OK)
    return st;
  if (pairs.count == 0)
    return deface__fail(
        err, DEFACE_E_REFUSED,
        "eyes not found: the face is not in the field of view, or this is not a head");
  *eyes = pairs.pair[0];
  return DEFACE_OK;
}

/* The best closed ball of fluid in a list (at least EYE_GUIDED_MIN_SCORE,
 * leaking at most EYE_GUIDED_MAX_LEAK); NULL if none. */
static const candidate *best_globe(const work_grid *g, const head_info *head, candidate *list,
                                   size_t count, double range, leak_scratch *scratch)
{
  const candidate *best = NULL;
  for (size_t q = 0; q < count; q++) {
    if (list[q].score < EYE_GUIDED_MIN_SCORE || (best && list[q].score <= best->score))
      continue;
    list[q].leak = globe_leak(g, head, &list[q], range, scratch);
    if (list[q].leak <= EYE_GUIDED_MAX_LEAK)
      best = &list[q];
  }
  return best;
}

deface_status eyes_find_near(const work_grid *g, const head_info *head, vec3 right, vec3 left,
                             eye_pair *eyes, int *found, char *err)
{
  *found = 0;
  memset(eyes, 0, sizeof *eyes);
  offsets inner = {0}, shell = {0};
  leak_scratch scratch = {0};
  candidate lr[EYE_MAX_CANDIDATES], ll[EYE_MAX_CANDIDATES];
  size_t nr = 0, nl = 0;
  double range = head->is_ct ? EYE_CT_RANGE_HU : head->tissue_level - head->air_level;
  deface_status st = DEFACE_OK;
  if (make_offsets(g, 0, EYE_INNER_MM, 1, &inner) ||
      make_offsets(g, EYE_SHELL_IN_MM, EYE_SHELL_OUT_MM, EYE_SHELL_EVERY, &shell) ||
      leak_scratch_init(g, &scratch) != 0) {
    st = deface__fail(err, DEFACE_E_NOMEM, "out of memory for the eye search");
    goto done;
  }
  if ((st = scan(g, head, &inner, &shell, range, &right, EYE_GUIDED_RADIUS_MM, NULL, NULL, NULL, lr,
                 &nr, err)) != DEFACE_OK ||
      (st = scan(g, head, &inner, &shell, range, &left, EYE_GUIDED_RADIUS_MM, NULL, NULL, NULL, ll,
                 &nl, err)) != DEFACE_OK)
    goto done;
  const candidate *r = best_globe(g, head, lr, nr, range, &scratch);
  const candidate *l = best_globe(g, head, ll, nl, range, &scratch);
  if (!r || !l)
    goto done;
  /* Still a pair: the distance, side by side, a like depth, alike in value
   * or of one polarity (a receive coil's falloff to one side leaves one
   * vitreous at a third of the other's signal; on PD the vitreous sits
   * between fat and muscle, so noise may flip one globe's polarity), and the
   * head mirror-symmetric about it. */
  vec3 axis = v3_sub(r->ras, l->ras);
  double dist = v3_norm(axis);
  if (dist < EYE_PAIR_MIN_MM || dist > EYE_PAIR_MAX_MM ||
      fabs(axis.x) / dist < cos(EYE_PAIR_MAX_TILT_DEG * DEFACE_PI / 180.0) ||
      fabs(r->depth - l->depth) > EYE_PAIR_MAX_DEPTH_DIFF_MM ||
      (r->polarity != l->polarity &&
       fabs(r->inner_mean - l->inner_mean) > EYE_PAIR_MAX_VALUE_DIFF * range))
    goto done;
  double symmetry = pair_symmetry(g, head, r->ras, l->ras);
  if (symmetry < EYE_GUIDED_MIN_SYMMETRY)
    goto done;
  make_pair(g, head, r, l, (r->score + l->score) * symmetry, symmetry, range, eyes);
  *found = 1;
done:
  free(inner.d);
  free(shell.d);
  leak_scratch_free(&scratch);
  return st;
}

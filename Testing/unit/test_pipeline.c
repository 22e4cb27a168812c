/*
 * test_pipeline.c - the whole core on a synthetic head: the core's own head
 * template (ch2 at 3 mm, compiled in) placed in a 240 mm cube with a nose
 * added in front of its field of view, and a little noise. Checks that the
 * eyes are found where the template has them, that the brain and everything
 * outside the label are untouched, that voxel axes and flips in the header
 * do not matter, that 4D gets one label, that progress rises to 1 and
 * cancelling works, and that non-heads are refused.
 */
#include "check.h"
#include "deface.h"
#include "template.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 120    /* voxels per axis */
#define STEP 2.0 /* mm */

/* The template's point at the cube's centre: its head's middle. */
static const double OFFSET[3] = {0, -6, 15};
static double EYE_R[3], EYE_L[3];
static head_template TEMPLATE;

static double sq(double x)
{
  return x * x;
}

static int in_ellipsoid(const double p[3], const double c[3], const double r[3])
{
  return sq((p[0] - c[0]) / r[0]) + sq((p[1] - c[1]) / r[1]) + sq((p[2] - c[2]) / r[2]) <= 1;
}

static double dist3(const double a[3], const double b[3])
{
  return sqrt(sq(a[0] - b[0]) + sq(a[1] - b[1]) + sq(a[2] - b[2]));
}

/* Intensity of the phantom at a RAS point of the cube: the template's T1
 * (nearest voxel), a nose of soft tissue where ch2's box cuts it. */
static double phantom(const double p[3], int *is_brain)
{
  static const double nose_c[3] = {0, 92, -72}, nose_r[3] = {10, 13, 16};
  double q[3] = {p[0] + OFFSET[0], p[1] + OFFSET[1], p[2] + OFFSET[2]};
  const head_template *t = &TEMPLATE;
  long c[3];
  double o[3] = {t->origin.x, t->origin.y, t->origin.z};
  int in = 1;
  for (int a = 0; a < 3; a++) {
    c[a] = lround((q[a] - o[a]) / t->step);
    in &= c[a] >= 0 && c[a] < (long)t->n[a];
  }
  *is_brain = 0;
  if (in) {
    size_t at = (size_t)c[0] + t->n[0] * ((size_t)c[1] + t->n[1] * (size_t)c[2]);
    *is_brain = (t->flags[at] & TEMPLATE_BRAIN) != 0;
    if (t->value[at] > 20 || !in_ellipsoid(q, nose_c, nose_r))
      return t->value[at];
  }
  return in_ellipsoid(q, nose_c, nose_r) ? 90 : 0;
}

/* A phantom volume; `perm` maps voxel axis a to RAS axis perm[a], `flip`
 * reverses it; the header always tells the truth. */
static deface_volume *make_head(const int perm[3], const int flip[3], size_t nt, uint8_t **brain)
{
  double m[4][4] = {{0}};
  for (int a = 0; a < 3; a++) {
    double s = flip[a] ? -STEP : STEP;
    m[perm[a]][a] = s;
    m[perm[a]][3] = flip[a] ? STEP * (N - 1) / 2.0 : -STEP * (N - 1) / 2.0;
  }
  m[3][3] = 1;
  size_t dims[4] = {N, N, N, nt};
  deface_volume *v = NULL;
  if (deface_volume_new(dims, DEFACE_INT16, m, &v, NULL) != DEFACE_OK)
    return NULL;
  *brain = calloc((size_t)N * N * N, 1);
  int16_t *data = deface_volume_data(v);
  uint64_t rng = 12345;
  for (size_t k = 0; k < N; k++)
    for (size_t j = 0; j < N; j++)
      for (size_t i = 0; i < N; i++) {
        size_t idx = i + N * (j + N * k);
        double p[3];
        for (int r = 0; r < 3; r++)
          p[r] = m[r][0] * (double)i + m[r][1] * (double)j + m[r][2] * (double)k + m[r][3];
        int is_brain;
        double value = phantom(p, &is_brain);
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        value += (double)(rng >> 61); /* 0..7 of noise */
        (*brain)[idx] = (uint8_t)is_brain;
        for (size_t t = 0; t < nt; t++)
          data[t * N * N * N + idx] = (int16_t)(value + (double)t);
      }
  return v;
}

typedef struct progress_log {
  double last;
  int calls, decreasing, cancel_at;
} progress_log;

static int on_progress(void *user, double fraction, const char *stage)
{
  progress_log *log = user;
  if (fraction < log->last - 1e-9)
    log->decreasing++;
  log->last = fraction;
  log->calls++;
  return log->cancel_at && log->calls >= log->cancel_at;
}

static void check_result(const deface_volume *in, const deface_volume *out,
                         const deface_volume *label, const uint8_t *brain, const deface_result *r)
{
  CHECK(r->eyes_found);
  CHECK(dist3(r->eye_ras[0], EYE_R) < 2.5);
  CHECK(dist3(r->eye_ras[1], EYE_L) < 2.5);
  CHECK(r->nose_in_view);
  size_t dims[4];
  deface_volume_dims(in, dims);
  const uint8_t *lab = deface_volume_data_const(label);
  const int16_t *a = deface_volume_data_const(in), *b = deface_volume_data_const(out);
  size_t n3 = dims[0] * dims[1] * dims[2], brain_changed = 0, outside_changed = 0,
         inside_changed = 0, eye_voxels = 0;
  for (size_t t = 0; t < dims[3]; t++)
    for (size_t idx = 0; idx < n3; idx++) {
      int changed = a[t * n3 + idx] != b[t * n3 + idx];
      brain_changed += brain[idx] && changed;
      outside_changed += !lab[idx] && changed;
      inside_changed += lab[idx] && changed;
      eye_voxels += t == 0 && lab[idx] == DEFACE_LABEL_EYE;
    }
  CHECK(brain_changed == 0);
  CHECK(outside_changed == 0);
  CHECK(inside_changed > 1000 * dims[3]);
  CHECK(eye_voxels > 2 * 500); /* two globes of ~8 mL at 8 mm^3 a voxel */
  CHECK(r->changed_ml > 20);
}

static void test_orientations(void)
{
  static const int perms[4][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {0, 2, 1}};
  static const int flips[4][3] = {{0, 0, 0}, {1, 0, 1}, {0, 1, 1}, {1, 1, 0}};
  static const char *names[4] = {"RAS", "permuted+flipped 1", "permuted+flipped 2", "coronal"};
  for (int c = 0; c < 4; c++) {
    check_context = names[c];
    uint8_t *brain = NULL;
    deface_volume *in = make_head(perms[c], flips[c], 1, &brain), *out = NULL, *label = NULL;
    CHECK(in != NULL);
    deface_result r;
    char err[DEFACE_ERRLEN] = "";
    progress_log log = {0, 0, 0, 0};
    deface_options o;
    deface_options_init(&o);
    o.progress = on_progress;
    o.progress_user = &log;
    deface_status st = deface_run(in, &o, &out, &label, &r, err);
    CHECK(st == DEFACE_OK);
    if (st != DEFACE_OK)
      fprintf(stderr, "  %s: %s\n", names[c], err);
    else
      check_result(in, out, label, brain, &r);
    CHECK(log.decreasing == 0 && fabs(log.last - 1.0) < 1e-9 && log.calls > 10);
    deface_volume_free(in);
    deface_volume_free(out);
    deface_volume_free(label);
    free(brain);
  }
}

static void test_4d_blur_and_cancel(void)
{
  static const int perm[3] = {0, 1, 2}, flip[3] = {0, 0, 0};
  uint8_t *brain = NULL;
  deface_volume *in = make_head(perm, flip, 3, &brain), *out = NULL, *label = NULL;
  deface_result r;
  char err[DEFACE_ERRLEN];
  deface_options o;
  deface_options_init(&o);
  o.fill = DEFACE_FILL_BLUR;
  check_context = "4D blur";
  CHECK(deface_run(in, &o, &out, &label, &r, err) == DEFACE_OK);
  if (out) {
    size_t dims[4];
    deface_volume_dims(label, dims);
    CHECK(dims[3] == 1); /* one label for every time point */
    check_result(in, out, label, brain, &r);
  }
  deface_volume_free(out);
  deface_volume_free(label);

  check_context = "cancel";
  progress_log log = {0, 0, 0, 5};
  o.progress = on_progress;
  o.progress_user = &log;
  CHECK(deface_run(in, &o, &out, &label, &r, err) == DEFACE_E_CANCELLED);
  CHECK(out == NULL && label == NULL && log.calls == 5);
  deface_volume_free(in);
  free(brain);
}

static void test_refusals(void)
{
  double m[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  deface_volume *v = NULL, *out = NULL, *label = NULL;
  deface_result r;
  char err[DEFACE_ERRLEN];
  check_context = "2D";
  size_t slice[4] = {180, 200, 1, 1};
  deface_volume_new(slice, DEFACE_UINT8, m, &v, NULL);
  CHECK(deface_run(v, NULL, &out, &label, &r, err) == DEFACE_E_REFUSED);
  CHECK(strstr(err, "2D") != NULL && out == NULL && label == NULL);
  deface_volume_free(v);

  check_context = "slab";
  size_t slab[4] = {180, 200, 10, 1};
  deface_volume_new(slab, DEFACE_UINT8, m, &v, NULL);
  CHECK(deface_run(v, NULL, &out, &label, &r, err) == DEFACE_E_REFUSED);
  CHECK(strstr(err, "thin slab") != NULL);
  deface_volume_free(v);

  check_context = "flat";
  size_t cube[4] = {100, 100, 100, 1};
  deface_volume_new(cube, DEFACE_UINT8, m, &v, NULL);
  CHECK(deface_run(v, NULL, &out, &label, &r, err) == DEFACE_E_REFUSED);
  check_context = "noise";
  uint8_t *d = deface_volume_data(v);
  uint64_t rng = 99;
  for (size_t i = 0; i < (size_t)100 * 100 * 100; i++) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    d[i] = (uint8_t)(rng >> 56);
  }
  CHECK(deface_run(v, NULL, &out, &label, &r, err) == DEFACE_E_REFUSED);
  CHECK(out == NULL && strlen(r.reason) > 0);
  deface_volume_free(v);
}

int main(void)
{
  if (template_load(&TEMPLATE, NULL) != DEFACE_OK) {
    fprintf(stderr, "the compiled-in template does not load\n");
    return 1;
  }
  double r[3] = {TEMPLATE.right_eye.x, TEMPLATE.right_eye.y, TEMPLATE.right_eye.z};
  double l[3] = {TEMPLATE.left_eye.x, TEMPLATE.left_eye.y, TEMPLATE.left_eye.z};
  for (int a = 0; a < 3; a++) {
    EYE_R[a] = r[a] - OFFSET[a];
    EYE_L[a] = l[a] - OFFSET[a];
  }
  test_orientations();
  test_4d_blur_and_cancel();
  test_refusals();
  return check_report();
}

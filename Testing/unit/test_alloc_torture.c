/*
 * test_alloc_torture - every allocation failure, one at a time, as curl's
 * torture tests do: the core (deface_run on a synthetic head) and the NIfTI
 * adapter (read, header, write) are run once to count their allocations,
 * then again with allocation number N failing, for every N up to that count.
 * Each run must return DEFACE_E_NOMEM (with a one-line message), or
 * DEFACE_OK with the same result as the run that never failed (a fallback),
 * and must leave nothing allocated behind. No count is written here: the
 * core may allocate more tomorrow and the test follows.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=aligned_alloc,--wrap=free:
 * every allocation of the static libraries linked into this program (the
 * core, the NIfTI adapter, the write transaction) goes through the wrappers
 * below; the libraries they call (nifti_clib, zlib, libdeflate, libc) keep their own.
 * The wrappers keep the live blocks in a fixed table, so they never allocate.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "deface.h"
#include "deface_nifti.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* The wrappers                                                             */
/* ------------------------------------------------------------------------ */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void __real_free(void *p);

#define TABLE 65536 /* live blocks tracked at once (a power of two) */
static void *live[TABLE];
static size_t nlive, overflowed;
static int armed;      /* count and fail only inside the code under test */
static size_t calls;   /* allocations since armed */
static size_t fail_at; /* the call that fails (1-based); 0: none */
static int failed_one; /* the failure was injected */

static size_t slot_of(const void *p)
{
  uintptr_t h = (uintptr_t)p;
  h ^= h >> 17;
  h *= 0x9e3779b97f4a7c15ull;
  return (size_t)(h >> 20) & (TABLE - 1);
}

static void track(void *p)
{
  if (!p || !armed)
    return;
  if (nlive + 1 >= TABLE / 2) {
    overflowed++;
    return;
  }
  size_t i = slot_of(p);
  while (live[i])
    i = (i + 1) & (TABLE - 1);
  live[i] = p;
  nlive++;
}

/* Forgets p if it is tracked (backward-shift deletion keeps the probes). */
static void untrack(void *p)
{
  if (!p)
    return;
  size_t i = slot_of(p);
  while (live[i] && live[i] != p)
    i = (i + 1) & (TABLE - 1);
  if (!live[i])
    return; /* allocated outside the armed window, or by a library */
  live[i] = NULL;
  nlive--;
  for (size_t j = (i + 1) & (TABLE - 1); live[j]; j = (j + 1) & (TABLE - 1)) {
    size_t home = slot_of(live[j]);
    /* Move live[j] into the hole when its home is not between the hole and j. */
    if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
      live[i] = live[j];
      live[j] = NULL;
      i = j;
    }
  }
}

static int fail_now(void)
{
  if (!armed)
    return 0;
  calls++;
  if (fail_at && calls == fail_at) {
    failed_one = 1;
    return 1;
  }
  return 0;
}

void *__wrap_malloc(size_t size)
{
  if (fail_now())
    return NULL;
  void *p = __real_malloc(size);
  track(p);
  return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
  if (fail_now())
    return NULL;
  void *p = __real_calloc(n, size);
  track(p);
  return p;
}

void *__wrap_realloc(void *old, size_t size)
{
  if (fail_now())
    return NULL; /* the old block stays its owner's */
  void *p = __real_realloc(old, size);
  if (p || size == 0)
    untrack(old);
  track(p);
  return p;
}

/* The core's large buffers (memory.c: huge pages on Linux). */
void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
  if (fail_now())
    return NULL;
  void *p = __real_aligned_alloc(alignment, size);
  track(p);
  return p;
}

void __wrap_free(void *p)
{
  untrack(p);
  __real_free(p);
}

static void arm(size_t at)
{
  armed = 1;
  calls = 0;
  fail_at = at;
  failed_one = 0;
}

static void disarm(void)
{
  armed = 0;
}

/* ------------------------------------------------------------------------ */
/* What is tortured                                                         */
/* ------------------------------------------------------------------------ */

#define N 90
#define STEP 2.2

/* A T1-like head: tissue, a brain, two eyes (dark vitreous in bright fat), a nose. */
static deface_volume *make_head(void)
{
  double m[4][4] = {{STEP, 0, 0, -STEP * (N - 1) / 2},
                    {0, STEP, 0, -STEP * (N - 1) / 2},
                    {0, 0, STEP, -STEP * (N - 1) / 2},
                    {0, 0, 0, 1}};
  size_t dims[4] = {N, N, N, 1};
  deface_volume *v = NULL;
  if (deface_volume_new(dims, DEFACE_INT16, m, &v, NULL) != DEFACE_OK)
    return NULL;
  int16_t *d = deface_volume_data(v);
  const double eyes[2][3] = {{32, 60, -20}, {-32, 60, -20}};
  for (size_t k = 0; k < N; k++)
    for (size_t j = 0; j < N; j++)
      for (size_t i = 0; i < N; i++) {
        double p[3] = {STEP * (double)i + m[0][3], STEP * (double)j + m[1][3],
                       STEP * (double)k + m[2][3]};
        double e = INFINITY;
        for (int s = 0; s < 2; s++)
          e = fmin(e, sqrt(pow(p[0] - eyes[s][0], 2) + pow(p[1] - eyes[s][1], 2) +
                           pow(p[2] - eyes[s][2], 2)));
        double head = pow(p[0] / 75, 2) + pow(p[1] / 85, 2) + pow(p[2] / 95, 2);
        double brain = pow(p[0] / 60, 2) + pow((p[1] + 10) / 75, 2) + pow((p[2] - 30) / 55, 2);
        double nose = pow(p[0] / 9, 2) + pow((p[1] - 80) / 12, 2) + pow((p[2] + 55) / 18, 2);
        int16_t value = e <= 11                  ? 20
                        : e <= 16                ? 200
                        : brain <= 1             ? 140
                        : head <= 1 || nose <= 1 ? 100
                                                 : 0;
        d[i + N * (j + N * k)] = value;
      }
  return v;
}

static int one_line_about_memory(const char *err)
{
  return err && !strchr(err, '\n') && strstr(err, "memory") != NULL;
}

/* The core: deface_run with every allocation failing in turn. */
static void torture_core(void)
{
  check_context = "core";
  deface_volume *head = make_head(), *ref_defaced = NULL, *ref_label = NULL;
  CHECK(head != NULL);
  deface_options opt;
  deface_options_init(&opt);
  deface_result r;
  char err[DEFACE_ERRLEN] = "";
  arm(0);
  deface_status st = deface_run(head, &opt, &ref_defaced, &ref_label, &r, err);
  disarm();
  size_t total = calls;
  memset(live, 0, sizeof live); /* the reference result is held on purpose */
  nlive = 0;
  CHECK(st == DEFACE_OK);
  if (st != DEFACE_OK) {
    fprintf(stderr, "test_alloc_torture: the phantom is not defaced: %s\n", err);
    deface_volume_free(head);
    return;
  }
  size_t bytes = deface_volume_bytes(ref_label), leaks = 0, bad = 0, fallbacks = 0;
  for (size_t n = 1; n <= total; n++) {
    deface_volume *defaced = NULL, *label = NULL;
    err[0] = '\0';
    arm(n);
    st = deface_run(head, &opt, &defaced, &label, &r, err);
    disarm();
    int ok = failed_one &&
             (st == DEFACE_E_NOMEM ? one_line_about_memory(err) && !defaced && !label
                                   : st == DEFACE_OK && label &&
                                         memcmp(deface_volume_data_const(label),
                                                deface_volume_data_const(ref_label), bytes) == 0);
    fallbacks += ok && st == DEFACE_OK;
    deface_volume_free(defaced);
    deface_volume_free(label);
    if (!ok && bad++ < 5)
      fprintf(stderr, "test_alloc_torture: core, allocation %zu of %zu failing: status %s, '%s'\n",
              n, total, deface_status_str(st), err);
    if (nlive) {
      if (leaks++ < 5)
        fprintf(stderr, "test_alloc_torture: core, allocation %zu failing: %zu blocks leaked\n", n,
                nlive);
      memset(live, 0, sizeof live);
      nlive = 0;
    }
  }
  printf("core: %zu allocations in deface_run, each failed in turn: %zu wrong statuses, %zu "
         "leaks, %zu handled by a fallback\n",
         total, bad, leaks, fallbacks);
  CHECK(total > 0);
  CHECK(bad == 0);
  CHECK(leaks == 0);
  deface_volume_free(head);
  deface_volume_free(ref_defaced);
  deface_volume_free(ref_label);
}

typedef deface_status (*io_step)(const char *in, const char *out, deface_volume *v, char *err);

/* Read: a volume and header, both freed here. */
static deface_status step_read(const char *in, const char *out, deface_volume *unused, char *err)
{
  (void)out;
  (void)unused;
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  deface_status st = deface_nifti_read(in, &v, &h, err);
  if (st == DEFACE_OK && (!v || !h))
    st = DEFACE_E_INTERNAL;
  if (st != DEFACE_OK && (v || h))
    st = DEFACE_E_INTERNAL;
  deface_volume_free(v);
  deface_nifti_free(h);
  return st;
}

/* A new header for a volume, then the image and the label written with it. */
static deface_status step_write(const char *in, const char *out, deface_volume *v, char *err)
{
  (void)in;
  deface_nifti *h = NULL;
  deface_status st = deface_nifti_header_adopt(v, &h, err);
  if (st == DEFACE_OK)
    st = deface_nifti_write(out, v, h, "torture", err);
  deface_nifti_free(h);
  return st;
}

static void torture_io(const char *name, io_step step, const char *in, const char *out,
                       deface_volume *v)
{
  check_context = name;
  char err[DEFACE_ERRLEN] = "";
  arm(0);
  deface_status st = step(in, out, v, err);
  disarm();
  size_t total = calls, bad = 0, leaks = 0;
  CHECK(st == DEFACE_OK);
  for (size_t n = 1; n <= total; n++) {
    err[0] = '\0';
    arm(n);
    st = step(in, out, v, err);
    disarm();
    int ok =
        failed_one && (st == DEFACE_OK || (st == DEFACE_E_NOMEM && one_line_about_memory(err)));
    if (!ok && bad++ < 5)
      fprintf(stderr, "test_alloc_torture: %s, allocation %zu of %zu failing: status %s, '%s'\n",
              name, n, total, deface_status_str(st), err);
    if (nlive) {
      if (leaks++ < 5)
        fprintf(stderr, "test_alloc_torture: %s, allocation %zu failing: %zu blocks leaked\n", name,
                n, nlive);
      memset(live, 0, sizeof live);
      nlive = 0;
    }
  }
  printf("%s: %zu allocations, each failed in turn: %zu wrong statuses, %zu leaks\n", name, total,
         bad, leaks);
  CHECK(total > 0);
  CHECK(bad == 0);
  CHECK(leaks == 0);
}

int main(void)
{
  char dir[256], in[300], out[300];
  snprintf(dir, sizeof dir, "%s/deface-torture-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  torture_core();
  /* The adapter: a .nii.gz and a .nii written once, then read and written with failures. */
  deface_volume *v = make_head();
  char err[DEFACE_ERRLEN];
  deface_nifti *h = NULL;
  CHECK(v && deface_nifti_header_adopt(v, &h, err) == DEFACE_OK);
  const char *ext[2] = {".nii.gz", ".nii"};
  for (int k = 0; k < 2 && v && h; k++) {
    snprintf(in, sizeof in, "%s/in%s", dir, ext[k]);
    snprintf(out, sizeof out, "%s/out%s", dir, ext[k]);
    CHECK(deface_nifti_write(in, v, h, "torture input", err) == DEFACE_OK);
    torture_io(k ? "nifti read .nii" : "nifti read .nii.gz", step_read, in, out, NULL);
    torture_io(k ? "nifti write .nii" : "nifti write .nii.gz", step_write, in, out, v);
    unlink(in);
    unlink(out);
  }
  deface_nifti_free(h);
  deface_volume_free(v);
  CHECK(overflowed == 0);
  rmdir(dir);
  return check_report();
}

/*
 * test_fill.c - the three fills on small volumes: only labelled voxels change,
 * the zero fill writes the air value through the scaling (and the lowest
 * value the type holds when air is below it), the blur smooths, the noise is
 * reproducible from the seed, and every time point of a 4D volume is filled.
 */
#include "check.h"
#include "deface.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const double IDENTITY[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};

/* A 16^3 x nt int16 volume (value = 100 + i) and a label cube in its middle. */
static void make(size_t nt, deface_volume **v, deface_volume **label)
{
  size_t dims[4] = {16, 16, 16, nt}, d3[4] = {16, 16, 16, 1};
  deface_volume_new(dims, DEFACE_INT16, IDENTITY, v, NULL);
  deface_volume_new(d3, DEFACE_UINT8, IDENTITY, label, NULL);
  int16_t *d = deface_volume_data(*v);
  for (size_t i = 0; i < 16 * 16 * 16 * nt; i++)
    d[i] = (int16_t)(100 + (i % 16) * 10);
  uint8_t *l = deface_volume_data(*label);
  for (size_t k = 5; k < 11; k++)
    for (size_t j = 5; j < 11; j++)
      for (size_t i = 5; i < 11; i++)
        l[i + 16 * (j + 16 * k)] = 1;
}

static size_t outside_changes(const deface_volume *a, const deface_volume *b,
                              const deface_volume *label)
{
  const int16_t *x = deface_volume_data_const(a), *y = deface_volume_data_const(b);
  const uint8_t *l = deface_volume_data_const(label);
  size_t dims[4], n = 0;
  deface_volume_dims(a, dims);
  for (size_t t = 0; t < dims[3]; t++)
    for (size_t i = 0; i < 4096; i++)
      n += !l[i] && x[t * 4096 + i] != y[t * 4096 + i];
  return n;
}

static void test_zero(void)
{
  check_context = "zero";
  deface_volume *v, *label, *orig;
  make(2, &v, &label);
  deface_volume_set_scaling(v, 2.0, -1000); /* real = 2 * stored - 1000: CT-like */
  deface_volume_clone(v, &orig, NULL);
  deface_options o;
  deface_options_init(&o);
  deface_result r;
  memset(&r, 0, sizeof r);
  r.air_value = -1000;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_OK);
  CHECK(deface_volume_value(v, 8 + 16 * (8 + 16 * 8)) == -1000);        /* stored 0 */
  CHECK(deface_volume_value(v, 4096 + 8 + 16 * (8 + 16 * 8)) == -1000); /* second time point */
  CHECK(outside_changes(orig, v, label) == 0);
  CHECK(r.changed_voxels == 2 * 216);
  CHECK(fabs(r.changed_ml - 216 / 1000.0) < 1e-9);
  deface_volume_free(orig);

  /* Air below what the type holds through this scaling: the lowest value. */
  deface_volume_set_scaling(v, 1.0, 50); /* real >= 50 - 32768 */
  r.air_value = -1e9;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_OK);
  CHECK(r.air_value == -32768.0 + 50 &&
        deface_volume_value(v, 8 + 16 * (8 + 16 * 8)) == r.air_value);
  deface_volume_free(v);
  deface_volume_free(label);
}

static void test_blur_and_noise(void)
{
  deface_volume *v, *label, *orig, *again;
  make(1, &v, &label);
  deface_volume_clone(v, &orig, NULL);
  deface_options o;
  deface_options_init(&o);
  deface_result r;
  memset(&r, 0, sizeof r);
  check_context = "blur";
  o.fill = DEFACE_FILL_BLUR;
  o.sigma_mm = 2;
  /* A ramp survives a blur; a spike on it spreads out. */
  const size_t centre = 8 + 16 * (8 + 16 * 8);
  ((int16_t *)deface_volume_data(v))[centre] = 5000;
  deface_volume_free(orig);
  deface_volume_clone(v, &orig, NULL);
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_OK);
  CHECK(outside_changes(orig, v, label) == 0);
  const int16_t *b = deface_volume_data_const(v);
  CHECK(b[centre] < 1000 && b[centre + 1] > 180 + 5); /* spread to the neighbour */
  CHECK(abs(b[5 + 16 * (5 + 16 * 5)] - 150) <= 5);    /* the ramp far from it kept */
  CHECK(r.changed_voxels > 100 && r.changed_voxels <= 216);
  ((int16_t *)deface_volume_data(orig))[centre] = 100 + 8 * 10; /* back to the ramp */

  check_context = "noise";
  deface_volume_free(v);
  deface_volume_clone(orig, &v, NULL);
  deface_volume_clone(orig, &again, NULL);
  o.fill = DEFACE_FILL_NOISE;
  o.seed = 42;
  r.air_value = 0;
  r.air_noise_sd = 5;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_OK);
  CHECK(deface_apply_fill(again, label, &o, &r, NULL) == DEFACE_OK);
  CHECK(memcmp(deface_volume_data(v), deface_volume_data(again), deface_volume_bytes(v)) == 0);
  const int16_t *n = deface_volume_data_const(v);
  double sum = 0;
  int negative = 0;
  for (size_t i = 0; i < 4096; i++)
    if (((const uint8_t *)deface_volume_data_const(label))[i]) {
      sum += n[i];
      negative += n[i] < 0;
    }
  CHECK(negative == 0);                      /* MR noise is Rician-like: never below air */
  CHECK(sum / 216 > 1.5 && sum / 216 < 6.5); /* half-normal mean 0.8 sd = 4 */
  CHECK(outside_changes(orig, v, label) == 0);

  check_context = "options";
  o.fill = DEFACE_FILL_BLUR;
  o.sigma_mm = NAN;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.sigma_mm = 1e300;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.sigma_mm = DEFACE_SIGMA_MAX_MM + 1; /* beyond the one range every front end offers */
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.sigma_mm = DEFACE_SIGMA_MIN_MM - 0.01;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.sigma_mm = DEFACE_SIGMA_MAX_MM; /* wider than the volume: the kernel stops at the box */
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_OK);
  o.struct_size = sizeof o - 8; /* options from another build of the header */
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.struct_size = sizeof o;
  o.fill = (deface_fill)7;
  CHECK(deface_apply_fill(v, label, &o, &r, NULL) == DEFACE_E_USAGE);
  o.fill = DEFACE_FILL_NOISE;

  check_context = "label grid";
  size_t other[4] = {8, 8, 8, 1};
  deface_volume *small;
  deface_volume_new(other, DEFACE_UINT8, IDENTITY, &small, NULL);
  CHECK(deface_apply_fill(v, small, &o, &r, NULL) == DEFACE_E_USAGE);
  deface_volume_free(small);
  deface_volume_free(v);
  deface_volume_free(again);
  deface_volume_free(orig);
  deface_volume_free(label);
}

int main(void)
{
  test_zero();
  test_blur_and_noise();
  return check_report();
}

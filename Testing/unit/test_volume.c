/*
 * test_volume.c - the deface_volume type: allocation limits, scaling,
 * rounding and range limits of stored values, clones.
 */
#include "check.h"
#include "deface.h"
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static const double IDENTITY[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};

static void test_new_and_limits(void)
{
  deface_volume *v = NULL;
  char err[DEFACE_ERRLEN];
  size_t dims[4] = {4, 5, 6, 2};
  check_context = "new";
  CHECK(deface_volume_new(dims, DEFACE_INT16, IDENTITY, &v, err) == DEFACE_OK);
  CHECK(deface_volume_bytes(v) == 4 * 5 * 6 * 2 * 2);
  CHECK(deface_volume_voxels_3d(v) == 120);
  deface_volume_free(v);
  deface_volume_free(NULL); /* a no-op */

  size_t zero[4] = {4, 0, 6, 1};
  CHECK(deface_volume_new(zero, DEFACE_INT16, IDENTITY, &v, err) == DEFACE_E_USAGE && v == NULL);
  size_t huge[4] = {SIZE_MAX / 2, 4, 4, 1};
  CHECK(deface_volume_new(huge, DEFACE_FLOAT64, IDENTITY, &v, err) == DEFACE_E_NOMEM && v == NULL);
  CHECK(strstr(err, "overflow") != NULL);
  CHECK(deface_volume_new(dims, (deface_datatype)99, IDENTITY, &v, err) == DEFACE_E_USAGE);
  double singular[4][4] = {{1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  CHECK(deface_volume_new(dims, DEFACE_UINT8, singular, &v, err) == DEFACE_E_USAGE);
  double not_affine[4][4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 1, 1}};
  CHECK(deface_volume_new(dims, DEFACE_UINT8, not_affine, &v, err) == DEFACE_E_USAGE);
  CHECK(strchr(err, '\n') == NULL);
}

static void test_scaling_and_store(void)
{
  deface_volume *v = NULL;
  size_t dims[4] = {2, 2, 2, 1};
  check_context = "store";
  CHECK(deface_volume_new(dims, DEFACE_UINT16, IDENTITY, &v, NULL) == DEFACE_OK);
  deface_volume_set_scaling(v, 0.5, -10);
  deface__volume_store(v, 0, 0.0); /* stored (0 + 10) / 0.5 = 20 */
  CHECK(((uint16_t *)deface_volume_data(v))[0] == 20);
  CHECK(deface_volume_value(v, 0) == 0.0);
  deface__volume_store(v, 1, -1000); /* below the range: the lowest value, never wraps */
  CHECK(((uint16_t *)deface_volume_data(v))[1] == 0);
  deface__volume_store(v, 2, 1.26); /* (1.26 + 10) / 0.5 = 22.52 -> 23 */
  CHECK(((uint16_t *)deface_volume_data(v))[2] == 23);
  deface_volume_set_scaling(v, 0, 0); /* slope 0 means unscaled (NIfTI) */
  CHECK(deface_volume_value(v, 2) == 23);

  deface_volume *c = NULL;
  CHECK(deface_volume_clone(v, &c, NULL) == DEFACE_OK);
  CHECK(memcmp(deface_volume_data(v), deface_volume_data(c), deface_volume_bytes(v)) == 0);
  double m[4][4];
  deface_volume_matrix(c, m);
  CHECK(memcmp(m, IDENTITY, sizeof m) == 0);
  check_context = "set_matrix";
  double oblique[4][4] = {{0.9, -0.1, 0, 5}, {0.1, 0.9, 0, -7}, {0, 0, 2, 1}, {0, 0, 0, 1}};
  double singular2[4][4] = {{1, 0, 0, 0}, {1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  CHECK(deface_volume_set_matrix(v, oblique, NULL) == DEFACE_OK);
  deface_volume_matrix(v, m);
  CHECK(memcmp(m, oblique, sizeof m) == 0);
  CHECK(deface_volume_set_matrix(v, singular2, NULL) == DEFACE_E_USAGE);
  deface_volume_matrix(v, m);
  CHECK(memcmp(m, oblique, sizeof m) == 0); /* unchanged after a refusal */
  deface_volume_free(v);
  deface_volume_free(c);

  /* Every datatype keeps a value it can represent, exactly. */
  for (int t = DEFACE_UINT8; t <= DEFACE_FLOAT64; t++) {
    check_context = deface_datatype_name((deface_datatype)t);
    CHECK(deface_volume_new(dims, (deface_datatype)t, IDENTITY, &v, NULL) == DEFACE_OK);
    deface__volume_store(v, 3, 100);
    CHECK(deface_volume_value(v, 3) == 100);
    CHECK(deface_datatype_size((deface_datatype)t) * 8 == deface_volume_bytes(v));
    deface_volume_free(v);
  }
}

static void test_names(void)
{
  check_context = "names";
  CHECK(strcmp(deface_status_str(DEFACE_E_REFUSED), "refused: not defaceable") == 0);
  CHECK(strcmp(deface_fill_name(DEFACE_FILL_BLUR), "blur") == 0);
  CHECK(DEFACE_E_INPUT == 3 && DEFACE_E_REFUSED == 4 && DEFACE_E_SELFCHECK == 5 &&
        DEFACE_E_OUTPUT == 6);
  deface_options o;
  deface_options_init(&o);
  CHECK(o.fill == DEFACE_FILL_ZERO && o.sigma_mm == 5.0 && o.progress == NULL);
}

int main(void)
{
  test_new_and_limits();
  test_scaling_and_store();
  test_names();
  return check_report();
}

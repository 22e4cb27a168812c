/*
 * check.c - deciding whether an input can be defaced at all, and checking a
 * finished result before anything is written.
 */
#include "facecheck.h"
#include "geometry.h"
#include "internal.h"

#include <math.h>
#include <string.h>

#define MIN_EXTENT_MM 60.0  /* a head needs this much along every axis */
#define MAX_SPACING_MM 10.0 /* coarser voxels cannot show eyes */
#define MIN_VOXELS 16       /* along every axis */

deface_status deface__check_suitable(const deface_volume *input, char *err)
{
  size_t dims[4];
  double sp[3];
  deface_volume_dims(input, dims);
  deface_volume_spacing(input, sp);
  int singles = (dims[0] == 1) + (dims[1] == 1) + (dims[2] == 1);
  if (singles > 0)
    return deface__fail(err, DEFACE_E_REFUSED,
                        "2D image (%zux%zux%zu): a single slice cannot be defaced", dims[0],
                        dims[1], dims[2]);
  for (int a = 0; a < 3; a++) {
    double extent = (double)dims[a] * sp[a];
    if (extent < MIN_EXTENT_MM)
      return deface__fail(err, DEFACE_E_REFUSED,
                          "thin slab: %.1f mm along axis %d (a head needs at least %.0f mm)",
                          extent, a + 1, MIN_EXTENT_MM);
    if (sp[a] > MAX_SPACING_MM)
      return deface__fail(err, DEFACE_E_REFUSED,
                          "too coarse: %.1f mm voxels along axis %d (at most %.0f mm)", sp[a],
                          a + 1, MAX_SPACING_MM);
    if (dims[a] < MIN_VOXELS)
      return deface__fail(err, DEFACE_E_REFUSED,
                          "too small: %zu voxels along axis %d (at least %d)", dims[a], a + 1,
                          MIN_VOXELS);
  }
  return DEFACE_OK;
}

/* Nearest voxel of a RAS point, or -1 outside the grid. */
static long voxel_of(const deface_volume *v, const double ras[3])
{
  double m[4][4], inv[4][4];
  size_t dims[4];
  deface_volume_matrix(v, m);
  deface_volume_dims(v, dims);
  if (affine_invert(m, inv))
    return -1;
  vec3 p = affine_apply(inv, v3(ras[0], ras[1], ras[2]));
  double c[3] = {fast_floor(p.x + 0.5), fast_floor(p.y + 0.5), fast_floor(p.z + 0.5)};
  for (int a = 0; a < 3; a++)
    if (!(c[a] >= 0 && c[a] < (double)dims[a]))
      return -1;
  return (long)((size_t)c[0] + dims[0] * ((size_t)c[1] + dims[1] * (size_t)c[2]));
}

int deface__face_skin(const deface_volume *volume, const uint8_t *lab, const size_t d[4], size_t i,
                      size_t j, size_t k, double threshold)
{
  size_t nx = d[0], plane = d[0] * d[1], idx = i + nx * (j + d[1] * k);
  if (i == 0 || j == 0 || k == 0 || i + 1 >= d[0] || j + 1 >= d[1] || k + 1 >= d[2])
    return 0;
  if (!lab[idx] || deface_volume_value(volume, idx) <= threshold)
    return 0;
  size_t nb[6] = {idx - 1, idx + 1, idx - nx, idx + nx, idx - plane, idx + plane};
  for (int q = 0; q < 6; q++)
    if (deface_volume_value(volume, nb[q]) <= threshold)
      return 1;
  return 0;
}

deface_status deface__check_eyes_labelled(const deface_volume *label, const deface_result *result,
                                          char *err)
{
  const uint8_t *lab = deface_volume_data_const(label);
  for (int e = 0; e < 2; e++) {
    long at = voxel_of(label, result->eye_ras[e]);
    if (at < 0 || lab[at] != DEFACE_LABEL_EYE)
      return deface__fail(err, DEFACE_E_SELFCHECK, "the %s eye is not inside the masked region",
                          e == 0 ? "right" : "left");
  }
  return DEFACE_OK;
}

deface_status deface__check_surface(size_t changed, size_t surface, deface_result *result,
                                    char *err)
{
  double frac = surface ? (double)changed / (double)surface : 0.0;
  result->face_surface_changed = frac;
  if (surface < 50 || frac < 0.5)
    return deface__fail(err, DEFACE_E_SELFCHECK,
                        "the face surface did not change (%.0f%% of %zu skin voxels)", 100 * frac,
                        surface);
  return DEFACE_OK;
}

/* How many of the face's skin voxels (first time point) changed value. */
static size_t surface_changed(const deface_volume *orig, const deface_volume *def,
                              const uint8_t *lab, double threshold, size_t *surface)
{
  size_t d[4], changed = 0;
  deface_volume_dims(orig, d);
  *surface = 0;
  for (size_t k = 0, idx = 0; k < d[2]; k++)
    for (size_t j = 0; j < d[1]; j++)
      for (size_t i = 0; i < d[0]; i++, idx++)
        if (lab[idx] && deface__face_skin(orig, lab, d, i, j, k, threshold)) {
          (*surface)++;
          changed += deface_volume_value(orig, idx) != deface_volume_value(def, idx);
        }
  return changed;
}

deface_status self_check_output(const deface_volume *original, const deface_volume *defaced,
                                const deface_volume *label, deface_result *result, char *err)
{
  size_t a[4], b[4], l[4];
  deface_volume_dims(original, a);
  deface_volume_dims(defaced, b);
  deface_volume_dims(label, l);
  if (memcmp(a, b, sizeof a) != 0 || l[0] != a[0] || l[1] != a[1] || l[2] != a[2] ||
      deface_volume_datatype(original) != deface_volume_datatype(defaced))
    return deface__fail(err, DEFACE_E_SELFCHECK, "output grid or datatype differs from the input");
  deface_status st = deface__check_eyes_labelled(label, result, err);
  if (st != DEFACE_OK)
    return st;
  const uint8_t *lab = deface_volume_data_const(label);
  /* Nothing outside the label may differ, byte for byte, at any time point. */
  size_t n3 = deface_volume_voxels_3d(original);
  size_t es = deface_datatype_size(deface_volume_datatype(original));
  const unsigned char *po = deface_volume_data_const(original),
                      *pd = deface_volume_data_const(defaced);
  for (size_t t = 0; t < a[3]; t++) /* each run of unlabelled voxels at once */
    for (size_t idx = 0, end; deface__unlabelled_run(lab, n3, &idx, &end); idx = end)
      if (memcmp(po + (t * n3 + idx) * es, pd + (t * n3 + idx) * es, (end - idx) * es) != 0)
        return deface__fail(err, DEFACE_E_SELFCHECK, "a voxel outside the mask changed");
  size_t surface;
  size_t changed = surface_changed(original, defaced, lab, result->tissue_threshold, &surface);
  return deface__check_surface(changed, surface, result, err);
}

deface_status deface_self_check(const deface_volume *original, const deface_volume *defaced,
                                const deface_volume *label, deface_result *result, char *err)
{
  deface_status st = self_check_output(original, defaced, label, result, err);
  if (st == DEFACE_OK)
    st = face_check_remaining(original, label, NULL, result, err);
  return st;
}

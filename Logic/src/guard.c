/*
 * guard.c - the in-place pipeline's record of the original (guard.h).
 *
 * Filling the caller's volume in place saves the copy (a whole volume of
 * peak memory), but the copying pipeline's check compares every voxel
 * outside the label with the original. Here the unlabelled voxels are summed
 * before and after the fill instead (Fletcher's two running sums over 8-byte
 * words, which any changed byte or moved word alters), the face's skin
 * voxels keep their original values, and the labelled voxels' bytes are kept
 * so that a failed check leaves the caller's volume exactly as it was.
 */
#include "guard.h"

#include <stdlib.h>
#include <string.h>

/* Adds `n` bytes to the running sums. */
static void sum_bytes(const unsigned char *p, size_t n, uint64_t s[2])
{
  uint64_t a = s[0], b = s[1];
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    a += w;
    b += a;
  }
  for (; i < n; i++) {
    a += p[i];
    b += a;
  }
  s[0] = a;
  s[1] = b;
}

/* Whether the guard's box holds row (j, k). */
static int box_has_row(const fill_guard *guard, size_t j, size_t k)
{
  return j >= guard->box[0][1] && j <= guard->box[1][1] && k >= guard->box[0][2] &&
         k <= guard->box[1][2] && guard->box[0][0] <= guard->box[1][0];
}

/* The sums over every unlabelled voxel's bytes, every time point: rows
 * outside the label's box whole, the runs of unlabelled voxels inside it. */
static void outside_sums(const deface_volume *volume, const uint8_t *lab, const fill_guard *guard,
                         uint64_t s[2])
{
  size_t d[4];
  deface_volume_dims(volume, d);
  size_t n3 = deface_volume_voxels_3d(volume);
  size_t es = deface_datatype_size(deface_volume_datatype(volume));
  const unsigned char *data = deface_volume_data_const(volume);
  size_t i0 = guard->box[0][0], i1 = guard->box[1][0] + 1;
  s[0] = s[1] = 0;
  for (size_t t = 0; t < d[3]; t++)
    for (size_t k = 0; k < d[2]; k++)
      for (size_t j = 0; j < d[1]; j++) {
        size_t row = d[0] * (j + d[1] * k);
        const unsigned char *bytes = data + (t * n3 + row) * es;
        if (!box_has_row(guard, j, k)) {
          sum_bytes(bytes, d[0] * es, s);
          continue;
        }
        sum_bytes(bytes, i0 * es, s);
        for (size_t i = i0, end; deface__unlabelled_run(lab + row, i1, &i, &end); i = end)
          sum_bytes(bytes + i * es, (end - i) * es, s);
        sum_bytes(bytes + i1 * es, (d[0] - i1) * es, s);
      }
}

/* A loop over the labelled voxels (i, j, k; index idx) of the first time
 * point in index order, inside the guard's box only. */
#define FOR_EACH_LABELLED(guard, d, lab, i, j, k, idx)                                             \
  for (size_t k = (guard)->box[0][2]; k <= (guard)->box[1][2] && k < (d)[2]; k++)                  \
    for (size_t j = (guard)->box[0][1]; j <= (guard)->box[1][1] && j < (d)[1]; j++)                \
      for (size_t i = (guard)->box[0][0], idx = i + (d)[0] * (j + (d)[1] * k);                     \
           i <= (guard)->box[1][0] && i < (d)[0]; i++, idx++)                                      \
        if (lab[idx])

/* The labelled voxels' bytes, every time point, one after another. */
static void save_labelled(const deface_volume *volume, const uint8_t *lab, const fill_guard *guard,
                          unsigned char *saved)
{
  size_t d[4];
  deface_volume_dims(volume, d);
  size_t n3 = deface_volume_voxels_3d(volume);
  size_t es = deface_datatype_size(deface_volume_datatype(volume));
  const unsigned char *data = deface_volume_data_const(volume);
  for (size_t t = 0; t < d[3]; t++)
    FOR_EACH_LABELLED(guard, d, lab, i, j, k, idx)
    {
      memcpy(saved, data + (t * n3 + idx) * es, es);
      saved += es;
    }
}

static void restore_labelled(deface_volume *volume, const uint8_t *lab, const fill_guard *guard,
                             const unsigned char *saved)
{
  size_t d[4];
  deface_volume_dims(volume, d);
  size_t n3 = deface_volume_voxels_3d(volume);
  size_t es = deface_datatype_size(deface_volume_datatype(volume));
  unsigned char *data = deface_volume_data(volume);
  for (size_t t = 0; t < d[3]; t++)
    FOR_EACH_LABELLED(guard, d, lab, i, j, k, idx)
    {
      memcpy(data + (t * n3 + idx) * es, saved, es);
      saved += es;
    }
}

/* Doubles the skin arrays; 0 when out of memory (the guard still frees them). */
static int grow_skin(fill_guard *guard, size_t *cap)
{
  size_t n = *cap ? 2 * *cap : 65536;
  size_t *skin = realloc(guard->skin, n * sizeof *skin);
  if (!skin)
    return 0;
  guard->skin = skin;
  double *value = realloc(guard->skin_value, n * sizeof *value);
  if (!value)
    return 0;
  guard->skin_value = value;
  *cap = n;
  return 1;
}

deface_status fill_guard_take(const deface_volume *volume, const deface_volume *label,
                              const size_t box[2][3], double threshold, fill_guard *guard,
                              char *err)
{
  memset(guard, 0, sizeof *guard);
  memcpy(guard->box, box, sizeof guard->box);
  size_t d[4];
  deface_volume_dims(volume, d);
  for (int a = 0; a < 3; a++) /* never past the grid (the row sums rely on it) */
    guard->box[1][a] = guard->box[1][a] < d[a] ? guard->box[1][a] : d[a] - 1;
  size_t es = deface_datatype_size(deface_volume_datatype(volume));
  const uint8_t *lab = deface_volume_data_const(label);
  /* One pass: the labelled voxels counted, the skin among them kept. */
  size_t labelled = 0, cap = 0;
  FOR_EACH_LABELLED(guard, d, lab, i, j, k, idx)
  {
    labelled++;
    if (!deface__face_skin(volume, lab, d, i, j, k, threshold))
      continue;
    if (guard->nskin == cap && !grow_skin(guard, &cap)) {
      fill_guard_free(guard);
      return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the face's skin voxels");
    }
    guard->skin[guard->nskin] = idx;
    guard->skin_value[guard->nskin++] = deface_volume_value(volume, idx);
  }
  guard->saved_bytes = labelled * es * d[3];
  guard->saved = deface__alloc_large(guard->saved_bytes, 0);
  if (!guard->saved) {
    fill_guard_free(guard);
    return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the original's labelled voxels");
  }
  save_labelled(volume, lab, guard, guard->saved);
  outside_sums(volume, lab, guard, guard->outside_sum);
  return DEFACE_OK;
}

deface_status fill_guard_check(const deface_volume *volume, const deface_volume *label,
                               const fill_guard *guard, deface_result *result, char *err)
{
  deface_status st = deface__check_eyes_labelled(label, result, err);
  if (st != DEFACE_OK)
    return st;
  uint64_t now[2];
  outside_sums(volume, deface_volume_data_const(label), guard, now);
  if (now[0] != guard->outside_sum[0] || now[1] != guard->outside_sum[1])
    return deface__fail(err, DEFACE_E_SELFCHECK, "a voxel outside the mask changed");
  size_t changed = 0;
  for (size_t q = 0; q < guard->nskin; q++)
    changed += deface_volume_value(volume, guard->skin[q]) != guard->skin_value[q];
  return deface__check_surface(changed, guard->nskin, result, err);
}

void fill_guard_restore(deface_volume *volume, const deface_volume *label, const fill_guard *guard)
{
  if (guard->saved)
    restore_labelled(volume, deface_volume_data_const(label), guard, guard->saved);
}

void fill_guard_free(fill_guard *guard)
{
  free(guard->saved);
  free(guard->skin);
  free(guard->skin_value);
  memset(guard, 0, sizeof *guard);
}

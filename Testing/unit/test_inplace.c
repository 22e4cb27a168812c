/*
 * test_inplace.c - deface_run_in_place() gives what deface_run() gives, and
 * leaves the caller's volume exactly as it was whenever it fails.
 *
 *   test_inplace SCAN.nii.gz...   (real heads: ch2, the CT)
 *
 * For each scan, as 3D and as a 4D series of two time points:
 * - the voxels, the label and the result's figures equal deface_run()'s;
 * - cancelled after the fill (at the check), the volume holds its original
 *   bytes again and no label is returned;
 * - the guard that replaces the copy's voxel comparison (guard.h) catches
 *   one voxel changed outside the label, and a fill that changed nothing.
 */
#include "check.h"
#include "deface.h"
#include "deface_nifti.h"
#include "guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_bytes(const deface_volume *a, const deface_volume *b)
{
  size_t da[4], db[4];
  deface_volume_dims(a, da);
  deface_volume_dims(b, db);
  if (memcmp(da, db, sizeof da) != 0 || deface_volume_datatype(a) != deface_volume_datatype(b))
    return 0;
  size_t bytes =
      deface_volume_voxels_3d(a) * da[3] * deface_datatype_size(deface_volume_datatype(a));
  return memcmp(deface_volume_data_const(a), deface_volume_data_const(b), bytes) == 0;
}

/* A series of two time points: the scan, then the scan again. */
static deface_volume *two_time_points(const deface_volume *in)
{
  size_t d[4];
  double m[4][4];
  deface_volume_dims(in, d);
  deface_volume_matrix(in, m);
  d[3] = 2;
  deface_volume *out = NULL;
  if (deface_volume_new(d, deface_volume_datatype(in), m, &out, NULL) != DEFACE_OK)
    return NULL;
  size_t bytes = deface_volume_voxels_3d(in) * deface_datatype_size(deface_volume_datatype(in));
  for (int t = 0; t < 2; t++)
    memcpy((unsigned char *)deface_volume_data(out) + (size_t)t * bytes,
           deface_volume_data_const(in), bytes);
  double slope, inter;
  deface_volume_scaling(in, &slope, &inter);
  deface_volume_set_scaling(out, slope, inter);
  return out;
}

static int cancel_at_check(void *user, double fraction, const char *stage)
{
  (void)user;
  (void)fraction;
  return strcmp(stage, "checking") == 0;
}

static void compare_with_copying(const deface_volume *in)
{
  char err[DEFACE_ERRLEN] = "";
  deface_volume *out = NULL, *label = NULL, *mine = NULL, *label2 = NULL;
  deface_result r, r2;
  CHECK(deface_run(in, NULL, &out, &label, &r, err) == DEFACE_OK);
  CHECK(deface_volume_clone(in, &mine, NULL) == DEFACE_OK);
  deface_status st = deface_run_in_place(mine, NULL, &label2, &r2, err);
  printf("  in place: %s %s\n", deface_status_str(st), err);
  CHECK(st == DEFACE_OK);
  if (out && label && label2) {
    CHECK(same_bytes(out, mine));
    CHECK(same_bytes(label, label2));
    CHECK(r.labelled_voxels == r2.labelled_voxels && r.changed_voxels == r2.changed_voxels);
    CHECK(r.face_surface_changed == r2.face_surface_changed && r.face_surface_changed >= 0.5);
    CHECK(r.face_check_eye_pairs == r2.face_check_eye_pairs);
    CHECK(!same_bytes(in, mine)); /* it did change the caller's voxels */
  }
  deface_volume_free(label2);
  deface_volume_free(mine);
  mine = NULL;
  label2 = NULL;

  /* Cancelled after the fill: the original bytes are back. */
  deface_options o;
  deface_options_init(&o);
  o.progress = cancel_at_check;
  CHECK(deface_volume_clone(in, &mine, NULL) == DEFACE_OK);
  label2 = (deface_volume *)&r2; /* must be reset to NULL */
  st = deface_run_in_place(mine, &o, &label2, &r2, err);
  printf("  cancelled at the check: %s %s\n", deface_status_str(st), err);
  CHECK(st == DEFACE_E_CANCELLED);
  CHECK(label2 == NULL);
  CHECK(same_bytes(in, mine));

  /* The guard: one voxel changed outside the label, and a fill that did nothing. */
  if (label) {
    fill_guard g;
    const uint8_t *lab = deface_volume_data_const(label);
    size_t box[2][3];
    CHECK(deface__label_extent(label, box[0], box[1]));
    CHECK(fill_guard_take(mine, label, (const size_t(*)[3])box, r.tissue_threshold, &g, err) ==
          DEFACE_OK);
    /* The fill given the label's box (both pipelines) reaches every labelled
     * voxel through it, and a box a row short is caught, not left unfilled. */
    deface_volume *scratch = NULL;
    size_t cut[2][3];
    memcpy(cut, box, sizeof cut);
    cut[1][1]--;
    deface_result rb = r;
    CHECK(deface_volume_clone(in, &scratch, NULL) == DEFACE_OK);
    CHECK(deface__apply_fill_in_box(scratch, label, (const size_t(*)[3])box, &o, &rb, err) ==
          DEFACE_OK);
    st = deface__apply_fill_in_box(scratch, label, (const size_t(*)[3])cut, &o, &rb, err);
    CHECK(st == DEFACE_E_INTERNAL && strstr(err, "box misses"));
    deface_volume_free(scratch);
    deface_result rr = r;
    st = fill_guard_check(mine, label, &g, &rr, err);
    CHECK(st == DEFACE_E_SELFCHECK && strstr(err, "surface did not change"));
    CHECK(deface_apply_fill(mine, label, &o, &rr, err) == DEFACE_OK);
    CHECK(fill_guard_check(mine, label, &g, &rr, err) == DEFACE_OK);
    size_t d[4], n3 = deface_volume_voxels_3d(mine);
    deface_volume_dims(mine, d);
    size_t es = deface_datatype_size(deface_volume_datatype(mine)), mid = n3 / 2;
    while (mid + 2 < n3 && (lab[mid - 1] || lab[mid] || lab[mid + 1]))
      mid++;
    /* Inside the label's box: an unlabelled voxel between labelled ones on
     * the box's middle row, and the row's voxel just before the box. */
    size_t row = d[0] * ((box[0][1] + box[1][1]) / 2 + d[1] * ((box[0][2] + box[1][2]) / 2));
    size_t gap = row + box[0][0];
    while (gap < row + box[1][0] && lab[gap])
      gap++;
    while (gap < row + box[1][0] && !lab[gap])
      gap++;
    while (gap < row + box[1][0] && lab[gap])
      gap++;
    CHECK(box[0][0] > 0 && gap < row + box[1][0]);
    /* the last time point's last voxel, a mid-volume one, one in a gap of
     * the label inside its box, one just before the box on the same row */
    size_t where[4] = {n3 * d[3] - 1, mid, gap, row + box[0][0] - 1};
    for (int w = 0; w < 4; w++) {
      unsigned char *byte = (unsigned char *)deface_volume_data(mine) + where[w] * es;
      CHECK(lab[where[w] % n3] == 0);
      *byte ^= 1;
      st = fill_guard_check(mine, label, &g, &rr, err);
      CHECK(st == DEFACE_E_SELFCHECK && strstr(err, "outside the mask changed"));
      *byte ^= 1;
    }
    fill_guard_restore(mine, label, &g);
    CHECK(same_bytes(in, mine));
    fill_guard_free(&g);
  }
  deface_volume_free(mine);
  deface_volume_free(out);
  deface_volume_free(label);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: test_inplace SCAN.nii.gz...\n");
    return 2;
  }
  for (int a = 1; a < argc; a++) {
    char err[DEFACE_ERRLEN] = "";
    deface_volume *in = NULL;
    deface_nifti *hdr = NULL;
    check_context = argv[a];
    if (deface_nifti_read(argv[a], &in, &hdr, err) != DEFACE_OK) {
      fprintf(stderr, "%s\n", err);
      CHECK(!"readable scan");
      continue;
    }
    printf("%s (3D)\n", argv[a]);
    compare_with_copying(in);
    deface_volume *series = two_time_points(in);
    CHECK(series != NULL);
    if (series) {
      printf("%s (two time points)\n", argv[a]);
      compare_with_copying(series);
    }
    deface_volume_free(series);
    deface_volume_free(in);
    deface_nifti_free(hdr);
  }
  return check_report();
}

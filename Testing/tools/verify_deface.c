/*
 * verify_deface - check a defaced NIfTI against its input, independently of the deface libraries
 * (only nifti_clib), for the end-to-end tests in Testing/e2e.
 *
 *   verify_deface --input IN --output OUT --label LAB [--brain MASK] [--json SIDECAR]
 *                 [--eye "x,y,z"]... [--nose "x,y,z"] [--eye-tolerance MM] [--eye-sides]
 *                 [--air VALUE] [--air-tolerance V]
 *
 * Prints "PASS name: detail" or "FAIL name: detail" per check, then one summary row of
 * key=value words (brain_kept=... eyes_labelled=... nose_labelled=... outside_unchanged=...
 * changed_ml=... eye_error_mm=... failed=...), for scripts.
 * Exit 0 when every check passed, 1 when one failed, 2 on a usage error or unreadable file.
 *
 * The checks: OUT keeps IN's header (dims, pixdim, datatype, scaling, qform, sform, units, intent,
 * bit-exact); LAB is one volume on IN's grid and sform with values 0/1/2; every voxel labelled 0
 * is byte-identical in OUT at every time point; every voxel of MASK > 0 (brain, same grid) is
 * labelled 0 and unchanged; each --eye point (RAS mm, mapped by IN's sform, else qform) is in a
 * voxel labelled 2, the --nose point in one labelled 1 or 2; the sidecar's status is "defaced" and
 * its eye centres lie within --eye-tolerance (4 mm) of the nearest --eye point (with --eye-sides:
 * its right eye of the first --eye, its left eye of the second); the mean real value
 * of the changed labelled voxels is within --air-tolerance (50) of --air.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nifti2_io.h>

#define PROG "verify_deface"
#define MAX_EYES 8

typedef struct options {
  const char *input, *output, *label, *brain, *json;
  double eyes[MAX_EYES][3], nose[3];
  int n_eyes, has_nose, has_air, eye_sides;
  double eye_tol, air, air_tol;
} options;

typedef struct state {
  nifti_image *in, *out, *lab, *brain;
  int failures, same_grid, label_ok; /* OUT and LAB usable voxel by voxel */
  int64_t nvox3, nvol;               /* voxels per volume, volumes */
  unsigned char *changed;            /* per spatial voxel: changed at some time point */
  int eyes_hit, nose_hit;
  double brain_pct, outside_pct, changed_ml;
  double eye_error; /* largest sidecar eye's distance to its --eye; NAN if none was measured */
} state;

static void report(state *s, int ok, const char *name, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  printf("%s %s: ", ok ? "PASS" : "FAIL", name);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  s->failures += !ok;
}

static double raw_at(const nifti_image *im, int64_t i)
{
  const void *d = im->data;
  switch (im->datatype) {
  case DT_INT8:
    return ((const int8_t *)d)[i];
  case DT_UINT8:
    return ((const uint8_t *)d)[i];
  case DT_INT16:
    return ((const int16_t *)d)[i];
  case DT_UINT16:
    return ((const uint16_t *)d)[i];
  case DT_INT32:
    return ((const int32_t *)d)[i];
  case DT_UINT32:
    return ((const uint32_t *)d)[i];
  case DT_INT64:
    return (double)((const int64_t *)d)[i];
  case DT_UINT64:
    return (double)((const uint64_t *)d)[i];
  case DT_FLOAT32:
    return ((const float *)d)[i];
  case DT_FLOAT64:
    return ((const double *)d)[i];
  default:
    return NAN;
  }
}

/* The real value: NIfTI scaling applies unless the slope is 0 or not finite. */
static double real_at(const nifti_image *im, int64_t i)
{
  double v = raw_at(im, i);
  return im->scl_slope != 0 && isfinite(im->scl_slope) ? v * im->scl_slope + im->scl_inter : v;
}

static int parse_point(const char *text, double p[3])
{
  int used = 0;
  return sscanf(text, " %lf , %lf , %lf %n", &p[0], &p[1], &p[2], &used) == 3 && !text[used] ? 0
                                                                                             : -1;
}

static int parse_number(const char *text, double *v)
{
  char *end;
  *v = strtod(text, &end);
  return end != text && !*end && isfinite(*v) ? 0 : -1;
}

static int usage(const char *why)
{
  fprintf(stderr,
          PROG ": %s\nusage: " PROG " --input IN --output OUT --label LAB [--brain MASK] "
               "[--json SIDECAR] [--eye \"x,y,z\"]... [--nose \"x,y,z\"] [--eye-tolerance MM] "
               "[--eye-sides] [--air VALUE] [--air-tolerance V]\n",
          why);
  return -1;
}

static int parse_args(int argc, char **argv, options *o)
{
  memset(o, 0, sizeof *o);
  o->eye_tol = 4;
  o->air_tol = 50;
  for (int i = 1; i < argc; i += 2) {
    if (!strcmp(argv[i], "--eye-sides")) { /* the one option without a value */
      o->eye_sides = 1;
      i--;
      continue;
    }
    const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int bad = !v;
    if (bad)
      ;
    else if (!strcmp(k, "--input"))
      o->input = v;
    else if (!strcmp(k, "--output"))
      o->output = v;
    else if (!strcmp(k, "--label"))
      o->label = v;
    else if (!strcmp(k, "--brain"))
      o->brain = v;
    else if (!strcmp(k, "--json"))
      o->json = v;
    else if (!strcmp(k, "--eye"))
      bad = o->n_eyes >= MAX_EYES || parse_point(v, o->eyes[o->n_eyes++]);
    else if (!strcmp(k, "--nose"))
      bad = parse_point(v, o->nose) || !(o->has_nose = 1);
    else if (!strcmp(k, "--eye-tolerance"))
      bad = parse_number(v, &o->eye_tol);
    else if (!strcmp(k, "--air"))
      bad = parse_number(v, &o->air) || !(o->has_air = 1);
    else if (!strcmp(k, "--air-tolerance"))
      bad = parse_number(v, &o->air_tol);
    else
      bad = 1;
    if (bad) {
      char why[300];
      snprintf(why, sizeof why, "bad option or value: %s %s", k, v ? v : "(missing)");
      return usage(why);
    }
  }
  if (!o->input || !o->output || !o->label)
    return usage("--input, --output and --label are required");
  if (o->eye_sides && o->n_eyes != 2)
    return usage("--eye-sides needs two --eye points: the right eye, then the left");
  return 0;
}

static nifti_image *read_image(const char *path)
{
  nifti_image *im = nifti_image_read(path, 1);
  if (!im)
    fprintf(stderr, PROG ": %s: cannot read as NIfTI\n", path);
  else if (isnan(raw_at(im, 0))) {
    fprintf(stderr, PROG ": %s: datatype %s is not handled\n", path,
            nifti_datatype_string(im->datatype));
    nifti_image_free(im);
    im = NULL;
  }
  return im;
}

static int same_bytes(const void *a, const void *b, size_t n)
{
  return memcmp(a, b, n) == 0;
}

/* ---- header checks ---- */

static void check_header(state *s)
{
  const nifti_image *a = s->in, *b = s->out;
  int dims = same_bytes(a->dim, b->dim, sizeof a->dim), pix = 1;
  for (int d = 1; d <= a->dim[0] && d < 8; d++)
    pix = pix && same_bytes(&a->pixdim[d], &b->pixdim[d], sizeof(double));
  report(s, dims && pix, "dims", "input %lldx%lldx%lldx%lld, output %lldx%lldx%lldx%lld%s",
         (long long)a->nx, (long long)a->ny, (long long)a->nz, (long long)a->nt, (long long)b->nx,
         (long long)b->ny, (long long)b->nz, (long long)b->nt,
         pix ? ", pixdim equal" : ", pixdim differ");
  report(s, a->datatype == b->datatype, "datatype", "input %s, output %s",
         nifti_datatype_string(a->datatype), nifti_datatype_string(b->datatype));
  report(s,
         same_bytes(&a->scl_slope, &b->scl_slope, sizeof(double)) &&
             same_bytes(&a->scl_inter, &b->scl_inter, sizeof(double)),
         "scaling", "input slope %g inter %g, output slope %g inter %g", a->scl_slope, a->scl_inter,
         b->scl_slope, b->scl_inter);
  report(s,
         a->qform_code == b->qform_code && same_bytes(&a->qto_xyz, &b->qto_xyz, sizeof a->qto_xyz),
         "qform", "codes %d/%d, matrix %s", a->qform_code, b->qform_code,
         same_bytes(&a->qto_xyz, &b->qto_xyz, sizeof a->qto_xyz) ? "bit-identical" : "differs");
  report(s,
         a->sform_code == b->sform_code && same_bytes(&a->sto_xyz, &b->sto_xyz, sizeof a->sto_xyz),
         "sform", "codes %d/%d, matrix %s", a->sform_code, b->sform_code,
         same_bytes(&a->sto_xyz, &b->sto_xyz, sizeof a->sto_xyz) ? "bit-identical" : "differs");
  report(s, a->xyz_units == b->xyz_units && a->time_units == b->time_units, "units",
         "input space %d time %d, output space %d time %d", a->xyz_units, a->time_units,
         b->xyz_units, b->time_units);
  int intent = a->intent_code == b->intent_code && a->intent_p1 == b->intent_p1 &&
               a->intent_p2 == b->intent_p2 && a->intent_p3 == b->intent_p3 &&
               !strncmp(a->intent_name, b->intent_name, sizeof a->intent_name);
  report(s, intent, "intent", "input code %d, output code %d", a->intent_code, b->intent_code);
  s->same_grid = dims && a->datatype == b->datatype;
}

static void check_label(state *s)
{
  const nifti_image *a = s->in, *l = s->lab;
  int grid = l->nx == a->nx && l->ny == a->ny && l->nz == a->nz && l->nvox == s->nvox3;
  int sform =
      l->sform_code == a->sform_code && same_bytes(&l->sto_xyz, &a->sto_xyz, sizeof l->sto_xyz);
  report(s, grid && sform, "label_grid", "label %lldx%lldx%lld (%lld volume(s)), sform %s",
         (long long)l->nx, (long long)l->ny, (long long)l->nz,
         (long long)(l->nvox / (l->nx * l->ny * l->nz)),
         sform ? "equal to the input's" : "differs from the input's");
  s->label_ok = grid;
  if (!grid)
    return;
  int64_t count[3] = {0, 0, 0}, other = 0;
  for (int64_t i = 0; i < s->nvox3; i++) {
    double v = real_at(l, i);
    if (v == 0 || v == 1 || v == 2)
      count[(int)v]++;
    else
      other++;
  }
  report(s, other == 0, "label_values", "%lld untouched, %lld face, %lld eye, %lld other",
         (long long)count[0], (long long)count[1], (long long)count[2], (long long)other);
}

/* ---- voxel checks ---- */

static int label_at(const state *s, int64_t i)
{
  return (int)real_at(s->lab, i);
}

/* Marks the spatial voxels changed at any time point; checks label 0 means byte-identical. */
static void check_outside(state *s)
{
  size_t nb = (size_t)s->in->nbyper;
  int64_t outside = 0, kept = 0, changed = 0;
  for (int64_t i = 0; i < s->nvox3; i++) {
    for (int64_t t = 0; t < s->nvol; t++) {
      int64_t j = i + t * s->nvox3;
      int same =
          same_bytes((const char *)s->in->data + j * nb, (const char *)s->out->data + j * nb, nb);
      if (!same)
        s->changed[i] = 1;
      if (label_at(s, i) == 0) {
        outside++;
        kept += same;
      }
    }
    changed += s->changed[i];
  }
  s->outside_pct = outside ? 100.0 * (double)kept / (double)outside : 100.0;
  s->changed_ml = (double)changed * fabs(s->in->dx * s->in->dy * s->in->dz) / 1000.0;
  report(s, kept == outside, "outside_unchanged",
         "%lld of %lld voxel-timepoints labelled 0 byte-identical (%.3f%%)", (long long)kept,
         (long long)outside, s->outside_pct);
}

static void check_brain(state *s)
{
  const nifti_image *m = s->brain, *a = s->in;
  double diff = 0;
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      diff = fmax(diff, fabs(m->sto_xyz.m[r][c] - a->sto_xyz.m[r][c]));
  if (m->nx != a->nx || m->ny != a->ny || m->nz != a->nz || m->sform_code != a->sform_code ||
      diff > 1e-4) {
    report(s, 0, "brain_kept",
           "the mask is not on the input's grid (%lldx%lldx%lld, sform code %d, "
           "matrix differs by %g)",
           (long long)m->nx, (long long)m->ny, (long long)m->nz, m->sform_code, diff);
    s->brain_pct = 0;
    return;
  }
  int64_t brain = 0, kept = 0, labelled = 0, changed = 0;
  for (int64_t i = 0; i < s->nvox3; i++) {
    if (!(real_at(m, i) > 0))
      continue;
    brain++;
    labelled += label_at(s, i) != 0;
    changed += s->changed[i];
    kept += label_at(s, i) == 0 && !s->changed[i];
  }
  s->brain_pct = brain ? 100.0 * (double)kept / (double)brain : 0;
  report(s, brain > 0 && kept == brain, "brain_kept",
         "%lld of %lld brain voxels (%.1f mL) kept (%.3f%%); %lld labelled, %lld changed",
         (long long)kept, (long long)brain, (double)brain * fabs(a->dx * a->dy * a->dz) / 1000.0,
         s->brain_pct, (long long)labelled, (long long)changed);
}

/* Label at RAS point P (IN's sform, else qform), or -1 outside the grid. */
static int label_at_ras(const state *s, const double p[3], int64_t ijk[3])
{
  const nifti_image *a = s->in;
  nifti_dmat44 inv = a->sform_code > 0 ? a->sto_ijk : a->qto_ijk;
  const int64_t n[3] = {a->nx, a->ny, a->nz};
  for (int r = 0; r < 3; r++) {
    ijk[r] = (int64_t)floor(inv.m[r][0] * p[0] + inv.m[r][1] * p[1] + inv.m[r][2] * p[2] +
                            inv.m[r][3] + 0.5);
    if (ijk[r] < 0 || ijk[r] >= n[r])
      return -1;
  }
  return label_at(s, ijk[0] + n[0] * (ijk[1] + n[1] * ijk[2]));
}

static void check_points(state *s, const options *o)
{
  int64_t v[3];
  for (int e = 0; e < o->n_eyes; e++) {
    char name[16];
    int l = label_at_ras(s, o->eyes[e], v);
    snprintf(name, sizeof name, "eye_%d", e + 1);
    s->eyes_hit += l == 2;
    report(s, l == 2, name, "(%.1f, %.1f, %.1f) mm -> voxel (%lld, %lld, %lld) label %d%s",
           o->eyes[e][0], o->eyes[e][1], o->eyes[e][2], (long long)v[0], (long long)v[1],
           (long long)v[2], l, l < 0 ? " (outside the grid)" : "");
  }
  if (o->has_nose) {
    int l = label_at_ras(s, o->nose, v);
    s->nose_hit = l == 1 || l == 2;
    report(s, s->nose_hit, "nose", "(%.1f, %.1f, %.1f) mm -> voxel (%lld, %lld, %lld) label %d%s",
           o->nose[0], o->nose[1], o->nose[2], (long long)v[0], (long long)v[1], (long long)v[2], l,
           l < 0 ? " (outside the grid)" : "");
  }
}

static void check_air(state *s, const options *o)
{
  size_t nb = (size_t)s->in->nbyper;
  double sum = 0;
  int64_t n = 0;
  for (int64_t i = 0; i < s->nvox3; i++) {
    if (!s->changed[i] || label_at(s, i) == 0)
      continue;
    for (int64_t t = 0; t < s->nvol; t++) {
      int64_t j = i + t * s->nvox3;
      if (!same_bytes((const char *)s->in->data + j * nb, (const char *)s->out->data + j * nb,
                      nb)) {
        sum += real_at(s->out, j);
        n++;
      }
    }
  }
  double mean = n ? sum / (double)n : NAN;
  report(s, n > 0 && fabs(mean - o->air) <= o->air_tol, "air",
         "mean of %lld changed labelled voxel-timepoints %.1f, expected %.1f +- %.1f", (long long)n,
         mean, o->air, o->air_tol);
}

/* ---- the sidecar ---- */

static char *read_text(const char *path)
{
  FILE *f = fopen(path, "rb");
  char *text = NULL;
  if (f && fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    rewind(f);
    if (size >= 0 && (text = malloc((size_t)size + 1)) != NULL) {
      size_t got = fread(text, 1, (size_t)size, f);
      text[got] = '\0';
    }
  }
  if (f)
    fclose(f);
  return text;
}

/* Reads the [x, y, z] after "KEY" at or after FROM; 0 or -1. */
static int json_point(const char *from, const char *key, double p[3])
{
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char *q = strstr(from, quoted);
  q = q ? strchr(q + strlen(quoted), '[') : NULL;
  for (int a = 0; q && a < 3; a++) {
    char *end;
    p[a] = strtod(q + 1, &end); /* q is at '[' or ',' */
    q = end == q + 1 ? NULL : end + strspn(end, " \t\r\n");
    if (q && *q != (a < 2 ? ',' : ']'))
      q = NULL;
  }
  return q ? 0 : -1;
}

static void check_json(state *s, const options *o)
{
  char *text = read_text(o->json), status[32] = "?";
  const char *st = text ? strstr(text, "\"status\"") : NULL;
  if (st) /* a space in a scanf format matches any white space, or none */
    sscanf(st, "\"status\" : \"%31[^\"]\"", status);
  report(s, !strcmp(status, "defaced"), "json_status", "%s: status \"%s\"", o->json, status);
  const char *eyes = text ? strstr(text, "\"eye_centres_ras_mm\"") : NULL;
  const char *sides[2] = {"right", "left"};
  for (int e = 0; e < 2; e++) {
    double p[3], best = INFINITY;
    char name[24];
    snprintf(name, sizeof name, "json_eye_%s", sides[e]);
    if (!eyes || json_point(eyes, sides[e], p) != 0) {
      report(s, 0, name, "%s: no eye_centres_ras_mm.%s [x, y, z]", o->json, sides[e]);
      continue;
    }
    for (int k = 0; k < o->n_eyes; k++)
      if (!o->eye_sides || k == e)
        best = fmin(best, sqrt(pow(p[0] - o->eyes[k][0], 2) + pow(p[1] - o->eyes[k][1], 2) +
                               pow(p[2] - o->eyes[k][2], 2)));
    if (o->n_eyes == 0) {
      report(s, 1, name, "(%.1f, %.1f, %.1f) mm (no --eye to compare)", p[0], p[1], p[2]);
      continue;
    }
    s->eye_error = isnan(s->eye_error) ? best : fmax(s->eye_error, best);
    report(s, best <= o->eye_tol, name,
           "(%.1f, %.1f, %.1f) mm, %.2f mm from the %s --eye (tolerance %.1f)", p[0], p[1], p[2],
           best, o->eye_sides ? (e ? "second (left)" : "first (right)") : "nearest", o->eye_tol);
  }
  free(text);
}

static void summary(const state *s, const options *o)
{
  char brain[32] = "n/a", nose[8] = "n/a";
  if (o->brain)
    snprintf(brain, sizeof brain, "%.3f%%", s->brain_pct);
  if (o->has_nose)
    snprintf(nose, sizeof nose, "%s", s->nose_hit ? "yes" : "no");
  char eye_error[32] = "n/a";
  if (!isnan(s->eye_error))
    snprintf(eye_error, sizeof eye_error, "%.2f", s->eye_error);
  printf("brain_kept=%s eyes_labelled=%d/%d nose_labelled=%s outside_unchanged=%.3f%% "
         "changed_ml=%.2f eye_error_mm=%s failed=%d\n",
         brain, s->eyes_hit, o->n_eyes, nose, s->outside_pct, s->changed_ml, eye_error,
         s->failures);
}

static void run_checks(state *s, const options *o)
{
  check_header(s);
  check_label(s);
  if (!s->same_grid || !s->label_ok) {
    report(s, 0, "voxels", "output or label not on the input's grid: voxel checks skipped");
    return;
  }
  check_outside(s);
  if (s->brain)
    check_brain(s);
  check_points(s, o);
  if (o->has_air)
    check_air(s, o);
}

int main(int argc, char **argv)
{
  options o;
  state s;
  memset(&s, 0, sizeof s);
  s.eye_error = NAN;
  if (parse_args(argc, argv, &o) != 0)
    return 2;
  nifti_set_debug_level(0);
  s.in = read_image(o.input);
  s.out = s.in ? read_image(o.output) : NULL;
  s.lab = s.out ? read_image(o.label) : NULL;
  s.brain = s.lab && o.brain ? read_image(o.brain) : NULL;
  int rc = 2;
  if (s.lab && (!o.brain || s.brain)) {
    s.nvox3 = s.in->nx * s.in->ny * s.in->nz;
    s.nvol = s.in->nvox / s.nvox3;
    s.changed = calloc((size_t)s.nvox3, 1);
    if (s.changed) {
      run_checks(&s, &o);
      if (o.json)
        check_json(&s, &o);
      summary(&s, &o);
      rc = s.failures ? 1 : 0;
    }
  }
  free(s.changed);
  nifti_image_free(s.in);
  nifti_image_free(s.out);
  nifti_image_free(s.lab);
  nifti_image_free(s.brain);
  return rc;
}

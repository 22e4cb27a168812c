/*
 * make_case - derive an end-to-end test input from a NIfTI file, so the hard cases of Testing/e2e
 * are made from the fetched scans in code. Only nifti_clib and libm: independent of deface.
 *
 *   make_case MODE IN OUT [ARGS] [--points "x,y,z;x,y,z"]
 *   permute P FLIPS    new axis a is old axis P[a] (e.g. 021), flipped where FLIPS[a] is 1 (e.g.
 *                      101); sform and qform keep each voxel's world position: same RAS anatomy
 *   datatype T [S I]   int8 uint8 int16 uint16 int32 uint32 float32 float64, real values kept
 *                      (slope S, inter I; else none if the values fit, else a fitted scaling);
 *                      a value that does not fit is an error, never clamped
 *   slice AXIS INDEX   one slice of voxel axis AXIS (i, j or k);  slab AXIS MM: the centred slab
 *   noise              same header, uniform noise over the input's value range (fixed seed)
 *   fourd N            N time points 2 s apart, point t moved +0.5 mm * t along world x
 *   truncate FRACTION  the file's first FRACTION of bytes (cuts the gzip stream of a .nii.gz)
 *   absurd             a valid NIfTI-1 header claiming 30000^3 voxels, 4 KiB of data (.nii)
 *   rotate AX DEG      the head turned by DEG degrees about RAS axis AX (x pitch, y roll, z yaw)
 *                      around the grid centre, trilinear, header unchanged
 *   pad MM             the grid enlarged by MM on every side (same orientation), new voxels the
 *                      image's minimum: room for rotate to turn the head without cutting it
 *   oblique AX DEG     the head stays in the world; the grid turns by DEG about RAS axis AX through
 *                      its centre (oblique sform and qform), enlarged to cover the original extent
 *   thick AXIS MM      voxel axis AXIS (0 1 2 or i j k) resampled to MM slices: each thick slice
 *                      is the mean of the whole original slices it covers (centred); origin and
 *                      spacing put each thick voxel's centre where those slices' centre was
 *   invert             T2-like contrast: inside the head (largest 6-connected part of a 3x3x3
 *                      mean above 15% of the 99th percentile, enclosed holes filled)
 *                      v -> max(p99 - v, 0); outside unchanged
 * (falloff saturate rician scale cut neck flair resample: make_case_artefacts.c; with --nearest
 *  the intensity artefacts falloff, saturate, rician and flair copy a mask unchanged)
 * --nearest            masks: nearest neighbour in rotate, oblique and fourd; in thick the largest
 *                      covered value (a thick voxel holding any brain is brain)
 * --points prints each RAS point's place in the new case ("x y z" a line; only rotate moves them).
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nifti2_io.h>

#include "make_case.h"

int fail(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, PROG ": ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  return -1;
}

/* ---- voxel values ---- */

/* The scalar types this tool reads and writes. */

static const type_info TYPES[] = {{"int8", DT_INT8, 1, -128, 127},
                                  {"uint8", DT_UINT8, 1, 0, 255},
                                  {"int16", DT_INT16, 1, -32768, 32767},
                                  {"uint16", DT_UINT16, 1, 0, 65535},
                                  {"int32", DT_INT32, 1, -2147483648.0, 2147483647.0},
                                  {"uint32", DT_UINT32, 1, 0, 4294967295.0},
                                  {"float32", DT_FLOAT32, 0, -3.4e38, 3.4e38},
                                  {"float64", DT_FLOAT64, 0, -1.7e308, 1.7e308}};

/* The entry for datatype DT, or for the type named NAME when NAME is not NULL; NULL if none. */
const type_info *type_of(int dt, const char *name)
{
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (name ? !strcmp(name, TYPES[i].name) : dt == TYPES[i].dt)
      return &TYPES[i];
  return NULL;
}

double raw_at(const void *data, int dt, int64_t i)
{
  switch (dt) {
  case DT_INT8:
    return ((const int8_t *)data)[i];
  case DT_UINT8:
    return ((const uint8_t *)data)[i];
  case DT_INT16:
    return ((const int16_t *)data)[i];
  case DT_UINT16:
    return ((const uint16_t *)data)[i];
  case DT_INT32:
    return ((const int32_t *)data)[i];
  case DT_UINT32:
    return ((const uint32_t *)data)[i];
  case DT_FLOAT32:
    return ((const float *)data)[i];
  default:
    return ((const double *)data)[i];
  }
}

/* Stores V (already rounded for integer types; the caller checked the range). */
void raw_put(void *data, int dt, int64_t i, double v)
{
  switch (dt) {
  case DT_INT8:
    ((int8_t *)data)[i] = (int8_t)v;
    break;
  case DT_UINT8:
    ((uint8_t *)data)[i] = (uint8_t)v;
    break;
  case DT_INT16:
    ((int16_t *)data)[i] = (int16_t)v;
    break;
  case DT_UINT16:
    ((uint16_t *)data)[i] = (uint16_t)v;
    break;
  case DT_INT32:
    ((int32_t *)data)[i] = (int32_t)v;
    break;
  case DT_UINT32:
    ((uint32_t *)data)[i] = (uint32_t)v;
    break;
  case DT_FLOAT32:
    ((float *)data)[i] = (float)v;
    break;
  default:
    ((double *)data)[i] = v;
    break;
  }
}

/* NIfTI: slope 0 (or not finite) means no scaling. */
int has_scaling(const nifti_image *im)
{
  return im->scl_slope != 0 && isfinite(im->scl_slope);
}

double real_at(const nifti_image *im, int64_t i)
{
  double v = raw_at(im->data, im->datatype, i);
  return has_scaling(im) ? v * im->scl_slope + im->scl_inter : v;
}

/* V rounded for an integer type and held in T's range (reached only by values computed from
 * in-range ones: interpolants, the noise range, the darkest value). */
double to_type(const type_info *t, double v)
{
  v = t->is_int ? nearbyint(v) : v;
  return v < t->lo ? t->lo : v > t->hi ? t->hi : v;
}

/* Raw value for real value R in IM's type and scaling. */
double raw_for(const nifti_image *im, double r)
{
  double v = has_scaling(im) ? (r - im->scl_inter) / im->scl_slope : r;
  return to_type(type_of(im->datatype, NULL), v);
}

void real_range(const nifti_image *im, double *lo, double *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int64_t i = 0; i < im->nvox; i++) {
    *lo = fmin(*lo, real_at(im, i));
    *hi = fmax(*hi, real_at(im, i));
  }
}

/* ---- geometry ---- */

/* The voxel-to-world matrix by NIfTI's rules: sform, else qform (the reader fills pixdim). */
nifti_dmat44 world_of(const nifti_image *im)
{
  return im->sform_code > 0 ? im->sto_xyz : im->qto_xyz;
}

/* Sets OUT's sform, qform and pixdim so that OUT voxel v sits where IN voxel T v sat. The qform
 * is written from the quaternion fields (pixdim[0] = qfac), the sform from sto_xyz. */
void set_grid(nifti_image *out, const nifti_image *in, nifti_dmat44 t)
{
  double dx, dy, dz, qfac;
  out->sto_xyz = nifti_dmat44_mul(in->sto_xyz, t);
  out->qto_xyz = nifti_dmat44_mul(in->qto_xyz, t);
  nifti_dmat44_to_quatern(out->qto_xyz, &out->quatern_b, &out->quatern_c, &out->quatern_d,
                          &out->qoffset_x, &out->qoffset_y, &out->qoffset_z, &dx, &dy, &dz, &qfac);
  out->qfac = qfac;
  out->dx = out->pixdim[1] = dx;
  out->dy = out->pixdim[2] = dy;
  out->dz = out->pixdim[3] = dz;
}

const nifti_dmat44 IDENTITY = {{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}};

/* A copy of IN's header (same grid and type) with zeroed data. */
nifti_image *blank_copy(const nifti_image *in)
{
  nifti_image *out = nifti_copy_nim_info(in);
  if (out && !(out->data = calloc((size_t)out->nvox, (size_t)out->nbyper))) {
    nifti_image_free(out);
    out = NULL;
  }
  return out;
}

/* A header like IN's with spatial dims N and NT time points, data zeroed. */
nifti_image *new_like(const nifti_image *in, const int64_t n[3], int64_t nt)
{
  nifti_image hdr = *in; /* shallow: blank_copy deep-copies what it keeps */
  for (int d = 0; d < 3; d++)
    hdr.dim[d + 1] = n[d];
  hdr.dim[4] = nt;
  hdr.dim[5] = hdr.dim[6] = hdr.dim[7] = 1;
  hdr.dim[0] = nt > 1 ? 4 : 3;
  nifti_update_dims_from_array(&hdr);
  return blank_copy(&hdr);
}

int64_t n_volumes(const nifti_image *im)
{
  return im->nvox / (im->nx * im->ny * im->nz);
}

static int write_image(nifti_image *im, const char *path)
{
  if (nifti_set_filenames(im, path, 0, 1) != 0)
    return fail("%s: not a NIfTI file name", path);
  nifti_image_write(im);
  nifti_image *back = nifti_image_read(path, 0); /* nifti_image_write reports no errors */
  if (!back)
    return fail("%s: could not be written", path);
  nifti_image_free(back);
  return 0;
}

/* ---- modes ---- */

static nifti_image *mode_permute(const nifti_image *in, const char *perm, const char *flips)
{
  int p[3], f[3], seen[3] = {0, 0, 0};
  const int64_t nin[3] = {in->nx, in->ny, in->nz};
  if (strlen(perm) != 3 || strlen(flips) != 3)
    return fail("permute: P and FLIPS are 3 characters, e.g. 021 101"), NULL;
  for (int a = 0; a < 3; a++) {
    p[a] = perm[a] - '0';
    f[a] = flips[a] - '0';
    if (p[a] < 0 || p[a] > 2 || seen[p[a]]++ || (f[a] != 0 && f[a] != 1))
      return fail("permute: '%s %s' is not a permutation of 012 and a 0/1 mask", perm, flips), NULL;
  }
  int64_t n[3] = {nin[p[0]], nin[p[1]], nin[p[2]]};
  nifti_image *out = new_like(in, n, n_volumes(in));
  if (!out)
    return fail("out of memory"), NULL;
  nifti_dmat44 t = {{{0}}}; /* new voxel -> old voxel */
  t.m[3][3] = 1;
  for (int a = 0; a < 3; a++) {
    t.m[p[a]][a] = f[a] ? -1 : 1;
    t.m[p[a]][3] = f[a] ? (double)(n[a] - 1) : 0;
  }
  set_grid(out, in, t);
  int *info[3] = {&out->freq_dim, &out->phase_dim, &out->slice_dim};
  for (int d = 0; d < 3; d++) /* the 1-based axis codes follow their axes */
    for (int a = 0, old = *info[d]; a < 3; a++)
      *info[d] = old == p[a] + 1 ? a + 1 : *info[d];
  size_t nb = (size_t)in->nbyper;
  for (int64_t v = 0; v < n_volumes(in); v++)
    for (int64_t k = 0; k < n[2]; k++)
      for (int64_t j = 0; j < n[1]; j++)
        for (int64_t i = 0; i < n[0]; i++) {
          int64_t c[3] = {i, j, k}, o[3];
          for (int a = 0; a < 3; a++)
            o[p[a]] = f[a] ? n[a] - 1 - c[a] : c[a];
          int64_t src = o[0] + nin[0] * (o[1] + nin[1] * (o[2] + nin[2] * v));
          int64_t dst = i + n[0] * (j + n[1] * (k + n[2] * v));
          memcpy((char *)out->data + dst * nb, (const char *)in->data + src * nb, nb);
        }
  return out;
}

/* No scaling when every real value is a whole number the type holds; else spread the range. */
static void choose_scaling(const nifti_image *in, int dt, double *slope, double *inter)
{
  const type_info *t = type_of(dt, NULL);
  double rlo, rhi;
  int whole = 1;
  real_range(in, &rlo, &rhi);
  for (int64_t i = 0; whole && i < in->nvox; i++)
    whole = real_at(in, i) == nearbyint(real_at(in, i));
  *slope = *inter = 0;
  if (t->is_int && !(whole && rlo >= t->lo && rhi <= t->hi)) {
    *slope = rhi > rlo ? (rhi - rlo) / (t->hi - t->lo) : 1;
    *inter = rlo - t->lo * *slope;
  }
}

static nifti_image *mode_datatype(const nifti_image *in, int argc, char **argv)
{
  const type_info *t = argc >= 1 ? type_of(0, argv[0]) : NULL;
  double slope, inter;
  if (!t || (argc != 1 && argc != 3))
    return fail("datatype: T [SLOPE INTER], T one of int8 uint8 int16 uint16 int32 uint32 "
                "float32 float64"),
           NULL;
  if (argc == 3) {
    slope = atof(argv[1]);
    inter = atof(argv[2]);
    if (slope == 0 || !isfinite(slope) || !isfinite(inter))
      return fail("datatype: SLOPE must be a non-zero number"), NULL;
  } else {
    choose_scaling(in, t->dt, &slope, &inter);
  }
  nifti_image hdr = *in, *out;
  hdr.datatype = t->dt;
  nifti_datatype_sizes(t->dt, &hdr.nbyper, &hdr.swapsize);
  hdr.scl_slope = slope;
  hdr.scl_inter = inter;
  if (!(out = blank_copy(&hdr)))
    return fail("out of memory"), NULL;
  for (int64_t i = 0; i < in->nvox; i++) {
    double r = real_at(in, i), v = slope != 0 ? (r - inter) / slope : r;
    v = t->is_int ? nearbyint(v) : v;
    if (!(v >= t->lo && v <= t->hi)) {
      fail("datatype: value %g at voxel %lld does not fit %s (slope %g inter %g)", r, (long long)i,
           argv[0], slope, inter);
      nifti_image_free(out);
      return NULL;
    }
    raw_put(out->data, t->dt, i, v);
  }
  return out;
}

/* The box LO..LO+N-1 of IN's voxels, all time points. */
nifti_image *crop(const nifti_image *in, const int64_t lo[3], const int64_t n[3])
{
  nifti_image *out = new_like(in, n, n_volumes(in));
  if (!out)
    return fail("out of memory"), NULL;
  nifti_dmat44 t = IDENTITY;
  for (int a = 0; a < 3; a++)
    t.m[a][3] = (double)lo[a];
  set_grid(out, in, t);
  size_t row = (size_t)(n[0] * in->nbyper);
  for (int64_t v = 0; v < n_volumes(in); v++)
    for (int64_t k = 0; k < n[2]; k++)
      for (int64_t j = 0; j < n[1]; j++) {
        int64_t src = lo[0] + in->nx * (lo[1] + j + in->ny * (lo[2] + k + in->nz * v));
        int64_t dst = n[0] * (j + n[1] * (k + n[2] * v));
        memcpy((char *)out->data + dst * in->nbyper, (const char *)in->data + src * in->nbyper,
               row);
      }
  return out;
}

static nifti_image *mode_slice_or_slab(const nifti_image *in, int slab, const char *axis,
                                       const char *arg)
{
  const char *ax = strlen(axis) == 1 ? strchr("ijk", axis[0]) : NULL;
  int a = ax ? (int)(ax - "ijk") : -1;
  int64_t lo[3] = {0, 0, 0}, n[3] = {in->nx, in->ny, in->nz};
  double pix[3] = {in->dx, in->dy, in->dz};
  if (a < 0)
    return fail("%s: AXIS is i, j or k", slab ? "slab" : "slice"), NULL;
  if (slab) {
    double mm = atof(arg);
    int64_t keep = (int64_t)llround(mm / fabs(pix[a]));
    if (!(mm > 0) || keep < 1 || keep > n[a])
      return fail("slab: %s mm is not a thickness within the grid", arg), NULL;
    lo[a] = (n[a] - keep) / 2;
    n[a] = keep;
  } else {
    char *end;
    long idx = strtol(arg, &end, 10);
    if (*end || idx < 0 || idx >= n[a])
      return fail("slice: INDEX %s is outside 0..%lld", arg, (long long)n[a] - 1), NULL;
    lo[a] = idx;
    n[a] = 1;
  }
  return crop(in, lo, n);
}

static nifti_image *mode_noise(const nifti_image *in)
{
  double lo, hi;
  uint64_t s = 0x9E3779B97F4A7C15ull; /* fixed seed: the same phantom every run */
  nifti_image *out = blank_copy(in);
  if (!out)
    return fail("out of memory"), NULL;
  real_range(in, &lo, &hi);
  for (int64_t i = 0; i < out->nvox; i++) {
    s ^= s << 13; /* xorshift64 */
    s ^= s >> 7;
    s ^= s << 17;
    double u = (double)(s >> 11) / 9007199254740992.0;
    raw_put(out->data, out->datatype, i, raw_for(out, lo + u * (hi - lo)));
  }
  snprintf(out->descrip, sizeof out->descrip, "make_case noise phantom");
  return out;
}

/* Trilinear (or, when NEAREST, nearest-neighbour) sample of IN's raw values (first volume) at
 * voxel (x,y,z); corners outside the grid take BG, or the nearest edge voxel when BG is NAN. */
double sample(const nifti_image *in, const double p[3], double bg, int nearest)
{
  const int64_t n[3] = {in->nx, in->ny, in->nz};
  int64_t b[3];
  double w[3], sum = 0;
  for (int a = 0; a < 3; a++) {
    b[a] = (int64_t)floor(nearest ? p[a] + 0.5 : p[a]);
    w[a] = nearest ? 0 : p[a] - (double)b[a];
  }
  for (int c = 0; c < (nearest ? 1 : 8); c++) {
    double wt = 1;
    int64_t q[3];
    int outside = 0;
    for (int a = 0; a < 3; a++) {
      int up = (c >> a) & 1;
      wt *= up ? w[a] : 1 - w[a];
      q[a] = b[a] + up;
      if (q[a] < 0 || q[a] >= n[a]) {
        outside = 1;
        q[a] = q[a] < 0 ? 0 : n[a] - 1;
      }
    }
    double v = outside && !isnan(bg)
                   ? bg
                   : raw_at(in->data, in->datatype, q[0] + n[0] * (q[1] + n[1] * q[2]));
    sum += wt * v;
  }
  return sum;
}

/* Fills volume VOL of OUT (IN's type and scaling) with IN's volume 0 sampled at M * voxel. */
static void resample(nifti_image *out, int64_t vol, const nifti_image *in, nifti_dmat44 m,
                     double bg, int nearest)
{
  const type_info *t = type_of(in->datatype, NULL);
  int64_t i = vol * out->nx * out->ny * out->nz;
  for (int64_t z = 0; z < out->nz; z++)
    for (int64_t y = 0; y < out->ny; y++)
      for (int64_t x = 0; x < out->nx; x++, i++) {
        double p[3];
        for (int a = 0; a < 3; a++)
          p[a] = m.m[a][0] * x + m.m[a][1] * y + m.m[a][2] * z + m.m[a][3];
        raw_put(out->data, out->datatype, i, to_type(t, sample(in, p, bg, nearest)));
      }
}

static nifti_image *mode_fourd(const nifti_image *in, const char *arg, int nearest)
{
  long nt = atol(arg);
  if (nt < 2 || nt > 100 || n_volumes(in) != 1)
    return fail("fourd: N must be 2..100 and the input 3D"), NULL;
  const int64_t n[3] = {in->nx, in->ny, in->nz};
  nifti_image *out = new_like(in, n, nt);
  if (!out)
    return fail("out of memory"), NULL;
  out->dt = out->pixdim[4] = 2.0;
  out->time_units = NIFTI_UNITS_SEC;
  nifti_dmat44 inv = nifti_dmat44_inverse(world_of(in));
  for (long t = 0; t < nt; t++) { /* out(p) = in(p - s e_x): the head moves by +s along x */
    nifti_dmat44 m = IDENTITY;
    for (int a = 0; a < 3; a++)
      m.m[a][3] = -0.5 * (double)t * inv.m[a][0];
    resample(out, t, in, m, NAN, nearest);
  }
  return out;
}

/* World rotation by DEG about AXIS (right-handed: x turns y to z, z turns x to y) around the
 * grid centre c: p' = c + R (p - c). */
static nifti_dmat44 world_rotation(const nifti_image *in, int axis, double deg)
{
  nifti_dmat44 a = world_of(in), r = IDENTITY, t = IDENTITY, back = IDENTITY;
  int u = (axis + 1) % 3, v = (axis + 2) % 3;
  r.m[u][u] = r.m[v][v] = cos(deg * PI / 180);
  r.m[v][u] = sin(deg * PI / 180);
  r.m[u][v] = -r.m[v][u];
  double mid[3] = {(in->nx - 1) / 2.0, (in->ny - 1) / 2.0, (in->nz - 1) / 2.0};
  for (int i = 0; i < 3; i++) {
    double c = a.m[i][0] * mid[0] + a.m[i][1] * mid[1] + a.m[i][2] * mid[2] + a.m[i][3];
    t.m[i][3] = c;
    back.m[i][3] = -c;
  }
  return nifti_dmat44_mul(t, nifti_dmat44_mul(r, back));
}

static nifti_image *mode_rotate(const nifti_image *in, const char *axis, const char *deg,
                                int nearest)
{
  const char *p = strlen(axis) == 1 ? strchr("xyz", axis[0]) : NULL;
  double lo, hi, d = atof(deg);
  if (!p || n_volumes(in) != 1 || !(fabs(d) <= 180))
    return fail("rotate: AX is x, y or z, DEG within +-180, the input 3D"), NULL;
  nifti_image *out = blank_copy(in);
  if (!out)
    return fail("out of memory"), NULL;
  real_range(in, &lo, &hi);
  /* out voxel v shows the input at world R^-1 applied to its position */
  nifti_dmat44 w = world_of(in),
               rinv = nifti_dmat44_inverse(world_rotation(in, (int)(p - "xyz"), d));
  nifti_dmat44 m = nifti_dmat44_mul(nifti_dmat44_inverse(w), nifti_dmat44_mul(rinv, w));
  resample(out, 0, in, m, raw_for(in, lo), nearest); /* outside the old grid: the darkest, air */
  return out;
}

/* ---- pad, oblique, thick, invert ---- */

static nifti_image *mode_pad(const nifti_image *in, const char *arg)
{
  double mm = atof(arg), lo, hi, pix[3] = {in->dx, in->dy, in->dz};
  int64_t p[3], n[3] = {in->nx, in->ny, in->nz};
  if (!(mm > 0 && mm <= 500))
    return fail("pad: MM must be within 0..500"), NULL;
  nifti_dmat44 t = IDENTITY; /* new voxel -> old voxel */
  for (int a = 0; a < 3; a++) {
    p[a] = (int64_t)llround(mm / fabs(pix[a]));
    n[a] += 2 * p[a];
    t.m[a][3] = -(double)p[a];
  }
  if ((double)n[0] * (double)n[1] * (double)n[2] * (double)n_volumes(in) > 1e9)
    return fail("pad: the padded grid would exceed 1e9 voxels"), NULL;
  nifti_image *out = new_like(in, n, n_volumes(in));
  if (!out)
    return fail("out of memory"), NULL;
  set_grid(out, in, t);
  real_range(in, &lo, &hi);
  double bg = raw_for(in, lo); /* the darkest value: air */
  for (int64_t i = 0; i < out->nvox; i++)
    raw_put(out->data, out->datatype, i, bg);
  size_t nb = (size_t)in->nbyper, row = (size_t)in->nx * nb;
  for (int64_t v = 0; v < n_volumes(in); v++)
    for (int64_t k = 0; k < in->nz; k++)
      for (int64_t j = 0; j < in->ny; j++) {
        int64_t src = in->nx * (j + in->ny * (k + in->nz * v));
        int64_t dst = p[0] + n[0] * (j + p[1] + n[1] * (k + p[2] + n[2] * v));
        memcpy((char *)out->data + dst * nb, (const char *)in->data + src * nb, row);
      }
  return out;
}

/* The voxel axis named by TEXT (0 1 2 or i j k), or -1. */
static int voxel_axis(const char *text)
{
  const char *p = strlen(text) == 1 ? strchr("012ijk", text[0]) : NULL;
  return p ? (int)(p - "012ijk") % 3 : -1;
}

static nifti_image *mode_oblique(const nifti_image *in, const char *axis, const char *deg,
                                 int nearest)
{
  const char *p = strlen(axis) == 1 ? strchr("xyz", axis[0]) : NULL;
  double lo, hi, d = atof(deg);
  if (!p || n_volumes(in) != 1 || !(fabs(d) <= 180))
    return fail("oblique: AX is x, y or z, DEG within +-180, the input 3D"), NULL;
  /* grid voxel u lies at world R W u; it shows the input voxel M u = W^-1 R W u */
  nifti_dmat44 w = world_of(in), r = world_rotation(in, (int)(p - "xyz"), d);
  nifti_dmat44 m = nifti_dmat44_mul(nifti_dmat44_inverse(w), nifti_dmat44_mul(r, w));
  nifti_dmat44 minv = nifti_dmat44_inverse(m);
  double blo[3] = {INFINITY, INFINITY, INFINITY}, bhi[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (int c = 0; c < 8; c++) { /* the new grid's box around the old grid's corners */
    double q[3] = {(c & 1) ? in->nx - 1.0 : 0, (c & 2) ? in->ny - 1.0 : 0,
                   (c & 4) ? in->nz - 1.0 : 0};
    for (int a = 0; a < 3; a++) {
      double v = minv.m[a][0] * q[0] + minv.m[a][1] * q[1] + minv.m[a][2] * q[2] + minv.m[a][3];
      blo[a] = fmin(blo[a], v);
      bhi[a] = fmax(bhi[a], v);
    }
  }
  int64_t n[3];
  nifti_dmat44 t = IDENTITY;
  for (int a = 0; a < 3; a++) {
    t.m[a][3] = floor(blo[a] + 1e-6);
    n[a] = (int64_t)ceil(bhi[a] - 1e-6) - (int64_t)t.m[a][3] + 1;
  }
  nifti_image *out = new_like(in, n, 1);
  if (!out)
    return fail("out of memory"), NULL;
  m = nifti_dmat44_mul(m, t);
  set_grid(out, in, m);
  real_range(in, &lo, &hi);
  resample(out, 0, in, m, raw_for(in, lo), nearest);
  return out;
}

static nifti_image *mode_thick(const nifti_image *in, const char *axis, const char *arg,
                               int nearest)
{
  int a = voxel_axis(axis);
  int64_t n[3] = {in->nx, in->ny, in->nz}, nin[3] = {in->nx, in->ny, in->nz};
  double pix[3] = {in->dx, in->dy, in->dz};
  if (a < 0)
    return fail("thick: AXIS is 0, 1, 2 (or i, j, k)"), NULL;
  double ratio = atof(arg) / fabs(pix[a]);
  int64_t f = (int64_t)llround(ratio);
  if (!(f >= 2 && f <= nin[a] && fabs(ratio - (double)f) < 1e-3))
    return fail("thick: %s mm is not a whole multiple (2 or more, within the grid) of the "
                "%g mm spacing of axis %d",
                arg, fabs(pix[a]), a),
           NULL;
  n[a] = nin[a] / f;
  int64_t s0 = (nin[a] - n[a] * f) / 2; /* leftover slices split between both ends */
  nifti_dmat44 t = IDENTITY;            /* thick voxel u: centre of old slices s0+fu..s0+fu+f-1 */
  t.m[a][a] = (double)f;
  t.m[a][3] = (double)s0 + ((double)f - 1) / 2;
  nifti_image *out = new_like(in, n, n_volumes(in));
  if (!out)
    return fail("out of memory"), NULL;
  set_grid(out, in, t);
  int64_t stride[3] = {1, nin[0], nin[0] * nin[1]}, i = 0;
  for (int64_t v = 0; v < n_volumes(in); v++)
    for (int64_t z = 0; z < n[2]; z++)
      for (int64_t y = 0; y < n[1]; y++)
        for (int64_t x = 0; x < n[0]; x++, i++) {
          int64_t c[3] = {x, y, z};
          c[a] = s0 + f * c[a];
          int64_t src = c[0] + stride[1] * c[1] + stride[2] * c[2] + v * stride[2] * nin[2];
          double sum = 0, top = -INFINITY;
          for (int64_t s = 0; s < f; s++) {
            double r = real_at(in, src + s * stride[a]);
            sum += r;
            top = fmax(top, r);
          }
          raw_put(out->data, out->datatype, i, raw_for(out, nearest ? top : sum / (double)f));
        }
  return out;
}

int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Marks in REACHED every voxel 6-connected to SEED through voxels where PASS is set (breadth
 * first; QUEUE holds nvox entries). Returns the number marked. */
static int64_t flood(const int64_t n[3], const unsigned char *pass, unsigned char *reached,
                     int64_t *queue, int64_t seed)
{
  int64_t head = 0, tail = 0;
  const int64_t step[3] = {1, n[0], n[0] * n[1]};
  reached[seed] = 1;
  queue[tail++] = seed;
  while (head < tail) {
    int64_t i = queue[head++], c[3] = {i % n[0], (i / n[0]) % n[1], i / (n[0] * n[1])};
    for (int d = 0; d < 6; d++) {
      int a = d / 2, up = d % 2;
      if (up ? c[a] + 1 >= n[a] : c[a] == 0)
        continue;
      int64_t j = up ? i + step[a] : i - step[a];
      if (pass[j] && !reached[j]) {
        reached[j] = 1;
        queue[tail++] = j;
      }
    }
  }
  return tail;
}

/* The head: the largest 6-connected part of the 3x3x3 mean above LEVEL, plus every voxel not
 * connected to the grid's border through the rest (enclosed holes). 1 = head, in a new buffer. */
unsigned char *head_mask(const nifti_image *in, double level)
{
  const int64_t n[3] = {in->nx, in->ny, in->nz}, nv = n[0] * n[1] * n[2];
  unsigned char *above = calloc((size_t)nv, 1), *mark = calloc((size_t)nv, 1);
  int64_t *queue = malloc((size_t)nv * sizeof *queue), best_size = 0, best_seed = -1;
  if (!above || !mark || !queue) {
    fail("out of memory");
    goto done;
  }
  for (int64_t z = 0, i = 0; z < n[2]; z++)
    for (int64_t y = 0; y < n[1]; y++)
      for (int64_t x = 0; x < n[0]; x++, i++) {
        double sum = 0;
        int count = 0;
        for (int64_t dz = z ? -1 : 0; dz <= (z + 1 < n[2]); dz++)
          for (int64_t dy = y ? -1 : 0; dy <= (y + 1 < n[1]); dy++)
            for (int64_t dx = x ? -1 : 0; dx <= (x + 1 < n[0]); dx++, count++)
              sum += real_at(in, i + dx + n[0] * (dy + n[1] * dz));
        above[i] = sum / count > level;
      }
  for (int64_t i = 0; i < nv; i++) /* each part once: remember the largest's seed */
    if (above[i] && !mark[i]) {
      int64_t size = flood(n, above, mark, queue, i);
      if (size > best_size) {
        best_size = size;
        best_seed = i;
      }
    }
  if (best_seed < 0) {
    fail("invert: nothing above %g", level);
    goto done;
  }
  memset(mark, 0, (size_t)nv);
  flood(n, above, mark, queue, best_seed);
  for (int64_t i = 0; i < nv; i++) /* ABOVE: not the head (passable for the outside flood) */
    above[i] = !mark[i];
  memset(mark, 0, (size_t)nv); /* MARK: outside, reached from the border */
  for (int64_t z = 0, i = 0; z < n[2]; z++)
    for (int64_t y = 0; y < n[1]; y++)
      for (int64_t x = 0; x < n[0]; x++, i++)
        if ((x == 0 || y == 0 || z == 0 || x == n[0] - 1 || y == n[1] - 1 || z == n[2] - 1) &&
            above[i] && !mark[i])
          flood(n, above, mark, queue, i);
  for (int64_t i = 0; i < nv; i++)
    above[i] = !mark[i];
done:
  free(mark);
  free(queue);
  if (best_seed < 0 || !queue) {
    free(above);
    above = NULL;
  }
  return above;
}

static nifti_image *mode_invert(const nifti_image *in)
{
  if (n_volumes(in) != 1)
    return fail("invert: the input must be 3D"), NULL;
  double *sorted = malloc((size_t)in->nvox * sizeof *sorted);
  nifti_image *out = blank_copy(in);
  unsigned char *head = NULL;
  if (!sorted || !out)
    goto fail;
  for (int64_t i = 0; i < in->nvox; i++)
    sorted[i] = real_at(in, i);
  qsort(sorted, (size_t)in->nvox, sizeof *sorted, cmp_double);
  double p99 = sorted[(int64_t)(0.99 * (double)(in->nvox - 1))];
  if (!(head = head_mask(in, 0.15 * p99))) {
    free(sorted);
    nifti_image_free(out);
    return NULL;
  }
  memcpy(out->data, in->data, (size_t)in->nvox * (size_t)in->nbyper);
  for (int64_t i = 0; i < in->nvox; i++)
    if (head[i])
      raw_put(out->data, out->datatype, i, raw_for(out, fmax(p99 - real_at(in, i), 0)));
  free(sorted);
  free(head);
  return out;
fail:
  free(sorted);
  nifti_image_free(out);
  return fail("out of memory"), NULL;
}

static int mode_truncate(const char *in, const char *out, const char *arg)
{
  double f = atof(arg);
  if (!(f > 0 && f < 1))
    return fail("truncate: FRACTION must be between 0 and 1");
  FILE *fi = fopen(in, "rb");
  if (!fi)
    return fail("%s: cannot open", in);
  fseek(fi, 0, SEEK_END);
  long size = ftell(fi), keep = (long)(f * (double)size);
  rewind(fi);
  char *buf = malloc((size_t)size + 1);
  size_t got = buf ? fread(buf, 1, (size_t)size, fi) : 0;
  fclose(fi);
  FILE *fo = got == (size_t)size ? fopen(out, "wb") : NULL;
  int ok = fo && fwrite(buf, 1, (size_t)keep, fo) == (size_t)keep;
  ok = fo && fclose(fo) == 0 && ok;
  free(buf);
  return ok ? 0 : fail("%s: cannot copy %ld bytes to %s", in, keep, out);
}

static int mode_absurd(const char *out)
{
  nifti_1_header h;
  char zeros[4096] = {0};
  size_t len = strlen(out);
  if (len < 4 || strcmp(out + len - 4, ".nii"))
    return fail("absurd: OUT must end in .nii");
  memset(&h, 0, sizeof h);
  h.sizeof_hdr = 348;
  for (int d = 0; d < 8; d++) {
    h.dim[d] = d == 0 ? 3 : d <= 3 ? 30000 : 1;
    h.pixdim[d] = 1;
  }
  h.datatype = DT_UINT8;
  h.bitpix = 8;
  h.vox_offset = 352;
  h.xyzt_units = NIFTI_UNITS_MM;
  h.sform_code = NIFTI_XFORM_SCANNER_ANAT;
  h.srow_x[0] = h.srow_y[1] = h.srow_z[2] = 1;
  memcpy(h.magic, "n+1", 4);
  FILE *f = fopen(out, "wb");
  int ok = f && fwrite(&h, sizeof h, 1, f) == 1 && fwrite(zeros, 1, 4, f) == 4 &&
           fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros;
  ok = f && fclose(f) == 0 && ok;
  return ok ? 0 : fail("%s: cannot write", out);
}

/* Prints each point of "x,y,z;x,y,z" moved by the world map M. */
static int print_points(const char *spec, nifti_dmat44 m)
{
  for (const char *s = spec; *s;) {
    double p[3];
    int used = 0;
    if (sscanf(s, "%lf,%lf,%lf%n", &p[0], &p[1], &p[2], &used) != 3 || (s[used] && s[used] != ';'))
      return fail("--points: '%s' is not \"x,y,z;x,y,z\"", spec);
    for (int a = 0; a < 3; a++)
      printf(a < 2 ? "%.3f " : "%.3f\n",
             m.m[a][0] * p[0] + m.m[a][1] * p[1] + m.m[a][2] * p[2] + m.m[a][3]);
    s += used + (s[used] == ';');
  }
  return 0;
}

/* Number of ARGS each MODE takes (-1: datatype's 1 or 3); -2 for an unknown MODE. */
static int args_of(const char *mode)
{
  static const struct {
    const char *mode;
    int nargs;
  } MODES[] = {{"permute", 2}, {"datatype", -1}, {"slice", 2},  {"slab", 2},    {"noise", 0},
               {"fourd", 1},   {"truncate", 1},  {"absurd", 0}, {"rotate", 2},  {"pad", 1},
               {"oblique", 2}, {"thick", 2},     {"invert", 0}, {"falloff", 2}, {"saturate", 1},
               {"rician", 1},  {"scale", 1},     {"cut", 2},    {"neck", 1},    {"flair", 0},
               {"resample", 3}};
  for (size_t i = 0; i < sizeof MODES / sizeof MODES[0]; i++)
    if (!strcmp(mode, MODES[i].mode))
      return MODES[i].nargs;
  return -2;
}

static nifti_image *derive(const nifti_image *in, const char *mode, char **args, int nearest)
{
  if (!strcmp(mode, "permute"))
    return mode_permute(in, args[0], args[1]);
  if (!strcmp(mode, "slice") || !strcmp(mode, "slab"))
    return mode_slice_or_slab(in, !strcmp(mode, "slab"), args[0], args[1]);
  if (!strcmp(mode, "noise"))
    return mode_noise(in);
  if (!strcmp(mode, "fourd"))
    return mode_fourd(in, args[0], nearest);
  if (!strcmp(mode, "pad"))
    return mode_pad(in, args[0]);
  if (!strcmp(mode, "oblique"))
    return mode_oblique(in, args[0], args[1], nearest);
  if (!strcmp(mode, "thick"))
    return mode_thick(in, args[0], args[1], nearest);
  if (!strcmp(mode, "invert"))
    return mode_invert(in);
  /* Intensity artefacts leave a mask (--nearest) as it is. */
  int intensity_only = !strcmp(mode, "falloff") || !strcmp(mode, "saturate") ||
                       !strcmp(mode, "rician") || !strcmp(mode, "flair");
  if (intensity_only && nearest) {
    nifti_image *out = blank_copy(in);
    if (out)
      memcpy(out->data, in->data, (size_t)in->nvox * (size_t)in->nbyper);
    return out;
  }
  if (!strcmp(mode, "falloff"))
    return mode_falloff(in, args[0], args[1]);
  if (!strcmp(mode, "saturate"))
    return mode_saturate(in, args[0]);
  if (!strcmp(mode, "rician"))
    return mode_rician(in, args[0]);
  if (!strcmp(mode, "cut"))
    return mode_cut(in, args[0], args[1]);
  if (!strcmp(mode, "neck"))
    return mode_neck(in, args[0]);
  if (!strcmp(mode, "flair"))
    return mode_flair(in);
  if (!strcmp(mode, "resample"))
    return mode_resample(in, args[0], args[1], args[2]);
  return mode_rotate(in, args[0], args[1], nearest);
}

int main(int argc, char **argv)
{
  const char *points = NULL;
  int nearest = 0, argn = 0;
  char **arg = calloc((size_t)argc + 1, sizeof *arg); /* argv without the options */
  if (!arg)
    return fail("out of memory"), 1;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--nearest"))
      nearest = 1;
    else if (!strcmp(argv[i], "--points") && i + 1 < argc)
      points = argv[++i];
    else
      arg[argn++] = argv[i];
  }
  int nargs = argn >= 4 ? args_of(arg[1]) : -2;
  if (nargs == -2 || (nargs >= 0 && argn - 4 != nargs)) {
    fprintf(stderr, "usage: " PROG " permute|datatype|slice|slab|noise|fourd|truncate|absurd|"
                    "rotate|pad|oblique|thick|invert|falloff|saturate|rician|scale|cut|neck|flair|"
                    "resample IN OUT [ARGS] [--nearest] "
                    "[--points \"x,y,z;...\"]\n");
    free(arg);
    return 2;
  }
  const char *mode = arg[1], *inpath = arg[2], *outpath = arg[3];
  int rc = 1;
  nifti_image *in = NULL, *out = NULL;
  nifti_dmat44 moved = IDENTITY; /* where the points go */
  if (!strcmp(mode, "truncate")) {
    rc = mode_truncate(inpath, outpath, arg[4]) ? 1 : 0;
    goto done;
  }
  if (!strcmp(mode, "absurd")) {
    rc = mode_absurd(outpath) ? 1 : 0;
    goto done;
  }
  nifti_set_debug_level(0);
  if (!(in = nifti_image_read(inpath, 1)))
    fail("%s: cannot read as NIfTI", inpath);
  else if (!type_of(in->datatype, NULL))
    fail("%s: datatype %s is not handled", inpath, nifti_datatype_string(in->datatype));
  else if (!strcmp(mode, "datatype"))
    out = mode_datatype(in, argn - 4, arg + 4);
  else if (!strcmp(mode, "scale"))
    out = mode_scale(in, arg[4], &moved);
  else
    out = derive(in, mode, arg + 4, nearest);
  rc = out && write_image(out, outpath) == 0 ? 0 : 1;
  if (rc == 0 && !strcmp(mode, "rotate"))
    moved = world_rotation(in, (int)(strchr("xyz", arg[4][0]) - "xyz"), atof(arg[5]));
  if (rc == 0 && points)
    rc = print_points(points, moved) ? 1 : 0;
done:
  nifti_image_free(out);
  nifti_image_free(in);
  free(arg);
  return rc;
}

/*
 * make_case_artefacts.c - what real scanners and real heads do to an image, made in code from the
 * fetched scans for the evaluation (Testing/eval/evaluate.sh):
 *   falloff DIR F      receive-coil falloff: the signal drops linearly across the grid towards
 *                      DIR (superior inferior left right anterior posterior) to 1-F of itself
 *   saturate F         a share F of the voxels on tissue edges (a jump of a quarter of the 99th
 *                      percentile to a neighbour) set to the datatype's top (float: 3 x p99)
 *   rician PCT         magnitude noise: |v + n1 + i n2|, n1, n2 Gaussian with sigma PCT % of the
 *                      head's median; float32 out (a fixed seed)
 *   scale F            the head (the grid's world matrix) scaled by F about the grid centre: a
 *                      child's (0.85) or a large adult's (1.15) head; --points moves the truth
 *   cut DIR MM         the field of view cut: MM mm of the grid removed at the DIR end
 *                      (superior: the vertex; inferior: the chin) along the voxel axis nearest z
 *   neck MM            the grid extended MM mm inferiorly with a neck: the lowest slice's tissue
 *                      within a 50 x 45 mm ellipse around its centre, repeated downwards
 *   flair              FLAIR-like contrast inside the head: fluid stays dark, grey matter
 *                      turns brighter than white matter, fat stays bright
 *   resample SX SY SZ  voxel axes resampled to SX SY SZ mm (box filter: the mean of trilinear
 *                      sub-samples covering each new voxel), world positions kept
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "make_case.h"

static int world_direction(const char *dir, double d[3])
{
  static const struct {
    const char *name;
    double v[3];
  } DIRS[] = {{"superior", {0, 0, 1}}, {"inferior", {0, 0, -1}}, {"left", {-1, 0, 0}},
              {"right", {1, 0, 0}},    {"anterior", {0, 1, 0}},  {"posterior", {0, -1, 0}}};
  for (size_t i = 0; i < sizeof DIRS / sizeof DIRS[0]; i++)
    if (!strcmp(dir, DIRS[i].name)) {
      memcpy(d, DIRS[i].v, sizeof DIRS[i].v);
      return 0;
    }
  return -1;
}

static void world_point(nifti_dmat44 w, double x, double y, double z, double p[3])
{
  for (int a = 0; a < 3; a++)
    p[a] = w.m[a][0] * x + w.m[a][1] * y + w.m[a][2] * z + w.m[a][3];
}

/* The voxel axis nearest world z, and whether its index grows superiorly. */
static int axis_nearest_z(const nifti_image *in, int *up)
{
  nifti_dmat44 w = world_of(in);
  int best = 0;
  double bv = -1;
  for (int a = 0; a < 3; a++) {
    double n = sqrt(w.m[0][a] * w.m[0][a] + w.m[1][a] * w.m[1][a] + w.m[2][a] * w.m[2][a]);
    double c = fabs(w.m[2][a]) / n;
    if (c > bv) {
      bv = c;
      best = a;
    }
  }
  *up = w.m[2][best] > 0;
  return best;
}

static double percentile(const nifti_image *in, const unsigned char *mask, double pct)
{
  double *v = malloc((size_t)in->nvox * sizeof *v);
  int64_t n = 0;
  if (!v)
    return NAN;
  for (int64_t i = 0; i < in->nx * in->ny * in->nz; i++)
    if (!mask || mask[i])
      v[n++] = real_at(in, i);
  double r = NAN;
  if (n > 0) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    r = v[(int64_t)(pct / 100.0 * (double)(n - 1))];
  }
  free(v);
  return r;
}

static uint64_t next_random(uint64_t *s)
{
  *s ^= *s << 13; /* xorshift64 */
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static double uniform(uint64_t *s)
{
  return ((double)(next_random(s) >> 11) + 0.5) / 9007199254740992.0;
}

nifti_image *mode_falloff(const nifti_image *in, const char *dir, const char *fraction)
{
  double d[3], f = atof(fraction);
  if (world_direction(dir, d) || !(f > 0 && f < 1))
    return fail("falloff: DIR is superior, inferior, left, right, anterior or posterior; F in (0, "
                "1)"),
           NULL;
  nifti_image *out = blank_copy(in);
  if (!out)
    return fail("out of memory"), NULL;
  nifti_dmat44 w = world_of(in);
  double smin = INFINITY, smax = -INFINITY;
  for (int c = 0; c < 8; c++) {
    double p[3];
    world_point(w, c & 1 ? in->nx - 1.0 : 0, c & 2 ? in->ny - 1.0 : 0, c & 4 ? in->nz - 1.0 : 0, p);
    double s = p[0] * d[0] + p[1] * d[1] + p[2] * d[2];
    smin = fmin(smin, s);
    smax = fmax(smax, s);
  }
  int64_t n3 = in->nx * in->ny * in->nz;
  for (int64_t i = 0; i < in->nvox; i++) {
    int64_t v = i % n3;
    double p[3];
    world_point(w, (double)(v % in->nx), (double)(v / in->nx % in->ny),
                (double)(v / (in->nx * in->ny)), p);
    double s = (p[0] * d[0] + p[1] * d[1] + p[2] * d[2] - smin) / (smax - smin);
    raw_put(out->data, out->datatype, i, raw_for(out, real_at(in, i) * (1 - f * s)));
  }
  return out;
}

nifti_image *mode_saturate(const nifti_image *in, const char *fraction)
{
  double f = atof(fraction);
  if (!(f > 0 && f <= 1) || n_volumes(in) != 1)
    return fail("saturate: F in (0, 1], the input 3D"), NULL;
  nifti_image *out = blank_copy(in);
  if (!out)
    return fail("out of memory"), NULL;
  memcpy(out->data, in->data, (size_t)in->nvox * (size_t)in->nbyper);
  double p99 = percentile(in, NULL, 99);
  const type_info *t = type_of(in->datatype, NULL);
  double top =
      t->is_int ? (has_scaling(in) ? t->hi * in->scl_slope + in->scl_inter : t->hi) : 3 * p99;
  uint64_t seed = 0x5A7E5A7E12345ull;
  const int64_t st[3] = {1, in->nx, in->nx * in->ny};
  for (int64_t z = 1; z + 1 < in->nz; z++)
    for (int64_t y = 1; y + 1 < in->ny; y++)
      for (int64_t x = 1; x + 1 < in->nx; x++) {
        int64_t i = x + st[1] * y + st[2] * z;
        double v = real_at(in, i), jump = 0;
        for (int a = 0; a < 3; a++)
          jump =
              fmax(jump, fmax(fabs(v - real_at(in, i + st[a])), fabs(v - real_at(in, i - st[a]))));
        if (v > 0.15 * p99 && jump > 0.25 * p99 && uniform(&seed) < f)
          raw_put(out->data, out->datatype, i, raw_for(out, top));
      }
  return out;
}

/* A float32 copy of IN's header and grid, no scaling, data zeroed. */
static nifti_image *float_like(const nifti_image *in)
{
  nifti_image hdr = *in;
  hdr.datatype = DT_FLOAT32;
  hdr.nbyper = 4;
  hdr.scl_slope = 0;
  hdr.scl_inter = 0;
  return blank_copy(&hdr);
}

nifti_image *mode_rician(const nifti_image *in, const char *percent)
{
  double pct = atof(percent);
  if (!(pct > 0 && pct <= 100) || n_volumes(in) != 1)
    return fail("rician: PCT in (0, 100], the input 3D"), NULL;
  double p99 = percentile(in, NULL, 99);
  unsigned char *head = head_mask(in, 0.15 * p99);
  if (!head)
    return NULL;
  double sigma = pct / 100.0 * percentile(in, head, 50);
  free(head);
  nifti_image *out = float_like(in);
  if (!out)
    return fail("out of memory"), NULL;
  uint64_t seed = 0x12C1A7ull;
  for (int64_t i = 0; i < in->nvox; i++) {
    double u1 = uniform(&seed), u2 = uniform(&seed), r = sqrt(-2 * log(u1));
    double n1 = sigma * r * cos(2 * PI * u2), n2 = sigma * r * sin(2 * PI * u2);
    double v = real_at(in, i) + n1;
    ((float *)out->data)[i] = (float)sqrt(v * v + n2 * n2);
  }
  return out;
}

nifti_image *mode_scale(const nifti_image *in, const char *factor, nifti_dmat44 *moved)
{
  double f = atof(factor), dx, dy, dz, qfac;
  if (!(f >= 0.5 && f <= 2))
    return fail("scale: F within 0.5..2"), NULL;
  nifti_image *out = blank_copy(in);
  if (!out)
    return fail("out of memory"), NULL;
  memcpy(out->data, in->data, (size_t)in->nvox * (size_t)in->nbyper);
  double c[3];
  world_point(world_of(in), (in->nx - 1) / 2.0, (in->ny - 1) / 2.0, (in->nz - 1) / 2.0, c);
  nifti_dmat44 s = IDENTITY;
  for (int a = 0; a < 3; a++) {
    s.m[a][a] = f;
    s.m[a][3] = c[a] * (1 - f);
  }
  out->sto_xyz = nifti_dmat44_mul(s, in->sto_xyz);
  out->qto_xyz = nifti_dmat44_mul(s, in->qto_xyz);
  nifti_dmat44_to_quatern(out->qto_xyz, &out->quatern_b, &out->quatern_c, &out->quatern_d,
                          &out->qoffset_x, &out->qoffset_y, &out->qoffset_z, &dx, &dy, &dz, &qfac);
  out->qfac = qfac;
  out->dx = out->pixdim[1] = dx;
  out->dy = out->pixdim[2] = dy;
  out->dz = out->pixdim[3] = dz;
  *moved = s;
  return out;
}

nifti_image *mode_cut(const nifti_image *in, const char *dir, const char *mm)
{
  int up, a = axis_nearest_z(in, &up);
  int superior = !strcmp(dir, "superior");
  double pix[3] = {in->dx, in->dy, in->dz};
  int64_t n[3] = {in->nx, in->ny, in->nz}, lo[3] = {0, 0, 0};
  int64_t k = (int64_t)llround(atof(mm) / fabs(pix[a]));
  if ((!superior && strcmp(dir, "inferior")) || k < 1 || k >= n[a])
    return fail("cut: DIR is superior or inferior, MM within the grid"), NULL;
  if (superior != up) /* the cut end is index 0 */
    lo[a] = k;
  n[a] -= k;
  return crop(in, lo, n);
}

nifti_image *mode_neck(const nifti_image *in, const char *mm)
{
  int up, a = axis_nearest_z(in, &up);
  double pix[3] = {in->dx, in->dy, in->dz}, lo, hi;
  int64_t nin[3] = {in->nx, in->ny, in->nz}, n[3] = {in->nx, in->ny, in->nz};
  int64_t k = (int64_t)llround(atof(mm) / fabs(pix[a]));
  if (k < 1 || k > 1000 || n_volumes(in) != 1)
    return fail("neck: MM within 1..1000 voxels, the input 3D"), NULL;
  n[a] += k;
  nifti_image *out = new_like(in, n, 1);
  if (!out)
    return fail("out of memory"), NULL;
  int64_t shift = up ? k : 0; /* new slices at index 0 when the index grows superiorly */
  nifti_dmat44 t = IDENTITY;
  t.m[a][3] = -(double)shift;
  set_grid(out, in, t);
  real_range(in, &lo, &hi);
  double p99 = percentile(in, NULL, 99);
  nifti_dmat44 w = world_of(in);
  /* The lowest slice's tissue centre (world x, y). */
  int64_t bottom = up ? 0 : nin[a] - 1;
  double cx = 0, cy = 0, cn = 0;
  int64_t c[3];
  for (c[2] = 0; c[2] < nin[2]; c[2]++)
    for (c[1] = 0; c[1] < nin[1]; c[1]++)
      for (c[0] = 0; c[0] < nin[0]; c[0]++) {
        if (c[a] != bottom)
          continue;
        int64_t i = c[0] + nin[0] * (c[1] + nin[1] * c[2]);
        if (real_at(in, i) > 0.15 * p99) {
          double p[3];
          world_point(w, (double)c[0], (double)c[1], (double)c[2], p);
          cx += p[0];
          cy += p[1];
          cn++;
        }
      }
  /* A lowest slice without tissue (a brain mask) gets no neck. */
  cx = cn > 0 ? cx / cn : 0;
  cy = cn > 0 ? cy / cn : 0;
  for (c[2] = 0; c[2] < n[2]; c[2]++)
    for (c[1] = 0; c[1] < n[1]; c[1]++)
      for (c[0] = 0; c[0] < n[0]; c[0]++) {
        int64_t o = c[0] + n[0] * (c[1] + n[1] * c[2]), s[3] = {c[0], c[1], c[2]};
        s[a] -= shift;
        int neck = s[a] < 0 || s[a] >= nin[a];
        if (neck)
          s[a] = bottom;
        int64_t i = s[0] + nin[0] * (s[1] + nin[1] * s[2]);
        double v = real_at(in, i);
        if (neck) {
          double p[3];
          world_point(w, (double)s[0], (double)s[1], (double)s[2], p);
          double e =
              (p[0] - cx) * (p[0] - cx) / (50.0 * 50.0) + (p[1] - cy) * (p[1] - cy) / (45.0 * 45.0);
          if (e > 1 || cn == 0)
            v = lo;
        }
        raw_put(out->data, out->datatype, o, raw_for(out, v));
      }
  return out;
}

nifti_image *mode_flair(const nifti_image *in)
{
  if (n_volumes(in) != 1)
    return fail("flair: the input must be 3D"), NULL;
  double p99 = percentile(in, NULL, 99);
  unsigned char *head = head_mask(in, 0.15 * p99);
  if (!head)
    return NULL;
  nifti_image *out = blank_copy(in);
  if (!out) {
    free(head);
    return fail("out of memory"), NULL;
  }
  memcpy(out->data, in->data, (size_t)in->nvox * (size_t)in->nbyper);
  for (int64_t i = 0; i < in->nvox; i++) {
    if (!head[i])
      continue;
    /* T1 on a 0..1 scale of p99: fluid < 0.25, grey matter ~0.45, white ~0.65, fat > 0.8. */
    double x = fmin(real_at(in, i) / p99, 1.2), y;
    if (x < 0.25)
      y = 0.6 * x;
    else if (x < 0.5)
      y = 0.15 + (x - 0.25) * 2.8; /* grey matter up to 0.85 */
    else if (x < 0.75)
      y = 0.85 - (x - 0.5) * 1.4; /* white matter down to 0.5 */
    else
      y = 0.5 + (x - 0.75) * 1.2; /* fat back up */
    raw_put(out->data, out->datatype, i, raw_for(out, y * p99));
  }
  free(head);
  return out;
}

nifti_image *mode_resample(const nifti_image *in, const char *sx, const char *sy, const char *sz)
{
  double s[3] = {atof(sx), atof(sy), atof(sz)}, pix[3] = {fabs(in->dx), fabs(in->dy), fabs(in->dz)};
  int64_t nin[3] = {in->nx, in->ny, in->nz}, n[3];
  double r[3];
  int sub[3];
  if (n_volumes(in) != 1)
    return fail("resample: the input must be 3D"), NULL;
  nifti_dmat44 t = IDENTITY; /* new voxel -> old voxel */
  for (int a = 0; a < 3; a++) {
    if (!(s[a] >= 0.2 && s[a] <= 20))
      return fail("resample: voxel sizes within 0.2..20 mm"), NULL;
    r[a] = s[a] / pix[a];
    n[a] = (int64_t)floor((double)nin[a] / r[a]);
    if (n[a] < 1)
      return fail("resample: %g mm leaves no voxel along axis %d", s[a], a), NULL;
    sub[a] = (int)ceil(r[a] - 1e-6);
    t.m[a][a] = r[a];
    t.m[a][3] = r[a] / 2 - 0.5;
  }
  nifti_image *out = new_like(in, n, 1);
  if (!out)
    return fail("out of memory"), NULL;
  set_grid(out, in, t);
  const type_info *ty = type_of(in->datatype, NULL);
  int64_t i = 0;
  for (int64_t z = 0; z < n[2]; z++)
    for (int64_t y = 0; y < n[1]; y++)
      for (int64_t x = 0; x < n[0]; x++, i++) {
        double c[3] = {(double)x, (double)y, (double)z}, sum = 0;
        int cnt = 0;
        for (int qz = 0; qz < sub[2]; qz++)
          for (int qy = 0; qy < sub[1]; qy++)
            for (int qx = 0; qx < sub[0]; qx++, cnt++) {
              int q[3] = {qx, qy, qz};
              double p[3];
              for (int a = 0; a < 3; a++)
                p[a] = (c[a] + (q[a] + 0.5) / sub[a] - 0.5) * r[a] + r[a] / 2 - 0.5;
              sum += sample(in, p, NAN, 0);
            }
        raw_put(out->data, out->datatype, i, to_type(ty, sum / cnt));
      }
  return out;
}

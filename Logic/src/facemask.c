/*
 * facemask.c - the face region in the head frame, rasterised on the input grid.
 *
 * The region is what lies in front of a bent cutting surface behind the eyes
 * and below the floor of the anterior cranial fossa. Its numbers come from
 * the brain masks of two packaged heads (ch2bet and the ITK Kmeans skull
 * strip) measured in this frame: the frontal lobes sit above the orbital
 * roofs (more than 13 mm above the globe centres) and reach forward to the
 * level of the globes only above that; between the orbits the gyri recti
 * come down to the globes' level but stay behind the nasal bridge; the
 * temporal poles stay more than 35 mm behind the globe centres. Each bound
 * keeps a margin of at least 6 mm from both brains.
 */
#include "facemask.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <string.h>

#define REF_EYE_DISTANCE_MM 66.0
#define ROOF_W 8.0          /* top of the region, mm above the globe centres */
#define ROOF_SLOPE 0.5      /* roof drop per mm behind the globe centres */
#define MIDLINE_HALF_U 16.0 /* between the orbits */
#define MIDLINE_BACK_V 8.0  /* region starts this far in front, between the orbits */
#define ORBIT_BACK_V -6.0   /* at eye level: the front of the orbits (globes are label 2 whole) */
#define LOWER_BACK_V -20.0  /* behind the nose, mouth and chin */
#define EYE_LEVEL_LOW_W -12.0
#define HALF_WIDTH_U 58.0
#define BOTTOM_W -130.0
#define GLOBE_RADIUS_MM 12.5
#define EAR_INNER_U 80.0 /* ears (label 3, on request): lateral to this */
#define EAR_OUTER_U 110.0
#define EAR_BACK_V -120.0
#define EAR_FRONT_V -45.0
#define EAR_LOW_W -45.0
#define EAR_HIGH_W 35.0
/* Seen from between the eyes, the centre of the head above the eyes lies
 * this many degrees above the posterior direction (ch2: 35.6, the InVesalius
 * CT: 28.9; measured with the head mask of this file). */
#define VAULT_ELEVATION_DEG 32.0
#define MAX_PITCH_DEG 40.0
#define PITCH_TOLERANCE_DEG 8.0

void frame_from_eyes(const eye_pair *eyes, head_frame *frame)
{
  memset(frame, 0, sizeof *frame);
  frame->right = eyes->right;
  frame->left = eyes->left;
  frame->origin = v3_scale(v3_add(eyes->right, eyes->left), 0.5);
  frame->u = v3_unit(v3_sub(eyes->right, eyes->left));
  /* Anterior: the header's A made perpendicular to the eye axis. */
  vec3 a = v3(0, 1, 0);
  frame->v = v3_unit(v3_sub(a, v3_scale(frame->u, v3_dot(a, frame->u))));
  frame->w = v3_cross(frame->u, frame->v);
  double d = v3_norm(v3_sub(eyes->right, eyes->left));
  double s = d / REF_EYE_DISTANCE_MM;
  frame->scale = s < 0.8 ? 0.8 : s > 1.2 ? 1.2 : s;
  frame->eye_radius_mm = GLOBE_RADIUS_MM * (frame->scale < 1 ? frame->scale : 1.0);
}

/* Elevation (degrees) of the centroid of the head above the eye plane, seen
 * from the frame's origin: atan2(w, -v). NAN if nothing lies above. */
static double vault_elevation(const work_grid *g, const head_info *head, const head_frame *f)
{
  double sv = 0, sw = 0, n = 0;
  WG_FOR_EACH(g, idx, i, j, k)
  {
    if (!head->mask[idx])
      continue;
    vec3 p = frame_coords(f, wg_ras(g, i, j, k));
    if (p.z <= 0)
      continue;
    sv += p.y;
    sw += p.z;
    n++;
  }
  if (n < 1000)
    return NAN;
  return atan2(sw / n, -sv / n) * 180.0 / DEFACE_PI;
}

void frame_pitch(head_frame *f, double deg)
{
  double a = deg * DEFACE_PI / 180.0, c = cos(a), s = sin(a);
  vec3 v = v3_add(v3_scale(f->v, c), v3_scale(f->w, -s));
  vec3 w = v3_add(v3_scale(f->v, s), v3_scale(f->w, c));
  f->v = v3_unit(v);
  f->w = v3_unit(w);
}

deface_status frame_fix_pitch(const work_grid *g, const head_info *head, head_frame *frame,
                              double *correction, char *err)
{
  /* The eyes fix roll and yaw; pitch (a nod about the eye axis) is taken from
   * the braincase: the header's anterior is only the first guess. */
  *correction = 0;
  double e = vault_elevation(g, head, frame);
  if (!isfinite(e))
    return DEFACE_OK; /* nothing above the eyes in view: no brain to keep clear of */
  /* Which way a turn moves the elevation: try the first turn both ways. */
  double sense = 1;
  for (int iter = 0; iter < 6 && fabs(e - VAULT_ELEVATION_DEG) > 0.5; iter++) {
    double turn = sense * (e - VAULT_ELEVATION_DEG);
    if (fabs(*correction + turn) > MAX_PITCH_DEG)
      turn = (*correction + turn > 0 ? MAX_PITCH_DEG : -MAX_PITCH_DEG) - *correction;
    head_frame trial = *frame;
    frame_pitch(&trial, turn);
    double e2 = vault_elevation(g, head, &trial);
    if (iter == 0 && isfinite(e2) &&
        fabs(e2 - VAULT_ELEVATION_DEG) > fabs(e - VAULT_ELEVATION_DEG)) {
      sense = -1;
      turn = -turn;
      trial = *frame;
      frame_pitch(&trial, turn);
      e2 = vault_elevation(g, head, &trial);
    }
    if (!isfinite(e2) || fabs(turn) < 1e-9)
      break;
    *frame = trial;
    *correction += turn;
    e = e2;
  }
  /* A head nodding further than the clamp, or eyes that are not eyes, leave
   * the braincase where no head frame puts it: refuse rather than guess. */
  if (fabs(e - VAULT_ELEVATION_DEG) > PITCH_TOLERANCE_DEG)
    return deface__fail(err, DEFACE_E_REFUSED,
                        "the head's pitch is implausible (braincase %.0f degrees from where the "
                        "eyes put it): eyes not reliably found",
                        e - VAULT_ELEVATION_DEG);
  return DEFACE_OK;
}

vec3 frame_coords(const head_frame *f, vec3 ras)
{
  vec3 q = v3_sub(ras, f->origin);
  return v3_scale(v3(v3_dot(q, f->u), v3_dot(q, f->v), v3_dot(q, f->w)), 1.0 / f->scale);
}

vec3 frame_point(const head_frame *f, vec3 uvw)
{
  vec3 p = v3_add(v3_scale(f->u, uvw.x), v3_add(v3_scale(f->v, uvw.y), v3_scale(f->w, uvw.z)));
  return v3_add(f->origin, v3_scale(p, f->scale));
}

int face_region_contains(vec3 p)
{
  /* The orbital roof slopes down towards the apex of the orbit: behind the
   * globe centres the roof comes down by half the distance back. */
  double roof = p.y >= 0 ? ROOF_W : ROOF_W + ROOF_SLOPE * p.y;
  if (p.z > roof || p.z < BOTTOM_W || fabs(p.x) > HALF_WIDTH_U)
    return 0;
  double back;
  if (p.z >= EYE_LEVEL_LOW_W)
    back = fabs(p.x) < MIDLINE_HALF_U ? MIDLINE_BACK_V : ORBIT_BACK_V;
  else
    back = LOWER_BACK_V;
  return p.y >= back;
}

void region_map_from_frame(const head_frame *f, region_map *map)
{
  vec3 axes[3] = {f->u, f->v, f->w};
  for (int r = 0; r < 3; r++) {
    double a[3] = {axes[r].x, axes[r].y, axes[r].z};
    for (int c = 0; c < 3; c++) {
      map->to_frame[r][c] = a[c] / f->scale;
      map->to_ras[c][r] = a[c] * f->scale;
    }
    map->to_frame[r][3] = -v3_dot(axes[r], f->origin) / f->scale;
  }
  map->to_ras[0][3] = f->origin.x;
  map->to_ras[1][3] = f->origin.y;
  map->to_ras[2][3] = f->origin.z;
  for (int c = 0; c < 4; c++)
    map->to_frame[3][c] = map->to_ras[3][c] = c == 3;
}

void affine_compose(const double a[4][4], const double b[4][4], double out[4][4])
{
  double r[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j] + a[i][3] * b[3][j];
  memcpy(out, r, sizeof r);
}

void template_region_map(const head_template *t, const double to_input[4][4],
                         const double to_template[4][4], region_map *map)
{
  eye_pair e;
  memset(&e, 0, sizeof e);
  e.right = t->right_eye;
  e.left = t->left_eye;
  head_frame f;
  frame_from_eyes(&e, &f);
  frame_pitch(&f, TEMPLATE_PITCH_DEG);
  region_map in_template;
  region_map_from_frame(&f, &in_template);
  affine_compose(in_template.to_frame, to_template, map->to_frame);
  affine_compose(to_input, in_template.to_ras, map->to_ras);
}

/* Voxel index range [lo, hi] per axis that can hold label: the box of the
 * region's frame-space bounds (with the face at most 120 mm in front of the
 * eyes) for every map, mapped into voxel space. */
static void label_box(const double inv[4][4], const face_plan *plan, const size_t dims[4], int ears,
                      size_t lo[3], size_t hi[3])
{
  double bound[3][2] = {
      {-HALF_WIDTH_U - 1, HALF_WIDTH_U + 1}, {LOWER_BACK_V - 1, 120}, {BOTTOM_W - 1, ROOF_W + 20}};
  if (ears) {
    bound[0][0] = -EAR_OUTER_U;
    bound[0][1] = EAR_OUTER_U;
    bound[1][0] = EAR_BACK_V - 1;
    bound[2][1] = fmax(bound[2][1], EAR_HIGH_W + 1);
  }
  double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (int m = 0; m < plan->nmaps; m++)
    for (int c = 0; c < 8; c++) {
      vec3 p = affine_apply(plan->maps[m].to_ras,
                            v3(bound[0][c & 1], bound[1][(c >> 1) & 1], bound[2][(c >> 2) & 1]));
      vec3 q = affine_apply(inv, p);
      double a[3] = {q.x, q.y, q.z};
      for (int k = 0; k < 3; k++) {
        mn[k] = fmin(mn[k], a[k]);
        mx[k] = fmax(mx[k], a[k]);
      }
    }
  for (int k = 0; k < 3; k++) {
    double l = floor(mn[k]) - 1, h = ceil(mx[k]) + 1, top = (double)dims[k] - 1;
    lo[k] = l < 0 ? 0 : l > top ? dims[k] : (size_t)l;
    hi[k] = h < 0 ? 0 : h > top ? (size_t)top : (size_t)h;
  }
}

int ear_region_contains(vec3 p)
{
  /* The outer ears only: the temporal lobes reach 72 mm from the midline in
   * ch2 at this level, so the region starts 8 mm further out. */
  return fabs(p.x) >= EAR_INNER_U && p.y >= EAR_BACK_V && p.y <= EAR_FRONT_V && p.z >= EAR_LOW_W &&
         p.z <= EAR_HIGH_W;
}

/* The label of one voxel at RAS `ras` whose frame coordinates under each map
 * are fc[m]: the globes whole, then the union of the maps' face regions near
 * the head, then the ears; never in the registered template's keep-out zone
 * (label 1 and 3) or brain (label 2). */
static uint8_t label_of(const work_grid *g, const uint8_t *near_head, const face_plan *plan,
                        int ears, vec3 ras, const vec3 *fc, double r2)
{
  uint8_t value = DEFACE_LABEL_KEEP;
  vec3 qr = v3_sub(ras, plan->right), ql = v3_sub(ras, plan->left);
  if (v3_dot(qr, qr) <= r2 || v3_dot(ql, ql) <= r2) {
    value = DEFACE_LABEL_EYE;
  } else {
    int face = 0, ear = 0;
    for (int m = 0; m < plan->nmaps; m++) {
      face |= face_region_contains(fc[m]);
      ear |= ears && ear_region_contains(fc[m]);
    }
    if (face || ear) {
      long at = wg_nearest(g, ras);
      if (at >= 0 && near_head[at])
        value = face ? DEFACE_LABEL_FACE : DEFACE_LABEL_EAR;
    }
  }
  if (value != DEFACE_LABEL_KEEP && plan->tmpl) {
    uint8_t flags = template_flags_at(plan->tmpl, affine_apply(plan->to_template, ras));
    if (flags & (value == DEFACE_LABEL_EYE ? TEMPLATE_BRAIN : TEMPLATE_KEEP_OUT))
      value = DEFACE_LABEL_KEEP;
  }
  return value;
}

deface_status face_label_build(const deface_volume *input, const work_grid *g,
                               const uint8_t *near_head, const face_plan *plan,
                               const deface_options *options, deface_volume **label,
                               deface_result *result, size_t box[2][3], char *err)
{
  size_t dims[4], lo[3], hi[3];
  double m[4][4], inv[4][4], sp[3];
  deface_volume_dims(input, dims);
  deface_volume_matrix(input, m);
  deface_volume_spacing(input, sp);
  if (affine_invert(m, inv))
    return deface__fail(err, DEFACE_E_INPUT, "voxel-to-RAS matrix is singular");
  size_t d3[4] = {dims[0], dims[1], dims[2], 1};
  deface_status st = deface__volume_new_sparse(d3, DEFACE_UINT8, m, label, err);
  if (st != DEFACE_OK)
    return st;
  uint8_t *out = deface_volume_data(*label);
  double r2 = plan->eye_radius_mm * plan->eye_radius_mm;
  size_t labelled = 0;
  label_box(inv, plan, dims, options->ears, lo, hi);
  /* The labelled voxels' own extent, kept as the rows are built: everything
   * after the build (face search, guard, fill) reads the label only there. */
  for (int a = 0; a < 3; a++) {
    box[0][a] = dims[a];
    box[1][a] = 0;
  }
  /* Along a row (i varies) RAS and frame coordinates change linearly. */
  vec3 di_ras = v3(m[0][0], m[1][0], m[2][0]);
  vec3 di_frame[FACE_MAX_MAPS];
  for (int q = 0; q < plan->nmaps; q++) {
    const double(*f)[4] = plan->maps[q].to_frame;
    di_frame[q] = v3(f[0][0] * di_ras.x + f[0][1] * di_ras.y + f[0][2] * di_ras.z,
                     f[1][0] * di_ras.x + f[1][1] * di_ras.y + f[1][2] * di_ras.z,
                     f[2][0] * di_ras.x + f[2][1] * di_ras.y + f[2][2] * di_ras.z);
  }
  for (size_t k = lo[2]; k <= hi[2] && lo[2] < dims[2]; k++) {
    if (progress_report(options, STAGE_MASK, (double)(k - lo[2]) / (double)(hi[2] - lo[2] + 1))) {
      deface_volume_free(*label);
      *label = NULL;
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    }
    for (size_t j = lo[1]; j <= hi[1] && lo[1] < dims[1]; j++) {
      uint8_t *row = out + dims[0] * (j + dims[1] * k);
      vec3 ras = affine_apply(m, v3((double)lo[0], (double)j, (double)k));
      vec3 fc[FACE_MAX_MAPS];
      for (int q = 0; q < plan->nmaps; q++)
        fc[q] = affine_apply(plan->maps[q].to_frame, ras);
      size_t first = dims[0], last = 0;
      for (size_t i = lo[0]; i <= hi[0] && lo[0] < dims[0]; i++) {
        uint8_t value = label_of(g, near_head, plan, options->ears, ras, fc, r2);
        row[i] = value;
        if (value != DEFACE_LABEL_KEEP) {
          labelled++;
          first = i < first ? i : first;
          last = i;
        }
        ras = v3_add(ras, di_ras);
        for (int q = 0; q < plan->nmaps; q++)
          fc[q] = v3_add(fc[q], di_frame[q]);
      }
      if (first <= last) {
        size_t at[3] = {first, j, k}, to[3] = {last, j, k};
        for (int a = 0; a < 3; a++) {
          box[0][a] = at[a] < box[0][a] ? at[a] : box[0][a];
          box[1][a] = to[a] > box[1][a] ? to[a] : box[1][a];
        }
      }
    }
  }
  result->labelled_voxels = labelled;
  result->labelled_ml = (double)labelled * sp[0] * sp[1] * sp[2] / 1000.0;
  return DEFACE_OK;
}

void face_landmarks(const work_grid *g, const head_info *head, const head_frame *frame,
                    deface_result *result)
{
  /* Nose tip: the most anterior head voxel near the midline, 15-70 mm below
   * the eyes. If the head touches the edge of the field of view there, the
   * nose is cut and its tip is not in view. */
  double best_v = -INFINITY;
  long best = -1;
  WG_FOR_EACH(g, idx, i, j, k)
  {
    if (!head->mask[idx])
      continue;
    vec3 p = frame_coords(frame, wg_ras(g, i, j, k));
    if (fabs(p.x) > 12 || p.z > -15 || p.z < -70 || p.y <= best_v)
      continue;
    best_v = p.y;
    best = (long)idx;
  }
  result->nose_in_view = 0;
  if (best >= 0) {
    vec3 tip = wg_ras_of_index(g, (size_t)best);
    memcpy(result->nose_ras, &tip, sizeof result->nose_ras);
    vec3 ahead = v3_add(tip, v3_scale(frame->v, 2 * g->step));
    long at = wg_nearest(g, ahead);
    result->nose_in_view = best_v > 15 && at >= 0 && g->inside[at];
  }
  long mouth = wg_nearest(g, frame_point(frame, v3(0, 10, -65)));
  result->mouth_in_view = mouth >= 0 && g->inside[mouth];
}

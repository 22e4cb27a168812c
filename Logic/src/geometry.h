/*
 * geometry.h - small 3-vector and 4x4 affine helpers used inside the core.
 */
#ifndef DEFACE_GEOMETRY_H
#define DEFACE_GEOMETRY_H

#include <stddef.h>

#define DEFACE_PI 3.14159265358979323846

typedef struct vec3 {
  double x, y, z;
} vec3;

static inline vec3 v3(double x, double y, double z)
{
  vec3 r = {x, y, z};
  return r;
}
static inline vec3 v3_add(vec3 a, vec3 b)
{
  return v3(a.x + b.x, a.y + b.y, a.z + b.z);
}
static inline vec3 v3_sub(vec3 a, vec3 b)
{
  return v3(a.x - b.x, a.y - b.y, a.z - b.z);
}
static inline vec3 v3_scale(vec3 a, double s)
{
  return v3(a.x * s, a.y * s, a.z * s);
}
static inline double v3_dot(vec3 a, vec3 b)
{
  return a.x * b.x + a.y * b.y + a.z * b.z;
}
static inline vec3 v3_cross(vec3 a, vec3 b)
{
  return v3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x);
}
double v3_norm(vec3 a);
/** a / |a|; the zero vector stays zero. */
vec3 v3_unit(vec3 a);

/** Applies an affine 4x4 (row-major) to a point (inline: the per-voxel loops
 * call it millions of times a run). */
static inline vec3 affine_apply(const double m[4][4], vec3 p)
{
  return v3(m[0][0] * p.x + m[0][1] * p.y + m[0][2] * p.z + m[0][3],
            m[1][0] * p.x + m[1][1] * p.y + m[1][2] * p.z + m[1][3],
            m[2][0] * p.x + m[2][1] * p.y + m[2][2] * p.z + m[2][3]);
}

/** floor(x), exactly (the sign of a zero too), without the library call that
 * x86-64's baseline instruction set needs for it: truncation to an integer,
 * one less for a negative non-integer. From 2^52 up every double is an
 * integer, and infinities and NaN are their own floor. */
static inline double fast_floor(double x)
{
  if (!(x > -4503599627370496.0 && x < 4503599627370496.0))
    return x;
  double t = (double)(long long)x;
  if (t > x)
    return t - 1.0;
  return t == 0 ? x * 0.0 : t; /* floor(-0.0) is -0.0; floor(-0.5) never reaches here */
}
/** Inverts an affine 4x4; returns -1 if singular. */
int affine_invert(const double m[4][4], double inv[4][4]);

/** The cell of an axis-aligned grid (origin, step, n cells per axis) nearest to
 * a point into c; 0 when the point lies outside the grid. (Inline: the face
 * mask asks it for every voxel near the face.) */
static inline int grid_nearest_cell(vec3 origin, double step, const size_t n[3], vec3 p,
                                    size_t c[3])
{
  double f[3] = {(p.x - origin.x) / step, (p.y - origin.y) / step, (p.z - origin.z) / step};
  for (int a = 0; a < 3; a++) {
    double r = fast_floor(f[a] + 0.5);
    if (!(r >= 0 && r < (double)n[a]))
      return 0;
    c[a] = (size_t)r;
  }
  return 1;
}

#endif

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

/** The cell of an axis-aligned grid (origin, step, n cells per axis) nearest to
 * a point into c; 0 when the point lies outside the grid. */
int grid_nearest_cell(vec3 origin, double step, const size_t n[3], vec3 p, size_t c[3]);

/** Applies an affine 4x4 (row-major) to a point. */
vec3 affine_apply(const double m[4][4], vec3 p);
/** Inverts an affine 4x4; returns -1 if singular. */
int affine_invert(const double m[4][4], double inv[4][4]);

#endif

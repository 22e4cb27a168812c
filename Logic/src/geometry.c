/*
 * geometry.c - vector and affine-matrix arithmetic for voxel/RAS mapping.
 */
#include "geometry.h"

#include <math.h>

double v3_norm(vec3 a)
{
  return sqrt(v3_dot(a, a));
}

vec3 v3_unit(vec3 a)
{
  double n = v3_norm(a);
  return n > 0 ? v3_scale(a, 1.0 / n) : a;
}

int affine_invert(const double m[4][4], double inv[4][4])
{
  double a = m[0][0], b = m[0][1], c = m[0][2];
  double d = m[1][0], e = m[1][1], f = m[1][2];
  double g = m[2][0], h = m[2][1], k = m[2][2];
  double det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
  if (fabs(det) < 1e-12)
    return -1;
  double r[3][3] = {{(e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det},
                    {(f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det},
                    {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det}};
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < 3; j++)
      inv[i][j] = r[i][j];
    inv[i][3] = -(r[i][0] * m[0][3] + r[i][1] * m[1][3] + r[i][2] * m[2][3]);
  }
  inv[3][0] = inv[3][1] = inv[3][2] = 0;
  inv[3][3] = 1;
  return 0;
}

/*
 * test_morphology.c - the analysis grid's distance transform, dilation,
 * erosion, components and hole filling, against brute force.
 */
#include "check.h"
#include "internal.h"
#include "workgrid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static work_grid grid_of(size_t nx, size_t ny, size_t nz, double step)
{
  work_grid g;
  memset(&g, 0, sizeof g);
  g.n[0] = nx;
  g.n[1] = ny;
  g.n[2] = nz;
  g.count = nx * ny * nz;
  g.step = step;
  return g;
}

static void test_distance(void)
{
  check_context = "distance";
  work_grid g = grid_of(13, 11, 9, 2.0);
  uint8_t *mask = calloc(g.count, 1);
  float *d = malloc(g.count * sizeof *d);
  size_t seeds[3] = {wg_index(&g, 2, 3, 4), wg_index(&g, 10, 1, 0), wg_index(&g, 6, 9, 8)};
  for (int s = 0; s < 3; s++)
    mask[seeds[s]] = 1;
  CHECK(wg_distance_sq(&g, mask, d, NULL) == DEFACE_OK);
  int wrong = 0;
  for (size_t idx = 0; idx < g.count; idx++) {
    double best = 1e30;
    for (int s = 0; s < 3; s++) {
      vec3 a = wg_ras_of_index(&g, idx), b = wg_ras_of_index(&g, seeds[s]);
      vec3 q = v3_sub(a, b);
      best = fmin(best, v3_dot(q, q));
    }
    wrong += fabs(best - d[idx]) > 1e-3;
  }
  CHECK(wrong == 0);
  free(mask);
  free(d);
}

static void test_dilate_erode_fill(void)
{
  check_context = "dilate";
  work_grid g = grid_of(21, 21, 21, 1.0);
  uint8_t *mask = calloc(g.count, 1);
  mask[wg_index(&g, 10, 10, 10)] = 1;
  CHECK(wg_dilate(&g, mask, 5.0, NULL) == DEFACE_OK);
  size_t n = 0;
  for (size_t i = 0; i < g.count; i++)
    n += mask[i];
  CHECK(n == 515); /* lattice points within radius 5 */
  CHECK(mask[wg_index(&g, 15, 10, 10)] && !mask[wg_index(&g, 14, 14, 10)]);
  check_context = "erode";
  CHECK(wg_erode(&g, mask, 4.0, NULL) == DEFACE_OK);
  CHECK(mask[wg_index(&g, 10, 10, 10)] && !mask[wg_index(&g, 12, 10, 10)]);

  check_context = "fill";
  memset(mask, 0, g.count);
  for (size_t k = 5; k <= 15; k++) /* a hollow box */
    for (size_t j = 5; j <= 15; j++)
      for (size_t i = 5; i <= 15; i++)
        mask[wg_index(&g, i, j, k)] = i == 5 || i == 15 || j == 5 || j == 15 || k == 5 || k == 15;
  CHECK(wg_fill_holes(&g, mask, NULL) == DEFACE_OK);
  CHECK(mask[wg_index(&g, 10, 10, 10)] == 1 && mask[wg_index(&g, 2, 2, 2)] == 0);
  /* The same box open at its top (the mask's own box ends there): a cup,
   * whose inside is no hole. */
  memset(mask, 0, g.count);
  for (size_t k = 5; k <= 15; k++)
    for (size_t j = 5; j <= 15; j++)
      for (size_t i = 5; i <= 15; i++)
        mask[wg_index(&g, i, j, k)] =
            i == 5 || i == 15 || j == 5 || j == 15 || k == 5 || (k == 15 && (i == 6 || j == 6));
  CHECK(wg_fill_holes(&g, mask, NULL) == DEFACE_OK);
  CHECK(mask[wg_index(&g, 10, 10, 10)] == 0 && mask[wg_index(&g, 10, 10, 5)] == 1);

  check_context = "components";
  memset(mask, 0, g.count);
  mask[wg_index(&g, 1, 1, 1)] = 1;
  for (size_t i = 5; i < 9; i++)
    mask[wg_index(&g, i, 5, 5)] = 1;
  size_t kept = 0;
  CHECK(wg_largest_component(&g, mask, &kept, NULL) == DEFACE_OK);
  CHECK(kept == 4 && mask[wg_index(&g, 1, 1, 1)] == 0 && mask[wg_index(&g, 6, 5, 5)] == 1);
  free(mask);
}

/* Dilation and erosion by a ball work within the radius only, and only in
 * the box of the set voxels widened by it; on random masks, spread over the
 * grid or confined to a corner of it, in anisotropic-sized grids and at
 * radii that are and are not whole voxels, they must give exactly what
 * thresholding the full distance transform (checked against brute force
 * above) gives. */
static void test_ball_matches_distance(void)
{
  const double radii_mm[] = {6.0, 8.0, 5.0, 2.0, 9.5};
  const double steps[] = {2.0, 2.0, 2.5, 3.0, 2.0};
  unsigned seed = 12345;
  for (int c = 0; c < 5; c++) {
    check_context = "ball vs distance";
    work_grid g = grid_of(23 + (size_t)c, 17, 19 - (size_t)c, steps[c]);
    uint8_t *mask = malloc(g.count), *ours = malloc(g.count), *ref = malloc(g.count);
    float *d = malloc(g.count * sizeof *d);
    for (int run = 0; run < 4; run++) {
      int erode = run & 1, confined = run >> 1;
      for (size_t i = 0; i < g.count; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t x, y, z;
        wg_coords(&g, i, &x, &y, &z);
        int in_corner = x >= 2 && x < 20 && y >= 4 && z < 12; /* touches two faces */
        mask[i] = (!confined || in_corner) && ((seed >> 16) % 1000) < (erode      ? 997u
                                                                       : confined ? 30u
                                                                                  : 3u);
      }
      memcpy(ours, mask, g.count);
      CHECK((erode ? wg_erode : wg_dilate)(&g, ours, radii_mm[c], NULL) == DEFACE_OK);
      for (size_t i = 0; i < g.count; i++)
        ref[i] = erode ? !mask[i] : mask[i];
      CHECK(wg_distance_sq(&g, ref, d, NULL) == DEFACE_OK);
      size_t wrong = 0, set = 0;
      for (size_t i = 0; i < g.count; i++) {
        int near = d[i] <= (float)(radii_mm[c] * radii_mm[c]);
        wrong += ours[i] != (erode ? !near : near);
        set += ours[i];
      }
      CHECK(wrong == 0);
      CHECK(set > 0 && set < g.count); /* the case tests something */
    }
    free(mask);
    free(ours);
    free(ref);
    free(d);
  }
}

/* The head's depth over the mask's box equals the full transform of the
 * complement: on a solid block inside the grid (its nearest outside voxels
 * all lie beyond its box), a ragged blob touching two faces, a ball with a
 * hole, an empty and a full mask. */
static void test_depth_matches_distance(void)
{
  work_grid g = grid_of(19, 23, 17, 2.0);
  uint8_t *mask = malloc(g.count), *outside = malloc(g.count);
  float *ours = malloc(g.count * sizeof *ours), *ref = malloc(g.count * sizeof *ref);
  unsigned seed = 777;
  for (int c = 0; c < 5; c++) {
    check_context = c < 3 ? "depth vs distance" : c == 3 ? "depth, empty" : "depth, full";
    size_t set = 0;
    for (size_t i = 0; i < g.count; i++) {
      size_t x, y, z;
      wg_coords(&g, i, &x, &y, &z);
      double dx = (double)x - (c == 1 ? 2.0 : 9.0), dy = (double)y - 11.0,
             dz = (double)z - (c == 1 ? 15.0 : 8.0);
      seed = seed * 1103515245u + 12345u;
      int blob = dx * dx + dy * dy + dz * dz < 36.0 + (c == 1 ? (double)((seed >> 16) % 20) : 0);
      int hole = c == 2 && dx * dx + dy * dy + dz * dz < 4.0;
      int block = x >= 4 && x <= 14 && y >= 5 && y <= 18 && z >= 3 && z <= 12;
      mask[i] = c == 0 ? block : c == 3 ? 0 : c == 4 ? 1 : blob && !hole;
      outside[i] = !mask[i];
      set += mask[i];
    }
    CHECK(wg_depth_sq(&g, mask, ours, NULL) == DEFACE_OK);
    CHECK(wg_distance_sq(&g, outside, ref, NULL) == DEFACE_OK);
    size_t wrong = 0;
    for (size_t i = 0; i < g.count; i++)
      wrong += memcmp(&ours[i], &ref[i], sizeof ours[i]) != 0;
    CHECK(wrong == 0);
    CHECK(c >= 3 || (set > 0 && set < g.count));
  }
  free(mask);
  free(outside);
  free(ours);
  free(ref);
}

int main(void)
{
  test_distance();
  test_depth_matches_distance();
  test_dilate_erode_fill();
  test_ball_matches_distance();
  return check_report();
}

/*
 * test_facemask.c - the head frame and the face region: frame coordinates
 * invert exactly, the frame is right-handed whatever the eyes' placement,
 * the region holds the eyes' fronts, the nose and the chin and never reaches
 * above the orbital roof, behind the globes at eye level, or the braincase.
 */
#include "check.h"
#include "facemask.h"

#include <math.h>

static void test_frame(void)
{
  check_context = "frame";
  eye_pair eyes = {0};
  eyes.right = v3(30, 60, -20);
  eyes.left = v3(-34, 58, -24); /* slightly yawed and rolled */
  head_frame f;
  frame_from_eyes(&eyes, &f);
  CHECK(fabs(v3_norm(f.u) - 1) < 1e-12 && fabs(v3_norm(f.v) - 1) < 1e-12);
  CHECK(fabs(v3_dot(f.u, f.v)) < 1e-12 && fabs(v3_dot(f.u, f.w)) < 1e-12);
  CHECK(v3_dot(v3_cross(f.u, f.v), f.w) > 0.999); /* right-handed */
  CHECK(f.u.x > 0.9 && f.v.y > 0.9 && f.w.z > 0.9);
  vec3 p = v3(12.5, -40, 77), q = frame_point(&f, frame_coords(&f, p));
  CHECK(v3_norm(v3_sub(p, q)) < 1e-9);
  vec3 r = frame_coords(&f, eyes.right);
  CHECK(r.x > 0 && fabs(r.y) < 1e-9 && fabs(r.z) < 1e-9);
  CHECK(f.scale > 0.8 && f.scale < 1.2);
}

static void test_region(void)
{
  check_context = "region";
  CHECK(face_region_contains(v3(33, 5, 0)));     /* front of a globe */
  CHECK(face_region_contains(v3(0, 30, -45)));   /* nose */
  CHECK(face_region_contains(v3(0, 15, -75)));   /* lips */
  CHECK(face_region_contains(v3(0, 5, -110)));   /* chin */
  CHECK(face_region_contains(v3(45, -5, -40)));  /* cheek */
  CHECK(!face_region_contains(v3(0, 20, 12)));   /* above the orbital roof */
  CHECK(!face_region_contains(v3(30, -10, 0)));  /* behind the globe centres at eye level */
  CHECK(!face_region_contains(v3(0, 0, 0)));     /* between the orbits, behind the nasal bridge */
  CHECK(!face_region_contains(v3(30, -20, 2)));  /* under the roof that slopes down behind */
  CHECK(!face_region_contains(v3(70, 0, -30)));  /* beyond the face's width */
  CHECK(!face_region_contains(v3(0, -30, -40))); /* behind the nose: the pharynx */
  /* Nothing at all above the roof, anywhere in front of or behind the eyes. */
  int above = 0;
  for (double v = -100; v <= 100; v += 2)
    for (double u = -80; u <= 80; u += 4)
      above += face_region_contains(v3(u, v, 8.5));
  CHECK(above == 0);
  check_context = "ears";
  CHECK(ear_region_contains(v3(85, -80, 0)) && ear_region_contains(v3(-85, -80, 0)));
  CHECK(!ear_region_contains(v3(72, -80, 0))); /* the temporal lobe's reach */
}

int main(void)
{
  test_frame();
  test_region();
  return check_report();
}

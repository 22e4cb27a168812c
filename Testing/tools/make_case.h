/*
 * make_case.h - helpers shared by make_case's files (make_case.c: geometry and data modes;
 * make_case_artefacts.c: what real scanners do to a head). Only nifti_clib and libm.
 */
#ifndef MAKE_CASE_H
#define MAKE_CASE_H

#include <stdint.h>

#include <nifti2_io.h>

#define PROG "make_case"
#define PI 3.14159265358979323846

/* The scalar types this tool reads and writes. */
typedef struct type_info {
  const char *name;
  int dt, is_int;
  double lo, hi;
} type_info;

extern const nifti_dmat44 IDENTITY;

int fail(const char *fmt, ...);
const type_info *type_of(int dt, const char *name);
double raw_at(const void *data, int dt, int64_t i);
void raw_put(void *data, int dt, int64_t i, double v);
int has_scaling(const nifti_image *im);
double real_at(const nifti_image *im, int64_t i);
double to_type(const type_info *t, double v);
double raw_for(const nifti_image *im, double r);
void real_range(const nifti_image *im, double *lo, double *hi);
nifti_dmat44 world_of(const nifti_image *im);
void set_grid(nifti_image *out, const nifti_image *in, nifti_dmat44 t);
nifti_image *blank_copy(const nifti_image *in);
nifti_image *new_like(const nifti_image *in, const int64_t n[3], int64_t nt);
int64_t n_volumes(const nifti_image *im);
nifti_image *crop(const nifti_image *in, const int64_t lo[3], const int64_t n[3]);
double sample(const nifti_image *in, const double p[3], double bg, int nearest);
unsigned char *head_mask(const nifti_image *in, double level);
int cmp_double(const void *a, const void *b);

/* make_case_artefacts.c: each returns a new image or NULL after a message. */
nifti_image *mode_falloff(const nifti_image *in, const char *dir, const char *fraction);
nifti_image *mode_saturate(const nifti_image *in, const char *fraction);
nifti_image *mode_rician(const nifti_image *in, const char *percent);
nifti_image *mode_scale(const nifti_image *in, const char *factor, nifti_dmat44 *moved);
nifti_image *mode_cut(const nifti_image *in, const char *dir, const char *mm);
nifti_image *mode_neck(const nifti_image *in, const char *mm);
nifti_image *mode_flair(const nifti_image *in);
nifti_image *mode_resample(const nifti_image *in, const char *sx, const char *sy, const char *sz);

#endif

/*
 * internal.h - helpers shared by the core's files; not installed, not public.
 */
#ifndef DEFACE_INTERNAL_H
#define DEFACE_INTERNAL_H

#include "deface.h"

#if defined(__MINGW32__) /* mingw's "printf" archetype is msvcrt's, which lacks %zu */
#define DEFACE_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define DEFACE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DEFACE_PRINTF(a, b)
#endif

/** Writes a one-line message into err (DEFACE_ERRLEN bytes, may be NULL)
 * and returns status, so that `return deface__fail(err, st, ...)` reads well. */
deface_status deface__fail(char *err, deface_status status, const char *fmt, ...)
    DEFACE_PRINTF(3, 4);

/** *out = a*b; returns -1 on overflow. */
int deface__size_mul(size_t a, size_t b, size_t *out);
/* A large buffer (a volume, an analysis grid): huge pages where the system
 * has them (memory.c), zeroed when `zero`; NULL when out of memory. Release
 * it with free(). */
void *deface__alloc_large(size_t bytes, int zero);
/* deface_volume_new() for a volume written only here and there (the label):
 * zeroed, on small pages (volume.c). */
deface_status deface__volume_new_sparse(const size_t dims[4], deface_datatype datatype,
                                        const double voxel_to_ras[4][4], deface_volume **out,
                                        char *err);

/** Calls the progress callback if any; non-zero means cancel. */
int deface__report(const deface_options *options, double fraction, const char *stage);

#include <stdint.h>

/** A stored value of a voxel array of a datatype, inlined for the loops that
 * read every voxel (resampling) and used by deface__volume_stored(). */
static inline double deface__stored_at(const void *data, deface_datatype type, size_t i)
{
  switch (type) {
  case DEFACE_UINT8:
    return ((const uint8_t *)data)[i];
  case DEFACE_INT8:
    return ((const int8_t *)data)[i];
  case DEFACE_INT16:
    return ((const int16_t *)data)[i];
  case DEFACE_UINT16:
    return ((const uint16_t *)data)[i];
  case DEFACE_INT32:
    return ((const int32_t *)data)[i];
  case DEFACE_UINT32:
    return ((const uint32_t *)data)[i];
  case DEFACE_FLOAT32:
    return ((const float *)data)[i];
  case DEFACE_FLOAT64:
    return ((const double *)data)[i];
  }
  return 0;
}

/** The bounding box of the non-zero bytes of a dims[0] x dims[1] x dims[2]
 * array (x fastest), in indices, inclusive; 0 when it has none. Scans row
 * by row. */
int deface__nonzero_extent(const uint8_t *data, const size_t dims[3], size_t lo[3], size_t hi[3]);
/** The same for a label's first time point. */
int deface__label_extent(const deface_volume *label, size_t lo[3], size_t hi[3]);

/** The next run of unlabelled voxels at or after *start (lab[i] == 0 for
 * *start <= i < *end, in index order up to n); 0 when none is left. */
static inline int deface__unlabelled_run(const uint8_t *lab, size_t n, size_t *start, size_t *end)
{
  size_t i = *start;
  while (i < n && lab[i])
    i++;
  if (i == n)
    return 0;
  size_t e = i + 1;
  while (e < n && !lab[e])
    e++;
  *start = i;
  *end = e;
  return 1;
}

/** deface_apply_fill() given the label's extent (`label_box[0]` lowest,
 * `[1]` highest voxel index: every labelled voxel lies in it), or NULL to
 * scan the label for it. */
deface_status deface__apply_fill_in_box(deface_volume *volume, const deface_volume *label,
                                        const size_t (*label_box)[3], const deface_options *options,
                                        deface_result *result, char *err);

/** Stored (unscaled) value of a voxel. */
double deface__volume_stored(const deface_volume *volume, size_t index);
/** Smallest and largest stored value of a datatype. */
void deface__datatype_range(deface_datatype datatype, double *lo, double *hi);
/** Stores a real value with inverse scaling, rounding and range limits. */
void deface__volume_store(deface_volume *volume, size_t index, double real);

/** Refuses inputs that cannot hold a face: 2D, thin slabs, coarse or tiny grids. */
deface_status deface__check_suitable(const deface_volume *input, char *err);
/* The result checks (check.c) shared by the copying and the in-place
 * pipeline: both eyes carry label 2; a labelled tissue voxel of the first
 * time point with an air neighbour is face skin; at least 50 skin voxels and
 * half of them changed. */
deface_status deface__check_eyes_labelled(const deface_volume *label, const deface_result *result,
                                          char *err);
int deface__face_skin(const deface_volume *volume, const uint8_t *lab, const size_t dims[4],
                      size_t i, size_t j, size_t k, double threshold);
deface_status deface__check_surface(size_t changed, size_t surface, deface_result *result,
                                    char *err);

/** DEFACE_E_USAGE for options not from deface_options_init() (struct_size), an
 * unknown fill mode or a blur sigma outside DEFACE_SIGMA_MIN_MM..MAX_MM. */
deface_status deface__check_fill_options(const deface_options *options, char *err);

#endif

/*
 * fill.c - replacing the voxels inside the label: with the air value, a
 * Gaussian blur of the image, or air-like noise. Every time point of a 4D
 * series gets the same treatment under the one label.
 */
#include "geometry.h"
#include "internal.h"
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lowest real value the volume's datatype and scaling can hold. */
static double lowest_real(const deface_volume *v)
{
  double slope, inter, lo, hi;
  deface_volume_scaling(v, &slope, &inter);
  if (slope == 0)
    slope = 1;
  deface__datatype_range(deface_volume_datatype(v), &lo, &hi);
  return slope > 0 ? slope * lo + inter : slope * hi + inter;
}

/* xorshift64* and Box-Muller: reproducible noise from the caller's seed. */
static double next_uniform(uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return ((*s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static double next_gauss(uint64_t *s)
{
  double u1 = next_uniform(s), u2 = next_uniform(s);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2 * log(u1)) * cos(2 * DEFACE_PI * u2);
}

/* Separable Gaussian along one axis of a box of doubles. The kernel needs
 * 2 * n[axis] + 1 doubles: it never reaches further than the box. */
static void blur_axis(double *box, const size_t n[3], int axis, double sigma_vox, double *line,
                      double *tmp, double *kernel)
{
  double reach = ceil(3 * sigma_vox);
  int radius = reach < 1 ? 1 : reach > (double)n[axis] ? (int)n[axis] : (int)reach;
  for (int q = -radius; q <= radius; q++)
    kernel[q + radius] = exp(-0.5 * q * q / (sigma_vox * sigma_vox));
  size_t stride[3] = {1, n[0], n[0] * n[1]};
  int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
  for (size_t p2 = 0; p2 < n[a2]; p2++)
    for (size_t p1 = 0; p1 < n[a1]; p1++) {
      size_t base = p1 * stride[a1] + p2 * stride[a2];
      for (size_t q = 0; q < n[axis]; q++)
        line[q] = box[base + q * stride[axis]];
      for (size_t q = 0; q < n[axis]; q++) {
        double acc = 0, wsum = 0;
        for (int o = -radius; o <= radius; o++) {
          long at = (long)q + o;
          if (at < 0 || at >= (long)n[axis])
            continue; /* renormalise at the box edge rather than pad */
          acc += kernel[o + radius] * line[at];
          wsum += kernel[o + radius];
        }
        tmp[q] = acc / wsum;
      }
      for (size_t q = 0; q < n[axis]; q++)
        box[base + q * stride[axis]] = tmp[q];
    }
}

deface_status deface__check_fill_options(const deface_options *options, char *err)
{
  if (options->struct_size != sizeof *options)
    return deface__fail(err, DEFACE_E_USAGE,
                        "options of %zu bytes, this library's are %zu: set them up with "
                        "deface_options_init()",
                        options->struct_size, sizeof *options);
  if (options->fill != DEFACE_FILL_ZERO && options->fill != DEFACE_FILL_BLUR &&
      options->fill != DEFACE_FILL_NOISE)
    return deface__fail(err, DEFACE_E_USAGE, "unknown fill mode %d", (int)options->fill);
  if (options->fill == DEFACE_FILL_BLUR &&
      !(options->sigma_mm >= DEFACE_SIGMA_MIN_MM && options->sigma_mm <= DEFACE_SIGMA_MAX_MM))
    return deface__fail(err, DEFACE_E_USAGE, "blur sigma %g mm is not within %g to %g mm",
                        options->sigma_mm, DEFACE_SIGMA_MIN_MM, DEFACE_SIGMA_MAX_MM);
  return DEFACE_OK;
}

/* A box given by the face mask is checked against the voxels it counted:
 * one it missed would be left unfilled. */
static deface_status box_reached(size_t reached, const deface_result *result, char *err)
{
  if (reached == result->labelled_voxels)
    return DEFACE_OK;
  return deface__fail(err, DEFACE_E_INTERNAL,
                      "the fill reached %zu of the label's %zu voxels: its box misses some",
                      reached, result->labelled_voxels);
}

deface_status deface_apply_fill(deface_volume *volume, const deface_volume *label,
                                const deface_options *options, deface_result *result, char *err)
{
  return deface__apply_fill_in_box(volume, label, NULL, options, result, err);
}

deface_status deface__apply_fill_in_box(deface_volume *volume, const deface_volume *label,
                                        const size_t (*label_box)[3], const deface_options *options,
                                        deface_result *result, char *err)
{
  size_t dims[4], ld[4];
  deface_volume_dims(volume, dims);
  deface_volume_dims(label, ld);
  if (ld[0] != dims[0] || ld[1] != dims[1] || ld[2] != dims[2] ||
      deface_volume_datatype(label) != DEFACE_UINT8)
    return deface__fail(err, DEFACE_E_USAGE, "the label does not match the volume's grid");
  deface_status valid = deface__check_fill_options(options, err);
  if (valid != DEFACE_OK)
    return valid;
  const uint8_t *lab = deface_volume_data_const(label);
  size_t n3 = deface_volume_voxels_3d(volume),
         esize = deface_datatype_size(deface_volume_datatype(volume));
  double air = fmax(result->air_value, lowest_real(volume));
  result->air_value = air;

  /* Bounding box of the label, grown by 3 sigma for the blur. */
  size_t lo[3], hi[3];
  result->changed_voxels = 0;
  int known = label_box != NULL;
  for (int a = 0; known && a < 3; a++) {
    lo[a] = label_box[0][a];
    hi[a] = label_box[1][a];
    if (lo[a] > hi[a]) /* empty: the self-check refuses an empty label */
      return box_reached(0, result, err);
    known = hi[a] < dims[a]; /* a box off the grid is not trusted: scanned for */
  }
  if (!known && !deface__label_extent(label, lo, hi))
    return DEFACE_OK; /* empty label: the self-check will refuse it */
  double sp[3], sigma_vox[3];
  deface_volume_spacing(volume, sp);
  size_t bn[3], b0[3];
  for (int a = 0; a < 3; a++) {
    sigma_vox[a] = options->sigma_mm / sp[a];
    size_t grow = options->fill == DEFACE_FILL_BLUR ? (size_t)ceil(3 * sigma_vox[a]) : 0;
    b0[a] = lo[a] > grow ? lo[a] - grow : 0;
    size_t b1 = hi[a] + grow < dims[a] ? hi[a] + grow : dims[a] - 1;
    bn[a] = b1 - b0[a] + 1;
  }
  double *box = NULL, *line = NULL, *tmp = NULL, *kernel = NULL;
  if (options->fill == DEFACE_FILL_BLUR) {
    size_t nmax = bn[0] > bn[1] ? bn[0] : bn[1];
    nmax = nmax > bn[2] ? nmax : bn[2];
    box = malloc(bn[0] * bn[1] * bn[2] * sizeof *box);
    line = malloc(nmax * sizeof *line);
    tmp = malloc(nmax * sizeof *tmp);
    kernel = malloc((2 * nmax + 1) * sizeof *kernel);
    if (!box || !line || !tmp || !kernel) {
      free(box);
      free(line);
      free(tmp);
      free(kernel);
      return deface__fail(err, DEFACE_E_NOMEM, "out of memory for the blur");
    }
  }
  uint64_t seed = options->seed ? options->seed : 1;
  size_t changed3 = 0, filled3 = 0;
  unsigned char before[8];
  for (size_t t = 0; t < dims[3]; t++) {
    if (progress_report(options, STAGE_FILL, (double)t / (double)dims[3])) {
      free(box);
      free(line);
      free(tmp);
      free(kernel);
      return deface__fail(err, DEFACE_E_CANCELLED, "cancelled");
    }
    size_t base = t * n3;
    if (box) {
      for (size_t k = 0; k < bn[2]; k++)
        for (size_t j = 0; j < bn[1]; j++)
          for (size_t i = 0; i < bn[0]; i++)
            box[i + bn[0] * (j + bn[1] * k)] = deface_volume_value(
                volume, base + (b0[0] + i) + dims[0] * ((b0[1] + j) + dims[1] * (b0[2] + k)));
      for (int a = 0; a < 3; a++)
        blur_axis(box, bn, a, sigma_vox[a], line, tmp, kernel);
    }
    unsigned char *data = deface_volume_data(volume);
    for (size_t k = lo[2]; k <= hi[2]; k++)
      for (size_t j = lo[1]; j <= hi[1]; j++)
        for (size_t i = lo[0]; i <= hi[0]; i++) {
          size_t idx = i + dims[0] * (j + dims[1] * k);
          if (!lab[idx])
            continue;
          double value = air;
          if (box)
            value = box[(i - b0[0]) + bn[0] * ((j - b0[1]) + bn[1] * (k - b0[2]))];
          else if (options->fill == DEFACE_FILL_NOISE)
            value = air + (result->is_ct ? next_gauss(&seed) : fabs(next_gauss(&seed))) *
                              result->air_noise_sd;
          filled3 += t == 0;
          size_t at = base + idx;
          memcpy(before, data + at * esize, esize);
          deface__volume_store(volume, at, value);
          if (memcmp(before, data + at * esize, esize) != 0) {
            result->changed_voxels++;
            changed3 += t == 0;
          }
        }
  }
  result->changed_ml = (double)changed3 * sp[0] * sp[1] * sp[2] / 1000.0;
  free(box);
  free(line);
  free(tmp);
  free(kernel);
  return label_box ? box_reached(filled3, result, err) : DEFACE_OK;
}

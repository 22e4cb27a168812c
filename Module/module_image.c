/*
 * module_image.c - chooses the image adapter by file extension
 * (module_image.h): NRRD through deface_nrrd, other formats through ITK when
 * this build has it (FM_WITH_ITK).
 */
#include "module_image.h"

#include "deface_nrrd.h"
#if defined(FM_WITH_ITK)
#include "itk_image_io.h"
#endif

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fm_image {
  deface_nrrd *nrrd;
#if defined(FM_WITH_ITK)
  fm_itk_header *itk;
#endif
};

static int ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  if (n < k)
    return 0;
  for (size_t i = 0; i < k; i++)
    if (tolower((unsigned char)s[n - k + i]) != suffix[i])
      return 0;
  return 1;
}

static int is_nrrd(const char *path)
{
  return ends_with(path, ".nrrd") || ends_with(path, ".nhdr");
}

int fm_image_format_known(const char *path)
{
#if defined(FM_WITH_ITK)
  return is_nrrd(path) || fm_itk_format_known(path);
#else
  return is_nrrd(path);
#endif
}

static deface_status unknown_format(const char *path, deface_status st, char *err)
{
#if defined(FM_WITH_ITK)
  snprintf(err, DEFACE_ERRLEN,
           "%s: unknown image format (expected .nrrd, .nhdr, .nii, .nii.gz, .mha, .mhd)", path);
#else
  snprintf(err, DEFACE_ERRLEN,
           "%s: not a NRRD file name (.nrrd, .nhdr); this build of the module reads and "
           "writes NRRD, which is what Slicer passes",
           path);
#endif
  return st;
}

deface_status fm_image_read(const char *path, deface_volume **volume, fm_image **image, char *err)
{
  *volume = NULL;
  *image = NULL;
  if (!fm_image_format_known(path))
    return unknown_format(path, DEFACE_E_INPUT, err);
  fm_image *img = calloc(1, sizeof *img);
  if (!img) {
    snprintf(err, DEFACE_ERRLEN, "%s: out of memory", path);
    return DEFACE_E_NOMEM;
  }
  deface_status st;
  if (is_nrrd(path))
    st = deface_nrrd_read(path, volume, &img->nrrd, err);
#if defined(FM_WITH_ITK)
  else
    st = fm_itk_read(path, volume, &img->itk, err);
#else
  else
    st = DEFACE_E_INTERNAL;
#endif
  if (st != DEFACE_OK) {
    fm_image_free(img);
    return st;
  }
  *image = img;
  return DEFACE_OK;
}

deface_status fm_image_write(const char *path, const char *format_path, const deface_volume *volume,
                             const fm_image *image, char *err)
{
  if (!fm_image_format_known(format_path))
    return unknown_format(format_path, DEFACE_E_OUTPUT, err);
  if (is_nrrd(format_path) != (image->nrrd != NULL)) {
    snprintf(err, DEFACE_ERRLEN,
             "%s: the output must have the input's format (NRRD in, NRRD out; or neither)",
             format_path);
    return DEFACE_E_OUTPUT;
  }
  if (image->nrrd) {
    if (ends_with(format_path, ".nhdr")) {
      snprintf(err, DEFACE_ERRLEN, "%s: write a .nrrd (attached data), not a detached .nhdr",
               format_path);
      return DEFACE_E_OUTPUT;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
      snprintf(err, DEFACE_ERRLEN, "%s: cannot open for writing", path);
      return DEFACE_E_OUTPUT;
    }
    deface_status st = deface_nrrd_write_stream(f, path, volume, image->nrrd, err);
    if (fclose(f) != 0 && st == DEFACE_OK) {
      snprintf(err, DEFACE_ERRLEN, "%s: cannot write (closing the file failed)", path);
      st = DEFACE_E_OUTPUT;
    }
    return st;
  }
#if defined(FM_WITH_ITK)
  return fm_itk_write(path, format_path, volume, image->itk, err);
#else
  return DEFACE_E_INTERNAL;
#endif
}

void fm_image_free(fm_image *image)
{
  if (!image)
    return;
  deface_nrrd_free(image->nrrd);
#if defined(FM_WITH_ITK)
  fm_itk_header_free(image->itk);
#endif
  free(image);
}

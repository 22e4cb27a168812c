/*
 * module_image.h - the module's image files: NRRD (what Slicer hands a CLI
 * module) always through Logic/IO's C adapter; with FM_WITH_ITK (the
 * standalone executable and the Slicer extension build, which link ITK
 * safely) also NIfTI and MetaImage through ITK (itk_image_io.cxx). The
 * loadable library of the Debian build reads and writes NRRD only, so that it
 * imports nothing Slicer's process also defines.
 */
#ifndef FM_MODULE_IMAGE_H
#define FM_MODULE_IMAGE_H

#include "deface.h"

/** The input's header, kept to write the outputs on its grid; opaque. */
typedef struct fm_image fm_image;

/**
 * Reads a scalar 2D or 3D image. Messages start with the path.
 * @return DEFACE_OK, DEFACE_E_INPUT or DEFACE_E_NOMEM.
 */
deface_status fm_image_read(const char *path, deface_volume **volume, fm_image **image, char *err);

/**
 * Writes `volume` (on the input's grid) to `path` in the format of
 * `format_path`'s extension, with the input's header. `path` may be a
 * temporary name whose end is format_path's file name.
 * @return DEFACE_OK, DEFACE_E_USAGE (not the input's grid) or DEFACE_E_OUTPUT.
 */
deface_status fm_image_write(const char *path, const char *format_path, const deface_volume *volume,
                             const fm_image *image, char *err);

void fm_image_free(fm_image *image);

/** 1 when the module reads and writes files with this name's extension. */
int fm_image_format_known(const char *path);

#endif /* FM_MODULE_IMAGE_H */

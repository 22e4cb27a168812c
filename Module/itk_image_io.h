/*
 * itk_image_io.h - the Slicer module's adapter for NIfTI and MetaImage files
 * through ITK's ImageIO classes (C++ inside, this C API out). Only in the
 * builds that link ITK safely: the standalone executable and the Slicer
 * extension (Slicer's own ITK). NRRD goes through Logic/IO's deface_nrrd.
 *
 * Reading keeps ITK's own header (size, LPS spacing, origin, direction,
 * pixel type) in an fm_itk_header so that the outputs are written on
 * exactly the input's grid, not on a grid rebuilt from the RAS matrix.
 * The core gets a deface_volume with the matching datatype and the
 * voxel-to-RAS matrix RAS = diag(-1,-1,1) * (origin + direction * diag(spacing) * ijk).
 * No exception leaves this adapter: every failure becomes a deface_status
 * and a one-line message in err (DEFACE_ERRLEN bytes).
 */
#ifndef FM_ITK_IMAGE_IO_H
#define FM_ITK_IMAGE_IO_H

#include "deface.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The input's file header as ITK read it; opaque. */
typedef struct fm_itk_header fm_itk_header;

/** 1 for the extensions this adapter handles (.nii, .nii.gz, .hdr, .img, .mha, .mhd). */
int fm_itk_format_known(const char *path);

/**
 * Reads a scalar 2D or 3D image (a 2D image becomes one slice, which the
 * core then refuses with its reason). Vector, RGB, complex and 4D images
 * and unsupported pixel types are refused with DEFACE_E_INPUT.
 * @param volume  receives the voxels; free with deface_volume_free().
 * @param header  receives the header; free with fm_itk_header_free().
 * @return DEFACE_OK, DEFACE_E_INPUT, DEFACE_E_NOMEM or DEFACE_E_INTERNAL.
 */
deface_status fm_itk_read(const char *path, deface_volume **volume, fm_itk_header **header,
                          char *err);

/** Frees a header; NULL is a no-op. */
void fm_itk_header_free(fm_itk_header *header);

/**
 * Writes `volume` to `path` (format from format_path's extension: .nii,
 * .nii.gz, .mha/.mhd; path may be a temporary name) with the header's size, spacing,
 * origin and direction. The volume's datatype is written as is: the
 * defaced image keeps the input's, the label is uint8.
 * @return DEFACE_OK, DEFACE_E_USAGE (grid differs from the header's) or
 *         DEFACE_E_OUTPUT (unknown extension, cannot write).
 */
deface_status fm_itk_write(const char *path, const char *format_path, const deface_volume *volume,
                           const fm_itk_header *header, char *err);

#ifdef __cplusplus
}
#endif
#endif /* FM_ITK_IMAGE_IO_H */

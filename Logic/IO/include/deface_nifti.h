/*
 * deface_nifti.h - the NIfTI adapter: reads .nii / .nii.gz (NIfTI-1 and
 * NIfTI-2) into a deface_volume and writes results with the input's header.
 *
 * The adapter keeps the input's header (every field, the extensions and the
 * NIfTI version) in an opaque deface_nifti handle, so that an output differs
 * from its input only in the voxels and in `descrip`. Like the core it never
 * prints, never exits and keeps no global state; every fallible call returns a
 * deface_status and writes "PATH: reason" on one line into `err`, a buffer of
 * DEFACE_ERRLEN bytes owned by the caller (may be NULL).
 */
#ifndef DEFACE_NIFTI_H
#define DEFACE_NIFTI_H

#include "deface.h"
#include "deface_write.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The input's full header: fields, extensions, NIfTI version, and the
 * geometry chosen from it. Opaque; free with deface_nifti_free(). */
typedef struct deface_nifti deface_nifti;

/**
 * Reads a single-file NIfTI-1 or NIfTI-2 image (`.nii`, or `.nii.gz` for
 * gzip) into a new volume.
 *
 * The header is validated before anything large is allocated: 2 to 4 used
 * dimensions (dimensions 5-7 must be 1), every used dimension >= 1, at most
 * 65535 voxels along x, y, z and 100000 time points, at most 16 GiB of voxels,
 * a scalar datatype (uint8, int8, int16, uint16, int32, uint32, float32,
 * float64), an invertible finite voxel-to-world matrix, and for `.nii` a file
 * long enough for the voxels. 2D images are read (the core refuses them).
 * Voxels are kept exactly as stored, NaN included; big-endian files are
 * swapped to the host's order.
 *
 * Geometry follows the NIfTI rules: the sform if sform_code > 0, else the
 * qform if qform_code > 0, else diag(pixdim) (ANALYZE's "method 1"; see
 * deface_nifti_warned_pixdim()). The scaling is scl_slope/scl_inter, or
 * (1, 0) when scl_slope is 0 or not finite.
 *
 * @param path    the file to read.
 * @param volume  receives the new volume; the caller frees it with
 *                deface_volume_free(). NULL on failure.
 * @param header  receives the input's header; the caller frees it with
 *                deface_nifti_free(). NULL on failure.
 * @param err     DEFACE_ERRLEN bytes for "PATH: reason", or NULL.
 * @return DEFACE_OK; DEFACE_E_INPUT when the file is missing, unreadable,
 *         truncated, corrupt or not supported; DEFACE_E_NOMEM when memory
 *         runs out; DEFACE_E_USAGE for NULL arguments.
 */
deface_status deface_nifti_read(const char *path, deface_volume **volume, deface_nifti **header,
                                char *err);

/**
 * Writes a volume with the input's header: the same NIfTI version, dims,
 * datatype, scaling, qform/sform codes and parameters, units, intent,
 * calibration, slice timing, aux_file and extensions, byte for byte as read;
 * only `descrip` (and the data offset) change. The volume must have the
 * header's dims, datatype, scaling and matrix (the core's outputs do).
 *
 * `path` ending in `.nii.gz` gives a gzip file, `.nii` a plain one. The file
 * is written under a temporary name in the same directory, checked, and then
 * renamed over `path`, so `path` never holds a partial file; an existing file
 * is replaced (whether that is allowed is the caller's decision).
 *
 * @param descrip  text for the header's descrip (cut to 79 characters);
 *                 NULL gives "defaced by deface VERSION".
 * @return DEFACE_OK; DEFACE_E_USAGE when the volume does not match the header
 *         or the name does not end in .nii / .nii.gz; DEFACE_E_OUTPUT when the
 *         file cannot be written (no temporary file is left behind).
 */
deface_status deface_nifti_write(const char *path, const deface_volume *volume,
                                 const deface_nifti *header, const char *descrip, char *err);

/**
 * Writes a label volume (uint8, 3D, the input's nx, ny, nz and matrix) on the
 * input's grid: the input's header with ndim 3, datatype uint8, no scaling,
 * intent NIFTI_INTENT_LABEL, cal_min 0, cal_max 3, no extensions and
 * descrip "deface label: 0 keep 1 face 2 eyes 3 ears". Written atomically
 * like deface_nifti_write().
 *
 * @return DEFACE_OK, DEFACE_E_USAGE (wrong datatype, dims or matrix, or bad
 *         name) or DEFACE_E_OUTPUT.
 */
deface_status deface_nifti_write_label(const char *path, const deface_volume *label,
                                       const deface_nifti *header, char *err);

/**
 * deface_nifti_write() into entry `index` of a write transaction
 * (deface_write.h), so that the image is replaced together with the other
 * outputs of the same result, or not at all. The entry's target must end in
 * .nii or .nii.gz; the file is written to the entry's temporary and read back
 * here, and renamed by deface_txn_commit().
 */
deface_status deface_nifti_write_entry(deface_txn *txn, size_t index, const deface_volume *volume,
                                       const deface_nifti *header, const char *descrip, char *err);

/** deface_nifti_write_label() into entry `index` of a write transaction. */
deface_status deface_nifti_write_label_entry(deface_txn *txn, size_t index,
                                             const deface_volume *label, const deface_nifti *header,
                                             char *err);

/**
 * A new NIfTI-1 header describing `volume` (dims, datatype, scaling, its
 * voxel-to-RAS matrix as sform and qform with code "scanner", units mm and s),
 * for volumes that did not come from a NIfTI file. NIfTI-1 stores the matrix
 * and the scaling as float: give the volume the header's values
 * (deface_nifti_matrix, deface_nifti_scaling) before deface_nifti_write(),
 * so that what is written is exactly what the volume says.
 * @return DEFACE_OK, DEFACE_E_USAGE (dims over 32767, unknown datatype) or
 *         DEFACE_E_NOMEM. Free *out with deface_nifti_free().
 */
deface_status deface_nifti_header_new(const deface_volume *volume, deface_nifti **out, char *err);

/**
 * deface_nifti_header_new(), and then `volume` takes the header's (float)
 * matrix and scaling, so that the file written from them says exactly what
 * the volume holds: the one step a volume that did not come from a NIfTI file
 * (a DICOM series) takes before it is defaced and written.
 * @return as deface_nifti_header_new(); *out is NULL and the volume
 *         unchanged on failure.
 */
deface_status deface_nifti_header_adopt(deface_volume *volume, deface_nifti **out, char *err);

/** The voxel-to-RAS matrix the header describes (row-major). */
void deface_nifti_matrix(const deface_nifti *header, double m[4][4]);
/** The scaling the header describes (slope 1, inter 0 when unscaled). */
void deface_nifti_scaling(const deface_nifti *header, double *slope, double *inter);

/** Frees a header from deface_nifti_read(); NULL is a no-op. */
void deface_nifti_free(deface_nifti *header);

/** 1 when the file had neither an sform nor a qform, so the geometry was
 * made from pixdim alone and its orientation is a guess; else 0. */
int deface_nifti_warned_pixdim(const deface_nifti *header);

/** Where the geometry came from: "sform", "qform" or "pixdim". A static
 * string; never NULL. */
const char *deface_nifti_geometry_source(const deface_nifti *header);

/** The NIfTI version of the input, 1 or 2 (outputs keep it). */
int deface_nifti_version(const deface_nifti *header);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_NIFTI_H */

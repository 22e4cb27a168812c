/*
 * deface_nrrd.h - NRRD files in and out of deface_volume, in plain C (zlib for
 * the gzip encoding). This is what 3D Slicer hands a CLI module by file: its
 * data-exchange storage nodes write `.nrrd` with attached raw voxels, `space`,
 * `space directions` and `space origin` (vtkMRMLVolumeArchetypeStorageNode::
 * ConfigureForDataExchange turns compression off).
 *
 * Reading: NRRD0001..NRRD0005, attached or detached data (one `data file`),
 * raw or gzip encoding, either endian, the eight scalar types of deface.h,
 * 2D or 3D. Geometry: with a named space (right-anterior-superior,
 * left-anterior-superior, left-posterior-superior) the voxel-to-RAS matrix is
 * built from `space directions` and `space origin` in that space; without a
 * space it follows ITK's reading (which Slicer uses): `spacings` on LPS axes,
 * origin 0. Other spaces (scanner-xyz, 3D-right-handed, ...-time), vector or
 * RGB voxels, 4D and the block/int64 types are refused with the reason.
 *
 * Writing: the input's header kept as it was (every field and key/value line
 * verbatim, so geometry, kinds and metadata are exactly the input's), with the
 * volume's own `type`, the input's encoding and endian, and the data attached.
 * The caller opens the stream (and renames it into place when complete).
 *
 * Numbers are read and written in the C locale whatever the process's locale
 * is: inside 3D Slicer the library runs in a process whose LC_NUMERIC may use
 * a decimal comma.
 *
 * Every function returns a deface_status and writes a one-line reason that
 * starts with the file name into err (DEFACE_ERRLEN bytes; may be NULL). No
 * global state; nothing is printed.
 */
#ifndef DEFACE_NRRD_H
#define DEFACE_NRRD_H

#include "deface.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The header of a NRRD file as read, kept for writing outputs; opaque. */
typedef struct deface_nrrd deface_nrrd;

/**
 * Reads a NRRD file into a new volume (scaling 1, 0) with its voxel-to-RAS
 * matrix.
 * @param volume  receives the volume; free with deface_volume_free().
 * @param header  receives the header; free with deface_nrrd_free(). May be
 *                NULL when the caller does not write outputs.
 * @return DEFACE_OK, DEFACE_E_INPUT (unreadable, malformed, truncated or
 *         unsupported; the reason says which), DEFACE_E_NOMEM or
 *         DEFACE_E_USAGE (NULL arguments).
 */
deface_status deface_nrrd_read(const char *path, deface_volume **volume, deface_nrrd **header,
                               char *err);

/** Frees a header; NULL is a no-op. */
void deface_nrrd_free(deface_nrrd *header);

/** The file's `dimension` (2 or 3 for a header that was read). */
int deface_nrrd_dimension(const deface_nrrd *header);

/**
 * Writes `volume` to an open binary stream as a NRRD file with the header's
 * fields: the same sizes and geometry (the volume's grid and matrix must be
 * the header's), the volume's datatype, the input's encoding and endian.
 * `name` only labels the messages. The stream is not closed.
 * @return DEFACE_OK, DEFACE_E_USAGE (the volume is not on the header's grid,
 *         or has a scaling NRRD cannot hold), DEFACE_E_OUTPUT (a write
 *         failed) or DEFACE_E_NOMEM.
 */
deface_status deface_nrrd_write_stream(FILE *stream, const char *name, const deface_volume *volume,
                                       const deface_nrrd *header, char *err);

/**
 * strtod in the C locale (a '.' decimal point whatever LC_NUMERIC says):
 * parses the longest number at the start of s, sets *end after it (to s
 * when there is none). Exposed for the Slicer module's own numbers.
 */
double deface_c_strtod(const char *s, char **end);

/**
 * Formats a double with printf's "%.*g" (precision digits) in the C locale
 * into buf (n bytes). @return the length, or -1 if it does not fit.
 */
int deface_c_format(char *buf, size_t n, int precision, double value);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_NRRD_H */

/*
 * nifti_private.h - what the NIfTI adapter's reader and writer share; not
 * installed, not public.
 */
#ifndef DEFACE_NIFTI_PRIVATE_H
#define DEFACE_NIFTI_PRIVATE_H

#include "deface_nifti.h"
#include "io_private.h"

#include <nifti2_io.h>

/* The input's header exactly as stored, in host byte order. Outputs are
 * written from it, so fields that nifti_image does not carry (glmax, db_name,
 * unused_str, a qfac without qform...) survive too. */
typedef union nifti_raw_header {
  nifti_1_header n1;
  nifti_2_header n2;
} nifti_raw_header;

struct deface_nifti {
  int version;          /* 1 or 2 */
  nifti_raw_header raw; /* see above */
  nifti_image *nim;     /* nifti_clib's parse: extensions; never data */
  size_t dims[4];       /* nx, ny, nz, nt; 1 for unused axes */
  int nifti_datatype;   /* DT_* code */
  deface_datatype datatype;
  double slope, inter;  /* effective scaling: (1, 0) when scl_slope is unset */
  double matrix[4][4];  /* voxel to RAS, from `geometry` */
  const char *geometry; /* "sform", "qform" or "pixdim" */
};

/* Assigns one field of a raw header whichever its version. */
#define DEFACE_RAW_SET(h, ver, field, value)                                                       \
  do {                                                                                             \
    if ((ver) == 1)                                                                                \
      (h)->n1.field = (value);                                                                     \
    else                                                                                           \
      (h)->n2.field = (value);                                                                     \
  } while (0)

/* 1 if path ends in ".nii.gz" (*gz = 1) or ".nii" (*gz = 0), else 0. */
int deface_nifti_name_ok(const char *path, int *gz);

/* 1 if nifti_clib's parse has these nx, ny, nz, nt (1 for unused axes,
 * which the library leaves at 0 or 1) and this DT_* datatype. */
int deface_nifti_nim_matches(const nifti_image *nim, const size_t dims[4], int datatype);

/* How .nii.gz files are compressed. Only tests choose DEFACE_GZ_ZLIB: the
 * writer deface had before libdeflate (znzlib: zlib level 6, one member), kept
 * so that a test can show both give the same decompressed file. */
typedef enum deface_gz_codec { DEFACE_GZ_LIBDEFLATE = 0, DEFACE_GZ_ZLIB = 1 } deface_gz_codec;

/* deface_nifti_write_entry() and deface_nifti_write_label_entry() with the
 * compression chosen. */
deface_status deface__nifti_write_entry_codec(deface_txn *txn, size_t index,
                                              const deface_volume *volume,
                                              const deface_nifti *header, const char *descrip,
                                              deface_gz_codec codec, char *err);
deface_status deface__nifti_write_label_entry_codec(deface_txn *txn, size_t index,
                                                    const deface_volume *label,
                                                    const deface_nifti *header,
                                                    deface_gz_codec codec, char *err);

#endif

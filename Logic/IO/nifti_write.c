/*
 * nifti_write.c - writes volumes and labels with the input's header into an
 * entry of a write transaction (deface_write.h): the entry's temporary file
 * is written and read back here; the transaction renames it into place.
 *
 * The file is laid out here (header, extender, extensions, data) and written
 * through the transaction, gzip-compressed by libdeflate (gzip_write.c),
 * rather than with nifti_image_write(): that function returns
 * nothing, ignores failed writes and close errors (a full disk gives a
 * truncated file and no error), always writes NIfTI-1 when the values fit,
 * and in the packaged 3.0.1 turns a single-file NIfTI-2 image into a file
 * holding only the voxels.
 */
#define _POSIX_C_SOURCE 200809L

#include "gzip_private.h"
#include "nifti_private.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LABEL_DESCRIP "deface label: 0 keep 1 face 2 eyes 3 ears"

/* What a written file must look like when read back. */
typedef struct expected {
  size_t dims[4];
  int datatype;
  int num_ext;
} expected;

static void set_descrip(nifti_raw_header *raw, int version, const char *text)
{
  char *d = version == 1 ? raw->n1.descrip : raw->n2.descrip;
  size_t n = strlen(text);
  memset(d, 0, 80);
  memcpy(d, text, n < 79 ? n : 79);
}

static int same_matrix(const double a[4][4], const double b[4][4])
{
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      if (!(fabs(a[r][c] - b[r][c]) <= 1e-9 * (1 + fabs(b[r][c]))))
        return 0;
  return 1;
}

static int write_all(znzFile fp, const void *buf, size_t n)
{
  /* znzwrite returns -1 as size_t on a zlib error, so test for equality. */
  return n == 0 || znzwrite(buf, 1, n, fp) == n;
}

/* The writer before libdeflate, kept for tests only (DEFACE_GZ_ZLIB): the
 * temporary opened by name through znzlib, zlib level 6, one gzip member. */
static deface_status write_zlib(const char *path, const char *tmp, int gz, const void *head,
                                size_t head_len, const void *data, size_t bytes, char *err)
{
  char ebuf[128];
  errno = 0;
  znzFile fp = znzopen(tmp, "wb", gz);
  if (znz_isnull(fp))
    return deface__io_fail(err, DEFACE_E_OUTPUT, path, "cannot open %s: %s", tmp,
                           deface__io_strerror(errno ? errno : EIO, ebuf, sizeof ebuf));
  errno = 0;
  int ok = write_all(fp, head, head_len) && write_all(fp, data, bytes);
  int e = errno;
  /* Buffered data reaches the disk at close, so its result counts too. */
  int closed = znzclose(fp);
  if (ok && closed != 0)
    e = errno;
  if (!ok || closed != 0)
    return deface__io_fail(err, DEFACE_E_OUTPUT, path, "write failed: %s",
                           deface__io_strerror(e ? e : EIO, ebuf, sizeof ebuf));
  return DEFACE_OK;
}

/* Header, 4-byte extender, extensions, padding to vox_offset (all in one
 * block: the first gzip member), then the voxels. */
static deface_status write_file(deface_txn *txn, size_t index, int gz, deface_gz_codec codec,
                                int version, nifti_raw_header *raw, const nifti_image *ext_src,
                                const void *data, size_t bytes, char *err)
{
  const char *path = deface_txn_path(txn, index), *tmp = deface_txn_temp_path(txn, index);
  size_t hsize = version == 1 ? sizeof raw->n1 : sizeof raw->n2;
  int num_ext = ext_src ? ext_src->num_ext : 0;
  uint64_t offset = hsize + 4;
  for (int i = 0; i < num_ext; i++) {
    int esize = ext_src->ext_list[i].esize;
    if (esize < 16 || esize % 16 != 0 || !ext_src->ext_list[i].edata)
      return deface__io_fail(err, DEFACE_E_INTERNAL, path, "bad extension %d in the header", i);
    offset += (uint64_t)esize;
  }
  offset = (offset + 15) / 16 * 16;
  if (version == 1) {
    raw->n1.vox_offset = (float)offset; /* NIfTI-1 stores the offset as a float */
    if ((uint64_t)raw->n1.vox_offset != offset)
      return deface__io_fail(err, DEFACE_E_OUTPUT, path,
                             "extensions too large for a NIfTI-1 data offset");
  } else {
    raw->n2.vox_offset = (int64_t)offset;
    /* The standard's 8-byte signature, whose last 4 bytes let readers (e.g.
     * nibabel) detect line-ending damage; nifti_clib writes "n+2" and zeros. */
    memcpy(raw->n2.magic, "n+2\0\r\n\032\n", 8);
  }
  if (offset > SIZE_MAX)
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "header too large for memory");
  /* calloc: the extender's last bytes and the padding are zeros. */
  unsigned char *head = calloc(1, (size_t)offset);
  if (!head)
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  memcpy(head, raw, hsize);
  head[hsize] = num_ext > 0 ? 1 : 0;
  size_t at = hsize + 4;
  for (int i = 0; i < num_ext; i++) {
    const nifti1_extension *x = &ext_src->ext_list[i];
    int32_t esize = x->esize, ecode = x->ecode;
    memcpy(head + at, &esize, 4);
    memcpy(head + at + 4, &ecode, 4);
    memcpy(head + at + 8, x->edata, (size_t)esize - 8);
    at += (size_t)esize;
  }
  deface_status st = DEFACE_OK;
  if (codec == DEFACE_GZ_ZLIB) {
    st = write_zlib(path, tmp, gz, head, (size_t)offset, data, bytes, err);
  } else if (truncate(tmp, 0) != 0) {
    /* The transaction appends: a second write into an entry replaces the
     * first, as opening the temporary by name for writing did. */
    char ebuf[128];
    st = deface__io_fail(err, DEFACE_E_OUTPUT, path, "cannot write %s: %s", tmp,
                         deface__io_strerror(errno, ebuf, sizeof ebuf));
  } else {
    st = deface__gz_write(txn, index, path, gz, head, (size_t)offset, data, bytes, err);
  }
  free(head);
  return st;
}

/* Reads the written file back: the size for .nii, and the header through
 * nifti_clib for both, as any later reader will see it. (The transaction's
 * commit flushes it to disk.) */
static deface_status check_file(const char *path, const char *tmp, int gz, size_t bytes,
                                const expected *want, char *err)
{
  struct stat sb;
  if (stat(tmp, &sb) != 0 || sb.st_size <= 0)
    return deface__io_fail(err, DEFACE_E_OUTPUT, path, "written file is missing or empty");

  deface_status st = DEFACE_OK;
  nifti_image *nim = nifti_image_read(tmp, 0);
  if (!nim)
    return deface__io_fail(err, DEFACE_E_OUTPUT, path, "written file cannot be read back");
  if (!deface_nifti_nim_matches(nim, want->dims, want->datatype) || nim->num_ext != want->num_ext ||
      (!gz && (uint64_t)sb.st_size != (uint64_t)nim->iname_offset + bytes))
    st = deface__io_fail(err, DEFACE_E_OUTPUT, path, "written file does not read back as written");
  nifti_image_free(nim);
  return st;
}

/* Writes and checks one entry of a transaction (deface_write.h): the file
 * goes to the entry's temporary; the transaction's commit renames it. */
static deface_status write_entry(deface_txn *txn, size_t index, deface_gz_codec codec, int version,
                                 nifti_raw_header *raw, const nifti_image *ext_src,
                                 const void *data, size_t bytes, const expected *want, char *err)
{
  const char *path = deface_txn_path(txn, index), *tmp = deface_txn_temp_path(txn, index);
  if (!path || !tmp)
    return deface__io_fail(err, DEFACE_E_USAGE, "deface_nifti_write", "no such entry %zu", index);
  int gz;
  if (!deface_nifti_name_ok(path, &gz))
    return deface__io_fail(err, DEFACE_E_USAGE, path, "output name must end in .nii or .nii.gz");
  deface_status st = write_file(txn, index, gz, codec, version, raw, ext_src, data, bytes, err);
  if (st == DEFACE_OK)
    st = check_file(path, tmp, gz, bytes, want, err);
  return st;
}

/* One file as a transaction of its own. */
typedef deface_status (*entry_writer)(deface_txn *, size_t, const deface_volume *,
                                      const deface_nifti *, const char *, char *);

static deface_status write_alone(const char *path, entry_writer fn, const deface_volume *volume,
                                 const deface_nifti *header, const char *descrip, char *err)
{
  deface_txn *txn = NULL;
  size_t index;
  deface_status st = deface_txn_new(NULL, &txn, err);
  if (st == DEFACE_OK && (st = deface_txn_add(txn, path, &index, err)) == DEFACE_OK &&
      (st = fn(txn, index, volume, header, descrip, err)) == DEFACE_OK)
    st = deface_txn_commit(txn, err);
  deface_txn_free(txn);
  return st;
}

deface_status deface__nifti_write_entry_codec(deface_txn *txn, size_t index,
                                              const deface_volume *volume,
                                              const deface_nifti *header, const char *descrip,
                                              deface_gz_codec codec, char *err)
{
  const char *path = deface_txn_path(txn, index);
  if (!path || !volume || !header)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_nifti_write: NULL argument");
  size_t dims[4];
  double m[4][4], slope, inter;
  deface_volume_dims(volume, dims);
  deface_volume_matrix(volume, m);
  deface_volume_scaling(volume, &slope, &inter);
  if (slope == 0) /* the core's convention, as for the header */
    slope = 1;
  /* Writing other voxels under this header would mislabel them. */
  if (memcmp(dims, header->dims, sizeof dims) != 0)
    return deface__io_fail(err, DEFACE_E_USAGE, path,
                           "volume is %zux%zux%zux%zu but the header says %zux%zux%zux%zu", dims[0],
                           dims[1], dims[2], dims[3], header->dims[0], header->dims[1],
                           header->dims[2], header->dims[3]);
  if (deface_volume_datatype(volume) != header->datatype)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "volume is %s but the header says %s",
                           deface_datatype_name(deface_volume_datatype(volume)),
                           deface_datatype_name(header->datatype));
  if (slope != header->slope || inter != header->inter)
    return deface__io_fail(err, DEFACE_E_USAGE, path,
                           "volume scaling (%g, %g) differs from the header's (%g, %g)", slope,
                           inter, header->slope, header->inter);
  if (!same_matrix(m, header->matrix))
    return deface__io_fail(err, DEFACE_E_USAGE, path,
                           "volume's voxel-to-RAS matrix differs from the header's");

  nifti_raw_header raw = header->raw;
  set_descrip(&raw, header->version, descrip ? descrip : "defaced by deface " DEFACE_VERSION);
  expected want = {{dims[0], dims[1], dims[2], dims[3]},
                   header->nifti_datatype,
                   header->nim ? header->nim->num_ext : 0};
  return write_entry(txn, index, codec, header->version, &raw, header->nim,
                     deface_volume_data_const(volume), deface_volume_bytes(volume), &want, err);
}

deface_status deface_nifti_write_entry(deface_txn *txn, size_t index, const deface_volume *volume,
                                       const deface_nifti *header, const char *descrip, char *err)
{
  return deface__nifti_write_entry_codec(txn, index, volume, header, descrip, DEFACE_GZ_LIBDEFLATE,
                                         err);
}

deface_status deface_nifti_write(const char *path, const deface_volume *volume,
                                 const deface_nifti *header, const char *descrip, char *err)
{
  if (!path || !volume || !header)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_nifti_write: NULL argument");
  return write_alone(path, deface_nifti_write_entry, volume, header, descrip, err);
}

deface_status deface__nifti_write_label_entry_codec(deface_txn *txn, size_t index,
                                                    const deface_volume *label,
                                                    const deface_nifti *header,
                                                    deface_gz_codec codec, char *err)
{
  const char *path = deface_txn_path(txn, index);
  if (!path || !label || !header)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_nifti_write_label: NULL argument");
  size_t dims[4];
  double m[4][4], slope, inter;
  deface_volume_dims(label, dims);
  deface_volume_matrix(label, m);
  deface_volume_scaling(label, &slope, &inter);
  if (deface_volume_datatype(label) != DEFACE_UINT8 || dims[3] != 1 || (slope != 1 && slope != 0) ||
      inter != 0)
    return deface__io_fail(err, DEFACE_E_USAGE, path,
                           "a label must be an unscaled 3D uint8 volume");
  if (memcmp(dims, header->dims, 3 * sizeof dims[0]) != 0 || !same_matrix(m, header->matrix))
    return deface__io_fail(err, DEFACE_E_USAGE, path,
                           "label %zux%zux%zu is not on the input's grid %zux%zux%zu", dims[0],
                           dims[1], dims[2], header->dims[0], header->dims[1], header->dims[2]);

  /* The input's header keeps the geometry (codes, quaternion, sform, pixdim,
   * units); what describes the voxels becomes a label's. */
  int ver = header->version;
  nifti_raw_header raw = header->raw;
  DEFACE_RAW_SET(&raw, ver, dim[0], 3);
  for (int a = 1; a <= 3; a++)
    DEFACE_RAW_SET(&raw, ver, dim[a], dims[a - 1]);
  for (int a = 4; a <= 7; a++)
    DEFACE_RAW_SET(&raw, ver, dim[a], 1);
  DEFACE_RAW_SET(&raw, ver, datatype, DT_UINT8);
  DEFACE_RAW_SET(&raw, ver, bitpix, 8);
  DEFACE_RAW_SET(&raw, ver, scl_slope, 1);
  DEFACE_RAW_SET(&raw, ver, scl_inter, 0);
  DEFACE_RAW_SET(&raw, ver, intent_code, NIFTI_INTENT_LABEL);
  DEFACE_RAW_SET(&raw, ver, intent_p1, 0);
  DEFACE_RAW_SET(&raw, ver, intent_p2, 0);
  DEFACE_RAW_SET(&raw, ver, intent_p3, 0);
  DEFACE_RAW_SET(&raw, ver, cal_min, 0);
  DEFACE_RAW_SET(&raw, ver, cal_max, 3);
  memset(ver == 1 ? raw.n1.intent_name : raw.n2.intent_name, 0, 16);
  if (ver == 1)
    raw.n1.glmax = raw.n1.glmin = 0;
  set_descrip(&raw, ver, LABEL_DESCRIP);
  expected want = {{dims[0], dims[1], dims[2], 1}, DT_UINT8, 0};
  return write_entry(txn, index, codec, ver, &raw, NULL, deface_volume_data_const(label),
                     deface_volume_bytes(label), &want, err);
}

deface_status deface_nifti_write_label_entry(deface_txn *txn, size_t index,
                                             const deface_volume *label, const deface_nifti *header,
                                             char *err)
{
  return deface__nifti_write_label_entry_codec(txn, index, label, header, DEFACE_GZ_LIBDEFLATE,
                                               err);
}

static deface_status label_entry(deface_txn *txn, size_t index, const deface_volume *label,
                                 const deface_nifti *header, const char *unused, char *err)
{
  (void)unused;
  return deface_nifti_write_label_entry(txn, index, label, header, err);
}

deface_status deface_nifti_write_label(const char *path, const deface_volume *label,
                                       const deface_nifti *header, char *err)
{
  if (!path || !label || !header)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_nifti_write_label: NULL argument");
  return write_alone(path, label_entry, label, header, NULL, err);
}

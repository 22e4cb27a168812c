/*
 * nifti_io.c - reads single-file NIfTI-1 and NIfTI-2 images (.nii, .nii.gz)
 * into a deface_volume, keeping the input's header for the writer
 * (nifti_write.c).
 *
 * nifti_clib parses the header (nifti_image_read, read_data = 0) for the
 * matrices and extensions, but the raw header is read and validated here
 * first: the library prints to stderr and accepts sizes we must refuse
 * before allocating, and its data loader (nifti_image_load) silently replaces
 * NaN and Inf voxels with 0 and allocates a second copy of the voxels. So the
 * voxels are read here, with stdio or libdeflate (gzip_read.c), straight into
 * the volume.
 */
#define _POSIX_C_SOURCE 200809L

#include "gzip_private.h"
#include "nifti_private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MAX_AXIS 65535u
#define MAX_TIME 100000u
#define MAX_BYTES (16ull << 30)     /* 16 GiB of voxels */
#define DEFLATE_MAX_RATIO 1032ull   /* deflate's largest expansion */
#define MAX_VOX_OFFSET (1ull << 30) /* bounds what nifti_clib allocates for extensions */

int deface_nifti_name_ok(const char *path, int *gz)
{
  size_t n = strlen(path);
  if (n > 7 && strcmp(path + n - 7, ".nii.gz") == 0) {
    *gz = 1;
    return 1;
  }
  if (n > 4 && strcmp(path + n - 4, ".nii") == 0) {
    *gz = 0;
    return 1;
  }
  return 0;
}

int deface_nifti_nim_matches(const nifti_image *nim, const size_t dims[4], int datatype)
{
  for (int a = 1; a <= 4; a++) {
    int64_t n = a <= nim->ndim ? nim->dim[a] : 1;
    if (n < 1 || (uint64_t)n != dims[a - 1])
      return 0;
  }
  return nim->datatype == datatype;
}

static deface_datatype map_datatype(int dt)
{
  switch (dt) {
  case DT_UINT8:
    return DEFACE_UINT8;
  case DT_INT8:
    return DEFACE_INT8;
  case DT_INT16:
    return DEFACE_INT16;
  case DT_UINT16:
    return DEFACE_UINT16;
  case DT_INT32:
    return DEFACE_INT32;
  case DT_UINT32:
    return DEFACE_UINT32;
  case DT_FLOAT32:
    return DEFACE_FLOAT32;
  case DT_FLOAT64:
    return DEFACE_FLOAT64;
  }
  return (deface_datatype)0;
}

static uint32_t swap32(uint32_t v)
{
  return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

/* Reads the first bytes of the file and recognises a NIfTI-1 or NIfTI-2
 * single-file header in either byte order; *swapped = 1 for the other one. */
static deface_status read_raw_header(const char *path, int gz, deface_nifti *h, int *swapped,
                                     char *err)
{
  deface_status st = DEFACE_OK;
  char ebuf[128];
  nifti_raw_header raw;
  memset(&raw, 0, sizeof raw);
  errno = 0;
  znzFile fp = znzopen(path, "rb", gz);
  if (znz_isnull(fp))
    return deface__io_fail(err, DEFACE_E_INPUT, path, "cannot open: %s",
                           deface__io_strerror(errno ? errno : EIO, ebuf, sizeof ebuf));
  const char *magic, *single, *pair;
  uint32_t size;
  size_t got = znzread(&raw, 1, sizeof raw.n2, fp);
  if (got > sizeof raw.n2) { /* znzread returns -1 as size_t on a gzip error */
    st = deface__io_fail(err, DEFACE_E_INPUT, path, "corrupt gzip data in the header");
    goto done;
  }
  memcpy(&size, &raw, sizeof size);
  *swapped = 0;
  if (size != 348 && size != 540 && (swap32(size) == 348 || swap32(size) == 540)) {
    *swapped = 1;
    size = swap32(size);
  }
  if (size != 348 && size != 540) {
    if (got < 348)
      st = deface__io_fail(err, DEFACE_E_INPUT, path, "not a NIfTI file (only %zu bytes)", got);
    else
      st = deface__io_fail(err, DEFACE_E_INPUT, path,
                           "not a NIfTI file (no NIfTI-1 or NIfTI-2 header)");
    goto done;
  }
  h->version = size == 348 ? 1 : 2;
  if (got < size) {
    st = deface__io_fail(err, DEFACE_E_INPUT, path, "truncated NIfTI-%d header (%zu of %u bytes)",
                         h->version, got, (unsigned)size);
    goto done;
  }
  if (*swapped)
    swap_nifti_header(&raw, h->version);
  magic = h->version == 1 ? raw.n1.magic : raw.n2.magic;
  single = h->version == 1 ? "n+1" : "n+2";
  pair = h->version == 1 ? "ni1" : "ni2";
  if (memcmp(magic, pair, 4) == 0) {
    st = deface__io_fail(err, DEFACE_E_INPUT, path,
                         "two-file NIfTI (.hdr/.img) header; only single .nii files are read");
    goto done;
  }
  if (memcmp(magic, single, 4) != 0) {
    st = deface__io_fail(err, DEFACE_E_INPUT, path,
                         "no NIfTI magic (an ANALYZE 7.5 or damaged header)");
    goto done;
  }
  h->raw = raw;
done:
  znzclose(fp);
  return st;
}

/* Checks sizes, datatype, scaling and data offset before anything is
 * allocated, and fills h->dims, datatypes and scaling. *bytes and *offset
 * say where the voxels are. file_size is the file's size on disk, gz whether
 * it is compressed: then it bounds the stream by deflate's largest
 * expansion, 1032 times (a 2-bit code for 258 bytes), so that a few hundred
 * bytes claiming gigabytes are refused before that much is allocated. */
static deface_status check_header(const char *path, deface_nifti *h, long long file_size, int gz,
                                  size_t *bytes, uint64_t *offset, char *err)
{
  const nifti_1_header *n1 = &h->raw.n1;
  const nifti_2_header *n2 = &h->raw.n2;
  int64_t dim[8];
  for (int a = 0; a < 8; a++)
    dim[a] = h->version == 1 ? n1->dim[a] : n2->dim[a];
  int dt = h->version == 1 ? n1->datatype : n2->datatype;
  double slope = h->version == 1 ? n1->scl_slope : n2->scl_slope;
  double inter = h->version == 1 ? n1->scl_inter : n2->scl_inter;
  double vox = h->version == 1 ? n1->vox_offset : (double)n2->vox_offset;
  size_t hsize = h->version == 1 ? sizeof *n1 : sizeof *n2;

  if (dim[0] < 2 || dim[0] > 7)
    return deface__io_fail(err, DEFACE_E_INPUT, path,
                           "dim[0] = %lld; an image needs 2 to 4 dimensions", (long long)dim[0]);
  for (int a = 1; a <= dim[0]; a++)
    if (dim[a] < 1)
      return deface__io_fail(err, DEFACE_E_INPUT, path, "dim[%d] = %lld; must be at least 1", a,
                             (long long)dim[a]);
  for (int a = 5; a <= dim[0]; a++)
    if (dim[a] != 1)
      return deface__io_fail(err, DEFACE_E_INPUT, path,
                             "dim[%d] = %lld; images of more than 4 dimensions are not supported",
                             a, (long long)dim[a]);
  for (int a = 1; a <= 4; a++) {
    uint64_t n = a <= dim[0] ? (uint64_t)dim[a] : 1;
    if (a <= 3 && n > MAX_AXIS)
      return deface__io_fail(err, DEFACE_E_INPUT, path,
                             "dim[%d] = %llu; at most %u voxels per axis are supported", a,
                             (unsigned long long)n, MAX_AXIS);
    if (a == 4 && n > MAX_TIME)
      return deface__io_fail(err, DEFACE_E_INPUT, path,
                             "%llu time points; at most %u are supported", (unsigned long long)n,
                             MAX_TIME);
    h->dims[a - 1] = (size_t)n;
  }

  h->nifti_datatype = dt;
  h->datatype = map_datatype(dt);
  if (h->datatype == 0)
    return deface__io_fail(err, DEFACE_E_INPUT, path,
                           "unsupported datatype %s (code %d); only uint8, int8, int16, uint16, "
                           "int32, uint32, float32 and float64 images are read",
                           nifti_is_valid_datatype(dt) ? nifti_datatype_string(dt) : "unknown", dt);
  /* Each factor is below 2^17, so checking after every product is enough. */
  uint64_t total = deface_datatype_size(h->datatype);
  for (int a = 0; a < 4; a++) {
    total *= h->dims[a];
    if (total > MAX_BYTES)
      return deface__io_fail(err, DEFACE_E_INPUT, path,
                             "%zux%zux%zux%zu voxels of %s exceed the 16 GiB limit", h->dims[0],
                             h->dims[1], h->dims[2], h->dims[3], deface_datatype_name(h->datatype));
  }
  if (total > SIZE_MAX)
    return deface__io_fail(err, DEFACE_E_INPUT, path, "too large for this machine's memory");
  *bytes = (size_t)total;

  if (!isfinite(vox) || vox < (double)hsize || vox > (double)MAX_VOX_OFFSET)
    return deface__io_fail(err, DEFACE_E_INPUT, path, "bad vox_offset %g", vox);
  *offset = (uint64_t)vox;
  uint64_t can_hold = gz ? DEFLATE_MAX_RATIO * (uint64_t)file_size : (uint64_t)file_size;
  if (*offset + total > can_hold)
    return deface__io_fail(err, DEFACE_E_INPUT, path,
                           gz ? "truncated or corrupt gzip data: %llu bytes of voxels claimed "
                                "from offset %llu, more than its %lld compressed bytes can hold"
                              : "truncated: %llu bytes of voxels expected from offset %llu, "
                                "but the file has %lld bytes",
                           (unsigned long long)total, (unsigned long long)*offset, file_size);

  /* NIfTI: a slope of 0 (or a non-finite one, as nifti_clib reads it) means
   * the stored values are the real ones. */
  if (slope == 0 || !isfinite(slope)) {
    slope = 1;
    inter = 0;
  } else if (!isfinite(inter)) {
    return deface__io_fail(err, DEFACE_E_INPUT, path, "scl_inter %g is not finite", inter);
  }
  h->slope = slope;
  h->inter = inter;
  return DEFACE_OK;
}

static double determinant3(const double m[4][4])
{
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
         m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* Every field of a transform the header says is valid must be a number:
 * nifti_clib turns a NaN quaternion into an identity rotation, so a NaN
 * qform would be read as something it does not say, and written back as
 * NaN. Checked on the raw fields, whichever transform is used. */
static deface_status check_transforms(const char *path, const deface_nifti *h, char *err)
{
  const nifti_1_header *n1 = &h->raw.n1;
  const nifti_2_header *n2 = &h->raw.n2;
  int v1 = h->version == 1;
  int qcode = v1 ? n1->qform_code : n2->qform_code, scode = v1 ? n1->sform_code : n2->sform_code;
  if (qcode > 0) {
    static const char *const names[] = {"quatern_b", "quatern_c", "quatern_d", "qoffset_x",
                                        "qoffset_y", "qoffset_z", "pixdim[0]", "pixdim[1]",
                                        "pixdim[2]", "pixdim[3]"};
    double q[10] = {v1 ? n1->quatern_b : n2->quatern_b, v1 ? n1->quatern_c : n2->quatern_c,
                    v1 ? n1->quatern_d : n2->quatern_d, v1 ? n1->qoffset_x : n2->qoffset_x,
                    v1 ? n1->qoffset_y : n2->qoffset_y, v1 ? n1->qoffset_z : n2->qoffset_z,
                    v1 ? n1->pixdim[0] : n2->pixdim[0], v1 ? n1->pixdim[1] : n2->pixdim[1],
                    v1 ? n1->pixdim[2] : n2->pixdim[2], v1 ? n1->pixdim[3] : n2->pixdim[3]};
    for (int i = 0; i < 10; i++)
      if (!isfinite(q[i]))
        return deface__io_fail(err, DEFACE_E_INPUT, path,
                               "qform_code %d but %s is %g: the qform is not a valid transform",
                               qcode, names[i], q[i]);
  }
  if (scode > 0)
    for (int i = 0; i < 4; i++) {
      double r[3] = {v1 ? n1->srow_x[i] : n2->srow_x[i], v1 ? n1->srow_y[i] : n2->srow_y[i],
                     v1 ? n1->srow_z[i] : n2->srow_z[i]};
      for (int k = 0; k < 3; k++)
        if (!isfinite(r[k]))
          return deface__io_fail(err, DEFACE_E_INPUT, path,
                                 "sform_code %d but srow_%c[%d] is %g: the sform is not a valid "
                                 "transform",
                                 scode, "xyz"[k], i, r[k]);
    }
  return DEFACE_OK;
}

/* NIfTI's rules: sform, else qform, else pixdim alone ("method 1"). */
static deface_status choose_geometry(const char *path, deface_nifti *h, char *err)
{
  const nifti_image *nim = h->nim;
  const nifti_dmat44 *src = NULL;
  if (nim->sform_code > 0) {
    h->geometry = "sform";
    src = &nim->sto_xyz;
  } else if (nim->qform_code > 0) {
    h->geometry = "qform";
    src = &nim->qto_xyz;
  } else {
    h->geometry = "pixdim";
  }
  memset(h->matrix, 0, sizeof h->matrix);
  if (src) {
    memcpy(h->matrix, src->m, sizeof h->matrix);
  } else {
    for (int a = 0; a < 3; a++) {
      double d = h->version == 1 ? h->raw.n1.pixdim[a + 1] : h->raw.n2.pixdim[a + 1];
      /* A single slice has no spacing to speak of (2D files often store 0);
       * the core refuses such images later with a clearer reason. */
      if ((d == 0 || !isfinite(d)) && h->dims[a] == 1)
        d = 1;
      h->matrix[a][a] = d;
    }
  }
  h->matrix[3][0] = h->matrix[3][1] = h->matrix[3][2] = 0;
  h->matrix[3][3] = 1;
  int finite = 1;
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++)
      finite = finite && isfinite(h->matrix[r][c]);
  if (!finite || determinant3(h->matrix) == 0)
    return deface__io_fail(err, DEFACE_E_INPUT, path,
                           "the voxel-to-world matrix (from %s) is singular or not finite",
                           h->geometry);
  return DEFACE_OK;
}

/* Reads the voxels of a .nii with stdio. */
static deface_status read_plain(const char *path, uint64_t offset, void *data, size_t bytes,
                                char *err)
{
  char ebuf[128];
  FILE *f = fopen(path, "rb");
  if (!f)
    return deface__io_fail(err, DEFACE_E_INPUT, path, "cannot open: %s",
                           deface__io_strerror(errno, ebuf, sizeof ebuf));
  deface_status st = DEFACE_OK;
  size_t got = 0;
  if (fseeko(f, (off_t)offset, SEEK_SET) == 0)
    got = fread(data, 1, bytes, f);
  if (got != bytes)
    st = deface__io_fail(err, DEFACE_E_INPUT, path, "truncated: read %zu of %zu bytes of voxels",
                         got, bytes);
  fclose(f);
  return st;
}

deface_status deface_nifti_read(const char *path, deface_volume **volume, deface_nifti **header,
                                char *err)
{
  deface_status st = DEFACE_OK;
  deface_nifti *h = NULL;
  deface_volume *v = NULL;
  char ebuf[128];
  if (volume)
    *volume = NULL;
  if (header)
    *header = NULL;
  if (!path || !volume || !header)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_nifti_read: NULL argument");

  int gz;
  if (!deface_nifti_name_ok(path, &gz))
    return deface__io_fail(err, DEFACE_E_INPUT, path, "not a .nii or .nii.gz file name");
  struct stat sb;
  if (stat(path, &sb) != 0)
    return deface__io_fail(err, DEFACE_E_INPUT, path, "%s",
                           deface__io_strerror(errno, ebuf, sizeof ebuf));
  if (!S_ISREG(sb.st_mode))
    return deface__io_fail(err, DEFACE_E_INPUT, path, "not a regular file");

  h = calloc(1, sizeof *h);
  if (!h)
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  int swapped = 0;
  size_t bytes = 0, elem = 0;
  uint64_t offset = 0;
  char verr[DEFACE_ERRLEN];
  void *data = NULL;
  st = read_raw_header(path, gz, h, &swapped, err);
  if (st != DEFACE_OK)
    goto done;
  st = check_header(path, h, (long long)sb.st_size, gz, &bytes, &offset, err);
  if (st != DEFACE_OK)
    goto done;

  /* The header is sane now, so nifti_clib's parse is quiet; it gives the
   * qform matrix from the quaternion and the extension list. */
  h->nim = nifti_image_read(path, 0);
  if (!h->nim) {
    st = deface__io_fail(err, DEFACE_E_INPUT, path, "nifti_clib cannot read the header");
    goto done;
  }
  if (!deface_nifti_nim_matches(h->nim, h->dims, h->nifti_datatype) || h->nim->data) {
    st = deface__io_fail(err, DEFACE_E_INPUT, path,
                         "nifti_clib reads the header differently (file changed while reading?)");
    goto done;
  }
  st = check_transforms(path, h, err);
  if (st == DEFACE_OK)
    st = choose_geometry(path, h, err);
  if (st != DEFACE_OK)
    goto done;

  st = deface_volume_new(h->dims, h->datatype, h->matrix, &v, verr);
  if (st != DEFACE_OK) {
    if (st == DEFACE_E_USAGE) /* the core's own checks: still a property of the file */
      st = DEFACE_E_INPUT;
    deface__io_fail(err, st, path, "%s", verr);
    goto done;
  }
  if (deface_volume_bytes(v) != bytes) {
    st = deface__io_fail(err, DEFACE_E_INTERNAL, path, "volume size mismatch");
    goto done;
  }
  deface_volume_set_scaling(v, h->slope, h->inter);
  data = deface_volume_data(v);
  st = gz ? deface__gz_read(path, offset, data, bytes, err)
          : read_plain(path, offset, data, bytes, err);
  elem = deface_datatype_size(h->datatype);
  if (st == DEFACE_OK && swapped && elem > 1)
    nifti_swap_Nbytes((int64_t)(bytes / elem), (int)elem, data);

done:
  if (st != DEFACE_OK) {
    deface_volume_free(v);
    deface_nifti_free(h);
    return st;
  }
  *volume = v;
  *header = h;
  return DEFACE_OK;
}

void deface_nifti_free(deface_nifti *header)
{
  if (!header)
    return;
  nifti_image_free(header->nim);
  free(header);
}

int deface_nifti_warned_pixdim(const deface_nifti *header)
{
  return header && header->geometry && strcmp(header->geometry, "pixdim") == 0;
}

const char *deface_nifti_geometry_source(const deface_nifti *header)
{
  return header && header->geometry ? header->geometry : "pixdim";
}

int deface_nifti_version(const deface_nifti *header)
{
  return header ? header->version : 0;
}

void deface_nifti_matrix(const deface_nifti *header, double m[4][4])
{
  memcpy(m, header->matrix, sizeof header->matrix);
}

void deface_nifti_scaling(const deface_nifti *header, double *slope, double *inter)
{
  *slope = header->slope;
  *inter = header->inter;
}

/*
 * nrrd_write.c - writes a volume as a NRRD file with the header of the file
 * it was read from (deface_nrrd.h): the magic line of the input's version,
 * the volume's own type, the input's encoding and endian, every field and
 * key/value line of the input verbatim (so geometry, kinds and metadata are
 * the input's to the last digit), then the voxels attached.
 *
 * The caller opens and closes the stream: the Slicer module writes to a
 * temporary name and renames it when complete.
 */
#include "nrrd_private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* The volume must lie on the header's grid with the header's matrix: the
 * header's geometry lines are written as they are. */
static deface_status check_grid(const char *name, const deface_volume *v, const deface_nrrd *h,
                                char *err)
{
  size_t dims[4];
  deface_volume_dims(v, dims);
  size_t want[3] = {h->sizes[0], h->sizes[1], h->dimension == 3 ? h->sizes[2] : 1};
  if (dims[0] != want[0] || dims[1] != want[1] || dims[2] != want[2] || dims[3] != 1)
    return nrrd_fail(err, DEFACE_E_USAGE, name,
                     "the volume (%zux%zux%zux%zu) is not on the input's grid (%zux%zux%zu)",
                     dims[0], dims[1], dims[2], dims[3], want[0], want[1], want[2]);
  double m[4][4];
  deface_volume_matrix(v, m);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      if (!(fabs(m[r][c] - h->voxel_to_ras[r][c]) <= 1e-9 * (1 + fabs(h->voxel_to_ras[r][c]))))
        return nrrd_fail(err, DEFACE_E_USAGE, name,
                         "the volume's voxel-to-RAS matrix differs from the input's");
  double slope, inter;
  deface_volume_scaling(v, &slope, &inter);
  if (!((slope == 0 || slope == 1) && inter == 0))
    return nrrd_fail(err, DEFACE_E_USAGE, name,
                     "the volume has a scaling (%g, %g) that NRRD cannot hold", slope, inter);
  return DEFACE_OK;
}

static deface_status write_failed(const char *name, char *err)
{
  char ebuf[128];
  return nrrd_fail(err, DEFACE_E_OUTPUT, name, "cannot write: %s",
                   nrrd_errno_text(errno ? errno : EIO, ebuf, sizeof ebuf));
}

static deface_status write_header(FILE *f, const char *name, const deface_volume *v,
                                  const deface_nrrd *h, char *err)
{
  size_t size = deface_datatype_size(deface_volume_datatype(v));
  int ok = fprintf(f, "NRRD000%d\n", h->version < 4 ? 4 : h->version) > 0;
  ok = ok && fprintf(f,
                     "# Written by deface %s (FaceMasking): the input's header, defaced "
                     "voxels\n",
                     DEFACE_VERSION) > 0;
  ok = ok && fprintf(f, "type: %s\n", nrrd_type_name(deface_volume_datatype(v))) > 0;
  for (size_t i = 0; ok && i < h->n_kept; i++)
    ok = fprintf(f, "%s\n", h->kept[i]) > 0;
  if (ok && size > 1)
    ok = fprintf(f, "endian: %s\n", h->big_endian ? "big" : "little") > 0;
  ok = ok && fprintf(f, "encoding: %s\n\n", h->gzip ? "gzip" : "raw") > 0;
  return ok ? DEFACE_OK : write_failed(name, err);
}

/* Voxels in the output's byte order, in pieces so that a swap needs no copy
 * of the whole volume; each piece goes to `emit`. */
typedef deface_status (*emit_fn)(void *ctx, const void *data, size_t n, int last);

static deface_status for_each_piece(const deface_volume *v, int swap, emit_fn emit, void *ctx,
                                    const char *name, char *err)
{
  const unsigned char *data = deface_volume_data_const(v);
  size_t bytes = deface_volume_bytes(v);
  size_t size = deface_datatype_size(deface_volume_datatype(v));
  if (!swap)
    return emit(ctx, data, bytes, 1);
  enum { PIECE = 1 << 20 };
  unsigned char *buf = malloc(PIECE);
  if (!buf)
    return nrrd_fail(err, DEFACE_E_NOMEM, name, "out of memory");
  deface_status st = DEFACE_OK;
  for (size_t at = 0; st == DEFACE_OK && at < bytes; at += PIECE) {
    size_t n = bytes - at < PIECE ? bytes - at : PIECE; /* PIECE is a multiple of 8 */
    memcpy(buf, data + at, n);
    nrrd_swap_bytes(buf, n / size, size);
    st = emit(ctx, buf, n, at + n == bytes);
  }
  free(buf);
  return st;
}

typedef struct raw_ctx {
  FILE *f;
  const char *name;
  char *err;
} raw_ctx;

static deface_status emit_raw(void *ctx, const void *data, size_t n, int last)
{
  raw_ctx *c = ctx;
  (void)last;
  if (n && fwrite(data, 1, n, c->f) != n)
    return write_failed(c->name, c->err);
  return DEFACE_OK;
}

typedef struct gz_ctx {
  FILE *f;
  const char *name;
  char *err;
  z_stream z;
  unsigned char out[1 << 16];
} gz_ctx;

static deface_status emit_gzip(void *ctx, const void *data, size_t n, int last)
{
  gz_ctx *c = ctx;
  const unsigned char *p = data;
  size_t left = n;
  int ret;
  do {
    uInt take = left < (1u << 30) ? (uInt)left : (1u << 30);
    c->z.next_in = (unsigned char *)p;
    c->z.avail_in = take;
    int flush = last && take == left ? Z_FINISH : Z_NO_FLUSH;
    do {
      c->z.next_out = c->out;
      c->z.avail_out = sizeof c->out;
      ret = deflate(&c->z, flush);
      if (ret == Z_STREAM_ERROR)
        return nrrd_fail(c->err, DEFACE_E_INTERNAL, c->name, "zlib deflate failed");
      size_t have = sizeof c->out - c->z.avail_out;
      if (have && fwrite(c->out, 1, have, c->f) != have)
        return write_failed(c->name, c->err);
    } while (c->z.avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
    p += take;
    left -= take;
  } while (left > 0);
  return DEFACE_OK;
}

deface_status deface_nrrd_write_stream(FILE *f, const char *name, const deface_volume *v,
                                       const deface_nrrd *h, char *err)
{
  if (!f || !v || !h)
    return nrrd_fail(err, DEFACE_E_USAGE, name, "deface_nrrd_write_stream: NULL argument");
  deface_status st = check_grid(name, v, h, err);
  if (st == DEFACE_OK)
    st = write_header(f, name, v, h, err);
  if (st != DEFACE_OK)
    return st;
  size_t size = deface_datatype_size(deface_volume_datatype(v));
  int swap = size > 1 && h->big_endian != nrrd_host_big_endian();
  if (!h->gzip) {
    raw_ctx c = {f, name, err};
    st = for_each_piece(v, swap, emit_raw, &c, name, err);
  } else {
    gz_ctx *c = calloc(1, sizeof *c);
    if (!c)
      return nrrd_fail(err, DEFACE_E_NOMEM, name, "out of memory");
    c->f = f;
    c->name = name;
    c->err = err;
    /* Level 1: Slicer's fastest setting; the files live only until Slicer reads them. */
    if (deflateInit2(&c->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      free(c);
      return nrrd_fail(err, DEFACE_E_NOMEM, name, "zlib cannot start deflating");
    }
    st = for_each_piece(v, swap, emit_gzip, c, name, err);
    deflateEnd(&c->z);
    free(c);
  }
  if (st == DEFACE_OK && fflush(f) != 0)
    st = write_failed(name, err);
  return st;
}

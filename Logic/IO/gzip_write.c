/*
 * gzip_write.c - writes a NIfTI stream (header block, then voxels) into a
 * write transaction's entry, as it is or as concatenated gzip members made by
 * libdeflate (gzip_private.h says why members, and the levels).
 *
 * One chunk's compressed bytes are held at a time (two while a chunk of runs
 * is tried at the second level), so the memory this costs is a few MiB,
 * whatever the volume's size.
 */
#include "gzip_private.h"
#include "io_private.h"

#include <libdeflate.h>
#include <stdlib.h>

typedef struct gz_out {
  struct libdeflate_compressor *fast, *runs; /* runs: made on first need */
  unsigned char *buf, *buf_runs;
  size_t size; /* of each buffer: libdeflate's bound for the largest input */
} gz_out;

static void gz_out_free(gz_out *o)
{
  free(o->buf);
  free(o->buf_runs);
  if (o->fast)
    libdeflate_free_compressor(o->fast);
  if (o->runs)
    libdeflate_free_compressor(o->runs);
}

/* Compresses in[0..n) as one gzip member and appends it to the entry. */
static deface_status put_member(gz_out *o, deface_txn *txn, size_t index, const char *path,
                                const void *in, size_t n, char *err)
{
  const unsigned char *out = o->buf;
  size_t made = libdeflate_gzip_compress(o->fast, in, n, o->buf, o->size);
  if (made == 0) /* cannot happen: the buffer is libdeflate's bound for n */
    return deface__io_fail(err, DEFACE_E_INTERNAL, path, "gzip compression failed");
  if (made < n / DEFACE_GZ_RUNS) {
    if (!o->runs) {
      o->runs = libdeflate_alloc_compressor(DEFACE_GZ_LEVEL_RUNS);
      o->buf_runs = o->runs ? malloc(o->size) : NULL;
      if (!o->buf_runs)
        return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for gzip compression");
    }
    size_t again = libdeflate_gzip_compress(o->runs, in, n, o->buf_runs, o->size);
    if (again > 0 && again < made) {
      out = o->buf_runs;
      made = again;
    }
  }
  return deface_txn_write(txn, index, out, made, err);
}

deface_status deface__gz_write(deface_txn *txn, size_t index, const char *path, int gz,
                               const void *head, size_t head_len, const void *data, size_t bytes,
                               char *err)
{
  if (!gz) {
    deface_status st = deface_txn_write(txn, index, head, head_len, err);
    return st == DEFACE_OK ? deface_txn_write(txn, index, data, bytes, err) : st;
  }
  gz_out o = {0};
  o.fast = libdeflate_alloc_compressor(DEFACE_GZ_LEVEL);
  if (o.fast) {
    /* NULL: the bound of any compressor, so that both levels fit. */
    o.size = libdeflate_gzip_compress_bound(NULL, head_len > DEFACE_GZ_CHUNK ? head_len
                                                                             : DEFACE_GZ_CHUNK);
    o.buf = malloc(o.size);
  }
  deface_status st = DEFACE_OK;
  if (!o.buf) {
    st = deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for gzip compression");
    goto done;
  }
  /* The header in a member of its own, so that the voxels' members cover
   * the voxels exactly and a reader can inflate them in place. */
  st = put_member(&o, txn, index, path, head, head_len, err);
  const unsigned char *p = data;
  for (size_t done = 0; st == DEFACE_OK && done < bytes; done += DEFACE_GZ_CHUNK) {
    size_t n = bytes - done < DEFACE_GZ_CHUNK ? bytes - done : DEFACE_GZ_CHUNK;
    st = put_member(&o, txn, index, path, p + done, n, err);
  }
done:
  gz_out_free(&o);
  return st;
}

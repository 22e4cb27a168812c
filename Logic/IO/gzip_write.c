/*
 * gzip_write.c - writes a NIfTI stream (header block, then voxels) into a
 * write transaction's entry, as it is or as concatenated gzip members made by
 * libdeflate (gzip_private.h says why members).
 *
 * One member's compressed bytes are held at a time, so the memory this costs
 * is about one chunk, whatever the volume's size.
 */
#include "gzip_private.h"
#include "io_private.h"

#include <libdeflate.h>
#include <stdlib.h>

/* Compresses in[0..n) as one gzip member and appends it to the entry. */
static deface_status put_member(struct libdeflate_compressor *c, unsigned char *out,
                                size_t out_size, deface_txn *txn, size_t index, const char *path,
                                const void *in, size_t n, char *err)
{
  size_t made = libdeflate_gzip_compress(c, in, n, out, out_size);
  if (made == 0) /* cannot happen: out_size is libdeflate's bound for n */
    return deface__io_fail(err, DEFACE_E_INTERNAL, path, "gzip compression failed");
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
  struct libdeflate_compressor *c = libdeflate_alloc_compressor(DEFACE_GZ_LEVEL);
  size_t largest = head_len > DEFACE_GZ_CHUNK ? head_len : DEFACE_GZ_CHUNK;
  size_t out_size = c ? libdeflate_gzip_compress_bound(c, largest) : 0;
  unsigned char *out = c ? malloc(out_size) : NULL;
  deface_status st = DEFACE_OK;
  if (!c || !out) {
    st = deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for gzip compression");
    goto done;
  }
  /* The header in a member of its own, so that the voxels' members cover
   * the voxels exactly and a reader can inflate them in place. */
  st = put_member(c, out, out_size, txn, index, path, head, head_len, err);
  const unsigned char *p = data;
  for (size_t done = 0; st == DEFACE_OK && done < bytes; done += DEFACE_GZ_CHUNK) {
    size_t n = bytes - done < DEFACE_GZ_CHUNK ? bytes - done : DEFACE_GZ_CHUNK;
    st = put_member(c, out, out_size, txn, index, path, p + done, n, err);
  }
done:
  free(out);
  if (c)
    libdeflate_free_compressor(c);
  return st;
}

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

/* Whether a chunk looks like runs before it is compressed: most of a
 * sample of its bytes equal the byte 8 before them (a constant run of 1-,
 * 2-, 4- or 8-byte values repeats every 8 bytes). Labels and zero-filled
 * regions are mostly such chunks, and going to the second level at once
 * spares them the first level's pass. */
static int looks_like_runs(const unsigned char *in, size_t n)
{
  size_t same = 0, seen = 0;
  for (size_t i = 8; i < n; i += 61, seen++)
    same += in[i] == in[i - 8];
  return seen >= 64 && same * DEFACE_GZ_RUNS >= seen * (DEFACE_GZ_RUNS - 1);
}

/* Compresses in[0..n) at `level`'s compressor into `buf`; 0 when out of memory. */
static size_t compress_at(gz_out *o, int runs, const void *in, size_t n)
{
  if (!runs)
    return libdeflate_gzip_compress(o->fast, in, n, o->buf, o->size);
  if (!o->runs)
    o->runs = libdeflate_alloc_compressor(DEFACE_GZ_LEVEL_RUNS);
  if (o->runs && !o->buf_runs)
    o->buf_runs = malloc(o->size);
  if (!o->buf_runs) /* either may have failed, now or at an earlier chunk */
    return 0;
  return libdeflate_gzip_compress(o->runs, in, n, o->buf_runs, o->size);
}

/* Compresses in[0..n) as one gzip member and appends it to the entry: at
 * the first level, and at the second too when the chunk shrinks more than
 * DEFACE_GZ_RUNS times, keeping the smaller; a chunk that looks like runs
 * starts at the second level and needs the first only if it does not
 * shrink that much there. */
static deface_status put_member(gz_out *o, deface_txn *txn, size_t index, const char *path,
                                const void *in, size_t n, char *err)
{
  int runs_first = looks_like_runs(in, n);
  size_t made = compress_at(o, runs_first, in, n);
  if (made == 0) /* the buffers are libdeflate's bound for n: only memory can fail */
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for gzip compression");
  const unsigned char *out = runs_first ? o->buf_runs : o->buf;
  if (runs_first == (made < n / DEFACE_GZ_RUNS)) {
    /* A chunk of runs compressed at the second level, or one of no runs at
     * the first: nothing more to try. */
    return deface_txn_write(txn, index, out, made, err);
  }
  size_t again = compress_at(o, !runs_first, in, n);
  if (again == 0)
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for gzip compression");
  if (again < made) {
    out = runs_first ? o->buf : o->buf_runs;
    made = again;
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

/*
 * gzip_read.c - the voxels of a .nii.gz: every gzip member of the file
 * inflated and checked (CRC-32 and length), stream bytes [offset, offset +
 * bytes) kept as the voxels.
 *
 * The compressed file is read whole, then each member is inflated by
 * libdeflate: in place when its output lies within the voxels (deface's own
 * files: a member for the header, then members of voxels), else into a
 * scratch buffer of the rest of the stream (a single member holding header and
 * voxels, as most writers make: that costs the voxels' size once more while
 * reading). zlib streams what libdeflate cannot place, a member reaching past
 * the voxels, and says what is wrong with a member libdeflate refuses: a
 * stream cut inside its trailer must read as "unexpected end of file", not
 * as a clean end (gzread() and znzlib take it for one).
 */
#define _DEFAULT_SOURCE /* fileno, MAP_ANONYMOUS, MAP_POPULATE */

#include "gzip_private.h"
#include "io_private.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#ifndef MAP_POPULATE
#define MAP_POPULATE 0
#endif

#define SINK_SIZE ((size_t)1 << 16)
#define ZLIB_STEP ((size_t)1 << 30) /* zlib counts in 32-bit unsigned */

/* Buffers of BIG_BUFFER bytes or more (the compressed file, the scratch for a
 * single-member file) are mapped with their pages populated in one call:
 * faulting them in page by page added a fifth to the page faults of a run on
 * ch2, and on a virtual machine a fault costs more than inflating its page.
 * Smaller ones come from malloc. */
#define BIG_BUFFER ((size_t)1 << 20)

static void *buffer_new(size_t n)
{
  if (n < BIG_BUFFER)
    return malloc(n ? n : 1);
  void *p =
      mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static void buffer_free(void *p, size_t n)
{
  if (p && n < BIG_BUFFER)
    free(p);
  else if (p)
    munmap(p, n);
}

/* Where the stream goes: [offset, end) into data, the rest nowhere. */
typedef struct layout {
  uint64_t offset, end;
  unsigned char *data;
} layout;

/* Inflates the member at in[0..n) with zlib, streaming, from stream position
 * *pos (advanced). Returns 0 and *used; -1 and *why when damaged; -2 when
 * out of memory. */
static int zlib_member(const unsigned char *in, size_t n, const layout *l, uint64_t *pos,
                       size_t *used, const char **why)
{
  unsigned char *sink = malloc(SINK_SIZE);
  z_stream z;
  memset(&z, 0, sizeof z);
  if (!sink || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
    free(sink);
    return -2;
  }
  int rc = Z_OK;
  size_t fed = 0;
  while (rc != Z_STREAM_END) {
    if (z.avail_in == 0) {
      if (fed == n) {
        *why = "unexpected end of file";
        break;
      }
      z.next_in = (unsigned char *)(uintptr_t)(in + fed);
      z.avail_in = (uInt)(n - fed < ZLIB_STEP ? n - fed : ZLIB_STEP);
      fed += z.avail_in;
    }
    size_t want = SINK_SIZE;
    z.next_out = sink;
    if (*pos >= l->offset && *pos < l->end) {
      z.next_out = l->data + (*pos - l->offset);
      want = l->end - *pos < ZLIB_STEP ? (size_t)(l->end - *pos) : ZLIB_STEP;
    } else if (*pos < l->offset && l->offset - *pos < want) {
      want = (size_t)(l->offset - *pos); /* the voxels start within this step */
    }
    z.avail_out = (uInt)want;
    rc = inflate(&z, Z_NO_FLUSH);
    *pos += want - z.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z.avail_in == 0)) {
      *why = z.msg ? z.msg : "corrupt data";
      break;
    }
  }
  *used = fed - z.avail_in;
  inflateEnd(&z);
  free(sink);
  return rc == Z_STREAM_END ? 0 : rc == Z_MEM_ERROR ? -2 : -1;
}

/* Inflates the member at in[0..n) with libdeflate into out[0..room):
 * 0 done (*used, *made), 1 it does not fit, -1 damaged. */
static int deflate_member(struct libdeflate_decompressor *d, const unsigned char *in, size_t n,
                          unsigned char *out, size_t room, size_t *used, size_t *made)
{
  enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, in, n, out, room, used, made);
  return r == LIBDEFLATE_SUCCESS ? 0 : r == LIBDEFLATE_INSUFFICIENT_SPACE ? 1 : -1;
}

/* Inflates one member from stream position *pos; fast where it can be.
 * Returns as zlib_member(). */
static int one_member(struct libdeflate_decompressor *d, const unsigned char *in, size_t n,
                      const layout *l, uint64_t *pos, size_t *used, const char **why)
{
  size_t made = 0;
  uint64_t start = *pos;
  int rc = 1;
  if (start >= l->offset && start < l->end) {
    rc = deflate_member(d, in, n, l->data + (start - l->offset), (size_t)(l->end - start), used,
                        &made);
    if (rc == 0)
      *pos += made;
  } else if (start < l->offset) {
    /* A header-only member first into a small scratch (deface's own files);
     * a member that holds voxels too needs the rest of the stream. */
    size_t small = (size_t)(l->offset - start) + SINK_SIZE, room = (size_t)(l->end - start);
    for (size_t size = small < room ? small : room; rc == 1; size = room) {
      unsigned char *scratch = buffer_new(size);
      if (!scratch)
        return -2;
      rc = deflate_member(d, in, n, scratch, size, used, &made);
      if (rc == 0) {
        if (start + made > l->offset)
          memcpy(l->data, scratch + (l->offset - start), (size_t)(start + made - l->offset));
        *pos += made;
      }
      buffer_free(scratch, size);
      if (size == room)
        break;
    }
  }
  /* Past the voxels, or reaching past them, or damaged: zlib streams it, and
   * names the damage. */
  return rc == 0 ? 0 : zlib_member(in, n, l, pos, used, why);
}

static int read_whole(const char *path, unsigned char **buf, size_t *n, char *err,
                      deface_status *st)
{
  char ebuf[128];
  FILE *f = fopen(path, "rb");
  struct stat sb;
  if (!f || fstat(fileno(f), &sb) != 0) {
    *st = deface__io_fail(err, DEFACE_E_INPUT, path, "cannot open: %s",
                          deface__io_strerror(errno, ebuf, sizeof ebuf));
    if (f)
      fclose(f);
    return -1;
  }
  *n = (size_t)sb.st_size;
  *buf = buffer_new(*n);
  if (!*buf) {
    fclose(f);
    *st = deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory for %zu compressed bytes", *n);
    return -1;
  }
  size_t got = fread(*buf, 1, *n, f);
  int bad = ferror(f);
  fclose(f);
  if (bad || got != *n) { /* a file that shrank while read is a read error too */
    *st = deface__io_fail(err, DEFACE_E_INPUT, path, "read error after %zu of %zu bytes", got, *n);
    return -1;
  }
  return 0;
}

deface_status deface__gz_read(const char *path, uint64_t offset, void *data, size_t bytes,
                              char *err)
{
  unsigned char *buf = NULL;
  size_t n = 0;
  deface_status st = DEFACE_OK;
  if (read_whole(path, &buf, &n, err, &st) != 0) {
    buffer_free(buf, n);
    return st;
  }
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  if (!d) {
    buffer_free(buf, n);
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  }
  layout l = {offset, offset + bytes, data};
  uint64_t pos = 0;
  size_t at = 0;
  const char *why = NULL;
  int rc = 0;
  /* The first member starts the file; after each, another starts only with
   * the gzip magic, and any other bytes end the stream, as gzip does. */
  while (rc == 0 && (at == 0 || (n - at >= 2 && buf[at] == 0x1f && buf[at + 1] == 0x8b))) {
    size_t used = 0;
    rc = one_member(d, buf + at, n - at, &l, &pos, &used, &why);
    at += used;
  }
  if (rc == -2)
    st = deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory while inflating");
  else if (rc != 0 && pos < offset)
    st = deface__io_fail(err, DEFACE_E_INPUT, path,
                         "truncated or corrupt gzip data before the voxels (%s)", why);
  else if (pos < l.end)
    st =
        deface__io_fail(err, DEFACE_E_INPUT, path,
                        "truncated or corrupt gzip data after %llu of %zu bytes of voxels (%s)",
                        (unsigned long long)(pos - offset), bytes, why ? why : "end of the stream");
  else if (rc != 0)
    /* A cut trailer shows only here: the voxels are all there. */
    st = deface__io_fail(err, DEFACE_E_INPUT, path,
                         "truncated or corrupt gzip data after the voxels (%s)", why);
  libdeflate_free_decompressor(d);
  buffer_free(buf, n);
  return st;
}

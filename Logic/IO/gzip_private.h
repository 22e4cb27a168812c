/*
 * gzip_private.h - .nii.gz voxels through libdeflate (gzip_read.c,
 * gzip_write.c); not installed, not public.
 *
 * libdeflate compresses and inflates whole buffers only, 3-4 times faster than
 * zlib at the same ratio. So the writer cuts the stream into gzip members (the
 * header, then the voxels in chunks of DEFACE_GZ_CHUNK bytes) that any gzip
 * reader concatenates (RFC 1952, 2.2), and the reader inflates member by
 * member straight into the volume where a member's output lies within the
 * voxels. zlib stays for what libdeflate cannot do: streaming a member whose
 * size is not known, and naming what is wrong with a damaged one.
 */
#ifndef DEFACE_GZIP_PRIVATE_H
#define DEFACE_GZIP_PRIVATE_H

#include "deface_write.h"

#include <stddef.h>
#include <stdint.h>

/* Bytes of voxels per gzip member: large enough that the members' headers,
 * trailers and restarted dictionaries cost under 0.05 % of the size, small
 * enough that the compressed copy of one member costs little memory. */
#define DEFACE_GZ_CHUNK ((size_t)1 << 20)

/* libdeflate's level 5: on every test scan within 0.7 % of zlib level 6's
 * size (the 16-bit MR), smaller on ch2, the CT and the 256^3 head, at 60-75 %
 * of the CPU of libdeflate's level 6 and a quarter of zlib's. (Levels 3 and 4
 * cost a little less, but leave the 16-bit MR 1.8-2.0 % larger.) */
#define DEFACE_GZ_LEVEL 5

/* A chunk that shrinks more than DEFACE_GZ_RUNS times at that level is mostly
 * runs (labels, masks, zero fill): it is compressed again at level 8, whose
 * lazy matching makes such data 20-40 % smaller than level 5 does (smaller
 * than zlib-6) and costs little on it; the smaller member is kept. A chunk
 * whose sampled bytes mostly repeat starts at level 8 and skips level 5
 * when it shrinks that much there (a 256^3 label: 31 instead of 52 ms). */
#define DEFACE_GZ_RUNS 16
#define DEFACE_GZ_LEVEL_RUNS 8

/**
 * Reads the decompressed stream of the gzip file `path` (one or more members;
 * bytes after the last member that do not start another are ignored, as gzip
 * does): stream bytes [offset, offset + bytes) go to `data`, everything else
 * is inflated and checked too. Every member must be complete, with its CRC-32
 * and length right. DEFACE_E_INPUT ("PATH: truncated or corrupt gzip data
 * ... (reason)"), DEFACE_E_NOMEM.
 */
deface_status deface__gz_read(const char *path, uint64_t offset, void *data, size_t bytes,
                              char *err);

/**
 * Writes `head` then `data` at the end of the entry's temporary: as they are
 * (gz 0), or (gz 1) as gzip members: `head` in one,
 * `data` in chunks of DEFACE_GZ_CHUNK. `path` names the file in messages.
 * DEFACE_E_OUTPUT with the reason, DEFACE_E_NOMEM.
 */
deface_status deface__gz_write(deface_txn *txn, size_t index, const char *path, int gz,
                               const void *head, size_t head_len, const void *data, size_t bytes,
                               char *err);

#endif

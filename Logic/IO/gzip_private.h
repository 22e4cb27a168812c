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

/* libdeflate's level 3: on ch2 and the CT within 0.3 % of zlib level 6's
 * size (smaller on both), at half the CPU of libdeflate's level 6. */
#define DEFACE_GZ_LEVEL 3

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
 * (gz 0), or (gz 1) as gzip members: `head` in one, `data` in chunks of
 * DEFACE_GZ_CHUNK. `path` names the file in messages. DEFACE_E_OUTPUT with the
 * reason, DEFACE_E_NOMEM.
 */
deface_status deface__gz_write(deface_txn *txn, size_t index, const char *path, int gz,
                               const void *head, size_t head_len, const void *data, size_t bytes,
                               char *err);

#endif

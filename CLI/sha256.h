/*
 * sha256.h - SHA-256 of a file, for the provenance sidecar (FIPS 180-4).
 */
#ifndef DEFACE_CLI_SHA256_H
#define DEFACE_CLI_SHA256_H

#include <stddef.h>

/** Writes the lowercase hex digest (65 bytes with the NUL) of a file's bytes;
 * returns 0, or -1 if the file cannot be read. */
int sha256_file(const char *path, char hex[65]);

/** Writes the lowercase hex digest of `length` bytes at `data`. */
void sha256_buffer(const void *data, size_t length, char hex[65]);

/** sha256_buffer() with the CPU's SHA instructions when `hardware` is non-zero
 * and the CPU has them, the portable rounds otherwise, fed `piece` bytes at
 * a time as a file is (0: all at once); for the tests. */
void sha256_buffer_with(int hardware, size_t piece, const void *data, size_t length, char hex[65]);

/** 1 if this CPU's SHA instructions compute the digests, 0 if the portable code does. */
int sha256_hardware(void);

#endif

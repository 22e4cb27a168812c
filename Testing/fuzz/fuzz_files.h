/*
 * fuzz_files.h - what the fuzz drivers share: reading a whole file.
 */
#ifndef DEFACE_FUZZ_FILES_H
#define DEFACE_FUZZ_FILES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The bytes of a file in *out (malloc'ed, the caller frees); 0, or -1. */
static inline int fuzz_load_file(const char *path, uint8_t **out, size_t *size)
{
  FILE *f = fopen(path, "rb");
  *out = NULL;
  *size = 0;
  if (!f)
    return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *out = n > 0 ? malloc((size_t)n) : NULL;
  *size = *out ? fread(*out, 1, (size_t)n, f) : 0;
  fclose(f);
  return *out && *size == (size_t)n ? 0 : -1;
}

#endif

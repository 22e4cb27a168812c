/*
 * fuzz_nifti.c - the NIfTI reader against damaged files.
 *
 * Built two ways from the same LLVMFuzzerTestOneInput():
 *  - with clang -fsanitize=fuzzer (cmake -DDEFACE_FUZZ=ON) it is a libFuzzer
 *    target: `fuzz_nifti CORPUS_DIR`;
 *  - otherwise a plain driver (the CTest `fuzz_nifti_smoke`, label unit) makes
 *    a small valid .nii and .nii.gz, then reads thousands of deterministic
 *    mutations of them: flipped bytes and 16-bit fields in the header, cut
 *    files, huge and negative dims. Every read must return DEFACE_OK or
 *    DEFACE_E_INPUT with a one-line message naming the file, and a volume only
 *    with DEFACE_OK; under ASan/UBSan any memory error fails the test.
 */
#define _POSIX_C_SOURCE 200809L
#include "deface.h"
#include "deface_nifti.h"
#include "fuzz_files.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch_dir[256];

/* Writes the bytes under a .nii or .nii.gz name and reads them back. */
static int read_bytes(const uint8_t *data, size_t size, int gz)
{
  char path[512];
  snprintf(path, sizeof path, "%s/case%s", scratch_dir, gz ? ".nii.gz" : ".nii");
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  fwrite(data, 1, size, f);
  fclose(f);
  char err[DEFACE_ERRLEN] = "";
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  deface_status st = deface_nifti_read(path, &v, &h, err);
  int bad = 0;
  if (st == DEFACE_OK) {
    bad = v == NULL || h == NULL;
  } else {
    bad = st != DEFACE_E_INPUT || v != NULL || h != NULL || strstr(err, path) == NULL ||
          strchr(err, '\n') != NULL;
    if (bad)
      fprintf(stderr, "fuzz_nifti: status %d message '%s'\n", (int)st, err);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  unlink(path);
  return bad;
}

static int ensure_scratch(void)
{
  if (scratch_dir[0])
    return 0;
  snprintf(scratch_dir, sizeof scratch_dir, "/tmp/deface-fuzz-XXXXXX");
  return mkdtemp(scratch_dir) ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (ensure_scratch())
    return 0;
  /* The first byte chooses the name's compression, the rest is the file. */
  if (size < 1)
    return 0;
  if (read_bytes(data + 1, size - 1, data[0] & 1))
    abort();
  return 0;
}

/* A valid 24x20x16x2 int16 volume with scaling, as .nii or .nii.gz bytes. */
static int make_seed(int gz, uint8_t **bytes, size_t *size)
{
  double m[4][4] = {{-2, 0, 0, 20}, {0, 0, 2.5, -30}, {0, 2, 0, 10}, {0, 0, 0, 1}};
  size_t dims[4] = {24, 20, 16, 2};
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  char err[DEFACE_ERRLEN], path[512];
  snprintf(path, sizeof path, "%s/seed%s", scratch_dir, gz ? ".nii.gz" : ".nii");
  int rc = -1;
  if (deface_volume_new(dims, DEFACE_INT16, m, &v, err) == DEFACE_OK) {
    int16_t *d = deface_volume_data(v);
    for (size_t i = 0; i < deface_volume_bytes(v) / 2; i++)
      d[i] = (int16_t)(i * 7 % 1000);
    deface_volume_set_scaling(v, 0.5, -3);
    if (deface_nifti_header_new(v, &h, err) == DEFACE_OK &&
        deface_nifti_write(path, v, h, "fuzz seed", err) == DEFACE_OK)
      rc = fuzz_load_file(path, bytes, size);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  unlink(path);
  return rc;
}

#ifdef DEFACE_LIBFUZZER
/* libFuzzer calls this before it reads the corpus: with DEFACE_FUZZ_SEED_DIR
 * set, the two seeds (a valid .nii and .nii.gz, with the leading byte that
 * chooses the name) are written there. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  const char *dir = getenv("DEFACE_FUZZ_SEED_DIR");
  if (!dir || ensure_scratch())
    return 0;
  for (int gz = 0; gz < 2; gz++) {
    uint8_t *seed = NULL;
    size_t size = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/seed_%s", dir, gz ? "nii_gz" : "nii");
    FILE *f = make_seed(gz, &seed, &size) == 0 ? fopen(path, "wb") : NULL;
    if (f) {
      uint8_t mode = (uint8_t)gz;
      fwrite(&mode, 1, 1, f);
      fwrite(seed, 1, size, f);
      fclose(f);
    }
    free(seed);
  }
  return 0;
}
#else
int main(void)
{
  if (ensure_scratch())
    return 1;
  int failures = 0, cases = 0;
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  for (int gz = 0; gz < 2; gz++) {
    uint8_t *seed = NULL, *buf = NULL;
    size_t size = 0;
    if (make_seed(gz, &seed, &size) || !(buf = malloc(size))) {
      fprintf(stderr, "fuzz_nifti: cannot make the seed\n");
      return 1;
    }
    failures += read_bytes(seed, size, gz); /* the seed itself must read */
    cases++;
    for (int n = 0; n < 1500; n++) {
      memcpy(buf, seed, size);
      size_t len = size;
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      unsigned kind = (unsigned)(rng >> 60) % 4;
      size_t span = gz ? size : 352; /* a gzip stream is damaged anywhere */
      size_t at = (size_t)(rng >> 20) % span;
      if (kind == 0) {
        buf[at] ^= (uint8_t)(1u << ((rng >> 8) & 7)); /* one bit */
      } else if (kind == 1 && at + 1 < size) {
        int16_t odd[] = {-1, 0, 1, 32767, -32768, 2, 7, 8};
        int16_t v = odd[(rng >> 12) & 7];
        memcpy(buf + (at & ~(size_t)1), &v, 2); /* a 16-bit field */
      } else if (kind == 2) {
        len = at; /* a cut file */
      } else {
        int16_t dim = (int16_t)((rng >> 24) & 0x7fff); /* dim[1..7] */
        memcpy(buf + 40 + 2 * (1 + (rng >> 40) % 7), &dim, 2);
      }
      failures += read_bytes(buf, len, gz);
      cases++;
    }
    free(seed);
    free(buf);
  }
  rmdir(scratch_dir);
  printf("%d passed, %d failed\n", cases - failures, failures);
  return failures != 0;
}
#endif

/*
 * fuzz_dicom.c - the DICOM adapter against damaged folders: the scan (every
 * file's header), the series assembly and the pixel load, from one input.
 *
 * An input is up to MAX_FILES files joined by the 4 bytes "DFZ|"; they are
 * written into an empty folder as f0.dcm, f1.dcm... and the folder is
 * scanned; every series that can be read is loaded. The contract checked:
 * the scan returns DEFACE_OK (the folder is readable); every series' status
 * is DEFACE_OK, DEFACE_E_REFUSED or DEFACE_E_INPUT, with a one-line reason
 * when not OK; a load gives a volume of the series' dims exactly when it
 * returns DEFACE_OK, and otherwise one of those statuses with a one-line
 * message; every skipped file has a reason. Any other outcome aborts (a
 * finding), as does any sanitizer report, a leak, or an allocation past
 * libFuzzer's limit (sizes must be checked against the files first).
 *
 * Built two ways, like fuzz_nifti.c: with clang -fsanitize=fuzzer
 * (-DDEFACE_FUZZ=ON) a libFuzzer target, `fuzz_dicom CORPUS -runs=N` (seeds:
 * Testing/fuzz/make_dicom_seeds.sh, from the test series); otherwise a plain
 * driver, `fuzz_dicom SEED...`, that runs each seed and deterministic
 * mutations of it (flipped bytes, 16-bit fields set to odd values, cut
 * files).
 */
#define _POSIX_C_SOURCE 200809L
#include "deface.h"
#include "deface_dicom.h"
#include "fuzz_files.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILES 8
static const char SEPARATOR[4] = {'D', 'F', 'Z', '|'};
static char scratch_dir[256];

static int ensure_scratch(void)
{
  if (scratch_dir[0])
    return 0;
  const char *tmp = getenv("TMPDIR");
  snprintf(scratch_dir, sizeof scratch_dir, "%s/deface-fuzz-dicom-XXXXXX", tmp ? tmp : "/tmp");
  return mkdtemp(scratch_dir) ? 0 : -1;
}

static int one_line(const char *s)
{
  return s && !strchr(s, '\n') && !strchr(s, '\r');
}

static int status_ok(deface_status st)
{
  return st == DEFACE_OK || st == DEFACE_E_REFUSED || st == DEFACE_E_INPUT;
}

/* Splits the input into files; returns how many were written. */
static int write_files(const uint8_t *data, size_t size)
{
  int n = 0;
  size_t start = 0;
  while (n < MAX_FILES && start <= size) {
    size_t end = start;
    while (end + 4 <= size && memcmp(data + end, SEPARATOR, 4) != 0)
      end++;
    if (end + 4 > size)
      end = size;
    char path[512];
    snprintf(path, sizeof path, "%s/f%d.dcm", scratch_dir, n);
    FILE *f = fopen(path, "wb");
    if (!f)
      return -1;
    if (end > start)
      fwrite(data + start, 1, end - start, f);
    fclose(f);
    n++;
    start = end + 4;
  }
  return n;
}

static void remove_files(int n)
{
  for (int i = 0; i < n; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/f%d.dcm", scratch_dir, i);
    unlink(path);
  }
}

/* 0 when the adapter kept its contract on these bytes, else 1 (printed). */
static int check_bytes(const uint8_t *data, size_t size)
{
  int files = write_files(data, size), bad = 0;
  if (files < 0)
    return 0; /* the scratch folder is not this test's subject */
  char err[DEFACE_ERRLEN] = "";
  deface_dicom_folder *scan = NULL;
  deface_status st = deface_dicom_scan(scratch_dir, &scan, err);
  if (st != DEFACE_OK || !scan) {
    fprintf(stderr, "fuzz_dicom: scan: status %d '%s'\n", (int)st, err);
    bad = 1;
  }
  for (size_t i = 0; !bad && i < deface_dicom_skipped_count(scan); i++)
    if (!deface_dicom_skipped_reason(scan, i)[0] ||
        !one_line(deface_dicom_skipped_reason(scan, i))) {
      fprintf(stderr, "fuzz_dicom: skipped without a one-line reason\n");
      bad = 1;
    }
  for (size_t s = 0; !bad && s < deface_dicom_series_count(scan); s++) {
    const deface_dicom_series_info *info = deface_dicom_series_at(scan, s);
    if (!status_ok(info->status) || !one_line(info->reason) ||
        (info->status != DEFACE_OK && !info->reason[0])) {
      fprintf(stderr, "fuzz_dicom: series %zu: status %d reason '%s'\n", s, (int)info->status,
              info->reason);
      bad = 1;
      break;
    }
    deface_volume *v = NULL;
    err[0] = '\0';
    st = deface_dicom_load(scan, s, &v, err);
    if (st == DEFACE_OK) {
      size_t dims[4];
      if (v)
        deface_volume_dims(v, dims);
      if (!v || memcmp(dims, info->dims, sizeof dims) != 0) {
        fprintf(stderr, "fuzz_dicom: series %zu: a volume that is not the series'\n", s);
        bad = 1;
      }
    } else if (v || !status_ok(st) || !err[0] || !one_line(err)) {
      fprintf(stderr, "fuzz_dicom: series %zu: load status %d message '%s'\n", s, (int)st, err);
      bad = 1;
    }
    deface_volume_free(v);
  }
  deface_dicom_folder_free(scan);
  remove_files(files);
  return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (ensure_scratch())
    return 0;
  if (check_bytes(data, size))
    abort();
  return 0;
}

#ifndef DEFACE_LIBFUZZER
/* The plain driver: each seed, then MUTATIONS deterministic mutations of it. */
int main(int argc, char **argv)
{
  enum { MUTATIONS = 150 };
  if (argc < 2 || ensure_scratch()) {
    fprintf(stderr, "usage: fuzz_dicom SEED...\n");
    return 2;
  }
  int failures = 0, cases = 0;
  uint64_t rng = 0x9e3779b97f4a7c15ULL;
  for (int a = 1; a < argc; a++) {
    uint8_t *seed = NULL, *buf = NULL;
    size_t size = 0;
    if (fuzz_load_file(argv[a], &seed, &size) || !(buf = malloc(size))) {
      fprintf(stderr, "fuzz_dicom: cannot read the seed %s\n", argv[a]);
      return 1;
    }
    failures += check_bytes(seed, size);
    cases++;
    for (int n = 0; n < MUTATIONS; n++) {
      memcpy(buf, seed, size);
      size_t len = size;
      rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
      unsigned kind = (unsigned)(rng >> 60) % 3;
      /* Mostly the headers: the first 2 KiB of each file hold them. */
      size_t at = (size_t)(rng >> 20) % (size < 2048 ? size : 2048);
      if (kind == 0) {
        buf[at] ^= (uint8_t)(1u << ((rng >> 8) & 7));
      } else if (kind == 1 && at + 1 < size) {
        uint16_t odd[] = {0, 1, 0xffff, 0x7fff, 0x8000, 2, 16, 0x100};
        uint16_t v = odd[(rng >> 12) & 7];
        memcpy(buf + at, &v, 2);
      } else {
        len = (size_t)(rng >> 24) % size; /* a cut input */
      }
      failures += check_bytes(buf, len);
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

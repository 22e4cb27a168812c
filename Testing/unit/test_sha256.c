/*
 * test_sha256.c - the sidecar's SHA-256 (CLI/sha256.c): FIPS 180-4's
 * examples, and the CPU's SHA instructions against the portable rounds on
 * every length that crosses a block edge and on a large buffer, whole and
 * fed in pieces as a file is. On a CPU without the instructions both
 * digests come from the portable rounds, and the test says so.
 */
#include "check.h"
#include "sha256.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void known(const char *message, size_t repeat, const char *want)
{
  size_t n = strlen(message), total = n * repeat;
  char *data = malloc(total + 1);
  for (size_t r = 0; r < repeat; r++)
    memcpy(data + r * n, message, n);
  for (int hardware = 0; hardware < 2; hardware++) {
    char hex[65];
    sha256_buffer_with(hardware, 0, data, total, hex);
    check_context = hardware ? "hardware" : "portable";
    CHECK(strcmp(hex, want) == 0);
    if (strcmp(hex, want) != 0)
      fprintf(stderr, "  '%.20s' x %zu: %s, want %s\n", message, repeat, hex, want);
  }
  free(data);
}

int main(void)
{
  printf("SHA instructions: %s\n", sha256_hardware() ? "used" : "absent (portable rounds only)");
  known("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  known("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  known("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  known("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

  size_t big = 3 << 20;
  unsigned char *data = malloc(big);
  uint64_t x = 0x9E3779B97F4A7C15u;
  for (size_t i = 0; i < big; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    data[i] = (unsigned char)x;
  }
  check_context = "lengths";
  size_t mismatches = 0;
  for (size_t n = 0; n <= 300; n++) {
    char a[65], b[65];
    sha256_buffer_with(0, 0, data + n % 7, n, a);
    sha256_buffer_with(1, 0, data + n % 7, n, b);
    mismatches += strcmp(a, b) != 0;
  }
  CHECK(mismatches == 0);
  char a[65], b[65];
  sha256_buffer_with(0, 0, data + 1, big - 1, a);
  sha256_buffer_with(1, 0, data + 1, big - 1, b);
  check_context = "3 MiB";
  CHECK(strcmp(a, b) == 0);
  /* Fed in pieces, as a file is read: a partial block completed by the next
   * piece, then whole blocks straight from it, on both paths. */
  static const size_t pieces[] = {1, 7, 63, 64, 65, 100, 4097, 65536};
  check_context = "pieces";
  size_t differ = 0;
  for (size_t q = 0; q < sizeof pieces / sizeof *pieces; q++)
    for (int hardware = 0; hardware < 2; hardware++) {
      char c[65];
      sha256_buffer_with(hardware, pieces[q], data + 1, big - 1, c);
      differ += strcmp(c, a) != 0;
    }
  CHECK(differ == 0);
  free(data);
  return check_report();
}

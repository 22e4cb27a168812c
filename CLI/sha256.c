/*
 * sha256.c - a small streaming SHA-256 (FIPS 180-4) so that the sidecar can
 * name input and outputs by content without another library.
 *
 * The sidecar hashes the input and every output: about 9 MB at 256^3, which
 * the portable rounds take 35 ms for (4 % of a run). x86-64 CPUs with the SHA
 * extensions (Intel since 2016's Goldmont and 2021's Ice Lake, AMD since Zen)
 * do the rounds in hardware, 4-6 times faster; the CPU is asked once per
 * digest, and the portable rounds stay for every other machine.
 */
#include "sha256.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SHA256_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

typedef struct sha256_ctx {
  uint32_t h[8];
  uint64_t length;
  unsigned char block[64];
  size_t used;
  void (*blocks)(uint32_t h[8], const unsigned char *p, size_t n); /* n whole blocks */
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void compress(uint32_t state[8], const unsigned char *p)
{
  uint32_t w[64];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
           (uint32_t)p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], cc = state[2], d = state[3], e = state[4], f = state[5],
           g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = cc;
    cc = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += cc;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

static void blocks_portable(uint32_t h[8], const unsigned char *p, size_t n)
{
  for (size_t b = 0; b < n; b++)
    compress(h, p + 64 * b);
}

#ifdef SHA256_X86
/* The rounds with the SHA extensions. They keep the state as two vectors,
 * ABEF and CDGH (each listed from the highest lane); a 64-byte block is four
 * vectors of message words, sixteen groups of four words in all, each group
 * (with its four constants) driving two double rounds. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
blocks_sha_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
  const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)&h[0]);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)&h[4]);
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (size_t b = 0; b < n; b++, p += 64) {
    __m128i abef_in = abef, cdgh_in = cdgh, w[16];
    for (int g = 0; g < 16; g++) {
      if (g < 4) {
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), big_endian);
      } else {
        /* W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four at a time. */
        __m128i t = _mm_sha256msg1_epu32(w[g - 4], w[g - 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(w[g - 1], w[g - 2], 4));
        w[g] = _mm_sha256msg2_epu32(t, w[g - 1]);
      }
      __m128i k = _mm_loadu_si128((const __m128i *)&K[4 * g]);
      __m128i wk = _mm_add_epi32(w[g], k);
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      wk = _mm_shuffle_epi32(wk, 0x0E); /* the group's upper two words */
      abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
  _mm_storeu_si128((__m128i *)&h[0], dcba);
  _mm_storeu_si128((__m128i *)&h[4], hgfe);
}

/* CPUID: leaf 7's SHA bit, leaf 1's SSSE3 and SSE4.1 bits. */
static int cpu_has_sha_ni(void)
{
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
    return 0;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

int sha256_hardware(void)
{
#ifdef SHA256_X86
  return cpu_has_sha_ni();
#else
  return 0;
#endif
}

static void update(sha256_ctx *c, const unsigned char *p, size_t n)
{
  c->length += n;
  if (c->used > 0) { /* complete the partial block first */
    size_t take = 64 - c->used < n ? 64 - c->used : n;
    memcpy(c->block + c->used, p, take);
    c->used += take;
    p += take;
    n -= take;
    if (c->used < 64)
      return;
    c->blocks(c->h, c->block, 1);
    c->used = 0;
  }
  c->blocks(c->h, p, n / 64); /* whole blocks straight from the caller's bytes */
  memcpy(c->block, p + n / 64 * 64, n % 64);
  c->used = n % 64;
}

static void init(sha256_ctx *c, int hardware)
{
  static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, h0, sizeof h0);
  c->length = 0;
  c->used = 0;
  c->blocks = blocks_portable;
#ifdef SHA256_X86
  if (hardware && cpu_has_sha_ni())
    c->blocks = blocks_sha_ni;
#else
  (void)hardware;
#endif
}

static void finish(sha256_ctx *c, char hex[65])
{
  uint64_t bits = c->length * 8;
  unsigned char pad = 0x80, zero = 0, len[8];
  update(c, &pad, 1);
  while (c->used != 56)
    update(c, &zero, 1);
  for (int i = 0; i < 8; i++)
    len[i] = (unsigned char)(bits >> (56 - 8 * i));
  update(c, len, 8);
  for (int i = 0; i < 8; i++)
    snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
}

int sha256_file(const char *path, char hex[65])
{
  sha256_ctx c;
  init(&c, 1);
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    update(&c, buf, n);
  int bad = ferror(f);
  fclose(f);
  if (bad)
    return -1;
  finish(&c, hex);
  return 0;
}

void sha256_buffer_with(int hardware, size_t piece, const void *data, size_t length, char hex[65])
{
  sha256_ctx c;
  init(&c, hardware);
  const unsigned char *p = data;
  size_t step = piece ? piece : length;
  for (size_t done = 0; done < length; done += step)
    update(&c, p + done, length - done < step ? length - done : step);
  finish(&c, hex);
}

void sha256_buffer(const void *data, size_t length, char hex[65])
{
  sha256_buffer_with(1, 0, data, length, hex);
}

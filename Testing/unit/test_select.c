/*
 * test_select.c - wg_select() (the percentiles' selection) against a full
 * sort: every k of arrays random, constant, sorted either way, and with few
 * distinct values (the air's zeros), and the order it leaves around v[k].
 */
#include "check.h"
#include "workgrid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int ascending(const void *a, const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

static uint64_t next(uint64_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

int main(void)
{
  enum { KINDS = 5 };
  const char *kind_name[KINDS] = {"random", "constant", "rising", "falling", "few values"};
  uint64_t x = 0x2545F4914F6CDD1Du;
  size_t sizes[] = {1, 2, 3, 7, 64, 257, 1000};
  for (int kind = 0; kind < KINDS; kind++)
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
      size_t n = sizes[s], wrong = 0, disorder = 0;
      float *data = malloc(n * sizeof *data), *sorted = malloc(n * sizeof *sorted),
            *work = malloc(n * sizeof *work);
      for (size_t i = 0; i < n; i++) {
        float random = (float)(next(&x) % 100000) / 7.0f - 5000.0f;
        data[i] = kind == 0   ? random
                  : kind == 1 ? 3.5f
                  : kind == 2 ? (float)i
                  : kind == 3 ? -(float)i
                              : (float)(next(&x) % 3) * 100.0f;
      }
      memcpy(sorted, data, n * sizeof *data);
      qsort(sorted, n, sizeof *sorted, ascending);
      for (size_t k = 0; k < n; k++) {
        memcpy(work, data, n * sizeof *data);
        float got = wg_select(work, n, k);
        wrong += got != sorted[k] || work[k] != sorted[k];
        for (size_t i = 0; i < n; i++)
          disorder += i < k ? work[i] > work[k] : i > k ? work[i] < work[k] : 0;
      }
      check_context = kind_name[kind];
      CHECK(wrong == 0);
      CHECK(disorder == 0);
      free(data);
      free(sorted);
      free(work);
    }
  return check_report();
}

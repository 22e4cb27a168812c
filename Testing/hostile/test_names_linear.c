/*
 * test_names_linear - session names in linear time (hostile review, item 12):
 * a session of many series sharing one number and description took 1.6 s
 * for 1,000, 14 s for 3,000 and 144 s for 6,000 (each name was compared with
 * every name before it, for every suffix tried). Names for N and 8N such
 * series must cost about 8 times as much, not 64 (quadratic) or 512 (cubic);
 * processor time, the best of three, so that a busy machine does not decide.
 * Every name must also be distinct (ignoring case) and end in its suffix.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "session_names.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_name(const void *a, const void *b)
{
  return strcasecmp(a, b);
}

/* Seconds of processor time for n names; -1 on a failure (checked). */
static double names_for(size_t n)
{
  char(*names)[SESSION_NAME_MAX + 1] = calloc(n, sizeof *names);
  session_names *given = session_names_new();
  CHECK(names && given);
  if (!names || !given)
    return -1;
  double t0 = cpu_seconds();
  for (size_t i = 0; i < n; i++)
    CHECK(session_names_make(given, 7, "T1 MPRAGE", names[i]) == 0);
  double t = cpu_seconds() - t0;
  CHECK(strcmp(names[0], "7_T1_MPRAGE") == 0);
  CHECK(strcmp(names[n - 1], n == 2000 ? "7_T1_MPRAGE_2000" : "7_T1_MPRAGE_16000") == 0);
  qsort(names, n, sizeof *names, by_name);
  size_t same = 0;
  for (size_t i = 1; i < n; i++)
    same += strcasecmp(names[i - 1], names[i]) == 0;
  CHECK(same == 0);
  session_names_free(given);
  free(names);
  return t;
}

int main(void)
{
  double small = 1e30, large = 1e30;
  for (int run = 0; run < 3; run++) {
    double a = names_for(2000), b = names_for(16000);
    small = a < small ? a : small;
    large = b < large ? b : large;
  }
  /* Below the clock's resolution the ratio says nothing: a floor of 0.5 ms. */
  double ratio = large / (small > 5e-4 ? small : 5e-4);
  printf("names: 2,000 in %.4f s, 16,000 in %.4f s of processor time: ratio %.1f (linear 8)\n",
         small, large, ratio);
  CHECK(small >= 0 && large >= 0);
  CHECK(ratio < 24);
  CHECK(large < 2.0); /* 16,000 names: milliseconds when linear, hours when cubic */
  return check_report();
}

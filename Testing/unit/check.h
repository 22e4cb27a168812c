/*
 * check.h - a tiny CHECK macro for plain C unit tests.
 *
 * CHECK(expr) counts a pass or prints "file:line: [context] CHECK failed: expr"
 * and counts a failure; the test keeps going. Set check_context to say which
 * case a loop is in. check_report() prints "N passed, M failed" and returns
 * the exit status for main (non-zero if anything failed).
 */
#ifndef DEFACE_CHECK_H
#define DEFACE_CHECK_H

#include <stdio.h>

static int check_passed;
static int check_failed;
static const char *check_context = "";

#define CHECK(expr)                                                                                \
  do {                                                                                             \
    if (expr) {                                                                                    \
      check_passed++;                                                                              \
    } else {                                                                                       \
      check_failed++;                                                                              \
      fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, check_context, #expr); \
    }                                                                                              \
  } while (0)

static inline int check_report(void)
{
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed != 0;
}

#endif

/*
 * test_session_names - the DEFACED_<series> folder names session mode makes
 * from DICOM text (CLI/session_names.c): only [A-Za-z0-9._-], no leading dot or
 * dash, no "..", at most 64 characters, unique ignoring case.
 */
#include "check.h"
#include "session_names.h"

#include <string.h>

#define MAXN 8

static char taken[MAXN][SESSION_NAME_MAX + 1];
static size_t ntaken;
static session_names *given;

static const char *name(long number, const char *description)
{
  if (ntaken == 0) { /* a new session */
    session_names_free(given);
    given = session_names_new();
  }
  CHECK(given && session_names_make(given, number, description, taken[ntaken]) == 0);
  return taken[ntaken++];
}

static int safe(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > SESSION_NAME_MAX || s[0] == '.' || s[0] == '-' || strstr(s, ".."))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", s[i]))
      return 0;
  return 1;
}

int main(void)
{
  check_context = "plain";
  CHECK(!strcmp(name(3, "T1 MPRAGE"), "3_T1_MPRAGE"));
  CHECK(!strcmp(name(-1, "T2 axial"), "T2_axial"));
  CHECK(!strcmp(name(7, ""), "7"));
  CHECK(!strcmp(name(-1, ""), "series"));

  check_context = "hostile";
  ntaken = 0;
  const char *a = name(1, "T1/MPRAGE ../../etc  ch2");
  CHECK(!strcmp(a, "1_T1_MPRAGE_etc_ch2"));
  CHECK(!strcmp(name(-1, "../../../etc/passwd"), "etc_passwd"));
  CHECK(!strcmp(name(-1, ".hidden"), "hidden"));
  CHECK(!strcmp(name(-1, "-rf *"), "rf"));
  CHECK(!strcmp(name(-1, "a..b...c.d"), "a_b_c.d"));
  CHECK(!strcmp(name(-1, "Kopf \xc3\xa4x\t\n"), "Kopf_x"));
  for (size_t i = 0; i < ntaken; i++)
    CHECK(safe(taken[i]));

  check_context = "unique";
  ntaken = 0;
  CHECK(!strcmp(name(1, "T1"), "1_T1"));
  CHECK(!strcmp(name(1, "t1"), "1_t1_2"));
  CHECK(!strcmp(name(1, "T1 "), "1_T1_3"));

  check_context = "bounded";
  ntaken = 0;
  char longtext[200];
  memset(longtext, 'x', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  longtext[62] = ' '; /* the cut falls after a separator: trimmed */
  const char *l1 = name(12, longtext), *l2 = name(12, longtext);
  CHECK(strlen(l1) <= SESSION_NAME_MAX && safe(l1));
  CHECK(strlen(l2) <= SESSION_NAME_MAX && safe(l2));
  CHECK(strcmp(l1, l2) != 0);
  CHECK(strlen(l2) > 2 && !strcmp(l2 + strlen(l2) - 2, "_2"));
  return check_report();
}

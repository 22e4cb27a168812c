/*
 * session_names.c - DEFACED_<series> names from DICOM text (session_names.h):
 * safe on any file system and in a shell, never a path, unique in a session.
 */
#include "session_names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int is_alnum(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* `raw` reduced to a safe name of at most `max` characters (see session.h). */
static void sanitise(const char *raw, char *out, size_t max)
{
  size_t k = 0;
  for (size_t i = 0; raw[i] && k < max; i++) {
    char c = raw[i];
    int keep = is_alnum(c) || c == '-' || c == '_' || c == '.';
    if (c == '.' && ((i > 0 && raw[i - 1] == '.') || raw[i + 1] == '.'))
      keep = 0; /* no ".." anywhere */
    if (!keep)
      c = '_';
    if ((k == 0 && !is_alnum(c)) || (c == '_' && out[k - 1] == '_'))
      continue;
    out[k++] = c;
  }
  while (k > 0 && (out[k - 1] == '_' || out[k - 1] == '.' || out[k - 1] == '-'))
    k--;
  out[k] = '\0';
}

static int name_taken(const char *name, const char (*taken)[SESSION_NAME_MAX + 1], size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(name, taken[i]) == 0)
      return 1;
  return 0;
}

void session_series_name(long number, const char *description,
                         const char (*taken)[SESSION_NAME_MAX + 1], size_t ntaken,
                         char name[SESSION_NAME_MAX + 1])
{
  char raw[256], base[SESSION_NAME_MAX + 1];
  if (number >= 0)
    snprintf(raw, sizeof raw, "%ld_%s", number, description ? description : "");
  else
    snprintf(raw, sizeof raw, "%s", description ? description : "");
  sanitise(raw, base, SESSION_NAME_MAX);
  if (!base[0])
    snprintf(base, sizeof base, "series");
  snprintf(name, SESSION_NAME_MAX + 1, "%s", base);
  for (unsigned long k = 2; name_taken(name, taken, ntaken); k++) {
    char suffix[24];
    int ns = snprintf(suffix, sizeof suffix, "_%lu", k);
    char head[SESSION_NAME_MAX + 1];
    sanitise(base, head, (size_t)(SESSION_NAME_MAX - ns)); /* cut, and trimmed again */
    size_t nh = strlen(head);
    memcpy(name, head, nh);
    memcpy(name + nh, suffix, (size_t)ns + 1);
  }
}

/*
 * session_names.c - DEFACED_<series> names from DICOM text (session_names.h):
 * safe on any file system and in a shell, never a path, unique in a session.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "session_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_alnum(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* `raw` reduced to a safe name of at most `max` characters (see session_names.h). */
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

/* ------------------------------------------------------------------------ */
/* A set of names, ignoring case, each with the next suffix to try          */
/* ------------------------------------------------------------------------ */

typedef struct slot {
  char *key;          /* lower case; NULL when free */
  unsigned long next; /* for a base name: the next _N to try */
} slot;

struct session_names {
  slot *taken, *bases; /* names given; base names seen, with their next suffix */
  size_t cap_taken, n_taken, cap_bases, n_bases;
};

static unsigned long hash(const char *s)
{
  unsigned long h = 1469598103934665603ul; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ul;
  return h;
}

static void lower(const char *s, char out[SESSION_NAME_MAX + 1])
{
  size_t i = 0;
  for (; s[i] && i < SESSION_NAME_MAX; i++)
    out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
  out[i] = '\0';
}

/* The slot of key in a table (open addressing, linear probing): the one
 * holding it, or the free one where it would go. */
static slot *find(slot *table, size_t cap, const char *key)
{
  size_t i = hash(key) & (cap - 1);
  while (table[i].key && strcmp(table[i].key, key) != 0)
    i = (i + 1) & (cap - 1);
  return &table[i];
}

/* Room for one more key (the table at most half full); -1 when out of memory. */
static int grow(slot **table, size_t *cap, size_t n)
{
  if (2 * (n + 1) <= *cap)
    return 0;
  size_t ncap = *cap ? 2 * *cap : 64;
  slot *t = calloc(ncap, sizeof *t);
  if (!t)
    return -1;
  for (size_t i = 0; i < *cap; i++)
    if ((*table)[i].key)
      *find(t, ncap, (*table)[i].key) = (*table)[i];
  free(*table);
  *table = t;
  *cap = ncap;
  return 0;
}

/* The slot of key, added (next = 2) when new; NULL when out of memory. */
static slot *add(slot **table, size_t *cap, size_t *n, const char *key)
{
  if (grow(table, cap, *n) != 0)
    return NULL;
  slot *s = find(*table, *cap, key);
  if (!s->key) {
    if (!(s->key = strdup(key)))
      return NULL;
    s->next = 2;
    (*n)++;
  }
  return s;
}

session_names *session_names_new(void)
{
  return calloc(1, sizeof(session_names));
}

static void free_table(slot *t, size_t cap)
{
  for (size_t i = 0; i < cap; i++)
    free(t[i].key);
  free(t);
}

void session_names_free(session_names *names)
{
  if (!names)
    return;
  free_table(names->taken, names->cap_taken);
  free_table(names->bases, names->cap_bases);
  free(names);
}

static int is_taken(const session_names *names, const char *name)
{
  char key[SESSION_NAME_MAX + 1];
  lower(name, key);
  return names->cap_taken && find(names->taken, names->cap_taken, key)->key != NULL;
}

/* Each name is tried once per base and suffix: the suffix a base reached is
 * kept, so that the 1000th series of one name costs what the 2nd did. */
int session_names_make(session_names *names, long number, const char *description,
                       char name[SESSION_NAME_MAX + 1])
{
  char raw[256], base[SESSION_NAME_MAX + 1], key[SESSION_NAME_MAX + 1];
  if (number >= 0)
    snprintf(raw, sizeof raw, "%ld_%s", number, description ? description : "");
  else
    snprintf(raw, sizeof raw, "%s", description ? description : "");
  sanitise(raw, base, SESSION_NAME_MAX);
  if (!base[0])
    snprintf(base, sizeof base, "series");
  snprintf(name, SESSION_NAME_MAX + 1, "%s", base);
  lower(base, key);
  slot *b = add(&names->bases, &names->cap_bases, &names->n_bases, key);
  if (!b)
    return -1;
  while (is_taken(names, name)) {
    char suffix[24], head[SESSION_NAME_MAX + 1];
    int ns = snprintf(suffix, sizeof suffix, "_%lu", b->next++);
    sanitise(base, head, (size_t)(SESSION_NAME_MAX - ns)); /* cut, and trimmed again */
    size_t nh = strlen(head);
    memcpy(name, head, nh);
    memcpy(name + nh, suffix, (size_t)ns + 1);
  }
  lower(name, key);
  return add(&names->taken, &names->cap_taken, &names->n_taken, key) ? 0 : -1;
}

/*
 * nrrd_header.c - parses the text header of a NRRD file (the NRRD format
 * specification, teem.sourceforge.net/nrrd/format.html) into a deface_nrrd
 * and builds the voxel-to-RAS matrix from its space, space directions and
 * space origin.
 *
 * The parser is strict where a mistake would move the face region: unknown
 * fields, duplicate fields, spaces without a patient orientation, vector
 * voxels and anything but 2D/3D are refused with the reason, as teem (and so
 * ITK and Slicer) would refuse or misread them. Fields the module does not
 * need are kept verbatim for writing the outputs.
 */
#include "nrrd_private.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const nrrd_space spaces[] = {
    {"right-anterior-superior", "RAS", {1, 1, 1}},
    {"left-anterior-superior", "LAS", {-1, 1, 1}},
    {"left-posterior-superior", "LPS", {-1, -1, 1}},
};

deface_status nrrd_fail(char *err, deface_status st, const char *path, const char *fmt, ...)
{
  if (!err)
    return st;
  int n = snprintf(err, DEFACE_ERRLEN, "%s: ", path ? path : "(NRRD)");
  if (n < 0 || n >= DEFACE_ERRLEN)
    return st;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + n, (size_t)(DEFACE_ERRLEN - n), fmt, ap);
  va_end(ap);
  return st;
}

/* Field identifier without spaces, lower case: "Space Directions" -> "spacedirections". */
static void field_key(const char *name, size_t len, char *key, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < len && k + 1 < n; i++)
    if (name[i] != ' ' && name[i] != '\t')
      key[k++] = (char)tolower((unsigned char)name[i]);
  key[k] = '\0';
}

static const char *skip_ws(const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

static int word_is(const char *s, const char *word)
{
  size_t n = strlen(word);
  return strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t');
}

static int parse_long(const char *s, long *out)
{
  char *end = NULL;
  s = skip_ws(s);
  long v = strtol(s, &end, 10);
  if (end == s || *skip_ws(end) != '\0')
    return -1;
  *out = v;
  return 0;
}

static deface_status keep_line(deface_nrrd *h, const char *line, char *err)
{
  if (h->n_kept == h->cap_kept) {
    size_t cap = h->cap_kept ? 2 * h->cap_kept : 16;
    char **k = realloc(h->kept, cap * sizeof *k);
    if (!k)
      return nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory");
    h->kept = k;
    h->cap_kept = cap;
  }
  size_t n = strlen(line);
  char *copy = malloc(n + 1);
  if (!copy)
    return nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory");
  memcpy(copy, line, n + 1);
  h->kept[h->n_kept++] = copy;
  return DEFACE_OK;
}

static int parse_type(const char *s, deface_datatype *dt)
{
  static const struct {
    const char *name;
    deface_datatype dt;
  } types[] = {
      {"signed char", DEFACE_INT8},
      {"int8", DEFACE_INT8},
      {"int8_t", DEFACE_INT8},
      {"uchar", DEFACE_UINT8},
      {"unsigned char", DEFACE_UINT8},
      {"uint8", DEFACE_UINT8},
      {"uint8_t", DEFACE_UINT8},
      {"short", DEFACE_INT16},
      {"short int", DEFACE_INT16},
      {"signed short", DEFACE_INT16},
      {"signed short int", DEFACE_INT16},
      {"int16", DEFACE_INT16},
      {"int16_t", DEFACE_INT16},
      {"ushort", DEFACE_UINT16},
      {"unsigned short", DEFACE_UINT16},
      {"unsigned short int", DEFACE_UINT16},
      {"uint16", DEFACE_UINT16},
      {"uint16_t", DEFACE_UINT16},
      {"int", DEFACE_INT32},
      {"signed int", DEFACE_INT32},
      {"int32", DEFACE_INT32},
      {"int32_t", DEFACE_INT32},
      {"uint", DEFACE_UINT32},
      {"unsigned int", DEFACE_UINT32},
      {"uint32", DEFACE_UINT32},
      {"uint32_t", DEFACE_UINT32},
      {"float", DEFACE_FLOAT32},
      {"double", DEFACE_FLOAT64},
  };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp(s, types[i].name) == 0) {
      *dt = types[i].dt;
      return 0;
    }
  return -1;
}

const char *nrrd_type_name(deface_datatype datatype)
{
  switch (datatype) {
  case DEFACE_UINT8:
    return "uint8";
  case DEFACE_INT8:
    return "int8";
  case DEFACE_INT16:
    return "int16";
  case DEFACE_UINT16:
    return "uint16";
  case DEFACE_INT32:
    return "int32";
  case DEFACE_UINT32:
    return "uint32";
  case DEFACE_FLOAT32:
    return "float";
  case DEFACE_FLOAT64:
    return "double";
  }
  return NULL;
}

/* "(x,y,z)" with n numbers; *s is advanced past ')'. */
static int parse_vector(const char **s, double *v, int n)
{
  const char *p = skip_ws(*s);
  if (*p != '(')
    return -1;
  p++;
  for (int i = 0; i < n; i++) {
    char *end = NULL;
    p = skip_ws(p);
    v[i] = deface_c_strtod(p, &end);
    if (end == p || !isfinite(v[i]))
      return -1;
    p = skip_ws(end);
    if (*p != (i + 1 < n ? ',' : ')'))
      return -1;
    p++;
  }
  *s = p;
  return 0;
}

static deface_status parse_space(deface_nrrd *h, const char *value, char *err)
{
  for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
    if (strcmp(value, spaces[i].name) == 0 || strcmp(value, spaces[i].abbrev) == 0) {
      h->space = &spaces[i];
      h->space_dimension = 3;
      return DEFACE_OK;
    }
  return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                   "space \"%s\" is not a patient orientation the module can use (it takes "
                   "right-anterior-superior, left-anterior-superior or "
                   "left-posterior-superior, without time)",
                   value);
}

static deface_status parse_directions(deface_nrrd *h, const char *value, char *err)
{
  if (h->space_dimension != 3)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                     "\"space directions\" before \"space\" or \"space dimension\"");
  const char *p = value;
  for (int a = 0; a < h->dimension; a++) {
    p = skip_ws(p);
    if (word_is(p, "none")) {
      h->directions[a][0] = h->directions[a][1] = h->directions[a][2] = NAN;
      p += 4;
    } else if (parse_vector(&p, h->directions[a], 3) != 0) {
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "\"space directions\": axis %d is neither (x,y,z) nor none", a);
    }
  }
  if (*skip_ws(p) != '\0')
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"space directions\" has more than %d entries",
                     h->dimension);
  h->has_directions = 1;
  return DEFACE_OK;
}

static deface_status parse_words(deface_nrrd *h, const char *value, const char *field, char *err)
{
  const char *p = value;
  for (int a = 0; a < h->dimension; a++) {
    p = skip_ws(p);
    size_t n = strcspn(p, " \t");
    if (n == 0 || n >= sizeof h->kinds[a])
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"%s\" needs %d entries", field,
                       h->dimension);
    memcpy(h->kinds[a], p, n);
    h->kinds[a][n] = '\0';
    p += n;
  }
  if (*skip_ws(p) != '\0')
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"%s\" has more than %d entries", field,
                     h->dimension);
  h->has_kinds = 1;
  return DEFACE_OK;
}

static deface_status parse_sizes(deface_nrrd *h, const char *value, char *err)
{
  const char *p = value;
  for (int a = 0; a < h->dimension; a++) {
    char *end = NULL;
    p = skip_ws(p);
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || *p == '-' || v == 0 || v > (unsigned long long)SIZE_MAX)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"sizes\": axis %d is not a size >= 1", a);
    h->sizes[a] = (size_t)v;
    p = end;
  }
  if (*skip_ws(p) != '\0')
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"sizes\" has more than %d entries",
                     h->dimension);
  return DEFACE_OK;
}

static deface_status parse_spacings(deface_nrrd *h, const char *value, char *err)
{
  const char *p = value;
  for (int a = 0; a < h->dimension; a++) {
    char *end = NULL;
    p = skip_ws(p);
    if (strncmp(p, "nan", 3) == 0 || strncmp(p, "NaN", 3) == 0) {
      h->spacings[a] = NAN;
      p += 3;
      continue;
    }
    h->spacings[a] = deface_c_strtod(p, &end);
    if (end == p || !isfinite(h->spacings[a]) || h->spacings[a] == 0)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"spacings\": axis %d is not a spacing", a);
    p = end;
  }
  if (*skip_ws(p) != '\0')
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"spacings\" has more than %d entries",
                     h->dimension);
  return DEFACE_OK;
}

/* Fields the parser reads; a second occurrence is an error, as in teem. */
enum {
  F_DIMENSION = 1 << 0,
  F_TYPE = 1 << 1,
  F_ENCODING = 1 << 2,
  F_ENDIAN = 1 << 3,
  F_SIZES = 1 << 4,
  F_SPACE = 1 << 5,
  F_SPACEDIM = 1 << 6,
  F_DIRECTIONS = 1 << 7,
  F_ORIGIN = 1 << 8,
  F_SPACINGS = 1 << 9,
  F_KINDS = 1 << 10,
  F_DATAFILE = 1 << 11,
  F_LINESKIP = 1 << 12,
  F_BYTESKIP = 1 << 13,
};

/* Fields kept verbatim for the outputs without being interpreted. */
static const char *const passive_fields[] = {
    "content", "thicknesses", "axismins",   "axismaxs",         "centers",     "centerings",
    "labels",  "units",       "spaceunits", "measurementframe", "sampleunits", "number",
};

/* Fields that describe the input's values or encoding and are dropped. */
static const char *const dropped_fields[] = {"min", "max", "oldmin", "oldmax"};

static deface_status parse_field(deface_nrrd *h, const char *key, const char *value,
                                 const char *line, unsigned *seen, char *err)
{
  static const struct {
    const char *key;
    unsigned flag;
    int per_axis;
  } known[] = {
      {"dimension", F_DIMENSION, 0},
      {"type", F_TYPE, 0},
      {"encoding", F_ENCODING, 0},
      {"endian", F_ENDIAN, 0},
      {"sizes", F_SIZES, 1},
      {"space", F_SPACE, 0},
      {"spacedimension", F_SPACEDIM, 0},
      {"spacedirections", F_DIRECTIONS, 1},
      {"spaceorigin", F_ORIGIN, 0},
      {"spacings", F_SPACINGS, 1},
      {"kinds", F_KINDS, 1},
      {"datafile", F_DATAFILE, 0},
      {"lineskip", F_LINESKIP, 0},
      {"byteskip", F_BYTESKIP, 0},
  };
  unsigned flag = 0;
  int per_axis = 0;
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(key, known[i].key) == 0) {
      flag = known[i].flag;
      per_axis = known[i].per_axis;
    }
  if (!flag) {
    for (size_t i = 0; i < sizeof passive_fields / sizeof passive_fields[0]; i++)
      if (strcmp(key, passive_fields[i]) == 0)
        return keep_line(h, line, err);
    for (size_t i = 0; i < sizeof dropped_fields / sizeof dropped_fields[0]; i++)
      if (strcmp(key, dropped_fields[i]) == 0)
        return DEFACE_OK;
    if (strcmp(key, "blocksize") == 0)
      return DEFACE_OK; /* only with type block, which is refused */
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "unknown header field \"%.*s\"",
                     (int)strcspn(line, ":"), line);
  }
  if (*seen & flag)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "header field \"%s\" given twice", key);
  *seen |= flag;
  if (per_axis && !h->dimension)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"%.*s\" before \"dimension\"",
                     (int)strcspn(line, ":"), line);
  long v = 0;
  deface_status st = DEFACE_OK;
  switch (flag) {
  case F_DIMENSION:
    if (parse_long(value, &v) != 0 || v < 1 || v > NRRD_MAX_DIM)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"dimension: %s\" is not 1 to %d", value,
                       NRRD_MAX_DIM);
    h->dimension = (int)v;
    return keep_line(h, line, err);
  case F_TYPE:
    if (parse_type(value, &h->datatype) != 0)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "voxel type \"%s\" is not supported (8, 16 and 32-bit integers, float, "
                       "double)",
                       value);
    return DEFACE_OK;
  case F_ENCODING:
    if (strcmp(value, "raw") == 0)
      h->gzip = 0;
    else if (strcmp(value, "gzip") == 0 || strcmp(value, "gz") == 0)
      h->gzip = 1;
    else
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "encoding \"%s\" is not supported (raw or gzip)", value);
    return DEFACE_OK;
  case F_ENDIAN:
    if (strcmp(value, "little") != 0 && strcmp(value, "big") != 0)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "endian \"%s\" is neither little nor big",
                       value);
    h->big_endian = strcmp(value, "big") == 0;
    h->has_endian = 1;
    return DEFACE_OK;
  case F_SIZES:
    st = parse_sizes(h, value, err);
    break;
  case F_SPACE:
    if (*seen & F_SPACEDIM)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "both \"space\" and \"space dimension\"");
    st = parse_space(h, value, err);
    break;
  case F_SPACEDIM:
    if (*seen & F_SPACE)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "both \"space\" and \"space dimension\"");
    if (parse_long(value, &v) != 0 || v != 3)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "\"space dimension: %s\": the module takes 3D spaces only", value);
    h->space_dimension = 3;
    break;
  case F_DIRECTIONS:
    st = parse_directions(h, value, err);
    break;
  case F_ORIGIN: {
    const char *p = value;
    if (h->space_dimension != 3)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"space origin\" before \"space\"");
    if (parse_vector(&p, h->origin, 3) != 0 || *skip_ws(p) != '\0')
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"space origin: %s\" is not (x,y,z)", value);
    break;
  }
  case F_SPACINGS:
    st = parse_spacings(h, value, err);
    break;
  case F_KINDS:
    st = parse_words(h, value, "kinds", err);
    break;
  case F_DATAFILE:
    if (strcmp(value, "LIST") == 0 || strpbrk(value, " \t"))
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "\"data file: %s\": only a single detached data file is supported", value);
    h->data_file = malloc(strlen(value) + 1);
    if (!h->data_file)
      return nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory");
    strcpy(h->data_file, value);
    return DEFACE_OK;
  case F_LINESKIP:
    if (parse_long(value, &h->line_skip) != 0 || h->line_skip < 0)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"line skip: %s\" is not a count", value);
    return DEFACE_OK;
  case F_BYTESKIP:
    if (parse_long(value, &h->byte_skip) != 0 || h->byte_skip < -1)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"byte skip: %s\" is not -1 or a count",
                       value);
    return DEFACE_OK;
  }
  if (st != DEFACE_OK)
    return st;
  return keep_line(h, line, err);
}

deface_status nrrd_parse_line(deface_nrrd *h, const char *line, char *err)
{
  if (line[0] == '#')
    return DEFACE_OK; /* comments are not copied: the outputs get their own */
  const char *kv = strstr(line, ":=");
  const char *colon = strstr(line, ": ");
  if (kv && (!colon || kv < colon))
    return keep_line(h, line, err); /* key:=value metadata, kept as it is */
  if (!colon)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "header line \"%.60s\" is not \"field: value\"",
                     line);
  char key[64];
  field_key(line, (size_t)(colon - line), key, sizeof key);
  return parse_field(h, key, skip_ws(colon + 2), line, &h->seen, err);
}

/* Kinds of axes that hold positions in space (the rest hold components or time). */
static int spatial_kind(const char *kind)
{
  return strcmp(kind, "domain") == 0 || strcmp(kind, "space") == 0 || strcmp(kind, "???") == 0 ||
         strcmp(kind, "none") == 0;
}

static void cross(const double a[3], const double b[3], double c[3])
{
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Which axes are space axes; refuses vector voxels and time series. */
static deface_status find_spatial_axes(deface_nrrd *h, char *err)
{
  int n_spatial = 0;
  for (int a = 0; a < h->dimension; a++) {
    if (h->has_directions)
      h->spatial[a] = !isnan(h->directions[a][0]);
    else if (h->has_kinds)
      h->spatial[a] = spatial_kind(h->kinds[a]);
    else
      h->spatial[a] = 1;
    if (h->spatial[a]) {
      n_spatial++;
      continue;
    }
    const char *kind = h->has_kinds ? h->kinds[a] : "none";
    if (a == 0)
      return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                       "not a scalar volume: %zu values per voxel (kind %s); the module "
                       "defaces scalar volumes only",
                       h->sizes[0], kind);
    return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                     "a %dD image with a non-spatial axis %d (kind %s, %zu samples); the "
                     "module takes 3D volumes (use the deface command for 4D NIfTI)",
                     h->dimension, a, kind, h->sizes[a]);
  }
  if (n_spatial < 2 || n_spatial > 3)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                     "a %dD image; the module takes 3D volumes (and 2D ones, to refuse them "
                     "with their reason)",
                     h->dimension);
  return DEFACE_OK;
}

deface_status nrrd_finish_header(deface_nrrd *h, char *err)
{
  static const unsigned required[] = {F_DIMENSION, F_TYPE, F_ENCODING, F_SIZES};
  static const char *const names[] = {"dimension", "type", "encoding", "sizes"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!(h->seen & required[i]))
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "no \"%s\" field in the header", names[i]);
  if (deface_datatype_size(h->datatype) > 1 && !h->has_endian)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "no \"endian\" field for %s voxels",
                     nrrd_type_name(h->datatype));
  if (h->byte_skip == -1 && h->gzip)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path, "\"byte skip: -1\" needs raw encoding");
  if (h->space_dimension && (h->seen & F_SPACINGS))
    return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                     "both a space and \"spacings\" (the space directions give the spacing)");
  if (h->space_dimension && !h->has_directions)
    return nrrd_fail(err, DEFACE_E_INPUT, h->path,
                     "a space without \"space directions\": the orientation is unknown");
  deface_status st = find_spatial_axes(h, err);
  if (st != DEFACE_OK)
    return st;
  /* Columns of the voxel-to-space matrix; without a named space, ITK's reading
   * (which Slicer uses): spacings along the LPS axes, origin 0. */
  static const double lps[3] = {-1, -1, 1};
  const double *to_ras = h->space ? h->space->to_ras : lps;
  double col[3][3] = {{0}};
  for (int a = 0; a < h->dimension; a++) {
    double len2 = 0;
    for (int r = 0; r < 3; r++) {
      double d = h->has_directions ? h->directions[a][r]
                                   : (r == a ? (isnan(h->spacings[a]) ? 1.0 : h->spacings[a]) : 0);
      col[a][r] = to_ras[r] * d;
      len2 += d * d;
    }
    if (!(len2 > 0))
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "axis %d has a zero-length space direction",
                       a);
  }
  if (h->dimension == 2) { /* one slice: a 1 mm normal, so that the matrix is invertible */
    cross(col[0], col[1], col[2]);
    double len = sqrt(col[2][0] * col[2][0] + col[2][1] * col[2][1] + col[2][2] * col[2][2]);
    if (!(len > 0))
      return nrrd_fail(err, DEFACE_E_INPUT, h->path, "the two space directions are parallel");
    for (int r = 0; r < 3; r++)
      col[2][r] /= len;
    h->sizes[2] = 1;
  }
  for (int r = 0; r < 3; r++) {
    for (int c = 0; c < 3; c++)
      h->voxel_to_ras[r][c] = col[c][r];
    h->voxel_to_ras[r][3] = to_ras[r] * h->origin[r];
    h->voxel_to_ras[3][r] = 0;
  }
  h->voxel_to_ras[3][3] = 1;
  return DEFACE_OK;
}

/*
 * nrrd_read.c - reads a NRRD file (deface_nrrd.h): the header through
 * nrrd_header.c, then the voxels, raw or gzip-compressed (zlib), attached
 * after the header's blank line or in one detached data file, and swapped to
 * this machine's byte order.
 *
 * Voxels are read straight into the volume's buffer (NRRD's first axis is the
 * fastest, as in the core), so a 64 MB volume costs 64 MB. Truncated data,
 * a stream that inflates to more or fewer bytes than the sizes say, and a
 * file that does not exist are errors that name the file.
 */
#include "nrrd_private.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* A header line of any length, without its "\n" or "\r\n"; NULL at end of
 * file. *line is reused and grown; -1 in *status on allocation failure. */
static char *read_line(FILE *f, char **line, size_t *cap, int *status)
{
  size_t n = 0;
  int c;
  while ((c = fgetc(f)) != EOF && c != '\n') {
    if (n + 1 >= *cap) {
      size_t cap2 = *cap ? 2 * *cap : 256;
      char *l = realloc(*line, cap2);
      if (!l) {
        *status = -1;
        return NULL;
      }
      *line = l;
      *cap = cap2;
    }
    (*line)[n++] = (char)c;
  }
  if (c == EOF && n == 0)
    return NULL;
  if (!*line) { /* an empty line as the very first read */
    *line = malloc(1);
    if (!*line) {
      *status = -1;
      return NULL;
    }
    *cap = 1;
  }
  if (n > 0 && (*line)[n - 1] == '\r')
    n--;
  (*line)[n] = '\0';
  return *line;
}

void deface_nrrd_free(deface_nrrd *h)
{
  if (!h)
    return;
  for (size_t i = 0; i < h->n_kept; i++)
    free(h->kept[i]);
  free(h->kept);
  free(h->data_file);
  free(h->path);
  free(h);
}

int deface_nrrd_dimension(const deface_nrrd *h)
{
  return h ? h->dimension : 0;
}

static deface_status new_header(const char *path, deface_nrrd **out, char *err)
{
  deface_nrrd *h = calloc(1, sizeof *h);
  if (!h)
    return nrrd_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  h->path = malloc(strlen(path) + 1);
  if (!h->path) {
    free(h);
    return nrrd_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  }
  strcpy(h->path, path);
  for (int a = 0; a < NRRD_MAX_DIM; a++)
    h->spacings[a] = NAN;
  *out = h;
  return DEFACE_OK;
}

/* Magic line, then header lines up to the blank line (attached data) or the
 * end of the file (a detached header). Leaves f at the first data byte. */
static deface_status read_header(FILE *f, deface_nrrd *h, int *ended_blank, char *err)
{
  char *line = NULL;
  size_t cap = 0;
  int alloc = 0;
  deface_status st = DEFACE_OK;
  *ended_blank = 0;
  if (!read_line(f, &line, &cap, &alloc) || strncmp(line, "NRRD000", 7) != 0 || line[7] < '1' ||
      line[7] > '5' || line[8] != '\0') {
    st = alloc ? nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory")
               : nrrd_fail(err, DEFACE_E_INPUT, h->path,
                           "not a NRRD file (no NRRD0001..NRRD0005 magic line)");
    goto done;
  }
  h->version = line[7] - '0';
  while (read_line(f, &line, &cap, &alloc)) {
    if (line[0] == '\0') {
      *ended_blank = 1;
      break;
    }
    if ((st = nrrd_parse_line(h, line, err)) != DEFACE_OK)
      goto done;
  }
  if (alloc)
    st = nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory");
  else
    st = nrrd_finish_header(h, err);
done:
  free(line);
  return st;
}

/* The detached data file's name, relative to the header's folder. */
static char *data_path(const deface_nrrd *h)
{
  const char *name = h->data_file;
  int absolute = name[0] == '/' || name[0] == '\\' || (name[0] && name[1] == ':');
  size_t dir = 0;
  if (!absolute)
    for (size_t i = 0; h->path[i]; i++)
      if (h->path[i] == '/' || h->path[i] == '\\')
        dir = i + 1;
  char *p = malloc(dir + strlen(name) + 1);
  if (p) {
    memcpy(p, h->path, dir);
    strcpy(p + dir, name);
  }
  return p;
}

static deface_status skip_lines_and_bytes(FILE *f, const deface_nrrd *h, const char *name,
                                          size_t bytes, char *err)
{
  for (long i = 0; i < h->line_skip; i++) {
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n')
      ;
    if (c == EOF)
      return nrrd_fail(err, DEFACE_E_INPUT, name, "ends within the %ld lines to skip",
                       h->line_skip);
  }
  if (h->byte_skip == -1) { /* raw data are the last bytes of the file */
    if (fseek(f, 0, SEEK_END) != 0)
      return nrrd_fail(err, DEFACE_E_INPUT, name, "cannot seek to its end");
    long end = ftell(f);
    if (end < 0 || (uint64_t)end < (uint64_t)bytes)
      return nrrd_fail(err, DEFACE_E_INPUT, name, "is shorter than the %zu bytes of voxels", bytes);
    if (fseek(f, end - (long)bytes, SEEK_SET) != 0)
      return nrrd_fail(err, DEFACE_E_INPUT, name, "cannot seek to its voxels");
    return DEFACE_OK;
  }
  for (long i = 0; i < h->byte_skip; i++)
    if (fgetc(f) == EOF)
      return nrrd_fail(err, DEFACE_E_INPUT, name, "ends within the %ld bytes to skip",
                       h->byte_skip);
  return DEFACE_OK;
}

static deface_status read_raw(FILE *f, const char *name, void *data, size_t bytes, char *err)
{
  size_t got = fread(data, 1, bytes, f);
  if (got != bytes)
    return nrrd_fail(err, DEFACE_E_INPUT, name,
                     "truncated: %zu of the %zu bytes of voxels the header describes", got, bytes);
  return DEFACE_OK;
}

/* Inflates a gzip (or zlib) stream from f into exactly `bytes` bytes. */
static deface_status read_gzip(FILE *f, const char *name, void *data, size_t bytes, char *err)
{
  enum { CHUNK = 1 << 16 };
  unsigned char *in = malloc(CHUNK);
  if (!in)
    return nrrd_fail(err, DEFACE_E_NOMEM, name, "out of memory");
  z_stream z;
  memset(&z, 0, sizeof z);
  deface_status st = DEFACE_OK;
  if (inflateInit2(&z, 15 + 32) != Z_OK) { /* 15 + 32: gzip or zlib header */
    free(in);
    return nrrd_fail(err, DEFACE_E_NOMEM, name, "zlib cannot start inflating");
  }
  unsigned char *out = data;
  size_t done = 0;
  int ret = Z_OK;
  while (ret != Z_STREAM_END) {
    if (z.avail_in == 0) {
      z.avail_in = (uInt)fread(in, 1, CHUNK, f);
      z.next_in = in;
      if (z.avail_in == 0) {
        st =
            nrrd_fail(err, DEFACE_E_INPUT, name,
                      "truncated: the gzip data end after %zu of %zu bytes of voxels", done, bytes);
        goto done;
      }
    }
    size_t left = bytes - done;
    unsigned char spare;
    /* Past the expected bytes, inflate into one spare byte to detect excess data. */
    z.next_out = left ? out + done : &spare;
    z.avail_out = left ? (uInt)(left < (1u << 30) ? left : (1u << 30)) : 1;
    uInt before = z.avail_out;
    ret = inflate(&z, Z_NO_FLUSH);
    if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
      st = nrrd_fail(err, DEFACE_E_INPUT, name, "corrupt gzip data: %s",
                     z.msg ? z.msg : "inflate failed");
      goto done;
    }
    size_t produced = before - z.avail_out;
    if (!left && produced) {
      st = nrrd_fail(err, DEFACE_E_INPUT, name,
                     "the gzip data hold more than the %zu bytes the header describes", bytes);
      goto done;
    }
    done += left ? produced : 0;
    if (ret == Z_BUF_ERROR && z.avail_in != 0 && produced == 0) {
      st = nrrd_fail(err, DEFACE_E_INPUT, name, "corrupt gzip data");
      goto done;
    }
  }
  if (done != bytes)
    st = nrrd_fail(err, DEFACE_E_INPUT, name,
                   "truncated: the gzip data hold %zu of the %zu bytes of voxels", done, bytes);
done:
  inflateEnd(&z);
  free(in);
  return st;
}

int nrrd_host_big_endian(void)
{
  const uint16_t one = 1;
  unsigned char first;
  memcpy(&first, &one, 1);
  return first == 0;
}

void nrrd_swap_bytes(void *data, size_t n, size_t size)
{
  unsigned char *p = data;
  for (size_t i = 0; i < n; i++, p += size)
    for (size_t a = 0, b = size - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}

static deface_status read_voxels(FILE *f, deface_nrrd *h, deface_volume *v, char *err)
{
  FILE *df = f;
  char *dname = NULL;
  const char *name = h->path;
  deface_status st = DEFACE_OK;
  if (h->data_file) {
    if (!(dname = data_path(h)))
      return nrrd_fail(err, DEFACE_E_NOMEM, h->path, "out of memory");
    name = dname;
    if (!(df = fopen(dname, "rb"))) {
      char ebuf[128];
      st = nrrd_fail(err, DEFACE_E_INPUT, h->path, "cannot open its data file %s: %s", dname,
                     nrrd_errno_text(errno, ebuf, sizeof ebuf));
      free(dname);
      return st;
    }
  }
  size_t bytes = deface_volume_bytes(v);
  void *data = deface_volume_data(v);
  st = skip_lines_and_bytes(df, h, name, bytes, err);
  if (st == DEFACE_OK)
    st = h->gzip ? read_gzip(df, name, data, bytes, err) : read_raw(df, name, data, bytes, err);
  size_t size = deface_datatype_size(h->datatype);
  if (st == DEFACE_OK && size > 1 && h->big_endian != nrrd_host_big_endian())
    nrrd_swap_bytes(data, bytes / size, size);
  if (df != f)
    fclose(df);
  free(dname);
  return st;
}

deface_status deface_nrrd_read(const char *path, deface_volume **volume, deface_nrrd **header,
                               char *err)
{
  if (volume)
    *volume = NULL;
  if (header)
    *header = NULL;
  if (!path || !volume)
    return nrrd_fail(err, DEFACE_E_USAGE, path, "deface_nrrd_read: NULL argument");
  deface_nrrd *h = NULL;
  deface_volume *v = NULL;
  deface_status st = new_header(path, &h, err);
  if (st != DEFACE_OK)
    return st;
  FILE *f = fopen(path, "rb");
  if (!f) {
    char ebuf[128];
    st = nrrd_fail(err, DEFACE_E_INPUT, path, "cannot open: %s",
                   nrrd_errno_text(errno, ebuf, sizeof ebuf));
    goto done;
  }
  int blank = 0;
  if ((st = read_header(f, h, &blank, err)) != DEFACE_OK)
    goto done;
  if (!blank && !h->data_file) {
    st = nrrd_fail(err, DEFACE_E_INPUT, path,
                   "the header neither ends in a blank line before the voxels nor names a "
                   "data file");
    goto done;
  }
  size_t dims[4] = {h->sizes[0], h->sizes[1], h->dimension == 3 ? h->sizes[2] : 1, 1};
  if ((st = deface_volume_new(dims, h->datatype, (const double(*)[4])h->voxel_to_ras, &v, err)) !=
      DEFACE_OK) {
    char why[DEFACE_ERRLEN];
    snprintf(why, sizeof why, "%s", err ? err : "");
    if (st == DEFACE_E_USAGE) /* a singular matrix: the file's geometry is unusable */
      st = nrrd_fail(err, DEFACE_E_INPUT, path, "unusable geometry: %s", why);
    else
      st = nrrd_fail(err, st, path, "%s", why);
    goto done;
  }
  if ((st = read_voxels(f, h, v, err)) != DEFACE_OK)
    goto done;
  *volume = v;
  v = NULL;
  if (header) {
    *header = h;
    h = NULL;
  }
done:
  if (f)
    fclose(f);
  deface_volume_free(v);
  deface_nrrd_free(h);
  return st;
}

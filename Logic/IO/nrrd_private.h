/*
 * nrrd_private.h - what the NRRD reader, writer and header parser share
 * (Logic/IO/nrrd_*.c); not part of the public API (deface_nrrd.h).
 */
#ifndef DEFACE_NRRD_PRIVATE_H
#define DEFACE_NRRD_PRIVATE_H

#include "deface_nrrd.h"

#include <stddef.h>

#define NRRD_MAX_DIM 16

/* Where the space's axes point in RAS: LPS is (-1, -1, 1). */
typedef struct nrrd_space {
  const char *name; /* canonical NRRD name */
  const char *abbrev;
  double to_ras[3];
} nrrd_space;

struct deface_nrrd {
  char *path;    /* for messages */
  int version;   /* the X of NRRD000X */
  unsigned seen; /* header fields met so far (bits of nrrd_header.c) */
  int dimension;
  size_t sizes[NRRD_MAX_DIM];
  deface_datatype datatype;
  int gzip;       /* encoding: 0 raw, 1 gzip */
  int big_endian; /* endian of the data (meaningful for multi-byte types) */
  int has_endian;
  const nrrd_space *space;   /* NULL: no named space */
  int space_dimension;       /* 0 when neither space nor space dimension */
  int spatial[NRRD_MAX_DIM]; /* axis is a space (domain) axis */
  int has_directions;
  double directions[NRRD_MAX_DIM][3]; /* per axis, in the space (NaN for none) */
  double origin[3];
  double spacings[NRRD_MAX_DIM]; /* NaN when not given */
  int has_kinds;
  char kinds[NRRD_MAX_DIM][32];
  double voxel_to_ras[4][4];
  /* Detached data. */
  char *data_file;
  long line_skip;
  long byte_skip; /* -1: the data are the last bytes of the file (raw only) */
  /* Header lines written back verbatim (fields and key/values), in order. */
  char **kept;
  size_t n_kept, cap_kept;
};

/* A one-line reason "path: what" into err; returns st. */
deface_status nrrd_fail(char *err, deface_status st, const char *path, const char *fmt, ...)
#if defined(__MINGW32__) /* mingw's "printf" archetype is msvcrt's, which lacks %zu */
    __attribute__((format(gnu_printf, 4, 5)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Parses one header line (no newline) into h. Returns DEFACE_OK or the reason. */
deface_status nrrd_parse_line(deface_nrrd *h, const char *line, char *err);

/* After the last header line: checks what is required and builds the geometry. */
deface_status nrrd_finish_header(deface_nrrd *h, char *err);

/* NRRD type name of a datatype ("uint8", "int16", "float"...). */
const char *nrrd_type_name(deface_datatype datatype);

/* 1 when this machine stores multi-byte numbers big-endian first. */
int nrrd_host_big_endian(void);

/* errno's text in buf (n bytes), without strerror's shared buffer. */
const char *nrrd_errno_text(int errnum, char *buf, size_t n);

/* Reverses the bytes of each of n values of size bytes, in place. */
void nrrd_swap_bytes(void *data, size_t n, size_t size);

#endif /* DEFACE_NRRD_PRIVATE_H */

/*
 * test_nrrd_io.c - unit tests of the NRRD adapter (Logic/IO/deface_nrrd.h)
 * on small files written here byte by byte:
 *  - geometry: voxel-to-RAS from LPS, RAS and LAS spaces and from spacings
 *    alone, against matrices worked out by hand; 2D slices get a unit normal;
 *  - voxels: raw and gzip, little and big endian, detached data with line and
 *    byte skips, every datatype;
 *  - writing: the header comes back verbatim (fields, key/values), with the
 *    volume's type, the input's encoding and endian; read back it equals the
 *    volume; a volume off the grid or scaled is refused; a full disk fails;
 *  - refusals: each malformed or unsupported header gives DEFACE_E_INPUT and
 *    a reason that names the file and says what is wrong;
 *  - numbers in a decimal-comma locale (when the test is given one: the
 *    ctest wrapper builds de_DE.UTF-8 with localedef) read and write '.'.
 *
 *   test_nrrd_io WORKDIR [LOCALE]
 */
#include "check.h"

#include "deface_nrrd.h"

#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

static char dir[1024];

static const char *path_of(const char *name)
{
  static char p[4][2048];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static void write_bytes(const char *name, const char *header, const void *data, size_t n)
{
  FILE *f = fopen(path_of(name), "wb");
  fputs(header, f);
  if (n)
    fwrite(data, 1, n, f);
  fclose(f);
}

static char *slurp(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = calloc(1, (size_t)len + 1);
  *n = fread(s, 1, (size_t)len, f);
  fclose(f);
  return s;
}

static int matrix_is(const deface_volume *v, const double want[4][4])
{
  double m[4][4];
  deface_volume_matrix(v, m);
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      if (fabs(m[r][c] - want[r][c]) > 1e-12)
        return 0;
  return 1;
}

/* Reads name; NULL when it fails, with the reason in err. */
static deface_volume *read_ok(const char *name, deface_nrrd **h, char *err)
{
  deface_volume *v = NULL;
  if (deface_nrrd_read(path_of(name), &v, h, err) != DEFACE_OK) {
    fprintf(stderr, "  %s\n", err);
    return NULL;
  }
  return v;
}

static const unsigned char vox8[24] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                       12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 255};

static void test_spaces(void)
{
  char err[DEFACE_ERRLEN];
  check_context = "spaces";
  /* 2x3x4 voxels; axis 0 along L by 0.5, axis 1 along P by 1.5, axis 2 oblique in S/P. */
  const char *geom = "dimension: 3\nsizes: 2 3 4\nspace directions: (0.5,0,0) (0,1.5,0) "
                     "(0,0.6,0.8)\nspace origin: (10,-20,30)\nkinds: domain domain domain\n";
  struct {
    const char *space;
    double sign[3]; /* space coordinates -> RAS */
  } cases[] = {{"left-posterior-superior", {-1, -1, 1}},
               {"LPS", {-1, -1, 1}},
               {"right-anterior-superior", {1, 1, 1}},
               {"left-anterior-superior", {-1, 1, 1}}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char head[1024];
    snprintf(head, sizeof head,
             "NRRD0004\n# a comment\ntype: uint8\nspace: %s\n%sencoding: raw\n\n", cases[i].space,
             geom);
    write_bytes("space.nrrd", head, vox8, 24);
    deface_nrrd *h = NULL;
    deface_volume *v = read_ok("space.nrrd", &h, err);
    CHECK(v != NULL);
    if (!v)
      continue;
    const double *s = cases[i].sign;
    double want[4][4] = {{0.5 * s[0], 0, 0, 10 * s[0]},
                         {0, 1.5 * s[1], 0.6 * s[1], -20 * s[1]},
                         {0, 0, 0.8 * s[2], 30 * s[2]},
                         {0, 0, 0, 1}};
    CHECK(matrix_is(v, want));
    size_t d[4];
    deface_volume_dims(v, d);
    CHECK(d[0] == 2 && d[1] == 3 && d[2] == 4 && d[3] == 1);
    CHECK(deface_volume_datatype(v) == DEFACE_UINT8 && deface_nrrd_dimension(h) == 3);
    CHECK(memcmp(deface_volume_data(v), vox8, 24) == 0);
    deface_volume_free(v);
    deface_nrrd_free(h);
  }
  /* No space: ITK's reading, spacings along LPS axes, origin 0. */
  write_bytes("nospace.nrrd",
              "NRRD0003\ntype: uchar\ndimension: 3\nsizes: 2 3 4\nspacings: 2 nan 0.25\n"
              "encoding: raw\n\n",
              vox8, 24);
  deface_volume *v = read_ok("nospace.nrrd", NULL, err);
  double want[4][4] = {{-2, 0, 0, 0}, {0, -1, 0, 0}, {0, 0, 0.25, 0}, {0, 0, 0, 1}};
  CHECK(v && matrix_is(v, want));
  deface_volume_free(v);
  /* A 2D slice: the third column is the unit normal of the first two. */
  write_bytes("slice.nrrd",
              "NRRD0004\ntype: uint8\ndimension: 2\nspace: RAS\nsizes: 4 6\n"
              "space directions: (2,0,0) (0,0,3)\nspace origin: (1,2,3)\nencoding: raw\n\n",
              vox8, 24);
  deface_nrrd *h = NULL;
  v = read_ok("slice.nrrd", &h, err);
  double want2[4][4] = {{2, 0, 0, 1}, {0, 0, -1, 2}, {0, 3, 0, 3}, {0, 0, 0, 1}};
  CHECK(v && matrix_is(v, want2) && deface_nrrd_dimension(h) == 2);
  deface_volume_free(v);
  deface_nrrd_free(h);
}

static void test_voxels(void)
{
  char err[DEFACE_ERRLEN];
  check_context = "voxels";
  const char *geom = "dimension: 3\nspace: LPS\nsizes: 2 3 2\nspace directions: (1,0,0) (0,1,0) "
                     "(0,0,1)\n";
  int16_t want[12];
  unsigned char big[24];
  for (int i = 0; i < 12; i++) {
    want[i] = (int16_t)(i * 1000 - 5000);
    uint16_t u = (uint16_t)want[i];
    big[2 * i] = (unsigned char)(u >> 8);
    big[2 * i + 1] = (unsigned char)(u & 0xff);
  }
  char head[1024];
  snprintf(head, sizeof head, "NRRD0004\ntype: int16\n%sendian: big\nencoding: raw\n\n", geom);
  write_bytes("big.nrrd", head, big, 24);
  deface_nrrd *h = NULL;
  deface_volume *v = read_ok("big.nrrd", &h, err);
  CHECK(v && memcmp(deface_volume_data(v), want, 24) == 0);
  deface_volume_free(v);
  deface_nrrd_free(h);
  /* gzip, as teem writes it */
  unsigned char gz[256];
  z_stream z;
  memset(&z, 0, sizeof z);
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  z.next_in = (unsigned char *)want;
  z.avail_in = 24;
  z.next_out = gz;
  z.avail_out = sizeof gz;
  deflate(&z, Z_FINISH);
  size_t gzn = sizeof gz - z.avail_out;
  deflateEnd(&z);
  snprintf(head, sizeof head, "NRRD0004\ntype: short\n%sendian: little\nencoding: gzip\n\n", geom);
  write_bytes("gz.nrrd", head, gz, gzn);
  v = read_ok("gz.nrrd", NULL, err);
  CHECK(v && memcmp(deface_volume_data(v), want, 24) == 0);
  deface_volume_free(v);
  /* truncated gzip, then gzip with more voxels than the sizes say */
  write_bytes("gzcut.nrrd", head, gz, gzn / 2);
  CHECK(deface_nrrd_read(path_of("gzcut.nrrd"), &v, NULL, err) == DEFACE_E_INPUT &&
        strstr(err, "truncated") && strstr(err, "gzcut.nrrd"));
  snprintf(head, sizeof head,
           "NRRD0004\ntype: short\ndimension: 3\nspace: LPS\nsizes: 2 3 1\nspace directions: "
           "(1,0,0) (0,1,0) (0,0,1)\nendian: little\nencoding: gzip\n\n");
  write_bytes("gzlong.nrrd", head, gz, gzn);
  CHECK(deface_nrrd_read(path_of("gzlong.nrrd"), &v, NULL, err) == DEFACE_E_INPUT &&
        strstr(err, "more than"));
  /* detached data with a line skip and a byte skip */
  FILE *f = fopen(path_of("data.raw"), "wb");
  fputs("line one\nline two\nXYZ", f);
  fwrite(want, 1, 24, f);
  fclose(f);
  snprintf(head, sizeof head,
           "NRRD0004\ntype: int16\n%sendian: little\nencoding: raw\ndata file: data.raw\n"
           "line skip: 2\nbyte skip: 3\n",
           geom);
  write_bytes("detached.nhdr", head, NULL, 0);
  v = read_ok("detached.nhdr", NULL, err);
  CHECK(v && memcmp(deface_volume_data(v), want, 24) == 0);
  deface_volume_free(v);
  /* every datatype: one voxel of 2.5 or -3 survives */
  static const char *types[] = {"uint8",  "int8",  "uint16", "int16",
                                "uint32", "int32", "float",  "double"};
  for (size_t i = 0; i < 8; i++) {
    unsigned char buf[8] = {0};
    double value = i < 6 ? (i % 2 ? -3 : 3) : 2.5;
    switch (i) {
    case 0:
      buf[0] = 3;
      break;
    case 1:
      buf[0] = (unsigned char)(signed char)-3;
      break;
    case 2: {
      uint16_t x = 3;
      memcpy(buf, &x, 2);
    } break;
    case 3: {
      int16_t x = -3;
      memcpy(buf, &x, 2);
    } break;
    case 4: {
      uint32_t x = 3;
      memcpy(buf, &x, 4);
    } break;
    case 5: {
      int32_t x = -3;
      memcpy(buf, &x, 4);
    } break;
    case 6: {
      float x = 2.5f;
      memcpy(buf, &x, 4);
    } break;
    default: {
      double x = 2.5;
      memcpy(buf, &x, 8);
    } break;
    }
    snprintf(head, sizeof head,
             "NRRD0004\ntype: %s\ndimension: 3\nsizes: 1 1 1\nendian: little\nencoding: raw\n\n",
             types[i]);
    write_bytes("one.nrrd", head, buf, 8);
    check_context = types[i];
    v = read_ok("one.nrrd", NULL, err);
    CHECK(v && deface_volume_value(v, 0) == value);
    deface_volume_free(v);
  }
}

static void test_write(void)
{
  char err[DEFACE_ERRLEN];
  check_context = "write";
  const char *head = "NRRD0005\ntype: int16\ndimension: 3\nspace: left-posterior-superior\n"
                     "sizes: 2 3 2\nspace directions: (0.5,0,0) (0,1.25,0) (0,0,3)\n"
                     "kinds: domain domain domain\nendian: big\nencoding: gzip\n"
                     "space origin: (-1.5,2.25,100)\nmin: 0\nmeasurement frame: (1,0,0) (0,1,0) "
                     "(0,0,1)\nDICOM_0008_0060:=MR\ncontent: ch2\n\n";
  int16_t vox[12];
  for (int i = 0; i < 12; i++)
    vox[i] = (int16_t)(i * 7);
  /* gzip big-endian payload */
  unsigned char be[24], gz[256];
  for (int i = 0; i < 12; i++) {
    be[2 * i] = (unsigned char)((uint16_t)vox[i] >> 8);
    be[2 * i + 1] = (unsigned char)(vox[i] & 0xff);
  }
  uLongf gzn = sizeof gz;
  z_stream z;
  memset(&z, 0, sizeof z);
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  z.next_in = be;
  z.avail_in = 24;
  z.next_out = gz;
  z.avail_out = sizeof gz;
  deflate(&z, Z_FINISH);
  gzn = sizeof gz - z.avail_out;
  deflateEnd(&z);
  write_bytes("in.nrrd", head, gz, gzn);
  deface_nrrd *h = NULL;
  deface_volume *v = read_ok("in.nrrd", &h, err);
  CHECK(v && memcmp(deface_volume_data(v), vox, 24) == 0);
  if (!v)
    return;
  FILE *f = fopen(path_of("out.nrrd"), "wb");
  CHECK(deface_nrrd_write_stream(f, "out.nrrd", v, h, err) == DEFACE_OK);
  fclose(f);
  size_t n = 0;
  char *text = slurp(path_of("out.nrrd"), &n);
  /* the input's lines verbatim, our type/endian/encoding, no min (it described the input) */
  CHECK(text && strncmp(text, "NRRD0005\n", 9) == 0);
  static const char *const lines[] = {"\ntype: int16\n",
                                      "\ndimension: 3\n",
                                      "\nspace: left-posterior-superior\n",
                                      "\nsizes: 2 3 2\n",
                                      "\nspace directions: (0.5,0,0) (0,1.25,0) (0,0,3)\n",
                                      "\nkinds: domain domain domain\n",
                                      "\nspace origin: (-1.5,2.25,100)\n",
                                      "\nmeasurement frame: (1,0,0) (0,1,0) (0,0,1)\n",
                                      "\nDICOM_0008_0060:=MR\n",
                                      "\ncontent: ch2\n",
                                      "\nendian: big\n",
                                      "\nencoding: gzip\n"};
  for (size_t i = 0; text && i < sizeof lines / sizeof lines[0]; i++) {
    check_context = lines[i] + 1;
    CHECK(strstr(text, lines[i]) != NULL);
  }
  check_context = "write";
  CHECK(text && !strstr(text, "\nmin:"));
  free(text);
  deface_nrrd *h2 = NULL;
  deface_volume *back = read_ok("out.nrrd", &h2, err);
  double m1[4][4], m2[4][4];
  deface_volume_matrix(v, m1);
  if (back)
    deface_volume_matrix(back, m2);
  CHECK(back && memcmp(deface_volume_data(back), vox, 24) == 0 && memcmp(m1, m2, sizeof m1) == 0);
  deface_volume_free(back);
  deface_nrrd_free(h2);
  /* a uint8 volume on the same grid (a label): type changes, geometry stays */
  size_t dims[4] = {2, 3, 2, 1};
  deface_volume *label = NULL;
  deface_volume_new(dims, DEFACE_UINT8, (const double(*)[4])m1, &label, err);
  ((unsigned char *)deface_volume_data(label))[5] = 2;
  f = fopen(path_of("label.nrrd"), "wb");
  CHECK(deface_nrrd_write_stream(f, "label.nrrd", label, h, err) == DEFACE_OK);
  fclose(f);
  back = read_ok("label.nrrd", NULL, err);
  CHECK(back && deface_volume_datatype(back) == DEFACE_UINT8 &&
        ((unsigned char *)deface_volume_data(back))[5] == 2);
  deface_volume_free(back);
  /* off the grid, or scaled: refused */
  size_t other[4] = {3, 3, 2, 1};
  deface_volume *wrong = NULL;
  deface_volume_new(other, DEFACE_UINT8, (const double(*)[4])m1, &wrong, err);
  f = fopen(path_of("wrong.nrrd"), "wb");
  CHECK(deface_nrrd_write_stream(f, "wrong.nrrd", wrong, h, err) == DEFACE_E_USAGE &&
        strstr(err, "grid"));
  deface_volume_set_scaling(label, 2.0, 0.0);
  CHECK(deface_nrrd_write_stream(f, "wrong.nrrd", label, h, err) == DEFACE_E_USAGE &&
        strstr(err, "scaling"));
  fclose(f);
  deface_volume_free(wrong);
  deface_volume_free(label);
  /* a full disk */
  f = fopen("/dev/full", "wb");
  if (f) {
    CHECK(deface_nrrd_write_stream(f, "/dev/full", v, h, err) == DEFACE_E_OUTPUT &&
          strstr(err, "cannot write"));
    fclose(f);
  }
  deface_volume_free(v);
  deface_nrrd_free(h);
}

static void test_refusals(void)
{
  char err[DEFACE_ERRLEN];
  static const struct {
    const char *header; /* "" = no file at all */
    const char *says;
  } cases[] = {
      {"", "cannot open"},
      {"P5\n2 3\n255\n", "not a NRRD file"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\nbogus: 1\n\n",
       "unknown header field"},
      {"NRRD0004\ntype: uint8\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n\n",
       "given twice"},
      {"NRRD0004\ntype: int64\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n\n", "int64"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: ascii\n\n", "ascii"},
      {"NRRD0004\ntype: int16\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n\n", "endian"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\nspace: scanner-xyz\n"
       "space directions: (1,0,0) (0,1,0) (0,0,1)\n\n",
       "scanner-xyz"},
      {"NRRD0004\ntype: uint8\ndimension: 4\nspace: LPS\nsizes: 3 2 2 2\nspace directions: none "
       "(1,0,0) (0,1,0) (0,0,1)\nkinds: RGB-color domain domain domain\nencoding: raw\n\n",
       "not a scalar volume"},
      {"NRRD0004\ntype: uint8\ndimension: 4\nspace: LPS\nsizes: 2 2 2 5\nspace directions: "
       "(1,0,0) (0,1,0) (0,0,1) none\nkinds: domain domain domain time\nencoding: raw\n\n",
       "non-spatial axis 3"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nspace: LPS\nsizes: 2 3 4\nspace directions: (1,0,0) "
       "(0,1,0)\nencoding: raw\n\n",
       "space directions"},
      {"NRRD0004\ntype: uint8\nsizes: 2 3 4\ndimension: 3\nencoding: raw\n\n", "before"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nspace: LPS\nsizes: 2 3 4\nspace directions: (1,0,0) "
       "(0,0,0) (0,0,1)\nencoding: raw\n\n",
       "zero-length"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nspace: LPS\nsizes: 2 3 4\nspace directions: (1,0,0) "
       "(2,0,0) (0,0,1)\nencoding: raw\n\n",
       "geometry"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n\nshort", "truncated"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\n", "blank line"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 3 4\nencoding: raw\ndata file: LIST\n\n",
       "single detached"},
      {"NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 0 4\nencoding: raw\n\n", "sizes"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    check_context = cases[i].says;
    const char *name = "refuse.nrrd";
    remove(path_of(name));
    if (cases[i].header[0])
      write_bytes(name, cases[i].header, NULL, 0);
    deface_volume *v = (deface_volume *)1;
    deface_nrrd *h = (deface_nrrd *)1;
    deface_status st = deface_nrrd_read(path_of(name), &v, &h, err);
    CHECK(st == DEFACE_E_INPUT && v == NULL && h == NULL);
    CHECK(strstr(err, name) != NULL && strstr(err, cases[i].says) != NULL);
    if (st != DEFACE_E_INPUT || !strstr(err, cases[i].says))
      fprintf(stderr, "  got: %s\n", err);
  }
}

static void test_numbers(const char *locale)
{
  char err[DEFACE_ERRLEN];
  check_context = "locale";
  if (locale) {
    CHECK(setlocale(LC_NUMERIC, locale) != NULL);
    CHECK(strcmp(localeconv()->decimal_point, ",") == 0);
  }
  char *end = NULL;
  const char *s = "-12.375e1,";
  CHECK(deface_c_strtod(s, &end) == -123.75 && end == s + 9);
  char buf[32];
  CHECK(deface_c_format(buf, sizeof buf, 8, 0.125) == 5 && strcmp(buf, "0.125") == 0);
  write_bytes("comma.nrrd",
              "NRRD0004\ntype: uint8\ndimension: 3\nspace: RAS\nsizes: 2 3 4\nspace directions: "
              "(0.5,0,0) (0,1.5,0) (0,0,2.25)\nspace origin: (0.5,-0.25,1e1)\nencoding: raw\n\n",
              vox8, 24);
  deface_volume *v = read_ok("comma.nrrd", NULL, err);
  double want[4][4] = {{0.5, 0, 0, 0.5}, {0, 1.5, 0, -0.25}, {0, 0, 2.25, 10}, {0, 0, 0, 1}};
  CHECK(v && matrix_is(v, want));
  deface_volume_free(v);
  setlocale(LC_NUMERIC, "C");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: test_nrrd_io WORKDIR [LOCALE]\n");
    return 2;
  }
  snprintf(dir, sizeof dir, "%s", argv[1]);
  test_spaces();
  test_voxels();
  test_write();
  test_refusals();
  test_numbers(argc > 2 ? argv[2] : NULL);
  return check_report();
}

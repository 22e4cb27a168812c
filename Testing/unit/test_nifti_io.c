/*
 * test_nifti_io.c - unit tests of the NIfTI adapter (Logic/IO).
 *
 * Inputs are made here with nifti_clib (NIfTI-1 through nifti_image_write;
 * NIfTI-2 laid out by hand from nifti_convert_nim2n2hdr, because the packaged
 * nifti_image_write cannot write a single-file NIfTI-2) in a fresh directory
 * under /tmp, and outputs are read back with nifti_clib, not with the
 * adapter, so that the two cannot agree on a mistake.
 * SHOW=1 prints each refusal's message; KEEP=1 keeps the directory.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"
#include "deface_nifti.h"

#include <nifti2_io.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static int short_magic; /* 1: write NIfTI-2 inputs as nifti_clib does */

#define NIFTI2_MAGIC "n+2\0\r\n\032\n"

static const int all_types[8] = {DT_UINT8, DT_INT8,   DT_INT16,   DT_UINT16,
                                 DT_INT32, DT_UINT32, DT_FLOAT32, DT_FLOAT64};

typedef struct spec {
  int version; /* 1 or 2 */
  int64_t dims[8];
  int datatype;
  int qform_code, sform_code;
  int extensions;
  int scaled;
} spec;

static void path_of(char *out, size_t n, const char *name)
{
  snprintf(out, n, "%s/%s", dir, name);
}

/* A recognisable pattern per datatype, different at every voxel. */
static void fill(nifti_image *nim)
{
  for (int64_t i = 0; i < nim->nvox; i++) {
    switch (nim->datatype) {
    case DT_UINT8:
      ((uint8_t *)nim->data)[i] = (uint8_t)(i * 37 + 11);
      break;
    case DT_INT8:
      ((int8_t *)nim->data)[i] = (int8_t)((i * 37) % 256 - 128);
      break;
    case DT_INT16:
      ((int16_t *)nim->data)[i] = (int16_t)(i * 301 - 20000);
      break;
    case DT_UINT16:
      ((uint16_t *)nim->data)[i] = (uint16_t)(i * 307 + 5);
      break;
    case DT_INT32:
      ((int32_t *)nim->data)[i] = (int32_t)(i * 100003 - 2000000000);
      break;
    case DT_UINT32:
      ((uint32_t *)nim->data)[i] = (uint32_t)(4000000000u - i * 7919);
      break;
    case DT_FLOAT32:
      ((float *)nim->data)[i] = (float)i * 0.37f - 5.25f;
      break;
    case DT_FLOAT64:
      ((double *)nim->data)[i] = (double)i * 1e-3 - 1e6;
      break;
    }
  }
}

/* An image with every header field the adapter must keep set to something
 * other than its default: permuted and flipped qform, oblique sform, units,
 * intent, calibration, slice timing, aux_file, two extensions, scaling. */
static nifti_image *make_image(const spec *s)
{
  nifti_image *nim = nifti_make_new_nim(s->dims, s->datatype, 1);
  if (!nim)
    return NULL;
  fill(nim);
  /* x = -2.5 k + 90, y = 1.5 i - 110, z = 2 j - 70: permuted, qfac = -1 */
  nifti_dmat44 q = {{{0, 0, -2.5, 90}, {1.5, 0, 0, -110}, {0, 2, 0, -70}, {0, 0, 0, 1}}};
  nifti_dmat44_to_quatern(q, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x,
                          &nim->qoffset_y, &nim->qoffset_z, &nim->dx, &nim->dy, &nim->dz,
                          &nim->qfac);
  nim->qto_xyz =
      nifti_quatern_to_dmat44(nim->quatern_b, nim->quatern_c, nim->quatern_d, nim->qoffset_x,
                              nim->qoffset_y, nim->qoffset_z, nim->dx, nim->dy, nim->dz, nim->qfac);
  nim->pixdim[1] = nim->dx;
  nim->pixdim[2] = nim->dy;
  nim->pixdim[3] = nim->dz;
  nim->dt = nim->pixdim[4] = 2.0;
  double c = cos(0.17), sn = sin(0.17);
  nifti_dmat44 sf = {{{1.5 * c, -2 * sn, 0, -80.25},
                      {1.5 * sn, 2 * c, 0.1, -100.5},
                      {0, 0, -2.5, 60.125},
                      {0, 0, 0, 1}}};
  nim->sto_xyz = sf;
  nim->qform_code = s->qform_code;
  nim->sform_code = s->sform_code;
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->time_units = NIFTI_UNITS_SEC;
  nim->intent_code = NIFTI_INTENT_ESTIMATE;
  nim->intent_p1 = 1.25;
  nim->intent_p2 = 2.5;
  nim->intent_p3 = -3;
  strcpy(nim->intent_name, "test-intent");
  nim->cal_min = 1;
  nim->cal_max = 99;
  nim->toffset = 0.75;
  nim->slice_code = NIFTI_SLICE_SEQ_INC;
  nim->slice_start = 0;
  nim->slice_end = nim->nz - 1;
  nim->slice_duration = 0.05;
  nim->freq_dim = 1;
  nim->phase_dim = 2;
  nim->slice_dim = 3;
  strcpy(nim->aux_file, "aux.txt");
  strcpy(nim->descrip, "original scan");
  if (s->scaled) {
    nim->scl_slope = 0.5;
    nim->scl_inter = -10;
  }
  if (s->extensions) {
    const char *json = "{\"PatientName\":\"removed\",\"Note\":\"kept\"}";
    nifti_add_extension(nim, json, (int)strlen(json), NIFTI_ECODE_COMMENT);
    nifti_add_extension(nim, "AFNI-ish payload", 16, NIFTI_ECODE_AFNI);
  }
  return nim;
}

/* NIfTI-2 single file by hand: header from nifti_clib, then extender,
 * extensions, padding and voxels. */
static int write_nifti2(nifti_image *nim, const char *path, int gz)
{
  int64_t offset = (int64_t)sizeof(nifti_2_header) + 4;
  for (int i = 0; i < nim->num_ext; i++)
    offset += nim->ext_list[i].esize;
  offset = (offset + 15) / 16 * 16;
  nim->nifti_type = NIFTI_FTYPE_NIFTI2_1;
  nim->iname_offset = offset;
  nifti_2_header h;
  if (nifti_convert_nim2n2hdr(nim, &h))
    return -1;
  /* nifti_clib leaves the last 4 bytes of the signature zero */
  if (short_magic == 0)
    memcpy(h.magic, NIFTI2_MAGIC, 8);
  znzFile fp = znzopen(path, "wb", gz);
  if (znz_isnull(fp))
    return -1;
  char ext[4] = {nim->num_ext > 0, 0, 0, 0};
  char zeros[16] = {0};
  int64_t pos = (int64_t)sizeof h + 4;
  int ok = znzwrite(&h, 1, sizeof h, fp) == sizeof h && znzwrite(ext, 1, 4, fp) == 4;
  for (int i = 0; ok && i < nim->num_ext; i++) {
    nifti1_extension *x = &nim->ext_list[i];
    ok = znzwrite(&x->esize, 4, 1, fp) == 1 && znzwrite(&x->ecode, 4, 1, fp) == 1 &&
         znzwrite(x->edata, 1, (size_t)x->esize - 8, fp) == (size_t)x->esize - 8;
    pos += x->esize;
  }
  size_t bytes = (size_t)(nim->nvox * nim->nbyper);
  ok = ok &&
       (pos == offset || znzwrite(zeros, 1, (size_t)(offset - pos), fp) == (size_t)(offset - pos));
  ok = ok && znzwrite(nim->data, 1, bytes, fp) == bytes;
  return znzclose(fp) == 0 && ok ? 0 : -1;
}

static int write_image(nifti_image *nim, const char *path, int version)
{
  int gz = strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".gz") == 0;
  if (version == 2)
    return write_nifti2(nim, path, gz);
  if (nifti_set_filenames(nim, path, 0, 1))
    return -1;
  nifti_image_write(nim);
  return 0;
}

/* Makes an input file; returns 0 on success. */
static int make_file(const spec *s, const char *path)
{
  nifti_image *nim = make_image(s);
  int rc = nim ? write_image(nim, path, s->version) : -1;
  nifti_image_free(nim);
  return rc;
}

static size_t count_temp_files(void)
{
  size_t n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return (size_t)-1;
  for (struct dirent *e; (e = readdir(d));)
    if (strstr(e->d_name, ".tmp"))
      n++;
  closedir(d);
  return n;
}

/* Copies a file's bytes, gzip-compressing them when gz is set. */
static int copy_file(const char *src, const char *dst, int gz)
{
  FILE *f = fopen(src, "rb");
  if (!f)
    return -1;
  char buf[4096];
  znzFile out = znzopen(dst, "wb", gz);
  int ok = !znz_isnull(out);
  for (size_t n; ok && (n = fread(buf, 1, sizeof buf, f)) > 0;)
    ok = znzwrite(buf, 1, n, out) == n;
  fclose(f);
  if (!znz_isnull(out) && znzclose(out) != 0)
    ok = 0;
  return ok ? 0 : -1;
}

static void check_refusal(deface_status st, const char *err, const char *path)
{
  CHECK(st == DEFACE_E_INPUT);
  CHECK(err[0] != '\0');
  CHECK(strchr(err, '\n') == NULL);
  CHECK(strstr(err, path) != NULL);
}

/* The same file header, apart from what may differ: descrip and vox_offset. */
static int same_raw_header(const char *a, const char *b)
{
  int va = 0, vb = 0;
  void *ha = nifti_read_header(a, &va, 0);
  void *hb = nifti_read_header(b, &vb, 0);
  int same = ha && hb && va == vb;
  if (same && va == 1) {
    nifti_1_header *x = ha, *y = hb;
    memset(x->descrip, 0, 80);
    memset(y->descrip, 0, 80);
    x->vox_offset = y->vox_offset = 0;
    same = memcmp(x, y, sizeof *x) == 0;
  } else if (same) {
    nifti_2_header *x = ha, *y = hb;
    memset(x->descrip, 0, 80);
    memset(y->descrip, 0, 80);
    x->vox_offset = y->vox_offset = 0;
    same = memcmp(x, y, sizeof *x) == 0;
  }
  free(ha);
  free(hb);
  return same;
}

static void check_same_header(const nifti_image *a, const nifti_image *b)
{
  CHECK(a->nifti_type == b->nifti_type);
  CHECK(a->ndim == b->ndim);
  CHECK(memcmp(a->dim, b->dim, sizeof a->dim) == 0);
  CHECK(a->datatype == b->datatype && a->nbyper == b->nbyper && a->nvox == b->nvox);
  CHECK(memcmp(a->pixdim, b->pixdim, sizeof a->pixdim) == 0);
  CHECK(a->scl_slope == b->scl_slope && a->scl_inter == b->scl_inter);
  CHECK(a->qform_code == b->qform_code && a->sform_code == b->sform_code);
  CHECK(memcmp(&a->qto_xyz, &b->qto_xyz, sizeof a->qto_xyz) == 0);
  CHECK(memcmp(&a->sto_xyz, &b->sto_xyz, sizeof a->sto_xyz) == 0);
  CHECK(a->quatern_b == b->quatern_b && a->quatern_c == b->quatern_c &&
        a->quatern_d == b->quatern_d && a->qfac == b->qfac);
  CHECK(a->qoffset_x == b->qoffset_x && a->qoffset_y == b->qoffset_y &&
        a->qoffset_z == b->qoffset_z);
  CHECK(a->xyz_units == b->xyz_units && a->time_units == b->time_units);
  CHECK(a->intent_code == b->intent_code && a->intent_p1 == b->intent_p1 &&
        a->intent_p2 == b->intent_p2 && a->intent_p3 == b->intent_p3);
  CHECK(strcmp(a->intent_name, b->intent_name) == 0);
  CHECK(a->cal_min == b->cal_min && a->cal_max == b->cal_max && a->toffset == b->toffset);
  CHECK(a->slice_code == b->slice_code && a->slice_start == b->slice_start &&
        a->slice_end == b->slice_end && a->slice_duration == b->slice_duration);
  CHECK(a->freq_dim == b->freq_dim && a->phase_dim == b->phase_dim && a->slice_dim == b->slice_dim);
  CHECK(strcmp(a->aux_file, b->aux_file) == 0);
  CHECK(a->num_ext == b->num_ext);
  for (int i = 0; i < a->num_ext && i < b->num_ext; i++) {
    CHECK(a->ext_list[i].ecode == b->ext_list[i].ecode);
    CHECK(a->ext_list[i].esize == b->ext_list[i].esize);
    CHECK(memcmp(a->ext_list[i].edata, b->ext_list[i].edata, (size_t)a->ext_list[i].esize - 8) ==
          0);
  }
}

/* Label of the input's grid: header geometry as the input, label fields. */
static void check_label(const char *path, const nifti_image *in, const deface_volume *label)
{
  nifti_image *l = nifti_image_read(path, 1);
  CHECK(l != NULL);
  if (!l)
    return;
  CHECK(l->nifti_type == in->nifti_type);
  CHECK(l->ndim == 3 && l->nx == in->nx && l->ny == in->ny && l->nz == in->nz && l->nt == 1);
  CHECK(l->datatype == DT_UINT8);
  CHECK(l->scl_slope == 1 && l->scl_inter == 0);
  CHECK(l->intent_code == NIFTI_INTENT_LABEL);
  CHECK(l->cal_min == 0 && l->cal_max == 3);
  CHECK(l->num_ext == 0);
  CHECK(strcmp(l->descrip, "deface label: 0 keep 1 face 2 eyes 3 ears") == 0);
  CHECK(l->qform_code == in->qform_code && l->sform_code == in->sform_code);
  CHECK(memcmp(&l->qto_xyz, &in->qto_xyz, sizeof l->qto_xyz) == 0);
  CHECK(memcmp(&l->sto_xyz, &in->sto_xyz, sizeof l->sto_xyz) == 0);
  CHECK(l->xyz_units == in->xyz_units);
  CHECK(memcmp(l->data, deface_volume_data_const(label), deface_volume_bytes(label)) == 0);
  nifti_image_free(l);
}

/* Read -> change one voxel -> write -> read back with nifti_clib. */
static void round_trip(const spec *s, int gz, int index)
{
  char name[160], in_path[256], out_path[256], label_path[256], err[DEFACE_ERRLEN] = "";
  snprintf(name, sizeof name, "v%d %s %dD %s", s->version, nifti_datatype_string(s->datatype),
           (int)s->dims[0], gz ? "nii.gz" : "nii");
  check_context = name;
  const char *ext = gz ? ".nii.gz" : ".nii";
  char base[64];
  snprintf(base, sizeof base, "in%d%s", index, ext);
  path_of(in_path, sizeof in_path, base);
  snprintf(base, sizeof base, "out%d%s", index, ext);
  path_of(out_path, sizeof out_path, base);
  snprintf(base, sizeof base, "label%d%s", index, ext);
  path_of(label_path, sizeof label_path, base);

  CHECK(make_file(s, in_path) == 0);
  deface_volume *v = NULL, *label = NULL;
  deface_nifti *h = NULL;
  nifti_image *a = NULL, *b = NULL;
  deface_status st = deface_nifti_read(in_path, &v, &h, err);
  CHECK(st == DEFACE_OK);
  if (st != DEFACE_OK) {
    fprintf(stderr, "  %s\n", err);
    goto done;
  }
  a = nifti_image_read(in_path, 1);
  CHECK(a != NULL);
  if (!a)
    goto done;
  size_t dims[4];
  deface_volume_dims(v, dims);
  CHECK(dims[0] == 7 && dims[1] == 6 && dims[2] == 5 && dims[3] == (s->dims[0] == 4 ? 3u : 1u));
  CHECK(deface_datatype_size(deface_volume_datatype(v)) == (size_t)a->nbyper);
  CHECK(deface_volume_bytes(v) == (size_t)(a->nvox * a->nbyper));
  CHECK(memcmp(deface_volume_data_const(v), a->data, deface_volume_bytes(v)) == 0);
  double slope, inter, m[4][4];
  deface_volume_scaling(v, &slope, &inter);
  CHECK(slope == 0.5 && inter == -10);
  deface_volume_matrix(v, m);
  CHECK(memcmp(m, a->sto_xyz.m, sizeof m) == 0);
  CHECK(strcmp(deface_nifti_geometry_source(h), "sform") == 0);
  CHECK(deface_nifti_warned_pixdim(h) == 0);
  CHECK(deface_nifti_version(h) == s->version);

  /* What defacing does: the output must carry the volume's voxels. */
  memset(deface_volume_data(v), 0, (size_t)a->nbyper * 3);
  memset(a->data, 0, (size_t)a->nbyper * 3);
  st = deface_nifti_write(out_path, v, h, "defaced by deface test", err);
  CHECK(st == DEFACE_OK);
  if (st != DEFACE_OK) {
    fprintf(stderr, "  %s\n", err);
    goto done;
  }
  b = nifti_image_read(out_path, 1);
  CHECK(b != NULL);
  if (!b)
    goto done;
  check_same_header(a, b);
  CHECK(memcmp(a->data, b->data, (size_t)(a->nvox * a->nbyper)) == 0);
  CHECK(strstr(b->descrip, "defaced") != NULL);
  CHECK(same_raw_header(in_path, out_path));

  size_t ldims[4] = {dims[0], dims[1], dims[2], 1};
  CHECK(deface_volume_new(ldims, DEFACE_UINT8, m, &label, err) == DEFACE_OK);
  if (label) {
    uint8_t *l = deface_volume_data(label);
    for (size_t i = 0; i < deface_volume_bytes(label); i++)
      l[i] = (uint8_t)(i % 4);
    CHECK(deface_nifti_write_label(label_path, label, h, err) == DEFACE_OK);
    check_label(label_path, a, label);
  }
done:
  nifti_image_free(a);
  nifti_image_free(b);
  deface_volume_free(v);
  deface_volume_free(label);
  deface_nifti_free(h);
  check_context = "";
}

static void test_round_trips(void)
{
  int index = 0;
  for (int version = 1; version <= 2; version++)
    for (int t = 0; t < 8; t++)
      for (int nd = 3; nd <= 4; nd++)
        for (int gz = 0; gz <= 1; gz++) {
          spec s = {version, {nd, 7, 6, 5, nd == 4 ? 3 : 1, 1, 1, 1}, all_types[t], 1, 2, 1, 1};
          round_trip(&s, gz, index++);
        }
}

static void test_matrix_choice(void)
{
  struct {
    int qcode, scode;
    const char *source;
  } cases[3] = {{1, 2, "sform"}, {1, 0, "qform"}, {0, 0, "pixdim"}};
  for (int c = 0; c < 3; c++) {
    char path[256], err[DEFACE_ERRLEN] = "";
    check_context = cases[c].source;
    path_of(path, sizeof path, c == 0 ? "m0.nii" : c == 1 ? "m1.nii" : "m2.nii.gz");
    spec s = {1, {3, 7, 6, 5, 1, 1, 1, 1}, DT_INT16, cases[c].qcode, cases[c].scode, 0, 0};
    nifti_image *nim = make_image(&s);
    if (c == 2) { /* pixdim alone: 2 x 3 x 4 mm */
      nim->dx = nim->pixdim[1] = 2;
      nim->dy = nim->pixdim[2] = 3;
      nim->dz = nim->pixdim[3] = 4;
    }
    CHECK(write_image(nim, path, 1) == 0);
    nifti_image_free(nim);
    nifti_image *a = nifti_image_read(path, 0);
    deface_volume *v = NULL;
    deface_nifti *h = NULL;
    CHECK(deface_nifti_read(path, &v, &h, err) == DEFACE_OK);
    if (v && a) {
      double m[4][4];
      deface_volume_matrix(v, m);
      double pix[4][4] = {{2, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 4, 0}, {0, 0, 0, 1}};
      const void *want = c == 0   ? (const void *)a->sto_xyz.m
                         : c == 1 ? (const void *)a->qto_xyz.m
                                  : (const void *)pix;
      CHECK(memcmp(m, want, sizeof m) == 0);
      CHECK(strcmp(deface_nifti_geometry_source(h), cases[c].source) == 0);
      CHECK(deface_nifti_warned_pixdim(h) == (c == 2));
      double slope, inter;
      deface_volume_scaling(v, &slope, &inter);
      CHECK(slope == 1 && inter == 0); /* scl_slope 0 in the file */
      /* Outputs keep whichever geometry the input had. */
      char out[256];
      path_of(out, sizeof out, c == 0 ? "m0_out.nii" : c == 1 ? "m1_out.nii" : "m2_out.nii.gz");
      CHECK(deface_nifti_write(out, v, h, "defaced", err) == DEFACE_OK);
      CHECK(same_raw_header(path, out));
    }
    nifti_image_free(a);
    deface_volume_free(v);
    deface_nifti_free(h);
  }
  check_context = "";
}

/* Writes a small valid NIfTI-1 (or -2) file to patch. */
static void make_small(const char *path, int version, int datatype)
{
  spec s = {version, {3, 10, 10, 10, 1, 1, 1, 1}, datatype, 1, 1, 0, 0};
  CHECK(make_file(&s, path) == 0);
}

static void patch(const char *path, long offset, const void *bytes, size_t n)
{
  FILE *f = fopen(path, "r+b");
  CHECK(f != NULL);
  if (!f)
    return;
  CHECK(fseek(f, offset, SEEK_SET) == 0);
  CHECK(fwrite(bytes, 1, n, f) == n);
  CHECK(fclose(f) == 0);
}

/* Reading must fail with DEFACE_E_INPUT and a message naming the file and,
 * when `reason` is given, containing it. */
static void expect_refused(const char *path, const char *what, const char *reason)
{
  char err[DEFACE_ERRLEN] = "";
  deface_volume *v = (deface_volume *)&err; /* must be reset to NULL */
  deface_nifti *h = (deface_nifti *)&err;
  check_context = what;
  deface_status st = deface_nifti_read(path, &v, &h, err);
  if (getenv("SHOW"))
    printf("%-24s %s\n", what, err);
  check_refusal(st, err, path);
  if (reason)
    CHECK(strstr(err, reason) != NULL);
  CHECK(v == NULL && h == NULL);
  if (st == DEFACE_OK) {
    deface_volume_free(v);
    deface_nifti_free(h);
  }
  check_context = "";
}

static void cut_file(const char *path, long keep)
{
  CHECK(truncate(path, keep) == 0);
}

static long file_size(const char *path)
{
  struct stat sb;
  return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_refusals(void)
{
  char p[256];
  int16_t d16;
  int64_t d64;

  path_of(p, sizeof p, "trunc.nii");
  make_small(p, 1, DT_INT16);
  cut_file(p, file_size(p) - 100);
  expect_refused(p, "truncated .nii", "truncated");

  /* Data that compresses poorly, so that half the stream is half the data. */
  path_of(p, sizeof p, "trunc.nii.gz");
  {
    spec s = {1, {3, 40, 40, 40, 1, 1, 1, 1}, DT_FLOAT32, 1, 1, 0, 0};
    nifti_image *nim = make_image(&s);
    for (int64_t i = 0; i < nim->nvox; i++)
      ((float *)nim->data)[i] = (float)sin((double)i * 12.9898) * 43758.5453f;
    CHECK(write_image(nim, p, 1) == 0);
    nifti_image_free(nim);
  }
  char p2[256];
  path_of(p2, sizeof p2, "crc.nii.gz");
  CHECK(copy_file(p, p2, 0) == 0);
  char p3[256];
  path_of(p3, sizeof p3, "flip.nii.gz");
  CHECK(copy_file(p, p3, 0) == 0);
  unsigned char flip = 0x5a; /* damage inside the compressed voxels */
  patch(p3, file_size(p3) * 3 / 4, &flip, 1);
  expect_refused(p3, "gzip data damaged", "gzip");
  cut_file(p, file_size(p) / 2);
  expect_refused(p, "truncated .nii.gz", "gzip");
  cut_file(p2, file_size(p2) - 4); /* voxels complete, gzip trailer cut */
  expect_refused(p2, "gzip trailer cut", "unexpected end of file");

  path_of(p, sizeof p, "negdim.nii");
  make_small(p, 1, DT_INT16);
  d16 = -5;
  patch(p, offsetof(nifti_1_header, dim) + 2, &d16, 2);
  expect_refused(p, "dim[1] = -5", "dim[1] = -5");

  path_of(p, sizeof p, "zerodim.nii");
  make_small(p, 1, DT_INT16);
  d16 = 0;
  patch(p, offsetof(nifti_1_header, dim) + 6, &d16, 2);
  expect_refused(p, "dim[3] = 0", "dim[3] = 0");

  path_of(p, sizeof p, "huge1.nii");
  make_small(p, 1, DT_INT16);
  d16 = 30000;
  for (int a = 1; a <= 3; a++)
    patch(p, offsetof(nifti_1_header, dim) + 2 * a, &d16, 2);
  expect_refused(p, "NIfTI-1 30000^3", "16 GiB");

  path_of(p, sizeof p, "huge2.nii");
  make_small(p, 2, DT_INT16);
  d64 = 60000;
  for (int a = 1; a <= 3; a++)
    patch(p, (long)offsetof(nifti_2_header, dim) + 8 * a, &d64, 8);
  expect_refused(p, "NIfTI-2 60000^3", "16 GiB");
  path_of(p2, sizeof p2, "huge2.nii.gz");
  CHECK(copy_file(p, p2, 1) == 0);
  expect_refused(p2, "NIfTI-2 60000^3 gz", "16 GiB");

  /* A small .nii.gz whose header claims 1024^3 int16 voxels (2 GiB): more
   * than its compressed bytes can hold, refused before anything so large is
   * allocated (libFuzzer's malloc limit found the allocation). */
  path_of(p, sizeof p, "claims.nii");
  make_small(p, 1, DT_INT16);
  d16 = 1024;
  for (int a = 1; a <= 3; a++)
    patch(p, offsetof(nifti_1_header, dim) + 2 * a, &d16, 2);
  path_of(p2, sizeof p2, "claims.nii.gz");
  CHECK(copy_file(p, p2, 1) == 0);
  expect_refused(p2, "small .nii.gz claiming 2 GiB", "compressed bytes can hold");

  path_of(p, sizeof p, "wide.nii");
  make_small(p, 2, DT_UINT8);
  d64 = 70000;
  patch(p, (long)offsetof(nifti_2_header, dim) + 8, &d64, 8);
  expect_refused(p, "70000 voxels along x", "65535");

  path_of(p, sizeof p, "long.nii");
  make_small(p, 2, DT_UINT8);
  d64 = 4;
  patch(p, (long)offsetof(nifti_2_header, dim), &d64, 8);
  d64 = 200000;
  patch(p, (long)offsetof(nifti_2_header, dim) + 32, &d64, 8);
  expect_refused(p, "200000 time points", "100000");

  path_of(p, sizeof p, "five.nii");
  make_small(p, 1, DT_UINT8);
  d16 = 5;
  patch(p, offsetof(nifti_1_header, dim), &d16, 2);
  d16 = 1;
  patch(p, offsetof(nifti_1_header, dim) + 8, &d16, 2);
  d16 = 2;
  patch(p, offsetof(nifti_1_header, dim) + 10, &d16, 2);
  expect_refused(p, "5D with dim[5] = 2", "dim[5] = 2");

  int bad_types[4] = {DT_COMPLEX128, DT_RGB24, DT_INT64, 999};
  for (int i = 0; i < 4; i++) {
    char name[64], err[DEFACE_ERRLEN] = "";
    snprintf(name, sizeof name, "type%d.nii", bad_types[i]);
    path_of(p, sizeof p, name);
    make_small(p, 1, DT_UINT8);
    d16 = (int16_t)bad_types[i];
    patch(p, offsetof(nifti_1_header, datatype), &d16, 2);
    expect_refused(p, "unsupported datatype", "unsupported datatype");
    deface_volume *v = NULL;
    deface_nifti *h = NULL;
    deface_nifti_read(p, &v, &h, err);
    char code[16];
    snprintf(code, sizeof code, "%d", bad_types[i]);
    CHECK(strstr(err, code) != NULL);
  }

  path_of(p, sizeof p, "pair.nii");
  make_small(p, 1, DT_UINT8);
  patch(p, offsetof(nifti_1_header, magic), "ni1", 4);
  expect_refused(p, "two-file magic", "two-file");

  path_of(p, sizeof p, "missing.nii");
  expect_refused(p, "missing file", "No such file");

  path_of(p, sizeof p, "text.nii");
  FILE *f = fopen(p, "w");
  fputs("this is not an image\n", f);
  fclose(f);
  expect_refused(p, "short text file", "not a NIfTI file");

  path_of(p, sizeof p, "longtext.nii");
  f = fopen(p, "w");
  for (int i = 0; i < 100; i++)
    fputs("this is not an image either\n", f);
  fclose(f);
  expect_refused(p, "long text file", "not a NIfTI file");

  path_of(p, sizeof p, "folder.nii");
  CHECK(mkdir(p, 0755) == 0);
  expect_refused(p, "directory", "not a regular file");

  path_of(p, sizeof p, "image.img");
  make_small(p, 1, DT_UINT8);
  expect_refused(p, "wrong extension", NULL);
}

/* Values that nifti_clib's own loader would change, and files it reads. */
static void test_reading_details(void)
{
  char p[256], err[DEFACE_ERRLEN] = "";
  deface_volume *v = NULL;
  deface_nifti *h = NULL;

  check_context = "NaN and Inf kept";
  path_of(p, sizeof p, "nan.nii");
  {
    spec s = {1, {3, 4, 4, 4, 1, 1, 1, 1}, DT_FLOAT32, 1, 1, 0, 0};
    nifti_image *nim = make_image(&s);
    ((float *)nim->data)[5] = NAN;
    ((float *)nim->data)[6] = INFINITY;
    CHECK(write_image(nim, p, 1) == 0);
    nifti_image_free(nim);
  }
  CHECK(deface_nifti_read(p, &v, &h, err) == DEFACE_OK);
  if (v) {
    const float *d = deface_volume_data_const(v);
    CHECK(isnan(d[5]) && isinf(d[6]));
    char out[256];
    path_of(out, sizeof out, "nan_out.nii");
    CHECK(deface_nifti_write(out, v, h, NULL, err) == DEFACE_OK);
    deface_volume *w = NULL;
    deface_nifti *g = NULL;
    CHECK(deface_nifti_read(out, &w, &g, err) == DEFACE_OK);
    if (w) {
      const float *e = deface_volume_data_const(w);
      CHECK(isnan(e[5]) && isinf(e[6]));
    }
    nifti_image *n = nifti_image_read(out, 0);
    CHECK(n && strcmp(n->descrip, "defaced by deface " DEFACE_VERSION) == 0);
    nifti_image_free(n);
    deface_volume_free(w);
    deface_nifti_free(g);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  v = NULL;
  h = NULL;

  check_context = "non-finite scl_slope";
  path_of(p, sizeof p, "nanslope.nii");
  make_small(p, 1, DT_INT16);
  float fnan = NAN;
  patch(p, offsetof(nifti_1_header, scl_slope), &fnan, 4);
  CHECK(deface_nifti_read(p, &v, &h, err) == DEFACE_OK);
  if (v) {
    double slope, inter;
    deface_volume_scaling(v, &slope, &inter);
    CHECK(slope == 1 && inter == 0);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  v = NULL;
  h = NULL;

  /* Big-endian files: header and voxels swapped to the host's order. */
  int swap_types[2] = {DT_INT16, DT_FLOAT64};
  for (int t = 0; t < 2; t++) {
    check_context = "byte-swapped file";
    path_of(p, sizeof p, t ? "swapped64.nii" : "swapped16.nii");
    spec s = {1, {3, 5, 4, 3, 1, 1, 1, 1}, swap_types[t], 1, 2, 0, 1};
    nifti_image *nim = make_image(&s);
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    nim->iname_offset = 352;
    nifti_1_header h1;
    CHECK(nifti_convert_nim2n1hdr(nim, &h1) == 0);
    swap_nifti_header(&h1, 1);
    size_t bytes = (size_t)(nim->nvox * nim->nbyper);
    void *sw = malloc(bytes);
    memcpy(sw, nim->data, bytes);
    nifti_swap_Nbytes(nim->nvox, nim->nbyper, sw);
    FILE *f = fopen(p, "wb");
    char ext[4] = {0};
    CHECK(f && fwrite(&h1, sizeof h1, 1, f) == 1 && fwrite(ext, 4, 1, f) == 1 &&
          fwrite(sw, 1, bytes, f) == bytes);
    if (f)
      fclose(f);
    free(sw);
    CHECK(deface_nifti_read(p, &v, &h, err) == DEFACE_OK);
    if (v) {
      CHECK(memcmp(deface_volume_data_const(v), nim->data, bytes) == 0);
      double slope, inter;
      deface_volume_scaling(v, &slope, &inter);
      CHECK(slope == 0.5 && inter == -10);
    }
    nifti_image_free(nim);
    deface_volume_free(v);
    deface_nifti_free(h);
    v = NULL;
    h = NULL;
  }

  check_context = "NIfTI-2 signature";
  path_of(p, sizeof p, "magic2.nii");
  {
    spec s = {2, {3, 4, 4, 4, 1, 1, 1, 1}, DT_INT16, 1, 1, 0, 0};
    short_magic = 1;
    CHECK(make_file(&s, p) == 0);
    short_magic = 0;
  }
  CHECK(deface_nifti_read(p, &v, &h, err) == DEFACE_OK);
  if (v) {
    char out[256];
    path_of(out, sizeof out, "magic2_out.nii");
    CHECK(deface_nifti_write(out, v, h, NULL, err) == DEFACE_OK);
    nifti_2_header h2;
    FILE *f = fopen(out, "rb");
    CHECK(f && fread(&h2, sizeof h2, 1, f) == 1);
    if (f)
      fclose(f);
    CHECK(memcmp(h2.magic, NIFTI2_MAGIC, 8) == 0);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  v = NULL;
  h = NULL;

  check_context = "2D image is read";
  path_of(p, sizeof p, "flat.nii");
  {
    spec s = {1, {2, 8, 9, 1, 1, 1, 1, 1}, DT_UINT16, 0, 2, 0, 0};
    CHECK(make_file(&s, p) == 0);
  }
  CHECK(deface_nifti_read(p, &v, &h, err) == DEFACE_OK);
  if (v) {
    size_t dims[4];
    deface_volume_dims(v, dims);
    CHECK(dims[0] == 8 && dims[1] == 9 && dims[2] == 1 && dims[3] == 1);
  }
  deface_volume_free(v);
  deface_nifti_free(h);
  check_context = "";
}

static void test_write_failures(void)
{
  char in[256], out[256], err[DEFACE_ERRLEN] = "";
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  path_of(in, sizeof in, "w_in.nii.gz");
  {
    /* Poorly compressible, so that even the gzip output is large. */
    spec s = {1, {3, 40, 40, 20, 1, 1, 1, 1}, DT_FLOAT32, 1, 2, 1, 0};
    nifti_image *nim = make_image(&s);
    for (int64_t i = 0; i < nim->nvox; i++)
      ((float *)nim->data)[i] = (float)sin((double)i * 12.9898) * 43758.5453f;
    CHECK(write_image(nim, in, 1) == 0);
    nifti_image_free(nim);
  }
  CHECK(deface_nifti_read(in, &v, &h, err) == DEFACE_OK);
  if (!v)
    return;
  size_t before = count_temp_files();

  check_context = "missing directory";
  path_of(out, sizeof out, "no/such/dir/out.nii.gz");
  deface_status st = deface_nifti_write(out, v, h, "defaced", err);
  if (getenv("SHOW"))
    printf("%-24s %s\n", check_context, err);
  CHECK(st == DEFACE_E_OUTPUT);
  CHECK(strstr(err, out) != NULL && strchr(err, '\n') == NULL);
  CHECK(count_temp_files() == before);

  const char *names[2] = {"replace.nii", "replace.nii.gz"};
  for (int gz = 0; gz <= 1; gz++) {
    check_context = names[gz];
    path_of(out, sizeof out, names[gz]);
    FILE *f = fopen(out, "w");
    fputs("old contents", f);
    fclose(f);

    /* A write that fails half way (file size limit, as a full disk) leaves
     * the old file and no temporary file. */
    struct rlimit old, small;
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    small = old;
    small.rlim_cur = 20000;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    st = deface_nifti_write(out, v, h, "defaced", err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    if (getenv("SHOW"))
      printf("%-24s %s\n", check_context, err);
    CHECK(st == DEFACE_E_OUTPUT);
    CHECK(strstr(err, out) != NULL);
    CHECK(file_size(out) == 12);
    CHECK(count_temp_files() == before);

    st = deface_nifti_write(out, v, h, "defaced", err);
    CHECK(st == DEFACE_OK);
    CHECK(count_temp_files() == before);
    nifti_image *n = nifti_image_read(out, 1);
    CHECK(n != NULL && n->nx == 40 && n->nz == 20 && n->datatype == DT_FLOAT32);
    if (n)
      CHECK(memcmp(n->data, deface_volume_data_const(v), deface_volume_bytes(v)) == 0);
    nifti_image_free(n);
  }

  check_context = "caller errors";
  path_of(out, sizeof out, "bad.img");
  CHECK(deface_nifti_write(out, v, h, "x", err) == DEFACE_E_USAGE);
  path_of(out, sizeof out, "bad.nii");
  double m[4][4];
  deface_volume_matrix(v, m);
  size_t dims[4] = {40, 40, 19, 1};
  deface_volume *w = NULL;
  CHECK(deface_volume_new(dims, DEFACE_FLOAT32, m, &w, err) == DEFACE_OK);
  CHECK(deface_nifti_write(out, w, h, "x", err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_write_label(out, w, h, err) == DEFACE_E_USAGE);
  deface_volume_free(w);
  w = NULL;
  dims[2] = 20;
  CHECK(deface_volume_new(dims, DEFACE_INT16, m, &w, err) == DEFACE_OK);
  CHECK(deface_nifti_write(out, w, h, "x", err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_write_label(out, w, h, err) == DEFACE_E_USAGE);
  deface_volume_free(w);
  w = NULL;
  m[0][3] += 5; /* same grid size, moved */
  CHECK(deface_volume_new(dims, DEFACE_UINT8, m, &w, err) == DEFACE_OK);
  CHECK(deface_nifti_write_label(out, w, h, err) == DEFACE_E_USAGE);
  deface_volume_free(w);
  CHECK(file_size(out) == -1);
  CHECK(count_temp_files() == before);

  deface_volume_free(v);
  deface_nifti_free(h);
  check_context = "";
}

static void test_null_arguments(void)
{
  char err[DEFACE_ERRLEN] = "";
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  check_context = "NULL arguments";
  CHECK(deface_nifti_read(NULL, &v, &h, err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_read("x.nii", NULL, &h, err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_write("x.nii", NULL, NULL, NULL, err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_write_label("x.nii", NULL, NULL, err) == DEFACE_E_USAGE);
  CHECK(deface_nifti_read(NULL, &v, &h, NULL) == DEFACE_E_USAGE); /* err may be NULL */
  deface_nifti_free(NULL);
  CHECK(strcmp(deface_nifti_geometry_source(NULL), "pixdim") == 0);
  check_context = "";
}

static void remove_dir(const char *path)
{
  DIR *d = opendir(path);
  if (!d)
    return;
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char p[512];
    snprintf(p, sizeof p, "%s/%s", path, e->d_name);
    if (unlink(p) != 0)
      remove_dir(p);
  }
  closedir(d);
  rmdir(path);
}

int main(void)
{
  strcpy(dir, "/tmp/deface_nifti_XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_round_trips();
  test_matrix_choice();
  test_refusals();
  test_reading_details();
  test_write_failures();
  test_null_arguments();
  if (!getenv("KEEP"))
    remove_dir(dir);
  else
    printf("kept %s\n", dir);
  return check_report();
}

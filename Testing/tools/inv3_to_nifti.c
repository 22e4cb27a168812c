/*
 * inv3_to_nifti - turn the CT inside InVesalius' Cranium.inv3 (Debian
 * invesalius-examples) into a NIfTI-1 file, so the tests can use a real CT
 * through the same reader as every other fixture.
 *
 *   inv3_to_nifti DIR OUT.nii.gz
 *
 * DIR is the extracted .inv3 (a gzipped tar): main.plist and matrix.dat,
 * either in DIR itself or in its one subfolder. Only what we need is read
 * from the plist, by plain text search: shape (z,y,x), spacing (x,y,z),
 * dtype int16, modality CT; anything else is refused. matrix.dat is raw int16
 * little-endian in C order (z,y,x), which is NIfTI order with nx=shape[2].
 *
 * Orientation (checked by eye on the converted file, see Testing/data/README.md):
 * +j runs toward the face (anterior) and +k toward the vertex (superior).
 * Left/right is not recorded in the .inv3, so +i is declared as +x (right),
 * which makes the matrix a proper rotation (RAS). If the original DICOM
 * columns ran to the patient's left, as they usually do, the head is stored
 * mirrored; the face is close to symmetric, so the fixture stays useful.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nifti2_io.h>

#define PROG "inv3_to_nifti"
#define DESCRIP "InVesalius Cranium.inv3 CT (invesalius-examples)"

/* Finds "<key>KEY</key>" and returns the text after it, or NULL. */
static const char *after_key(const char *text, const char *key)
{
  char pattern[64];
  snprintf(pattern, sizeof pattern, "<key>%s</key>", key);
  const char *p = strstr(text, pattern);
  return p ? p + strlen(pattern) : NULL;
}

/* Skips white space, then the literal TOKEN; returns the text after it or NULL. */
static const char *expect(const char *p, const char *token)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  size_t n = strlen(token);
  return strncmp(p, token, n) == 0 ? p + n : NULL;
}

/* Reads the <string> value of KEY into OUT; 0 or -1. */
static int plist_string(const char *text, const char *key, char *out, size_t size)
{
  const char *p = after_key(text, key);
  if (p)
    p = expect(p, "<string>");
  const char *end = p ? strstr(p, "</string>") : NULL;
  if (!end || (size_t)(end - p) >= size)
    return -1;
  memcpy(out, p, (size_t)(end - p));
  out[end - p] = '\0';
  return 0;
}

/* Reads KEY's <array> of exactly N elements of type TAG ("integer" or "real"). */
static int plist_numbers(const char *text, const char *key, const char *tag, double *out, int n)
{
  char open[16], close[16];
  snprintf(open, sizeof open, "<%s>", tag);
  snprintf(close, sizeof close, "</%s>", tag);
  const char *p = after_key(text, key);
  if (p)
    p = expect(p, "<array>");
  for (int i = 0; p && i < n; i++) {
    char *end;
    p = expect(p, open);
    if (!p)
      return -1;
    errno = 0;
    out[i] = strtod(p, &end);
    if (end == p || errno != 0 || !isfinite(out[i]))
      return -1;
    p = expect(end, close);
  }
  return p && expect(p, "</array>") ? 0 : -1;
}

/* Reads a whole small text file; caller frees. NULL on failure. */
static char *read_text(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *text = malloc(1 << 20);
  size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
  int too_big = !feof(f);
  fclose(f);
  if (!text || too_big) {
    free(text);
    return NULL;
  }
  text[n] = '\0';
  return text;
}

/* Sets DIR_OUT to DIR if it holds main.plist, else to its only subfolder that does. */
static int find_project(const char *dir, char *dir_out, size_t size)
{
  struct stat st;
  char path[4096];
  snprintf(path, sizeof path, "%s/main.plist", dir);
  if (stat(path, &st) == 0) {
    snprintf(dir_out, size, "%s", dir);
    return 0;
  }
  DIR *d = opendir(dir);
  if (!d)
    return -1;
  int found = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s/main.plist", dir, e->d_name);
    if (stat(path, &st) == 0 && found++ == 0)
      snprintf(dir_out, size, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  return found == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
  int rc = 1;
  char *plist = NULL;
  unsigned char *raw = NULL;
  FILE *f = NULL;
  nifti_image *nim = NULL, *back = NULL;
  char project[4096], path[4200], dtype[32], modality[32];
  double shape[3], spacing[3];

  if (argc != 3) {
    fprintf(stderr, "usage: %s EXTRACTED_INV3_DIR OUT.nii.gz\n", PROG);
    return 2;
  }
  if (find_project(argv[1], project, sizeof project) != 0) {
    fprintf(stderr, "%s: no single main.plist in %s or its subfolders\n", PROG, argv[1]);
    goto done;
  }
  snprintf(path, sizeof path, "%s/main.plist", project);
  if (!(plist = read_text(path))) {
    fprintf(stderr, "%s: cannot read %s\n", PROG, path);
    goto done;
  }
  if (plist_numbers(plist, "shape", "integer", shape, 3) != 0 ||
      plist_numbers(plist, "spacing", "real", spacing, 3) != 0 ||
      plist_string(plist, "dtype", dtype, sizeof dtype) != 0 ||
      plist_string(plist, "modality", modality, sizeof modality) != 0) {
    fprintf(stderr, "%s: %s lacks shape[3], spacing[3], dtype or modality\n", PROG, path);
    goto done;
  }
  if (strcmp(dtype, "int16") != 0 || strcmp(modality, "CT") != 0) {
    fprintf(stderr, "%s: want dtype int16 and modality CT, found %s and %s\n", PROG, dtype,
            modality);
    goto done;
  }
  /* NIfTI-1 stores each dimension in a signed short. */
  for (int a = 0; a < 3; a++) {
    if (shape[a] < 1 || shape[a] > 32767 || shape[a] != floor(shape[a]) || !(spacing[a] > 0)) {
      fprintf(stderr, "%s: bad shape %g or spacing %g on axis %d\n", PROG, shape[a], spacing[a], a);
      goto done;
    }
  }
  /* Each factor is below 2^15, so the product of three and its doubling fit in 64 bits. */
  const int64_t nx = (int64_t)shape[2], ny = (int64_t)shape[1], nz = (int64_t)shape[0];
  const uint64_t nvox = (uint64_t)nx * (uint64_t)ny * (uint64_t)nz, bytes = nvox * 2;
  if (bytes > SIZE_MAX) {
    fprintf(stderr, "%s: volume too large\n", PROG);
    goto done;
  }

  struct stat st;
  snprintf(path, sizeof path, "%s/matrix.dat", project);
  if (stat(path, &st) != 0 || (uint64_t)st.st_size != bytes) {
    fprintf(stderr, "%s: %s should hold %llu bytes (int16 %lld x %lld x %lld)\n", PROG, path,
            (unsigned long long)bytes, (long long)nx, (long long)ny, (long long)nz);
    goto done;
  }
  raw = malloc((size_t)bytes);
  if (!raw || !(f = fopen(path, "rb")) || fread(raw, 1, (size_t)bytes, f) != bytes) {
    fprintf(stderr, "%s: cannot read %s\n", PROG, path);
    goto done;
  }

  const int64_t dims[8] = {3, nx, ny, nz, 1, 1, 1, 1};
  if (!(nim = nifti_make_new_nim(dims, DT_INT16, 1))) {
    fprintf(stderr, "%s: cannot allocate the NIfTI image\n", PROG);
    goto done;
  }
  /* Assemble little-endian bytes explicitly so a big-endian host converts correctly too. */
  int16_t *vox = nim->data;
  for (uint64_t v = 0; v < nvox; v++)
    vox[v] = (int16_t)(uint16_t)(raw[2 * v] | (raw[2 * v + 1] << 8));

  nim->dx = nim->pixdim[1] = spacing[0];
  nim->dy = nim->pixdim[2] = spacing[1];
  nim->dz = nim->pixdim[3] = spacing[2];
  nim->scl_slope = 1.0;
  nim->scl_inter = 0.0;
  nim->xyz_units = NIFTI_UNITS_MM;
  nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
  snprintf(nim->descrip, sizeof nim->descrip, "%s", DESCRIP);

  /* i -> +x (R, assumed), j -> +y (A), k -> +z (S); centre of the grid at 0. */
  nifti_dmat44 m;
  memset(&m, 0, sizeof m);
  m.m[0][0] = spacing[0];
  m.m[1][1] = spacing[1];
  m.m[2][2] = spacing[2];
  m.m[0][3] = -spacing[0] * (double)(nx - 1) / 2.0;
  m.m[1][3] = -spacing[1] * (double)(ny - 1) / 2.0;
  m.m[2][3] = -spacing[2] * (double)(nz - 1) / 2.0;
  m.m[3][3] = 1.0;
  nim->qform_code = nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  nim->sto_xyz = nim->qto_xyz = m;
  nim->sto_ijk = nim->qto_ijk = nifti_dmat44_inverse(m);
  nifti_dmat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x,
                          &nim->qoffset_y, &nim->qoffset_z, NULL, NULL, NULL, &nim->qfac);

  if (nifti_set_filenames(nim, argv[2], 0, 1) != 0) {
    fprintf(stderr, "%s: bad output name %s\n", PROG, argv[2]);
    goto done;
  }
  /* nifti_image_write reports nothing, so read the file back to prove it was written. */
  nifti_image_write(nim);
  back = nifti_image_read(argv[2], 1);
  if (!back || back->datatype != DT_INT16 || back->nvox != (int64_t)nvox ||
      memcmp(back->data, nim->data, (size_t)bytes) != 0) {
    fprintf(stderr, "%s: writing %s failed\n", PROG, argv[2]);
    remove(argv[2]);
    goto done;
  }
  rc = 0;

done:
  if (f)
    fclose(f);
  nifti_image_free(back);
  nifti_image_free(nim);
  free(raw);
  free(plist);
  return rc;
}

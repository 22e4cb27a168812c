/*
 * gz_pair - writes one scan and its defaced result twice, through the
 * writer deface uses (libdeflate, gzip members) and through the zlib writer
 * it replaced (kept behind the private codec option for this test only), so
 * that gz_check.py can show both decompress to the same bytes and that zlib,
 * nibabel and ITK read the new files.
 *
 *   gz_pair INPUT OUTDIR NAME
 *
 * INPUT is a .nii/.nii.gz file or a DICOM series folder. Writes, in OUTDIR:
 * NAME_input.{deflate,zlib}.nii.gz and .nii (the input as read), and, when
 * deface_run defaces it, NAME_defaced.{deflate,zlib}.nii.gz and
 * NAME_label.{deflate,zlib}.nii.gz. Prints one line "pair DEFLATE ZLIB" per
 * pair written; exit 0, or 1 with the reason on stderr.
 *
 *   gz_pair --read FILE
 *
 * reads FILE with deface's reader and prints "voxels BYTES crc32 CRC" (the
 * voxels as stored), or exits 1 with the reader's one-line message on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include "deface.h"
#include "deface_nifti.h"
#include "deface_write.h"
#include "nifti_private.h"
#ifdef DEFACE_GZ_PAIR_DICOM
#include "deface_dicom.h"
#endif

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

typedef enum { IMAGE, LABEL } kind;

/* Writes one file through one codec in a transaction of its own. */
static deface_status write_one(const char *path, kind k, const deface_volume *v,
                               const deface_nifti *h, deface_gz_codec codec, char *err)
{
  /* What the deface command writes, so that its files can be compared. */
  const char *descrip = "defaced by deface " DEFACE_VERSION " (fill zero)";
  deface_txn *txn = NULL;
  size_t index = 0;
  deface_status st = deface_txn_new(NULL, &txn, err);
  if (st == DEFACE_OK)
    st = deface_txn_add(txn, path, &index, err);
  if (st == DEFACE_OK)
    st = k == IMAGE ? deface__nifti_write_entry_codec(txn, index, v, h, descrip, codec, err)
                    : deface__nifti_write_label_entry_codec(txn, index, v, h, codec, err);
  if (st == DEFACE_OK)
    st = deface_txn_commit(txn, err);
  deface_txn_free(txn);
  return st;
}

static int write_pair(const char *dir, const char *name, const char *ext, kind k,
                      const deface_volume *v, const deface_nifti *h)
{
  char a[4096], b[4096], err[DEFACE_ERRLEN];
  snprintf(a, sizeof a, "%s/%s.deflate%s", dir, name, ext);
  snprintf(b, sizeof b, "%s/%s.zlib%s", dir, name, ext);
  if (write_one(a, k, v, h, DEFACE_GZ_LIBDEFLATE, err) != DEFACE_OK ||
      write_one(b, k, v, h, DEFACE_GZ_ZLIB, err) != DEFACE_OK) {
    fprintf(stderr, "gz_pair: %s\n", err);
    return 1;
  }
  printf("pair %s %s\n", a, b);
  return 0;
}

static deface_status load(const char *in, deface_volume **v, deface_nifti **h, char *err)
{
  struct stat sb;
  if (stat(in, &sb) == 0 && S_ISDIR(sb.st_mode)) {
#ifdef DEFACE_GZ_PAIR_DICOM
    deface_dicom_folder *scan = NULL;
    deface_status st = deface_dicom_scan(in, &scan, err);
    if (st == DEFACE_OK && deface_dicom_series_count(scan) != 1)
      st = DEFACE_E_INPUT, snprintf(err, DEFACE_ERRLEN, "%s: not one series", in);
    if (st == DEFACE_OK)
      st = deface_dicom_load(scan, 0, v, err);
    if (st == DEFACE_OK)
      st = deface_nifti_header_adopt(*v, h, err);
    deface_dicom_folder_free(scan);
    return st;
#else
    snprintf(err, DEFACE_ERRLEN, "%s: a folder, but built without DICOM", in);
    return DEFACE_E_USAGE;
#endif
  }
  return deface_nifti_read(in, v, h, err);
}

static int read_only(const char *path)
{
  char err[DEFACE_ERRLEN] = "";
  deface_volume *v = NULL;
  deface_nifti *h = NULL;
  if (deface_nifti_read(path, &v, &h, err) != DEFACE_OK) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  size_t n = deface_volume_bytes(v);
  const unsigned char *p = deface_volume_data_const(v);
  uLong crc = crc32(0, Z_NULL, 0);
  for (size_t at = 0; at < n; at += 1u << 30) /* crc32 counts in 32 bits */
    crc = crc32(crc, p + at, (uInt)(n - at < (1u << 30) ? n - at : 1u << 30));
  printf("voxels %zu crc32 %lu\n", n, (unsigned long)crc);
  deface_volume_free(v);
  deface_nifti_free(h);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc == 3 && !strcmp(argv[1], "--read"))
    return read_only(argv[2]);
  if (argc != 4) {
    fprintf(stderr, "usage: gz_pair INPUT OUTDIR NAME\n");
    return 2;
  }
  char err[DEFACE_ERRLEN] = "", name[512];
  deface_volume *v = NULL, *defaced = NULL, *label = NULL;
  deface_nifti *h = NULL;
  int rc = 1;
  if (load(argv[1], &v, &h, err) != DEFACE_OK) {
    fprintf(stderr, "gz_pair: %s\n", err);
    goto done;
  }
  snprintf(name, sizeof name, "%s_input", argv[3]);
  if (write_pair(argv[2], name, ".nii.gz", IMAGE, v, h) ||
      write_pair(argv[2], name, ".nii", IMAGE, v, h))
    goto done;
  deface_options o;
  deface_options_init(&o);
  deface_result r;
  deface_status st = deface_run(v, &o, &defaced, &label, &r, err);
  if (st == DEFACE_OK) {
    snprintf(name, sizeof name, "%s_defaced", argv[3]);
    if (write_pair(argv[2], name, ".nii.gz", IMAGE, defaced, h))
      goto done;
    snprintf(name, sizeof name, "%s_label", argv[3]);
    if (write_pair(argv[2], name, ".nii.gz", LABEL, label, h))
      goto done;
  } else {
    printf("not defaced: %s\n", err); /* e.g. the Kmeans T1: its face is cut off */
  }
  rc = 0;
done:
  deface_volume_free(v);
  deface_volume_free(defaced);
  deface_volume_free(label);
  deface_nifti_free(h);
  return rc;
}

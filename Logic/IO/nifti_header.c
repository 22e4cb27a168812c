/*
 * nifti_header.c - a fresh NIfTI-1 header for a volume that has no file of
 * its own yet (a DICOM series, a derived test case, a benchmark input), so
 * that it can be written with deface_nifti_write like any read volume;
 * deface_nifti_header_adopt() also gives the volume the header's geometry.
 */
#include "nifti_private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nifti_code(deface_datatype t, short *bitpix)
{
  static const struct {
    deface_datatype t;
    int code;
    short bits;
  } map[] = {{DEFACE_UINT8, DT_UINT8, 8},      {DEFACE_INT8, DT_INT8, 8},
             {DEFACE_INT16, DT_INT16, 16},     {DEFACE_UINT16, DT_UINT16, 16},
             {DEFACE_INT32, DT_INT32, 32},     {DEFACE_UINT32, DT_UINT32, 32},
             {DEFACE_FLOAT32, DT_FLOAT32, 32}, {DEFACE_FLOAT64, DT_FLOAT64, 64}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (map[i].t == t) {
      *bitpix = map[i].bits;
      return map[i].code;
    }
  return 0;
}

deface_status deface_nifti_header_new(const deface_volume *volume, deface_nifti **out, char *err)
{
  *out = NULL;
  size_t dims[4];
  double m[4][4], slope, inter;
  deface_volume_dims(volume, dims);
  deface_volume_matrix(volume, m);
  deface_volume_scaling(volume, &slope, &inter);
  for (int a = 0; a < 4; a++)
    if (dims[a] > 32767)
      return deface__io_fail(err, DEFACE_E_USAGE, "(new header)",
                             "dimension %zu does not fit NIfTI-1", dims[a]);
  short bitpix;
  int code = nifti_code(deface_volume_datatype(volume), &bitpix);
  if (!code)
    return deface__io_fail(err, DEFACE_E_USAGE, "(new header)", "unknown datatype");
  deface_nifti *h = calloc(1, sizeof *h);
  if (!h)
    return deface__io_fail(err, DEFACE_E_NOMEM, "(new header)", "out of memory");
  nifti_1_header *r = &h->raw.n1;
  r->sizeof_hdr = 348;
  memcpy(r->magic, "n+1", 4);
  r->dim[0] = dims[3] > 1 ? 4 : 3;
  for (int a = 0; a < 4; a++)
    r->dim[a + 1] = (short)dims[a];
  for (int a = 5; a < 8; a++)
    r->dim[a] = 1;
  r->datatype = (short)code;
  r->bitpix = bitpix;
  r->scl_slope = (float)(slope == 0 ? 1 : slope);
  r->scl_inter = (float)inter;
  r->vox_offset = 352;
  r->xyzt_units = NIFTI_UNITS_MM | NIFTI_UNITS_SEC;
  /* Both forms carry the geometry: sform exactly, qform as nearly as a
   * rotation with a handedness flag can (exact unless the matrix shears). */
  nifti_dmat44 d;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      d.m[i][j] = m[i][j];
  double qb, qc, qd, qx, qy, qz, dx, dy, dz, qfac;
  nifti_dmat44_to_quatern(d, &qb, &qc, &qd, &qx, &qy, &qz, &dx, &dy, &dz, &qfac);
  r->qform_code = r->sform_code = NIFTI_XFORM_SCANNER_ANAT;
  r->quatern_b = (float)qb;
  r->quatern_c = (float)qc;
  r->quatern_d = (float)qd;
  r->qoffset_x = (float)qx;
  r->qoffset_y = (float)qy;
  r->qoffset_z = (float)qz;
  r->pixdim[0] = (float)qfac;
  r->pixdim[1] = (float)dx;
  r->pixdim[2] = (float)dy;
  r->pixdim[3] = (float)dz;
  r->pixdim[4] = 1;
  for (int j = 0; j < 4; j++) {
    r->srow_x[j] = (float)m[0][j];
    r->srow_y[j] = (float)m[1][j];
    r->srow_z[j] = (float)m[2][j];
  }
  h->version = 1;
  h->nim = NULL;
  memcpy(h->dims, dims, sizeof dims);
  h->nifti_datatype = code;
  h->datatype = deface_volume_datatype(volume);
  /* What a reader will compute from the stored (float) fields: the volume is
   * to take these (deface_nifti_matrix, deface_nifti_scaling) before writing. */
  h->slope = r->scl_slope;
  h->inter = r->scl_inter;
  for (int j = 0; j < 4; j++) {
    h->matrix[0][j] = r->srow_x[j];
    h->matrix[1][j] = r->srow_y[j];
    h->matrix[2][j] = r->srow_z[j];
    h->matrix[3][j] = j == 3;
  }
  h->geometry = "sform";
  *out = h;
  return DEFACE_OK;
}

deface_status deface_nifti_header_adopt(deface_volume *volume, deface_nifti **out, char *err)
{
  deface_status st = deface_nifti_header_new(volume, out, err);
  if (st != DEFACE_OK)
    return st;
  double old_slope, old_inter;
  deface_volume_scaling(volume, &old_slope, &old_inter);
  deface_volume_set_scaling(volume, (*out)->slope, (*out)->inter);
  char verr[DEFACE_ERRLEN];
  st = deface_volume_set_matrix(volume, (*out)->matrix, verr);
  if (st != DEFACE_OK) { /* a float-rounded matrix can become singular */
    deface_volume_set_scaling(volume, old_slope, old_inter);
    deface_nifti_free(*out);
    *out = NULL;
    return deface__io_fail(err, st, "(new header)", "%s", verr);
  }
  return DEFACE_OK;
}

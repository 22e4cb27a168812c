/*
 * template.c - the compiled-in head template (template_data.c, generated at
 * build time from Resources/template/ch2_template_3mm.nii): its NIfTI-1 header
 * is read here, so that the file a user can open in any viewer and the bytes
 * the core uses are the same.
 */
#include "template.h"
#include "internal.h"

#include <math.h>
#include <string.h>

extern const unsigned char deface__template_nii[];
extern const size_t deface__template_nii_size;

static int16_t le16(const unsigned char *p)
{
  return (int16_t)(p[0] | p[1] << 8);
}

static float le_float(const unsigned char *p)
{
  uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

deface_status template_load(head_template *t, char *err)
{
  const unsigned char *h = deface__template_nii;
  memset(t, 0, sizeof *t);
  /* NIfTI-1, single file: sizeof_hdr 348, dim at 40, datatype at 70, pixdim at
   * 76, vox_offset at 108, srow_x/y/z at 280/296/312, magic "n+1" at 344. */
  if (deface__template_nii_size < 352 || h[0] != 0x5c || h[1] != 0x01 || memcmp(h + 344, "n+1", 4))
    return deface__fail(err, DEFACE_E_INTERNAL, "the compiled-in head template is not NIfTI-1");
  size_t n[4];
  for (int a = 0; a < 4; a++)
    n[a] = (size_t)le16(h + 42 + 2 * a);
  size_t offset = (size_t)le_float(h + 108);
  double step = le_float(h + 80);
  if (le16(h + 40) != 4 || le16(h + 70) != 2 || n[3] != 2 || step <= 0 ||
      le_float(h + 280) != (float)step || le_float(h + 300) != (float)step ||
      le_float(h + 320) != (float)step ||
      offset + 2 * n[0] * n[1] * n[2] != deface__template_nii_size)
    return deface__fail(err, DEFACE_E_INTERNAL,
                        "the compiled-in head template is not a 4D uint8 RAS grid of two volumes");
  for (int a = 0; a < 3; a++)
    t->n[a] = n[a];
  t->step = step;
  t->origin = v3(le_float(h + 292), le_float(h + 308), le_float(h + 324));
  t->value = h + offset;
  t->flags = t->value + n[0] * n[1] * n[2];
  static const double right[3] = TEMPLATE_RIGHT_EYE, left[3] = TEMPLATE_LEFT_EYE,
                      nose[3] = TEMPLATE_NOSE_TIP;
  t->right_eye = v3(right[0], right[1], right[2]);
  t->left_eye = v3(left[0], left[1], left[2]);
  t->nose_tip = v3(nose[0], nose[1], nose[2]);
  return DEFACE_OK;
}

uint8_t template_flags_at(const head_template *t, vec3 p)
{
  size_t c[3];
  if (!grid_nearest_cell(t->origin, t->step, t->n, p, c))
    return 0;
  return t->flags[c[0] + t->n[0] * (c[1] + t->n[1] * c[2])];
}

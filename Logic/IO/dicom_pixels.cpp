/*
 * dicom_pixels.cpp - reads the pixels of one assembled series into a
 * deface_volume: each file loaded and decoded by dcmtk once (compressed ones
 * through the registered codecs, all frames of a multi-frame file at once),
 * checked against its scanned header; each slice (a file, or a frame of an
 * enhanced file) has its stored values masked to BitsStored, sign-extended,
 * and placed at its slice and time point. Uniform rescaling stays the volume's
 * scaling; per-slice rescaling turns the volume into float32 real values.
 */
#include "dicom_dcmtk.h"
#include "dicom_private.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>

namespace
{

struct layout {
  size_t nx, ny;
  int bits_allocated, bits_stored, is_signed;
  bool to_float;
  deface_datatype datatype;
};

// The stored value of a raw word: the low BitsStored bits, sign-extended.
inline long stored_value(unsigned long word, const layout &l)
{
  unsigned long mask = l.bits_stored >= 32 ? ~0ul : (1ul << l.bits_stored) - 1;
  word &= mask;
  if (l.is_signed && (word >> (l.bits_stored - 1)) & 1u)
    return static_cast<long>(word) - static_cast<long>(mask) - 1;
  return static_cast<long>(word);
}

template <typename Raw> void place(const Raw *raw, const layout &l, const dicom_file &f, void *dst)
{
  size_t n = l.nx * l.ny;
  for (size_t i = 0; i < n; i++) {
    long v = stored_value(raw[i], l);
    if (l.to_float) {
      static_cast<float *>(dst)[i] = static_cast<float>(f.slope * static_cast<double>(v) + f.inter);
      continue;
    }
    switch (l.datatype) {
    case DEFACE_UINT8:
      static_cast<uint8_t *>(dst)[i] = static_cast<uint8_t>(v);
      break;
    case DEFACE_INT8:
      static_cast<int8_t *>(dst)[i] = static_cast<int8_t>(v);
      break;
    case DEFACE_UINT16:
      static_cast<uint16_t *>(dst)[i] = static_cast<uint16_t>(v);
      break;
    default:
      static_cast<int16_t *>(dst)[i] = static_cast<int16_t>(v);
      break;
    }
  }
}

deface_status fail(char *err, deface_status st, const char *path, const char *why)
{
  if (err)
    std::snprintf(err, DEFACE_ERRLEN, "%s: %s", path, why);
  return st;
}

// One file, loaded and decoded once for all the frames read from it.
struct open_file {
  size_t source = static_cast<size_t>(-1);
  DcmFileFormat ff;
  DcmElement *pixels = nullptr;
};

// Loads and decodes f's file into of (unless it is already there) and checks
// it against the scanned header.
deface_status open_pixels(const dicom_file &f, const layout &l, open_file &of, char *err)
{
  if (of.source == f.source && of.pixels)
    return DEFACE_OK;
  of.source = static_cast<size_t>(-1);
  of.pixels = nullptr;
  OFCondition c = of.ff.loadFile(f.path);
  if (c.bad())
    return fail(err, DEFACE_E_INPUT, f.path, (std::string("cannot read: ") + c.text()).c_str());
  DcmDataset *ds = of.ff.getDataset();
  Uint16 rows = 0, cols = 0, bits = 0;
  ds->findAndGetUint16(DCM_Rows, rows);
  ds->findAndGetUint16(DCM_Columns, cols);
  ds->findAndGetUint16(DCM_BitsAllocated, bits);
  Sint32 frames = 1;
  if (ds->findAndGetSint32(DCM_NumberOfFrames, frames).bad())
    frames = 1;
  if (rows != l.ny || cols != l.nx || bits != l.bits_allocated || frames != f.frames)
    return fail(err, DEFACE_E_INPUT, f.path, "the file changed since the folder was scanned");
  DcmXfer xfer(ds->getOriginalXfer());
  if (xfer.isEncapsulated()) {
    // Decodes every frame of a multi-frame file at once, with dcmtk's codecs.
    c = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (c.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
      std::string why = std::string("cannot decode the pixels (") + xfer.getXferName() +
                        "): " + (c.bad() ? c.text() : "no decoder for this transfer syntax");
      return fail(err, DEFACE_E_INPUT, f.path, why.c_str());
    }
  }
  DcmElement *pixels = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, pixels).bad() || !pixels)
    return fail(err, DEFACE_E_INPUT, f.path, "no pixel data");
  of.pixels = pixels;
  of.source = f.source;
  return DEFACE_OK;
}

// Writes the pixels of f's frame (nx * ny voxels) to dst.
deface_status read_slice(const dicom_file &f, const layout &l, open_file &of, void *dst, char *err)
{
  deface_status st = open_pixels(f, l, of, err);
  if (st != DEFACE_OK)
    return st;
  DcmElement *pixels = of.pixels;
  size_t n = l.nx * l.ny, frame = static_cast<size_t>(f.frame);
  size_t need = n * static_cast<size_t>(l.bits_allocated / 8);
  if (frame > 0 && need > SIZE_MAX / (frame + 1))
    return fail(err, DEFACE_E_INPUT, f.path, "frame offset overflows");
  if (pixels->getLength() < need * (frame + 1)) {
    char why[200];
    std::snprintf(why, sizeof why,
                  "pixel data has %lu bytes, %zu expected for frame %zu: truncated",
                  static_cast<unsigned long>(pixels->getLength()), need * (frame + 1), frame + 1);
    return fail(err, DEFACE_E_INPUT, f.path, why);
  }
  if (l.bits_allocated == 8) {
    Uint8 *raw = nullptr;
    if (pixels->getUint8Array(raw).bad() || !raw)
      return fail(err, DEFACE_E_INPUT, f.path, "cannot read the pixel data");
    place(raw + frame * n, l, f, dst);
  } else {
    Uint16 *raw = nullptr;
    if (pixels->getUint16Array(raw).bad() || !raw)
      return fail(err, DEFACE_E_INPUT, f.path, "cannot read the pixel data");
    place(raw + frame * n, l, f, dst);
  }
  return DEFACE_OK;
}

deface_status load(const deface_dicom_folder *folder, const dicom_series &s, deface_volume **out,
                   char *err)
{
  const dicom_file &f0 = folder->files[s.members[0]];
  layout l;
  l.nx = s.info.dims[0];
  l.ny = s.info.dims[1];
  l.bits_allocated = f0.bits_allocated;
  l.bits_stored = f0.bits_stored;
  l.is_signed = f0.pixel_representation == 1;
  l.to_float = s.varying_scaling != 0;
  if (l.to_float)
    l.datatype = DEFACE_FLOAT32;
  else if (l.bits_allocated == 8)
    l.datatype = l.is_signed ? DEFACE_INT8 : DEFACE_UINT8;
  else
    l.datatype = l.is_signed ? DEFACE_INT16 : DEFACE_UINT16;
  deface_volume *v = nullptr;
  deface_status st = deface_volume_new(s.info.dims, l.datatype, s.info.voxel_to_ras, &v, err);
  if (st != DEFACE_OK)
    return st;
  if (!l.to_float)
    deface_volume_set_scaling(v, s.slope, s.inter);
  auto *data = static_cast<unsigned char *>(deface_volume_data(v));
  size_t slice_bytes = l.nx * l.ny * deface_datatype_size(l.datatype);
  try {
    open_file of;
    for (size_t m = 0; m < s.nmembers && st == DEFACE_OK; m++)
      st = read_slice(folder->files[s.members[m]], l, of, data + m * slice_bytes, err);
  } catch (...) {
    deface_volume_free(v); // the volume is ours until it is returned
    throw;
  }
  if (st != DEFACE_OK) {
    deface_volume_free(v);
    return st;
  }
  *out = v;
  return DEFACE_OK;
}

} // namespace

extern "C" deface_status deface_dicom_load(const deface_dicom_folder *folder, size_t index,
                                           deface_volume **volume, char *err)
{
  if (err)
    err[0] = '\0';
  if (!volume)
    return fail(err, DEFACE_E_USAGE, "deface_dicom_load", "NULL volume");
  *volume = nullptr;
  if (!folder || index >= folder->nseries)
    return fail(err, DEFACE_E_USAGE, folder ? folder->path : "deface_dicom_load", "no such series");
  const dicom_series &s = folder->series[index];
  if (s.info.status != DEFACE_OK) {
    if (err)
      std::snprintf(err, DEFACE_ERRLEN, "%s", s.info.reason);
    return s.info.status;
  }
  dicom_dcmtk_init();
  try {
    return load(folder, s, volume, err);
  } catch (const std::bad_alloc &) {
    return fail(err, DEFACE_E_NOMEM, folder->path, "out of memory reading the series");
  } catch (...) {
    return fail(err, DEFACE_E_INTERNAL, folder->path, "unexpected error reading the series");
  }
}

/*
 * dicom_scan.cpp - walks a folder, reads each file's DICOM header (never its
 * pixels) with dcmtk, skips what is not a cross-sectional image with a
 * reason, and hands the rest to dicom_assemble() (dicom_series.c). An
 * enhanced multi-frame file becomes one entry per frame from its functional
 * groups, so that frames are grouped and sorted like single-frame files.
 */
#include "dicom_dcmtk.h"
#include "dicom_private.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace
{

void put_err(char *err, const char *fmt, const char *a, const char *b)
{
  if (err)
    std::snprintf(err, DEFACE_ERRLEN, fmt, a, b);
}

bool starts_with(const std::string &s, const char *prefix)
{
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

// A file is worth handing to dcmtk if it has the "DICM" marker, or (for
// files without the 128-byte preamble) begins with a group 0002 or 0008 tag.
bool looks_like_dicom(const std::string &path)
{
  std::ifstream in(path, std::ios::binary);
  unsigned char b[132] = {0};
  in.read(reinterpret_cast<char *>(b), sizeof b);
  std::streamsize got = in.gcount();
  if (got == 132 && std::memcmp(b + 128, "DICM", 4) == 0)
    return true;
  return got >= 8 && (b[0] == 0x02 || b[0] == 0x08) && b[1] == 0x00;
}

std::string text(DcmItem *item, const DcmTagKey &tag)
{
  OFString s;
  if (item->findAndGetOFStringArray(tag, s).good())
    return std::string(s.c_str());
  return std::string();
}

void copy_text(char *dst, size_t size, const std::string &s)
{
  std::snprintf(dst, size, "%s", s.c_str());
}

long integer(DcmItem *item, const DcmTagKey &tag, long fallback)
{
  Sint32 v = 0;
  if (item->findAndGetSint32(tag, v).good())
    return v;
  Uint32 w = 0; // UL: the frame content indices
  if (item->findAndGetUint32(tag, w).good())
    return static_cast<long>(w);
  Uint16 u = 0;
  if (item->findAndGetUint16(tag, u).good())
    return u;
  return fallback;
}

// All `n` values of a decimal-string attribute, or false.
bool decimals(DcmItem *item, const DcmTagKey &tag, double *out, int n)
{
  for (int i = 0; i < n; i++) {
    Float64 v = 0;
    if (item->findAndGetFloat64(tag, v, static_cast<unsigned long>(i)).bad() || !std::isfinite(v))
      return false;
    out[i] = v;
  }
  return true;
}

// HHMMSS.FFFFFF (or the old HH:MM:SS) as seconds of the day, -1 when absent.
double time_of_day(const std::string &tm)
{
  std::string d;
  for (char c : tm)
    if (c != ':')
      d += c;
  if (d.size() < 2)
    return -1;
  double h = std::atof(d.substr(0, 2).c_str());
  double m = d.size() >= 4 ? std::atof(d.substr(2, 2).c_str()) : 0;
  double s = d.size() >= 6 ? std::atof(d.substr(4).c_str()) : 0;
  return 3600 * h + 60 * m + s;
}

bool is_enhanced_class(const std::string &sop)
{
  static const char *const enhanced[] = {UID_EnhancedMRImageStorage,
                                         UID_EnhancedMRColorImageStorage,
                                         UID_EnhancedCTImageStorage,
                                         UID_EnhancedPETImageStorage,
                                         UID_LegacyConvertedEnhancedMRImageStorage,
                                         UID_LegacyConvertedEnhancedCTImageStorage,
                                         UID_LegacyConvertedEnhancedPETImageStorage};
  for (const char *uid : enhanced)
    if (sop == uid)
      return true;
  return false;
}

// Why a SOP class is not a scan, or nullptr if it may be one.
const char *skip_class(const std::string &sop)
{
  if (starts_with(sop, "1.2.840.10008.5.1.4.1.1.11."))
    return "a presentation state, not an image";
  if (sop == UID_SecondaryCaptureImageStorage || starts_with(sop, "1.2.840.10008.5.1.4.1.1.7."))
    return "a secondary capture (a picture without patient geometry), not a scan";
  if (starts_with(sop, "1.2.840.10008.5.1.4.1.1.88."))
    return "a structured report, not an image";
  if (starts_with(sop, "1.2.840.10008.5.1.4.1.1.104."))
    return "an encapsulated document, not an image";
  if (starts_with(sop, "1.2.840.10008.5.1.4.1.1.481."))
    return "a radiotherapy object, not a scan";
  return nullptr;
}

// The functional group macro `seq` of one frame: its own, else the shared one.
DcmItem *group(DcmItem *per_frame, DcmItem *shared, const DcmTagKey &seq)
{
  DcmItem *item = nullptr;
  if (per_frame && per_frame->findAndGetSequenceItem(seq, item, 0).good() && item)
    return item;
  item = nullptr;
  if (shared && shared->findAndGetSequenceItem(seq, item, 0).good() && item)
    return item;
  return nullptr;
}

// An enhanced multi-frame file as one entry per frame, each with its frame's
// geometry (PlanePosition, PlaneOrientation, PixelMeasures), scaling
// (PixelValueTransformation, else stored values: an MR RealWorldValueMapping
// is not a rescale) and frame content (TemporalPositionIndex, StackID), the
// per-frame groups first and the shared groups as fallback. False with the
// reason when a frame lacks its geometry.
bool read_frames(DcmItem *ds, const dicom_file &base, std::vector<dicom_file> &out,
                 std::string &why)
{
  DcmItem *shared = nullptr;
  if (ds->findAndGetSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0).bad())
    shared = nullptr;
  DcmSequenceOfItems *per = nullptr;
  if (ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, per).bad())
    per = nullptr;
  long nframes = base.frames;
  if (nframes < 1) {
    why = "an enhanced multi-frame image without NumberOfFrames";
    return false;
  }
  if (per && static_cast<long>(per->card()) != nframes) {
    why = "PerFrameFunctionalGroupsSequence has " + std::to_string(per->card()) + " items for " +
          std::to_string(nframes) + " frames";
    return false;
  }
  // Without per-frame groups every frame would share one position (and a
  // forged NumberOfFrames could ask for any number of entries).
  if (!per && nframes > 1) {
    why = "an enhanced multi-frame image without PerFrameFunctionalGroupsSequence: no position "
          "per frame";
    return false;
  }
  out.reserve(static_cast<size_t>(nframes));
  for (long i = 0; i < nframes; i++) {
    DcmItem *pf = per ? per->getItem(static_cast<unsigned long>(i)) : nullptr;
    dicom_file f = base;
    f.frame = i;
    DcmItem *pos = group(pf, shared, DCM_PlanePositionSequence);
    DcmItem *ori = group(pf, shared, DCM_PlaneOrientationSequence);
    DcmItem *mea = group(pf, shared, DCM_PixelMeasuresSequence);
    f.has_ipp = pos && decimals(pos, DCM_ImagePositionPatient, f.ipp, 3);
    f.has_iop = ori && decimals(ori, DCM_ImageOrientationPatient, f.iop, 6);
    f.has_spacing = mea && decimals(mea, DCM_PixelSpacing, f.spacing, 2);
    if (!(f.has_ipp && f.has_iop && f.has_spacing)) {
      why = "frame " + std::to_string(i + 1) +
            " has no ImagePositionPatient, ImageOrientationPatient or PixelSpacing in its "
            "functional groups";
      return false;
    }
    if (DcmItem *pvt = group(pf, shared, DCM_PixelValueTransformationSequence)) {
      double v = 1;
      f.slope = decimals(pvt, DCM_RescaleSlope, &v, 1) ? v : 1.0;
      f.inter = decimals(pvt, DCM_RescaleIntercept, &v, 1) ? v : 0.0;
    }
    if (f.slope == 0) {
      why = "frame " + std::to_string(i + 1) + ": RescaleSlope is 0";
      return false;
    }
    if (DcmItem *fc = group(pf, nullptr, DCM_FrameContentSequence)) {
      f.temporal = integer(fc, DCM_TemporalPositionIndex, 0);
      copy_text(f.stack_id, sizeof f.stack_id, text(fc, DCM_StackID));
    }
    out.push_back(f);
  }
  return true;
}

// Reads one file's header into entries (one, or one per frame of an enhanced
// file), or returns false with the reason to skip it.
bool read_header(const std::string &path, std::vector<dicom_file> &out, std::string &why)
{
  dicom_file entry;
  std::memset(&entry, 0, sizeof entry);
  dicom_file *f = &entry;
  if (!looks_like_dicom(path)) {
    why = "not DICOM (no DICM marker at byte 128)";
    return false;
  }
  DcmFileFormat ff;
  // Values over 4 KiB (the pixels) stay in the file; parsing stops after
  // the pixel data, so trailing padding is not read as elements.
  OFCondition c = ff.loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect,
                                      DcmTagKey(0x7fe0, 0x0011));
  if (c.bad()) {
    why = std::string("not readable as DICOM: ") + c.text();
    return false;
  }
  DcmItem *meta = ff.getMetaInfo(), *ds = ff.getDataset();
  std::string media = text(meta, DCM_MediaStorageSOPClassUID);
  std::string sop = text(ds, DCM_SOPClassUID);
  if (media == UID_MediaStorageDirectoryStorage || ds->tagExists(DCM_DirectoryRecordSequence)) {
    why = "a DICOMDIR (the directory of a medium), not an image";
    return false;
  }
  if (sop.empty())
    sop = media;
  if (sop.empty()) {
    why = "no SOP Class UID: not a DICOM object";
    return false;
  }
  if (const char *reason = skip_class(sop)) {
    why = reason;
    return false;
  }
  std::string uid = text(ds, DCM_SeriesInstanceUID);
  if (!ds->tagExists(DCM_PixelData)) {
    why = "no pixel data: not an image (SOP class " + sop + ")";
    return false;
  }
  if (uid.empty()) {
    why = "no SeriesInstanceUID";
    return false;
  }
  f->frames = integer(ds, DCM_NumberOfFrames, 1);
  f->enhanced = is_enhanced_class(sop) || ds->tagExists(DCM_PerFrameFunctionalGroupsSequence);
  f->has_ipp = decimals(ds, DCM_ImagePositionPatient, f->ipp, 3);
  f->has_iop = decimals(ds, DCM_ImageOrientationPatient, f->iop, 6);
  f->has_spacing = decimals(ds, DCM_PixelSpacing, f->spacing, 2);
  if (!f->enhanced && f->frames <= 1 && !(f->has_ipp && f->has_iop && f->has_spacing)) {
    why = "no ImagePositionPatient, ImageOrientationPatient or PixelSpacing: not a "
          "cross-sectional image (SOP class " +
          sop + ")";
    return false;
  }
  copy_text(f->series_uid, sizeof f->series_uid, uid);
  copy_text(f->sop_class, sizeof f->sop_class, sop);
  copy_text(f->modality, sizeof f->modality, text(ds, DCM_Modality));
  copy_text(f->description, sizeof f->description, text(ds, DCM_SeriesDescription));
  f->series_number = integer(ds, DCM_SeriesNumber, -1);
  f->rows = static_cast<int>(integer(ds, DCM_Rows, 0));
  f->cols = static_cast<int>(integer(ds, DCM_Columns, 0));
  f->bits_allocated = static_cast<int>(integer(ds, DCM_BitsAllocated, 0));
  f->bits_stored = static_cast<int>(integer(ds, DCM_BitsStored, f->bits_allocated));
  f->high_bit = static_cast<int>(integer(ds, DCM_HighBit, f->bits_stored - 1));
  f->pixel_representation = static_cast<int>(integer(ds, DCM_PixelRepresentation, 0));
  f->samples_per_pixel = static_cast<int>(integer(ds, DCM_SamplesPerPixel, 1));
  if (f->rows < 1 || f->cols < 1) {
    why = "no Rows or Columns";
    return false;
  }
  double v = 1;
  f->slope = decimals(ds, DCM_RescaleSlope, &v, 1) ? v : 1.0;
  f->inter = decimals(ds, DCM_RescaleIntercept, &v, 1) ? v : 0.0;
  if (f->slope == 0) {
    why = "RescaleSlope is 0: every value would be the intercept";
    return false;
  }
  f->echo = integer(ds, DCM_EchoNumbers, 0);
  f->temporal = integer(ds, DCM_TemporalPositionIdentifier, 0);
  f->acquisition = integer(ds, DCM_AcquisitionNumber, 0);
  f->instance = integer(ds, DCM_InstanceNumber, 0);
  f->time = time_of_day(text(ds, DCM_AcquisitionTime));
  if (f->enhanced)
    return read_frames(ds, entry, out, why);
  out.push_back(entry);
  return true;
}

deface_status add_file(deface_dicom_folder *folder, const dicom_file &f)
{
  if (folder->nfiles == folder->capfiles) {
    size_t cap = folder->capfiles ? 2 * folder->capfiles : 64;
    void *p = std::realloc(folder->files, cap * sizeof(dicom_file));
    if (!p)
      return DEFACE_E_NOMEM;
    folder->files = static_cast<dicom_file *>(p);
    folder->capfiles = cap;
  }
  folder->files[folder->nfiles++] = f;
  return DEFACE_OK;
}

deface_status scan(const char *path, deface_dicom_folder *folder, char *err)
{
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    put_err(err, "%s: %s", path, ec ? ec.message().c_str() : "not a folder");
    return DEFACE_E_INPUT;
  }
  std::vector<std::string> paths;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (it->is_regular_file(e2))
      paths.push_back(it->path().string());
  }
  if (ec) {
    put_err(err, "%s: cannot list the folder: %s", path, ec.message().c_str());
    return DEFACE_E_INPUT;
  }
  std::sort(paths.begin(), paths.end());
  std::vector<dicom_file> entries;
  for (const std::string &p : paths) {
    entries.clear();
    std::string why;
    if (!read_header(p, entries, why)) {
      if (dicom_add_skipped(folder, p.c_str(), why.c_str()) != 0)
        return DEFACE_E_NOMEM;
      continue;
    }
    size_t source = folder->nfiles;
    for (dicom_file &f : entries) {
      f.path = strdup(p.c_str());
      f.order = folder->nfiles;
      f.source = source;
      if (!f.path || add_file(folder, f) != DEFACE_OK) {
        std::free(f.path);
        return DEFACE_E_NOMEM;
      }
    }
  }
  return dicom_assemble(folder, err);
}

} // namespace

extern "C" deface_status deface_dicom_scan(const char *folder, deface_dicom_folder **out, char *err)
{
  if (err)
    err[0] = '\0';
  if (!folder || !out) {
    put_err(err, "%s%s", "deface_dicom_scan: NULL argument", "");
    return DEFACE_E_USAGE;
  }
  *out = nullptr;
  dicom_dcmtk_init();
  auto *f = static_cast<deface_dicom_folder *>(std::calloc(1, sizeof(deface_dicom_folder)));
  if (!f || !(f->path = strdup(folder))) {
    std::free(f);
    put_err(err, "%s: %s", folder, "out of memory");
    return DEFACE_E_NOMEM;
  }
  deface_status st;
  try {
    st = scan(folder, f, err);
  } catch (const std::bad_alloc &) {
    st = DEFACE_E_NOMEM;
  } catch (const std::exception &e) {
    put_err(err, "%s: %s", folder, e.what());
    st = DEFACE_E_INPUT;
  } catch (...) {
    st = DEFACE_E_INTERNAL;
  }
  if (st != DEFACE_OK) {
    if (st == DEFACE_E_NOMEM)
      put_err(err, "%s: %s", folder, "out of memory while scanning");
    else if (st == DEFACE_E_INTERNAL)
      put_err(err, "%s: %s", folder, "unexpected error while scanning");
    deface_dicom_folder_free(f);
    return st;
  }
  *out = f;
  return DEFACE_OK;
}

/*
 * dicom_scan.cpp - walks a folder (symbolic links followed, each folder and
 * file read once), reads each file's DICOM header (never its pixels) with
 * dcmtk, lists what is not a cross-sectional image or cannot be read with
 * the reason, and hands the rest to dicom_assemble() (dicom_series.c). An
 * enhanced multi-frame file becomes one entry per frame from its functional
 * groups, so that frames are grouped and sorted like single-frame files.
 * Text goes out in UTF-8, converted from the file's SpecificCharacterSet.
 */
#include "dicom_dcmtk.h"
#include "dicom_private.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcspchrs.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

std::string errno_text(int e)
{
  return std::error_code(e, std::generic_category()).message();
}

// A file is worth handing to dcmtk if it has the "DICM" marker, or (for
// files without the 128-byte preamble) begins with a group 0002 or 0008 tag.
// -1 with the reason when the file cannot be read at all.
int looks_like_dicom(const std::string &path, std::string &why)
{
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = "cannot read: " + errno_text(errno);
    return -1;
  }
  unsigned char b[132] = {0};
  ssize_t got = 0;
  while (got < 132) {
    ssize_t r = read(fd, b + got, sizeof b - static_cast<size_t>(got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      why = "cannot read: " + errno_text(errno);
      close(fd);
      return -1;
    }
    if (r == 0)
      break;
    got += r;
  }
  close(fd);
  if (got == 132 && std::memcmp(b + 128, "DICM", 4) == 0)
    return 1;
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

// A whole number from the element's text (IS, US, UL...): exactly, or the
// fallback when absent, not a whole number or beyond a long (dcmtk's own
// conversion of an IS wraps around: 99999999999 became 1215752191).
long integer(DcmItem *item, const DcmTagKey &tag, long fallback)
{
  OFString s;
  if (item->findAndGetOFString(tag, s).bad())
    return fallback;
  const char *p = s.c_str();
  while (*p == ' ')
    p++;
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(p, &end, 10);
  while (end && *end == ' ')
    end++;
  if (end == p || !end || *end || errno == ERANGE || v < LONG_MIN || v > LONG_MAX)
    return fallback;
  return static_cast<long>(v);
}

// Text of a string attribute in UTF-8, converted from the file's
// SpecificCharacterSet (dcmtk, through iconv). When that fails the bytes are
// kept: whoever writes them out replaces what is not UTF-8.
std::string utf8_text(DcmItem *ds, const DcmTagKey &tag)
{
  std::string raw = text(ds, tag);
  OFString charset;
  if (raw.empty() || ds->findAndGetOFStringArray(DCM_SpecificCharacterSet, charset).bad() ||
      charset.empty())
    return raw;
  DcmSpecificCharacterSet converter;
  OFString out;
  if (converter.selectCharacterSet(charset).bad() ||
      converter.convertString(OFString(raw.c_str()), out).bad())
    return raw;
  return std::string(out.c_str());
}

// Copies UTF-8 text cut at a character boundary to fit.
void copy_utf8(char *dst, size_t size, const std::string &s)
{
  size_t n = s.size() < size - 1 ? s.size() : size - 1;
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80)
    n--;
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
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

// How many bytes of pixels the file can give (see dicom_file): the value
// length of uncompressed PixelData (known without reading it), else a bound
// from the file's size: no codec dcmtk has packs a scan 2000 times, and a
// 64 MiB floor keeps small files of blank frames readable.
void pixel_limit(const std::string &path, DcmDataset *ds, dicom_file *f)
{
  DcmElement *px = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, px).bad() || !px)
    return;
  DcmXfer xfer(ds->getOriginalXfer());
  Uint32 len = px->getLength();
  if (!xfer.isEncapsulated() && len != DCM_UndefinedLength) {
    f->has_pixel_limit = 1;
    f->pixel_limit = len;
    return;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    return;
  unsigned long long bound = 2000ull * static_cast<unsigned long long>(st.st_size);
  f->has_pixel_limit = 1;
  f->pixel_limit = bound > (64ull << 20) ? bound : (64ull << 20);
}

// Reads one file's header into entries (one, or one per frame of an enhanced
// file), or returns false with the reason to skip it.
// `unreadable` is set when the file could not be read at all.
bool read_header(const std::string &path, std::vector<dicom_file> &out, std::string &why,
                 bool &unreadable)
{
  dicom_file entry;
  std::memset(&entry, 0, sizeof entry);
  dicom_file *f = &entry;
  unreadable = false;
  int looks = looks_like_dicom(path, why);
  if (looks < 0) {
    unreadable = true;
    return false;
  }
  if (!looks) {
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
  copy_utf8(f->description, sizeof f->description, utf8_text(ds, DCM_SeriesDescription));
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
  pixel_limit(path, ff.getDataset(), f);
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

// One path the walk met and did not read, with the reason.
struct skip {
  std::string path, reason;
  bool unreadable;
};

// The walk: regular files to read, the rest listed with a reason. Symbolic
// links are followed; (device, inode) pairs make every folder and file count
// once, so link loops end and a series reached twice is not read twice.
struct walker {
  std::vector<std::string> files;
  std::vector<skip> skipped;
  // (device, inode) -> the path it was first met by, for folders and files.
  std::map<std::pair<dev_t, ino_t>, std::string> seen_dirs, seen_files;

  // Walks folder `path` (already stat'ed as `st`). False only when the top
  // folder itself cannot be read.
  bool walk(const std::string &path, const struct stat &st, bool top, std::string &why)
  {
    seen_dirs.insert({{st.st_dev, st.st_ino}, path});
    DIR *d = opendir(path.c_str());
    if (!d) {
      why = errno_text(errno);
      if (!top)
        skipped.push_back({path, "cannot read the folder: " + why, true});
      return !top;
    }
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent *e = readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        names.push_back(e->d_name);
      errno = 0;
    }
    int read_error = errno;
    closedir(d);
    if (read_error) {
      why = errno_text(read_error);
      if (top)
        return false;
      skipped.push_back({path, "cannot list the folder: " + why, true});
    }
    std::sort(names.begin(), names.end());
    for (const std::string &name : names)
      visit(path == "/" ? "/" + name : path + "/" + name);
    return true;
  }

  void visit(const std::string &p)
  {
    struct stat lst, st;
    if (lstat(p.c_str(), &lst) != 0) {
      skipped.push_back({p, "cannot read: " + errno_text(errno), true});
      return;
    }
    bool link = S_ISLNK(lst.st_mode);
    if (link && stat(p.c_str(), &st) != 0) {
      int e = errno;
      if (e == ENOENT)
        skipped.push_back({p, "a dangling symbolic link (its target does not exist)", false});
      else if (e == ELOOP)
        skipped.push_back({p, "a symbolic link loop", false});
      else
        skipped.push_back({p, "cannot follow the symbolic link: " + errno_text(e), true});
      return;
    }
    if (!link)
      st = lst;
    if (S_ISDIR(st.st_mode)) {
      auto seen = seen_dirs.find({st.st_dev, st.st_ino});
      if (seen != seen_dirs.end()) {
        skipped.push_back({p, "the same folder as " + seen->second + ", read once", false});
        return;
      }
      std::string ignored;
      walk(p, st, false, ignored);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      const char *kind = S_ISFIFO(st.st_mode)   ? "a FIFO"
                         : S_ISSOCK(st.st_mode) ? "a socket"
                         : S_ISCHR(st.st_mode)  ? "a character device"
                         : S_ISBLK(st.st_mode)  ? "a block device"
                                                : "an unknown kind of file";
      skipped.push_back({p, std::string("not a regular file (") + kind + ")", false});
      return;
    }
    auto first = seen_files.insert({{st.st_dev, st.st_ino}, p});
    if (!first.second) {
      skipped.push_back({p, "the same file as " + first.first->second + ", read once", false});
      return;
    }
    files.push_back(p);
  }
};

deface_status scan(const char *path, deface_dicom_folder *folder, char *err)
{
  struct stat st;
  if (stat(path, &st) != 0) {
    put_err(err, "%s: %s", path, errno_text(errno).c_str());
    return DEFACE_E_INPUT;
  }
  if (!S_ISDIR(st.st_mode)) {
    put_err(err, "%s: %s", path, "not a folder");
    return DEFACE_E_INPUT;
  }
  walker w;
  std::string root(path), why;
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  if (!w.walk(root, st, true, why)) {
    put_err(err, "%s: cannot list the folder: %s", path, why.c_str());
    return DEFACE_E_INPUT;
  }
  std::sort(w.files.begin(), w.files.end());
  std::vector<dicom_file> entries;
  for (const std::string &p : w.files) {
    entries.clear();
    bool unreadable = false;
    if (!read_header(p, entries, why, unreadable)) {
      w.skipped.push_back({p, why, unreadable});
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
  std::stable_sort(w.skipped.begin(), w.skipped.end(),
                   [](const skip &a, const skip &b) { return a.path < b.path; });
  for (const skip &k : w.skipped)
    if (dicom_add_skipped(folder, k.path.c_str(), k.reason.c_str(), k.unreadable) != 0)
      return DEFACE_E_NOMEM;
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

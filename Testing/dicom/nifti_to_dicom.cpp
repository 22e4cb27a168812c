/*
 * nifti_to_dicom - writes a NIfTI volume as a DICOM MR series with dcmtk, one
 * file per slice (and per time point), so that the tests can make DICOM
 * series from the public NIfTI scans and read them with deface_dicom and
 * with dcm2niix. No resampling: each DICOM slice is a plane of the input
 * grid, its geometry (ImagePositionPatient, ImageOrientationPatient,
 * PixelSpacing, SliceThickness) taken from the input's sform (else qform).
 *
 *   nifti_to_dicom IN.nii[.gz] OUTDIR [--axis axial|sagittal|coronal]
 *                  [--oblique] [--rescale SLOPE INTER] [--slices FIRST COUNT]
 *                  [--series-number N] [--description TEXT] [--enhanced]
 *                  [--manufacturer TEXT]
 *
 * --axis     slice along the voxel axis closest to RAS z (axial, default),
 *            x (sagittal) or y (coronal)
 * --oblique  turn the whole grid by 20 degrees about x and 10 about y (the
 *            sform is rotated, the values stay): an oblique series
 * --rescale  store the raw values and write this RescaleSlope/Intercept
 *            (default: the NIfTI's scl_slope/scl_inter, or 1 and 0)
 * --slices   write only slices FIRST .. FIRST+COUNT-1 (localisers, slabs)
 * --enhanced  one Enhanced MR Image Storage file (OUTDIR/enhanced.dcm), frames
 *            slice after slice, time point after time point: PixelMeasures,
 *            PlaneOrientation (and PixelValueTransformation when rescaled)
 *            in the shared functional groups; per frame PlanePosition and
 *            FrameContent (StackID 1, InStackPositionNumber, for 4D the
 *            TemporalPositionIndex; DimensionIndexValues in the order of the
 *            DimensionIndexSequence, outermost first: stack, time, in-stack
 *            position)
 * --manufacturer  the Manufacturer written (default "deface nifti_to_dicom").
 *            dcm2niix v1.0.20220720 sorts the frames of an enhanced file by
 *            DimensionIndexValues only when the Manufacturer is Philips; for
 *            other makers it orders a 4D file's frames position by position
 *            and cuts the volumes wrongly (or makes one 3D volume), so the 4D
 *            comparison with dcm2niix writes "Philips" here.
 * A 4D input gives repeated positions, time point t with
 * TemporalPositionIdentifier t+1 and AcquisitionTime t * 2 s later.
 * File names are scrambled (IM_xxxxxxxx.dcm) so that readers must sort by
 * position. Values must fit int16 or uint16 (never clamped).
 */
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <nifti2_io.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace
{

int die(const char *msg, const char *what = "")
{
  std::fprintf(stderr, "nifti_to_dicom: %s%s\n", msg, what);
  return 1;
}

double raw_value(const nifti_image *im, size_t i)
{
  switch (im->datatype) {
  case DT_UINT8:
    return static_cast<const unsigned char *>(im->data)[i];
  case DT_INT8:
    return static_cast<const signed char *>(im->data)[i];
  case DT_INT16:
    return static_cast<const short *>(im->data)[i];
  case DT_UINT16:
    return static_cast<const unsigned short *>(im->data)[i];
  case DT_INT32:
    return static_cast<const int *>(im->data)[i];
  case DT_FLOAT32:
    return static_cast<const float *>(im->data)[i];
  case DT_FLOAT64:
    return static_cast<const double *>(im->data)[i];
  default:
    return NAN;
  }
}

std::string decimals(const double *v, int n)
{
  std::string s;
  char b[32];
  for (int i = 0; i < n; i++) {
    std::snprintf(b, sizeof b, "%.6f", v[i]);
    s += (i ? "\\" : "") + std::string(b);
  }
  return s;
}

struct series_ids {
  char study[100], series[100], frame[100];
};

// The identification every file of the series gets.
void put_common(DcmDataset *ds, const series_ids &ids, const char *sop_class, const char *sop,
                long series_number, const char *description, const char *manufacturer)
{
  char text[64];
  ds->putAndInsertString(DCM_SOPClassUID, sop_class);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop);
  ds->putAndInsertString(DCM_StudyInstanceUID, ids.study);
  ds->putAndInsertString(DCM_SeriesInstanceUID, ids.series);
  ds->putAndInsertString(DCM_FrameOfReferenceUID, ids.frame);
  ds->putAndInsertString(DCM_PatientName, "Test^Phantom");
  ds->putAndInsertString(DCM_PatientID, "DEFACE-TEST");
  ds->putAndInsertString(DCM_StudyDate, "20240101");
  ds->putAndInsertString(DCM_StudyTime, "120000");
  ds->putAndInsertString(DCM_Modality, "MR");
  ds->putAndInsertString(DCM_Manufacturer, manufacturer);
  ds->putAndInsertString(DCM_SeriesDescription, description);
  std::snprintf(text, sizeof text, "%ld", series_number);
  ds->putAndInsertString(DCM_SeriesNumber, text);
}

void put_pixel_format(DcmItem *ds, size_t rows, size_t cols, bool is_signed)
{
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(rows));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(cols));
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 16);
  ds->putAndInsertUint16(DCM_HighBit, 15);
  ds->putAndInsertUint16(DCM_PixelRepresentation, is_signed ? 1 : 0);
}

// One frame of the enhanced file: where it is and which it is.
struct frame_info {
  double ipp[3];
  unsigned long in_stack, temporal; // 1-based; temporal 0 for 3D
};

// Writes the frames as one Enhanced MR Image Storage file.
bool write_enhanced(const std::string &path, const series_ids &ids, long series_number,
                    const char *description, const char *manufacturer,
                    const std::vector<frame_info> &frames, const std::vector<Uint16> &pixels,
                    size_t rows, size_t cols, bool is_signed, const double iop[6],
                    const double spacing[2], double thickness, double slope, double inter)
{
  char sop[100], text[64], org[100];
  dcmGenerateUniqueIdentifier(sop, SITE_INSTANCE_UID_ROOT);
  dcmGenerateUniqueIdentifier(org, SITE_SERIES_UID_ROOT);
  bool fourd = !frames.empty() && frames.back().temporal > 1;
  DcmFileFormat ff;
  DcmDataset *ds = ff.getDataset();
  put_common(ds, ids, UID_EnhancedMRImageStorage, sop, series_number, description, manufacturer);
  ds->putAndInsertString(DCM_InstanceNumber, "1");
  ds->putAndInsertString(DCM_ContentDate, "20240101");
  ds->putAndInsertString(DCM_ContentTime, "120000");
  ds->putAndInsertString(DCM_AcquisitionDateTime, "20240101120000");
  ds->putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\M\\NONE");
  ds->putAndInsertString(DCM_PixelPresentation, "MONOCHROME");
  ds->putAndInsertString(DCM_VolumetricProperties, "VOLUME");
  ds->putAndInsertString(DCM_VolumeBasedCalculationTechnique, "NONE");
  ds->putAndInsertString(DCM_ComplexImageComponent, "MAGNITUDE");
  ds->putAndInsertString(DCM_AcquisitionContrast, "UNKNOWN");
  ds->putAndInsertString(DCM_BurnedInAnnotation, "NO");
  ds->putAndInsertString(DCM_LossyImageCompression, "00");
  ds->putAndInsertString(DCM_PresentationLUTShape, "IDENTITY");
  ds->putAndInsertString(DCM_ContentQualification, "RESEARCH");
  ds->putAndInsertString(DCM_ImagedNucleus, "1H");
  ds->putAndInsertString(DCM_MagneticFieldStrength, "3");
  ds->putAndInsertString(DCM_ResonantNucleus, "1H");
  std::snprintf(text, sizeof text, "%zu", frames.size());
  ds->putAndInsertString(DCM_NumberOfFrames, text);
  if (fourd) {
    std::snprintf(text, sizeof text, "%lu", frames.back().temporal);
    ds->putAndInsertString(DCM_NumberOfTemporalPositions, text);
  }
  DcmItem *item = nullptr;
  ds->findOrCreateSequenceItem(DCM_DimensionOrganizationSequence, item, 0);
  item->putAndInsertString(DCM_DimensionOrganizationUID, org);
  // Outermost first, as the frames are stored (and as dcm2niix sorts them):
  // stack, time point, position in the stack.
  const DcmTagKey dims[3] = {DCM_StackID, DCM_TemporalPositionIndex, DCM_InStackPositionNumber};
  for (int d = 0; d < 3; d++) {
    if (!fourd && d == 1)
      continue;
    ds->findOrCreateSequenceItem(DCM_DimensionIndexSequence, item, -2);
    item->putAndInsertString(DCM_DimensionOrganizationUID, org);
    item->putAndInsertTagKey(DCM_DimensionIndexPointer, dims[d]);
    item->putAndInsertTagKey(DCM_FunctionalGroupPointer, DCM_FrameContentSequence);
  }
  DcmItem *shared = nullptr, *sub = nullptr;
  ds->findOrCreateSequenceItem(DCM_SharedFunctionalGroupsSequence, shared, 0);
  shared->findOrCreateSequenceItem(DCM_PixelMeasuresSequence, sub, 0);
  sub->putAndInsertString(DCM_PixelSpacing, decimals(spacing, 2).c_str());
  sub->putAndInsertString(DCM_SliceThickness, decimals(&thickness, 1).c_str());
  shared->findOrCreateSequenceItem(DCM_PlaneOrientationSequence, sub, 0);
  sub->putAndInsertString(DCM_ImageOrientationPatient, decimals(iop, 6).c_str());
  shared->findOrCreateSequenceItem(DCM_MRImageFrameTypeSequence, sub, 0);
  sub->putAndInsertString(DCM_FrameType, "ORIGINAL\\PRIMARY\\M\\NONE");
  sub->putAndInsertString(DCM_PixelPresentation, "MONOCHROME");
  sub->putAndInsertString(DCM_VolumetricProperties, "VOLUME");
  sub->putAndInsertString(DCM_VolumeBasedCalculationTechnique, "NONE");
  sub->putAndInsertString(DCM_ComplexImageComponent, "MAGNITUDE");
  sub->putAndInsertString(DCM_AcquisitionContrast, "UNKNOWN");
  shared->findOrCreateSequenceItem(DCM_MRTimingAndRelatedParametersSequence, sub, 0);
  sub->putAndInsertString(DCM_RepetitionTime, "2000");
  shared->findOrCreateSequenceItem(DCM_MREchoSequence, sub, 0);
  sub->putAndInsertString(DCM_EffectiveEchoTime, "10");
  if (slope != 1 || inter != 0) {
    shared->findOrCreateSequenceItem(DCM_PixelValueTransformationSequence, sub, 0);
    sub->putAndInsertString(DCM_RescaleSlope, decimals(&slope, 1).c_str());
    sub->putAndInsertString(DCM_RescaleIntercept, decimals(&inter, 1).c_str());
    sub->putAndInsertString(DCM_RescaleType, "US");
  }
  for (const frame_info &f : frames) {
    DcmItem *pf = nullptr;
    ds->findOrCreateSequenceItem(DCM_PerFrameFunctionalGroupsSequence, pf, -2);
    pf->findOrCreateSequenceItem(DCM_FrameContentSequence, sub, 0);
    Uint32 index[3] = {1, static_cast<Uint32>(f.temporal), static_cast<Uint32>(f.in_stack)};
    if (!fourd)
      index[1] = index[2];
    sub->putAndInsertUint32Array(DCM_DimensionIndexValues, index, fourd ? 3 : 2);
    sub->putAndInsertString(DCM_StackID, "1");
    sub->putAndInsertUint32(DCM_InStackPositionNumber, static_cast<Uint32>(f.in_stack));
    if (fourd)
      sub->putAndInsertUint32(DCM_TemporalPositionIndex, static_cast<Uint32>(f.temporal));
    pf->findOrCreateSequenceItem(DCM_PlanePositionSequence, sub, 0);
    sub->putAndInsertString(DCM_ImagePositionPatient, decimals(f.ipp, 3).c_str());
  }
  put_pixel_format(ds, rows, cols, is_signed);
  ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(),
                              static_cast<unsigned long>(pixels.size()));
  return ff.saveFile(path.c_str(), EXS_LittleEndianExplicit).good();
}

} // namespace

int main(int argc, char **argv)
{
  if (argc < 3)
    return die("usage: nifti_to_dicom IN.nii[.gz] OUTDIR [--axis axial|sagittal|coronal] "
               "[--oblique] [--rescale S I] [--slices FIRST COUNT] [--series-number N] "
               "[--description TEXT] [--enhanced] [--manufacturer TEXT]");
  const char *axis_name = "axial", *description = nullptr;
  const char *manufacturer = "deface nifti_to_dicom";
  bool oblique = false, has_rescale = false, enhanced = false;
  double slope = 1, inter = 0;
  long first = 0, count = -1, series_number = 1;
  for (int a = 3; a < argc; a++) {
    std::string o = argv[a];
    if (o == "--axis" && a + 1 < argc)
      axis_name = argv[++a];
    else if (o == "--oblique")
      oblique = true;
    else if (o == "--rescale" && a + 2 < argc) {
      has_rescale = true;
      slope = std::atof(argv[++a]);
      inter = std::atof(argv[++a]);
    } else if (o == "--slices" && a + 2 < argc) {
      first = std::atol(argv[++a]);
      count = std::atol(argv[++a]);
    } else if (o == "--series-number" && a + 1 < argc)
      series_number = std::atol(argv[++a]);
    else if (o == "--description" && a + 1 < argc)
      description = argv[++a];
    else if (o == "--enhanced")
      enhanced = true;
    else if (o == "--manufacturer" && a + 1 < argc)
      manufacturer = argv[++a];
    else
      return die("unknown or incomplete option ", argv[a]);
  }
  nifti_image *im = nifti_image_read(argv[1], 1);
  if (!im)
    return die("cannot read ", argv[1]);
  if (!has_rescale && im->scl_slope != 0 && std::isfinite(im->scl_slope)) {
    slope = im->scl_slope;
    inter = im->scl_inter;
  }
  double m[3][4];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++)
      m[r][c] = im->sform_code > 0 ? im->sto_xyz.m[r][c] : im->qto_xyz.m[r][c];
  if (oblique) {
    const double ax = 20 * M_PI / 180, ay = 10 * M_PI / 180;
    const double rx[3][3] = {{1, 0, 0}, {0, cos(ax), -sin(ax)}, {0, sin(ax), cos(ax)}};
    const double ry[3][3] = {{cos(ay), 0, sin(ay)}, {0, 1, 0}, {-sin(ay), 0, cos(ay)}};
    double rot[3][3], out[3][4];
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 3; c++)
        rot[r][c] = ry[r][0] * rx[0][c] + ry[r][1] * rx[1][c] + ry[r][2] * rx[2][c];
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 4; c++)
        out[r][c] = rot[r][0] * m[0][c] + rot[r][1] * m[1][c] + rot[r][2] * m[2][c];
    std::memcpy(m, out, sizeof m);
  }
  // The slice axis: the voxel axis closest to the asked-for RAS axis.
  int want = !std::strcmp(axis_name, "sagittal") ? 0 : !std::strcmp(axis_name, "coronal") ? 1 : 2;
  if (want == 2 && std::strcmp(axis_name, "axial"))
    return die("--axis must be axial, sagittal or coronal, not ", axis_name);
  int s = 0;
  double best = -1, len[3];
  for (int a = 0; a < 3; a++) {
    len[a] = std::sqrt(m[0][a] * m[0][a] + m[1][a] * m[1][a] + m[2][a] * m[2][a]);
    if (std::fabs(m[want][a]) / len[a] > best)
      best = std::fabs(m[want][a]) / len[a], s = a;
  }
  int u = s == 0 ? 1 : 0, w = s == 2 ? 1 : 2; // columns along u, rows along w
  size_t dim[4] = {static_cast<size_t>(im->nx), static_cast<size_t>(im->ny),
                   static_cast<size_t>(im->nz), static_cast<size_t>(im->nt > 1 ? im->nt : 1)};
  size_t nslices = dim[s], nt = dim[3];
  if (count < 0)
    count = static_cast<long>(nslices) - first;
  if (first < 0 || count < 1 || static_cast<size_t>(first + count) > nslices)
    return die("--slices is outside the volume");
  // Stored values: int16, or uint16 if they need it; never clamped.
  double lo = 1e300, hi = -1e300;
  for (size_t i = 0; i < dim[0] * dim[1] * dim[2] * nt; i++) {
    double v = raw_value(im, i);
    if (v != std::floor(v))
      return die("non-integer voxel values cannot be stored as DICOM integers: ", argv[1]);
    lo = std::fmin(lo, v), hi = std::fmax(hi, v);
  }
  bool is_signed = lo < 0 || hi <= 32767;
  if ((is_signed && (lo < -32768 || hi > 32767)) || (!is_signed && hi > 65535))
    return die("values do not fit 16 bits: ", argv[1]);
  series_ids ids;
  dcmGenerateUniqueIdentifier(ids.study, SITE_STUDY_UID_ROOT);
  dcmGenerateUniqueIdentifier(ids.series, SITE_SERIES_UID_ROOT);
  dcmGenerateUniqueIdentifier(ids.frame, SITE_SERIES_UID_ROOT);
  double row_dir[3], col_dir[3]; // LPS unit vectors along u and w
  for (int r = 0; r < 3; r++) {
    double sign = r < 2 ? -1 : 1;
    row_dir[r] = sign * m[r][u] / len[u];
    col_dir[r] = sign * m[r][w] / len[w];
  }
  double iop[6] = {row_dir[0], row_dir[1], row_dir[2], col_dir[0], col_dir[1], col_dir[2]};
  double spacing[2] = {len[w], len[u]};
  size_t rows = dim[w], cols = dim[u];
  std::vector<Uint16> pixels(rows * cols), all_frames;
  std::vector<frame_info> frames;
  size_t written = 0;
  for (size_t t = 0; t < nt; t++)
    for (long k = first; k < first + count; k++) {
      double vox[3] = {0, 0, 0}, ipp[3];
      vox[s] = static_cast<double>(k);
      for (int r = 0; r < 3; r++)
        ipp[r] =
            (r < 2 ? -1 : 1) * (m[r][0] * vox[0] + m[r][1] * vox[1] + m[r][2] * vox[2] + m[r][3]);
      for (size_t row = 0; row < rows; row++)
        for (size_t col = 0; col < cols; col++) {
          size_t idx[3];
          idx[s] = static_cast<size_t>(k);
          idx[u] = col;
          idx[w] = row;
          size_t i = idx[0] + dim[0] * (idx[1] + dim[1] * (idx[2] + dim[2] * t));
          long v = std::lround(raw_value(im, i));
          pixels[row * cols + col] = static_cast<Uint16>(static_cast<Sint32>(v) & 0xffff);
        }
      if (enhanced) {
        frame_info fi = {{ipp[0], ipp[1], ipp[2]},
                         static_cast<unsigned long>(k - first + 1),
                         nt > 1 ? static_cast<unsigned long>(t + 1) : 0};
        frames.push_back(fi);
        all_frames.insert(all_frames.end(), pixels.begin(), pixels.end());
        continue;
      }
      unsigned long number = written + 1;
      char sop[100], name[64], text[64];
      dcmGenerateUniqueIdentifier(sop, SITE_INSTANCE_UID_ROOT);
      DcmFileFormat ff;
      DcmDataset *ds = ff.getDataset();
      put_common(ds, ids, UID_MRImageStorage, sop, series_number,
                 description ? description : axis_name, manufacturer);
      ds->putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\M\\ND");
      std::snprintf(text, sizeof text, "%lu", number);
      ds->putAndInsertString(DCM_InstanceNumber, text);
      ds->putAndInsertString(DCM_AcquisitionNumber, "1");
      std::snprintf(text, sizeof text, "%02d%02d%02d.000000", 12, static_cast<int>(2 * t / 60),
                    static_cast<int>(2 * t % 60));
      ds->putAndInsertString(DCM_AcquisitionTime, text);
      ds->putAndInsertString(DCM_EchoTime, "10");
      ds->putAndInsertString(DCM_RepetitionTime, "2000");
      if (nt > 1) {
        std::snprintf(text, sizeof text, "%zu", t + 1);
        ds->putAndInsertString(DCM_TemporalPositionIdentifier, text);
        std::snprintf(text, sizeof text, "%zu", nt);
        ds->putAndInsertString(DCM_NumberOfTemporalPositions, text);
      }
      ds->putAndInsertString(DCM_ImagePositionPatient, decimals(ipp, 3).c_str());
      ds->putAndInsertString(DCM_ImageOrientationPatient, decimals(iop, 6).c_str());
      ds->putAndInsertString(DCM_PixelSpacing, decimals(spacing, 2).c_str());
      ds->putAndInsertString(DCM_SliceThickness, decimals(&len[s], 1).c_str());
      ds->putAndInsertString(DCM_RescaleSlope, decimals(&slope, 1).c_str());
      ds->putAndInsertString(DCM_RescaleIntercept, decimals(&inter, 1).c_str());
      put_pixel_format(ds, rows, cols, is_signed);
      ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(), rows * cols);
      // Scrambled names: the order must come from the positions.
      std::snprintf(name, sizeof name, "/IM_%08lx.dcm",
                    static_cast<unsigned long>((number * 2654435761ul) & 0xfffffffful));
      std::string path = std::string(argv[2]) + name;
      OFCondition c = ff.saveFile(path.c_str(), EXS_LittleEndianExplicit);
      if (c.bad())
        return die("cannot write ", path.c_str());
      written++;
    }
  if (enhanced) {
    std::string path = std::string(argv[2]) + "/enhanced.dcm";
    if (!write_enhanced(path, ids, series_number, description ? description : axis_name,
                        manufacturer, frames, all_frames, rows, cols, is_signed, iop, spacing,
                        len[s], slope, inter))
      return die("cannot write ", path.c_str());
    std::printf("1 enhanced file, %zu frames, %zu x %zu pixels, slice axis %d of the input, "
                "%zu time point(s)\n",
                frames.size(), cols, rows, s, nt);
    nifti_image_free(im);
    return 0;
  }
  std::printf("%zu files, %zu x %zu pixels, slice axis %d of the input, %zu time point(s)\n",
              written, cols, rows, s, nt);
  nifti_image_free(im);
  return 0;
}

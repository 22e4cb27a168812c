/*
 * deface_dicom.h - the DICOM adapter: finds the image series in a folder of
 * DICOM files (any layout, searched recursively) and reads one of them into a
 * deface_volume with its voxel-to-RAS geometry.
 *
 * Built on dcmtk (C++), but this header is plain C: no C++ types, no
 * exceptions cross it. Like the core the adapter never prints, never exits and
 * keeps no mutable state of its own; every fallible call returns a
 * deface_status and writes "PATH: reason" on one line into `err`, a buffer of
 * DEFACE_ERRLEN bytes owned by the caller (may be NULL).
 *
 * What a "series" is here: the files of one SeriesInstanceUID that share an
 * ImageOrientationPatient (a three-plane localiser is three series here). A
 * series whose slice positions repeat (EchoNumber, TemporalPositionIdentifier,
 * or plain repeats) is 4D, time points in acquisition order, when every
 * position has the same number of files.
 *
 * Geometry: voxel (i, j, k) is column i, row j of the k-th slice sorted along
 * the slice normal (row direction x column direction, from
 * ImageOrientationPatient). The matrix takes the first slice's
 * ImagePositionPatient, the row and column directions times PixelSpacing, and
 * the normal times the slice pitch measured from the first and last
 * ImagePositionPatient over (n - 1) - never SliceThickness or
 * SpacingBetweenSlices - converted from DICOM's LPS to RAS. This is the
 * geometry dcm2niix writes (up to its flip of the rows).
 *
 * Refused (DEFACE_E_REFUSED, with the reason): non-uniform slice spacing,
 * gantry tilt (slices offset sideways along the stack by more than 1 degree),
 * files of one series with different rows, columns, pixel spacing or pixel
 * format, positions with unequal file counts, colour images, and multi-frame
 * images without functional groups.
 *
 * Enhanced multi-frame images (Enhanced MR, CT, PET and their legacy-converted
 * forms: one file, many frames) are read frame by frame into the same model:
 * each frame's ImagePositionPatient, ImageOrientationPatient, PixelSpacing and
 * RescaleSlope/Intercept come from its PerFrameFunctionalGroupsSequence item,
 * else from the SharedFunctionalGroupsSequence (PlanePosition, PlaneOrientation,
 * PixelMeasures, PixelValueTransformation; without the latter the stored values
 * are kept - an MR RealWorldValueMapping is not applied). Frames are grouped
 * into stacks by orientation and FrameContentSequence > StackID, sorted along
 * the normal, and repeated positions ordered by TemporalPositionIndex, then
 * frame number. A series' `files` counts files, not frames.
 */
#ifndef DEFACE_DICOM_H
#define DEFACE_DICOM_H

#include "deface.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What is known about one series without reading its pixels. */
typedef struct deface_dicom_series_info {
  char series_uid[65];        /**< SeriesInstanceUID */
  long series_number;         /**< SeriesNumber, -1 when absent or not a whole number */
  char description[257];      /**< SeriesDescription in UTF-8 (converted from the file's
                                   SpecificCharacterSet), "" when absent */
  char modality[17];          /**< Modality ("MR", "CT", ...) */
  int stack;                  /**< 0-based orientation stack within the SeriesInstanceUID */
  int stacks_in_series;       /**< how many orientation stacks the SeriesInstanceUID has */
  size_t files;               /**< DICOM files in this series */
  size_t dims[4];             /**< columns, rows, slices, time points (0 where unknown) */
  double voxel_to_ras[4][4];  /**< row-major, valid when status is DEFACE_OK */
  deface_status status;       /**< DEFACE_OK when the series can be read, else why not */
  char reason[DEFACE_ERRLEN]; /**< "" or the one-line reason for status */
  char first_file[4096];      /**< the first file of the series (sorted by path) */
} deface_dicom_series_info;

/** A scanned folder: its series and the files that were skipped. Opaque;
 * free with deface_dicom_folder_free(). */
typedef struct deface_dicom_folder deface_dicom_folder;

/**
 * Scans `folder` recursively and reads every file's header, not its pixels.
 * Symbolic links are followed, to files and to folders; a folder or file
 * reached a second time (a link loop, or two links to one place) is read once.
 * Every path the walk meets is either read or listed as skipped with the
 * reason: not DICOM; a DICOMDIR, presentation state, secondary capture,
 * structured report or another object without a cross-sectional image; a
 * dangling symbolic link; not a regular file (FIFO, socket, device); the same
 * file or folder as one already read; or, marked unreadable
 * (deface_dicom_skipped_unreadable()), a file or folder that cannot be read
 * (permission denied, I/O error). The rest are grouped into series and each
 * series' geometry is worked out (deface_dicom_series_at() tells which can be
 * read); Rows x Columns are checked against the pixel data each file holds.
 *
 * @param out  receives the scan; free with deface_dicom_folder_free().
 * @return DEFACE_OK (also when no series was found: see
 *         deface_dicom_series_count()); DEFACE_E_INPUT when the folder cannot
 *         be read; DEFACE_E_NOMEM; DEFACE_E_USAGE for NULL arguments.
 */
deface_status deface_dicom_scan(const char *folder, deface_dicom_folder **out, char *err);

/** Frees a scan; NULL is a no-op. */
void deface_dicom_folder_free(deface_dicom_folder *folder);

/** The folder given to deface_dicom_scan(). */
const char *deface_dicom_folder_path(const deface_dicom_folder *folder);

/** Number of series found (sorted by SeriesNumber, then UID, then stack). */
size_t deface_dicom_series_count(const deface_dicom_folder *folder);

/** Series `index` (< deface_dicom_series_count()); owned by the scan. */
const deface_dicom_series_info *deface_dicom_series_at(const deface_dicom_folder *folder,
                                                       size_t index);

/** Path of file `k` (< the series' `files`) of series `index`, in the order
 * the volume is read (slices along the normal, time point after time point);
 * owned by the scan. NULL for an index out of range. For provenance: the
 * CLI's sidecar names a series by the SHA-256 of its files. */
const char *deface_dicom_series_file(const deface_dicom_folder *folder, size_t index, size_t k);

/** Number of files that were skipped. */
size_t deface_dicom_skipped_count(const deface_dicom_folder *folder);

/** Path and reason of skipped file `index`; both owned by the scan. */
const char *deface_dicom_skipped_path(const deface_dicom_folder *folder, size_t index);
const char *deface_dicom_skipped_reason(const deface_dicom_folder *folder, size_t index);

/** 1 when skipped path `index` could not be read at all (permission denied,
 * an I/O error): unlike the other skipped paths it may have held a series. */
int deface_dicom_skipped_unreadable(const deface_dicom_folder *folder, size_t index);

/**
 * Reads series `index` of a scan into a new volume: the stored values in the
 * datatype BitsAllocated/PixelRepresentation give (uint8, int8, uint16,
 * int16, uint32, int32) with RescaleSlope/RescaleIntercept as the volume's
 * scaling when every file has the same; float32 real values when they differ.
 * Transfer syntaxes: whatever dcmtk decodes (uncompressed, deflated, RLE,
 * JPEG lossless and lossy, JPEG-LS).
 *
 * @param volume  receives the volume; the caller frees it with
 *                deface_volume_free(). NULL on failure.
 * @return DEFACE_OK; DEFACE_E_REFUSED when the series is not a volume this
 *         adapter reads (the reason as in the series info); DEFACE_E_INPUT
 *         when a file has changed since the scan, cannot be decoded or is
 *         truncated; DEFACE_E_NOMEM; DEFACE_E_USAGE for a bad index.
 */
deface_status deface_dicom_load(const deface_dicom_folder *folder, size_t index,
                                deface_volume **volume, char *err);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_DICOM_H */

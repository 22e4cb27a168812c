/*
 * dicom_private.h - what the DICOM adapter's files share: the header fields
 * read from each file (dicom_scan.cpp), the scan's storage, and the series
 * assembly (dicom_series.c, plain C so that it is quick to build and test).
 */
#ifndef DEFACE_DICOM_PRIVATE_H
#define DEFACE_DICOM_PRIVATE_H

#include "deface_dicom.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The header fields of one image file that the adapter uses. */
typedef struct dicom_file {
  char *path;
  char series_uid[65];
  char sop_class[65];
  char modality[17];
  char description[257]; /* UTF-8, converted from the file's character set */
  long series_number;    /* -1 when absent */
  int rows, cols;
  int bits_allocated, bits_stored, high_bit, pixel_representation;
  int samples_per_pixel;
  long frames;  /* NumberOfFrames, 1 when absent */
  int enhanced; /* an enhanced multi-frame SOP class or per-frame groups */
  /* An enhanced multi-frame file is scanned into one entry per frame, with
   * that frame's geometry, scaling and frame content; the rest is the file's. */
  long frame;        /* 0-based frame of an enhanced file; 0 otherwise */
  size_t source;     /* index in the scan of the file's first entry (itself
                      * for a single-frame file): entries of one file share it */
  char stack_id[17]; /* FrameContentSequence > StackID, "" when absent */
  int has_ipp, has_iop, has_spacing;
  double ipp[3], iop[6], spacing[2]; /* spacing: row pitch, column pitch (mm) */
  double slope, inter;               /* 1, 0 when absent */
  long echo;                         /* EchoNumbers, 0 when absent */
  long temporal;                     /* TemporalPositionIdentifier, 0 when absent */
  long acquisition;                  /* AcquisitionNumber, 0 when absent */
  long instance;                     /* InstanceNumber, 0 when absent */
  double time;                       /* AcquisitionTime in seconds of the day, -1 when absent */
  size_t order;                      /* position in the sorted scan, a final tie-breaker */
  /* How many bytes of pixel data the file can give, checked against Rows x
   * Columns x frames before anything is allocated: the PixelData length when
   * stored uncompressed, a bound from the file's size when compressed. */
  int has_pixel_limit;
  unsigned long long pixel_limit;
} dicom_file;

/** One series being assembled: indices of its files into the scan. */
typedef struct dicom_series {
  deface_dicom_series_info info;
  size_t *members; /* file indices; after assembly in [t][k] order */
  size_t nmembers;
  int varying_scaling; /* slopes/intercepts differ between files */
  double slope, inter;
  size_t *sources; /* the distinct files (their first entries), in read order */
} dicom_series;

typedef struct dicom_skipped {
  char *path;
  char *reason;
  int unreadable; /* could not be read (permission, I/O): it might have held a series */
} dicom_skipped;

struct deface_dicom_folder {
  char *path;
  dicom_file *files;
  size_t nfiles, capfiles;
  dicom_series *series;
  size_t nseries;
  dicom_skipped *skipped;
  size_t nskipped, capskipped;
};

/**
 * Fills series->sources and info.files with the distinct files among the
 * members (frames of one enhanced file count once). Returns DEFACE_OK or
 * DEFACE_E_NOMEM.
 */
deface_status dicom_series_sources(const dicom_file *files, size_t nfiles, dicom_series *series);

/** Appends a skipped path (copies both strings); `unreadable` when it could
 * not be read at all. 0 or -1 when out of memory. */
int dicom_add_skipped(deface_dicom_folder *folder, const char *path, const char *reason,
                      int unreadable);

/**
 * Groups folder->files into series (SeriesInstanceUID, then orientation),
 * and for each works out the order of its files, its dims and matrix, or the
 * reason it cannot be read. Returns DEFACE_OK or DEFACE_E_NOMEM.
 */
deface_status dicom_assemble(deface_dicom_folder *folder, char *err);

/**
 * Works out one series' geometry from its files' headers: sorts members
 * into [t][k] order and fills info.dims, info.voxel_to_ras, status and reason.
 * Exposed for the unit test. Returns DEFACE_OK or DEFACE_E_NOMEM (a refusal
 * is recorded in the series, not returned).
 */
deface_status dicom_series_geometry(const dicom_file *files, dicom_series *series);

#ifdef __cplusplus
}
#endif
#endif

/*
 * deface.h - the one public header of libdeface, the C core of deface.
 *
 * The core takes a 3D or 4D scalar volume with its voxel-to-RAS geometry,
 * finds the face (head, eyes, nose, mouth) from the anatomy in the image,
 * and returns a label volume on the input grid:
 *   0 = untouched, 1 = face region changed, 2 = eye globes (changed),
 *   3 = ears (only when asked for).
 * It then applies a fill inside the label and checks its own result.
 *
 * The core knows nothing of files, DICOM or Slicer. It never prints, never
 * calls exit(), keeps no global mutable state and is safe to call from several
 * threads on different volumes. Every fallible call returns a deface_status and
 * writes a one-line human-readable reason into a caller-owned buffer of
 * DEFACE_ERRLEN bytes (the buffer may be NULL).
 */
#ifndef DEFACE_H
#define DEFACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this header; deface_version() gives the library's. */
#define DEFACE_VERSION "0.1.0"
/** Bytes of every caller-owned message buffer (`err`). */
#define DEFACE_ERRLEN 512

/** The library's version at run time ("MAJOR.MINOR.PATCH"); a static string.
 * A program built against this header and run against another library can
 * compare it with DEFACE_VERSION. */
const char *deface_version(void);

/** Label values written into the label volume. */
enum { DEFACE_LABEL_KEEP = 0, DEFACE_LABEL_FACE = 1, DEFACE_LABEL_EYE = 2, DEFACE_LABEL_EAR = 3 };

/**
 * What a call did. DEFACE_OK is 0, every failure non-zero; the value says
 * whose problem it is: the caller's (USAGE), the input's (INPUT, REFUSED),
 * the result's (SELFCHECK), the destination's (OUTPUT), the machine's
 * (NOMEM), the caller's wish (CANCELLED), or ours (INTERNAL). Front ends map
 * statuses to what their users see (the `deface` command: CLI/exit_codes.h);
 * the numbers are this library's own.
 */
typedef enum deface_status {
  DEFACE_OK = 0,
  DEFACE_E_INTERNAL = 1,  /**< a bug or an impossible state */
  DEFACE_E_USAGE = 2,     /**< the caller passed invalid arguments */
  DEFACE_E_INPUT = 3,     /**< unreadable or invalid input */
  DEFACE_E_REFUSED = 4,   /**< valid input that cannot be defaced */
  DEFACE_E_SELFCHECK = 5, /**< the result failed its self-check */
  DEFACE_E_OUTPUT = 6,    /**< cannot write output, or it exists */
  DEFACE_E_NOMEM = 7,     /**< out of memory or size overflow */
  DEFACE_E_CANCELLED = 8  /**< the progress callback asked to stop */
} deface_status;

/** A static English name of a status; never NULL. */
const char *deface_status_str(deface_status status);

/** Voxel datatypes: the scalar types NIfTI allows for images. */
typedef enum deface_datatype {
  DEFACE_UINT8 = 1,
  DEFACE_INT8,
  DEFACE_INT16,
  DEFACE_UINT16,
  DEFACE_INT32,
  DEFACE_UINT32,
  DEFACE_FLOAT32,
  DEFACE_FLOAT64
} deface_datatype;

/** Bytes per voxel of a datatype, 0 for an unknown one. */
size_t deface_datatype_size(deface_datatype datatype);
/** A static name ("uint8", "float32"...), "unknown" for an unknown one. */
const char *deface_datatype_name(deface_datatype datatype);

/* ------------------------------------------------------------------------ */
/* Volumes                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * A 3D or 4D scalar volume: voxels in C order with the first axis fastest
 * (NIfTI order: index = i + nx*(j + ny*(k + nz*t))), a datatype, a linear
 * scaling real = slope * stored + inter, and the 4x4 matrix that maps voxel
 * indices (i, j, k, 1) to RAS millimetres. Opaque: use the accessors.
 */
typedef struct deface_volume deface_volume;

/**
 * Allocates a zero-filled volume.
 * @param dims  nx, ny, nz, nt; every one >= 1 (nt = 1 for 3D).
 * @param voxel_to_ras  row-major 4x4 matrix; last row must be 0 0 0 1 and
 *                      the 3x3 part must be invertible.
 * @param out   receives the volume; free with deface_volume_free().
 * @return DEFACE_OK, DEFACE_E_USAGE (bad dims, datatype or matrix) or
 *         DEFACE_E_NOMEM (allocation failed or the size overflows).
 */
deface_status deface_volume_new(const size_t dims[4], deface_datatype datatype,
                                const double voxel_to_ras[4][4], deface_volume **out, char *err);

/** Frees a volume; NULL is a no-op. */
void deface_volume_free(deface_volume *volume);

/** A deep copy (voxels, geometry, scaling) into *out; caller frees. */
deface_status deface_volume_clone(const deface_volume *volume, deface_volume **out, char *err);

/** Dimensions nx, ny, nz, nt into dims. */
void deface_volume_dims(const deface_volume *volume, size_t dims[4]);
/** Voxels in one time point (nx*ny*nz). */
size_t deface_volume_voxels_3d(const deface_volume *volume);
/** Total bytes of voxel data. */
size_t deface_volume_bytes(const deface_volume *volume);
deface_datatype deface_volume_datatype(const deface_volume *volume);
/** Voxel storage, owned by the volume. */
void *deface_volume_data(deface_volume *volume);
const void *deface_volume_data_const(const deface_volume *volume);

/** The voxel-to-RAS matrix into m (row-major). */
void deface_volume_matrix(const deface_volume *volume, double m[4][4]);
/**
 * Replaces the voxel-to-RAS matrix (e.g. by the float-rounded one a file
 * header will hold), voxels untouched. DEFACE_E_USAGE if it is not a valid
 * affine; the volume is then unchanged.
 */
deface_status deface_volume_set_matrix(deface_volume *volume, const double voxel_to_ras[4][4],
                                       char *err);
/** Voxel sizes in mm, the column norms of the matrix. */
void deface_volume_spacing(const deface_volume *volume, double spacing[3]);

/** Scaling: real value = slope * stored + inter. A slope of 0 means 1. */
void deface_volume_set_scaling(deface_volume *volume, double slope, double inter);
void deface_volume_scaling(const deface_volume *volume, double *slope, double *inter);

/** Real (scaled) value of voxel `index` (0-based over all time points). */
double deface_volume_value(const deface_volume *volume, size_t index);

/* ------------------------------------------------------------------------ */
/* Defacing                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Progress callback: fraction in 0..1 and a short stage text. Return non-zero
 * to cancel; the call in progress then returns DEFACE_E_CANCELLED promptly.
 */
typedef int (*deface_progress_fn)(void *user, double fraction, const char *stage);

typedef enum deface_fill {
  DEFACE_FILL_ZERO = 0, /**< the image's air value (0 for MR, ~-1000 HU for CT) */
  DEFACE_FILL_BLUR,     /**< Gaussian blur inside the region */
  DEFACE_FILL_NOISE     /**< air-like noise */
} deface_fill;

/** The fill mode's name ("zero", "blur", "noise"). */
const char *deface_fill_name(deface_fill fill);

/** The fill mode named `name` (as deface_fill_name() gives it) into *fill.
 * @return DEFACE_OK, or DEFACE_E_USAGE for any other name (*fill unchanged). */
deface_status deface_fill_from_name(const char *name, deface_fill *fill);

/** The blur's sigma in mm: what every front end offers and the core accepts
 * (DEFACE_SIGMA_MIN_MM to DEFACE_SIGMA_MAX_MM), and the default (5 mm, as the
 * original XNAT defacing tool). */
#define DEFACE_SIGMA_MIN_MM 0.5
#define DEFACE_SIGMA_MAX_MM 50.0
#define DEFACE_SIGMA_DEFAULT_MM 5.0

typedef struct deface_options {
  /** sizeof(deface_options) where the caller was built; deface_options_init()
   * sets it. A library that does not know this size refuses the options
   * (DEFACE_E_USAGE) instead of reading past them. */
  size_t struct_size;
  deface_fill fill;
  double sigma_mm;             /**< blur sigma in mm, DEFACE_SIGMA_MIN_MM..MAX_MM; default 5 */
  uint64_t seed;               /**< noise seed; the same seed gives the same output */
  int ears;                    /**< also label the ears (3); default 0 */
  deface_progress_fn progress; /**< may be NULL */
  void *progress_user;
} deface_options;

/** Fills in struct_size and the defaults: zero fill, DEFACE_SIGMA_DEFAULT_MM,
 * seed 1, no ears, no callback. */
void deface_options_init(deface_options *options);

/** What the core found and did; filled by deface_find_face() and later calls. */
typedef struct deface_result {
  int is_ct;                   /**< the intensities look like Hounsfield units */
  double air_value;            /**< real value used for the zero fill */
  double air_noise_sd;         /**< spread of the air's values, for the noise fill */
  double tissue_threshold;     /**< real value separating head tissue from air */
  int eyes_found;              /**< both eyes located */
  double eye_ras[2][3];        /**< eye centres in RAS mm: [0] right, [1] left */
  double eye_radius_mm;        /**< globe radius used for label 2 */
  double eye_pair_score;       /**< the eye finder's score of that pair (ball-vs-shell contrast
                                    of both globes, weighed by balance, spacing and symmetry) */
  double pitch_correction_deg; /**< head nod found relative to the header's axes */
  int nose_in_view;            /**< the nose tip lies inside the field of view */
  double nose_ras[3];          /**< estimated nose tip in RAS mm */
  int mouth_in_view;           /**< the mouth level lies inside the field of view */
  /* The second localiser: the head template registered onto the input. */
  int template_registered;         /**< the registration ran and converged */
  double template_to_input[4][4];  /**< template RAS mm -> input RAS mm (12-parameter affine) */
  double template_eye_ras[2][3];   /**< the template's eye centres in the input, RAS mm */
  double template_nose_ras[3];     /**< the template's nose tip in the input, RAS mm */
  double template_similarity;      /**< NMI + 0.5 x head-mask overlap at 2 mm */
  double template_nmi;             /**< normalised mutual information, 1 (none) to 2 */
  double template_head_overlap;    /**< Dice overlap of the template's head and the input's */
  double localiser_distance_mm[2]; /**< eye finder vs template: right, left eye (mm) */
  /* The face search in what the label leaves untouched (deface_self_check). */
  int face_check_done;         /**< the search ran */
  int face_check_eye_pairs;    /**< eye-like pairs still found (must be 0) */
  double face_check_eye_score; /**< the best such pair's score (0 if none) */
  double face_check_nose_mm;   /**< how far the most nose-like point still stands out (mm) */
  size_t labelled_voxels;      /**< voxels with a non-zero label (one time point) */
  double labelled_ml;          /**< their volume in millilitres */
  size_t changed_voxels;       /**< voxels whose value changed (all time points) */
  double changed_ml;           /**< volume whose value changed, one time point, mL */
  double face_surface_changed; /**< fraction of the facial skin surface changed */
  char reason[DEFACE_ERRLEN];  /**< why it was refused or failed, else "" */
} deface_result;

/**
 * Finds the face and builds the label volume (uint8, 3D, the input's grid).
 * Refuses (DEFACE_E_REFUSED, reason in err and result->reason) when the
 * input is not defaceable: 2D or a thin slab, too small or too coarse, no
 * head, face not in view, eyes not found. For 4D input the first time point
 * is analysed and one label serves all time points.
 */
deface_status deface_find_face(const deface_volume *input, const deface_options *options,
                               deface_volume **label, deface_result *result, char *err);

/**
 * Applies the fill inside the label (label != 0) to every time point of
 * `volume`, in place. Values are written in the volume's datatype and
 * scaling, rounded and never outside the datatype's range.
 */
deface_status deface_apply_fill(deface_volume *volume, const deface_volume *label,
                                const deface_options *options, deface_result *result, char *err);

/**
 * Checks a finished result before anything is written: both eyes inside the
 * label, nothing outside the label changed, the facial surface changed, and
 * no face is left: the eye finder (both polarities) and a nose-tip test run
 * again, from scratch, on the original with everything labelled treated as
 * air; an eye-like pair or a nose standing out in front of the braincase
 * fails the check. Inputs from `result` (as deface_find_face() filled it):
 * eye_ras, pitch_correction_deg, tissue_threshold, template_registered and
 * template_to_input place the nose search; the face_check_* fields are set.
 * Returns DEFACE_E_SELFCHECK with the reason when a check fails.
 */
deface_status deface_self_check(const deface_volume *original, const deface_volume *defaced,
                                const deface_volume *label, deface_result *result, char *err);

/**
 * The whole pipeline: find the face, copy the input, fill, self-check.
 * On success *defaced and *label are new volumes the caller frees; on any
 * failure both are NULL.
 */
deface_status deface_run(const deface_volume *input, const deface_options *options,
                         deface_volume **defaced, deface_volume **label, deface_result *result,
                         char *err);

/**
 * deface_run() on the caller's own voxels: `volume` is filled in place, so
 * that no second copy of it is made (the peak memory of a run drops by a
 * whole volume). The same checks run: the unlabelled voxels are summed
 * before and after the fill instead of being compared with a copy, and the
 * labelled voxels' original bytes are kept aside. On success `volume` is the
 * defaced volume and *label a new volume the caller frees; on any failure
 * `volume` holds exactly its original values again and *label is NULL.
 */
deface_status deface_run_in_place(deface_volume *volume, const deface_options *options,
                                  deface_volume **label, deface_result *result, char *err);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_H */

/*
 * deface_dicom_module.h - the DICOM adapter as a loadable module: one
 * exported function returns a table of the adapter's functions
 * (deface_dicom.h), so that a program can dlopen() the adapter, and with it
 * dcmtk's libraries, only when it meets a DICOM folder. The `deface` command
 * does (CLI/dicom_module.c); a NIfTI run never loads dcmtk.
 */
#ifndef DEFACE_DICOM_MODULE_H
#define DEFACE_DICOM_MODULE_H

#include "deface_dicom.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The file name of the module and the name of its one exported function. */
#define DEFACE_DICOM_MODULE_FILE "libdeface_dicom.so"
#define DEFACE_DICOM_MODULE_ENTRY "deface_dicom_module_api"
/** Raised whenever the table below changes: a module of another version is refused. */
#define DEFACE_DICOM_MODULE_VERSION 1

/** The adapter's functions, as deface_dicom.h documents them. */
typedef struct deface_dicom_api {
  int version; /**< DEFACE_DICOM_MODULE_VERSION of the module */
  deface_status (*scan)(const char *folder, deface_dicom_folder **out, char *err);
  void (*folder_free)(deface_dicom_folder *folder);
  const char *(*folder_path)(const deface_dicom_folder *folder);
  size_t (*series_count)(const deface_dicom_folder *folder);
  const deface_dicom_series_info *(*series_at)(const deface_dicom_folder *folder, size_t index);
  const char *(*series_file)(const deface_dicom_folder *folder, size_t index, size_t k);
  size_t (*skipped_count)(const deface_dicom_folder *folder);
  const char *(*skipped_path)(const deface_dicom_folder *folder, size_t index);
  const char *(*skipped_reason)(const deface_dicom_folder *folder, size_t index);
  int (*skipped_unreadable)(const deface_dicom_folder *folder, size_t index);
  deface_status (*load)(const deface_dicom_folder *folder, size_t index, deface_volume **volume,
                        char *err);
} deface_dicom_api;

/** The module's table (static storage, never freed). */
typedef const deface_dicom_api *(*deface_dicom_module_fn)(void);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_DICOM_MODULE_H */

/*
 * dicom_module.c - the one function libdeface_dicom.so exports
 * (deface_dicom_module.h): the adapter's functions in a table. Everything
 * else in the module (the adapter, the core's copy it links, dcmtk's
 * references) stays hidden, so it cannot clash with the program that loads it.
 */
#include "deface_dicom_module.h"

__attribute__((visibility("default"))) const deface_dicom_api *deface_dicom_module_api(void);

const deface_dicom_api *deface_dicom_module_api(void)
{
  static const deface_dicom_api api = {
      DEFACE_DICOM_MODULE_VERSION,     deface_dicom_scan,
      deface_dicom_folder_free,        deface_dicom_folder_path,
      deface_dicom_series_count,       deface_dicom_series_at,
      deface_dicom_series_file,        deface_dicom_skipped_count,
      deface_dicom_skipped_path,       deface_dicom_skipped_reason,
      deface_dicom_skipped_unreadable, deface_dicom_load,
  };
  return &api;
}

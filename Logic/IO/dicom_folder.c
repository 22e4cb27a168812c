/*
 * dicom_folder.c - the scan's accessors and its release.
 */
#include "dicom_private.h"

#include <stdlib.h>

void deface_dicom_folder_free(deface_dicom_folder *folder)
{
  if (!folder)
    return;
  for (size_t i = 0; i < folder->nfiles; i++)
    free(folder->files[i].path);
  for (size_t s = 0; s < folder->nseries; s++) {
    free(folder->series[s].members);
    free(folder->series[s].sources);
  }
  for (size_t i = 0; i < folder->nskipped; i++) {
    free(folder->skipped[i].path);
    free(folder->skipped[i].reason);
  }
  free(folder->files);
  free(folder->series);
  free(folder->skipped);
  free(folder->path);
  free(folder);
}

const char *deface_dicom_folder_path(const deface_dicom_folder *folder)
{
  return folder ? folder->path : "";
}

size_t deface_dicom_series_count(const deface_dicom_folder *folder)
{
  return folder ? folder->nseries : 0;
}

const deface_dicom_series_info *deface_dicom_series_at(const deface_dicom_folder *folder,
                                                       size_t index)
{
  return folder && index < folder->nseries ? &folder->series[index].info : NULL;
}

const char *deface_dicom_series_file(const deface_dicom_folder *folder, size_t index, size_t k)
{
  if (!folder || index >= folder->nseries || k >= folder->series[index].info.files ||
      !folder->series[index].sources)
    return NULL;
  return folder->files[folder->series[index].sources[k]].path;
}

size_t deface_dicom_skipped_count(const deface_dicom_folder *folder)
{
  return folder ? folder->nskipped : 0;
}

const char *deface_dicom_skipped_path(const deface_dicom_folder *folder, size_t index)
{
  return folder && index < folder->nskipped ? folder->skipped[index].path : NULL;
}

const char *deface_dicom_skipped_reason(const deface_dicom_folder *folder, size_t index)
{
  return folder && index < folder->nskipped ? folder->skipped[index].reason : NULL;
}

int deface_dicom_skipped_unreadable(const deface_dicom_folder *folder, size_t index)
{
  return folder && index < folder->nskipped ? folder->skipped[index].unreadable : 0;
}

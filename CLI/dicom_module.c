/*
 * dicom_module.c - the DICOM adapter's functions (deface_dicom.h) for the
 * command, forwarded to libdeface_dicom.so, which is dlopen()ed the first
 * time a folder is read (deface_dicom_module.h). A NIfTI run never loads
 * dcmtk, which is most of the command's start-up otherwise. The rest of the
 * command calls the adapter as declared in deface_dicom.h and does not know.
 *
 * A missing or broken module is a broken installation: deface_dicom_scan()
 * says which file and why on one line and returns DEFACE_E_INTERNAL (exit
 * 1). The other functions are only reached through a folder that scan
 * returned, so the module is loaded by then.
 *
 * The module is loaded once (pthread_once) and never unloaded: the table and
 * the library are process-wide, like dcmtk's own registrations inside it.
 */
#define _POSIX_C_SOURCE 200809L
#include "deface_dicom_module.h"
#include "modules.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const deface_dicom_api *api;
static char load_error[DEFACE_ERRLEN];

static void load(void)
{
  char path[4096];
  if (module_path(DEFACE_DICOM_MODULE_FILE, path, sizeof path) != 0) {
    snprintf(load_error, sizeof load_error, "cannot load the DICOM reader: %.400s", path);
    return;
  }
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(load_error, sizeof load_error,
             "cannot load the DICOM reader: %.350s (reinstall deface, or set DEFACE_MODULE_DIR)",
             why ? why : path);
    return;
  }
  deface_dicom_module_fn entry = NULL;
  *(void **)&entry = dlsym(lib, DEFACE_DICOM_MODULE_ENTRY); /* POSIX's way to a function */
  const deface_dicom_api *table = entry ? entry() : NULL;
  if (!table || table->version != DEFACE_DICOM_MODULE_VERSION) {
    snprintf(load_error, sizeof load_error,
             "cannot load the DICOM reader: %.350s is not this version's module (reinstall deface)",
             path);
    return; /* kept loaded: unloading a library of unknown state is no safer */
  }
  api = table;
}

deface_status deface_dicom_scan(const char *folder, deface_dicom_folder **out, char *err)
{
  pthread_once(&once, load);
  if (!api) {
    if (out)
      *out = NULL;
    if (err)
      snprintf(err, DEFACE_ERRLEN, "%.150s: %.350s", folder ? folder : "", load_error);
    return DEFACE_E_INTERNAL;
  }
  return api->scan(folder, out, err);
}

void deface_dicom_folder_free(deface_dicom_folder *folder)
{
  if (folder && api)
    api->folder_free(folder);
}

const char *deface_dicom_folder_path(const deface_dicom_folder *folder)
{
  return api ? api->folder_path(folder) : "";
}

size_t deface_dicom_series_count(const deface_dicom_folder *folder)
{
  return api ? api->series_count(folder) : 0;
}

const deface_dicom_series_info *deface_dicom_series_at(const deface_dicom_folder *folder,
                                                       size_t index)
{
  return api ? api->series_at(folder, index) : NULL;
}

const char *deface_dicom_series_file(const deface_dicom_folder *folder, size_t index, size_t k)
{
  return api ? api->series_file(folder, index, k) : NULL;
}

size_t deface_dicom_skipped_count(const deface_dicom_folder *folder)
{
  return api ? api->skipped_count(folder) : 0;
}

const char *deface_dicom_skipped_path(const deface_dicom_folder *folder, size_t index)
{
  return api ? api->skipped_path(folder, index) : "";
}

const char *deface_dicom_skipped_reason(const deface_dicom_folder *folder, size_t index)
{
  return api ? api->skipped_reason(folder, index) : "";
}

int deface_dicom_skipped_unreadable(const deface_dicom_folder *folder, size_t index)
{
  return api ? api->skipped_unreadable(folder, index) : 0;
}

deface_status deface_dicom_load(const deface_dicom_folder *folder, size_t index,
                                deface_volume **volume, char *err)
{
  if (!api) {
    if (volume)
      *volume = NULL;
    if (err)
      snprintf(err, DEFACE_ERRLEN, "%s", load_error[0] ? load_error : "no DICOM folder was read");
    return DEFACE_E_INTERNAL;
  }
  return api->load(folder, index, volume, err);
}

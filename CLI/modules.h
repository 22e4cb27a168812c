/*
 * modules.h - where the parts `deface` loads only when it needs them are:
 * the DICOM module (libdeface_dicom.so) and the render process
 * (deface-render), in one folder found from the executable's own place.
 */
#ifndef DEFACE_CLI_MODULES_H
#define DEFACE_CLI_MODULES_H

#include <stddef.h>

/**
 * The path of `file` in the module folder into out: $DEFACE_MODULE_DIR when
 * set, else DEFACE_MODULE_RELDIR (e.g. ../lib/deface) from the folder of
 * /proc/self/exe, which holds in the build tree and once installed.
 * @return 0, or -1 with the reason in out (the path is not known).
 */
int module_path(const char *file, char *out, size_t size);

#endif

/*
 * outdir.h - a session's output folder (OUTDIR): what is checked before any
 * work, and making folders.
 */
#ifndef DEFACE_CLI_OUTDIR_H
#define DEFACE_CLI_OUTDIR_H

#include "args.h"

/**
 * The checks made before any work: no --label/--json/--qa (they name one
 * file), OUTDIR not inside the input folder (one path resolver: paths.h), an
 * existing OUTDIR a folder, and empty unless --force. Prints one line.
 * @return 0, or the exit code.
 */
int outdir_check(const cli_args *a);

/** mkdir -p (each new folder 0777 less the umask); 0, or -1 with errno. */
int outdir_make(const char *path);

#endif

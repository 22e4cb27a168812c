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

/**
 * Creates OUTDIR if needed, opens it (*fd) and takes its lock (*lockfd: an
 * exclusive flock on OUTDIR/.deface.lock), so that a second run into the same
 * OUTDIR refuses at once instead of mixing its files with this one's.
 * @return 0, or the exit code after one line on stderr (EXIT_OUTPUT when the
 *         folder cannot be made or another run holds it).
 */
int outdir_open(const char *path, int *fd, int *lockfd);

/** Releases the lock (the lock file goes) and closes; -1s are skipped. */
void outdir_close(const char *path, int fd, int lockfd);

/**
 * Opens OUTDIR/`name` without following a symbolic link (created first when
 * `create`): a link or a file there gives -1 with errno ELOOP or ENOTDIR, so
 * that nothing is written, or removed, through it.
 * @return the folder's descriptor (close it), or -1 with errno.
 */
int outdir_series_open(int outfd, const char *name, int create);

#endif

/*
 * paths.h - output naming (DEFACED_<name>...) and file safety checks.
 */
#ifndef DEFACE_CLI_PATHS_H
#define DEFACE_CLI_PATHS_H

#include <stddef.h>

#define CLI_PATH_MAX 4096

/** 1 if the path names a .nii or .nii.gz file name. */
int path_is_nifti(const char *path);
/** Copies path without its .nii / .nii.gz / .json ending into stem. */
void path_stem(const char *path, char *stem, size_t size);
/** Splits into directory ("." if none) and base name. */
void path_split(const char *path, char *dir, size_t dsize, char *base, size_t bsize);
/** 1 if both paths exist and are the same file. */
int path_same_file(const char *a, const char *b);
int path_exists(const char *path);
int path_is_dir(const char *path);
/** Writes text to path through a temporary file in the same folder and a
 * rename; returns 0 or -1 (errno set), leaving no temporary behind. */
int write_file_atomic(const char *path, const char *text, size_t length);

#endif

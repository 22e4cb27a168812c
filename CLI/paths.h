/*
 * paths.h - output names (DEFACED_<name>...) and the one path resolver behind
 * every "same file" and "inside the input" decision of the command.
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
int path_exists(const char *path);
int path_is_dir(const char *path);

/**
 * The absolute, symlink-free form of `path`, which need not exist: its
 * deepest existing ancestor through realpath(), the rest lexically ("." and
 * ".." and repeated slashes removed; a folder that does not exist cannot be a
 * symbolic link). 0, or -1 with errno set.
 */
int path_resolve(const char *path, char out[CLI_PATH_MAX]);

/**
 * What a file name in a folder is, whatever the spelling: its resolved
 * folder, a slash and its own name (not followed: renaming over a symbolic
 * link replaces the link). Two outputs with the same entry are one file.
 * 0, or -1 with errno set.
 */
int path_entry(const char *path, char out[CLI_PATH_MAX]);

/** 1 if `path` lies in `folder` or below it (both resolved, symbolic links
 * followed all the way: writing into a linked folder writes where it points),
 * 0 if not, -1 when either cannot be resolved (errno set). */
int path_is_inside(const char *path, const char *folder);

/** 1 if both paths exist and are one file (symbolic links followed). */
int path_same_file(const char *a, const char *b);

#endif

/*
 * session_names.h - the DEFACED_<series> folder name a series gets in a
 * session, from its DICOM text.
 */
#ifndef DEFACE_CLI_SESSION_NAMES_H
#define DEFACE_CLI_SESSION_NAMES_H

#include <stddef.h>

/**
 * The folder name a series gets from its DICOM text, for DEFACED_<name>:
 * "NUMBER_DESCRIPTION" (either part may be missing; "series" when both are)
 * reduced to [A-Za-z0-9._-]: other bytes and dots next to dots become '_',
 * runs of '_' one, it starts with a letter or digit and ends with neither
 * '_', '.' nor '-', and it has at most SESSION_NAME_MAX characters. `taken`
 * holds the `ntaken` names given so far; a name equal to one of them
 * (ignoring case) gets _2, _3... within the same bound.
 */
#define SESSION_NAME_MAX 64
void session_series_name(long number, const char *description,
                         const char (*taken)[SESSION_NAME_MAX + 1], size_t ntaken,
                         char name[SESSION_NAME_MAX + 1]);

#endif

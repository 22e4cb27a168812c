/*
 * module_args.h - FaceMasking's argv as Slicer builds it (SLICER_CLI.md):
 * [--returnparameterfile FILE] [--processinformationaddress ADDR], the
 * flagged parameters in XML order, then inputVolume and outputVolume.
 */
#ifndef FM_MODULE_ARGS_H
#define FM_MODULE_ARGS_H

#include "deface.h"
#include "module_process_info.h"

typedef struct fm_args {
  const char *input, *output, *label; /* point into argv */
  const char *return_file;            /* --returnparameterfile, or NULL */
  ModuleProcessInformation *info;     /* --processinformationaddress, or NULL */
  deface_fill fill;
  double sigma_mm;
  int ears;
  int xml, echo;
  int in_process; /* argv[0] is "slicer:..." or an address was given */
} fm_args;

/**
 * Parses argv into a (no allocation; strings point into argv). Writes a
 * one-line reason to err (DEFACE_ERRLEN bytes) on failure.
 * @return 0, or -1 on a usage error.
 */
int fm_args_parse(int argc, char *argv[], fm_args *a, char *err);

/** Prints the parsed arguments, one `name = value` a line, for --echo. */
void fm_args_echo(const fm_args *a, void *stream);

#endif /* FM_MODULE_ARGS_H */

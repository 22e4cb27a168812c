/*
 * module_args.h - FaceMasking's argv as Slicer builds it (SLICER_CLI.md), for
 * the builds without GenerateCLP (the Debian build and the Windows
 * cross-build): [--returnparameterfile FILE] [--processinformationaddress
 * ADDR], the flagged parameters in XML order, then inputVolume and
 * outputVolume. The Slicer extension build parses with GenerateCLP instead
 * (FaceMasking.cxx).
 */
#ifndef FM_MODULE_ARGS_H
#define FM_MODULE_ARGS_H

#include "module_run.h"

typedef struct fm_cli {
  fm_args run;
  int xml, echo;
} fm_cli;

/**
 * Parses argv into c (no allocation; strings point into argv). Writes a
 * one-line reason to err (DEFACE_ERRLEN bytes) on failure.
 * @return 0, or -1 on a usage error.
 */
int fm_args_parse(int argc, char *argv[], fm_cli *c, char *err);

/** The parsed arguments, one `name = value` a line, for --echo. */
void fm_args_echo(const fm_cli *c, const fm_sink *sink);

#endif /* FM_MODULE_ARGS_H */

/*
 * module_run.h - one run of the FaceMasking module, whatever built its
 * arguments: the Debian build's own parser (module_args.c, ModuleEntryPoint in
 * module_entry.c) or GenerateCLP's PARSE_ARGS in the Slicer extension build
 * (FaceMasking.cxx). No defacing logic here: read, call the core, write,
 * report.
 */
#ifndef FM_MODULE_RUN_H
#define FM_MODULE_RUN_H

#include "deface.h"
#include "module_process_info.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What Slicer asked for (strings point into argv or the caller's storage). */
typedef struct fm_args {
  const char *input, *output, *label; /* label may be NULL */
  const char *return_file;            /* --returnparameterfile, or NULL */
  fm_process_info *info;              /* --processinformationaddress, or NULL */
  deface_fill fill;
  double sigma_mm;
  int ears;
  int in_process; /* inside Slicer's process: no progress tags on stdout, Abort honoured */
} fm_args;

/* Where the module's messages go: one line (ending in '\n') a call; is_error
 * selects Slicer's error text (std::cerr / stderr) over its output text. */
typedef struct fm_sink {
  void (*write)(void *ctx, int is_error, const char *line);
  void *ctx;
} fm_sink;

/* Exit codes, documented in Module/README.md. Slicer shows any non-zero
 * one as "Completed with errors" with the error text. */
enum {
  FM_EXIT_OK = 0,
  FM_EXIT_INTERNAL = 1, /* a bug, out of memory */
  FM_EXIT_USAGE = 2,    /* the module's arguments */
  FM_EXIT_INPUT = 3,
  FM_EXIT_REFUSED = 4,
  FM_EXIT_SELFCHECK = 5,
  FM_EXIT_OUTPUT = 6,
  FM_EXIT_CANCELLED = 8 /* executable only; in-process a cancel returns 0 (see module_run.c) */
};

/* Defaults: zero fill, 5 mm, no ears, nothing else set. */
void fm_args_init(fm_args *a);

/* Runs the module once; returns the exit code. Prints nothing but through
 * `sink` (and progress tags on stdout when not in-process). */
int fm_module_run(const fm_args *a, const fm_sink *sink);

/* The sink for C builds: stderr/stdout for the executable; in-process the
 * C++ runtime's std::cerr/std::cout, which Slicer redirects (module_message.c). */
void fm_default_sink(fm_sink *sink, int in_process);

#ifdef __cplusplus
}
#endif
#endif /* FM_MODULE_RUN_H */

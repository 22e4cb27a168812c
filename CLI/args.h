/*
 * args.h - the command line of `deface`.
 */
#ifndef DEFACE_CLI_ARGS_H
#define DEFACE_CLI_ARGS_H

#include "deface.h"

typedef struct cli_args {
  const char *input;
  const char *output; /* -o */
  const char *label;  /* --label */
  const char *json;   /* --json */
  const char *qa;     /* --qa: the QA picture (PNG) of a file or series */
  int no_qa;          /* --no-qa: a session renders no QA pictures */
  deface_fill fill;
  double sigma_mm;
  int force, quiet, verbose, ears;
  int jobs; /* --jobs: series at once in a session; 0 = the number of online cores */
  unsigned long seed;
} cli_args;

/** Parses argv; returns 0, 1 for --help/--version already answered, or -1
 * after printing a one-line usage error to stderr. */
int cli_parse(int argc, char **argv, cli_args *args);

#endif

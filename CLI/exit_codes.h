/*
 * exit_codes.h - the exit codes of the `deface` command, and the one mapping
 * from the libraries' statuses to them. The libraries' deface_status values
 * are their own (deface.h); only this file decides what a shell sees.
 */
#ifndef DEFACE_CLI_EXIT_CODES_H
#define DEFACE_CLI_EXIT_CODES_H

#include "deface.h"

enum {
  EXIT_DONE = 0,      /* defaced (a session: every series defaced or refused) */
  EXIT_INTERNAL = 1,  /* internal error, out of memory; a session: a series ended in an error */
  EXIT_USAGE = 2,     /* the command line is wrong (only the command line's own checks) */
  EXIT_INPUT = 3,     /* unreadable or invalid input */
  EXIT_REFUSED = 4,   /* refused as not defaceable */
  EXIT_SELFCHECK = 5, /* the self-check failed: nothing written */
  EXIT_OUTPUT = 6     /* cannot write an output, or it exists without --force */
};
/* An interrupted run (SIGINT, SIGTERM, SIGHUP) removes its temporary files
 * and ends by the same signal, so a shell sees 128 + the signal's number
 * (interrupt.h). */

/**
 * The exit code of a library status. A library's DEFACE_E_USAGE is a broken
 * invariant between our own parts and DEFACE_E_NOMEM no fault of the input:
 * both are internal errors, as is a cancellation nobody asked for.
 */
int exit_code(deface_status status);

#endif

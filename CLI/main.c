/*
 * main.c - the `deface` command: parses argv and picks the mode from INPUT
 * and -o: file mode (a NIfTI file) and series mode (a folder, -o naming a
 * NIfTI file) in single.c, session mode (a folder, -o naming a folder) in
 * session.c. The exit codes are exit_codes.h's.
 */
#define _POSIX_C_SOURCE 200809L
#include "args.h"
#include "deface.h"
#include "deface_write.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "paths.h"
#include "qa.h"
#include "single.h"
#ifdef DEFACE_WITH_DICOM
#include "session.h"
#endif

#include <stdio.h>

static int run(const cli_args *a, deface_writer *writer)
{
  if (a->qa && !qa_available()) {
    fprintf(stderr, "deface: --qa: QA pictures are not built into this version "
                    "(configure with -DDEFACE_BUILD_RENDER=ON)\n");
    return EXIT_USAGE;
  }
  if (path_is_dir(a->input)) {
#ifdef DEFACE_WITH_DICOM
    /* A folder has no natural output name; -o says which mode: a NIfTI file
     * name takes one series, anything else is the OUTDIR of a session. */
    if (!a->output) {
      fprintf(stderr,
              "deface: %s: a DICOM folder needs -o OUT.nii.gz (one series) or "
              "-o OUTDIR (every series in it)\n",
              a->input);
      return EXIT_USAGE;
    }
    return path_is_nifti(a->output) ? single_run_series(a, writer) : session_run(a, writer);
#else
    fprintf(stderr,
            "deface: %s: is a folder; DICOM input is not built into this version "
            "(configure with -DDEFACE_BUILD_DICOM=ON, or give a .nii or .nii.gz file)\n",
            a->input);
    return EXIT_INPUT;
#endif
  }
  if (!path_is_nifti(a->input)) {
    fprintf(stderr, "deface: %s: not a NIfTI file name (.nii or .nii.gz expected)\n", a->input);
    return EXIT_INPUT;
  }
  return single_run_file(a, writer);
}

int main(int argc, char **argv)
{
  cli_args a;
  int parsed = cli_parse(argc, argv, &a);
  if (parsed != 0)
    return parsed > 0 ? EXIT_DONE : EXIT_USAGE;
  char err[DEFACE_ERRLEN] = "";
  deface_writer *writer = NULL;
  if (deface_writer_new(&writer, err) != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    return EXIT_INTERNAL;
  }
  if (interrupt_begin(writer) != 0)
    fprintf(stderr, "deface: cannot start the signal thread: an interrupted run may leave "
                    "temporary files\n");
  int code = run(&a, writer);
  qa_display_end(); /* the Xvfb started for the pictures, if any */
  if (interrupt_signal() && code == EXIT_DONE)
    fprintf(stderr, "deface: %s: %s came after the outputs were complete: they stand\n", a.input,
            interrupt_name(interrupt_signal()));
  interrupt_end(); /* after a signal: ends by it, as the shell expects */
  deface_writer_free(writer);
  return code;
}

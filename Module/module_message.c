/*
 * module_message.c - where the module's messages reach the user
 * (fm_default_sink in module_run.h).
 *
 * The executable writes to stderr and stdout: Slicer shows stderr as the
 * module's error text and keeps stdout (less the progress tags) as its output
 * text. In-process, Slicer points std::cerr and std::cout at string streams
 * around the call to ModuleEntryPoint and shows what they received
 * (vtkSlicerCLIModuleLogic::ApplyTask); C's stdio is not captured. The
 * library must not import anything from Slicer's process at link time, so it
 * looks the two streams up at run time instead: `std::cerr`/`std::cout` and
 * `operator<<(std::ostream&, const char*)` from the C++ runtime already loaded
 * there (GNU libstdc++'s stable, versioned ABI; the call passes the stream as
 * the first argument, as the Itanium C++ ABI does for references). When no
 * C++ runtime is loaded (a C host), or on other platforms, the messages go to
 * stderr/stdout. The Slicer extension build does not use this file: its
 * FaceMasking.cxx writes to std::cerr directly.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "module_run.h"

#include <stdio.h>
#include <string.h>

#if defined(__GLIBC__)
#include <dlfcn.h>
#define FM_HAVE_RUNTIME_LOOKUP 1
#endif

static void stdio_write(void *ctx, int is_error, const char *line)
{
  (void)ctx;
  FILE *f = is_error ? stderr : stdout;
  fputs(line, f);
  fflush(f);
}

#if defined(FM_HAVE_RUNTIME_LOOKUP)
/* std::ostream& std::operator<<(std::ostream&, const char*), as a C function. */
typedef void *(*ostream_insert_fn)(void *stream, const char *text);

/* 0 when the line went to the C++ runtime's stream; -1 when there is none. */
static int cxx_stream_write(int is_error, const char *line)
{
  void *stream = dlsym(RTLD_DEFAULT, is_error ? "_ZSt4cerr" : "_ZSt4cout");
  void *insert = dlsym(RTLD_DEFAULT, "_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc");
  if (!stream || !insert)
    return -1;
  ostream_insert_fn fn;
  memcpy(&fn, &insert, sizeof fn); /* ISO C has no object-to-function pointer cast */
  fn(stream, line);
  return 0;
}
#endif

static void in_process_write(void *ctx, int is_error, const char *line)
{
#if defined(FM_HAVE_RUNTIME_LOOKUP)
  if (cxx_stream_write(is_error, line) == 0)
    return;
#endif
  stdio_write(ctx, is_error, line);
}

void fm_default_sink(fm_sink *sink, int in_process)
{
  sink->write = in_process ? in_process_write : stdio_write;
  sink->ctx = NULL;
}

/*
 * module_entry.c - ModuleEntryPoint of the FaceMasking module for the builds
 * without GenerateCLP (the Debian build's executable and libFaceMaskingLib,
 * the Windows cross-build): parse Slicer's argv, answer --xml, run.
 *
 * Slicer takes the module's description from the XMLModuleDescription array
 * (generated from FaceMasking.xml by embed_xml.cmake) and calls this function
 * with argv[0] = "slicer:0x..." when the library is loaded in its process.
 */
#include "module_args.h"
#include "module_export.h"

#include <stdio.h>

/* Generated at build time from FaceMasking.xml (embed_xml.cmake). */
extern char XMLModuleDescription[];
FM_EXPORT int ModuleEntryPoint(int argc, char *argv[]);

FM_EXPORT int ModuleEntryPoint(int argc, char *argv[])
{
  char err[DEFACE_ERRLEN] = "";
  fm_cli c;
  int parsed = fm_args_parse(argc, argv, &c, err);
  fm_sink sink;
  fm_default_sink(&sink, c.run.in_process);
  if (parsed != 0) {
    char line[DEFACE_ERRLEN + 32];
    snprintf(line, sizeof line, "FaceMasking: %s\n", err);
    sink.write(sink.ctx, 1, line);
    return FM_EXIT_USAGE;
  }
  if (c.xml) {
    if (c.run.in_process)
      return 0; /* Slicer reads the XMLModuleDescription symbol instead */
    fputs(XMLModuleDescription, stdout);
    return fflush(stdout) == 0 ? 0 : FM_EXIT_OUTPUT;
  }
  if (c.echo)
    fm_args_echo(&c, &sink);
  return fm_module_run(&c.run, &sink);
}

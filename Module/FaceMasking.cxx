/*
 * FaceMasking.cxx - the module's entry point in the Slicer extension build:
 * GenerateCLP's PARSE_ARGS (FaceMaskingCLP.h, generated from FaceMasking.xml)
 * parses Slicer's arguments, module_run.c does the rest. SlicerExecutionModel
 * compiles this file twice: as the FaceMasking executable's main and, with
 * -Dmain=ModuleEntryPoint, into the loadable FaceMaskingLib, whose
 * XMLModuleDescription GenerateCLP also writes.
 *
 * Messages go to std::cerr and std::cout, which Slicer shows as the error and
 * output text (in-process it redirects them; the executable's are its stderr
 * and stdout). Here the module links Slicer's own C++ runtime and ITK, so
 * unlike the Debian build's library it can use them directly.
 */
#include "FaceMaskingCLP.h"

#include "module_run.h"

#include <cstddef>
#include <cstring>
#include <iostream>

namespace
{

static_assert(offsetof(ModuleProcessInformation, Abort) == offsetof(fm_process_info, Abort) &&
                  offsetof(ModuleProcessInformation, Progress) ==
                      offsetof(fm_process_info, Progress) &&
                  offsetof(ModuleProcessInformation, ProgressMessage) ==
                      offsetof(fm_process_info, ProgressMessage) &&
                  offsetof(ModuleProcessInformation, ProgressCallbackFunction) ==
                      offsetof(fm_process_info, ProgressCallbackFunction) &&
                  offsetof(ModuleProcessInformation, ProgressCallbackClientData) ==
                      offsetof(fm_process_info, ProgressCallbackClientData) &&
                  offsetof(ModuleProcessInformation, ElapsedTime) ==
                      offsetof(fm_process_info, ElapsedTime),
              "module_process_info.h must keep SlicerExecutionModel's layout");

void write_stream(void *, int is_error, const char *line)
{
  (is_error ? std::cerr : std::cout) << line << std::flush;
}

} // namespace

int main(int argc, char *argv[])
{
  PARSE_ARGS;
  fm_sink sink = {write_stream, nullptr};
  fm_args a;
  fm_args_init(&a);
  a.input = inputVolume.c_str();
  a.output = outputVolume.c_str();
  a.label = outputLabel.empty() ? nullptr : outputLabel.c_str();
  a.return_file = returnParameterFile.empty() ? nullptr : returnParameterFile.c_str();
  a.info = reinterpret_cast<fm_process_info *>(CLPProcessInformation);
  a.in_process = CLPProcessInformation != nullptr || std::strncmp(argv[0], "slicer:", 7) == 0;
  a.ears = ears ? 1 : 0;
  /* TCLAP enforces the enumeration; the XML's sigma constraints guide only
   * Slicer's slider, so they are checked here as the Debian build does. */
  if (fill == "blur")
    a.fill = DEFACE_FILL_BLUR;
  else if (fill == "noise")
    a.fill = DEFACE_FILL_NOISE;
  if (!(sigma >= 0.5 && sigma <= 50)) {
    std::cerr << "FaceMasking: --sigma: expected a number of mm from 0.5 to 50, not " << sigma
              << std::endl;
    return FM_EXIT_USAGE;
  }
  a.sigma_mm = sigma;
  return fm_module_run(&a, &sink);
}

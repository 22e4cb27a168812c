/*
 * test_module_host.cxx - loads a FaceMasking library the way 3D Slicer does
 * and runs it in this process, as vtkSlicerCLIModuleLogic::ApplyTask runs a
 * SharedObjectModule:
 *  - dlopen with RTLD_LAZY | RTLD_LOCAL (QLibrary's default hints), the XML
 *    from the XMLModuleDescription array, ModuleEntryPoint called with
 *    argv[0] = "slicer:0x...", --processinformationaddress first, then
 *    --returnparameterfile, the flagged parameters in XML order, the indexed
 *    ones;
 *  - std::cout and std::cerr pointed at string streams around the call (what
 *    Slicer shows as the module's output and error text);
 *  - Slicer's status from the return value: Cancel sets Abort and the status
 *    Cancelling, which becomes "Cancelled" unless the module returns non-zero
 *    ("Completed with errors"), and only 0 is "Completed".
 * Built twice: plain, and linked to the stand-in library that defines the
 * symbols Slicer's process holds (make_standin.cmake), so a module that binds
 * to any of them by name stops with exit code 99.
 *
 *   test_module_host LIB INPUT.nrrd FLAT2D.nrrd WORKDIR [--sem]
 * --sem: the library was built by SlicerExecutionModel (GenerateCLP writes the
 * XML array line by line, ending with an extra newline).
 * Runs: a full run (blur); Cancel at 30%; a missing input; a 2D slice that
 * must be refused. Leaves the full run's outputs in WORKDIR (full_*.nrrd,
 * full_returnparameters.txt) for the driver to check with ITK.
 */
#include "check.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <clocale>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace
{

/* Slicer's ModuleProcessInformation, declared independently of Module/. */
struct ModuleProcessInformation {
  unsigned char Abort;
  float Progress, StageProgress;
  char ProgressMessage[1024];
  void (*ProgressCallbackFunction)(void *);
  void *ProgressCallbackClientData;
  double ElapsedTime;
};
static_assert(offsetof(ModuleProcessInformation, Progress) == 4, "Slicer's layout");
static_assert(offsetof(ModuleProcessInformation, ProgressMessage) == 12, "Slicer's layout");
static_assert(offsetof(ModuleProcessInformation, ProgressCallbackFunction) == 1040,
              "Slicer's layout");

using entry_fn = int (*)(int, char **);
using clock_type = std::chrono::steady_clock;

struct Run {
  ModuleProcessInformation *info = nullptr;
  float abort_at = 2.0f; /* press Cancel when Progress reaches this */
  bool cancelling = false;
  clock_type::time_point aborted;
  int calls = 0;
  bool went_back = false, saw_message = false;
  float first = 0, last = 0;
  int rc = -1;
  std::string out, err, fd_out, fd_err, status;
};

void on_progress(void *client)
{
  Run *r = static_cast<Run *>(client);
  float p = r->info->Progress;
  if (r->calls == 0)
    r->first = p;
  else if (p < r->last)
    r->went_back = true;
  r->last = p;
  r->calls++;
  if (r->info->ProgressMessage[0])
    r->saw_message = true;
  if (!r->cancelling && p >= r->abort_at) {
    /* vtkMRMLCommandLineModuleNode::Cancel: status Cancelling, which sets Abort. */
    r->cancelling = true;
    r->info->Abort = 1;
    r->aborted = clock_type::now();
  }
}

/* vtkSlicerCLIModuleLogic::ApplyTask after the module returns. */
std::string slicer_status(int rc, bool cancelling)
{
  std::string status = cancelling ? "Cancelled" : "Completing";
  if (rc != 0)
    status = "Completed with errors";
  else if (status == "Completing")
    status = "Completed"; /* after the outputs are read back */
  return status;
}

std::string read_file(const std::string &path)
{
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return f ? s.str() : std::string("\x01missing");
}

bool exists(const std::string &path)
{
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

/* Temporary files the module left behind (its ".fm" prefix). */
int leftovers(const std::string &dir)
{
  int n = 0;
  if (DIR *d = opendir(dir.c_str())) {
    while (dirent *e = readdir(d))
      n += std::strncmp(e->d_name, ".fm", 3) == 0;
    closedir(d);
  }
  return n;
}

int capture(int fd, const std::string &file)
{
  std::fflush(nullptr);
  int saved = dup(fd);
  int f = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(f, fd);
  close(f);
  return saved;
}

void restore(int fd, int saved)
{
  std::fflush(nullptr);
  dup2(saved, fd);
  close(saved);
}

void run(entry_fn entry, Run &r, const std::string &input, const std::string &out,
         const std::string &label, const std::string &rp, const std::string &dir)
{
  ModuleProcessInformation info;
  std::memset(&info, 0, sizeof info);
  info.ProgressCallbackFunction = on_progress;
  info.ProgressCallbackClientData = &r;
  r.info = &info;
  char self[64], addr[64];
  std::snprintf(self, sizeof self, "slicer:%p", reinterpret_cast<void *>(entry));
  std::snprintf(addr, sizeof addr, "%p", static_cast<void *>(&info));
  std::vector<std::string> args = {self,   "--processinformationaddress",
                                   addr,   "--returnparameterfile",
                                   rp,     "--outputLabel",
                                   label,  "--fill",
                                   "blur", "--sigma",
                                   "5",    input,
                                   out};
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(&a[0]);
  argv.push_back(nullptr);

  std::ostringstream cout_text, cerr_text;
  int so = capture(1, dir + "/fd1.txt"), se = capture(2, dir + "/fd2.txt");
  std::streambuf *oc = std::cout.rdbuf(cout_text.rdbuf());
  std::streambuf *ec = std::cerr.rdbuf(cerr_text.rdbuf());
  r.rc = entry(static_cast<int>(args.size()), argv.data());
  std::cout.rdbuf(oc);
  std::cerr.rdbuf(ec);
  restore(1, so);
  restore(2, se);
  r.out = cout_text.str();
  r.err = cerr_text.str();
  r.fd_out = read_file(dir + "/fd1.txt");
  r.fd_err = read_file(dir + "/fd2.txt");
  r.status = slicer_status(r.rc, r.cancelling);
  r.info = nullptr;
  std::printf("rc %d -> Slicer shows \"%s\"; %d progress calls\n  output text: %s  error text: %s",
              r.rc, r.status.c_str(), r.calls, r.out.empty() ? "(none)\n" : r.out.c_str(),
              r.err.empty() ? "(none)\n" : r.err.c_str());
  if (!r.fd_out.empty() || !r.fd_err.empty())
    std::printf("  printed outside the C++ streams: [%s] [%s]\n", r.fd_out.c_str(),
                r.fd_err.c_str());
}

size_t count(const std::string &s, char c)
{
  size_t n = 0;
  for (char x : s)
    n += x == c;
  return n;
}

std::string line_of(const std::string &text, const std::string &key)
{
  size_t at = text.find(key);
  if (at == std::string::npos)
    return "";
  size_t end = text.find('\n', at);
  return text.substr(at + key.size(),
                     end == std::string::npos ? std::string::npos : end - at - key.size());
}

} // namespace

int main(int argc, char **argv)
{
  if (argc < 5) {
    std::fprintf(stderr, "usage: test_module_host LIB INPUT.nrrd FLAT2D.nrrd WORKDIR [--sem]\n");
    return 2;
  }
  const std::string lib = argv[1], input = argv[2], flat = argv[3], dir = argv[4];
  const bool sem = argc > 5 && std::strcmp(argv[5], "--sem") == 0;
  std::setlocale(LC_ALL, ""); /* the driver may ask for a decimal-comma locale */
  std::printf("locale: LC_NUMERIC %s, decimal point '%s'\n", std::setlocale(LC_NUMERIC, nullptr),
              std::localeconv()->decimal_point);

  void *handle = dlopen(lib.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (!handle) {
    std::fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  const char *xml = static_cast<const char *>(dlsym(handle, "XMLModuleDescription"));
  entry_fn entry = reinterpret_cast<entry_fn>(dlsym(handle, "ModuleEntryPoint"));
  CHECK(xml != nullptr && entry != nullptr);
  if (!xml || !entry)
    return check_report();
  CHECK(std::strncmp(xml, "<?xml ", 6) == 0);
  CHECK(std::strstr(xml, "<title>Face Masking (Deface)</title>") != nullptr);
  std::string beside = read_file(lib.substr(0, lib.rfind('/')) + "/FaceMasking.xml");
  std::string text = xml;
  if (sem && text.size() == beside.size() + 1 && text.back() == '\n')
    text.pop_back(); /* GenerateCLP adds a newline after the file's last line */
  CHECK(text == beside);

  const std::string out = dir + "/CDEFG_vtkMRMLScalarVolumeNodeC.nrrd",
                    label = dir + "/DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd",
                    rp = dir + "/EFGHI_returnparameters.params";

  std::printf("1. a full run\n");
  Run full;
  auto t0 = clock_type::now();
  run(entry, full, input, out, label, rp, dir);
  std::printf("  %.2f s\n", std::chrono::duration<double>(clock_type::now() - t0).count());
  CHECK(full.rc == 0 && full.status == "Completed");
  CHECK(full.calls >= 5 && full.first <= 0.01f && full.last >= 0.999f && !full.went_back &&
        full.saw_message);
  CHECK(full.err.empty());
  CHECK(full.out.find("defaced") != std::string::npos &&
        full.out.find("input volume (Slicer node vtkMRMLScalarVolumeNode1)") != std::string::npos);
  CHECK(full.fd_out.empty() && full.fd_err.empty()); /* nothing on C stdio in-process */
  CHECK(exists(out) && exists(label) && leftovers(dir) == 0);
  std::string params = read_file(rp);
  CHECK(params.find("status = defaced\n") != std::string::npos &&
        params.find("reason = \n") != std::string::npos);
  for (const char *eye : {"rightEye = ", "leftEye = "}) {
    std::string v = line_of(params, eye);
    /* "x,y,z" with '.' decimals whatever the locale: exactly two commas */
    CHECK(!v.empty() && count(v, ',') == 2 && v.find_first_not_of("0123456789.,-e+") == v.npos);
  }
  std::rename(out.c_str(), (dir + "/full_defaced.nrrd").c_str());
  std::rename(label.c_str(), (dir + "/full_label.nrrd").c_str());
  std::rename(rp.c_str(), (dir + "/full_returnparameters.txt").c_str());

  std::printf("2. Cancel at 30%%\n");
  Run cancelled;
  cancelled.abort_at = 0.3f;
  run(entry, cancelled, input, out, label, rp, dir);
  double lag = std::chrono::duration<double>(clock_type::now() - cancelled.aborted).count();
  std::printf("  returned %.3f s after Cancel\n", lag);
  CHECK(cancelled.cancelling && cancelled.status == "Cancelled" && cancelled.rc == 0);
  CHECK(lag < 1.0);
  CHECK(!exists(out) && !exists(label) && leftovers(dir) == 0);
  CHECK(cancelled.err.empty() && cancelled.out.find("cancelled") != std::string::npos);
  CHECK(read_file(rp).find("status = cancelled\n") != std::string::npos);

  std::printf("3. a missing input\n");
  Run missing;
  run(entry, missing, dir + "/BCDEF_vtkMRMLScalarVolumeNodeBF.nrrd", out, label, rp, dir);
  CHECK(missing.rc == 3 && missing.status == "Completed with errors");
  CHECK(missing.err.find("FaceMasking: input volume (Slicer node vtkMRMLScalarVolumeNode15): "
                         "cannot read it: ") == 0);
  CHECK(missing.err.find(dir) == std::string::npos); /* the node, not Slicer's file name */
  CHECK(!exists(out) && !exists(label) && leftovers(dir) == 0);

  std::printf("4. a 2D slice\n");
  Run refused;
  run(entry, refused, flat, out, label, rp, dir);
  CHECK(refused.rc == 4 && refused.status == "Completed with errors");
  CHECK(refused.err.find("refused, nothing written: ") != std::string::npos &&
        count(refused.err, '\n') == 1);
  CHECK(!exists(out) && !exists(label) && leftovers(dir) == 0);
  CHECK(read_file(rp).find("status = refused\n") != std::string::npos);

  dlclose(handle);
  std::printf("host alive after four in-process runs\n");
  return check_report();
}

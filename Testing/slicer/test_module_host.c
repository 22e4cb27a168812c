/*
 * test_module_host.c - loads libFaceMaskingLib.so the way Slicer's
 * qSlicerCLILoadableModuleFactory does and runs it in this process:
 * the XML from the XMLModuleDescription array symbol, ModuleEntryPoint called
 * with argv[0] = "slicer:0x..." and --processinformationaddress pointing to a
 * ModuleProcessInformation declared here with Slicer's layout.
 *
 *   test_module_host LIB.so INPUT.nrrd WORKDIR
 * Checks: the XML symbol is the text of FaceMasking.xml beside the library;
 * a full run reports rising progress 0..1 through the callback, prints nothing
 * on stdout and writes the outputs and return parameters; a run whose
 * callback sets Abort midway returns non-zero within a second and leaves no
 * output; a missing input returns non-zero; the process is alive after all.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Slicer's ModuleProcessInformation (SLICER_CLI.md), declared independently of Module/. */
struct ModuleProcessInformation {
  unsigned char Abort;
  float Progress, StageProgress;
  char ProgressMessage[1024];
  void (*ProgressCallbackFunction)(void *);
  void *ProgressCallbackClientData;
  double ElapsedTime;
};
_Static_assert(offsetof(struct ModuleProcessInformation, Progress) == 4, "Slicer's layout");
_Static_assert(offsetof(struct ModuleProcessInformation, ProgressMessage) == 12, "Slicer's layout");
_Static_assert(offsetof(struct ModuleProcessInformation, ProgressCallbackFunction) == 1040,
               "Slicer's layout");

typedef int (*entry_fn)(int, char **);

typedef struct host {
  struct ModuleProcessInformation *info;
  int calls, went_back, saw_message;
  float first, last;
  float abort_at; /* set Abort when Progress reaches this; > 1 = never */
  struct timespec aborted;
} host;

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void on_progress(void *client)
{
  host *h = client;
  float p = h->info->Progress;
  if (h->calls == 0)
    h->first = p;
  else if (p < h->last)
    h->went_back = 1;
  h->last = p;
  h->calls++;
  if (h->info->ProgressMessage[0])
    h->saw_message = 1;
  if (!h->info->Abort && p >= h->abort_at) {
    h->info->Abort = 1;
    clock_gettime(CLOCK_MONOTONIC, &h->aborted);
  }
}

static int exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

static char *read_text(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *s = calloc(1, 1 << 16);
  size_t n = s ? fread(s, 1, (1 << 16) - 1, f) : 0;
  (void)n;
  fclose(f);
  return s;
}

/* Runs ModuleEntryPoint as Slicer does, with stdout captured to check it stays empty. */
static int run(entry_fn entry, host *h, const char *input, const char *out, const char *label,
               const char *rp, const char *stdout_file)
{
  struct ModuleProcessInformation info;
  memset(&info, 0, sizeof info);
  info.ProgressCallbackFunction = on_progress;
  info.ProgressCallbackClientData = h;
  h->info = &info;
  char self[64], addr[64];
  snprintf(self, sizeof self, "slicer:%p", (void *)h);
  snprintf(addr, sizeof addr, "%p", (void *)&info);
  char *argv[] = {self,          "--returnparameterfile",
                  (char *)rp,    "--processinformationaddress",
                  addr,          "--outputLabel",
                  (char *)label, "--fill",
                  "blur",        "--sigma",
                  "5",           (char *)input,
                  (char *)out,   NULL};
  int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
  fflush(stdout);
  int saved = dup(STDOUT_FILENO);
  int fd = open(stdout_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, STDOUT_FILENO);
  close(fd);
  int rc = entry(argc, argv);
  fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  h->info = NULL;
  return rc;
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: test_module_host LIB.so INPUT.nrrd WORKDIR\n");
    return 2;
  }
  const char *lib = argv[1], *input = argv[2], *dir = argv[3];
  void *handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  /* Slicer takes the symbol's address as the string. */
  const char *xml = dlsym(handle, "XMLModuleDescription");
  entry_fn entry;
  *(void **)&entry = dlsym(handle, "ModuleEntryPoint");
  CHECK(xml != NULL && entry != NULL);
  if (!xml || !entry)
    return 1;
  CHECK(strncmp(xml, "<?xml ", 6) == 0);
  CHECK(strstr(xml, "<title>Face Masking (Deface)</title>") != NULL);
  char path[4096];
  snprintf(path, sizeof path, "%.*s/FaceMasking.xml", (int)(strrchr(lib, '/') - lib), lib);
  char *beside = read_text(path);
  CHECK(beside != NULL && strcmp(beside, xml) == 0);
  free(beside);

  char out[4096], label[4096], rp[4096], so[4096];
  snprintf(out, sizeof out, "%s/CDEFG_vtkMRMLScalarVolumeNodeC.nrrd", dir);
  snprintf(label, sizeof label, "%s/DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd", dir);
  snprintf(rp, sizeof rp, "%s/returnparameters.txt", dir);
  snprintf(so, sizeof so, "%s/stdout.txt", dir);

  /* 1. A full run. */
  host h;
  memset(&h, 0, sizeof h);
  h.abort_at = 2.0f;
  double t0 = now();
  int rc = run(entry, &h, input, out, label, rp, so);
  printf("full run: rc %d, %d progress calls, %.3f -> %.3f, %.2f s\n", rc, h.calls, h.first, h.last,
         now() - t0);
  CHECK(rc == 0);
  CHECK(h.calls >= 5 && h.first <= 0.01f && h.last >= 0.999f && !h.went_back && h.saw_message);
  CHECK(exists(out) && exists(label));
  char *text = read_text(rp);
  CHECK(text && strstr(text, "status = defaced\n") && strstr(text, "rightEye = ") &&
        strstr(text, "leftEye = ") && strstr(text, "reason = \n"));
  free(text);
  text = read_text(so);
  CHECK(text && text[0] == '\0'); /* in-process: nothing on stdout */
  free(text);
  unlink(out);
  unlink(label);
  unlink(rp);

  /* 2. Cancel midway: prompt non-zero return, no outputs. */
  memset(&h, 0, sizeof h);
  h.abort_at = 0.3f;
  rc = run(entry, &h, input, out, label, rp, so);
  double lag = now() - ((double)h.aborted.tv_sec + 1e-9 * (double)h.aborted.tv_nsec);
  printf("cancelled run: rc %d after %.3f s from Abort, %d progress calls\n", rc, lag, h.calls);
  CHECK(h.aborted.tv_sec != 0);
  CHECK(rc != 0);
  CHECK(lag < 1.0);
  CHECK(!exists(out) && !exists(label));
  text = read_text(rp);
  CHECK(text && strstr(text, "status = cancelled\n"));
  free(text);

  /* 3. A missing input, after a cancelled run (no state carried over). */
  memset(&h, 0, sizeof h);
  h.abort_at = 2.0f;
  snprintf(path, sizeof path, "%s/missing_vtkMRMLScalarVolumeNodeX.nrrd", dir);
  rc = run(entry, &h, path, out, label, rp, so);
  printf("missing input: rc %d\n", rc);
  CHECK(rc != 0);
  CHECK(!exists(out) && !exists(label));
  text = read_text(rp);
  CHECK(text && strstr(text, "status = error\n") && strstr(text, "missing_vtkMRML"));
  free(text);

  dlclose(handle);
  printf("host alive after three in-process runs\n");
  return check_report();
}

/*
 * module_entry.c - ModuleEntryPoint of the FaceMasking Slicer CLI module:
 * read the input through ITK, run the core, write the defaced volume and the
 * label on the input's grid, report progress the way Slicer listens, write
 * the return parameters.
 *
 * The same code runs as the FaceMasking executable and inside Slicer's process
 * as libFaceMaskingLib.so, so it never calls exit(), keeps no static state,
 * frees everything and, in-process, prints nothing on stdout: progress goes to
 * the ModuleProcessInformation block instead of XML tags (SLICER_CLI.md).
 */
#define _POSIX_C_SOURCE 200809L
#include "itk_image_io.h"
#include "module_args.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FM_EXPORT __attribute__((visibility("default")))

/* Generated at build time from FaceMasking.xml (embed_xml.cmake). */
extern char XMLModuleDescription[];
FM_EXPORT int ModuleEntryPoint(int argc, char *argv[]);

typedef struct fm_progress {
  ModuleProcessInformation *info; /* in-process, else NULL */
  int tags;                       /* executable: XML tags on stdout */
  double last;                    /* last fraction reported: never goes back */
  char stage[128];
  struct timespec t0;
} fm_progress;

static double seconds_since(const struct timespec *t0)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* Stage text for a tag: Slicer's parser stops at '<', so neither it nor '&' may appear. */
static void clean_text(char *dst, size_t n, const char *src)
{
  size_t k = 0;
  for (; src && src[k] && k + 1 < n; k++)
    dst[k] = src[k] == '<' || src[k] == '>' || src[k] == '&' || src[k] == '\n' ? ' ' : src[k];
  dst[k] = '\0';
}

/* Reports overall progress in 0..1; returns non-zero when Slicer asked to abort. */
static int report(fm_progress *p, double fraction, const char *stage)
{
  if (fraction < p->last)
    fraction = p->last;
  if (fraction > 1.0)
    fraction = 1.0;
  int new_stage = stage && strncmp(stage, p->stage, sizeof p->stage - 1) != 0;
  if (new_stage)
    clean_text(p->stage, sizeof p->stage, stage);
  if (p->info) {
    p->info->Progress = (float)fraction;
    p->info->StageProgress = (float)fraction;
    memcpy(p->info->ProgressMessage, p->stage, sizeof p->stage);
    p->info->ElapsedTime = seconds_since(&p->t0);
    if (p->info->ProgressCallbackFunction && p->info->ProgressCallbackClientData)
      p->info->ProgressCallbackFunction(p->info->ProgressCallbackClientData);
  } else if (p->tags) {
    if (new_stage)
      printf("<filter-start><filter-name>FaceMasking</filter-name>"
             "<filter-comment> %s </filter-comment></filter-start>\n",
             p->stage);
    if (new_stage || fraction - p->last >= 0.01 || fraction == 1.0)
      printf("<filter-progress>%.4f</filter-progress>\n", fraction);
    fflush(stdout);
  }
  p->last = fraction;
  return p->info && p->info->Abort;
}

/* The core's progress (0..1) is the middle 90% of the module's. */
static int core_progress(void *user, double fraction, const char *stage)
{
  return report(user, 0.05 + 0.9 * fraction, stage);
}

static void finish(fm_progress *p)
{
  if (p->tags && !p->info) {
    printf("<filter-end><filter-name>FaceMasking</filter-name>"
           "<filter-time>%.3f</filter-time></filter-end>\n",
           seconds_since(&p->t0));
    fflush(stdout);
  }
}

static const char *status_word(deface_status st)
{
  switch (st) {
  case DEFACE_OK:
    return "defaced";
  case DEFACE_E_REFUSED:
    return "refused";
  case DEFACE_E_CANCELLED:
    return "cancelled";
  default:
    return "error";
  }
}

/* Return parameters, `name = value` a line; reason on one line. */
static int write_return_parameters(const char *path, deface_status st, const char *reason,
                                   const deface_result *r)
{
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  char line[DEFACE_ERRLEN];
  clean_text(line, sizeof line, reason);
  fprintf(f, "status = %s\n", status_word(st));
  fprintf(f, "reason = %s\n", line);
  fprintf(f, "rightEye = %.3f,%.3f,%.3f\n", r->eye_ras[0][0], r->eye_ras[0][1], r->eye_ras[0][2]);
  fprintf(f, "leftEye = %.3f,%.3f,%.3f\n", r->eye_ras[1][0], r->eye_ras[1][1], r->eye_ras[1][2]);
  return fclose(f) == 0 ? 0 : -1;
}

static deface_status write_outputs(const fm_args *a, const deface_volume *defaced,
                                   const deface_volume *label, const fm_image_header *header,
                                   char *err)
{
  deface_status st = fm_image_write(a->output, defaced, header, err);
  if (st == DEFACE_OK && a->label)
    st = fm_image_write(a->label, label, header, err);
  if (st != DEFACE_OK) { /* never leave half a result */
    unlink(a->output);
    if (a->label)
      unlink(a->label);
  }
  return st;
}

static deface_status run(const fm_args *a, fm_progress *p, deface_result *result, char *err)
{
  deface_volume *input = NULL, *defaced = NULL, *label = NULL;
  fm_image_header *header = NULL;
  deface_status st = DEFACE_E_CANCELLED;
  if (report(p, 0.0, "reading")) {
    snprintf(err, DEFACE_ERRLEN, "cancelled");
    goto done;
  }
  if ((st = fm_image_read(a->input, &input, &header, err)) != DEFACE_OK)
    goto done;
  deface_options opt;
  deface_options_init(&opt);
  opt.fill = a->fill;
  opt.sigma_mm = a->sigma_mm;
  opt.ears = a->ears;
  opt.progress = core_progress;
  opt.progress_user = p;
  if ((st = deface_run(input, &opt, &defaced, &label, result, err)) != DEFACE_OK)
    goto done;
  if (report(p, 0.95, "writing")) {
    st = DEFACE_E_CANCELLED;
    snprintf(err, DEFACE_ERRLEN, "cancelled");
    goto done;
  }
  if ((st = write_outputs(a, defaced, label, header, err)) != DEFACE_OK)
    goto done;
  report(p, 1.0, "saved");
done:
  deface_volume_free(input);
  deface_volume_free(defaced);
  deface_volume_free(label);
  fm_image_header_free(header);
  return st;
}

FM_EXPORT int ModuleEntryPoint(int argc, char *argv[])
{
  char err[DEFACE_ERRLEN] = "";
  fm_args a;
  if (fm_args_parse(argc, argv, &a, err) != 0) {
    fprintf(stderr, "FaceMasking: %s\n", err);
    return DEFACE_E_USAGE;
  }
  if (a.xml) {
    if (a.in_process)
      return 0; /* Slicer reads the XMLModuleDescription symbol instead */
    fputs(XMLModuleDescription, stdout);
    return fflush(stdout) == 0 ? 0 : DEFACE_E_OUTPUT;
  }
  if (a.echo)
    fm_args_echo(&a, a.in_process ? stderr : stdout);
  fm_progress p;
  memset(&p, 0, sizeof p);
  p.info = a.info;
  p.tags = !a.in_process;
  clock_gettime(CLOCK_MONOTONIC, &p.t0);
  deface_result result;
  memset(&result, 0, sizeof result);
  deface_status st = run(&a, &p, &result, err);
  finish(&p);
  if (st != DEFACE_OK) { /* the adapter's messages already name the file */
    int named = strncmp(err, a.input, strlen(a.input)) == 0;
    fprintf(stderr, "FaceMasking: %s%s%s: %s\n", named ? "" : a.input, named ? "" : ": ",
            status_word(st), err);
  }
  if (a.return_file && write_return_parameters(a.return_file, st, err, &result) != 0) {
    fprintf(stderr, "FaceMasking: %s: cannot write the return parameters\n", a.return_file);
    if (st == DEFACE_OK)
      st = DEFACE_E_OUTPUT;
  }
  return (int)st;
}

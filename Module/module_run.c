/*
 * module_run.c - one run of FaceMasking (module_run.h): read the input, run
 * the core, write the defaced volume and the label map on the input's grid
 * (each under a temporary name, renamed when both are complete), report
 * progress, write the return parameters, and tell the user what happened.
 *
 * What Slicer shows (vtkSlicerCLIModuleLogic, qSlicerCLIProgressBar) decides
 * the exit codes and messages:
 *  - exit 0: "Completed"; Slicer loads the outputs and reads the return
 *    parameters (status, reason, eye centres). Our summary line goes to the
 *    output text (stdout / std::cout).
 *  - exit non-zero: "Completed with errors"; Slicer loads nothing, does not
 *    read the return-parameter file, and shows the error text (stderr /
 *    std::cerr) in red under the progress bar. So every failure, a refusal
 *    included, writes one line there naming the input volume and the reason.
 *  - in-process Cancel: Slicer sets Abort and the status Cancelling, and shows
 *    "Cancelled" only if ModuleEntryPoint then returns 0 (a non-zero return
 *    turns it into "Completed with errors"); nothing is loaded either way. So
 *    an aborted run returns 0 having written nothing.
 * The module keeps no state between runs and never calls exit(): the same
 * code runs inside Slicer's process.
 */
#include "module_run.h"

#include "module_image.h"
#include "module_output.h"
#include "module_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fm_args_init(fm_args *a)
{
  memset(a, 0, sizeof *a);
  a->fill = DEFACE_FILL_ZERO;
  a->sigma_mm = 5.0;
}

/* Slicer's temporary files for nodes are named
 * <pid>_<node ID>.<ext> with every digit written as a letter A..J
 * (vtkSlicerCLIModuleLogic::ConstructTemporaryFileName); the user knows the
 * node, not the file, so messages name the node. Other paths are named as
 * they are. */
static void describe_input(const char *path, char *out, size_t n)
{
  const char *base = path;
  for (const char *p = path; *p; p++)
    if (*p == '/' || *p == '\\')
      base = p + 1;
  const char *node = strstr(base, "_vtkMRML");
  const char *dot = node ? strchr(node, '.') : NULL;
  int letters = node && node > base;
  for (const char *p = base; letters && p < node; p++)
    letters = *p >= 'A' && *p <= 'J';
  const char *suffix = NULL;
  if (letters && dot)
    for (const char *p = node; p + 4 <= dot; p++)
      if (strncmp(p, "Node", 4) == 0)
        suffix = p + 4;
  int digits = suffix && suffix < dot;
  for (const char *p = suffix; digits && p < dot; p++)
    digits = *p >= 'A' && *p <= 'J';
  if (!digits) {
    snprintf(out, n, "%s", path);
    return;
  }
  char id[128];
  size_t k = 0;
  for (const char *p = node + 1; p < dot && k + 1 < sizeof id; p++)
    id[k++] = p >= suffix ? (char)('0' + (*p - 'A')) : *p;
  id[k] = '\0';
  snprintf(out, n, "input volume (Slicer node %s)", id);
}

/* The reason without a leading "path: ", which the message names otherwise. */
static const char *without_path(const char *reason, const char *path)
{
  size_t n = path ? strlen(path) : 0;
  if (n && strncmp(reason, path, n) == 0 && strncmp(reason + n, ": ", 2) == 0)
    return reason + n + 2;
  return reason;
}

static deface_status write_one(const char *path, const char *what, const deface_volume *volume,
                               const fm_image *image, char **tmp, char *err)
{
  char why[DEFACE_ERRLEN];
  *tmp = fm_temp_create(path, why);
  deface_status st = *tmp ? fm_image_write(*tmp, path, volume, image, why) : DEFACE_E_OUTPUT;
  if (st != DEFACE_OK) {
    const char *r = *tmp ? without_path(why, *tmp) : without_path(why, path);
    snprintf(err, DEFACE_ERRLEN, "cannot write the %s %.200s: %.250s", what, path, r);
    if (st == DEFACE_E_USAGE) /* not on the input's grid: a bug, not the disk */
      st = DEFACE_E_INTERNAL;
  }
  return st;
}

/* Both files complete under temporary names, then both renamed: Slicer never
 * finds one without the other, and a failure leaves neither. */
static deface_status write_outputs(const fm_args *a, const deface_volume *defaced,
                                   const deface_volume *label, const fm_image *image, char *err)
{
  char *tmp_out = NULL, *tmp_label = NULL;
  deface_status st = write_one(a->output, "defaced volume", defaced, image, &tmp_out, err);
  if (st == DEFACE_OK && a->label)
    st = write_one(a->label, "label map", label, image, &tmp_label, err);
  if (st == DEFACE_OK && fm_temp_commit(tmp_out, a->output, err) != 0)
    st = DEFACE_E_OUTPUT;
  if (st == DEFACE_OK) {
    free(tmp_out);
    tmp_out = NULL;
    if (tmp_label && fm_temp_commit(tmp_label, a->label, err) != 0) {
      st = DEFACE_E_OUTPUT;
      remove(a->output);
    }
  }
  fm_temp_discard(tmp_out);
  if (st == DEFACE_OK)
    free(tmp_label);
  else
    fm_temp_discard(tmp_label);
  return st;
}

static int format_known(const char *path, char *err)
{
  if (!path || fm_image_format_known(path))
    return 1;
  snprintf(err, DEFACE_ERRLEN, "cannot write %s: unknown image format", path);
  return 0;
}

static deface_status run(const fm_args *a, fm_progress *p, deface_result *result, char *err)
{
  deface_volume *input = NULL, *label = NULL;
  fm_image *image = NULL;
  deface_status st = DEFACE_E_CANCELLED;
  if (!format_known(a->output, err) || !format_known(a->label, err))
    return DEFACE_E_OUTPUT;
  if (fm_progress_report(p, 0.0, "reading")) {
    snprintf(err, DEFACE_ERRLEN, "cancelled");
    goto done;
  }
  char why[DEFACE_ERRLEN];
  if ((st = fm_image_read(a->input, &input, &image, why)) != DEFACE_OK) {
    snprintf(err, DEFACE_ERRLEN, "%s", without_path(why, a->input));
    goto done;
  }
  deface_options opt;
  deface_options_init(&opt);
  opt.fill = a->fill;
  opt.sigma_mm = a->sigma_mm;
  opt.ears = a->ears;
  opt.progress = fm_progress_core;
  opt.progress_user = p;
  /* In place: the module has no use for the original after this, and a
   * second copy would be a whole volume more memory in Slicer's process. */
  if ((st = deface_run_in_place(input, &opt, &label, result, err)) != DEFACE_OK)
    goto done;
  if (fm_progress_report(p, 0.95, "writing")) {
    st = DEFACE_E_CANCELLED;
    snprintf(err, DEFACE_ERRLEN, "cancelled");
    goto done;
  }
  if ((st = write_outputs(a, input, label, image, err)) != DEFACE_OK)
    goto done;
  fm_progress_report(p, 1.0, "saved");
done:
  deface_volume_free(input);
  deface_volume_free(label);
  fm_image_free(image);
  return st;
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

/* What the message says happened, before the reason. */
static const char *failure_word(deface_status st)
{
  switch (st) {
  case DEFACE_E_INPUT:
    return "cannot read it";
  case DEFACE_E_REFUSED:
    return "refused, nothing written";
  case DEFACE_E_SELFCHECK:
    return "self-check failed, nothing written";
  case DEFACE_E_OUTPUT:
    return "nothing written";
  case DEFACE_E_NOMEM:
    return "out of memory";
  default:
    return "internal error";
  }
}

static int exit_code(deface_status st, int aborted_in_process)
{
  switch (st) {
  case DEFACE_OK:
    return FM_EXIT_OK;
  case DEFACE_E_CANCELLED:
    return aborted_in_process ? FM_EXIT_OK : FM_EXIT_CANCELLED;
  case DEFACE_E_INPUT:
    return FM_EXIT_INPUT;
  case DEFACE_E_REFUSED:
    return FM_EXIT_REFUSED;
  case DEFACE_E_SELFCHECK:
    return FM_EXIT_SELFCHECK;
  case DEFACE_E_OUTPUT:
    return FM_EXIT_OUTPUT;
  default:
    return FM_EXIT_INTERNAL; /* a bug, out of memory, a core usage error */
  }
}

static void say(const fm_sink *sink, int is_error, const char *fmt_prefix, const char *who,
                const char *what, const char *reason)
{
  char line[2 * DEFACE_ERRLEN + 256];
  snprintf(line, sizeof line, "%s%s: %s%s%s\n", fmt_prefix, who, what, reason ? ": " : "",
           reason ? reason : "");
  /* One line: the core's reasons are, adapters' might hold a stray newline. */
  for (char *c = line; c[0] && c[1]; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
  sink->write(sink->ctx, is_error, line);
}

static void summary(const fm_args *a, const deface_result *r, double seconds, char *out, size_t n)
{
  char fill[64];
  if (a->fill == DEFACE_FILL_BLUR)
    snprintf(fill, sizeof fill, "blur, sigma %.1f mm", a->sigma_mm);
  else
    snprintf(fill, sizeof fill, "%s", deface_fill_name(a->fill));
  snprintf(out, n,
           "fill %s; eye centres R (%.1f, %.1f, %.1f) L (%.1f, %.1f, %.1f) RAS mm; %.1f mL "
           "changed; %.1f s",
           fill, r->eye_ras[0][0], r->eye_ras[0][1], r->eye_ras[0][2], r->eye_ras[1][0],
           r->eye_ras[1][1], r->eye_ras[1][2], r->changed_ml, seconds);
  for (char *c = out; *c; c++) /* the output text is for people; keep it in '.' too */
    if (*c == ',' && c[1] != ' ')
      *c = '.';
}

int fm_module_run(const fm_args *a, const fm_sink *sink)
{
  char err[DEFACE_ERRLEN] = "", who[DEFACE_ERRLEN];
  describe_input(a->input ? a->input : "", who, sizeof who);
  fm_progress p;
  fm_progress_start(&p, a->info, !a->in_process);
  deface_result result;
  memset(&result, 0, sizeof result);
  deface_status st = run(a, &p, &result, err);
  fm_progress_end(&p);
  int aborted = st == DEFACE_E_CANCELLED && a->in_process && a->info && a->info->Abort;
  if (st == DEFACE_OK) {
    char text[512];
    summary(a, &result, fm_seconds() - p.t0, text, sizeof text);
    say(sink, 0, "FaceMasking: ", who, "defaced", text);
  } else if (aborted) {
    say(sink, 0, "FaceMasking: ", who, "cancelled, nothing written", NULL);
  } else {
    say(sink, 1, "FaceMasking: ", who, failure_word(st), err);
  }
  if (a->return_file) {
    char why[DEFACE_ERRLEN];
    if (fm_write_return_file(a->return_file, status_word(st), st == DEFACE_OK ? "" : err, &result,
                             why) != 0) {
      say(sink, 1, "FaceMasking: ", who, "cannot write the return parameters", why);
      if (st == DEFACE_OK)
        return FM_EXIT_OUTPUT;
    }
  }
  return exit_code(st, aborted);
}

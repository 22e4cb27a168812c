/*
 * status.c - the version, status and fill names, the error-message helper
 * and option defaults.
 */
#include "internal.h"
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *deface_version(void)
{
  return DEFACE_VERSION;
}

const char *deface_status_str(deface_status status)
{
  switch (status) {
  case DEFACE_OK:
    return "ok";
  case DEFACE_E_INTERNAL:
    return "internal error";
  case DEFACE_E_USAGE:
    return "invalid argument";
  case DEFACE_E_INPUT:
    return "invalid input";
  case DEFACE_E_REFUSED:
    return "refused: not defaceable";
  case DEFACE_E_SELFCHECK:
    return "self-check failed";
  case DEFACE_E_OUTPUT:
    return "cannot write output";
  case DEFACE_E_NOMEM:
    return "out of memory";
  case DEFACE_E_CANCELLED:
    return "cancelled";
  }
  return "unknown status";
}

deface_status deface__fail(char *err, deface_status status, const char *fmt, ...)
{
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, DEFACE_ERRLEN, fmt, ap);
    va_end(ap);
    /* Messages are one line by contract. */
    for (char *p = err; *p; p++)
      if (*p == '\n' || *p == '\r')
        *p = ' ';
  }
  return status;
}

const char *deface_fill_name(deface_fill fill)
{
  switch (fill) {
  case DEFACE_FILL_ZERO:
    return "zero";
  case DEFACE_FILL_BLUR:
    return "blur";
  case DEFACE_FILL_NOISE:
    return "noise";
  }
  return "unknown";
}

deface_status deface_fill_from_name(const char *name, deface_fill *fill)
{
  static const deface_fill fills[] = {DEFACE_FILL_ZERO, DEFACE_FILL_BLUR, DEFACE_FILL_NOISE};
  for (size_t k = 0; name && k < sizeof fills / sizeof fills[0]; k++)
    if (strcmp(name, deface_fill_name(fills[k])) == 0) {
      *fill = fills[k];
      return DEFACE_OK;
    }
  return DEFACE_E_USAGE;
}

void deface_options_init(deface_options *options)
{
  memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->fill = DEFACE_FILL_ZERO;
  options->sigma_mm = DEFACE_SIGMA_DEFAULT_MM;
  options->seed = 1;
}

int deface__report(const deface_options *options, double fraction, const char *stage)
{
  if (!options || !options->progress)
    return 0;
  return options->progress(options->progress_user, fraction, stage);
}

/* The schedule: where each stage starts (it ends where the next starts) and
 * what the caller is told. Measured shares of the CPU on a 1 mm head guided
 * the slices only roughly: the bar must rise, not predict. */
static const struct {
  double start;
  const char *text;
} SCHEDULE[] = {
    [STAGE_RESAMPLE] = {0.00, "resampling"},
    [STAGE_HEAD] = {0.05, "finding the head"},
    [STAGE_EYES] = {0.15, "finding the eyes"},
    [STAGE_REGISTER] = {0.40, "registering the head template"},
    [STAGE_REREGISTER] = {0.50, "registering the head template"},
    [STAGE_MASK] = {0.55, "building the face mask"},
    [STAGE_FACE_SEARCH] = {0.75, "looking for a face left behind"},
    [STAGE_FILL] = {0.80, "filling"},
    [STAGE_CHECK] = {0.95, "checking"},
    [STAGE_DONE] = {1.00, "done"},
};

int progress_report(const deface_options *options, progress_stage stage, double within)
{
  double start = SCHEDULE[stage].start;
  double end = stage == STAGE_DONE ? 1.0 : SCHEDULE[stage + 1].start;
  double w = within < 0 ? 0 : within > 1 ? 1 : within;
  return deface__report(options, start + (end - start) * w, SCHEDULE[stage].text);
}

/*
 * outputs.c - deface one loaded volume and write what comes out of it.
 */
#define _POSIX_C_SOURCE 200809L
#include "outputs.h"
#include "qa.h"
#include "sidecar.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double output_now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

deface_status output_deface_and_write(const cli_args *a, const output_source *source,
                                      const output_paths *out, const deface_volume *input,
                                      const deface_nifti *header, double t0,
                                      deface_progress_fn progress, void *progress_user,
                                      output_outcome *o)
{
  deface_volume *defaced = NULL, *label = NULL;
  memset(o, 0, sizeof *o);
  deface_options opt;
  deface_options_init(&opt);
  opt.fill = a->fill;
  opt.sigma_mm = a->sigma_mm;
  opt.seed = a->seed;
  opt.ears = a->ears;
  opt.progress = progress;
  opt.progress_user = progress_user;
  deface_status st = deface_run(input, &opt, &defaced, &label, &o->result, o->message);
  if (st != DEFACE_OK)
    goto done;
  o->writing = 1;
  char descrip[80];
  snprintf(descrip, sizeof descrip, "defaced by deface %s (fill %s)", DEFACE_VERSION,
           deface_fill_name(a->fill));
  if ((st = deface_nifti_write(out->image, defaced, header, descrip, o->message)) != DEFACE_OK ||
      (st = deface_nifti_write_label(out->label, label, header, o->message)) != DEFACE_OK)
    goto remove_outputs;
  o->seconds = output_now_seconds() - t0;
  sidecar_info info = {source->path, out->image, out->label, source->files, source->nfiles, a->fill,
                       a->sigma_mm,  a->ears,    &o->result, "defaced",     o->seconds};
  if (sidecar_write(out->json, &info, o->message, sizeof o->message) != 0) {
    st = DEFACE_E_OUTPUT;
    goto remove_outputs;
  }
  if (out->qa[0]) {
    double q0 = output_now_seconds();
    o->qa_status =
        qa_render(out->qa, input, defaced, label, &o->result, out->qa_name, o->qa_message);
    o->qa_seconds = output_now_seconds() - q0;
  }
  goto done;
remove_outputs:
  /* A defaced image without its label and sidecar is a half result. */
  unlink(out->image);
  unlink(out->label);
done:
  o->status = st;
  if (st != DEFACE_OK)
    o->seconds = output_now_seconds() - t0;
  deface_volume_free(defaced);
  deface_volume_free(label);
  return st;
}

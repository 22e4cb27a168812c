/*
 * outputs.c - deface one loaded volume and write what comes out of it, all
 * through write transactions (deface_write.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "outputs.h"
#include "qa.h"
#include "sidecar.h"
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double output_now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *file_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static deface_status add(deface_txn *txn, const char *path, int dirfd, const char *dir_path,
                         size_t *index, char *err)
{
  return dirfd >= 0 ? deface_txn_add_at(txn, dirfd, dir_path, file_name(path), index, err)
                    : deface_txn_add(txn, path, index, err);
}

deface_status output_txn_open(deface_writer *writer, const output_paths *out, int dirfd,
                              const char *dir_path, output_txn *t, char *err)
{
  memset(t, 0, sizeof *t);
  deface_status st = deface_txn_new(writer, &t->files, err);
  if (st == DEFACE_OK &&
      (st = add(t->files, out->image, dirfd, dir_path, &t->image, err)) == DEFACE_OK &&
      (st = add(t->files, out->label, dirfd, dir_path, &t->label, err)) == DEFACE_OK)
    st = add(t->files, out->json, dirfd, dir_path, &t->json, err);
  if (st == DEFACE_OK && out->qa[0] && (st = deface_txn_new(writer, &t->picture, err)) == DEFACE_OK)
    st = add(t->picture, out->qa, dirfd, dir_path, &t->qa, err);
  if (st == DEFACE_OK && out->qa[0]) {
    /* The picture is one more file of the result: it may not be one of the others. */
    char a[CLI_PATH_MAX], b[CLI_PATH_MAX];
    const char *others[3] = {out->image, out->label, out->json};
    for (int i = 0; i < 3 && st == DEFACE_OK; i++)
      if (dirfd >= 0
              ? strcmp(file_name(out->qa), file_name(others[i])) == 0
              : path_entry(out->qa, a) == 0 && path_entry(others[i], b) == 0 && strcmp(a, b) == 0) {
        snprintf(err, DEFACE_ERRLEN, "%.240s: is the same file as %.240s", out->qa, others[i]);
        st = DEFACE_E_USAGE;
      }
  }
  if (st != DEFACE_OK)
    output_txn_close(t);
  return st;
}

void output_txn_close(output_txn *t)
{
  deface_txn_free(t->files);
  deface_txn_free(t->picture);
  t->files = t->picture = NULL;
}

/* Image, label and sidecar into their temporaries, then all three renamed. */
static deface_status write_files(const cli_args *a, const output_source *source,
                                 const output_paths *out, output_txn *t,
                                 const deface_volume *defaced, const deface_volume *label,
                                 const deface_nifti *header, double t0, output_outcome *o)
{
  char descrip[80];
  snprintf(descrip, sizeof descrip, "defaced by deface %s (fill %s)", DEFACE_VERSION,
           deface_fill_name(a->fill));
  deface_status st;
  if ((st = deface_nifti_write_entry(t->files, t->image, defaced, header, descrip, o->message)) !=
          DEFACE_OK ||
      (st = deface_nifti_write_label_entry(t->files, t->label, label, header, o->message)) !=
          DEFACE_OK)
    return st;
  o->seconds = output_now_seconds() - t0;
  sidecar_info info = {source->path,
                       out->image,
                       out->label,
                       deface_txn_temp_path(t->files, t->image),
                       deface_txn_temp_path(t->files, t->label),
                       source->files,
                       source->nfiles,
                       a->fill,
                       a->sigma_mm,
                       a->ears,
                       &o->result,
                       "defaced",
                       o->seconds};
  textbuf json = {0};
  sidecar_text(&info, &json);
  if (json.failed) {
    snprintf(o->message, sizeof o->message, "%.480s: out of memory", out->json);
    st = DEFACE_E_NOMEM;
  } else
    st = deface_txn_write(t->files, t->json, json.p, json.n, o->message);
  textbuf_free(&json);
  return st;
}

static void write_picture(const output_paths *out, output_txn *t, const deface_volume *input,
                          const deface_volume *defaced, const deface_volume *label,
                          output_outcome *o)
{
  double q0 = output_now_seconds();
  unsigned char *png = NULL;
  size_t size = 0;
  o->qa_status = qa_render(out->qa, input, defaced, label, &o->result, out->qa_name, &png, &size,
                           o->qa_message);
  if (o->qa_status == DEFACE_OK &&
      (o->qa_status = deface_txn_write(t->picture, t->qa, png, size, o->qa_message)) == DEFACE_OK)
    o->qa_status = deface_txn_commit(t->picture, o->qa_message);
  free(png);
  o->qa_seconds = output_now_seconds() - q0;
}

deface_status output_deface_and_write(const cli_args *a, const output_source *source,
                                      const output_paths *out, output_txn *t, deface_volume *input,
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
  /* The picture shows the original beside the result, so only a run without
   * one may fill the loaded volume itself. */
  deface_status st;
  if (t->picture) {
    st = deface_run(input, &opt, &defaced, &label, &o->result, o->message);
  } else {
    st = deface_run_in_place(input, &opt, &label, &o->result, o->message);
    defaced = st == DEFACE_OK ? input : NULL;
  }
  if (st != DEFACE_OK)
    goto done;
  o->writing = 1;
  st = write_files(a, source, out, t, defaced, label, header, t0, o);
  if (st == DEFACE_OK && progress && progress(progress_user, 1.0, "writing")) {
    st = DEFACE_E_CANCELLED;
    snprintf(o->message, sizeof o->message, "%.400s: cancelled before the outputs were replaced",
             out->image);
  }
  if (st == DEFACE_OK)
    st = deface_txn_commit(t->files, o->message);
  if (st == DEFACE_OK && t->picture)
    write_picture(out, t, input, defaced, label, o);
done:
  o->status = st;
  if (st != DEFACE_OK)
    o->seconds = output_now_seconds() - t0;
  if (defaced != input)
    deface_volume_free(defaced);
  deface_volume_free(label);
  return st;
}

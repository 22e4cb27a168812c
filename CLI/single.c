/*
 * single.c - file mode and series mode: name the outputs, refuse what would
 * touch the input or replace an output without --force, create every
 * output's temporary, read, deface and write (outputs.c), and say what
 * happened on one line. Nothing is replaced unless the whole run succeeded.
 */
#define _POSIX_C_SOURCE 200809L
#include "single.h"
#include "deface.h"
#include "deface_nifti.h"
#include "exit_codes.h"
#include "interrupt.h"
#include "outputs.h"
#include "paths.h"
#include "progress.h"
#include "qa.h"
#include "textbuf.h"
#ifdef DEFACE_WITH_DICOM
#include "series.h"
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* DEFACED_<name>.nii.gz beside the input, or names derived from -o. */
static int name_outputs(const cli_args *a, output_paths *o)
{
  char dir[CLI_PATH_MAX], base[CLI_PATH_MAX], stem[CLI_PATH_MAX];
  int n;
  if (a->output) {
    if (!path_is_nifti(a->output)) {
      fprintf(stderr, "deface: %s: the output must end in .nii or .nii.gz\n", a->output);
      return -1;
    }
    n = snprintf(o->image, sizeof o->image, "%s", a->output);
    path_stem(a->output, stem, sizeof stem);
  } else {
    path_split(a->input, dir, sizeof dir, base, sizeof base);
    path_stem(base, stem, sizeof stem);
    char full[CLI_PATH_MAX];
    if (snprintf(full, sizeof full, "%s/DEFACED_%s", dir, stem) >= (int)sizeof full) {
      fprintf(stderr, "deface: %s: path too long\n", a->input);
      return -1;
    }
    memcpy(stem, full, sizeof stem);
    n = snprintf(o->image, sizeof o->image, "%s.nii.gz", stem);
  }
  int m = a->label ? snprintf(o->label, sizeof o->label, "%s", a->label)
                   : snprintf(o->label, sizeof o->label, "%s_label.nii.gz", stem);
  int j = a->json ? snprintf(o->json, sizeof o->json, "%s", a->json)
                  : snprintf(o->json, sizeof o->json, "%s.json", stem);
  if (n >= CLI_PATH_MAX || m >= CLI_PATH_MAX || j >= CLI_PATH_MAX) {
    fprintf(stderr, "deface: %s: path too long\n", a->input);
    return -1;
  }
  o->qa[0] = o->qa_name[0] = '\0';
  if (a->qa) {
    size_t q = strlen(a->qa);
    if (q < 5 || strcmp(a->qa + q - 4, ".png") != 0) {
      fprintf(stderr, "deface: %s: the QA picture must end in .png\n", a->qa);
      return -1;
    }
    if (snprintf(o->qa, sizeof o->qa, "%s", a->qa) >= (int)sizeof o->qa) {
      fprintf(stderr, "deface: %s: path too long\n", a->qa);
      return -1;
    }
    path_split(a->input, dir, sizeof dir, base, sizeof base);
    textbuf caption = {0}; /* the picture's text is UTF-8 whatever the file name */
    textbuf_append_utf8(&caption, base);
    snprintf(o->qa_name, sizeof o->qa_name, "%.250s", caption.failed ? "" : caption.p);
    textbuf_free(&caption);
  }
  if (a->label && !path_is_nifti(a->label)) {
    fprintf(stderr, "deface: %s: the label must end in .nii or .nii.gz\n", a->label);
    return -1;
  }
  return 0;
}

/* Refuses to touch the input, to give two outputs one file (however the
 * paths spell it: the folder resolved, the name as written), or to replace an
 * existing output without --force. */
static int outputs_allowed(const cli_args *a, const output_paths *o)
{
  const char *paths[4] = {o->image, o->label, o->json, o->qa};
  char entry[4][CLI_PATH_MAX];
  int n = o->qa[0] ? 4 : 3;
  for (int i = 0; i < n; i++) {
    if (path_same_file(a->input, paths[i])) {
      fprintf(stderr, "deface: %s: refusing to overwrite the input\n", paths[i]);
      return 0;
    }
    if (path_entry(paths[i], entry[i]) != 0)
      snprintf(entry[i], sizeof entry[i], "%s", paths[i]);
    for (int j = 0; j < i; j++)
      if (strcmp(entry[i], entry[j]) == 0) {
        fprintf(stderr, "deface: %s: is the same file as %s: two outputs would share it\n",
                paths[i], paths[j]);
        return 0;
      }
    if (!a->force && path_exists(paths[i])) {
      fprintf(stderr, "deface: %s: exists (use --force to replace it)\n", paths[i]);
      return 0;
    }
  }
  return 1;
}

static void print_found(const char *input, const deface_result *r, double seconds)
{
  fprintf(stderr,
          "deface: %s: %s; eyes R (%.1f, %.1f, %.1f) L (%.1f, %.1f, %.1f) mm RAS; "
          "pitch %+.1f deg; template eyes %.1f and %.1f mm from them (similarity %.3f); "
          "nose %s; labelled %.1f mL, changed %.1f mL; face search: %d eye pairs, nose %.0f mm; "
          "%.2f s\n",
          input, r->is_ct ? "CT" : "MR", r->eye_ras[0][0], r->eye_ras[0][1], r->eye_ras[0][2],
          r->eye_ras[1][0], r->eye_ras[1][1], r->eye_ras[1][2], r->pitch_correction_deg,
          r->localiser_distance_mm[0], r->localiser_distance_mm[1], r->template_similarity,
          r->nose_in_view ? "in view" : "not in view", r->labelled_ml, r->changed_ml,
          r->face_check_eye_pairs, r->face_check_nose_mm, seconds);
}

/* Defaces a loaded volume and writes its outputs (file and series modes
 * alike), with a progress bar on a terminal and one line on stderr on
 * failure; the caller still owns input (defaced in place unless a picture
 * is drawn: output_deface_and_write) and header. */
static int deface_and_write(const cli_args *a, const output_source *source, const output_paths *out,
                            output_txn *txn, deface_volume *input, const deface_nifti *header,
                            double t0)
{
  progress_bar bar;
  progress_init(&bar, !a->quiet && isatty(STDERR_FILENO), a->input);
  bar.cancelled = interrupt_pending; /* a signal stops the core, and the write before its commit */
  output_outcome o;
  deface_status st =
      output_deface_and_write(a, source, out, txn, input, header, t0, progress_update, &bar, &o);
  progress_done(&bar);
  if (st == DEFACE_E_CANCELLED && interrupt_pending()) {
    fprintf(stderr, "deface: %s: interrupted by %s: nothing written, temporary files removed\n",
            a->input, interrupt_name(interrupt_signal()));
    return EXIT_INTERNAL;
  }
  if (st != DEFACE_OK) {
    if (o.writing)
      fprintf(stderr, "deface: %s\n", o.message);
    else
      fprintf(stderr, "deface: %s: %s: %s\n", a->input,
              st == DEFACE_E_REFUSED     ? "refused"
              : st == DEFACE_E_SELFCHECK ? "self-check failed"
                                         : "error",
              o.message);
    return exit_code(st);
  }
  if (a->verbose)
    print_found(a->input, &o.result, o.seconds);
  if (!a->quiet)
    printf("%s\n%s\n%s\n", out->image, out->label, out->json);
  if (out->qa[0] && o.qa_status != DEFACE_OK) {
    /* The three outputs are valid and stay; the missing picture is an output failure. */
    fprintf(stderr, "deface: %s\n", o.qa_message);
    return EXIT_OUTPUT;
  }
  if (out->qa[0] && !a->quiet)
    printf("%s\n", out->qa);
  if (out->qa[0] && a->verbose)
    fprintf(stderr, "deface: %s: rendered in %.2f s\n", out->qa, o.qa_seconds);
  return EXIT_DONE;
}

/* With --force: the temporaries a killed run left for these outputs. */
static void remove_leftovers(const output_paths *out)
{
  const char *paths[4] = {out->image, out->label, out->json, out->qa};
  for (int k = 0; k < 4; k++) {
    char dir[CLI_PATH_MAX], base[CLI_PATH_MAX];
    if (!paths[k][0])
      continue;
    path_split(paths[k], dir, sizeof dir, base, sizeof base);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      deface_write_remove_leftovers(fd, base);
      close(fd);
    }
  }
}

/* Every output's temporary, now: a folder that cannot be written shows before the work. */
static int open_outputs(const cli_args *a, deface_writer *writer, const output_paths *out,
                        output_txn *txn)
{
  if (a->force)
    remove_leftovers(out);
  char err[DEFACE_ERRLEN] = "";
  deface_status st = output_txn_open(writer, out, -1, NULL, txn, err);
  if (st == DEFACE_OK)
    return 0;
  fprintf(stderr, "deface: %s\n", err);
  return st == DEFACE_E_USAGE ? EXIT_OUTPUT : exit_code(st);
}

int single_run_file(const cli_args *a, deface_writer *writer)
{
  output_paths out;
  if (name_outputs(a, &out) != 0)
    return EXIT_USAGE;
  if (!outputs_allowed(a, &out))
    return EXIT_OUTPUT;
  double t0 = output_now_seconds();
  char err[DEFACE_ERRLEN] = "";
  deface_volume *input = NULL;
  deface_nifti *header = NULL;
  deface_status st = deface_nifti_read(a->input, &input, &header, err);
  if (st != DEFACE_OK) {
    fprintf(stderr, "deface: %s\n", err);
    return exit_code(st);
  }
  if (deface_nifti_warned_pixdim(header) && !a->quiet)
    fprintf(stderr, "deface: %s: warning: no qform or sform; geometry taken from pixdim\n",
            a->input);
  output_txn txn;
  int code = open_outputs(a, writer, &out, &txn);
  if (code == 0) {
    output_source source = {a->input, NULL, 0};
    code = deface_and_write(a, &source, &out, &txn, input, header, t0);
    output_txn_close(&txn);
  }
  deface_volume_free(input);
  deface_nifti_free(header);
  return code;
}

#ifdef DEFACE_WITH_DICOM
/* Series mode: one DICOM series folder in, -o OUT.nii[.gz] out; -o must lie
 * outside the folder, which is never written. */
int single_run_series(const cli_args *a, deface_writer *writer)
{
  output_paths out;
  if (name_outputs(a, &out) != 0)
    return EXIT_USAGE;
  const char *paths[4] = {out.image, out.label, out.json, out.qa};
  for (int i = 0; i < (out.qa[0] ? 4 : 3); i++)
    if (path_is_inside(paths[i], a->input) != 0) {
      fprintf(stderr, "deface: %s: is inside the input folder %s, which is never written to\n",
              paths[i], a->input);
      return EXIT_USAGE;
    }
  if (!outputs_allowed(a, &out))
    return EXIT_OUTPUT;
  double t0 = output_now_seconds();
  output_txn txn;
  int code = open_outputs(a, writer, &out, &txn);
  if (code != 0)
    return code;
  deface_volume *input = NULL;
  deface_nifti *header = NULL;
  deface_dicom_folder *scan = NULL;
  code = series_load(a->input, a->verbose, &input, &header, &scan);
  if (code == 0) {
    size_t nfiles = 0;
    const char **files = series_files(scan, 0, &nfiles);
    output_source source = {a->input, files, nfiles};
    if (!files) {
      fprintf(stderr, "deface: %s: out of memory\n", a->input);
      code = EXIT_INTERNAL;
    } else
      code = deface_and_write(a, &source, &out, &txn, input, header, t0);
    free(files);
  }
  output_txn_close(&txn);
  deface_volume_free(input);
  deface_nifti_free(header);
  deface_dicom_folder_free(scan);
  return code;
}
#else
int single_run_series(const cli_args *a, deface_writer *writer)
{
  (void)writer;
  fprintf(stderr, "deface: %s: DICOM input is not built into this version\n", a->input);
  return EXIT_INPUT;
}
#endif

/*
 * main.c - the `deface` command: file mode (NIfTI in, DEFACED_ NIfTI, label
 * and JSON sidecar out), series mode (a DICOM series folder in, the same
 * outputs; series.c reads it) and session mode (a folder of several series
 * in, one DEFACED_ folder each and a summary; session.c). Maps the core's
 * statuses to the documented exit codes; nothing is written unless the whole
 * run succeeded.
 */
#define _POSIX_C_SOURCE 200809L
#include "args.h"
#include "deface.h"
#include "deface_nifti.h"
#include "outputs.h"
#include "paths.h"
#include "progress.h"
#include "qa.h"
#ifdef DEFACE_WITH_DICOM
#include "series.h"
#include "session.h"
#include <stdlib.h>
#endif

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_DONE = 0, EXIT_INTERNAL = 1, EXIT_USAGE = 2 };

/* The documented exit code of a library status. Exit 2 is the command line's
 * own (argument errors); a library's DEFACE_E_USAGE is a broken invariant
 * between our own parts, and running out of memory is no fault of the input:
 * both are internal errors. */
static int exit_code(deface_status st)
{
  switch (st) {
  case DEFACE_E_INPUT:
  case DEFACE_E_REFUSED:
  case DEFACE_E_SELFCHECK:
  case DEFACE_E_OUTPUT: return (int)st;
  default: return EXIT_INTERNAL;
  }
}

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
    snprintf(o->qa_name, sizeof o->qa_name, "%.250s", base);
  }
  if (a->label && !path_is_nifti(a->label)) {
    fprintf(stderr, "deface: %s: the label must end in .nii or .nii.gz\n", a->label);
    return -1;
  }
  return 0;
}

/* Refuses to touch the input or an existing output without --force. */
static int outputs_allowed(const cli_args *a, const output_paths *o)
{
  const char *paths[4] = {o->image, o->label, o->json, o->qa};
  for (int i = 0; i < (o->qa[0] ? 4 : 3); i++) {
    if (path_same_file(a->input, paths[i])) {
      fprintf(stderr, "deface: %s: refusing to overwrite the input\n", paths[i]);
      return 0;
    }
    for (int j = 0; j < i; j++)
      if (strcmp(paths[i], paths[j]) == 0) {
        fprintf(stderr, "deface: %s: two outputs would share this name\n", paths[i]);
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

/* Defaces a loaded volume and writes the image, label and sidecar (file and
 * series modes alike), with a progress bar on a terminal and one line on
 * stderr on failure; the caller still owns input and header. */
static int deface_and_write(const cli_args *a, const output_source *source, const output_paths *out,
                            const deface_volume *input, const deface_nifti *header, double t0)
{
  progress_bar bar;
  progress_init(&bar, !a->quiet && isatty(STDERR_FILENO), a->input);
  output_outcome o;
  deface_status st =
      output_deface_and_write(a, source, out, input, header, t0, progress_update, &bar, &o);
  progress_done(&bar);
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
    return DEFACE_E_OUTPUT;
  }
  if (out->qa[0] && !a->quiet)
    printf("%s\n", out->qa);
  if (out->qa[0] && a->verbose)
    fprintf(stderr, "deface: %s: rendered in %.2f s\n", out->qa, o.qa_seconds);
  return EXIT_DONE;
}

static int run_file(const cli_args *a)
{
  output_paths out;
  if (name_outputs(a, &out) != 0)
    return EXIT_USAGE;
  if (!outputs_allowed(a, &out))
    return DEFACE_E_OUTPUT;
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
  output_source source = {a->input, NULL, 0};
  int code = deface_and_write(a, &source, &out, input, header, t0);
  deface_volume_free(input);
  deface_nifti_free(header);
  return code;
}

#ifdef DEFACE_WITH_DICOM
/* Series mode: one DICOM series folder in, -o OUT.nii[.gz] out; -o must lie
 * outside the folder, which is never written. */
static int run_series(const cli_args *a)
{
  output_paths out;
  if (name_outputs(a, &out) != 0)
    return EXIT_USAGE;
  const char *paths[4] = {out.image, out.label, out.json, out.qa};
  for (int i = 0; i < (out.qa[0] ? 4 : 3); i++)
    if (series_output_inside(a->input, paths[i])) {
      fprintf(stderr, "deface: %s: is inside the input folder %s, which is never written to\n",
              paths[i], a->input);
      return EXIT_USAGE;
    }
  if (!outputs_allowed(a, &out))
    return DEFACE_E_OUTPUT;
  double t0 = output_now_seconds();
  deface_volume *input = NULL;
  deface_nifti *header = NULL;
  deface_dicom_folder *scan = NULL;
  int code = series_load(a->input, a->verbose, &input, &header, &scan);
  if (code == 0) {
    size_t nfiles = 0;
    const char **files = series_files(scan, 0, &nfiles);
    output_source source = {a->input, files, nfiles};
    if (!files) {
      fprintf(stderr, "deface: %s: out of memory\n", a->input);
      code = EXIT_INTERNAL;
    } else
      code = deface_and_write(a, &source, &out, input, header, t0);
    free(files);
  }
  deface_volume_free(input);
  deface_nifti_free(header);
  deface_dicom_folder_free(scan);
  return code;
}
#endif

static int run(const cli_args *ap)
{
  cli_args a = *ap;
  if (a.qa && !qa_available()) {
    fprintf(stderr, "deface: --qa: QA pictures are not built into this version "
                    "(configure with -DDEFACE_BUILD_RENDER=ON)\n");
    return EXIT_USAGE;
  }
  if (path_is_dir(a.input)) {
#ifdef DEFACE_WITH_DICOM
    /* A folder has no natural output name; -o says which mode: a NIfTI file
     * name takes one series, anything else is the OUTDIR of a session. */
    if (!a.output) {
      fprintf(stderr,
              "deface: %s: a DICOM folder needs -o OUT.nii.gz (one series) or "
              "-o OUTDIR (every series in it)\n",
              a.input);
      return EXIT_USAGE;
    }
    return path_is_nifti(a.output) ? run_series(&a) : session_run(&a);
#else
    fprintf(stderr,
            "deface: %s: is a folder; DICOM input is not built into this version "
            "(configure with -DDEFACE_BUILD_DICOM=ON, or give a .nii or .nii.gz file)\n",
            a.input);
    return DEFACE_E_INPUT;
#endif
  }
  if (!path_is_nifti(a.input)) {
    fprintf(stderr, "deface: %s: not a NIfTI file name (.nii or .nii.gz expected)\n", a.input);
    return DEFACE_E_INPUT;
  }
  return run_file(&a);
}

int main(int argc, char **argv)
{
  cli_args a;
  int parsed = cli_parse(argc, argv, &a);
  if (parsed != 0)
    return parsed > 0 ? EXIT_DONE : EXIT_USAGE;
  int code = run(&a);
  qa_display_end(); /* the Xvfb started for the pictures, if any */
  return code;
}

/*
 * args.c - parsing and documenting the command line. Unknown options, missing
 * values and out-of-range numbers are usage errors (exit 2), never guesses.
 */
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const USAGE =
    "usage: deface INPUT [-o OUTPUT] [--label FILE] [--fill zero|blur|noise] [--sigma MM]\n"
    "              [--json FILE] [--qa FILE.png | --no-qa] [--ears] [--seed N] [--force]\n"
    "              [--quiet|--verbose]\n"
    "       deface SERIES_DIR -o OUTPUT.nii.gz [options]     one DICOM series\n"
    "       deface SESSION_DIR -o OUTDIR [--jobs N] [options] every DICOM series in a folder\n";

static void print_help(void)
{
  printf("%s", USAGE);
  printf(
      "\n"
      "Removes the face (eyes, nose, mouth, facial skin) from a head MRI or CT and keeps\n"
      "the brain untouched. INPUT is a NIfTI file (.nii or .nii.gz, NIfTI-1 or NIfTI-2,\n"
      "3D or 4D, any datatype, orientation and scaling), or a folder of DICOM files (any\n"
      "layout, searched recursively, e.g. XNAT's SCANS/<id>/DICOM/; compressed transfer\n"
      "syntaxes dcmtk decodes; repeated positions make a 4D series). For a folder, -o is\n"
      "required, must lie outside it, and the folder is never written to; geometry comes\n"
      "from ImagePositionPatient/ImageOrientationPatient/PixelSpacing (enhanced multi-frame\n"
      "files: from their functional groups), and single slices, gantry tilt and uneven\n"
      "slice spacing are refused.\n"
      "\n"
      "Series or session: -o says which. An -o ending in .nii or .nii.gz takes the one\n"
      "series in the folder (a folder holding several exits 2: give an OUTDIR instead);\n"
      "any other -o is an OUTDIR and every series in the folder is defaced (a session,\n"
      "also when it holds one series), --jobs N at a time, into\n"
      "  OUTDIR/DEFACED_<series>/DEFACED_<series>.nii.gz, _label.nii.gz, .json and\n"
      "  _qa.png (the QA picture, when built with QA pictures, unless --no-qa)\n"
      "where <series> is SeriesNumber_SeriesDescription reduced to [A-Za-z0-9._-]\n"
      "(at most 64 characters, _2, _3... when two series would share a name), and\n"
      "  OUTDIR/summary.tsv   a header row and one row per series: series_uid,\n"
      "                       series_number, description, modality, dimensions,\n"
      "                       status (defaced, refused or error), reason, seconds, output\n"
      "  OUTDIR/skipped.tsv   every path not read as part of a series (not DICOM,\n"
      "                       DICOMDIR, secondary capture, report, dangling link, FIFO,\n"
      "                       unreadable...): path (relative to the folder) and reason\n"
      "  OUTDIR/index.html    a self-contained page: one row per series with its QA\n"
      "                       picture, status, reason and seconds\n"
      "A series the reader or the core turns down (localiser, thin slab...) is\n"
      "'refused' with its reason; a failed self-check or any other failure is 'error'.\n"
      "One series failing never stops the others. The session exits 0 when every\n"
      "series was defaced or refused, 5 if a self-check failed, else 1 if any series\n"
      "hit an error. OUTDIR must be empty or new unless --force (exit 6, checked before\n"
      "any work) and must not lie inside the folder (exit 2). A series' sidecar names\n"
      "its input by \"sha256_of_files\": the SHA-256 of the sorted list of its files'\n"
      "SHA-256 (lowercase hex, one per line).\n"
      "\n"
      "Outputs of a file or series (beside INPUT unless -o is given):\n"
      "  DEFACED_<name>.nii.gz        the defaced image: the input's grid, datatype, scaling,\n"
      "                               qform/sform, units, intent and extensions\n"
      "  DEFACED_<name>_label.nii.gz  what was changed: 0 untouched, 1 face, 2 eye globes,\n"
      "                               3 ears (with --ears)\n"
      "  DEFACED_<name>.json          provenance: tool, version, SHA-256 of input and outputs,\n"
      "                               fill, eye centres (RAS mm), changed volume, status, seconds\n"
      "Each file is written under a temporary name; all of a result are renamed into place\n"
      "together once complete, so a failed run leaves earlier outputs as they were. The\n"
      "input is never modified, and nothing is written when the scan is refused or the\n"
      "check fails. SIGINT, SIGTERM or SIGHUP: temporary files removed, a session's\n"
      "summary written (\"interrupted\" rows), then deface ends by the signal (exit 130,\n"
      "143, 129 in a shell). A session locks OUTDIR: a second run into it exits 6.\n"
      "\n"
      "Options:\n"
      "  -o, --output FILE   defaced image path (.nii or .nii.gz), or OUTDIR for a session\n"
      "  --label FILE        label volume path (default: OUTPUT stem + _label.nii.gz)\n"
      "  --json FILE         sidecar path (default: OUTPUT stem + .json)\n"
      "  --qa FILE.png       also render a QA picture: the skin before (removed region in\n"
      "                      blue) and after, from the right, front and left; needs an X\n"
      "                      display: with DISPLAY unset, deface starts Xvfb itself\n"
      "                      (package xvfb), or run it under `xvfb-run -a`\n"
      "  --fill MODE         zero (default: the image's air value, 0 for MR, -1000 HU for CT),\n"
      "                      blur (Gaussian inside the face region), noise (air-like noise)\n"
      "  --sigma MM          blur sigma in mm (default %g; %g to %g)\n"
      "  --ears              also remove the outer ears (label 3); off by default\n"
      "  --seed N            seed of the noise fill (default 1; same seed, same output)\n"
      "  --jobs N            series defaced at once in a session (default: the number of\n"
      "                      online cores; each holds a few copies of its volume in memory)\n"
      "  --force             replace existing outputs (a session: write into a non-empty\n"
      "                      OUTDIR, replacing its DEFACED_ folders and summary)\n"
      "  -q, --quiet         print nothing but errors\n"
      "  -v, --verbose       print what was found (eyes, nose, volumes, timings)\n"
      "  -h, --help          this help;  --version  the version\n"
      "\n"
      "Exit codes: 0 defaced; 1 internal error; 2 usage; 3 unreadable or invalid input;\n"
      "4 refused as not defaceable (2D, thin slab, too small or coarse, no head, face not\n"
      "in view); 5 self-check failed (nothing written); 6 cannot write output, or it exists\n"
      "without --force, or the QA picture failed (the other outputs are then written and\n"
      "valid). A session exits 0 when every series was defaced or refused, 1 when any\n"
      "series ended in an error (its row says why) or a path could not be read\n"
      "(skipped.tsv), 3 when the folder holds no series, 6 when a defaced series got no\n"
      "QA picture (index.html says why) or OUTDIR is in use by another run.\n",
      DEFACE_SIGMA_DEFAULT_MM, DEFACE_SIGMA_MIN_MM, DEFACE_SIGMA_MAX_MM);
}

static int usage_error(const char *fmt, const char *what)
{
  fprintf(stderr, "deface: ");
  fprintf(stderr, fmt, what);
  fprintf(stderr, " (try deface --help)\n");
  return -1;
}

/* A decimal number, as people write one: digits with at most one point and
 * an optional exponent; no sign, hexadecimal, inf or nan, no spaces. */
static int parse_double(const char *text, double lo, double hi, double *out)
{
  const char *p = text;
  size_t digits = 0;
  for (; *p >= '0' && *p <= '9'; p++)
    digits++;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      digits++;
  if (digits && (*p == 'e' || *p == 'E')) {
    p++;
    if (*p == '+' || *p == '-')
      p++;
    if (!(*p >= '0' && *p <= '9'))
      return -1;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (!digits || *p)
    return -1;
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || *end || !(v >= lo && v <= hi))
    return -1;
  *out = v;
  return 0;
}

/* A whole number from lo to hi written with digits only: "1.5", "1e3",
 * "+2", " 7" and "0x10" are not. */
static int parse_whole(const char *text, unsigned long long lo, unsigned long long hi,
                       unsigned long long *out)
{
  if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 19)
    return -1;
  unsigned long long v = strtoull(text, NULL, 10);
  if (v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int cli_parse(int argc, char **argv, cli_args *args)
{
  memset(args, 0, sizeof *args);
  args->fill = DEFACE_FILL_ZERO;
  args->sigma_mm = DEFACE_SIGMA_DEFAULT_MM;
  args->seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = 0;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      print_help();
      return 1;
    } else if (!strcmp(a, "--version")) {
      printf("deface %s\n", deface_version());
      return 1;
    } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      takes = 1;
      if (value)
        args->output = value;
    } else if (!strcmp(a, "--label")) {
      takes = 1;
      if (value)
        args->label = value;
    } else if (!strcmp(a, "--json")) {
      takes = 1;
      if (value)
        args->json = value;
    } else if (!strcmp(a, "--qa")) {
      takes = 1;
      if (value)
        args->qa = value;
    } else if (!strcmp(a, "--fill")) {
      takes = 1;
      if (value && deface_fill_from_name(value, &args->fill) != DEFACE_OK)
        return usage_error("--fill must be zero, blur or noise, not '%s'", value);
    } else if (!strcmp(a, "--sigma")) {
      takes = 1;
      if (value && parse_double(value, DEFACE_SIGMA_MIN_MM, DEFACE_SIGMA_MAX_MM, &args->sigma_mm)) {
        fprintf(
            stderr,
            "deface: --sigma must be a number of mm from %g to %g, not '%s' (try deface --help)\n",
            DEFACE_SIGMA_MIN_MM, DEFACE_SIGMA_MAX_MM, value);
        return -1;
      }
    } else if (!strcmp(a, "--seed")) {
      takes = 1;
      unsigned long long s;
      if (value && parse_whole(value, 0, 4294967295ull, &s))
        return usage_error("--seed must be a whole number from 0 to 4294967295, not '%s'", value);
      if (value)
        args->seed = (unsigned long)s;
    } else if (!strcmp(a, "--jobs") || !strcmp(a, "-j")) {
      takes = 1;
      unsigned long long j;
      if (value && parse_whole(value, 1, 1024, &j))
        return usage_error("--jobs must be a whole number from 1 to 1024, not '%s'", value);
      if (value)
        args->jobs = (int)j;
    } else if (!strcmp(a, "--no-qa")) {
      args->no_qa = 1;
    } else if (!strcmp(a, "--ears")) {
      args->ears = 1;
    } else if (!strcmp(a, "--force")) {
      args->force = 1;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      args->quiet = 1;
    } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
      args->verbose = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error("unknown option '%s'", a);
    } else if (args->input) {
      return usage_error("one INPUT only; '%s' is extra", a);
    } else {
      args->input = a;
    }
    if (takes) {
      if (!value)
        return usage_error("%s needs a value", a);
      i++;
    }
  }
  if (!args->input)
    return usage_error("%s", "no INPUT given");
  if (args->qa && args->no_qa)
    return usage_error("%s", "--qa and --no-qa exclude each other");
  if (args->quiet && args->verbose)
    return usage_error("%s", "--quiet and --verbose exclude each other");
  return 0;
}

/*
 * module_args.c - FaceMasking's own argument parsing for the builds without
 * GenerateCLP (it is not packaged for Debian). Accepts exactly what Slicer
 * passes for FaceMasking.xml: `--longflag value` (also `--longflag=value`),
 * booleans as a bare flag when true, then the index arguments in order.
 * Nothing is printed and nothing is allocated: this also runs inside
 * Slicer's process, where numbers are read in the C locale whatever the
 * process's locale (deface_c_strtod).
 */
#include "module_args.h"

#include "deface_nrrd.h"

#include <stdio.h>
#include <string.h>

static int fail(char *err, const char *fmt, const char *what)
{
  snprintf(err, DEFACE_ERRLEN, fmt, what);
  return -1;
}

/* Matches argv[*i] against --name or --name=value; sets *value for options
 * that take one (from the same or the next argument). 1 = matched. */
static int take(int argc, char *argv[], int *i, const char *name, const char **value, int *missing)
{
  const char *arg = argv[*i];
  size_t n = strlen(name);
  if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
    return 0;
  const char *rest = arg + 2 + n;
  if (!value)
    return *rest == '\0';
  if (*rest == '=') {
    *value = rest + 1;
    return 1;
  }
  if (*rest != '\0')
    return 0;
  if (*i + 1 >= argc) {
    *missing = 1;
    return 1;
  }
  *value = argv[++*i];
  return 1;
}

static int parse_fill(const char *s, deface_fill *fill)
{
  static const deface_fill fills[] = {DEFACE_FILL_ZERO, DEFACE_FILL_BLUR, DEFACE_FILL_NOISE};
  for (size_t k = 0; k < sizeof fills / sizeof fills[0]; k++)
    if (strcmp(s, deface_fill_name(fills[k])) == 0) {
      *fill = fills[k];
      return 0;
    }
  return -1;
}

static int parse_sigma(const char *s, double *sigma)
{
  char *end = NULL;
  double v = deface_c_strtod(s, &end);
  /* The XML constraints, as the deface command has them. */
  if (end == s || *end != '\0' || !(v >= 0.5 && v <= 50))
    return -1;
  *sigma = v;
  return 0;
}

static int parse_address(const char *s, fm_process_info **info)
{
  void *p = NULL;
  if (sscanf(s, "%p", &p) != 1)
    return -1;
  *info = p; /* NULL ("0x0" or "(nil)") means none */
  return 0;
}

int fm_args_parse(int argc, char *argv[], fm_cli *c, char *err)
{
  memset(c, 0, sizeof *c);
  fm_args *a = &c->run;
  fm_args_init(a);
  a->in_process = argc > 0 && argv[0] && strncmp(argv[0], "slicer:", 7) == 0;
  int positional = 0;
  for (int i = 1; i < argc; i++) {
    const char *v = NULL;
    int missing = 0;
    if (take(argc, argv, &i, "xml", NULL, &missing))
      c->xml = 1;
    else if (take(argc, argv, &i, "echo", NULL, &missing))
      c->echo = 1;
    else if (take(argc, argv, &i, "ears", NULL, &missing))
      a->ears = 1;
    else if (take(argc, argv, &i, "AllowInMemoryTransfer", NULL, &missing))
      continue; /* declared only so that Slicer passes files; nothing to do */
    else if (take(argc, argv, &i, "returnparameterfile", &v, &missing)) {
      if (!missing)
        a->return_file = v;
    } else if (take(argc, argv, &i, "processinformationaddress", &v, &missing)) {
      if (!missing && parse_address(v, &a->info) != 0)
        return fail(err, "--processinformationaddress: not an address: %s", v);
      if (a->info)
        a->in_process = 1;
    } else if (take(argc, argv, &i, "outputLabel", &v, &missing)) {
      if (!missing)
        a->label = v;
    } else if (take(argc, argv, &i, "fill", &v, &missing)) {
      if (!missing && parse_fill(v, &a->fill) != 0)
        return fail(err, "--fill: expected zero, blur or noise, not %s", v);
    } else if (take(argc, argv, &i, "sigma", &v, &missing)) {
      if (!missing && parse_sigma(v, &a->sigma_mm) != 0)
        return fail(err, "--sigma: expected a number of mm from 0.5 to 50, not %s", v);
    } else if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
      return fail(err, "unknown option %s", argv[i]);
    } else if (positional == 0) {
      a->input = argv[i];
      positional++;
    } else if (positional == 1) {
      a->output = argv[i];
      positional++;
    } else {
      return fail(err, "unexpected argument %s (inputVolume and outputVolume already given)",
                  argv[i]);
    }
    if (missing)
      return fail(err, "%s needs a value", argv[i]);
  }
  if (c->xml)
    return 0;
  if (!a->input || !a->output)
    return fail(err, "%s",
                "usage: FaceMasking [--outputLabel FILE] [--fill zero|blur|noise] "
                "[--sigma MM] [--ears] inputVolume outputVolume (or --xml)");
  return 0;
}

void fm_args_echo(const fm_cli *c, const fm_sink *sink)
{
  const fm_args *a = &c->run;
  char line[4096], sigma[40];
  if (deface_c_format(sigma, sizeof sigma, 6, a->sigma_mm) < 0)
    snprintf(sigma, sizeof sigma, "?");
  snprintf(line, sizeof line,
           "inputVolume = %s\noutputVolume = %s\noutputLabel = %s\nfill = %s\nsigma = %s\n"
           "ears = %s\nreturnparameterfile = %s\nprocessinformationaddress = %p\n",
           a->input ? a->input : "", a->output ? a->output : "", a->label ? a->label : "",
           deface_fill_name(a->fill), sigma, a->ears ? "true" : "false",
           a->return_file ? a->return_file : "", (void *)a->info);
  sink->write(sink->ctx, 0, line);
}

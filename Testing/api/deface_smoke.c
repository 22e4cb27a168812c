/*
 * deface_smoke.c - a program outside the project that uses only the installed
 * libdeface: its headers (deface.h, deface_nifti.h), its pkg-config file or
 * its CMake package, and its shared library. It defaces one NIfTI file the
 * way a third front end would.
 *
 *   deface_smoke IN.nii.gz OUT.nii.gz LABEL.nii.gz [FILL]
 *
 * Exit 0 when the result was written; 1 on any failure (one line on stderr).
 */
#include <deface.h>
#include <deface_nifti.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: deface_smoke IN.nii.gz OUT.nii.gz LABEL.nii.gz [FILL]\n");
    return 1;
  }
  /* The library found at run time is the one this program was built for. */
  if (strcmp(deface_version(), DEFACE_VERSION) != 0) {
    fprintf(stderr, "deface_smoke: library %s, header %s\n", deface_version(), DEFACE_VERSION);
    return 1;
  }
  deface_options opt;
  deface_options_init(&opt);
  if (argc == 5 && deface_fill_from_name(argv[4], &opt.fill) != DEFACE_OK) {
    fprintf(stderr, "deface_smoke: unknown fill %s\n", argv[4]);
    return 1;
  }
  opt.sigma_mm = DEFACE_SIGMA_DEFAULT_MM;
  char err[DEFACE_ERRLEN] = "";
  deface_volume *in = NULL, *out = NULL, *label = NULL;
  deface_nifti *header = NULL;
  deface_result result;
  deface_status st = deface_nifti_read(argv[1], &in, &header, err);
  if (st == DEFACE_OK)
    st = deface_run(in, &opt, &out, &label, &result, err);
  if (st == DEFACE_OK)
    st = deface_nifti_write(argv[2], out, header, NULL, err);
  if (st == DEFACE_OK)
    st = deface_nifti_write_label(argv[3], label, header, err);
  if (st == DEFACE_OK)
    printf("deface %s: %s; eyes (%.1f, %.1f, %.1f) and (%.1f, %.1f, %.1f); changed %.1f mL\n",
           deface_version(), deface_status_str(st), result.eye_ras[0][0], result.eye_ras[0][1],
           result.eye_ras[0][2], result.eye_ras[1][0], result.eye_ras[1][1], result.eye_ras[1][2],
           result.changed_ml);
  else
    fprintf(stderr, "deface_smoke: %s (%s)\n", err, deface_status_str(st));
  deface_volume_free(in);
  deface_volume_free(out);
  deface_volume_free(label);
  deface_nifti_free(header);
  return st == DEFACE_OK ? 0 : 1;
}

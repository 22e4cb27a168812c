/*
 * sidecar.c - JSON provenance: what went in (by SHA-256), what came out,
 * how it was filled, where the eyes were found and how much changed.
 */
#define _POSIX_C_SOURCE 200809L
#include "sidecar.h"
#include "sha256.h"
#include "textbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The second localiser and the post-fill face search (README, "The JSON sidecar's localisation
 * fields"). */
static void put_template(textbuf *t, const deface_result *r)
{
  if (!r->template_registered) {
    textbuf_printf(t, "  \"template\": null,\n");
  } else {
    const double(*a)[4] = r->template_to_input;
    textbuf_printf(
        t,
        "  \"template\": {\"eye_centres_ras_mm\": {\"right\": [%.2f, %.2f, %.2f], \"left\": "
        "[%.2f, %.2f, %.2f]}, \"nose_tip_ras_mm\": [%.2f, %.2f, %.2f],\n"
        "    \"eye_distance_to_finder_mm\": {\"right\": %.2f, \"left\": %.2f},\n"
        "    \"similarity\": %.4f, \"nmi\": %.4f, \"head_overlap\": %.4f,\n"
        "    \"to_input\": [[%.6g, %.6g, %.6g, %.6g], [%.6g, %.6g, %.6g, %.6g], "
        "[%.6g, %.6g, %.6g, %.6g]]},\n",
        r->template_eye_ras[0][0], r->template_eye_ras[0][1], r->template_eye_ras[0][2],
        r->template_eye_ras[1][0], r->template_eye_ras[1][1], r->template_eye_ras[1][2],
        r->template_nose_ras[0], r->template_nose_ras[1], r->template_nose_ras[2],
        r->localiser_distance_mm[0], r->localiser_distance_mm[1], r->template_similarity,
        r->template_nmi, r->template_head_overlap, a[0][0], a[0][1], a[0][2], a[0][3], a[1][0],
        a[1][1], a[1][2], a[1][3], a[2][0], a[2][1], a[2][2], a[2][3]);
  }
  if (!r->face_check_done)
    textbuf_printf(t, "  \"face_check\": null,\n");
  else
    textbuf_printf(t,
                   "  \"face_check\": {\"eye_pairs_left\": %d, \"best_eye_pair_score\": %.2f, "
                   "\"nose_protrusion_mm\": %.1f},\n",
                   r->face_check_eye_pairs, r->face_check_eye_score, r->face_check_nose_mm);
}

/* A JSON string's escaping: quotes, backslashes and control bytes. */
static const char *json_escape(unsigned char c, char buf[8])
{
  if (c == '"')
    return "\\\"";
  if (c == '\\')
    return "\\\\";
  if (c < 0x20 || c == 0x7f) {
    snprintf(buf, 8, "\\u%04x", c);
    return buf;
  }
  return NULL;
}

/* A JSON string literal; bytes that are not UTF-8 (a Latin-1 file name)
 * become U+FFFD, so that the sidecar stays valid JSON. */
static void put_string(textbuf *t, const char *s)
{
  textbuf_printf(t, "\"");
  textbuf_append_escaped(t, s, json_escape);
  textbuf_printf(t, "\"");
}

static void put_file(textbuf *t, const char *key, const char *path, const char *file, int last)
{
  char hex[65];
  textbuf_printf(t, "  \"%s\": {\"path\": ", key);
  put_string(t, path);
  if (file && sha256_file(file, hex) == 0)
    textbuf_printf(t, ", \"sha256\": \"%s\"}", hex);
  else
    textbuf_printf(t, ", \"sha256\": null}");
  textbuf_printf(t, last ? "\n" : ",\n");
}

static int compare_hex(const void *a, const void *b)
{
  return memcmp(a, b, 65);
}

/* The series' fingerprint (see sidecar.h); -1 if a file cannot be read. */
static int sha256_of_files(const char *const *files, size_t n, char hex[65])
{
  if (n > SIZE_MAX / 65 - 1)
    return -1;
  char(*digests)[65] = malloc((n ? n : 1) * sizeof *digests);
  if (!digests)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = sha256_file(files[i], digests[i]);
  if (rc == 0) {
    qsort(digests, n, sizeof *digests, compare_hex);
    for (size_t i = 0; i < n; i++)
      digests[i][64] = '\n'; /* in place: 64 hex digits and a newline each */
    sha256_buffer(digests, n * 65, hex);
  }
  free(digests);
  return rc;
}

static void put_folder(textbuf *t, const char *key, const char *path, const char *const *files,
                       size_t n)
{
  char hex[65];
  textbuf_printf(t, "  \"%s\": {\"path\": ", key);
  put_string(t, path);
  if (sha256_of_files(files, n, hex) == 0)
    textbuf_printf(t, ", \"sha256_of_files\": \"%s\"", hex);
  else
    textbuf_printf(t, ", \"sha256_of_files\": null");
  textbuf_printf(t, ", \"files\": %zu},\n", n);
}

void sidecar_text(const sidecar_info *info, textbuf *t)
{
  const deface_result *r = info->result;
  textbuf_printf(t, "{\n  \"tool\": \"deface\",\n  \"version\": \"%s\",\n", DEFACE_VERSION);
  if (info->input_files)
    put_folder(t, "input", info->input, info->input_files, info->n_input_files);
  else
    put_file(t, "input", info->input, info->input, 0);
  put_file(t, "output", info->output, info->output_file, 0);
  put_file(t, "label", info->label, info->label_file, 0);
  textbuf_printf(t, "  \"fill\": \"%s\",\n", deface_fill_name(info->fill));
  textbuf_printf(t, "  \"ears\": %s,\n", info->ears ? "true" : "false");
  if (info->fill == DEFACE_FILL_BLUR)
    textbuf_printf(t, "  \"sigma_mm\": %.3g,\n", info->sigma_mm);
  textbuf_printf(t, "  \"modality_guess\": \"%s\",\n", r->is_ct ? "CT" : "MR");
  textbuf_printf(t, "  \"air_value\": %.6g,\n", r->air_value);
  if (r->eyes_found)
    textbuf_printf(
        t,
        "  \"eye_centres_ras_mm\": {\"right\": [%.2f, %.2f, %.2f], \"left\": [%.2f, %.2f, "
        "%.2f]},\n",
        r->eye_ras[0][0], r->eye_ras[0][1], r->eye_ras[0][2], r->eye_ras[1][0], r->eye_ras[1][1],
        r->eye_ras[1][2]);
  else
    textbuf_printf(t, "  \"eye_centres_ras_mm\": null,\n");
  textbuf_printf(t, "  \"pitch_correction_deg\": %.1f,\n", r->pitch_correction_deg);
  put_template(t, r);
  textbuf_printf(t, "  \"nose_in_view\": %s,\n  \"mouth_in_view\": %s,\n",
                 r->nose_in_view ? "true" : "false", r->mouth_in_view ? "true" : "false");
  textbuf_printf(t, "  \"labelled_ml\": %.2f,\n  \"changed_ml\": %.2f,\n", r->labelled_ml,
                 r->changed_ml);
  textbuf_printf(t, "  \"face_surface_changed\": %.3f,\n", r->face_surface_changed);
  textbuf_printf(t, "  \"status\": ");
  put_string(t, info->status);
  textbuf_printf(t, ",\n  \"reason\": ");
  put_string(t, r->reason);
  textbuf_printf(t, ",\n  \"seconds\": %.3f\n}\n", info->seconds);
}

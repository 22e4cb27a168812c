/*
 * module_progress.c - progress tags, the in-process progress block and the
 * clock (module_progress.h). Slicer reads the last <filter-progress> and shows
 * <filter-comment> as the stage; its parser stops at '<', so stage texts are
 * cleaned. In-process, Slicer's Cancel sets Abort, which every report polls.
 */
#include "module_progress.h"

#include <stdio.h>
#include <string.h>

#if defined(_WIN32)
#include <windows.h>
double fm_seconds(void)
{
  LARGE_INTEGER f, t;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart / (double)f.QuadPart;
}
#else
#include <time.h>
double fm_seconds(void)
{
  struct timespec t;
  if (timespec_get(&t, TIME_UTC) != TIME_UTC)
    return 0.0;
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
#endif

void fm_clean_text(char *dst, size_t n, const char *src)
{
  size_t k = 0;
  for (; src && src[k] && k + 1 < n; k++) {
    char c = src[k];
    dst[k] = c == '<' || c == '>' || c == '&' || c == '\n' || c == '\r' ? ' ' : c;
  }
  dst[k] = '\0';
}

void fm_progress_start(fm_progress *p, fm_process_info *info, int tags)
{
  memset(p, 0, sizeof *p);
  p->info = info;
  p->tags = tags && !info;
  p->t0 = fm_seconds();
}

int fm_progress_report(fm_progress *p, double fraction, const char *stage)
{
  if (fraction < p->last)
    fraction = p->last;
  if (fraction > 1.0)
    fraction = 1.0;
  int new_stage = stage && strncmp(stage, p->stage, sizeof p->stage - 1) != 0;
  if (new_stage)
    fm_clean_text(p->stage, sizeof p->stage, stage);
  if (p->info) {
    p->info->Progress = (float)fraction;
    p->info->StageProgress = (float)fraction;
    memcpy(p->info->ProgressMessage, p->stage, sizeof p->stage);
    p->info->ElapsedTime = fm_seconds() - p->t0;
    if (p->info->ProgressCallbackFunction && p->info->ProgressCallbackClientData)
      p->info->ProgressCallbackFunction(p->info->ProgressCallbackClientData);
  } else if (p->tags) {
    if (new_stage)
      printf("<filter-start><filter-name>FaceMasking</filter-name>"
             "<filter-comment> %s </filter-comment></filter-start>\n",
             p->stage);
    if (new_stage || fraction - p->last >= 0.01 || fraction == 1.0)
      printf("<filter-progress>%.4f</filter-progress>\n", fraction);
    fflush(stdout);
  }
  p->last = fraction;
  return p->info && p->info->Abort;
}

int fm_progress_core(void *user, double fraction, const char *stage)
{
  return fm_progress_report(user, 0.05 + 0.9 * fraction, stage);
}

void fm_progress_end(fm_progress *p)
{
  if (p->tags) {
    printf("<filter-end><filter-name>FaceMasking</filter-name>"
           "<filter-time>%.3f</filter-time></filter-end>\n",
           fm_seconds() - p->t0);
    fflush(stdout);
  }
}

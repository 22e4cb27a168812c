/*
 * progress.c - terminal progress bar on stderr (stdout stays for results).
 */
#include "progress.h"

#include <stdio.h>

void progress_init(progress_bar *bar, int enabled, const char *label)
{
  bar->enabled = enabled;
  bar->last_percent = -1;
  bar->label = label;
}

int progress_update(void *user, double fraction, const char *stage)
{
  progress_bar *bar = user;
  if (!bar->enabled)
    return 0;
  int percent = (int)(fraction * 100 + 0.5);
  if (percent == bar->last_percent)
    return 0;
  bar->last_percent = percent;
  int filled = percent * 30 / 100;
  fprintf(stderr, "\r%.40s [", bar->label);
  for (int i = 0; i < 30; i++)
    fputc(i < filled ? '#' : ' ', stderr);
  fprintf(stderr, "] %3d%% %-24.24s", percent, stage ? stage : "");
  fflush(stderr);
  return 0;
}

void progress_done(progress_bar *bar)
{
  if (bar->enabled && bar->last_percent >= 0) {
    fprintf(stderr, "\r%100s\r", "");
    fflush(stderr);
  }
}

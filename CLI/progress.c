/*
 * progress.c - the terminal progress bar: "LABEL [#####     ]  42% text".
 */
#include "progress.h"

#include <stdio.h>
#include <string.h>

#define WIDTH 30

void progress_init(progress_bar *bar, int enabled, const char *label)
{
  memset(bar, 0, sizeof *bar);
  bar->enabled = enabled;
  bar->last_percent = -1;
  bar->label = label;
}

static void draw(progress_bar *bar, int percent, const char *text)
{
  if (!bar->enabled)
    return;
  if (percent == bar->last_percent && strncmp(text, bar->last_text, sizeof bar->last_text - 1) == 0)
    return;
  bar->last_percent = percent;
  snprintf(bar->last_text, sizeof bar->last_text, "%s", text);
  int filled = percent * WIDTH / 100;
  fprintf(stderr, "\r%.40s [", bar->label ? bar->label : "");
  for (int i = 0; i < WIDTH; i++)
    fputc(i < filled ? '#' : ' ', stderr);
  fprintf(stderr, "] %3d%% %-40.40s", percent, text);
  fflush(stderr);
}

int progress_update(void *user, double fraction, const char *stage)
{
  progress_bar *bar = user;
  int cancel = bar->cancelled && bar->cancelled();
  if (!(fraction >= 0))
    fraction = 0;
  draw(bar, (int)(fraction > 1 ? 100 : fraction * 100 + 0.5), stage ? stage : "");
  return cancel;
}

void progress_count(progress_bar *bar, size_t done, size_t total, const char *now)
{
  char text[64];
  snprintf(text, sizeof text, "%zu / %zu series%s%.32s", done, total,
           now && done < total ? "; now " : "", now && done < total ? now : "");
  draw(bar, total ? (int)(100 * done / total) : 100, text);
}

void progress_clear(progress_bar *bar)
{
  if (bar->enabled && bar->last_percent >= 0) {
    fprintf(stderr, "\r%*s\r", 40 + WIDTH + 50, "");
    fflush(stderr);
    bar->last_percent = -1;
    bar->last_text[0] = '\0';
  }
}

void progress_done(progress_bar *bar)
{
  progress_clear(bar);
}

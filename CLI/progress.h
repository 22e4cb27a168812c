/*
 * progress.h - the command's one terminal progress bar, on stderr (stdout
 * stays for results): fed by the core's progress callback in file and series
 * modes, and by the count of series done in a session.
 */
#ifndef DEFACE_CLI_PROGRESS_H
#define DEFACE_CLI_PROGRESS_H

#include <stddef.h>

typedef struct progress_bar {
  int enabled;       /* only on a terminal, never when piped or --quiet */
  int last_percent;  /* -1 before the first drawing */
  const char *label; /* the file or folder shown before the bar */
  char last_text[64];
  int (*cancelled)(void); /* when set and non-zero, progress_update() cancels */
} progress_bar;

void progress_init(progress_bar *bar, int enabled, const char *label);
/** deface_progress_fn: draws the bar; returns non-zero (cancel) only when
 * bar->cancelled says so. */
int progress_update(void *bar, double fraction, const char *stage);
/** Draws `done` of `total` series, and the one started last. */
void progress_count(progress_bar *bar, size_t done, size_t total, const char *now);
/** Clears the line so that a message can be printed; the next drawing
 * draws it again. */
void progress_clear(progress_bar *bar);
/** Clears the line at the end. */
void progress_done(progress_bar *bar);

#endif

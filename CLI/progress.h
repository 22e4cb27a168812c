/*
 * progress.h - a one-line terminal progress bar fed by the core's callback.
 */
#ifndef DEFACE_CLI_PROGRESS_H
#define DEFACE_CLI_PROGRESS_H

typedef struct progress_bar {
  int enabled;       /* only on a terminal, never when piped or --quiet */
  int last_percent;
  const char *label; /* file name shown before the bar */
} progress_bar;

void progress_init(progress_bar *bar, int enabled, const char *label);
/** deface_progress_fn: draws the bar; never cancels. */
int progress_update(void *bar, double fraction, const char *stage);
/** Clears the line so that the next message starts clean. */
void progress_done(progress_bar *bar);

#endif

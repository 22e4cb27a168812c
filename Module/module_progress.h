/*
 * module_progress.h - progress the way Slicer listens: XML tags on stdout for
 * the executable, the ModuleProcessInformation block and its callback
 * in-process; and Slicer's Cancel button (Abort) in-process.
 */
#ifndef FM_MODULE_PROGRESS_H
#define FM_MODULE_PROGRESS_H

#include "module_process_info.h"

#include <stddef.h>

typedef struct fm_progress {
  fm_process_info *info; /* in-process, else NULL */
  int tags;              /* executable: XML tags on stdout */
  double last;           /* last fraction reported: never goes back */
  char stage[128];
  double t0;
} fm_progress;

/* Wall-clock seconds from an arbitrary start (portable). */
double fm_seconds(void);

/* Copies src for a tag or a one-line message: no '<', '>', '&' or newline. */
void fm_clean_text(char *dst, size_t n, const char *src);

void fm_progress_start(fm_progress *p, fm_process_info *info, int tags);

/* Reports overall progress 0..1; returns non-zero when Slicer asked to abort. */
int fm_progress_report(fm_progress *p, double fraction, const char *stage);

/* The core's progress callback: its 0..1 is the middle 90% of the module's. */
int fm_progress_core(void *user, double fraction, const char *stage);

/* The executable's closing tag with the elapsed time. */
void fm_progress_end(fm_progress *p);

#endif /* FM_MODULE_PROGRESS_H */

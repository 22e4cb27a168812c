/*
 * qa.h - QA pictures for the `deface` command: an X display for VTK (Xvfb
 * started when DISPLAY is unset) and the render processes that draw on it
 * (`deface-render`: qa_helper.h), as many at once as threads ask.
 */
#ifndef DEFACE_CLI_QA_H
#define DEFACE_CLI_QA_H

#include "deface.h"

#include <stddef.h>

/** 1 when this build renders QA pictures (DEFACE_WITH_RENDER), else 0. */
int qa_available(void);

/**
 * Makes sure an X display is there for rendering: DISPLAY when it is set;
 * otherwise starts `Xvfb -displayfd -noreset` on a free display number and
 * waits until it accepts connections. Then starts the first render process,
 * which holds its connection to the display until qa_display_end(), so the
 * server cannot reset between pictures (qa.c says why that matters). DISPLAY
 * is never set. Idempotent: later calls return the first call's outcome;
 * thread-safe.
 * @return 0, or -1 with a one-line reason in err (e.g. Xvfb is missing:
 *         install xvfb or run under `xvfb-run -a`; deface-render is missing).
 */
int qa_display_begin(char *err, size_t size);

/** Stops the render processes and the Xvfb qa_display_begin() started, if any; no
 * picture may be in progress. */
void qa_display_end(void);

/** The display the pictures are drawn on (":N"), NULL before
 * qa_display_begin() succeeded. */
const char *qa_display_name(void);

/**
 * Renders the QA picture of one result as PNG bytes (see
 * deface_render_qa_png()), starting the display if needed, from the volumes
 * shrunk to DEFACE_RENDER_GRID_MM. Calls from several threads run in
 * parallel, each in a render process of its own (an idle one, or a new one).
 * The caption shows `name`, "defaced" and the changed volume. `path` (where
 * the caller will write the bytes) only names the picture in messages.
 * @return DEFACE_OK with *png (free()) and *size, or a status with
 *         "PATH: QA picture: reason" in err (DEFACE_ERRLEN bytes).
 */
deface_status qa_render(const char *path, const deface_volume *original,
                        const deface_volume *defaced, const deface_volume *label,
                        const deface_result *result, const char *name, unsigned char **png,
                        size_t *size, char *err);

#endif

/*
 * deface_render.h - QA pictures of a deface result through VTK (C++ inside,
 * this C API outside): the skin surface of the original and of the defaced
 * volume, from the right 45 degrees, the front and the left 45 degrees, the
 * removed region coloured on the original, and a caption; one PNG.
 *
 * Debian's VTK renders only through an X display: a deface_render_display
 * names one that accepts connections (a real one or Xvfb; the `deface`
 * command starts Xvfb itself when DISPLAY is unset) and holds one connection
 * to it for as long as it lives, through which every picture is drawn. An X
 * server started without -noreset (xvfb-run's, for one) resets when its last
 * client leaves and refuses connections while it does: with the connection
 * held it never resets between pictures. The display also keeps the render
 * window (one OpenGL context, its shaders compiled once) from one picture to
 * the next. Rendering is not meant to run on several threads at once: callers
 * serialise their calls with one display, and draw in parallel with
 * processes (the `deface` command: deface-render, deface_render_wire.h).
 */
#ifndef DEFACE_RENDER_H
#define DEFACE_RENDER_H

#include "deface.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of one view panel and of the whole picture in pixels: 2 rows (before,
 * after) x 3 views, and a caption strip at the bottom. */
#define DEFACE_RENDER_PANEL 320
#define DEFACE_RENDER_CAPTION 60
#define DEFACE_RENDER_WIDTH (3 * DEFACE_RENDER_PANEL)
#define DEFACE_RENDER_HEIGHT (2 * DEFACE_RENDER_PANEL + DEFACE_RENDER_CAPTION)

/** A held connection to an X display. Opaque. */
typedef struct deface_render_display deface_render_display;

/**
 * Opens the X display `name` (e.g. ":0", the value of DISPLAY) and keeps the
 * connection until deface_render_display_close().
 * @return DEFACE_OK; DEFACE_E_OUTPUT with "cannot open the X display NAME"
 *         (or "DISPLAY is unset" for a NULL or empty name) and how to get
 *         one; DEFACE_E_NOMEM.
 */
deface_status deface_render_display_open(const char *name, deface_render_display **out, char *err);

/** Closes the connection; NULL is a no-op. */
void deface_render_display_close(deface_render_display *display);

/** The display's name as opened ("" for NULL). */
const char *deface_render_display_name(const deface_render_display *display);

/**
 * Renders the QA picture of one defaced volume and encodes it as PNG bytes
 * (DEFACE_RENDER_WIDTH x DEFACE_RENDER_HEIGHT, RGB). Nothing is written to a
 * file: the caller writes the bytes (e.g. through deface_write.h). The first
 * time point of 4D volumes is shown.
 * @param display   where to draw (deface_render_display_open()).
 * @param original  the input volume.
 * @param defaced   the defaced volume (same grid as original).
 * @param label     the label volume (same grid; label != 0 is coloured on the original).
 * @param skin_threshold  real value separating head tissue from air
 *                  (deface_result.tissue_threshold): the isosurface level.
 * @param eye_ras   eye centres in RAS mm ([0] right, [1] left), which give the
 *                  front of the head; NULL to take RAS anterior as the front.
 * @param caption_name  the file or series name in the caption (may be NULL).
 * @param status    the status text in the caption (e.g. "defaced"; may be NULL).
 * @param changed_ml  the changed volume in mL, in the caption.
 * @param png       receives the bytes (malloc'ed; the caller frees them with free()).
 * @param png_size  receives their number.
 * @param err       DEFACE_ERRLEN bytes for a one-line reason, or NULL.
 * @return DEFACE_OK; DEFACE_E_USAGE (NULL arguments, grids differ);
 *         DEFACE_E_OUTPUT (no skin surface, rendering or encoding failed); DEFACE_E_NOMEM;
 * DEFACE_E_INTERNAL (anything else VTK threw). C++ exceptions never leave this function.
 */
deface_status deface_render_qa_png(deface_render_display *display, const deface_volume *original,
                                   const deface_volume *defaced, const deface_volume *label,
                                   double skin_threshold, const double (*eye_ras)[3],
                                   const char *caption_name, const char *status, double changed_ml,
                                   unsigned char **png, size_t *png_size, char *err);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_RENDER_H */

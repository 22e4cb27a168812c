/*
 * deface_render_wire.h - a QA picture asked of the render process and its
 * answer, over a stream socket (plain C, no VTK: the `deface` command links
 * this, the `deface-render` process links it and VTK).
 *
 * Why a process: VTK and Mesa are 90 shared objects and about 20 MiB that a
 * NIfTI run without pictures never needs, and VTK's OpenGL state is not
 * meant to be driven from several threads, so one process renders one
 * picture at a time and a session renders in parallel with one process per
 * worker, each with its own X connection (Logic/Render/render_helper.c).
 *
 * Why a small grid: the picture shows the skin at about 2 mm, so the caller
 * sends the volumes block-averaged to about 2 mm (deface_render_shrink())
 * rather than the whole input: the picture's cost follows the head's size
 * in millimetres, not the input's voxel count.
 *
 * The stream: the process first sends one reply with no PNG (DEFACE_OK once
 * it holds its X connection, else the reason); then one reply for each
 * request, until the caller closes its end. Both ends are on one machine:
 * numbers are sent in the host's byte order.
 */
#ifndef DEFACE_RENDER_WIRE_H
#define DEFACE_RENDER_WIRE_H

#include "deface.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Voxel size the picture is rendered from, in mm. */
#define DEFACE_RENDER_GRID_MM 2.0

/** What one picture needs (all on one grid; owned as the functions say). */
typedef struct deface_render_request {
  deface_volume *original; /**< the input's first time point, shrunk (float32) */
  deface_volume *defaced;  /**< the output's first time point, shrunk (float32) */
  deface_volume *label;    /**< the label, shrunk by block maximum (uint8) */
  double skin_threshold;   /**< deface_result.tissue_threshold */
  int has_eyes;            /**< eye_ras holds the eyes ([0] right, [1] left) */
  double eye_ras[2][3];
  double changed_ml;
  char name[256];  /**< caption: file or series name */
  char status[64]; /**< caption: e.g. "defaced" */
} deface_render_request;

/**
 * The first time point of `volume` block-averaged (or, with `block_max`, the
 * block maximum, which keeps thin parts of a label) to voxels of about
 * `grid_mm`, as float32 (uint8 with block_max) real values, with the matrix
 * moved to the blocks' centres. Axes already coarser are kept.
 * @param out  receives the new volume; the caller frees it.
 * @return DEFACE_OK, DEFACE_E_NOMEM, DEFACE_E_USAGE.
 */
deface_status deface_render_shrink(const deface_volume *volume, double grid_mm, int block_max,
                                   deface_volume **out, char *err);

/** Frees the request's volumes (NULL members are fine) and zeroes it. */
void deface_render_request_clear(deface_render_request *request);

/**
 * Sends a request on `fd`; never raises SIGPIPE.
 * @return DEFACE_OK or DEFACE_E_OUTPUT with the reason in err.
 */
deface_status deface_render_send_request(int fd, const deface_render_request *request, char *err);

/**
 * Reads a request from `fd` into *request (volumes allocated; clear with
 * deface_render_request_clear()).
 * @return DEFACE_OK; DEFACE_E_CANCELLED at a clean end of the stream (the
 *         caller closed it); DEFACE_E_INPUT for a broken or malformed one;
 *         DEFACE_E_NOMEM.
 */
deface_status deface_render_recv_request(int fd, deface_render_request *request, char *err);

/** Sends a reply: the picture's status, a one-line message, the PNG bytes (may be none). */
deface_status deface_render_send_reply(int fd, deface_status status, const char *message,
                                       const unsigned char *png, size_t size, char *err);

/**
 * Reads a reply. On DEFACE_OK the picture's own status is in *status, its
 * message in message (DEFACE_ERRLEN bytes), the PNG in *png (free()) and
 * *size. Any other return: the stream broke (DEFACE_E_INPUT, err says how).
 */
deface_status deface_render_recv_reply(int fd, deface_status *status, char *message,
                                       unsigned char **png, size_t *size, char *err);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_RENDER_WIRE_H */

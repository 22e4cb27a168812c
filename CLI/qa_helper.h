/*
 * qa_helper.h - one render process (`deface-render`, Logic/Render/render_helper.c):
 * started with a socket as its stdin and stdout, asked for pictures one at
 * a time, stopped by closing the socket.
 */
#ifndef DEFACE_CLI_QA_HELPER_H
#define DEFACE_CLI_QA_HELPER_H

#include "deface.h"
#include "deface_render_wire.h"

#include <stddef.h>
#include <sys/types.h>

typedef struct qa_helper {
  pid_t pid; /* 0: not running */
  int fd;    /* our end of the socket */
} qa_helper;

/**
 * Starts deface-render from the module folder on `display` and waits until
 * it holds its connection to it.
 * @return 0, or -1 with a one-line reason in err (DEFACE_ERRLEN bytes): the
 *         program is missing, or it could not open the display.
 */
int qa_helper_start(qa_helper *h, const char *display, char *err);

/**
 * One picture: sends the request, reads the reply.
 * @return DEFACE_OK with *png (free()) and *size; the picture's own failure
 *         status with its reason in err; or DEFACE_E_OUTPUT when the process
 *         broke (it is then stopped: *h is no longer running).
 */
deface_status qa_helper_render(qa_helper *h, const deface_render_request *rq, unsigned char **png,
                               size_t *size, char *err);

/** Closes the socket (the process ends by itself) and reaps it; a stopped helper is a no-op. */
void qa_helper_stop(qa_helper *h);

#endif

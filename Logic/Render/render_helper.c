/*
 * render_helper.c - `deface-render`, the process that draws QA pictures for
 * the `deface` command (deface_render_wire.h says why a process). Started by
 * deface with a stream socket as stdin and stdout:
 *
 *   deface-render --display :N
 *
 * It opens the X display once and holds that connection for its life (an X
 * server started without -noreset resets when its last client leaves, and
 * refuses connections meanwhile), answers "ready" (or why not), then renders
 * one picture per request until deface closes the socket. Terminal signals
 * (SIGINT, SIGHUP) are left to deface, which finishes or abandons its work
 * and then closes the socket: a picture being drawn is never cut in half by
 * a Ctrl-C meant for the command.
 */
#define _POSIX_C_SOURCE 200809L
#include "deface_render.h"
#include "deface_render_wire.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* 0 when the local display ":N" has its socket, or the name is not of that form (a remote
 * or unusual display is simply tried again). */
static int access_socket(const char *name)
{
  char *end = NULL;
  if (name[0] != ':')
    return 0;
  long n = strtol(name + 1, &end, 10);
  if (end == name + 1 || (*end && *end != '.'))
    return 0;
  char path[64];
  snprintf(path, sizeof path, "/tmp/.X11-unix/X%ld", n);
  return access(path, F_OK);
}

static int serve(deface_render_display *display)
{
  for (;;) {
    char err[DEFACE_ERRLEN] = "";
    deface_render_request rq;
    deface_status st = deface_render_recv_request(STDIN_FILENO, &rq, err);
    if (st == DEFACE_E_CANCELLED)
      return 0; /* deface closed the socket: done */
    if (st != DEFACE_OK) {
      fprintf(stderr, "deface-render: %s\n", err);
      return 1;
    }
    unsigned char *png = NULL;
    size_t size = 0;
    st = deface_render_qa_png(display, rq.original, rq.defaced, rq.label, rq.skin_threshold,
                              rq.has_eyes ? (const double(*)[3])rq.eye_ras : NULL, rq.name,
                              rq.status, rq.changed_ml, &png, &size, err);
    deface_render_request_clear(&rq);
    deface_status sent = deface_render_send_reply(STDOUT_FILENO, st, err, png, size, NULL);
    free(png);
    if (sent != DEFACE_OK)
      return 1; /* deface is gone */
  }
}

int main(int argc, char **argv)
{
  if (argc != 3 || strcmp(argv[1], "--display") != 0) {
    fprintf(stderr, "usage: deface-render --display NAME (started by deface, which speaks to it "
                    "on stdin and stdout)\n");
    return 2;
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  /* Mesa's llvmpipe rasterises on a thread per core by default: each costs about 35 MiB of
   * scene bins, and a session already draws in parallel with one process per worker, so the
   * pictures are drawn on this process' own thread unless the user says otherwise. Set
   * before anything loads Mesa; this process has no other thread yet. */
  setenv("LP_NUM_THREADS", "0", 0);
  char err[DEFACE_ERRLEN] = "";
  deface_render_display *display = NULL;
  /* A server started without -noreset (xvfb-run's) resets when its last client leaves, e.g.
   * the previous deface run's render process, and refuses connections meanwhile: a few tries
   * over about 2 s ride out a reset; a display that is not there fails as fast as it can. */
  deface_status st = DEFACE_E_OUTPUT;
  for (int attempt = 0; attempt < 8; attempt++) {
    if ((st = deface_render_display_open(argv[2], &display, err)) == DEFACE_OK)
      break;
    if (attempt == 0 && access_socket(argv[2]) != 0)
      break; /* no such local display: no server to wait for */
    struct timespec pause = {0, 250000000L};
    nanosleep(&pause, NULL);
  }
  if (deface_render_send_reply(STDOUT_FILENO, st, err, NULL, 0, NULL) != DEFACE_OK ||
      st != DEFACE_OK) {
    deface_render_display_close(display);
    return 1;
  }
  int code = serve(display);
  deface_render_display_close(display);
  return code;
}

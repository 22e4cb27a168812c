/*
 * qa_helper.c - one render process (qa_helper.h). Started with posix_spawn,
 * which is safe from the threads of a session (fork() of a threaded process
 * is not, in general), with a socket pair rather than pipes: our writes use
 * MSG_NOSIGNAL, so a render process that died is an error for the picture,
 * never a SIGPIPE that ends the command. Our end of the socket is
 * close-on-exec, so no other child (Xvfb, another render process) holds it
 * open: when we close it, or when deface dies however it dies, the process
 * reads the end of its input and exits.
 */
#define _POSIX_C_SOURCE 200809L
#include "qa_helper.h"
#include "modules.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HELPER_FILE "deface-render"

/* Reaps the process; its end in words into why. */
static void reap(qa_helper *h, char *why, size_t size)
{
  int status = 0;
  pid_t r;
  while ((r = waitpid(h->pid, &status, 0)) < 0 && errno == EINTR)
    ;
  if (why && r == h->pid && WIFSIGNALED(status))
    snprintf(why, size, "ended by signal %d", WTERMSIG(status));
  else if (why && r == h->pid && WIFEXITED(status))
    snprintf(why, size, "exited with %d", WEXITSTATUS(status));
  else if (why)
    snprintf(why, size, "ended");
  h->pid = 0;
}

void qa_helper_stop(qa_helper *h)
{
  if (!h || h->pid <= 0)
    return;
  close(h->fd);
  h->fd = -1;
  reap(h, NULL, 0);
}

/* The process broke: make sure it is gone, and say how it ended. */
static void broken(qa_helper *h, const char *what, char *err)
{
  char why[64];
  close(h->fd);
  h->fd = -1;
  kill(h->pid, SIGKILL); /* harmless if it has already ended */
  reap(h, why, sizeof why);
  snprintf(err, DEFACE_ERRLEN, "%.400s (the render process %s)", what, why);
}

int qa_helper_start(qa_helper *h, const char *display, char *err)
{
  h->pid = 0;
  h->fd = -1;
  char exe[4096];
  if (module_path(HELPER_FILE, exe, sizeof exe) != 0) {
    snprintf(err, DEFACE_ERRLEN, "QA pictures: %.400s", exe);
    return -1;
  }
  if (access(exe, X_OK) != 0) {
    snprintf(err, DEFACE_ERRLEN,
             "QA pictures: cannot run the render process %.300s: %s (reinstall deface, or set "
             "DEFACE_MODULE_DIR)",
             exe, strerror(errno));
    return -1;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    snprintf(err, DEFACE_ERRLEN, "QA pictures: socketpair: %s", strerror(errno));
    return -1;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
  /* The command takes its signals in a thread of its own (interrupt.h) and
   * ignores SIGXFSZ: the process starts with none blocked and defaults. */
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  char *argv[] = {(char *)"deface-render", (char *)"--display", (char *)display, NULL};
  pid_t pid = 0;
  int e = posix_spawn(&pid, exe, &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(sv[1]);
  if (e != 0) {
    close(sv[0]);
    snprintf(err, DEFACE_ERRLEN, "QA pictures: cannot start %.300s: %s", exe, strerror(e));
    return -1;
  }
  h->pid = pid;
  h->fd = sv[0];
  /* Its first reply: it holds the display, or why not. */
  deface_status ready = DEFACE_E_INTERNAL;
  unsigned char *none_png = NULL;
  size_t none_size = 0;
  char message[DEFACE_ERRLEN] = "", why[DEFACE_ERRLEN] = "";
  if (deface_render_recv_reply(h->fd, &ready, message, &none_png, &none_size, why) != DEFACE_OK) {
    broken(h, why, err);
    return -1;
  }
  free(none_png);
  if (ready != DEFACE_OK) {
    snprintf(err, DEFACE_ERRLEN, "%s", message);
    qa_helper_stop(h);
    return -1;
  }
  return 0;
}

deface_status qa_helper_render(qa_helper *h, const deface_render_request *rq, unsigned char **png,
                               size_t *size, char *err)
{
  *png = NULL;
  *size = 0;
  char why[DEFACE_ERRLEN] = "";
  deface_status st = DEFACE_E_INTERNAL;
  if (deface_render_send_request(h->fd, rq, why) != DEFACE_OK ||
      deface_render_recv_reply(h->fd, &st, err, png, size, why) != DEFACE_OK) {
    broken(h, why, err);
    return DEFACE_E_OUTPUT;
  }
  return st;
}

/*
 * qa.c - an X display for VTK's rendering, and rendering one picture at a
 * time.
 *
 * Debian's VTK renders only through X. On a desktop DISPLAY is set and used;
 * on a server or a cluster node it is not, and the command starts its own
 * Xvfb: `Xvfb -displayfd FD` picks a free display number itself and writes it
 * to FD once it accepts connections, so there is no race over numbers with
 * other Xvfbs and no polling. The server runs as long as the command and is
 * stopped by qa_display_end(). VTK's OpenGL and X state is not meant to be
 * driven from several threads at once, so renders are serialised by a mutex
 * (session mode's other work goes on in parallel).
 *
 * One connection to the display is opened by qa_display_begin() and held
 * until qa_display_end(); every picture is drawn through it. An X server
 * resets when its last client leaves (unless started with -noreset, as ours
 * is; xvfb-run's is not), and refuses connections while it resets: a picture
 * that opened its own connection right after the previous one closed failed
 * now and then with "cannot open the X display" (about 1 in 30 back-to-back
 * pictures, so 1 session run in 5 with --jobs 2). With the connection held the
 * server never resets during a run. DISPLAY is read once and never set: no
 * thread depends on the environment.
 */
#define _POSIX_C_SOURCE 200809L
#include "qa.h"

#ifdef DEFACE_WITH_RENDER
#include "deface_render.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

/* The command's one display and render lock (CLI state, never the core's). */
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;
static int display_state; /* 0 not tried, 1 ready, -1 failed */
static char display_error[DEFACE_ERRLEN];
static char display_name[32]; /* the Xvfb we started, ":N" */
static pid_t xvfb_pid;
#ifdef DEFACE_WITH_RENDER
static deface_render_display *held; /* the connection every picture is drawn through */
#endif

int qa_available(void)
{
#ifdef DEFACE_WITH_RENDER
  return 1;
#else
  return 0;
#endif
}

/* The first executable `name` on PATH into out, or -1. */
static int find_on_path(const char *name, char *out, size_t size)
{
  const char *path = getenv("PATH");
  if (!path)
    return -1;
  while (*path) {
    size_t n = strcspn(path, ":");
    if (n > 0 && (size_t)snprintf(out, size, "%.*s/%s", (int)n, path, name) < size &&
        access(out, X_OK) == 0)
      return 0;
    path += n + (path[n] == ':');
  }
  return -1;
}

/* Starts Xvfb and reads its display number; 0 or -1 with display_error. */
static int start_xvfb(void)
{
  char exe[4096];
  if (find_on_path("Xvfb", exe, sizeof exe) != 0) {
    snprintf(display_error, sizeof display_error,
             "QA pictures need an X display: DISPLAY is unset and Xvfb is not installed "
             "(install the Debian package xvfb, or run under `xvfb-run -a`)");
    return -1;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    snprintf(display_error, sizeof display_error, "cannot start Xvfb: pipe: %s", strerror(errno));
    return -1;
  }
  char fd[16]; /* made before fork(): the child of a threaded process calls only what is safe */
  snprintf(fd, sizeof fd, "%d", fds[1]);
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(display_error, sizeof display_error, "cannot start Xvfb: fork: %s", strerror(errno));
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    close(fds[0]);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the command, even when it is killed */
#endif
    /* The command blocks the signals it takes in a thread of its own (interrupt.h): the
     * server gets them back. Its own process group keeps a terminal's Ctrl-C from killing
     * it under a run that is still cleaning up. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    setpgid(0, 0);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, STDIN_FILENO);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
    }
    execl(exe, "Xvfb", "-displayfd", fd, "-noreset", "-screen", "0", "1280x1024x24", "-nolisten",
          "tcp", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  /* Xvfb writes "N\n" once it accepts connections; 20 s is generous. */
  char buf[32] = "";
  size_t got = 0;
  struct pollfd p = {fds[0], POLLIN, 0};
  while (got < sizeof buf - 1 && !strchr(buf, '\n') && poll(&p, 1, 20000) > 0) {
    ssize_t r = read(fds[0], buf + got, sizeof buf - 1 - got);
    if (r <= 0)
      break;
    got += (size_t)r;
    buf[got] = '\0';
  }
  close(fds[0]);
  char *end = NULL;
  long number = strtol(buf, &end, 10);
  if (got == 0 || end == buf || number < 0) {
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    snprintf(display_error, sizeof display_error,
             "QA pictures need an X display: DISPLAY is unset and %.300s did not start "
             "(run under `xvfb-run -a`)",
             exe);
    return -1;
  }
  snprintf(display_name, sizeof display_name, ":%ld", number);
  xvfb_pid = pid;
  return 0;
}

static void stop_xvfb(void)
{
  if (xvfb_pid > 0) {
    kill(xvfb_pid, SIGTERM);
    waitpid(xvfb_pid, NULL, 0);
    xvfb_pid = 0;
  }
}

/* The display to use, and the connection held to it; the lock is held. */
static int open_display(void)
{
#ifdef DEFACE_WITH_RENDER
  const char *d = getenv("DISPLAY");
  if (!(d && *d)) {
    if (start_xvfb() != 0)
      return -1;
    d = display_name;
  }
  char why[DEFACE_ERRLEN];
  if (deface_render_display_open(d, &held, why) != DEFACE_OK) {
    snprintf(display_error, sizeof display_error, "%s", why);
    stop_xvfb();
    return -1;
  }
  return 0;
#else
  snprintf(display_error, sizeof display_error, "QA pictures are not built into this version");
  return -1;
#endif
}

int qa_display_begin(char *err, size_t size)
{
  pthread_mutex_lock(&render_lock);
  if (display_state == 0)
    display_state = open_display() == 0 ? 1 : -1;
  int ok = display_state == 1;
  if (!ok && err)
    snprintf(err, size, "%s", display_error);
  pthread_mutex_unlock(&render_lock);
  return ok ? 0 : -1;
}

void qa_display_end(void)
{
  pthread_mutex_lock(&render_lock);
#ifdef DEFACE_WITH_RENDER
  deface_render_display_close(held);
  held = NULL;
#endif
  stop_xvfb();
  display_state = 0;
  pthread_mutex_unlock(&render_lock);
}

const char *qa_display_name(void)
{
#ifdef DEFACE_WITH_RENDER
  return display_state == 1 ? deface_render_display_name(held) : NULL;
#else
  return NULL;
#endif
}

deface_status qa_render(const char *path, const deface_volume *original,
                        const deface_volume *defaced, const deface_volume *label,
                        const deface_result *result, const char *name, unsigned char **png,
                        size_t *size, char *err)
{
  *png = NULL;
  *size = 0;
#ifdef DEFACE_WITH_RENDER
  char why[DEFACE_ERRLEN] = "";
  if (qa_display_begin(err, DEFACE_ERRLEN) != 0) /* the display's reason names no file */
    return DEFACE_E_OUTPUT;
  pthread_mutex_lock(&render_lock);
  deface_status st =
      deface_render_qa_png(held, original, defaced, label, result->tissue_threshold,
                           result->eyes_found ? (const double(*)[3])result->eye_ras : NULL, name,
                           "defaced", result->changed_ml, png, size, why);
  pthread_mutex_unlock(&render_lock);
  if (st != DEFACE_OK)
    snprintf(err, DEFACE_ERRLEN, "%s: %.400s", path, why);
  return st;
#else
  snprintf(err, DEFACE_ERRLEN,
           "%s: QA pictures are not built into this version "
           "(configure with -DDEFACE_BUILD_RENDER=ON)",
           path);
  return DEFACE_E_USAGE;
#endif
}

/*
 * qa.c - an X display for the QA pictures, and the render processes that
 * draw them.
 *
 * Debian's VTK renders only through X. On a desktop DISPLAY is set and used;
 * on a server or a cluster node it is not, and the command starts its own
 * Xvfb: `Xvfb -displayfd FD` picks a free display number itself and writes it
 * to FD once it accepts connections, so there is no race over numbers with
 * other Xvfbs and no polling. The server runs as long as the command and is
 * stopped by qa_display_end().
 *
 * Pictures are drawn by render processes (`deface-render`, qa_helper.h), so
 * that the command itself never loads VTK, and so that pictures are drawn in
 * parallel: VTK's OpenGL and X state is not meant to be driven from several
 * threads, but several processes each with its own connection are fine. A
 * picture takes an idle process or starts one, so a session has at most one
 * per worker thread; they live until qa_display_end().
 *
 * An X server resets when its last client leaves (unless started with
 * -noreset, as ours is; xvfb-run's is not), and refuses connections while it
 * resets: a picture that opened its own connection right after the previous
 * one closed failed now and then with "cannot open the X display" (about 1
 * in 30 back-to-back pictures). So the first render process is started by
 * qa_display_begin() and every process holds its connection for its life: the
 * server never loses its last client during a run. DISPLAY is read once and
 * never set: no thread depends on the environment.
 */
#define _POSIX_C_SOURCE 200809L
#include "qa.h"

#ifdef DEFACE_WITH_RENDER
#include "deface_render_wire.h"
#include "qa_helper.h"
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

/* More workers than this share the processes there are. */
#define QA_HELPERS_MAX 64

/* The command's one display and its render processes (CLI state, never the core's). */
static pthread_mutex_t qa_lock = PTHREAD_MUTEX_INITIALIZER;
static int display_state; /* 0 not tried, 1 ready, -1 failed */
static char display_error[DEFACE_ERRLEN];
static char display_name[64]; /* DISPLAY as read, or the Xvfb we started, ":N" */
static pid_t xvfb_pid;
#ifdef DEFACE_WITH_RENDER
static pthread_cond_t qa_idle = PTHREAD_COND_INITIALIZER; /* a slot became idle or free */
enum { SLOT_FREE, SLOT_IDLE, SLOT_BUSY };
static struct {
  int state;
  qa_helper helper;
} slots[QA_HELPERS_MAX];
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

/* The display to use, and the first render process on it; the lock is held. */
static int open_display(void)
{
#ifdef DEFACE_WITH_RENDER
  const char *d = getenv("DISPLAY");
  if (d && *d) {
    snprintf(display_name, sizeof display_name, "%s", d);
  } else if (start_xvfb() != 0)
    return -1;
  char why[DEFACE_ERRLEN];
  if (qa_helper_start(&slots[0].helper, display_name, why) != 0) {
    snprintf(display_error, sizeof display_error, "%s", why);
    stop_xvfb();
    return -1;
  }
  slots[0].state = SLOT_IDLE;
  return 0;
#else
  snprintf(display_error, sizeof display_error, "QA pictures are not built into this version");
  return -1;
#endif
}

int qa_display_begin(char *err, size_t size)
{
  pthread_mutex_lock(&qa_lock);
  if (display_state == 0)
    display_state = open_display() == 0 ? 1 : -1;
  int ok = display_state == 1;
  if (!ok && err)
    snprintf(err, size, "%s", display_error);
  pthread_mutex_unlock(&qa_lock);
  return ok ? 0 : -1;
}

void qa_display_end(void)
{
  pthread_mutex_lock(&qa_lock);
#ifdef DEFACE_WITH_RENDER
  for (int i = 0; i < QA_HELPERS_MAX; i++) {
    qa_helper_stop(&slots[i].helper); /* callers have finished: none is busy */
    slots[i].state = SLOT_FREE;
  }
#endif
  stop_xvfb();
  display_state = 0;
  display_name[0] = '\0';
  pthread_mutex_unlock(&qa_lock);
}

const char *qa_display_name(void)
{
  return display_state == 1 ? display_name : NULL;
}

#ifdef DEFACE_WITH_RENDER
/* An idle render process, or a free slot to start one in (marked busy), waiting while
 * all QA_HELPERS_MAX are busy. */
static int take_slot(void)
{
  pthread_mutex_lock(&qa_lock);
  for (;;) {
    int free_slot = -1;
    for (int i = 0; i < QA_HELPERS_MAX; i++) {
      if (slots[i].state == SLOT_IDLE) {
        slots[i].state = SLOT_BUSY;
        pthread_mutex_unlock(&qa_lock);
        return i;
      }
      if (slots[i].state == SLOT_FREE && free_slot < 0)
        free_slot = i;
    }
    if (free_slot >= 0) {
      slots[free_slot].state = SLOT_BUSY;
      slots[free_slot].helper.pid = 0;
      pthread_mutex_unlock(&qa_lock);
      return free_slot;
    }
    pthread_cond_wait(&qa_idle, &qa_lock);
  }
}

static void give_slot(int i)
{
  pthread_mutex_lock(&qa_lock);
  slots[i].state = slots[i].helper.pid > 0 ? SLOT_IDLE : SLOT_FREE;
  pthread_cond_signal(&qa_idle);
  pthread_mutex_unlock(&qa_lock);
}

/* The three volumes on the picture's small grid. */
static deface_status shrink_all(const deface_volume *original, const deface_volume *defaced,
                                const deface_volume *label, deface_render_request *rq, char *why)
{
  deface_status st = deface_render_shrink(original, DEFACE_RENDER_GRID_MM, 0, &rq->original, why);
  if (st == DEFACE_OK)
    st = deface_render_shrink(defaced, DEFACE_RENDER_GRID_MM, 0, &rq->defaced, why);
  if (st == DEFACE_OK)
    st = deface_render_shrink(label, DEFACE_RENDER_GRID_MM, 1, &rq->label, why);
  return st;
}
#endif

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
  size_t a[4], b[4], c[4];
  deface_volume_dims(original, a);
  deface_volume_dims(defaced, b);
  deface_volume_dims(label, c);
  for (int k = 0; k < 3; k++)
    if (a[k] != b[k] || a[k] != c[k]) {
      snprintf(err, DEFACE_ERRLEN, "%s: QA picture: the volumes are not on one grid", path);
      return DEFACE_E_USAGE;
    }
  deface_render_request rq;
  memset(&rq, 0, sizeof rq);
  deface_status st = shrink_all(original, defaced, label, &rq, why);
  if (st != DEFACE_OK) {
    deface_render_request_clear(&rq);
    snprintf(err, DEFACE_ERRLEN, "%s: QA picture: %.400s", path, why);
    return st;
  }
  rq.skin_threshold = result->tissue_threshold;
  rq.has_eyes = result->eyes_found != 0;
  if (rq.has_eyes)
    memcpy(rq.eye_ras, result->eye_ras, sizeof rq.eye_ras);
  rq.changed_ml = result->changed_ml;
  snprintf(rq.name, sizeof rq.name, "%s", name ? name : "");
  snprintf(rq.status, sizeof rq.status, "defaced");

  int i = take_slot();
  if (slots[i].helper.pid <= 0 && qa_helper_start(&slots[i].helper, display_name, why) != 0)
    st = DEFACE_E_OUTPUT;
  else
    st = qa_helper_render(&slots[i].helper, &rq, png, size, why);
  give_slot(i);
  deface_render_request_clear(&rq);
  if (st != DEFACE_OK)
    snprintf(err, DEFACE_ERRLEN, "%.200s: %.300s", path, why);
  return st;
#else
  snprintf(err, DEFACE_ERRLEN,
           "%s: QA pictures are not built into this version "
           "(configure with -DDEFACE_BUILD_RENDER=ON)",
           path);
  return DEFACE_E_USAGE;
#endif
}

/*
 * interrupt.c - signals taken by a thread of their own (interrupt.h).
 *
 * A thread in sigwait() rather than a handler: it may take the writer's
 * mutex and remove files, which no async-signal handler may do, and the rest
 * of the command learns of the signal through one atomic variable. The
 * signals are blocked in every other thread (the mask is inherited), so this
 * thread is the only one that receives them.
 */
#define _POSIX_C_SOURCE 200809L
#include "interrupt.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static atomic_int received;              /* the first signal, 0 until one comes */
static deface_writer *abandon_on_second; /* set before the thread starts, then read-only */

static sigset_t taken_set; /* set before the thread starts, then read-only */

/* The three signals, less those ignored when the command started: a signal
 * ignored by whoever started us (nohup, a shell's background job) stays
 * ignored. */
static void taken(sigset_t *set)
{
  static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
  sigemptyset(set);
  for (int i = 0; i < 3; i++) {
    struct sigaction old;
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
      sigaddset(set, sigs[i]);
  }
}

const char *interrupt_name(int signal)
{
  return signal == SIGINT    ? "SIGINT"
         : signal == SIGTERM ? "SIGTERM"
         : signal == SIGHUP  ? "SIGHUP"
                             : "a signal";
}

static void say(const char *text)
{
  size_t n = strlen(text);
  while (n > 0) {
    ssize_t w = write(STDERR_FILENO, text, n);
    if (w <= 0)
      return;
    text += w;
    n -= (size_t)w;
  }
}

static void *signal_thread(void *unused)
{
  (void)unused;
  for (;;) {
    int sig = 0;
    if (sigwait(&taken_set, &sig) != 0)
      continue;
    int expected = 0;
    if (atomic_compare_exchange_strong(&received, &expected, sig))
      continue; /* the first: the command stops by itself */
    /* A second signal: no more waiting. */
    deface_writer_abandon(abandon_on_second);
    char line[160];
    snprintf(line, sizeof line,
             "deface: %s again: stopped at once; temporary files removed, nothing replaced\n",
             interrupt_name(sig));
    say(line);
    _exit(128 + sig);
  }
  return NULL;
}

int interrupt_begin(deface_writer *writer)
{
  signal(SIGXFSZ, SIG_IGN);
  abandon_on_second = writer;
  sigset_t old;
  taken(&taken_set);
  if (pthread_sigmask(SIG_BLOCK, &taken_set, &old) != 0)
    return -1;
  pthread_t t;
  pthread_attr_t attr;
  int ok = pthread_attr_init(&attr) == 0 &&
           pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
           pthread_create(&t, &attr, signal_thread, NULL) == 0;
  pthread_attr_destroy(&attr);
  if (!ok) {
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return -1;
  }
  return 0;
}

int interrupt_signal(void)
{
  return atomic_load(&received);
}

int interrupt_pending(void)
{
  return atomic_load(&received) != 0;
}

void interrupt_end(void)
{
  int sig = atomic_load(&received);
  if (!sig)
    return;
  /* Ends by the signal itself: its default action, unblocked in this thread. */
  signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  raise(sig);
  pthread_sigmask(SIG_UNBLOCK, &one, NULL);
  _exit(128 + sig); /* not reached */
}

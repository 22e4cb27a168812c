/*
 * interrupt.h - what the command does on SIGINT, SIGTERM and SIGHUP: stop
 * cleanly. The first signal asks every part to stop (the core through its
 * progress callback, a session before its next series, every write before
 * its commit); the run then removes its temporaries, a session writes its
 * summary so far, and the command ends by the same signal, so that a shell
 * sees 128 + its number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
 * A second signal ends the command at once, after removing every temporary
 * file (deface_writer_abandon()). A signal ignored when the command started
 * (nohup, a background job of a script) stays ignored. SIGXFSZ is ignored, so that a file size
 * limit (ulimit -f) makes a write fail with a message instead of killing the
 * command silently.
 */
#ifndef DEFACE_CLI_INTERRUPT_H
#define DEFACE_CLI_INTERRUPT_H

#include "deface_write.h"

/**
 * Blocks the three signals in this thread and in every thread started after
 * it, and starts the thread that takes them; ignores SIGXFSZ. Call before
 * any other thread is started. `writer` (may be NULL) is abandoned on a
 * second signal. 0, or -1 when the thread cannot be started (the signals
 * then keep their default action).
 */
int interrupt_begin(deface_writer *writer);

/** 0, or the first of the three signals received; from any thread. */
int interrupt_signal(void);

/** For progress_bar.cancelled and the like: non-zero once a signal came. */
int interrupt_pending(void);

/** "SIGINT", "SIGTERM" or "SIGHUP". */
const char *interrupt_name(int signal);

/**
 * When a signal came: ends the process by it (the caller has cleaned up and
 * said what happened). Returns when none came.
 */
void interrupt_end(void);

#endif

/*
 * deface_write.h - the one way deface writes a file: a write transaction.
 *
 * A reader never sees a partial output, and a failure never costs a previous
 * one. Every output of one result (image, label, sidecar...) first gets a
 * temporary file of its own in its target folder; the outputs are written
 * there; only when all of them are complete are they flushed to disk and
 * renamed over their targets, one after the other, and the folders flushed.
 * A transaction freed before its commit removes its temporaries and leaves
 * every target exactly as it was.
 *
 * Temporaries are named ".NAME.tmpXXXXXX.EXT" beside NAME.EXT (the extension
 * kept, e.g. ".nii.gz", so that libraries choosing the format or compression
 * by the name write the right thing; NAME shortened when the whole would pass
 * 255 bytes), created with O_EXCL and mode 0666 so that the umask applies as
 * to any file, and held locked (flock) while their transaction lives, so that
 * deface_write_remove_leftovers() can tell an abandoned temporary from one in
 * use.
 *
 * A deface_writer (optional, one per process or per run) knows every live
 * temporary of the transactions made with it, so that a signal can remove
 * them all at once (deface_writer_abandon()). Plain C, libc and POSIX only;
 * no global state; thread-safe for distinct transactions (one writer may be
 * shared by threads). Every fallible call returns a deface_status and writes
 * "PATH: reason" on one line into err (DEFACE_ERRLEN bytes, may be NULL).
 */
#ifndef DEFACE_WRITE_H
#define DEFACE_WRITE_H

#include "deface.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The live temporaries of a process (or run), for removal on a signal. */
typedef struct deface_writer deface_writer;

/** A new writer; free with deface_writer_free(). DEFACE_E_NOMEM. */
deface_status deface_writer_new(deface_writer **out, char *err);

/** Frees a writer whose transactions are all freed; NULL is a no-op. */
void deface_writer_free(deface_writer *writer);

/**
 * For a process about to end on a signal: removes every temporary of every
 * live transaction of this writer and keeps the writer locked, so that no
 * thread can create or commit anything after it (they wait until the process
 * ends). A commit in progress finishes first: outputs are replaced all
 * together or not at all. Call from a normal thread (it takes a mutex), never
 * from a signal handler; then end the process.
 * @return the number of temporaries removed.
 */
size_t deface_writer_abandon(deface_writer *writer);

/** A set of outputs replaced together. Opaque. */
typedef struct deface_txn deface_txn;

/**
 * A new, empty transaction. `writer` may be NULL (nothing then removes its
 * temporaries on a signal). Free with deface_txn_free(). DEFACE_E_NOMEM.
 */
deface_status deface_txn_new(deface_writer *writer, deface_txn **out, char *err);

/**
 * Adds the output `path` to the transaction and creates its (empty)
 * temporary now, so that a missing or unwritable folder shows before any
 * work. The folder is opened once here (symbolic links in `path`'s folder are
 * followed: the caller chose it) and everything later happens relative to it.
 * @param index  receives the entry's number, for the calls below.
 * @return DEFACE_OK; DEFACE_E_OUTPUT when the folder is missing or not
 *         writable, `path` names a folder, or its name is longer than 255
 *         bytes; DEFACE_E_USAGE when `path` is already in the transaction
 *         (the same folder and name however spelled); DEFACE_E_NOMEM.
 */
deface_status deface_txn_add(deface_txn *txn, const char *path, size_t *index, char *err);

/**
 * Like deface_txn_add() for `name` (no '/') in the folder open as `dirfd`
 * (duplicated: the caller keeps its descriptor), which the caller may have
 * opened with O_NOFOLLOW. `dir_path` names that folder in messages and in
 * deface_txn_temp_path().
 */
deface_status deface_txn_add_at(deface_txn *txn, int dirfd, const char *dir_path, const char *name,
                                size_t *index, char *err);

/** The target path of an entry, as given (or dir_path/name). */
const char *deface_txn_path(const deface_txn *txn, size_t index);

/**
 * A path to the entry's temporary, for writers that open files by name
 * (nifti_clib, ITK, VTK): they may truncate and write it; it ends in the
 * target's extension. Owned by the transaction.
 */
const char *deface_txn_temp_path(const deface_txn *txn, size_t index);

/** Writes `n` bytes at the end of the entry's temporary. DEFACE_E_OUTPUT with
 * the reason (e.g. no space left, file too large). */
deface_status deface_txn_write(deface_txn *txn, size_t index, const void *bytes, size_t n,
                               char *err);

/**
 * Flushes every temporary to disk, checks that no target has become a folder,
 * then renames every temporary over its target and flushes the folders. Under
 * the writer's lock, so that deface_writer_abandon() never sees half a commit.
 * After a successful commit the transaction holds nothing; free it.
 * @return DEFACE_OK; DEFACE_E_OUTPUT (nothing was replaced, except when a
 *         rename itself fails, which the message then says).
 */
deface_status deface_txn_commit(deface_txn *txn, char *err);

/** Removes the temporaries not committed and frees; NULL is a no-op. */
void deface_txn_free(deface_txn *txn);

/** One file, replaced atomically: a transaction of one entry. */
deface_status deface_write_file(const char *path, const void *bytes, size_t n, char *err);

/**
 * Removes the temporaries that an earlier, killed run left for `name` in the
 * folder open as `dirfd` (only ".NAME.tmpXXXXXX.EXT" files of this naming
 * scheme that no live transaction holds). Errors are ignored: this is
 * housekeeping. @return how many were removed.
 */
size_t deface_write_remove_leftovers(int dirfd, const char *name);

#ifdef __cplusplus
}
#endif
#endif /* DEFACE_WRITE_H */

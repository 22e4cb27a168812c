/*
 * write.c - the write transaction (deface_write.h): temporaries first, the
 * renames last and all together, nothing left behind on failure.
 *
 * Why each step: a temporary in the target's own folder, because rename(2)
 * is atomic only within one file system; O_EXCL with mode 0666, so that no
 * other file is ever opened by mistake and the umask decides the mode as for
 * any file; a random name from getrandom(), so that concurrent runs do not
 * collide; flock on the temporary, so that housekeeping can tell a live one
 * from one a killed run left; fsync of the data before the rename and of the
 * folder after it, so that a crash leaves the old or the new file, never an
 * empty one.
 */
#define _DEFAULT_SOURCE /* flock, getrandom */

#include "deface_write.h"
#include "io_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME_LIMIT 255 /* bytes of one file name on Linux file systems (NAME_MAX) */
#define EXT_LIMIT 32   /* longer "extensions" are not kept in temporary names */

typedef struct entry {
  char *path;      /* the target as given, for messages */
  char *name;      /* its file name in the folder */
  char *temp_path; /* a path to the temporary, for writers that open by name */
  char temp[NAME_LIMIT + 1];
  int dirfd, fd; /* the folder and the temporary, both owned */
  dev_t dir_dev;
  ino_t dir_ino;
  int registered; /* listed in the writer (the temporary exists) */
} entry;

struct deface_writer {
  pthread_mutex_t lock;
  entry **live; /* temporaries that exist now */
  size_t nlive, caplive;
};

struct deface_txn {
  deface_writer *writer;
  entry **entries;
  size_t n, cap;
};

/* ------------------------------------------------------------------------ */
/* Messages (io_private.h: every Logic/IO adapter's)                        */
/* ------------------------------------------------------------------------ */

deface_status deface__io_fail(char *err, deface_status st, const char *path, const char *fmt, ...)
{
  if (!err)
    return st;
  int n = snprintf(err, DEFACE_ERRLEN, "%s: ", path ? path : "(null)");
  if (n >= 0 && n < DEFACE_ERRLEN) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, DEFACE_ERRLEN - (size_t)n, fmt, ap);
    va_end(ap);
  }
  for (char *p = err; *p; p++) /* one line, even for odd file names */
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  return st;
}

const char *deface__io_strerror(int errnum, char *buf, size_t len)
{
  if (strerror_r(errnum, buf, len) != 0)
    snprintf(buf, len, "error %d", errnum);
  return buf;
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* Where NAME's extension starts: its last suffix, and the one before when the
 * last is a compression's (".nii.gz"); a leading dot is no extension. */
static size_t extension_start(const char *name)
{
  size_t n = strlen(name);
  const char *last = strrchr(name, '.');
  if (!last || last == name)
    return n;
  static const char *const compressed[] = {".gz", ".bz2", ".xz", ".zst"};
  for (size_t k = 0; k < sizeof compressed / sizeof compressed[0]; k++)
    if (strcmp(last, compressed[k]) == 0) {
      const char *prev = last;
      while (prev > name + 1 && prev[-1] != '.')
        prev--;
      if (prev > name + 1)
        last = prev - 1;
      break;
    }
  size_t start = (size_t)(last - name);
  return n - start > EXT_LIMIT ? n : start;
}

/* ".STEM.tmp" + 6 characters + ".EXT", STEM cut so that the whole fits. The
 * part before the random characters into head, the extension into tail. */
static void temp_parts(const char *name, char *head, size_t hsize, const char **tail)
{
  size_t ext = extension_start(name);
  size_t room = NAME_LIMIT - 1 - 4 - 6 - (strlen(name) - ext);
  size_t stem = ext < room ? ext : room;
  snprintf(head, hsize, ".%.*s.tmp", (int)stem, name);
  *tail = name + ext;
}

static void random_letters(char out[7])
{
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char r[6];
  if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    /* No entropy yet (early boot): the clock and the stack address differ
     * between attempts and processes; O_EXCL still guarantees uniqueness. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&ts;
    for (int i = 0; i < 6; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
      r[i] = (unsigned char)(x >> 56);
  }
  for (int i = 0; i < 6; i++)
    out[i] = letters[r[i] % 36];
  out[6] = '\0';
}

/* ------------------------------------------------------------------------ */
/* The writer                                                               */
/* ------------------------------------------------------------------------ */

deface_status deface_writer_new(deface_writer **out, char *err)
{
  *out = NULL;
  deface_writer *w = calloc(1, sizeof *w);
  if (!w)
    return deface__io_fail(err, DEFACE_E_NOMEM, "deface_writer_new", "out of memory");
  if (pthread_mutex_init(&w->lock, NULL) != 0) {
    free(w);
    return deface__io_fail(err, DEFACE_E_NOMEM, "deface_writer_new", "cannot create a mutex");
  }
  *out = w;
  return DEFACE_OK;
}

void deface_writer_free(deface_writer *w)
{
  if (!w)
    return;
  pthread_mutex_destroy(&w->lock);
  free(w->live);
  free(w);
}

size_t deface_writer_abandon(deface_writer *w)
{
  if (!w)
    return 0;
  pthread_mutex_lock(&w->lock); /* never unlocked: the process is ending */
  size_t removed = 0;
  for (size_t i = 0; i < w->nlive; i++)
    removed += unlinkat(w->live[i]->dirfd, w->live[i]->temp, 0) == 0;
  w->nlive = 0;
  return removed;
}

static void writer_lock(deface_writer *w)
{
  if (w)
    pthread_mutex_lock(&w->lock);
}

static void writer_unlock(deface_writer *w)
{
  if (w)
    pthread_mutex_unlock(&w->lock);
}

/* Lists e as live; the lock is held. -1 when out of memory. */
static int writer_add(deface_writer *w, entry *e)
{
  if (!w)
    return 0;
  if (w->nlive == w->caplive) {
    size_t cap = w->caplive ? 2 * w->caplive : 16;
    entry **p = realloc(w->live, cap * sizeof *p);
    if (!p)
      return -1;
    w->live = p;
    w->caplive = cap;
  }
  w->live[w->nlive++] = e;
  return 0;
}

/* Forgets e; the lock is held. */
static void writer_remove(deface_writer *w, const entry *e)
{
  if (!w)
    return;
  for (size_t i = 0; i < w->nlive; i++)
    if (w->live[i] == e) {
      w->live[i] = w->live[--w->nlive];
      return;
    }
}

/* ------------------------------------------------------------------------ */
/* Transactions                                                             */
/* ------------------------------------------------------------------------ */

deface_status deface_txn_new(deface_writer *writer, deface_txn **out, char *err)
{
  *out = calloc(1, sizeof **out);
  if (!*out)
    return deface__io_fail(err, DEFACE_E_NOMEM, "deface_txn_new", "out of memory");
  (*out)->writer = writer;
  return DEFACE_OK;
}

static void entry_free(entry *e)
{
  if (!e)
    return;
  if (e->fd >= 0)
    close(e->fd);
  if (e->dirfd >= 0)
    close(e->dirfd);
  free(e->path);
  free(e->name);
  free(e->temp_path);
  free(e);
}

/* Creates e's temporary (and lists it in the writer in the same locked step,
 * so that a signal never finds it unlisted). */
static deface_status create_temp(deface_txn *t, entry *e, char *err)
{
  char head[NAME_LIMIT + 1], rnd[7], ebuf[128];
  const char *tail;
  temp_parts(e->name, head, sizeof head, &tail);
  for (int attempt = 0; attempt < 100; attempt++) {
    random_letters(rnd);
    if (snprintf(e->temp, sizeof e->temp, "%s%s%s", head, rnd, tail) >= (int)sizeof e->temp)
      return deface__io_fail(err, DEFACE_E_INTERNAL, e->path, "temporary name too long");
    writer_lock(t->writer);
    int fd = openat(e->dirfd, e->temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    int errnum = errno;
    if (fd >= 0 && writer_add(t->writer, e) != 0) {
      unlinkat(e->dirfd, e->temp, 0);
      close(fd);
      writer_unlock(t->writer);
      return deface__io_fail(err, DEFACE_E_NOMEM, e->path, "out of memory");
    }
    writer_unlock(t->writer);
    if (fd >= 0) {
      e->fd = fd;
      e->registered = 1;
      flock(fd, LOCK_EX | LOCK_NB); /* "in use", for deface_write_remove_leftovers() */
      return DEFACE_OK;
    }
    if (errnum != EEXIST)
      return deface__io_fail(err, DEFACE_E_OUTPUT, e->path,
                             "cannot create a file in its folder: %s",
                             deface__io_strerror(errnum, ebuf, sizeof ebuf));
  }
  return deface__io_fail(err, DEFACE_E_OUTPUT, e->path,
                         "no free temporary file name in its folder");
}

/* Removes e's temporary if it still exists. */
static void drop_temp(deface_txn *t, entry *e)
{
  if (!e->registered)
    return;
  writer_lock(t->writer);
  unlinkat(e->dirfd, e->temp, 0);
  writer_remove(t->writer, e);
  e->registered = 0;
  writer_unlock(t->writer);
}

/* Adds a prepared entry (dirfd, name and path set): checks and creates. */
static deface_status add_entry(deface_txn *t, entry *e, size_t *index, char *err)
{
  char ebuf[128];
  struct stat ds, ts;
  if (!e->name[0] || strchr(e->name, '/') || !strcmp(e->name, ".") || !strcmp(e->name, ".."))
    return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "names a folder, not a file");
  if (strlen(e->name) > NAME_LIMIT)
    return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "the file name is longer than %d bytes",
                           NAME_LIMIT);
  if (fstat(e->dirfd, &ds) != 0)
    return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "cannot use its folder: %s",
                           deface__io_strerror(errno, ebuf, sizeof ebuf));
  e->dir_dev = ds.st_dev;
  e->dir_ino = ds.st_ino;
  for (size_t i = 0; i < t->n; i++)
    if (t->entries[i]->dir_dev == e->dir_dev && t->entries[i]->dir_ino == e->dir_ino &&
        strcmp(t->entries[i]->name, e->name) == 0)
      return deface__io_fail(err, DEFACE_E_USAGE, e->path, "is the same file as %s",
                             t->entries[i]->path);
  if (fstatat(e->dirfd, e->name, &ts, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(ts.st_mode))
    return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "is a folder");
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 4;
    entry **p = realloc(t->entries, cap * sizeof *p);
    if (!p)
      return deface__io_fail(err, DEFACE_E_NOMEM, e->path, "out of memory");
    t->entries = p;
    t->cap = cap;
  }
  deface_status st = create_temp(t, e, err);
  if (st != DEFACE_OK)
    return st;
  t->entries[t->n] = e;
  *index = t->n++;
  return DEFACE_OK;
}

static entry *entry_new(void)
{
  entry *e = calloc(1, sizeof *e);
  if (e)
    e->dirfd = e->fd = -1;
  return e;
}

deface_status deface_txn_add(deface_txn *t, const char *path, size_t *index, char *err)
{
  char ebuf[128];
  if (!t || !path || !index)
    return deface__io_fail(err, DEFACE_E_USAGE, path, "deface_txn_add: NULL argument");
  entry *e = entry_new();
  if (!e)
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0; /* with its slash */
  e->path = strdup(path);
  e->name = strdup(path + dir_len);
  char *dir = malloc(dir_len + 2);
  e->temp_path = malloc(dir_len + NAME_LIMIT + 1);
  if (!e->path || !e->name || !dir || !e->temp_path) {
    free(dir);
    entry_free(e);
    return deface__io_fail(err, DEFACE_E_NOMEM, path, "out of memory");
  }
  if (dir_len)
    snprintf(dir, dir_len + 2, "%.*s", (int)dir_len, path);
  else
    snprintf(dir, 2, ".");
  e->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  deface_status st = DEFACE_OK;
  if (e->dirfd < 0)
    st = deface__io_fail(err, DEFACE_E_OUTPUT, path, "cannot open its folder %s: %s", dir,
                         deface__io_strerror(errno, ebuf, sizeof ebuf));
  else if ((st = add_entry(t, e, index, err)) == DEFACE_OK)
    snprintf(e->temp_path, dir_len + NAME_LIMIT + 1, "%.*s%s", (int)dir_len, path, e->temp);
  free(dir);
  if (st != DEFACE_OK)
    entry_free(e);
  return st;
}

deface_status deface_txn_add_at(deface_txn *t, int dirfd, const char *dir_path, const char *name,
                                size_t *index, char *err)
{
  char ebuf[128];
  if (!t || !dir_path || !name || !index)
    return deface__io_fail(err, DEFACE_E_USAGE, name, "deface_txn_add_at: NULL argument");
  entry *e = entry_new();
  if (!e)
    return deface__io_fail(err, DEFACE_E_NOMEM, name, "out of memory");
  size_t n = strlen(dir_path) + strlen(name) + 2;
  e->path = malloc(n);
  e->name = strdup(name);
  e->temp_path = malloc(strlen(dir_path) + NAME_LIMIT + 2);
  if (!e->path || !e->name || !e->temp_path) {
    entry_free(e);
    return deface__io_fail(err, DEFACE_E_NOMEM, name, "out of memory");
  }
  snprintf(e->path, n, "%s/%s", dir_path, name);
  e->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  deface_status st = DEFACE_OK;
  if (e->dirfd < 0)
    st = deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "cannot use its folder: %s",
                         deface__io_strerror(errno, ebuf, sizeof ebuf));
  else if ((st = add_entry(t, e, index, err)) == DEFACE_OK)
    snprintf(e->temp_path, strlen(dir_path) + NAME_LIMIT + 2, "%s/%s", dir_path, e->temp);
  if (st != DEFACE_OK)
    entry_free(e);
  return st;
}

const char *deface_txn_path(const deface_txn *t, size_t index)
{
  return t && index < t->n ? t->entries[index]->path : NULL;
}

const char *deface_txn_temp_path(const deface_txn *t, size_t index)
{
  return t && index < t->n ? t->entries[index]->temp_path : NULL;
}

deface_status deface_txn_write(deface_txn *t, size_t index, const void *bytes, size_t n, char *err)
{
  char ebuf[128];
  if (!t || index >= t->n || (!bytes && n))
    return deface__io_fail(err, DEFACE_E_USAGE, "deface_txn_write", "bad entry or NULL bytes");
  entry *e = t->entries[index];
  const unsigned char *p = bytes;
  if (lseek(e->fd, 0, SEEK_END) < 0)
    return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "cannot write: %s",
                           deface__io_strerror(errno, ebuf, sizeof ebuf));
  while (n > 0) {
    ssize_t put = write(e->fd, p, n);
    if (put < 0 && errno == EINTR)
      continue;
    if (put <= 0)
      return deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "cannot write: %s",
                             deface__io_strerror(put < 0 ? errno : ENOSPC, ebuf, sizeof ebuf));
    p += put;
    n -= (size_t)put;
  }
  return DEFACE_OK;
}

/* The data of e's temporary on disk. A library that wrote it by name may
 * have replaced the file: then the file the name holds now is flushed. */
static int flush_temp(const entry *e)
{
  struct stat a, b;
  if (fstat(e->fd, &a) != 0 || fstatat(e->dirfd, e->temp, &b, AT_SYMLINK_NOFOLLOW) != 0)
    return -1;
  if (!S_ISREG(b.st_mode)) {
    errno = EINVAL;
    return -1;
  }
  if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    return fsync(e->fd) == 0 || errno == EINVAL ? 0 : -1;
  int fd = openat(e->dirfd, e->temp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -1;
  close(fd);
  return rc;
}

deface_status deface_txn_commit(deface_txn *t, char *err)
{
  char ebuf[128];
  if (!t)
    return deface__io_fail(err, DEFACE_E_USAGE, "deface_txn_commit", "NULL transaction");
  for (size_t i = 0; i < t->n; i++)
    if (!t->entries[i]->registered)
      return deface__io_fail(err, DEFACE_E_OUTPUT, t->entries[i]->path,
                             "its temporary file is gone");
    else if (flush_temp(t->entries[i]) != 0)
      return deface__io_fail(err, DEFACE_E_OUTPUT, t->entries[i]->path, "cannot flush to disk: %s",
                             deface__io_strerror(errno, ebuf, sizeof ebuf));
  deface_status st = DEFACE_OK;
  writer_lock(t->writer);
  for (size_t i = 0; i < t->n && st == DEFACE_OK; i++) {
    struct stat s;
    const entry *e = t->entries[i];
    if (fstatat(e->dirfd, e->temp, &s, AT_SYMLINK_NOFOLLOW) != 0)
      st = deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "its temporary file %s is gone", e->temp);
    else if (fstatat(e->dirfd, e->name, &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(s.st_mode))
      st = deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "is a folder");
  }
  size_t renamed = 0;
  for (; st == DEFACE_OK && renamed < t->n; renamed++) {
    entry *e = t->entries[renamed];
    if (renameat(e->dirfd, e->temp, e->dirfd, e->name) != 0) {
      st = renamed == 0
               ? deface__io_fail(err, DEFACE_E_OUTPUT, e->path, "cannot rename into place: %s",
                                 deface__io_strerror(errno, ebuf, sizeof ebuf))
               : deface__io_fail(err, DEFACE_E_OUTPUT, e->path,
                                 "cannot rename into place: %s (%zu of %zu outputs were replaced)",
                                 deface__io_strerror(errno, ebuf, sizeof ebuf), renamed, t->n);
      break;
    }
    writer_remove(t->writer, e);
    e->registered = 0;
  }
  writer_unlock(t->writer);
  if (st != DEFACE_OK)
    return st;
  /* The renames themselves reach the disk with the folders. */
  for (size_t i = 0; i < t->n; i++)
    if (fsync(t->entries[i]->dirfd) != 0 && errno != EINVAL && errno != EBADF)
      return deface__io_fail(err, DEFACE_E_OUTPUT, t->entries[i]->path,
                             "cannot flush its folder: %s",
                             deface__io_strerror(errno, ebuf, sizeof ebuf));
  return DEFACE_OK;
}

void deface_txn_free(deface_txn *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->n; i++) {
    drop_temp(t, t->entries[i]);
    entry_free(t->entries[i]);
  }
  free(t->entries);
  free(t);
}

deface_status deface_write_file(const char *path, const void *bytes, size_t n, char *err)
{
  deface_txn *t = NULL;
  size_t i;
  deface_status st = deface_txn_new(NULL, &t, err);
  if (st == DEFACE_OK && (st = deface_txn_add(t, path, &i, err)) == DEFACE_OK &&
      (st = deface_txn_write(t, i, bytes, n, err)) == DEFACE_OK)
    st = deface_txn_commit(t, err);
  deface_txn_free(t);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Leftovers                                                                */
/* ------------------------------------------------------------------------ */

static int is_letter_or_digit(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

size_t deface_write_remove_leftovers(int dirfd, const char *name)
{
  char head[NAME_LIMIT + 1];
  const char *tail;
  if (!name || !*name || strlen(name) > NAME_LIMIT)
    return 0;
  temp_parts(name, head, sizeof head, &tail);
  size_t nh = strlen(head), nt = strlen(tail), removed = 0;
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d) {
    if (fd >= 0)
      close(fd);
    return 0;
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    const char *s = de->d_name;
    size_t n = strlen(s);
    if (n != nh + 6 + nt || strncmp(s, head, nh) != 0 || strcmp(s + nh + 6, tail) != 0)
      continue;
    int ok = 1;
    for (size_t k = 0; k < 6; k++)
      ok = ok && is_letter_or_digit(s[nh + k]);
    if (!ok)
      continue;
    /* Only a regular file that no live transaction holds locked. */
    int t = openat(dirfd, s, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (t < 0)
      continue;
    if (fstat(t, &st) == 0 && S_ISREG(st.st_mode) && flock(t, LOCK_EX | LOCK_NB) == 0)
      removed += unlinkat(dirfd, s, 0) == 0;
    close(t);
  }
  closedir(d);
  return removed;
}

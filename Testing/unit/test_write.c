/*
 * test_write - the write transaction (Logic/IO/write.c, deface_write.h):
 * temporaries created at once and named after their targets, the umask
 * honoured, nothing replaced until every output is complete, a failed or
 * abandoned transaction leaves the earlier files byte for byte, one file
 * however its path is spelled, names up to 255 bytes, leftovers of a killed
 * run removed but never a live temporary, a signal's cleanup removing every
 * live temporary, and a file size limit reported as an error (not SIGXFSZ).
 */
#define _DEFAULT_SOURCE
#include "check.h"
#include "deface_write.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static void path_of(char *out, size_t size, const char *name)
{
  if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
    abort(); /* the test's own buffers are too small */
}

static int put(const char *name, const char *text)
{
  char p[512];
  path_of(p, sizeof p, name);
  FILE *f = fopen(p, "wb");
  if (!f)
    return -1;
  fputs(text, f);
  return fclose(f);
}

/* The file's text (up to 255 bytes), or "" when it does not exist. */
static const char *text_of(const char *name)
{
  static char buf[256];
  char p[512];
  path_of(p, sizeof p, name);
  buf[0] = '\0';
  FILE *f = fopen(p, "rb");
  if (!f)
    return buf;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* How many names in dir start with prefix. */
static int count_entries(const char *prefix)
{
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
      n++;
  if (d)
    closedir(d);
  return n;
}

static void clean_dir(void)
{
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[512];
  while (d && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    path_of(p, sizeof p, e->d_name);
    if (unlink(p) != 0)
      rmdir(p);
  }
  if (d)
    closedir(d);
}

static void test_one_file_and_umask(void)
{
  check_context = "write_file";
  char p[512], err[DEFACE_ERRLEN] = "";
  path_of(p, sizeof p, "a.json");
  mode_t old = umask(027);
  CHECK(deface_write_file(p, "{}\n", 3, err) == DEFACE_OK);
  umask(old);
  struct stat st;
  CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640);
  CHECK(!strcmp(text_of("a.json"), "{}\n"));
  CHECK(count_entries(".a") == 0); /* no temporary left */
  /* Replaced: the new content, the umask of this run. */
  CHECK(deface_write_file(p, "[1]\n", 4, err) == DEFACE_OK);
  CHECK(!strcmp(text_of("a.json"), "[1]\n"));
  clean_dir();
}

static void test_names_and_abort(void)
{
  check_context = "names";
  char p[512], err[DEFACE_ERRLEN] = "";
  CHECK(put("img.nii.gz", "old image") == 0 && put("img.json", "old json") == 0);
  deface_txn *t = NULL;
  size_t a, b, c;
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
  path_of(p, sizeof p, "img.nii.gz");
  CHECK(deface_txn_add(t, p, &a, err) == DEFACE_OK);
  path_of(p, sizeof p, "img.json");
  CHECK(deface_txn_add(t, p, &b, err) == DEFACE_OK);
  path_of(p, sizeof p, "noext");
  CHECK(deface_txn_add(t, p, &c, err) == DEFACE_OK);
  /* Each temporary exists at once, beside its target, with its extension. */
  const char *ta = deface_txn_temp_path(t, a), *tb = deface_txn_temp_path(t, b);
  const char *tc = deface_txn_temp_path(t, c);
  size_t na = strlen(ta), nd = strlen(dir);
  CHECK(strncmp(ta, dir, nd) == 0 && strncmp(ta + nd, "/.img.tmp", 9) == 0 &&
        na == nd + 9 + 6 + 7 && strcmp(ta + na - 7, ".nii.gz") == 0);
  CHECK(strstr(tb, "/.img.tmp") && strcmp(tb + strlen(tb) - 5, ".json") == 0);
  CHECK(strstr(tc, "/.noext.tmp") && strlen(strstr(tc, "/.noext.tmp")) == 11 + 6);
  CHECK(access(ta, F_OK) == 0 && access(tb, F_OK) == 0 && access(tc, F_OK) == 0);
  CHECK(!strcmp(deface_txn_path(t, c), p));
  /* Written but never committed: the old files stay, the temporaries go. */
  CHECK(deface_txn_write(t, a, "new image", 9, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, b, "new", 3, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, b, " json", 5, err) == DEFACE_OK); /* appends */
  deface_txn_free(t);
  CHECK(!strcmp(text_of("img.nii.gz"), "old image") && !strcmp(text_of("img.json"), "old json"));
  CHECK(count_entries(".") == 2 && count_entries("noext") == 0); /* "." and ".." only */
  clean_dir();
}

static void test_commit_all_or_nothing(void)
{
  check_context = "all or nothing";
  char p[512], q[512], err[DEFACE_ERRLEN] = "";
  CHECK(put("x.nii", "old x") == 0 && put("y.nii", "old y") == 0);
  deface_txn *t = NULL;
  size_t a, b;
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
  path_of(p, sizeof p, "x.nii");
  path_of(q, sizeof q, "y.nii");
  CHECK(deface_txn_add(t, p, &a, err) == DEFACE_OK && deface_txn_add(t, q, &b, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, a, "new x", 5, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, b, "new y", 5, err) == DEFACE_OK);
  /* y becomes a folder before the commit: nothing may be replaced. */
  CHECK(unlink(q) == 0 && mkdir(q, 0755) == 0);
  CHECK(deface_txn_commit(t, err) == DEFACE_E_OUTPUT && strstr(err, "y.nii: is a folder"));
  CHECK(!strcmp(text_of("x.nii"), "old x"));
  deface_txn_free(t);
  CHECK(rmdir(q) == 0);
  CHECK(count_entries(".x") == 0 && count_entries(".y") == 0);
  /* And a clean commit replaces both. */
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
  CHECK(deface_txn_add(t, p, &a, err) == DEFACE_OK && deface_txn_add(t, q, &b, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, a, "new x", 5, err) == DEFACE_OK);
  CHECK(deface_txn_write(t, b, "new y", 5, err) == DEFACE_OK);
  CHECK(deface_txn_commit(t, err) == DEFACE_OK);
  deface_txn_free(t);
  CHECK(!strcmp(text_of("x.nii"), "new x") && !strcmp(text_of("y.nii"), "new y"));
  CHECK(count_entries(".x") == 0 && count_entries(".y") == 0);
  clean_dir();
}

static void test_identity_and_folders(void)
{
  check_context = "identity";
  char p[512], q[512], err[DEFACE_ERRLEN] = "";
  deface_txn *t = NULL;
  size_t a, b;
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
  path_of(p, sizeof p, "o.nii.gz");
  snprintf(q, sizeof q, "%s/./o.nii.gz", dir);
  CHECK(deface_txn_add(t, p, &a, err) == DEFACE_OK);
  CHECK(deface_txn_add(t, q, &b, err) == DEFACE_E_USAGE && strstr(err, "is the same file as"));
  snprintf(q, sizeof q, "%s//o.nii.gz", dir);
  CHECK(deface_txn_add(t, q, &b, err) == DEFACE_E_USAGE);
  /* A missing folder, a folder as target, a name over 255 bytes: at once. */
  path_of(q, sizeof q, "missing/o.json");
  CHECK(deface_txn_add(t, q, &b, err) == DEFACE_E_OUTPUT && strstr(err, "missing/o.json: "));
  CHECK(strchr(err, '\n') == NULL);
  path_of(q, sizeof q, "sub");
  CHECK(mkdir(q, 0755) == 0);
  CHECK(deface_txn_add(t, q, &b, err) == DEFACE_E_OUTPUT && strstr(err, "is a folder"));
  CHECK(rmdir(q) == 0);
  char name[300];
  memset(name, 'n', 256);
  name[256] = '\0';
  path_of(q, sizeof q, name);
  CHECK(deface_txn_add(t, q, &b, err) == DEFACE_E_OUTPUT && strstr(err, "longer than 255"));
  deface_txn_free(t);
  CHECK(count_entries(".o") == 0);
  /* add_at: a folder descriptor and a name. */
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
  CHECK(deface_txn_add_at(t, fd, dir, "at.txt", &a, err) == DEFACE_OK);
  close(fd); /* the transaction keeps its own */
  CHECK(deface_txn_write(t, a, "at", 2, err) == DEFACE_OK && deface_txn_commit(t, err) == 0);
  deface_txn_free(t);
  CHECK(!strcmp(text_of("at.txt"), "at"));
  clean_dir();
}

static void test_long_names(void)
{
  /* Names of 245 to 255 bytes: the temporary's name is cut to fit, the
   * extension kept. */
  char name[256], p[600], err[DEFACE_ERRLEN] = "";
  for (size_t len = 245; len <= 255; len += 5) {
    check_context = "long names";
    memset(name, 'L', len - 7);
    memcpy(name + len - 7, ".nii.gz", 8);
    path_of(p, sizeof p, name);
    deface_txn *t = NULL;
    size_t a;
    CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK);
    CHECK(deface_txn_add(t, p, &a, err) == DEFACE_OK);
    const char *tmp = strrchr(deface_txn_temp_path(t, a), '/') + 1;
    CHECK(strlen(tmp) <= 255 && strcmp(tmp + strlen(tmp) - 7, ".nii.gz") == 0 && tmp[0] == '.');
    CHECK(deface_txn_write(t, a, "long", 4, err) == DEFACE_OK);
    CHECK(deface_txn_commit(t, err) == DEFACE_OK);
    deface_txn_free(t);
    CHECK(!strcmp(text_of(name), "long"));
  }
  clean_dir();
}

static void test_leftovers(void)
{
  check_context = "leftovers";
  char p[512], err[DEFACE_ERRLEN] = "";
  /* A killed run's temporaries of out.nii.gz, and files that only look alike. */
  CHECK(put(".out.tmpab12cd.nii.gz", "left") == 0 && put(".out.tmpzz99zz.nii.gz", "left") == 0);
  CHECK(put(".out.tmpAB12CD.nii.gz", "not ours") == 0 && put(".out.tmpab12.nii.gz", "no") == 0);
  CHECK(put(".other.tmpab12cd.nii.gz", "other") == 0 && put("out.nii.gz", "the output") == 0);
  /* A live transaction's temporary of the same name. */
  deface_txn *t = NULL;
  size_t a;
  path_of(p, sizeof p, "out.nii.gz");
  CHECK(deface_txn_new(NULL, &t, err) == DEFACE_OK && deface_txn_add(t, p, &a, err) == 0);
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK(deface_write_remove_leftovers(fd, "out.nii.gz") == 2);
  CHECK(access(deface_txn_temp_path(t, a), F_OK) == 0);
  CHECK(count_entries(".out.tmp") == 3 && count_entries(".other") == 1);
  CHECK(!strcmp(text_of("out.nii.gz"), "the output"));
  deface_txn_free(t);
  CHECK(count_entries(".out.tmp") == 2);
  close(fd);
  clean_dir();
}

static void test_abandon(void)
{
  check_context = "abandon";
  char p[512], err[DEFACE_ERRLEN] = "";
  CHECK(put("kept.nii", "old") == 0);
  pid_t pid = fork();
  if (pid == 0) { /* a run that is interrupted: two live transactions */
    deface_writer *w = NULL;
    deface_txn *t1 = NULL, *t2 = NULL;
    size_t a, b;
    path_of(p, sizeof p, "kept.nii");
    if (deface_writer_new(&w, err) || deface_txn_new(w, &t1, err) || deface_txn_new(w, &t2, err) ||
        deface_txn_add(t1, p, &a, err) || deface_txn_write(t1, a, "half", 4, err))
      _exit(2);
    path_of(p, sizeof p, "other.json");
    if (deface_txn_add(t2, p, &b, err) || count_entries(".") != 4)
      _exit(3);
    _exit(deface_writer_abandon(w) == 2 ? 0 : 4); /* and the process ends */
  }
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0);
  CHECK(count_entries(".") == 2 && !strcmp(text_of("kept.nii"), "old"));
  clean_dir();
}

static void test_file_size_limit(void)
{
  check_context = "file size limit";
  char p[512], err[DEFACE_ERRLEN] = "";
  CHECK(put("big.nii", "old") == 0);
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN); /* as the command does: EFBIG instead of death */
    struct rlimit r = {4096, 4096};
    static char block[8192];
    path_of(p, sizeof p, "big.nii");
    if (setrlimit(RLIMIT_FSIZE, &r) != 0)
      _exit(2);
    deface_status st = deface_write_file(p, block, sizeof block, err);
    _exit(st == DEFACE_E_OUTPUT && strstr(err, "big.nii: cannot write: File too large") ? 0 : 3);
  }
  int status = 0;
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0);
  CHECK(!strcmp(text_of("big.nii"), "old") && count_entries(".big") == 0);
  clean_dir();
}

int main(void)
{
  snprintf(dir, sizeof dir, "%s/deface-write-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  test_one_file_and_umask();
  test_names_and_abort();
  test_commit_all_or_nothing();
  test_identity_and_folders();
  test_long_names();
  test_leftovers();
  test_abandon();
  test_file_size_limit();
  clean_dir();
  rmdir(dir);
  return check_report();
}

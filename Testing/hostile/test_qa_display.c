/*
 * test_qa_display - the QA pictures' X display under stress (hostile review,
 * item 13): "--jobs 2 sessions sometimes fail one QA picture with 'cannot
 * open the X display'". The cause: an X server without -noreset (xvfb-run's,
 * and the one deface started) resets when its last client leaves and
 * refuses connections meanwhile; every picture opened and closed its own
 * connections, so a picture right after another one could find the server
 * resetting. Now qa.c starts Xvfb with -noreset and holds one connection
 * from qa_display_begin() to qa_display_end(), and draws every picture
 * through it; DISPLAY is never set.
 *
 * The test takes the display the way the command does (DISPLAY unset: deface
 * starts Xvfb; or run under xvfb-run: an external server that resets), then
 * opens and closes 300 connections to it from two threads, as fast as they
 * go, as a picture and the next one would: none may fail (without the held
 * connection about 1 in 15 did). Then 8 pictures back to back from two
 * threads through qa_render() (two render processes, in parallel): all
 * written, each a PNG.
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "qa.h"

#include <X11/Xlib.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CHURN = 150, PICTURES = 4, N = 48 };

static const char *name;
static deface_volume *original, *defaced, *label;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int churn_failed, pictures_failed, pictures_made;

static void *churn(void *unused)
{
  (void)unused;
  for (int i = 0; i < CHURN; i++) {
    Display *d = XOpenDisplay(name);
    if (d) {
      XSync(d, False);
      XCloseDisplay(d);
    }
    pthread_mutex_lock(&count_lock);
    churn_failed += d == NULL;
    pthread_mutex_unlock(&count_lock);
  }
  return NULL;
}

static void *pictures(void *unused)
{
  (void)unused;
  deface_result r;
  memset(&r, 0, sizeof r);
  r.tissue_threshold = 50;
  r.changed_ml = 1;
  for (int i = 0; i < PICTURES; i++) {
    unsigned char *png = NULL;
    size_t size = 0;
    char err[DEFACE_ERRLEN] = "";
    deface_status st =
        qa_render("stress.png", original, defaced, label, &r, "stress", &png, &size, err);
    int ok = st == DEFACE_OK && size > 8 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0;
    if (!ok)
      fprintf(stderr, "test_qa_display: picture failed: %s\n", err);
    free(png);
    pthread_mutex_lock(&count_lock);
    pictures_failed += !ok;
    pictures_made += ok;
    pthread_mutex_unlock(&count_lock);
  }
  return NULL;
}

/* A ball of tissue with its front cap removed: a head as far as rendering goes. */
static void make_volumes(void)
{
  size_t dims[4] = {N, N, N, 1};
  double m[4][4] = {{4, 0, 0, 0}, {0, 4, 0, 0}, {0, 0, 4, 0}, {0, 0, 0, 1}};
  CHECK(deface_volume_new(dims, DEFACE_UINT8, m, &original, NULL) == DEFACE_OK);
  CHECK(deface_volume_new(dims, DEFACE_UINT8, m, &defaced, NULL) == DEFACE_OK);
  CHECK(deface_volume_new(dims, DEFACE_UINT8, m, &label, NULL) == DEFACE_OK);
  uint8_t *o = deface_volume_data(original), *d = deface_volume_data(defaced);
  uint8_t *l = deface_volume_data(label);
  for (int k = 0; k < N; k++)
    for (int j = 0; j < N; j++)
      for (int i = 0; i < N; i++) {
        size_t x = (size_t)i + N * ((size_t)j + N * (size_t)k);
        int r2 = (i - N / 2) * (i - N / 2) + (j - N / 2) * (j - N / 2) + (k - N / 2) * (k - N / 2);
        o[x] = r2 < (N / 3) * (N / 3) ? 100 : 0;
        l[x] = o[x] && j > N / 2 + N / 5;
        d[x] = l[x] ? 0 : o[x];
      }
}

static void both(void *(*fn)(void *))
{
  pthread_t t[2];
  int started = 0;
  for (int i = 0; i < 2; i++)
    started += pthread_create(&t[i], NULL, fn, NULL) == 0;
  CHECK(started == 2);
  for (int i = 0; i < started; i++)
    pthread_join(t[i], NULL);
}

int main(void)
{
  char err[DEFACE_ERRLEN] = "";
  CHECK(qa_available());
  CHECK(qa_display_begin(err, sizeof err) == 0);
  name = qa_display_name();
  if (!name) {
    fprintf(stderr, "test_qa_display: no display: %s\n", err);
    return check_report();
  }
  printf("display %s (%s)\n", name, getenv("DISPLAY") ? "DISPLAY" : "started by qa.c");
  both(churn);
  printf("%d connections opened and closed, %d failed\n", 2 * CHURN, churn_failed);
  CHECK(churn_failed == 0);
  make_volumes();
  both(pictures);
  printf("%d pictures back to back from two threads: %d made, %d failed\n", 2 * PICTURES,
         pictures_made, pictures_failed);
  CHECK(pictures_failed == 0 && pictures_made == 2 * PICTURES);
  qa_display_end();
  CHECK(qa_display_name() == NULL);
  deface_volume_free(original);
  deface_volume_free(defaced);
  deface_volume_free(label);
  return check_report();
}

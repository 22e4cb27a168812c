/*
 * render_wire.c - requests and replies between `deface` and its render
 * process (deface_render_wire.h): fixed-size fields, then lengths and bytes.
 * Everything read is checked (magic, datatype, sizes) before it is
 * allocated: a broken process must give an error, never a huge allocation.
 */
#define _POSIX_C_SOURCE 200809L
#include "deface_render_wire.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAGIC 0x31514644u /* "DFQ1" */
#define REPLY_MAGIC 0x31524644u   /* "DFR1" */
/* Limits of what is read: a 2 mm grid of a whole body is far below them. */
#define MAX_VOLUME_BYTES ((uint64_t)1 << 30)
#define MAX_PNG_BYTES ((uint64_t)1 << 28)

static void say(char *err, const char *what, int e)
{
  if (err)
    snprintf(err, DEFACE_ERRLEN, "the render process: %s%s%s", what, e ? ": " : "",
             e ? strerror(e) : "");
}

/* Every byte, or -1 with errno; MSG_NOSIGNAL so that a dead reader is an
 * error here, not a SIGPIPE that ends the command. */
static int send_all(int fd, const void *p, size_t n)
{
  const char *c = p;
  while (n > 0) {
    ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK)
      w = write(fd, c, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* 1 all read, 0 clean end before the first byte, -1 error or a cut stream. */
static int recv_all(int fd, void *p, size_t n)
{
  char *c = p;
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, c + got, n - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return -1;
    if (r == 0) {
      errno = got ? EPIPE : 0;
      return got ? -1 : 0;
    }
    got += (size_t)r;
  }
  return 1;
}

struct volume_head {
  uint64_t dims[4];
  int32_t datatype, pad;
  double matrix[4][4];
  double slope, inter;
};

static int send_volume(int fd, const deface_volume *v)
{
  struct volume_head h;
  memset(&h, 0, sizeof h);
  size_t dims[4];
  deface_volume_dims(v, dims);
  for (int a = 0; a < 4; a++)
    h.dims[a] = dims[a];
  h.datatype = (int32_t)deface_volume_datatype(v);
  deface_volume_matrix(v, h.matrix);
  deface_volume_scaling(v, &h.slope, &h.inter);
  return send_all(fd, &h, sizeof h) ||
                 send_all(fd, deface_volume_data_const(v), deface_volume_bytes(v))
             ? -1
             : 0;
}

static deface_status recv_volume(int fd, deface_volume **out, char *err)
{
  struct volume_head h;
  if (recv_all(fd, &h, sizeof h) != 1) {
    say(err, "the request was cut short", errno);
    return DEFACE_E_INPUT;
  }
  uint64_t bytes = deface_datatype_size((deface_datatype)h.datatype);
  for (int a = 0; a < 4 && bytes; a++)
    bytes = h.dims[a] == 0 || h.dims[a] > MAX_VOLUME_BYTES ? 0 : bytes * h.dims[a];
  if (bytes == 0 || bytes > MAX_VOLUME_BYTES) {
    say(err, "a malformed volume in the request", 0);
    return DEFACE_E_INPUT;
  }
  size_t dims[4] = {h.dims[0], h.dims[1], h.dims[2], h.dims[3]};
  deface_status st = deface_volume_new(dims, (deface_datatype)h.datatype, h.matrix, out, err);
  if (st != DEFACE_OK)
    return st;
  deface_volume_set_scaling(*out, h.slope, h.inter);
  if (recv_all(fd, deface_volume_data(*out), deface_volume_bytes(*out)) != 1) {
    say(err, "the request was cut short", errno);
    deface_volume_free(*out);
    *out = NULL;
    return DEFACE_E_INPUT;
  }
  return DEFACE_OK;
}

struct request_head {
  uint32_t magic;
  int32_t has_eyes;
  double skin_threshold, changed_ml, eye_ras[2][3];
  char name[256], status[64];
};

void deface_render_request_clear(deface_render_request *request)
{
  if (!request)
    return;
  deface_volume_free(request->original);
  deface_volume_free(request->defaced);
  deface_volume_free(request->label);
  memset(request, 0, sizeof *request);
}

deface_status deface_render_send_request(int fd, const deface_render_request *request, char *err)
{
  struct request_head h;
  memset(&h, 0, sizeof h);
  h.magic = REQUEST_MAGIC;
  h.has_eyes = request->has_eyes;
  h.skin_threshold = request->skin_threshold;
  h.changed_ml = request->changed_ml;
  memcpy(h.eye_ras, request->eye_ras, sizeof h.eye_ras);
  snprintf(h.name, sizeof h.name, "%s", request->name);
  snprintf(h.status, sizeof h.status, "%s", request->status);
  if (send_all(fd, &h, sizeof h) || send_volume(fd, request->original) ||
      send_volume(fd, request->defaced) || send_volume(fd, request->label)) {
    say(err, "cannot send the picture's volumes", errno);
    return DEFACE_E_OUTPUT;
  }
  return DEFACE_OK;
}

deface_status deface_render_recv_request(int fd, deface_render_request *request, char *err)
{
  memset(request, 0, sizeof *request);
  struct request_head h;
  int r = recv_all(fd, &h, sizeof h);
  if (r == 0)
    return DEFACE_E_CANCELLED;
  if (r < 0 || h.magic != REQUEST_MAGIC) {
    say(err, r < 0 ? "the request was cut short" : "not a request", r < 0 ? errno : 0);
    return DEFACE_E_INPUT;
  }
  request->has_eyes = h.has_eyes != 0;
  request->skin_threshold = h.skin_threshold;
  request->changed_ml = h.changed_ml;
  memcpy(request->eye_ras, h.eye_ras, sizeof h.eye_ras);
  h.name[sizeof h.name - 1] = h.status[sizeof h.status - 1] = '\0';
  memcpy(request->name, h.name, sizeof h.name);
  memcpy(request->status, h.status, sizeof h.status);
  deface_status st = recv_volume(fd, &request->original, err);
  if (st == DEFACE_OK)
    st = recv_volume(fd, &request->defaced, err);
  if (st == DEFACE_OK)
    st = recv_volume(fd, &request->label, err);
  if (st != DEFACE_OK)
    deface_render_request_clear(request);
  return st;
}

struct reply_head {
  uint32_t magic;
  int32_t status;
  uint64_t png_size;
  char message[DEFACE_ERRLEN];
};

deface_status deface_render_send_reply(int fd, deface_status status, const char *message,
                                       const unsigned char *png, size_t size, char *err)
{
  struct reply_head h;
  memset(&h, 0, sizeof h);
  h.magic = REPLY_MAGIC;
  h.status = (int32_t)status;
  h.png_size = png ? size : 0;
  snprintf(h.message, sizeof h.message, "%s", message ? message : "");
  if (send_all(fd, &h, sizeof h) || (h.png_size && send_all(fd, png, size))) {
    say(err, "cannot send the reply", errno);
    return DEFACE_E_OUTPUT;
  }
  return DEFACE_OK;
}

deface_status deface_render_recv_reply(int fd, deface_status *status, char *message,
                                       unsigned char **png, size_t *size, char *err)
{
  *png = NULL;
  *size = 0;
  struct reply_head h;
  int r = recv_all(fd, &h, sizeof h);
  if (r != 1 || h.magic != REPLY_MAGIC || h.png_size > MAX_PNG_BYTES) {
    say(err,
        r == 0  ? "ended without a reply"
        : r < 0 ? "the reply was cut short"
                : "not a reply",
        r < 0 ? errno : 0);
    return DEFACE_E_INPUT;
  }
  h.message[sizeof h.message - 1] = '\0';
  if (h.png_size) {
    if (!(*png = malloc(h.png_size))) {
      say(err, "out of memory for the PNG", 0);
      return DEFACE_E_NOMEM;
    }
    if (recv_all(fd, *png, h.png_size) != 1) {
      free(*png);
      *png = NULL;
      say(err, "the reply was cut short", errno);
      return DEFACE_E_INPUT;
    }
    *size = h.png_size;
  }
  *status = (deface_status)h.status;
  snprintf(message, DEFACE_ERRLEN, "%s", h.message);
  return DEFACE_OK;
}

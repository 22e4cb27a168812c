/*
 * report_html.c - the session's index.html. A data manager opens it from the
 * output folder (file://, perhaps copied elsewhere with the folders), so it
 * must work with no network and no scripts: inline CSS, relative <img> links
 * to the QA pictures beside it, every text escaped.
 */
#define _POSIX_C_SOURCE 200809L
#include "report_html.h"
#include "deface.h"
#include "textbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text or attribute value: the five special characters as entities, other
 * control bytes as spaces (the DICOM text may hold anything); bytes that are
 * not UTF-8 become U+FFFD (the page says it is UTF-8). */
static const char *html_escape(unsigned char c, char buf[8])
{
  (void)buf;
  switch (c) {
  case '&':
    return "&amp;";
  case '<':
    return "&lt;";
  case '>':
    return "&gt;";
  case '"':
    return "&quot;";
  case '\'':
    return "&#39;";
  default:
    return c < 0x20 || c == 0x7f ? " " : NULL;
  }
}

static void esc(textbuf *t, const char *s)
{
  textbuf_append_escaped(t, s, html_escape);
}

static const char STYLE[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;background:#fafafa}"
    "h1{font-size:1.4em;margin:0 0 .3em}p.sub{margin:0 0 1em;color:#555}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}"
    "th{background:#eee}td.pic{width:410px}td.pic img{width:400px;height:auto;display:block}"
    "td.num{text-align:right;white-space:nowrap}"
    ".defaced{color:#176b2c;font-weight:bold}.refused{color:#8a5a00;font-weight:bold}"
    ".error{color:#b00020;font-weight:bold}.interrupted{color:#555;font-weight:bold}"
    ".none{color:#777;font-style:italic}"
    ".reason{min-width:14em;max-width:28em;word-wrap:break-word}";

static void row_html(textbuf *t, const report_row *r)
{
  textbuf_printf(t, "<tr>\n<td class=\"pic\">");
  if (r->picture && *r->picture) {
    textbuf_append(t, "<a href=\"", 9);
    esc(t, r->picture);
    textbuf_append(t, "\"><img src=\"", 12);
    esc(t, r->picture);
    textbuf_append(t, "\" alt=\"QA picture of ", 21);
    esc(t, r->folder);
    textbuf_append(t, "\"></a>", 6);
  } else {
    textbuf_append(t, "<span class=\"none\">", 19);
    esc(t, r->picture_error && *r->picture_error ? r->picture_error : "no picture: not defaced");
    textbuf_append(t, "</span>", 7);
  }
  textbuf_printf(t, "</td>\n<td class=\"num\">");
  esc(t, r->number);
  textbuf_printf(t, "</td>\n<td>");
  esc(t, r->description);
  textbuf_printf(t, "<br><small>");
  esc(t, r->modality);
  textbuf_append(t, " ", 1);
  esc(t, r->dimensions);
  if (r->folder && *r->folder) {
    textbuf_append(t, "<br>", 4);
    esc(t, r->folder);
  }
  textbuf_printf(t, "</small></td>\n<td class=\"");
  esc(t, r->status);
  textbuf_append(t, "\">", 2);
  esc(t, r->status);
  textbuf_printf(t, "</td>\n<td class=\"reason\">");
  esc(t, r->reason);
  textbuf_printf(t, "</td>\n<td class=\"num\">%.1f</td>\n</tr>\n", r->seconds);
}

void report_html_text(const char *title, const report_row *rows, size_t n, textbuf *out)
{
  textbuf t = *out;
  size_t count[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; i++)
    count[!strcmp(rows[i].status, "defaced")   ? 0
          : !strcmp(rows[i].status, "refused") ? 1
          : !strcmp(rows[i].status, "error")   ? 2
                                               : 3]++;
  textbuf_printf(
      &t, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>deface: ");
  esc(&t, title);
  textbuf_printf(&t, "</title>\n<style>");
  textbuf_append(&t, STYLE, sizeof STYLE - 1);
  textbuf_printf(&t, "</style>\n</head>\n<body>\n<h1>deface session report</h1>\n");
  textbuf_printf(&t, "<p class=\"sub\">");
  esc(&t, title);
  textbuf_printf(
      &t,
      ": %zu series: %zu defaced, %zu refused, %zu error%s%s. deface %s. Pictures: the skin "
      "before (removed region in blue) and after.</p>\n",
      n, count[0], count[1], count[2], count[2] == 1 ? "" : "s",
      count[3] ? ", the rest interrupted" : "", DEFACE_VERSION);
  textbuf_printf(&t, "<table>\n<thead><tr><th>QA picture</th><th>Series</th><th>Description</th>"
                     "<th>Status</th><th>Reason</th><th>Seconds</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < n; i++)
    row_html(&t, &rows[i]);
  textbuf_printf(&t, "</tbody>\n</table>\n</body>\n</html>\n");
  *out = t;
}

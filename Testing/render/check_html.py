#!/usr/bin/env python3
"""check_html.py OUTDIR - checks the index.html that `deface` writes into a session's OUTDIR.

With python3's html.parser: the page parses with balanced tags (void elements aside); it references
no network resource (no http:// or https:// anywhere, no <script>, no <link>); every <img src> and
<a href> is a relative path to a file that exists under OUTDIR; it lists every series of
summary.tsv (one table row each, in order, with its number, description, status and reason, as
text, so that markup in a description shows up escaped) and shows a thumbnail for exactly the
series with a QA picture in their DEFACED_ folder. Exits 1 on any failure.
"""
import csv
import os
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.refs, self.rows, self.cell = [], [], [], [], None
        self.tags = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        for key in ("src", "href"):
            if key in a:
                self.refs.append((tag, key, a[key]))
        if tag == "tr":
            self.rows.append({"cells": [], "img": None})
        if tag == "td":
            self.cell = []
        if tag == "img" and self.rows:
            self.rows[-1]["img"] = a.get("src")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"line {self.getpos()[0]}: </{tag}> closes "
                               f"{'<' + self.stack[-1][0] + '>' if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag == "td" and self.rows and self.cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def main():
    outdir = sys.argv[1]
    path = os.path.join(outdir, "index.html")
    text = open(path, encoding="utf-8").read()
    page = Page()
    page.feed(text)
    page.close()
    failures = list(page.errors)
    if page.stack:
        failures.append("unclosed tags: " + ", ".join(f"<{t}> (line {p[0]})" for t, p in page.stack))
    if not text.startswith("<!DOCTYPE html>"):
        failures.append("no <!DOCTYPE html>")
    low = text.lower()
    if "http://" in low or "https://" in low or "//" in "".join(r[2] for r in page.refs):
        failures.append("a network reference (http://, https:// or //)")
    for tag in ("script", "link", "iframe", "object"):
        if tag in page.tags:
            failures.append(f"<{tag}> in a self-contained page")
    for tag, key, ref in page.refs:
        if ref.startswith("/") or ":" in ref or ".." in ref.split("/"):
            failures.append(f"<{tag} {key}={ref!r}> is not a relative local path")
        elif not os.path.isfile(os.path.join(outdir, ref)):
            failures.append(f"<{tag} {key}={ref!r}>: no such file in {outdir}")
    with open(os.path.join(outdir, "summary.tsv"), newline="", encoding="utf-8") as f:
        summary = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    body = [r for r in page.rows if r["cells"]]  # the header row has <th>, not <td>
    if len(body) != len(summary):
        failures.append(f"{len(body)} series rows in the page, {len(summary)} in summary.tsv")
    for row, s in zip(body, summary):
        cells = row["cells"]
        want = {"number": s["series_number"], "description": s["description"], "status": s["status"],
                "reason": " ".join(s["reason"].split())}
        got = {"number": cells[1], "description": cells[2], "status": cells[3], "reason": cells[4]}
        if not got["description"].startswith(" ".join(want["description"].split())):
            failures.append(f"row {s['series_number']}: description {got['description']!r}, expected {want['description']!r}")
        for k in ("number", "status", "reason"):
            if got[k] != want[k]:
                failures.append(f"row {s['series_number']}: {k} {got[k]!r}, expected {want[k]!r}")
        picture = f"{s['output']}/{s['output']}_qa.png" if s["output"] else None
        has = bool(picture) and os.path.isfile(os.path.join(outdir, picture))
        if has and row["img"] != picture:
            failures.append(f"row {s['series_number']}: thumbnail {row['img']!r}, expected {picture!r}")
        if not has and row["img"]:
            failures.append(f"row {s['series_number']}: a thumbnail without a picture")
        if s["status"] != "defaced" and "not defaced" not in cells[0]:
            failures.append(f"row {s['series_number']}: refused or failed, but the picture cell says {cells[0]!r}")
        print(f"  row: {cells[1]:>3} {cells[3]:8} {'thumbnail' if row['img'] else cells[0][:40]:40} "
              f"{cells[2][:40]!r}")
    for f in failures:
        print("FAIL " + f)
    print(f"{path}: {len(body)} series rows, {len(page.refs)} local references"
          + ("" if failures else ", valid"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

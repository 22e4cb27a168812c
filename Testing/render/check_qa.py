#!/usr/bin/env python3
"""check_qa.py PNG WIDTH HEIGHT PANEL - checks a QA picture of `deface` (Logic/Render).

The picture holds 2 rows (before, after) x 3 views (right 45, front, left 45) of PANEL pixels and a
caption below. Checks: the PNG's size; in each view the removed region is drawn in blue on the
before row (the face area: the box around the blue pixels) and no blue is left on the after row;
inside the face area the before and after panels differ; outside it (a margin away, below the
panel's title) they match pixel for pixel on the head, and the head covers enough of that outside
part for the match to mean something. Prints the statistics; exits 1 on any failure.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngread  # noqa: E402

MARGIN = 16      # pixels around the face area left out of "outside"
TITLE = 28       # each panel's title text (differs between the rows)
BACKGROUND = (33, 36, 41)  # the renderer's background (0.13, 0.14, 0.16)


def is_blue(p):
    return p[2] > 150 and p[2] > p[0] + 60


def main():
    path, width, height, panel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    failures = []
    w, h, depth, ctype = pngread.header(path)
    if (w, h) != (width, height):
        print(f"FAIL {path}: {w}x{h}, expected {width}x{height}")
        return 1
    image = pngread.read(path)
    print(f"{path}: {w}x{h}, colour type {ctype}")
    for col, view in enumerate(["right 45", "front", "left 45"]):
        x0 = col * panel
        blue, after_blue = [], 0
        for y in range(TITLE, panel):
            for x in range(x0, x0 + panel):
                if is_blue(pngread.rgb(image, x, y)):
                    blue.append((x, y))
                if is_blue(pngread.rgb(image, x, y + panel)):
                    after_blue += 1
        area = panel * (panel - TITLE)
        if len(blue) < 0.01 * area:
            failures.append(f"{view}: only {len(blue)} blue (removed region) pixels before")
            continue
        bx0, bx1 = min(p[0] for p in blue), max(p[0] for p in blue)
        by0, by1 = min(p[1] for p in blue), max(p[1] for p in blue)
        inside = inside_diff = outside = outside_head = outside_diff = 0
        for y in range(TITLE, panel):
            for x in range(x0, x0 + panel):
                a, b = pngread.rgb(image, x, y), pngread.rgb(image, x, y + panel)
                d = max(abs(a[k] - b[k]) for k in range(3))
                if bx0 <= x <= bx1 and by0 <= y <= by1:
                    inside += 1
                    inside_diff += d > 40
                elif not (bx0 - MARGIN <= x <= bx1 + MARGIN and by0 - MARGIN <= y <= by1 + MARGIN):
                    outside += 1
                    head = max(abs(a[k] - BACKGROUND[k]) for k in range(3)) > 12
                    outside_head += head
                    outside_diff += d > 40
        f_in, f_out = inside_diff / max(inside, 1), outside_diff / max(outside, 1)
        f_head = outside_head / max(outside, 1)
        print(f"  {view}: face area {bx1 - bx0 + 1}x{by1 - by0 + 1} px, {len(blue)} blue before, "
              f"{after_blue} after; differing pixels: inside {100 * f_in:.1f}%, outside "
              f"{100 * f_out:.2f}% (head on {100 * f_head:.0f}% of the outside)")
        if f_in < 0.3:
            failures.append(f"{view}: before and after differ on only {100 * f_in:.1f}% of the face area")
        if f_out > 0.01:
            failures.append(f"{view}: before and after differ on {100 * f_out:.2f}% outside the face area")
        if f_head < 0.10:
            failures.append(f"{view}: the head covers only {100 * f_head:.0f}% outside the face area")
        if after_blue > 0.0005 * area:
            failures.append(f"{view}: {after_blue} blue pixels after defacing")
    caption = sum(1 for y in range(2 * panel, height) for x in range(0, width, 2)
                  if max(pngread.rgb(image, x, y)) > 200)
    print(f"  caption: {caption} bright (text) pixels")
    if caption < 200:
        failures.append("no caption text")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

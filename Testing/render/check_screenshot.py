#!/usr/bin/env python3
"""check_screenshot.py PNG - checks that a browser screenshot of index.html shows the QA thumbnails.

The page is white with dark text; a thumbnail is a dark picture with a skin-coloured head and a blue
removed region. Checks in the screenshot: many distinct colours (text alone gives few), a large share
of dark background pixels (the thumbnails' panels), skin-coloured and blue pixels. Exits 1 on failure.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngread  # noqa: E402


def main():
    image = pngread.read(sys.argv[1])
    w, h = image[0], image[1]
    colours, dark, skin, blue, n = set(), 0, 0, 0, 0
    for y in range(0, h, 2):
        for x in range(0, w, 2):
            r, g, b = pngread.rgb(image, x, y)
            n += 1
            colours.add((r >> 3, g >> 3, b >> 3))
            dark += max(r, g, b) < 60
            skin += r > 150 and 100 < g < r - 20 and 70 < b < g
            blue += b > 150 and b > r + 60
    print(f"{sys.argv[1]}: {w}x{h}; {len(colours)} distinct colours, dark {100 * dark / n:.1f}%, "
          f"skin {100 * skin / n:.2f}%, blue {100 * blue / n:.2f}%")
    failures = []
    if len(colours) < 200:
        failures.append("few colours: the thumbnails did not render")
    if dark < 0.05 * n:
        failures.append("no dark thumbnail panels")
    if skin < 0.002 * n or blue < 0.0005 * n:
        failures.append("no skin or no blue removed region visible")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

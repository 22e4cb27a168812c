#!/usr/bin/env python3
"""check_icon.py make_icon.py FaceMasking.png - the committed extension icon is what its script
draws (byte for byte), and a 128x128 RGBA PNG as the Slicer Extensions Index asks."""
import os
import struct
import subprocess
import sys
import tempfile

script, icon = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "icon.png")
    subprocess.run([sys.executable, script, out], check=True)
    drawn, committed = open(out, "rb").read(), open(icon, "rb").read()
ok = drawn == committed
print(("ok:   " if ok else "FAIL: ") + f"{icon} is what {os.path.basename(script)} draws")
w, h, depth, kind = struct.unpack(">IIBB", committed[16:26])
size_ok = committed[:8] == b"\x89PNG\r\n\x1a\n" and (w, h, depth, kind) == (128, 128, 8, 6)
print(("ok:   " if size_ok else "FAIL: ") + f"PNG {w}x{h}, {depth}-bit, colour type {kind} (RGBA)")
sys.exit(0 if ok and size_ok else 1)

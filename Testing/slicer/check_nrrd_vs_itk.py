#!/usr/bin/env python3
"""check_nrrd_vs_itk.py - Logic/IO's NRRD reader against ITK's (Debian's ITK 5.2, teem inside),
which is how Slicer reads the same files: for ch2 written as NRRD in every way the reader
accepts, both must report the same grid (size, LPS origin, spacing, directions), the same voxel
type and the same number of non-zero voxels.

Variants: the tilted LPS file Slicer would hand the module; the same head in RAS and LAS space
(directions and origin rewritten; LAS against ITK's reading of the LPS file, because ITK 5.2
misreads LAS); no space at all (spacings only); gzip encoding; big-endian
int16 voxels; float voxels; a detached header (.nhdr) with a data file, line skip and
byte skip -1. The writer is checked the same way on the module's outputs (run_module_exe.py).

Environment: NRRD_GEOMETRY, IMAGE_GEOMETRY, NIFTI_TO_NRRD, FETCH_TESTDATA.
"""
import gzip
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from slicer_testlib import check, fetch_ch2, finish, nifti_to_nrrd


def read(tool, path):
    r = subprocess.run([os.environ[tool], path, "--count"], capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f"{tool} reads {os.path.basename(path)}: {r.stderr.strip()}")
        return {}
    return dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())


def close(a, b):
    x, y = [float(v) for v in a.split()], [float(v) for v in b.split()]
    return len(x) == len(y) and all(abs(p - q) <= 1e-9 * (1 + abs(q)) for p, q in zip(x, y))


def compare(name, path, itk_path=None):
    """Our reading of path against ITK's reading of itk_path (path itself by default)."""
    ours, itk = read("NRRD_GEOMETRY", path), read("IMAGE_GEOMETRY", itk_path or path)
    if not ours or not itk:
        return
    same = all(ours.get(k) == itk.get(k) for k in ["dimension", "component", "size", "nonzero"])
    same = same and all(close(ours[k], itk[k]) for k in ["spacing", "origin", "direction"])
    check(same, f"{name}: deface_nrrd and ITK agree (size {ours.get('size')}, {ours.get('component')}"
                f", origin {ours.get('origin')}, {ours.get('nonzero')} non-zero)"
          + ("" if same else f"\n  ours {ours}\n  ITK  {itk}"))


def split(path):
    data = open(path, "rb").read()
    head, body = data.split(b"\n\n", 1)
    return head.decode("ascii").split("\n"), body


def write(path, lines, body):
    with open(path, "wb") as f:
        f.write(("\n".join(lines) + "\n\n").encode("ascii") + body)


def vectors(line):
    return [[float(x) for x in v.split(",")] for v in re.findall(r"\(([^)]*)\)", line)]


def fmt(vs):
    return " ".join("(" + ",".join(repr(x) for x in v) + ")" for v in vs)


def in_space(lines, name, sign):
    """The same geometry in another space: each coordinate times sign[i]."""
    out = []
    for l in lines:
        if l.startswith("space: "):
            l = "space: " + name
        elif l.startswith("space directions: "):
            l = "space directions: " + fmt([[s * x for s, x in zip(sign, v)] for v in vectors(l)])
        elif l.startswith("space origin: "):
            l = "space origin: " + fmt([[s * x for s, x in zip(sign, v)] for v in vectors(l)])
        out.append(l)
    return out


def main():
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="nrrd_vs_itk")
    try:
        full = os.path.join(tmp, "ch2_full.nrrd")
        nifti_to_nrrd(ch2, full, "--tilt", "12")
        compare("LPS, tilted 12 degrees (as Slicer writes it)", full)
        # The variants keep the first 40 slices (same origin and directions): quicker to write.
        lines, body = split(full)
        lines = [re.sub(r"^sizes: (\d+) (\d+) \d+$", r"sizes: \1 \2 40", l) for l in lines]
        body = body[:181 * 217 * 40]
        base = os.path.join(tmp, "ch2_lps.nrrd")
        write(base, lines, body)
        p = os.path.join(tmp, "ch2_ras.nrrd")
        write(p, in_space(lines, "right-anterior-superior", (-1, -1, 1)), body)
        compare("RAS space", p)
        p = os.path.join(tmp, "ch2_las.nrrd")
        write(p, in_space(lines, "LAS", (1, -1, 1)), body)
        # Debian's ITK 5.2 flips x instead of y for left-anterior-superior (fixed in later ITK:
        # "axisDirectionFactors[1] = -1; // A -> P"), so the LAS file is compared with ITK's
        # reading of the same head written in LPS.
        compare("LAS space (abbreviated name), against ITK's LPS reading", p, base)
        p = os.path.join(tmp, "ch2_nospace.nrrd")
        bare = [l for l in lines if not l.startswith(("space", "kinds"))] + ["spacings: 1.5 1 2"]
        write(p, bare, body)
        compare("no space, spacings only", p)
        p = os.path.join(tmp, "ch2_gzip.nrrd")
        write(p, [l.replace("encoding: raw", "encoding: gzip") for l in lines], gzip.compress(body))
        compare("gzip encoding", p)
        n = len(body)
        be = struct.pack(f">{n}h", *[3 * v - 100 for v in body])
        p = os.path.join(tmp, "ch2_int16_big.nrrd")
        write(p, [l.replace("type: uint8", "type: short").replace("endian: little", "endian: big")
                  for l in lines], be)
        compare("int16, big endian", p)
        p = os.path.join(tmp, "ch2_float.nrrd")
        write(p, [l.replace("type: uint8", "type: float") for l in lines],
              struct.pack(f"<{n}f", *[v * 0.5 for v in body]))
        compare("float voxels", p)
        p = os.path.join(tmp, "ch2.nhdr")
        with open(os.path.join(tmp, "ch2_data.raw"), "wb") as f:
            f.write(b"two text lines\nto skip\n" + b"\x07" * 1000 + body)
        write(p, [l for l in lines if not l.startswith("encoding")]
              + ["encoding: raw", "data file: ch2_data.raw", "line skip: 2", "byte skip: -1"], b"")
        compare("detached header, line skip, byte skip -1", p)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())

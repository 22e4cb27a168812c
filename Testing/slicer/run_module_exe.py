#!/usr/bin/env python3
"""Runs the FaceMasking executable the way Slicer does and checks what Slicer relies on.

  run_module_exe.py EXE defaced [--tilt DEG] [--fill zero|blur|noise] [--gzip]
      ch2 (mricron-data) as a raw NRRD with a Slicer-style temporary name (--gzip: gzip-encoded,
      as a Slicer that compresses would write it), Slicer's argv order; checks exit 0, stdout only
      progress tags (filter-start first, progress rising from 0 to 1, filter-end with filter-time,
      no '<' inside any text) and the one-line summary Slicer keeps as output text, nothing on
      stderr, the defaced volume and the label on exactly the input's grid (size, spacing, origin,
      direction as ITK reads them back; the input's pixel type and encoding; label unsigned char,
      not empty), and the return parameter file (status defaced, empty reason, both eyes within
      5 mm of the annotated centres in RAS).
  run_module_exe.py EXE nifti
      ch2.nii.gz in, .nii.gz out through the executable's ITK adapter: same checks of the grid.
  run_module_exe.py EXE bad [--sem]
      a missing input, a 2D image and an RGB volume: the documented exit code (3, 4, 3), one line
      on stderr naming the input volume (the Slicer node its temporary file stands for) and the
      reason, no crash, no output files, no temporary file left, status in the return parameter
      file; usage errors exit 2 (--sem: the extension build, where GenerateCLP's TCLAP reports
      malformed arguments itself, with exit 1: any non-zero exit with a message).

Environment: NIFTI_TO_NRRD, IMAGE_GEOMETRY (built tools), FETCH_TESTDATA, DEFACE_TESTDATA.
"""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from slicer_testlib import (check, check_outputs, fetch_ch2, finish, geometry, nifti_to_nrrd,
                            return_parameters)


def run_module(exe, args):
    cmd = [exe] + args
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.stderr:
        print("stderr: " + r.stderr.strip())
    return r


def slicer_args(inp, out, label, rp, fill="zero"):
    # Slicer: --returnparameterfile, the flagged parameters in XML order (outputLabel, fill,
    # sigma; ears only when true; AllowInMemoryTransfer never, being false), then index 0 and 1.
    return ["--returnparameterfile", rp, "--outputLabel", label, "--fill", fill, "--sigma", "5",
            inp, out]


def check_stdout(stdout):
    lines = [l for l in stdout.splitlines() if l.strip()]
    tag = re.compile(r"^<(filter-start|filter-progress|filter-stage-progress|filter-end)>(.*)</\1>$")
    tags = [l for l in lines if tag.match(l)]
    text = [l for l in lines if not tag.match(l)]
    check(len(text) == 1 and text[0].startswith("FaceMasking: ") and " defaced: " in text[0],
          f"stdout holds progress tags and one summary line ({text})")
    check(bool(tags) and tags[0].startswith("<filter-start><filter-name>FaceMasking</filter-name>"
                                            "<filter-comment>"), "filter-start comes first")
    end = re.match(r"^<filter-end><filter-name>FaceMasking</filter-name>"
                   r"<filter-time>([0-9.]+)</filter-time></filter-end>$", tags[-1] if tags else "")
    check(end is not None, "filter-end with a filter-time ends the tags")
    texts = re.findall(r"<filter-comment>(.*?)</filter-comment>", stdout)
    check(texts and all("<" not in t and "&" not in t for t in texts),
          f"comments free of '<' ({len(texts)} stages: {', '.join(t.strip() for t in texts)})")
    values = [float(v) for v in re.findall(r"<filter-progress>([^<]*)</filter-progress>", stdout)]
    check(len(values) >= 5, f"{len(values)} progress values")
    check(all(b >= a for a, b in zip(values, values[1:])), "progress never goes back")
    check(values and values[0] == 0.0 and values[-1] == 1.0,
          f"progress runs from 0 to 1 ({values[:1]} ... {values[-1:]})")


def gzip_nrrd(src, dst):
    """The same NRRD with its voxels gzip-encoded (encoding: gzip), as teem writes it."""
    data = open(src, "rb").read()
    head, body = data.split(b"\n\n", 1)
    head = head.replace(b"encoding: raw", b"encoding: gzip")
    with open(dst, "wb") as f:
        f.write(head + b"\n\n" + gzip.compress(body, 1))


def encoding(path):
    with open(path, "rb") as f:
        head = f.read(4096).split(b"\n\n", 1)[0].decode("latin-1")
    m = re.search(r"^encoding: (\S+)$", head, re.M)
    return m.group(1) if m else None


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.startswith(".fm")]


def defaced(exe, tilt, fill, gz):
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="SlicerTemp")
    try:
        inp = os.path.join(tmp, "BCDEF_vtkMRMLScalarVolumeNodeB.nrrd")
        out = os.path.join(tmp, "CDEFG_vtkMRMLScalarVolumeNodeC.nrrd")
        lab = os.path.join(tmp, "DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd")
        rp = os.path.join(tmp, "EFGHI_returnparameters.params")
        nifti_to_nrrd(ch2, inp, "--tilt", str(tilt))
        if gz:
            raw = inp + ".raw.nrrd"
            os.rename(inp, raw)
            gzip_nrrd(raw, inp)
            os.remove(raw)
        r = run_module(exe, slicer_args(inp, out, lab, rp, fill))
        check(r.returncode == 0, f"exit 0 (got {r.returncode})")
        check(r.stderr == "", "nothing on stderr (Slicer would show it as the error text)")
        check_stdout(r.stdout)
        check(encoding(out) == encoding(inp) == ("gzip" if gz else "raw"),
              f"the output keeps the input's encoding ({encoding(inp)} -> {encoding(out)})")
        check_outputs(inp, out, lab, rp, tilt)
        check(not leftovers(tmp), f"no temporary file left ({leftovers(tmp)})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def nifti(exe):
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="deface_nifti")
    try:
        out = os.path.join(tmp, "DEFACED_ch2.nii.gz")
        lab = os.path.join(tmp, "DEFACED_ch2_label.nii.gz")
        rp = os.path.join(tmp, "returnparameters.txt")
        r = run_module(exe, slicer_args(ch2, out, lab, rp))
        check(r.returncode == 0, f"NIfTI through ITK: exit 0 (got {r.returncode})")
        gi, go, gl = geometry(ch2), geometry(out), geometry(lab, count=True)
        for key in ["io", "size", "spacing", "origin", "direction", "component"]:
            check(gi.get(key) is not None and gi.get(key) == go.get(key),
                  f"NIfTI output {key} = input's ({gi.get(key)})")
        check(gl.get("component") == "unsigned_char" and int(gl.get("nonzero", "0")) > 1000,
              f"NIfTI label: unsigned char, {gl.get('nonzero')} voxels marked")
        check(return_parameters(rp).get("status") == "defaced", "status defaced")
        check(not leftovers(tmp), f"no temporary file left ({leftovers(tmp)})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_rgb_nrrd(path):
    with open(path, "wb") as f:
        f.write(b"NRRD0004\ntype: uint8\ndimension: 4\nspace: left-posterior-superior\n"
                b"sizes: 3 40 40 40\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\n"
                b"kinds: RGB-color domain domain domain\nspace origin: (0,0,0)\n"
                b"endian: little\nencoding: raw\n\n")
        f.write(bytes(3 * 40 * 40 * 40))


def bad(exe, sem=False):
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="SlicerTemp")
    try:
        out = os.path.join(tmp, "CDEFG_vtkMRMLScalarVolumeNodeC.nrrd")
        lab = os.path.join(tmp, "DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd")
        rp = os.path.join(tmp, "EFGHI_returnparameters.params")
        flat = os.path.join(tmp, "FGHIJ_vtkMRMLScalarVolumeNodeF.nrrd")
        nifti_to_nrrd(ch2, flat, "--2d")
        rgb = os.path.join(tmp, "GHIJB_vtkMRMLVectorVolumeNodeG.nrrd")
        write_rgb_nrrd(rgb)
        cases = [("missing file", os.path.join(tmp, "BCDEF_vtkMRMLScalarVolumeNodeB.nrrd"),
                  "vtkMRMLScalarVolumeNode1", 3, "cannot read it", "error"),
                 ("2D image", flat, "vtkMRMLScalarVolumeNode5", 4, "refused", "refused"),
                 ("RGB volume", rgb, "vtkMRMLVectorVolumeNode6", 3, "not a scalar volume",
                  "error")]
        for what, inp, node, code, reason, status in cases:
            r = run_module(exe, slicer_args(inp, out, lab, rp))
            check(r.returncode == code, f"{what}: exit {code} (got {r.returncode})")
            lines = r.stderr.splitlines()
            check(len(lines) == 1 and lines[0].startswith(
                f"FaceMasking: input volume (Slicer node {node}): ") and reason in lines[0],
                f"{what}: one line on stderr naming the node and the reason ({reason})")
            check(tmp not in r.stderr, f"{what}: not Slicer's temporary file name")
            check(not os.path.exists(out) and not os.path.exists(lab), f"{what}: no output written")
            check(not leftovers(tmp), f"{what}: no temporary file left")
            rpv = return_parameters(rp)
            check(rpv.get("status") == status and rpv.get("reason"),
                  f"{what}: status {rpv.get('status')!r}, reason {rpv.get('reason')!r}")
            check("<filter-end>" in r.stdout, f"{what}: progress still ends with filter-end")
        usage = (lambda r: r.returncode != 0 and r.stderr.strip()) if sem else \
            (lambda r: r.returncode == 2)
        r = run_module(exe, ["--sigma", "-1", flat, out])
        check(usage(r) and ("sigma" in r.stderr or "-1" in r.stderr),
              f"a bad --sigma is a usage error (exit {r.returncode})")
        r = run_module(exe, ["--sigma", "1e300", flat, out])
        check(usage(r) and "--sigma" in r.stderr,
              f"a --sigma beyond the XML's 50 mm is a usage error (exit {r.returncode})")
        r = run_module(exe, [flat])
        check(usage(r) and ("usage" in r.stderr or "outputVolume" in r.stderr),
              f"a missing outputVolume is a usage error (exit {r.returncode})")
        check(not os.path.exists(out), "usage errors write nothing")
        r = run_module(exe, [flat, os.path.join(tmp, "out.png")])
        check(r.returncode == 6 and "unknown image format" in r.stderr,
              f"an output format the module cannot write: exit 6 (got {r.returncode})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    if len(argv) >= 3 and argv[2] == "defaced":
        tilt = float(argv[argv.index("--tilt") + 1]) if "--tilt" in argv else 0.0
        fill = argv[argv.index("--fill") + 1] if "--fill" in argv else "zero"
        defaced(argv[1], tilt, fill, "--gzip" in argv)
    elif len(argv) == 3 and argv[2] == "nifti":
        nifti(argv[1])
    elif len(argv) >= 3 and argv[2] == "bad":
        bad(argv[1], "--sem" in argv)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

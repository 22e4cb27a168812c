#!/usr/bin/env python3
"""Runs the FaceMasking executable the way Slicer does and checks what Slicer relies on.

  run_module_exe.py defaced [--tilt DEG] [--fill zero|blur|noise]
      ch2 (mricron-data) as a raw NRRD with a Slicer-style temporary name, Slicer's argv order;
      checks exit 0, stdout only progress tags (filter-start first, progress rising from 0 to 1,
      filter-end with filter-time last, no '<' inside any text), the defaced volume and the label
      on exactly the input's grid (size, spacing, origin, direction as ITK reads them back; the
      input's pixel type; label unsigned char, not empty), and the return parameter file (status
      defaced, empty reason, both eyes within 5 mm of the annotated centres in RAS).
  run_module_exe.py bad
      a missing input, a 2D image and an RGB volume: non-zero exit, a message on stderr naming the
      file, no crash, no output files, status in the return parameter file.

Environment: FACEMASKING, NIFTI_TO_NRRD, IMAGE_GEOMETRY (built tools), FETCH_TESTDATA (the script
Testing/data/fetch_testdata.sh), DEFACE_TESTDATA (optional cache folder).
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILS = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        FAILS.append(what)
    return ok


def fetch_ch2():
    r = subprocess.run(["bash", os.environ["FETCH_TESTDATA"], "mricron"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("fetching mricron-data failed (Testing/data/README.md)")
    return os.path.join(r.stdout.strip().splitlines()[-1], "ch2.nii.gz")


def annotated_eyes():
    path = os.path.join(os.path.dirname(__file__), "..", "data", "annotations.tsv")
    eyes = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 5 and f[0] == "ch2" and f[1] in ("right_eye", "left_eye"):
            eyes[f[1]] = [float(x) for x in f[2:5]]
    return eyes


def geometry(path, count=False):
    r = subprocess.run([os.environ["IMAGE_GEOMETRY"], path] + (["--count"] if count else []),
                       capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f"ITK reads {path}: {r.stderr.strip()}")
        return {}
    return dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())


def run_module(args):
    cmd = [os.environ["FACEMASKING"]] + args
    print("$ " + " ".join(cmd))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if r.stderr:
        print("stderr: " + r.stderr.strip())
    return r


def slicer_args(tmp, inp, out, label, rp, fill="zero"):
    # Slicer: --returnparameterfile, the flagged parameters in XML order (outputLabel, fill,
    # sigma; ears only when true; AllowInMemoryTransfer never, being false), then index 0 and 1.
    return ["--returnparameterfile", rp, "--outputLabel", label, "--fill", fill, "--sigma", "5",
            inp, out]


def return_parameters(rp):
    values = {}
    if check(os.path.exists(rp), "the return parameter file exists"):
        for line in open(rp):
            if " = " in line:
                k, v = line.rstrip("\n").split(" = ", 1)
                values[k] = v
    return values


def check_progress(stdout):
    lines = [l for l in stdout.splitlines() if l.strip()]
    tag = re.compile(r"^<(filter-start|filter-progress|filter-stage-progress|filter-end)>(.*)</\1>$")
    check(all(tag.match(l) for l in lines), "stdout holds only progress tags, one a line")
    check(bool(lines) and lines[0].startswith("<filter-start><filter-name>FaceMasking</filter-name>"
                                              "<filter-comment>"), "filter-start comes first")
    end = re.match(r"^<filter-end><filter-name>FaceMasking</filter-name>"
                   r"<filter-time>([0-9.]+)</filter-time></filter-end>$", lines[-1] if lines else "")
    check(end is not None, "filter-end with a filter-time comes last")
    texts = re.findall(r"<filter-comment>(.*?)</filter-comment>", stdout)
    check(texts and all("<" not in t and "&" not in t for t in texts),
          f"comments free of '<' ({len(texts)} stages: {', '.join(t.strip() for t in texts)})")
    values = [float(v) for v in re.findall(r"<filter-progress>([^<]*)</filter-progress>", stdout)]
    check(len(values) >= 5, f"{len(values)} progress values")
    check(all(b >= a for a, b in zip(values, values[1:])), "progress never goes back")
    check(values and values[0] == 0.0 and values[-1] == 1.0,
          f"progress runs from 0 to 1 ({values[:1]} ... {values[-1:]})")


def rotate_x(p, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [p[0], c * p[1] - s * p[2], s * p[1] + c * p[2]]


def defaced(tilt, fill):
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="SlicerTemp")
    try:
        inp = os.path.join(tmp, "BCDEF_vtkMRMLScalarVolumeNodeB.nrrd")
        out = os.path.join(tmp, "CDEFG_vtkMRMLScalarVolumeNodeC.nrrd")
        lab = os.path.join(tmp, "DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd")
        rp = os.path.join(tmp, "EFGHI_returnparameters.params")
        subprocess.run([os.environ["NIFTI_TO_NRRD"], ch2, inp, "--tilt", str(tilt)], check=True)
        r = run_module(slicer_args(tmp, inp, out, lab, rp, fill))
        check(r.returncode == 0, f"exit 0 (got {r.returncode})")
        check_progress(r.stdout)
        gi, go, gl = geometry(inp), geometry(out), geometry(lab, count=True)
        for key in ["io", "dimension", "size", "spacing", "origin", "direction"]:
            check(gi.get(key) is not None and gi.get(key) == go.get(key) == gl.get(key),
                  f"output and label {key} = input's ({gi.get(key)})")
        check(go.get("component") == gi.get("component"),
              f"output pixel type = input's ({gi.get('component')})")
        check(gl.get("component") == "unsigned_char", f"label is unsigned char ({gl.get('component')})")
        check(int(gl.get("nonzero", "0")) > 1000, f"label marks {gl.get('nonzero')} voxels")
        rpv = return_parameters(rp)
        check(rpv.get("status") == "defaced" and rpv.get("reason") == "",
              f"status defaced, empty reason ({rpv.get('status')!r}, {rpv.get('reason')!r})")
        eyes = annotated_eyes()
        for name, key in [("rightEye", "right_eye"), ("leftEye", "left_eye")]:
            try:
                got = [float(x) for x in rpv.get(name, "").split(",")]
            except ValueError:
                got = []
            want = rotate_x(eyes[key], tilt)
            dist = math.dist(got, want) if len(got) == 3 else float("inf")
            check(dist < 5.0, f"{name} {got} within 5 mm of the annotated {key} "
                              f"({dist:.1f} mm; RAS, so the LPS flip is right)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_rgb_nrrd(path):
    with open(path, "wb") as f:
        f.write(b"NRRD0004\ntype: uint8\ndimension: 4\nspace: left-posterior-superior\n"
                b"sizes: 3 40 40 40\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\n"
                b"kinds: RGB-color domain domain domain\nspace origin: (0,0,0)\n"
                b"endian: little\nencoding: raw\n\n")
        f.write(bytes(3 * 40 * 40 * 40))


def bad():
    ch2 = fetch_ch2()
    tmp = tempfile.mkdtemp(prefix="SlicerTemp")
    try:
        out = os.path.join(tmp, "CDEFG_vtkMRMLScalarVolumeNodeC.nrrd")
        lab = os.path.join(tmp, "DEFGH_vtkMRMLLabelMapVolumeNodeD.nrrd")
        rp = os.path.join(tmp, "EFGHI_returnparameters.params")
        flat = os.path.join(tmp, "FGHIJ_vtkMRMLScalarVolumeNodeF.nrrd")
        subprocess.run([os.environ["NIFTI_TO_NRRD"], ch2, flat, "--2d"], check=True)
        rgb = os.path.join(tmp, "GHIJK_vtkMRMLVectorVolumeNodeG.nrrd")
        write_rgb_nrrd(rgb)
        cases = [("missing file", os.path.join(tmp, "BCDEF_vtkMRMLScalarVolumeNodeB.nrrd"), "error"),
                 ("2D image", flat, "refused"),
                 ("RGB volume", rgb, "error")]
        for what, inp, status in cases:
            r = run_module(slicer_args(tmp, inp, out, lab, rp))
            check(0 < r.returncode < 64, f"{what}: non-zero exit, no crash (got {r.returncode})")
            check(os.path.basename(inp) in r.stderr, f"{what}: the message names the file")
            check(not os.path.exists(out) and not os.path.exists(lab), f"{what}: no output written")
            rpv = return_parameters(rp)
            check(rpv.get("status") == status and rpv.get("reason"),
                  f"{what}: status {rpv.get('status')!r}, reason {rpv.get('reason')!r}")
            check("<filter-end>" in r.stdout, f"{what}: progress still ends with filter-end")
        r = run_module(["--sigma", "-1", flat, out])
        check(r.returncode == 2 and "--sigma" in r.stderr, "a bad --sigma is a usage error (exit 2)")
        r = run_module(["--sigma", "1e300", flat, out])
        check(r.returncode == 2 and "--sigma" in r.stderr,
              "a --sigma beyond the XML's 50 mm is a usage error (exit 2)")
        r = run_module([flat])
        check(r.returncode == 2 and "usage" in r.stderr, "a missing outputVolume is a usage error")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv):
    if len(argv) >= 2 and argv[1] == "defaced":
        tilt = float(argv[argv.index("--tilt") + 1]) if "--tilt" in argv else 0.0
        fill = argv[argv.index("--fill") + 1] if "--fill" in argv else "zero"
        defaced(tilt, fill)
    elif len(argv) == 2 and argv[1] == "bad":
        bad()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{len(FAILS)} failed" if FAILS else "all checks passed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

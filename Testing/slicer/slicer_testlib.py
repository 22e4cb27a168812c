"""Helpers shared by the Slicer module tests (Testing/slicer/*.py): test data, the ITK reader
used as an independent check, the annotated eye centres, a decimal-comma locale, and a CHECK
that counts failures.

Environment (set by slicer_tests.cmake): FETCH_TESTDATA, NIFTI_TO_NRRD, IMAGE_GEOMETRY,
DEFACE_TESTDATA (optional cache folder).
"""
import math
import os
import subprocess
import sys

FAILS = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        FAILS.append(what)
    return ok


def finish():
    print(f"{len(FAILS)} failed" if FAILS else "all checks passed")
    return 1 if FAILS else 0


def cache_dir():
    base = os.environ.get("DEFACE_TESTDATA") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "deface-testdata")
    os.makedirs(base, exist_ok=True)
    return base


def fetch_ch2():
    r = subprocess.run(["bash", os.environ["FETCH_TESTDATA"], "mricron"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit("fetching mricron-data failed (Testing/data/README.md)")
    return os.path.join(r.stdout.strip().splitlines()[-1], "ch2.nii.gz")


def nifti_to_nrrd(src, dst, *options):
    subprocess.run([os.environ["NIFTI_TO_NRRD"], src, dst] + list(options), check=True)


def annotated_eyes():
    path = os.path.join(os.path.dirname(__file__), "..", "data", "annotations.tsv")
    eyes = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) >= 5 and f[0] == "ch2" and f[1] in ("right_eye", "left_eye"):
            eyes[f[1]] = [float(x) for x in f[2:5]]
    return eyes


def geometry(path, count=False):
    """What ITK (Debian's 5.2, its own ImageIO factory) reads from a file's header."""
    r = subprocess.run([os.environ["IMAGE_GEOMETRY"], path] + (["--count"] if count else []),
                       capture_output=True, text=True)
    if r.returncode != 0:
        check(False, f"ITK reads {path}: {r.stderr.strip()}")
        return {}
    return dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())


def return_parameters(path):
    values = {}
    if check(os.path.exists(path), f"the return parameter file {os.path.basename(path)} exists"):
        for line in open(path):
            if " = " in line:
                k, v = line.rstrip("\n").split(" = ", 1)
                values[k] = v
    return values


def rotate_x(p, deg):
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return [p[0], c * p[1] - s * p[2], s * p[1] + c * p[2]]


def check_outputs(inp, out, lab, params, tilt=0.0):
    """The outputs lie on the input's grid exactly (as ITK reads all three), keep its voxel type,
    the label marks the face, and the returned eye centres are the annotated ones (RAS)."""
    gi, go, gl = geometry(inp), geometry(out), geometry(lab, count=True)
    for key in ["io", "dimension", "size", "spacing", "origin", "direction"]:
        check(gi.get(key) is not None and gi.get(key) == go.get(key) == gl.get(key),
              f"output and label {key} = input's ({gi.get(key)})")
    check(go.get("component") == gi.get("component"),
          f"output pixel type = input's ({gi.get('component')})")
    check(gl.get("component") == "unsigned_char", f"label is unsigned char ({gl.get('component')})")
    check(int(gl.get("nonzero", "0")) > 1000, f"label marks {gl.get('nonzero')} voxels")
    rpv = return_parameters(params)
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


def comma_locale():
    """A German locale (decimal comma) compiled once into the cache with localedef (Debian
    package locales), as (LOCPATH, name): the in-process tests run the module in a process
    whose LC_NUMERIC is not "C", as a Slicer started in such a locale may be."""
    locpath = os.path.join(cache_dir(), "locale")
    name = "de_DE.UTF-8"
    if not os.path.exists(os.path.join(locpath, name, "LC_NUMERIC")):
        os.makedirs(locpath, exist_ok=True)
        r = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8",
                            os.path.join(locpath, name)], capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stdout + r.stderr)
            sys.exit("localedef could not build de_DE.UTF-8 (Debian package locales)")
    return locpath, name

#!/usr/bin/env python3
"""check_batch_script.py deface_batch.py - the Slicer batch script without Slicer: it compiles,
imports by plain python3 (no Slicer import at module level), shows --help, refuses to run outside
Slicer with a message and exit 2, and its helpers name outputs as documented."""
import ast
import importlib.util
import os
import py_compile
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # importing the script must leave no __pycache__ in the sources

path = sys.argv[1]
fails = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        fails.append(what)


with tempfile.TemporaryDirectory() as tmp:
    py_compile.compile(path, cfile=os.path.join(tmp, "deface_batch.pyc"), doraise=True)
    check(True, "compiles")
    tree = ast.parse(open(path).read())
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    names = [a.name for n in top for a in n.names] + [n.module for n in top
                                                      if isinstance(n, ast.ImportFrom)]
    check(not any(n and (n.startswith("slicer") or n.startswith("DICOM") or n in ("vtk", "qt"))
                  for n in names), f"no Slicer import at module level ({', '.join(map(str, names))})")
    spec = importlib.util.spec_from_file_location("deface_batch", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    check(callable(mod.main) and callable(mod.deface_folder) and callable(mod.deface_dicom_database),
          "imports; main, deface_folder, deface_dicom_database defined")
    r = subprocess.run([sys.executable, path, "--help"], capture_output=True, text=True)
    check(r.returncode == 0 and "--dicom-database" in r.stdout, "--help works without Slicer")
    r = subprocess.run([sys.executable, path, "--", "--folder", tmp], capture_output=True, text=True)
    check(r.returncode == 2 and "inside 3D Slicer" in r.stderr,
          f"outside Slicer: exit 2 with a message (got {r.returncode}: {r.stderr.strip()})")
    r = subprocess.run([sys.executable, path, "--dicom-database"], capture_output=True, text=True)
    check(r.returncode == 2 and "--output" in r.stderr, "DICOM input without --output: usage error")
    for n in ["a.nii.gz", "b.nii", "c.nrrd", "DEFACED_a.nii.gz", "notes.txt"]:
        open(os.path.join(tmp, n), "w").close()
    found = [os.path.basename(p) for p in mod.folder_volumes(tmp)]
    check(found == ["a.nii.gz", "b.nii", "c.nrrd"], f"folder_volumes picks NIfTI/NRRD, skips DEFACED_ ({found})")
    check(mod.stem("/x/T1 w.nii.gz") == "T1 w" and mod.safe_name("T1 w/3D") == "T1_w_3D",
          "output names: stem and safe_name")
print(f"{len(fails)} failed" if fails else "all checks passed")
sys.exit(1 if fails else 0)

#!/usr/bin/env python3
"""check_extension_build.py --source ROOT --sem SEM_SOURCE --host TEST_MODULE_HOST

FaceMasking built as a 3D Slicer extension, the way Slicer's extension factory builds it, and its
products used the way Slicer uses them:

 1. SlicerExecutionModel (GenerateCLP, ModuleDescriptionParser, SEMMacroBuildCLI) built from its
    unmodified source, once per source and toolchain, into the test-data cache (a rerun reuses
    it). The snapshot lacks tclap's two config templates (its
    .gitignore drops *.in files); when they are missing, the staged copy gets minimal ones.
 2. The project configured with only -DSlicer_DIR (a stand-in for a Slicer build: the variables
    and files an extension uses, Testing/slicer/standin) and SlicerExecutionModel_DIR: the
    extension branch of the top-level CMakeLists.txt, find_package(Slicer), SEMMacroBuildCLI.
 3. Checks: GenerateCLP wrote FaceMaskingCLP.h from FaceMasking.xml (so SEM's parser accepts the
    XML) and FaceMasking.cxx uses its PARSE_ARGS; the launcher, libFaceMaskingLib.so and the XML
    are in Slicer's cli-modules folder, and installed under Slicer's install folder; `--xml`
    prints the description; the executable defaces ch2 and reports bad inputs as the Debian
    build does (run_module_exe.py); the library runs in-process in the host (run_inprocess.py);
    check_library.py rejects it (it links Slicer's ITK and C++ runtime by design: what the Debian
    build's library must not do); the catalogue entry FaceMasking.json has the schema's fields,
    the extension description the metadata, icon and screenshot addresses of committed files;
    cpack packs the cli-modules files.
"""
import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from slicer_testlib import cache_dir, check, finish

SLICER_CLI_DIR = "lib/Slicer-5.8/cli-modules"  # the stand-in's Slicer_CLIMODULES_BIN_DIR
CATALOG_KEYS = {"$schema", "build_dependencies", "build_subdirectory", "category", "scm_revision",
                "scm_type", "scm_url", "tier"}


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def source_key(src):
    h = hashlib.sha256()
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(os.path.relpath(p, src).encode() + b"\0")
            with open(p, "rb") as fh:
                h.update(fh.read())
    for tool in (["cmake", "--version"], ["c++", "--version"]):
        h.update(subprocess.run(tool, capture_output=True).stdout)
    return h.hexdigest()[:16]


def sem_build(src):
    """SlicerExecutionModel's build directory, built once per source and toolchain."""
    base = os.path.join(cache_dir(), "sem", source_key(src))
    os.makedirs(os.path.dirname(base), exist_ok=True)
    with open(base + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        build = os.path.join(base, "build")
        if os.path.exists(os.path.join(base, "complete")):
            print(f"SlicerExecutionModel: reusing {build}")
            return build
        shutil.rmtree(base, ignore_errors=True)
        staged = os.path.join(base, "src")
        shutil.copytree(src, staged)
        for root, dirs, files in os.walk(staged):
            for n in dirs + files:
                os.chmod(os.path.join(root, n), 0o755 if n in dirs else 0o644)
        tclap = os.path.join(staged, "tclap")
        templates = {"TCLAPConfig.cmake.in": 'set(TCLAP_INCLUDE_DIRS "@TCLAP_INCLUDE_DIRS_CONFIG@")\n'
                                             'set(TCLAP_USE_FILE "@TCLAP_USE_FILE_CONFIG@")\n',
                     "UseTCLAP.cmake.in": "include_directories(${TCLAP_INCLUDE_DIRS})\n"}
        for name, text in templates.items():
            if not os.path.exists(os.path.join(tclap, name)):
                print(f"SlicerExecutionModel: {name} missing from the snapshot, staged a minimal one")
                with open(os.path.join(tclap, name), "w") as f:
                    f.write(text)
        t0 = time.time()
        r = run(["cmake", "-S", staged, "-B", build, "-DBUILD_TESTING=OFF",
                 "-DCMAKE_BUILD_TYPE=Release", "-DSlicerExecutionModel_USE_JSONCPP=OFF",
                 "-DSlicerExecutionModel_USE_SERIALIZER=OFF"])
        if r.returncode == 0:
            r = run(["cmake", "--build", build, "-j2"])
        if r.returncode != 0:
            print(r.stdout[-4000:] + r.stderr[-4000:])
            sys.exit("building SlicerExecutionModel failed")
        print(f"SlicerExecutionModel built in {time.time() - t0:.0f} s")
        open(os.path.join(base, "complete"), "w").close()
        return build


def check_catalog(ext, url, revision, source):
    path = os.path.join(ext, "FaceMasking.json")
    if not check(os.path.exists(path), "the catalogue entry FaceMasking.json is generated"):
        return
    entry = json.load(open(path))
    check(set(entry) <= CATALOG_KEYS and {"$schema", "category", "scm_url"} <= set(entry),
          f"FaceMasking.json has the schema's fields only, the required ones included ({sorted(entry)})")
    check(entry.get("scm_url") == url and entry.get("scm_revision") == revision
          and entry.get("category") == "Utilities" and entry.get("build_subdirectory") == ".",
          f"FaceMasking.json: {entry}")
    s4ext = os.path.join(ext, "FaceMasking.s4ext")
    if not check(os.path.exists(s4ext), "the extension description is written"):
        return
    desc = dict(l.split(" ", 1) for l in open(s4ext).read().splitlines() if " " in l)
    raw = url[:-4].replace("https://github.com/", "https://raw.githubusercontent.com/") + "/" + revision
    for key, rel in [("iconurl", "Module/extension/FaceMasking.png"),
                     ("screenshoturls", "Resources/qa_ch2.png")]:
        check(desc.get(key) == f"{raw}/{rel}" and os.path.exists(os.path.join(source, rel)),
              f"{key} is the address of the committed {rel} ({desc.get(key)})")
    for key in ["homepage", "contributors", "category", "description", "status", "depends"]:
        check(bool(desc.get(key, "").strip()), f"description field {key}: {desc.get(key)!r}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    p.add_argument("--sem", required=True)
    p.add_argument("--host", required=True)
    a = p.parse_args()
    sem = sem_build(a.sem)
    url, revision = "https://github.com/example-org/deface.git", "0123456789abcdef"
    tmp = tempfile.mkdtemp(prefix="deface_extension")
    try:
        ext = os.path.join(tmp, "build")
        t0 = time.time()
        r = run(["cmake", "-S", a.source, "-B", ext, "-DCMAKE_BUILD_TYPE=Release",
                 "-DSlicer_DIR=" + os.path.join(HERE, "standin"),
                 "-DSlicerExecutionModel_DIR=" + sem, "-DDEFACE_SCM_URL=" + url,
                 "-DDEFACE_SCM_REVISION=" + revision])
        if not check(r.returncode == 0, "configures as an extension with -DSlicer_DIR"):
            print(r.stdout[-4000:] + r.stderr[-4000:])
            return finish()
        check("Configuring SEM CLI module: FaceMasking" in r.stdout,
              "SEMMacroBuildCLI configures the module")
        r = run(["cmake", "--build", ext, "-j2"])
        if not check(r.returncode == 0, f"builds ({time.time() - t0:.0f} s with the configure)"):
            print(r.stdout[-6000:] + r.stderr[-6000:])
            return finish()
        clp = os.path.join(ext, "Module", "FaceMaskingCLP.h")
        check(os.path.exists(clp) and "#define PARSE_ARGS" in open(clp).read(),
              "GenerateCLP wrote FaceMaskingCLP.h with PARSE_ARGS from FaceMasking.xml")
        check(re.search(r"^\s*PARSE_ARGS;", open(os.path.join(a.source, "Module",
                                                                "FaceMasking.cxx")).read(), re.M),
              "FaceMasking.cxx parses with PARSE_ARGS")
        cli = os.path.join(ext, SLICER_CLI_DIR)
        exe, lib = os.path.join(cli, "FaceMasking"), os.path.join(cli, "libFaceMaskingLib.so")
        for f in [exe, lib, os.path.join(cli, "FaceMasking.xml")]:
            check(os.path.exists(f), f"{SLICER_CLI_DIR}/{os.path.basename(f)} in the build tree")
        r = run([exe, "--xml"])
        xml = open(os.path.join(cli, "FaceMasking.xml")).read()
        check(r.returncode == 0 and r.stdout.rstrip("\n") == xml.rstrip("\n"),
              "the launcher's --xml prints FaceMasking.xml")
        py = sys.executable
        for mode in [["defaced", "--tilt", "12", "--fill", "blur"], ["bad", "--sem"]]:
            r = subprocess.run([py, os.path.join(HERE, "run_module_exe.py"), exe] + mode)
            check(r.returncode == 0, f"the extension's executable: run_module_exe.py {' '.join(mode)}")
        r = subprocess.run([py, os.path.join(HERE, "run_inprocess.py"), a.host, lib, "--sem"])
        check(r.returncode == 0, "the extension's library in-process: run_inprocess.py --sem")
        r = run([py, os.path.join(HERE, "check_library.py"), lib])
        check(r.returncode != 0 and "itk" in r.stdout,
              "check_library.py rejects the extension's library, which links Slicer's ITK by "
              "design (proves the check of the Debian library can fail)")
        inst = os.path.join(tmp, "install")
        r = run(["cmake", "--install", ext, "--prefix", inst])
        for name in ["FaceMasking", "libFaceMaskingLib.so", "FaceMasking.xml"]:
            check(r.returncode == 0 and os.path.exists(os.path.join(inst, SLICER_CLI_DIR, name)),
                  f"installed as {SLICER_CLI_DIR}/{name}")
        check_catalog(ext, url, revision, a.source)
        r = run(["cpack", "-G", "TGZ"], cwd=ext)
        packs = [f for f in os.listdir(ext) if f.endswith(".tar.gz")]
        names = tarfile.open(os.path.join(ext, packs[0])).getnames() if packs else []
        check(r.returncode == 0 and any(n.endswith(SLICER_CLI_DIR + "/libFaceMaskingLib.so")
                                        for n in names),
              f"cpack packs the extension ({packs}, {len(names)} entries)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())

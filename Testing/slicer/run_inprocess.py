#!/usr/bin/env python3
"""The FaceMasking library run inside a host process the way 3D Slicer runs it.

  run_inprocess.py HOST LIB [--sem] [--bindings]
      ch2 (mricron-data) as Slicer's temporary raw NRRD and a 2D slice of it; HOST
      (test_module_host, plain or linked to the Slicer stand-in) runs LIB four times in one
      process under a decimal-comma locale (see test_module_host.cxx). Then the full run's outputs
      are checked with ITK: exactly the input's grid and voxel type, a label, the eyes.
      --sem: LIB was built by SlicerExecutionModel. --bindings: with LD_BIND_NOW and
      LD_DEBUG=bindings, every symbol LIB imports must bind to libc, libm or zlib (or to the
      sanitizer runtimes in a sanitizer build), never to the host or the stand-in.
  run_inprocess.py HOST LIB --expect-poison
      LIB binds to a symbol the stand-in defines: the host must stop with the stand-in's exit
      code 99 (proves that the stand-in catches what it is there to catch).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from slicer_testlib import check, check_outputs, comma_locale, fetch_ch2, finish, nifti_to_nrrd

ALLOWED = re.compile(r"^(libc\.so\.6|libm\.so\.6|libz\.so\.1)$")
SANITIZER = re.compile(r"^lib(asan|ubsan|lsan)\.so")
SANITIZER_RUNTIMES = re.compile(r"^lib(asan|ubsan|lsan|gcc_s|stdc\+\+)\.so")
# Looked up on purpose at run time (module_message.c): the C++ runtime's streams that Slicer
# redirects, wherever the process defines them.
CXX_STREAMS = {"_ZSt4cerr", "_ZSt4cout", "_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc"}


def libc_symbols(lib):
    """Names libc defines: a binding of one to the host program is a copy relocation of libc's
    own data (stderr, stdout), not a symbol of the host's."""
    out = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout
    m = re.search(r"libc\.so\.6 => (\S+)", out)
    if not m:
        return set()
    nm = subprocess.run(["nm", "-D", "--defined-only", m.group(1)], capture_output=True,
                        text=True).stdout
    return {l.split()[2].split("@")[0] for l in nm.splitlines() if len(l.split()) == 3}


def bindings_of(lib, logs):
    """(symbol, target library) for every binding LIB made, from LD_DEBUG=bindings logs."""
    name = os.path.basename(lib)
    pat = re.compile(r"binding file (\S+) \[\d+\] to (\S+) \[\d+\]: normal symbol `([^']+)'")
    found = []
    for log in logs:
        for line in open(log, errors="replace"):
            m = pat.search(line)
            if m and os.path.basename(m.group(1)) == name:
                found.append((m.group(3), os.path.basename(m.group(2))))
    return found


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, lib = argv[1], argv[2]
    opts = set(argv[3:])
    tmp = tempfile.mkdtemp(prefix="SlicerTemp")
    try:
        ch2 = fetch_ch2()
        inp = os.path.join(tmp, "BCDEF_vtkMRMLScalarVolumeNodeB.nrrd")
        flat = os.path.join(tmp, "FGHIJ_vtkMRMLScalarVolumeNodeF.nrrd")
        nifti_to_nrrd(ch2, inp)
        nifti_to_nrrd(ch2, flat, "--2d")
        locpath, name = comma_locale()
        env = dict(os.environ, LOCPATH=locpath, LC_ALL=name)
        if "--bindings" in opts or "--expect-poison" in opts:
            env.update(LD_BIND_NOW="1", LD_DEBUG="bindings",
                       LD_DEBUG_OUTPUT=os.path.join(tmp, "ld"))
        cmd = [host, lib, inp, flat, tmp] + (["--sem"] if "--sem" in opts else [])
        print("$ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        print(r.stdout + r.stderr)
        logs = glob.glob(os.path.join(tmp, "ld.*"))
        if "--expect-poison" in opts:
            check(r.returncode == 99,
                  f"the host stops a library that binds to the stand-in (exit {r.returncode})")
            b = [t for s, t in bindings_of(lib, logs) if "standin" in t]
            check(bool(b), f"LD_DEBUG shows the binding to the stand-in ({b[:1]})")
            return finish()
        check("decimal point ','" in r.stdout, "the host runs the module in a decimal-comma locale")
        check(r.returncode == 0, f"the host's checks pass (exit {r.returncode})")
        check_outputs(inp, os.path.join(tmp, "full_defaced.nrrd"),
                      os.path.join(tmp, "full_label.nrrd"),
                      os.path.join(tmp, "full_returnparameters.txt"))
        if "--bindings" in opts:
            b = bindings_of(lib, logs)
            sanitized = any(SANITIZER.match(t) for _, t in b)
            libc = libc_symbols(lib)
            program = os.path.basename(host)
            bad = sorted({(s, t) for s, t in b
                          if not ALLOWED.match(t) and t != os.path.basename(lib)
                          and s not in CXX_STREAMS
                          and not (t == program and s in libc)
                          and not (sanitized and (SANITIZER_RUNTIMES.match(t) or
                                                  s.startswith(("__asan", "__ubsan", "__lsan",
                                                                "__sanitizer"))))})
            streams = sorted({t for s, t in b if s in CXX_STREAMS})
            check(bool(streams), f"the C++ streams are found at run time (in {streams})")
            targets = sorted({t for _, t in b})
            check(len(b) > 20, f"LD_DEBUG recorded {len(b)} bindings of {os.path.basename(lib)} "
                               f"(to {', '.join(targets)})")
            check(not bad, "every other binding goes to libc, libm or zlib (libc's own stderr "
                           "copied into the host counts as libc's)"
                           + (f"; not: {bad[:5]}" if bad else ""))
        return finish()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

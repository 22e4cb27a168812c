#!/usr/bin/env python3
"""check_library.py LIB.so [--sanitizer] - the loadable FaceMasking library as Slicer finds it and
as Slicer's process would link it:

  - it exports exactly ModuleEntryPoint (a function) and XMLModuleDescription (data: an array
    holding the XML beside it and its NUL, not a pointer);
  - its file name and SONAME carry no version (Slicer looks for lib<Name>Lib.so);
  - it needs only libc, libm and zlib (DT_NEEDED), and every symbol it imports
    (`nm -D --undefined-only`) is defined by one of them: nothing of ITK, teem, nifti_clib, VTK
    or the C++ runtime, which Slicer's process defines in its own versions. With --sanitizer
    (a -fsanitize build), the sanitizer runtimes are allowed too.
"""
import os
import re
import subprocess
import sys

ALLOWED = ["libc.so.6", "libm.so.6", "libz.so.1"]
SANITIZER = re.compile(r"^lib(asan|ubsan|lsan|gcc_s|stdc\+\+)\.so")
# Weak references every shared object gets from the C runtime's start files; they resolve to
# nothing when absent and are never called otherwise.
CRT_WEAK = {"_ITM_deregisterTMCloneTable", "_ITM_registerTMCloneTable", "__gmon_start__",
            "__cxa_finalize"}


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    lib = argv[1]
    sanitizer = "--sanitizer" in argv
    fails = []

    def check(ok, what):
        print(("ok:   " if ok else "FAIL: ") + what)
        if not ok:
            fails.append(what)

    defined = sorted((f[1], f[2]) for f in (l.split() for l in run("nm", "-D", "--defined-only", lib)
                                            .splitlines()) if len(f) == 3)
    if sanitizer:  # AddressSanitizer's own markers of instrumented globals
        defined = [d for d in defined if not d[1].startswith(("__odr_asan", "__asan"))]
    check(defined == [("D", "XMLModuleDescription"), ("T", "ModuleEntryPoint")],
          f"exports exactly ModuleEntryPoint and the XMLModuleDescription array ({defined})")
    sizes = {f[3]: int(f[1], 16) for f in (l.split() for l in
                                            run("nm", "-D", "--defined-only", "-S", lib).splitlines())
             if len(f) == 4}
    xml = os.path.join(os.path.dirname(lib), "FaceMasking.xml")
    want = os.path.getsize(xml) + 1 if os.path.exists(xml) else -1
    check(sizes.get("XMLModuleDescription") == want,
          f"XMLModuleDescription is {sizes.get('XMLModuleDescription')} bytes: the XML beside it "
          f"and its NUL ({want})")
    check(os.path.basename(lib) == "libFaceMaskingLib.so", f"file name {os.path.basename(lib)}")
    dyn = run("readelf", "-d", lib)
    soname = re.findall(r"Library soname: \[(.*)\]", dyn)
    check(not soname or soname == ["libFaceMaskingLib.so"], f"unversioned SONAME ({soname})")

    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", dyn)
    bad_needed = [n for n in needed if n not in ALLOWED and not (sanitizer and SANITIZER.match(n))]
    check(not bad_needed, f"needs only libc, libm and zlib ({', '.join(needed)})")

    # Where each needed library lives, as the dynamic loader finds it.
    paths = dict(re.findall(r"^\s*(\S+) => (\S+)", run("ldd", lib), re.M))
    provided = {}
    for n in needed:
        if n in paths:
            for l in run("nm", "-D", "--defined-only", paths[n]).splitlines():
                f = l.split()
                if len(f) == 3:
                    provided.setdefault(f[2].split("@")[0], n)
    undefined = [l.split() for l in run("nm", "-D", "--undefined-only", lib).splitlines()]
    names = [(f[-1].split("@")[0], f[0]) for f in undefined if f]
    unresolved, by_lib = [], {}
    for name, kind in names:
        if name in CRT_WEAK and kind in ("w", "U"):
            continue
        owner = provided.get(name)
        if owner is None and not (sanitizer and re.match(r"^__(asan|ubsan|lsan|sanitizer)_", name)):
            unresolved.append(name)
        by_lib[owner or "sanitizer"] = by_lib.get(owner or "sanitizer", 0) + 1
    check(len(names) > 20, f"{len(names)} imported symbols, by library: {by_lib}")
    check(not unresolved, "every imported symbol is libc's, libm's or zlib's"
                          + (f"; not: {unresolved[:8]}" if unresolved else ""))
    print(f"{len(fails)} failed" if fails else "all checks passed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""check_mingw_build.py --source ROOT --cc x86_64-w64-mingw32-gcc [--build DIR] - the Windows
cross-build of the core, the NRRD adapter and the FaceMasking module (Testing/slicer/mingw) with
Debian's mingw-w64: it configures and builds without warnings (implicit declarations, the sign
of a POSIX-only call, are errors), and produces FaceMasking.exe and FaceMaskingLib.dll (PE32+)
with FaceMasking.xml beside them; the DLL exports exactly ModuleEntryPoint and
XMLModuleDescription (exported through FM_EXPORT's __declspec(dllexport)) and imports only the
Windows C runtime and KERNEL32 (zlib linked in statically).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from slicer_testlib import check, finish


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    p.add_argument("--cc", required=True)
    p.add_argument("--build")
    a = p.parse_args()
    if not a.build:
        with tempfile.TemporaryDirectory(prefix="deface_mingw") as tmp:
            return run(a, tmp)
    return run(a, a.build)


def run(a, build):
    here = os.path.dirname(os.path.abspath(__file__))
    cfg = subprocess.run(["cmake", "-S", os.path.join(here, "mingw"), "-B", build,
                          "-DDEFACE_ROOT=" + a.source, "-DCMAKE_BUILD_TYPE=Release",
                          "-DCMAKE_C_COMPILER=" + a.cc,
                          "-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(here, "mingw",
                                                                    "toolchain-mingw64.cmake")],
                         capture_output=True, text=True)
    if not check(cfg.returncode == 0, "configures for Windows"):
        print(cfg.stdout[-3000:] + cfg.stderr[-3000:])
        return finish()
    b = subprocess.run(["cmake", "--build", build, "-j2"], capture_output=True, text=True)
    out = b.stdout + b.stderr
    warnings = [l for l in out.splitlines() if "warning:" in l or "error:" in l]
    check(b.returncode == 0, "builds core, NRRD adapter and module")
    check(not warnings, f"without warnings ({len(warnings)}: {warnings[:5]})")
    mods = os.path.join(build, "cli-modules")
    for name in ["FaceMasking.exe", "FaceMaskingLib.dll", "FaceMasking.xml"]:
        check(os.path.exists(os.path.join(mods, name)), f"cli-modules/{name}")
    dll, exe = os.path.join(mods, "FaceMaskingLib.dll"), os.path.join(mods, "FaceMasking.exe")
    for f in [dll, exe]:
        if os.path.exists(f):
            data = open(f, "rb").read(4096)
            pe = int.from_bytes(data[0x3C:0x40], "little")
            check(data[:2] == b"MZ" and data[pe:pe + 6] == b"PE\0\0\x64\x86",
                  f"{os.path.basename(f)} is a PE32+ x86-64 file")
    objdump = re.sub(r"gcc(-[^/]*)?$", "objdump", a.cc)
    if os.path.exists(dll):
        dump = subprocess.run([objdump, "-p", dll], capture_output=True, text=True).stdout
        table = dump.split("[Ordinal/Name Pointer] Table", 1)
        names = re.findall(r"^\s+\[\s*\d+\] (\S+)$", table[1].split("\n\n", 1)[0], re.M) \
            if len(table) > 1 else []
        check(sorted(names) == ["ModuleEntryPoint", "XMLModuleDescription"],
              f"FaceMaskingLib.dll exports exactly Slicer's two symbols ({names})")
        dlls = sorted(set(re.findall(r"DLL Name: (\S+)", dump)))
        check(dlls and all(d.lower() in ("kernel32.dll", "msvcrt.dll") or
                           d.lower().startswith("api-ms-win-crt") for d in dlls),
              f"FaceMaskingLib.dll imports only the C runtime and KERNEL32 ({dlls})")
    return finish()


if __name__ == "__main__":
    sys.exit(main())

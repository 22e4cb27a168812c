#!/usr/bin/env bash
# check_exports.sh LIB.so - the loadable module exports exactly ModuleEntryPoint (a function) and
# XMLModuleDescription (data: an array, not a pointer), and its file name and SONAME carry no
# version (Slicer looks for lib<Name>Lib.so).
set -euo pipefail
lib=$1
fail=0
syms=$(nm -D --defined-only "$lib" | awk '{print $2, $3}' | sort)
echo "exported: $(echo "$syms" | tr '\n' ';')"
expected=$'D XMLModuleDescription\nT ModuleEntryPoint'
[[ $syms == "$expected" ]] || { echo "FAIL: expected exactly: $(echo "$expected" | tr '\n' ';')"; fail=1; }
hex=$(nm -D --defined-only -S "$lib" | awk '$4 == "XMLModuleDescription" {print $2}')
size=$((16#${hex:-0}))
xml=$(dirname "$lib")/FaceMasking.xml
want=$(($(stat -c %s "$xml") + 1))
[[ $size == "$want" ]] || { echo "FAIL: XMLModuleDescription is $size bytes, not the XML + NUL ($want)"; fail=1; }
[[ $(basename "$lib") == libFaceMaskingLib.so ]] || { echo "FAIL: file name $(basename "$lib")"; fail=1; }
soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[[ -z $soname || $soname == libFaceMaskingLib.so ]] || { echo "FAIL: versioned SONAME $soname"; fail=1; }
[[ -e $(dirname "$lib")/FaceMasking.xml ]] || { echo "FAIL: no FaceMasking.xml beside the library"; fail=1; }
((fail == 0)) && echo "OK: two symbols, $size-byte XML array, unversioned"
exit $fail

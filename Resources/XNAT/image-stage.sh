#!/usr/bin/env bash
# image-stage.sh - the build steps of Resources/XNAT/Dockerfile, kept in one script that the
# Dockerfile's RUN steps call and that CI runs without an image (Testing/xnat/image_steps.sh).
#
#   image-stage.sh build-packages       the Debian packages the build stage needs
#   image-stage.sh runtime-packages     the Debian packages the run-time stage needs
#   image-stage.sh build SRC BUILD STAGE
#       installs the build packages (apt-get, only those missing), then configure, compile and
#       install below
#   image-stage.sh configure SRC BUILD  cmake with the image's options: the deface command with
#                                       DICOM and QA pictures; no Slicer module, no tests
#   image-stage.sh compile BUILD        builds it
#   image-stage.sh install BUILD STAGE  installs it into STAGE (a DESTDIR) under /usr/local:
#                                       deface, deface-xnat, deface-batch, deface-summary...
#   image-stage.sh runtime [UID]        installs the run-time packages, adds the user `deface`
#                                       (UID, default 1000) and removes apt's lists
set -euo pipefail

PREFIX=/usr/local

build_packages() {
  echo build-essential cmake pkg-config libnifti2-dev zlib1g-dev libdcmtk-dev libvtk9-dev
}
# What `deface`, its DICOM module and its render process (lib/deface) link (nifti_clib, dcmtk,
# VTK with its MPI and OpenGL libraries) and what it runs for QA pictures: Mesa's software
# OpenGL and Xvfb, the X server it starts itself. The scripts need only bash, coreutils,
# findutils, sed and awk, which every Debian image has.
runtime_packages() {
  echo libdcmtk17 libnifti2-2 libvtk9.1 libgl1-mesa-dri libglx-mesa0 xvfb
}

apt_install() { # PACKAGE...: those not yet installed
  local missing=() p
  for p; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} == 0 ]] && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

configure() { # SRC BUILD
  cmake -S "$1" -B "$2" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DDEFACE_BUILD_CLI=ON -DDEFACE_BUILD_DICOM=ON -DDEFACE_BUILD_RENDER=ON \
    -DDEFACE_BUILD_MODULE=OFF -DBUILD_TESTING=OFF
}

case ${1:-} in
build-packages) build_packages ;;
runtime-packages) runtime_packages ;;
build)
  [[ $# == 4 ]] || { echo "usage: $0 build SRC BUILD STAGE" >&2; exit 2; }
  # shellcheck disable=SC2046 # the list is words
  apt_install $(build_packages)
  configure "$2" "$3"
  cmake --build "$3" -j "$(nproc)"
  DESTDIR=$4 cmake --install "$3"
  ;;
configure)
  [[ $# == 3 ]] || { echo "usage: $0 configure SRC BUILD" >&2; exit 2; }
  configure "$2" "$3"
  ;;
compile)
  [[ $# == 2 ]] || { echo "usage: $0 compile BUILD" >&2; exit 2; }
  cmake --build "$2" -j "$(nproc)"
  ;;
install)
  [[ $# == 3 ]] || { echo "usage: $0 install BUILD STAGE" >&2; exit 2; }
  DESTDIR=$3 cmake --install "$2"
  ;;
runtime)
  # shellcheck disable=SC2046
  apt_install $(runtime_packages)
  id deface >/dev/null 2>&1 || useradd --create-home --uid "${2:-1000}" --user-group deface
  rm -rf /var/lib/apt/lists/*
  ;;
*)
  sed -n '2,20s/^# \{0,1\}//p' "$0" >&2
  exit 2
  ;;
esac

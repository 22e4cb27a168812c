#!/usr/bin/env bash
# build-image.sh - builds the XNAT image deface-xnat:VERSION from Resources/XNAT/Dockerfile.
#
#   build-image.sh [--builder docker|podman|buildah] [--debootstrap [MIRROR]] [--tag NAME:TAG]
#                  [--uid UID]
#
# The builder is the first of docker (with a running daemon), podman and buildah found. Podman and
# buildah need no daemon (e.g. STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot as root in a VM).
# --debootstrap makes the debian:12 base image itself from Debian's mirror (MIRROR, default
# http://deb.debian.org/debian) with debootstrap, for machines that reach Debian's mirrors but no
# image registry; it is tagged localhost/deface-debian:12 and reused while it exists.
# --uid sets the numeric id of the image's user `deface` (default 1000), which must be able to
# write the folders XNAT mounts at /output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
builder='' debootstrap=0 mirror=http://deb.debian.org/debian uid=1000
version=$(sed -n 's/.*"image": *"[^:"]*:\([^"]*\)".*/\1/p' "$here/command.json")
tag=$(sed -n 's/.*"image": *"\([^"]*\)".*/\1/p' "$here/command.json")
while [[ $# -gt 0 ]]; do
  case $1 in
  --builder) builder=$2; shift 2 ;;
  --tag) tag=$2; shift 2 ;;
  --uid) uid=$2; shift 2 ;;
  --debootstrap)
    debootstrap=1
    shift
    if [[ $# -gt 0 && $1 != --* ]]; then mirror=$1; shift; fi
    ;;
  *) sed -n '3,15s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
done
if [[ -z $builder ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then builder=docker
  elif command -v podman >/dev/null; then builder=podman
  elif command -v buildah >/dev/null; then builder=buildah
  else
    echo "build-image: no docker daemon, podman or buildah (Debian: apt-get install buildah)" >&2
    exit 1
  fi
fi

base=debian:12
if [[ $debootstrap == 1 ]]; then
  base=localhost/deface-debian:12
  if [[ $builder == docker ]]; then have() { docker image inspect "$1" >/dev/null 2>&1; }
  else have() { "$builder" inspect --type image "$1" >/dev/null 2>&1; }; fi
  if ! have "$base"; then
    command -v debootstrap >/dev/null || { echo "build-image: --debootstrap needs debootstrap" >&2; exit 1; }
    rootfs=$(mktemp -d "${TMPDIR:-/tmp}/deface-rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    echo "build-image: debootstrap bookworm from $mirror"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
      { tail -n 20 "$rootfs.log" >&2; exit 1; }
    rm -f "$rootfs.log"
    # As Debian's own image: the release, its updates and security updates; no apt caches.
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
      "$mirror" "$mirror" >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | case $builder in
      docker) docker import - "$base" ;;
      podman) podman import - "$base" ;;
      buildah)
        ctr=$(buildah from scratch)
        mnt=$(buildah mount "$ctr")
        tar -C "$mnt" -x
        buildah umount "$ctr" >/dev/null
        buildah commit -q "$ctr" "$base" >/dev/null
        buildah rm "$ctr" >/dev/null
        ;;
    esac
  fi
fi

echo "build-image: $builder, base $base, image $tag (deface $version)"
args=(-f "$here/Dockerfile" -t "$tag" --build-arg "BASE=$base" --build-arg "DEFACE_UID=$uid")
case $builder in
docker) docker build "${args[@]}" "$root" ;;
podman) podman build --format docker "${args[@]}" "$root" ;;
buildah) buildah bud --format docker "${args[@]}" "$root" ;;
*) echo "build-image: unknown builder $builder" >&2; exit 2 ;;
esac

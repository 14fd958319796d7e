#!/usr/bin/env bash
# Makes a local stand-in for the `node:20-bookworm-slim` base image on a machine that cannot pull
# from a registry: a minimal Debian bookworm (debootstrap) with this machine's Node.js 20 package
# (dpkg-repack) and the tools `npm install` needs to build native addons offline from the
# registry (python3, make, g++; Node's headers come with the package). Where `docker pull`
# works, use the official image instead (the Dockerfile's default).
#   deploy/docker/make-base-image.sh [tag]    (as root; default tag steplog/node:20-bookworm)
set -euo pipefail
tag="${1:-steplog/node:20-bookworm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ \
  bookworm "$work/root" http://deb.debian.org/debian
(cd "$work" && dpkg-repack nodejs)
cp "$work"/nodejs_*.deb "$work/root/tmp/nodejs.deb"
chroot "$work/root" dpkg -i /tmp/nodejs.deb
rm -f "$work/root/tmp/nodejs.deb"
chroot "$work/root" groupadd --gid 1000 node
chroot "$work/root" useradd --uid 1000 --gid node --create-home node
# npm builds native addons against the installed headers, never downloading them.
printf 'nodedir=/usr\n' > "$work/root/etc/npmrc"
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/archives/"*.deb
tar -C "$work/root" -c . | docker import --change 'CMD ["node"]' - "$tag"
echo "made $tag"

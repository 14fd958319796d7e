#!/usr/bin/env bash
# Makes a local stand-in for the `node:20-bookworm-slim` base image on a machine that cannot pull
# from a registry: a minimal Debian bookworm (debootstrap) with this machine's Node.js 20 (its
# binary, npm and headers) and the tools `npm install` needs to build native addons without
# downloading anything but packages (python3, make, g++). Where `docker pull` works, use the
# official image instead (the Dockerfile's default).
#   deploy/docker/make-base-image.sh [tag]    (as root; default tag steplog/node:20-bookworm)
set -euo pipefail
tag="${1:-steplog/node:20-bookworm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ \
  bookworm "$work/root" http://deb.debian.org/debian
node="$(command -v node)"
prefix="$(dirname "$(dirname "$node")")"
cp "$node" "$work/root/usr/bin/node"
mkdir -p "$work/root/usr/lib/node_modules" "$work/root/usr/include"
cp -a "$prefix/lib/node_modules/npm" "$work/root/usr/lib/node_modules/"
cp -a "$prefix/include/node" "$work/root/usr/include/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/root/usr/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/root/usr/bin/npx"
chroot "$work/root" groupadd --gid 1000 node
chroot "$work/root" useradd --uid 1000 --gid node --create-home node
# The host's own trust anchors (e.g. an egress proxy's CA), so that npm reaches the registry as here.
cp /usr/local/share/ca-certificates/*.crt "$work/root/usr/local/share/ca-certificates/" 2>/dev/null || true
chroot "$work/root" update-ca-certificates
# npm trusts the system's anchors (with the host's above) and builds native addons against the
# installed headers, never downloading them.
# (npm's global config lives under its prefix, /usr.)
mkdir -p "$work/root/usr/etc"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr\n' > "$work/root/usr/etc/npmrc"
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/archives/"*.deb
tar -C "$work/root" -c . | docker import --change 'CMD ["node"]' - "$tag"
echo "made $tag"

#!/usr/bin/env bash
# Builds .cache/device-bundle/device-bundle.tar.xz: this machine's Node.js binary, the parts of
# node_modules the compiled check needs at run time (onnxruntime-node with its native library,
# onnxruntime-common, protobufjs and its dependencies), the Vulkan loader, and dist/src + dist/tools,
# for tools/device-check.sh on a machine without Node.js or network (docs/device-check.md).
# Fails when the bundle plus the repository's working tree exceed 64 MiB, the transfer limit.
# Usage: tools/make-device-bundle.sh [output-dir]   (DEVICE_BUNDLE_SKIP_BUILD=1: use dist/ as it is)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.cache/device-bundle}
limit=$((64 * 1024 * 1024))
cd "$root"
# A stale dist/ would check old code on the device; DEVICE_BUNDLE_SKIP_BUILD=1 skips this when dist/ is fresh.
[ "${DEVICE_BUNDLE_SKIP_BUILD:-0}" = 1 ] || npx tsc -p tsconfig.json
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/node_modules" "$stage/dist"
cp "$(command -v node)" "$stage/bin/node"
for m in onnxruntime-node onnxruntime-common protobufjs @protobufjs long; do
  cp -rL "node_modules/$m" "$stage/node_modules/$m"
done
# Only the Linux x64 binding travels; other platforms' builds would double the size.
find "$stage/node_modules/onnxruntime-node/bin/napi-v6" -mindepth 1 -maxdepth 1 ! -name linux -exec rm -rf {} +
find "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux" -mindepth 1 -maxdepth 1 ! -name x64 -exec rm -rf {} +
cp -r dist/src dist/tools "$stage/dist/"
cp package.json "$stage/"
for lib in /usr/lib/x86_64-linux-gnu/libvulkan.so.1 /lib/x86_64-linux-gnu/libvulkan.so.1; do
  if [ -e "$lib" ]; then cp -L "$lib" "$stage/lib/"; break; fi
done
mkdir -p "$out"
tar -C "$stage" -cf - . | xz -T0 -6 > "$out/device-bundle.tar.xz.tmp"
mv "$out/device-bundle.tar.xz.tmp" "$out/device-bundle.tar.xz"
bundle=$(stat -c %s "$out/device-bundle.tar.xz")
# What the device machine receives besides the bundle: tracked files and untracked, not ignored ones.
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
total=$((bundle + tree))
awk -v b="$bundle" -v t="$tree" 'BEGIN { m = 1048576; printf "bundle %.1f MiB + working tree %.1f MiB = %.1f MiB (limit 64 MiB)\n", b / m, t / m, (b + t) / m }'
if [ "$total" -gt "$limit" ]; then
  echo "the bundle and the working tree exceed 64 MiB together; remove large untracked files or build artifacts" >&2
  exit 1
fi
echo "$out/device-bundle.tar.xz"

#!/usr/bin/env bash
# `npm run device-check`: WebGPU (and CUDA where its provider is installed) gradients against the
# CPU for the MLP, ResNet-20 and the ViT, plus pass and step-graph timings, as JSON in
# $OUT/device-check.json (docs/device-check.md). Uses this checkout's node and node_modules when
# both are there; otherwise unpacks the bundle of tools/make-device-bundle.sh (Node.js,
# onnxruntime-node, the Vulkan loader, compiled dist/), so a GPU machine needs neither Node.js nor a
# network. Providers that cannot run are reported "not available"; the whole check stays under 8 min.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/.cache/device-check}
bundle=${DEVICE_BUNDLE:-$root/.cache/device-bundle/device-bundle.tar.xz}
mkdir -p "$out"
if [ "${DEVICE_CHECK_USE_BUNDLE:-0}" != 1 ] && command -v node >/dev/null 2>&1 \
   && [ -d "$root/node_modules/onnxruntime-node" ] && [ -f "$root/dist/tools/device-check.js" ]; then
  node_bin=$(command -v node)
  script=$root/dist/tools/device-check.js
else
  [ -f "$bundle" ] || { echo "no Node.js here and no bundle at $bundle; build it with tools/make-device-bundle.sh on a machine with Node.js" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$bundle" | tar -C "$work" -xf -
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$bundle" "$work"
  fi
  node_bin=$work/bin/node
  script=$work/dist/tools/device-check.js
  export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
echo "device check with $node_bin ($("$node_bin" --version)), output in $out"
# Dawn looks for XDG_RUNTIME_DIR and complains on stderr without one.
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
timeout 470 "$node_bin" "$script" "$out/device-check.json"

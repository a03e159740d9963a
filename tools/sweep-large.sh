#!/usr/bin/env bash
# The large half of the torchvision sweep: models above tools/torchvision_sweep.py's default
# --max-params (30 M), one at a time, so that only one large model's files (up to ~2 GB of float64
# gradients) are on disk and in memory at once. Each model is exported, checked by
# dist/tools/torchvision-sweep.js (its row appended to <root>/results.jsonl), and then its
# model.onnx and data.bin are deleted; manifest.json stays.
#   bash tools/sweep-large.sh [root=.cache/sweep] [opsets=17] [max-params=160e6]
# Models above max-params are recorded as skipped by the export script. The ONNX protobuf limit
# (2 GiB) rules out models over ~530 M float32 parameters (vit_h_14, regnet_y_128gf) whatever the
# limit.
set -euo pipefail
root=${1:-.cache/sweep}
opsets=${2:-17}
max=${3:-160e6}
py=/usr/bin/python3
models=$($py tools/torchvision_sweep.py --list | awk '{print $1}')
IFS=',' read -r -a opset_list <<< "$opsets"
for m in $models; do
  for op in "${opset_list[@]}"; do
    key="${m}_op${op}"
    # Checked already (a row whose graph was built)?
    if [ -f "$root/results.jsonl" ] && $py -c "import json,sys,math; sys.exit(0 if any(r['model']=='$m' and r['opset']==$op and isinstance(r.get('buildSeconds'),(int,float)) for r in map(json.loads, filter(str.strip, open('$root/results.jsonl')))) else 1)"; then
      continue
    fi
    nice -n 19 $py tools/torchvision_sweep.py --out "$root" --opsets "$op" --models "$m" --max-params "$max" >> "$root/export-large.log" 2>&1 || true
    if [ -f "$root/$key/model.onnx" ]; then
      nice -n 19 node dist/tools/torchvision-sweep.js "$root" --only "$m" --resume >> "$root/ts-large.log" 2>&1 || true
      rm -f "$root/$key/model.onnx" "$root/$key/data.bin"
    fi
  done
done

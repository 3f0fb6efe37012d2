#!/usr/bin/env bash
# Runs every scenario (scenarios/*.yaml, bench/*.yaml when ../shared/data is there, the generated
# bench scenarios, the fleet-cost variants and the README's study sweep) through the CLI as a
# user would, and writes one sha256 per output file (run-info.json excepted: it holds wall times)
# to OUTDIR/digests.txt. Two checkouts give the same digests when a change kept every output
# byte-identical:
#
#   scripts/output-digests.sh /tmp/before      # on the old commit
#   scripts/output-digests.sh /tmp/after       # on the new one
#   diff /tmp/before/digests.txt /tmp/after/digests.txt
#
# CAPSIM_DIGEST_DESIGN=1 adds the DESIGN-scale month (1,000 nodes, 200 HPAs; minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/output-digests.sh OUTDIR}
mkdir -p "$out/runs" "$out/gen"
out=$(cd "$out" && pwd)
capsim() { node bin/capsim.js "$@"; }
# The CLI runs the compiled dist/: build it from this checkout's src/ first.
npm run --silent build

node --import tsx -e "
  const m = await import('./bench/large.ts');
  await m.writeDiurnalScenario('$out/gen');
  await m.writeLargeScenario('$out/gen');
  await m.writeAutoscalingScenario('$out/gen');
  if (process.env.CAPSIM_DIGEST_DESIGN === '1') await m.writeDesignScenario('$out/gen');
"

jobs=()
for f in scenarios/*.yaml; do jobs+=("$f|$(basename "$f" .yaml)|"); done
if [ -d ../shared/data/k8s-sims ]; then
  for f in bench/*.yaml; do jobs+=("$f|$(basename "$f" .yaml)|"); done
fi
for f in "$out"/gen/*.yaml; do jobs+=("$f|$(basename "$f" .yaml)|"); done
jobs+=("scenarios/fleet-cost.yaml|fleet-spot|--set spec.cluster.nodePools[0].capacityType=spot")
jobs+=("scenarios/fleet-cost.yaml|fleet-large|--set spec.cluster.nodePools[0].instanceType=aws/m5.2xlarge")

run_one() {
  IFS='|' read -r file name extra <<<"$1"
  # shellcheck disable=SC2086
  if ! node bin/capsim.js run "$file" --out "$2/runs/$name" --quiet $extra >"$2/runs/$name.log" 2>&1; then
    echo "FAILED $name" >>"$2/failures.txt"
  fi
}
export -f run_one
rm -f "$out/failures.txt"
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'run_one "$1" "$2"' _ {} "$out"

capsim sweep scenarios/study-web.yaml \
  --vary 'spec.cluster.nodePools[0].instanceType=aws/m5.large,aws/m5.xlarge,aws/c5.xlarge' \
  --vary 'spec.workloads[0].hpa.metrics[0].averageUtilization=50,70,90' \
  --vary 'spec.workloads[0].containers[0].resources.requests.cpu=250m,500m' \
  --seeds 3 --objective cost.totalUsd \
  --constraint 'demand.servedPct>=99.9' --constraint 'pods.oomKills==0' \
  --out "$out/runs/study-web-sweep" --quiet >"$out/runs/study-web-sweep.log" 2>&1 || echo "FAILED study-web-sweep" >>"$out/failures.txt"

(cd "$out/runs" && find . -type f ! -name run-info.json ! -name '*.log' ! -name run.json -print0 | sort -z | xargs -0 sha256sum) >"$out/digests.txt"
# A sweep's run.json records its wall time: compare the rest of it.
(cd "$out/runs" && find . -name run.json -print0 | sort -z | while IFS= read -r -d '' f; do
  printf '%s  %s\n' "$(node -e "const j=JSON.parse(require('fs').readFileSync(process.argv[1]));for(const k of Object.keys(j))if(/wall|seconds|At$/i.test(k))delete j[k];process.stdout.write(JSON.stringify(j))" "$f" | sha256sum | cut -d' ' -f1)" "$f"
done) >>"$out/digests.txt"
wc -l <"$out/digests.txt" | xargs echo "files:"
if [ -s "$out/failures.txt" ]; then cat "$out/failures.txt"; exit 1; fi

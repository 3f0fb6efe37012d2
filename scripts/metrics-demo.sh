#!/usr/bin/env bash
# "Bring your metrics" end to end, without a cluster of your own: the README's walk-through on a
# stand-in. A capsim run of test/fixtures/roundtrip/shop.yaml plays the cluster's past two days;
# its series are exported under cAdvisor and kube-state-metrics names, backfilled with promtool
# and served by a real Prometheus on 127.0.0.1, exactly as your cluster's Prometheus would serve
# them. Then the steps a user takes: import the cluster (dump.yaml, kubectl-shaped), add the
# cluster autoscaler the dump cannot show, import and calibrate the metrics, backtest, forecast.
#
# Needs `prometheus` and `promtool` on the PATH (Debian/Ubuntu: apt-get install prometheus).
# Usage: bash scripts/metrics-demo.sh [WORKDIR]   (default: a new directory under /tmp)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
capsim() { node "$here/bin/capsim.js" "$@"; }
for tool in prometheus promtool; do
  command -v "$tool" >/dev/null || { echo "metrics-demo: $tool is not installed (apt-get install prometheus)" >&2; exit 2; }
done
work="${1:-$(mktemp -d /tmp/capsim-metrics-demo.XXXXXX)}"
mkdir -p "$work" && cd "$work"
echo "Working in $work"

# The stand-in cluster's past: two days of shop.yaml, as Prometheus would have scraped them.
capsim run "$here/test/fixtures/roundtrip/shop.yaml" --out past --format none --quiet
capsim export openmetrics past --out past.om --quiet
promtool tsdb create-blocks-from openmetrics past.om tsdb >/dev/null
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
prometheus --config.file=/dev/null --storage.tsdb.path=tsdb --storage.tsdb.retention.time=100y \
  --web.listen-address="127.0.0.1:$port" >prometheus.log 2>&1 &
prom=$!
trap 'kill $prom 2>/dev/null || true' EXIT
until curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1; do sleep 0.2; done
echo "Prometheus on http://127.0.0.1:$port"

# 1. The cluster as it is (a kubectl dump), and what the dump cannot say: the autoscaler.
rm -rf shop
capsim import cluster "$here/test/fixtures/roundtrip/dump.yaml" --out shop
node -e '
  const fs = require("fs"); const f = "shop/scenario.yaml";
  let s = fs.readFileSync(f, "utf8");
  s = s.replace("  cluster:\n", "  cluster:\n    autoscaler: {}\n").replace(/(\n        count: 2\n)/, "$1        min: 2\n        max: 8\n");
  fs.writeFileSync(f, s);'

# 2. Two days of metrics, each service's request rate as its demand, and a 30-day forecast.
demand() { echo "shop/$1=sum(rate(capsim_workload_demand_units_total{namespace=\"shop\",workload=\"$1\"}[5m]))"; }
capsim import metrics --prometheus "http://127.0.0.1:$port" \
  --start 2026-01-05T00:00:00Z --end 2026-01-07T00:00:00Z --step 1m \
  --demand "$(demand web)" --demand "$(demand api)" --forecast 30d --into shop

# 3. How well the calibrated models reproduce those two days.
capsim backtest shop

# 4. The next 30 days, and what if the pool were m5.xlarge.
capsim run shop/forecast.yaml --out forecast --format html --quiet
capsim run shop/forecast.yaml --out forecast-xlarge --format none --quiet \
  --set 'spec.cluster.nodePools[0].instanceType=aws/m5.xlarge'
node -e '
  const cost = (d) => JSON.parse(require("fs").readFileSync(d + "/summary.json", "utf8")).cost.totalUsd.toFixed(2);
  console.log(`Forecast, 30 days: $${cost("forecast")} on m5.large; $${cost("forecast-xlarge")} on m5.xlarge`);'
echo "Reports: $work/shop/backtest/report.html, $work/forecast/report.html"

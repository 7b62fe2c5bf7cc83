#!/usr/bin/env bash
# The main job on the bundled sample data: installs what is missing, builds, then loads,
# validates and summarises the real 5-minute bars in data/sample/, computes the 44 features and
# the 5 targets for them, checks every feature for look-ahead on the real bars, and tests the
# blueprint's trading idea end to end (walk-forward training, out-of-sample backtest, analytics),
# then trades the run's latest model as a paper account over a replayed week and asks the
# promotion gate whether it may go live.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
scripts/build.sh release
itrade=build/release/itrade
"$itrade" data inspect data/sample/polygon data/sample/ibkr
# validate exits 2 when the data has errors; the sample has warnings only (see docs/data.md).
"$itrade" data validate data/sample/polygon data/sample/ibkr
mkdir -p runs
"$itrade" features compute --data data/sample/ibkr --targets all --out runs/sample_features.csv
"$itrade" features check --data data/sample/polygon
"$itrade" backtest --features sma_5,sma_20,rsi_14,volume_ratio,atr_14 --target direction_5 \
  --tickers AAPL,MSFT,GOOGL --start 2024-01-01 --end 2024-12-31 --name demo
# The same idea as a paper account: the run's latest model trades a replayed week after the
# backtest's year (January 2025) through the risk limits and the simulated broker.
run_dir=$(dirname "$(ls -dt runs/*/folds | head -1)")
paper_log=$(mktemp)
trap 'rm -f "$paper_log"' EXIT
"$itrade" paper --model "$run_dir" --replay data/sample/polygon --tickers AAPL,MSFT,GOOGL \
  --start 2025-01-06 --end 2025-01-10 | tee "$paper_log"
# The gate to live trading: the paper days against the backtest of the same days. It exits 3 when
# it refuses, as it does here: the demo's model is too weak to buy one share, so nothing traded.
paper_id=$(sed -n 's/^paper run \([^ ]*\) recorded.*/\1/p' "$paper_log")
"$itrade" promote "$paper_id" || [ $? -eq 3 ]

#!/usr/bin/env bash
# What `npm run demo` and `npm test` need on a fresh clone: the npm packages (from the lock file) and the tools
# (Temporal CLI; the BigQuery emulator unless SKIP_BIGQUERY_EMULATOR=1). Each step is a no-op when done.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ ! -x node_modules/.bin/vitest ] || [ ! -x node_modules/.bin/eslint ] || [ ! -d node_modules/@temporalio/worker ]; then
  echo "▶ installing npm packages"
  # not `npm ci`: the registry mirror here lacks other platforms' optional packages (see .ci/run)
  npm install --no-save --no-audit --no-fund
fi
bash scripts/install-tools.sh

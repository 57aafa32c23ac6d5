#!/usr/bin/env bash
# `npm run demo` on a fresh clone: install the npm packages if missing, then run the demo (which installs the Temporal CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ ! -d node_modules/@temporalio/worker ]; then
  echo "▶ installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
exec node --import tsx scripts/demo.ts "$@"

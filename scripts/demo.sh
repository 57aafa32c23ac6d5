#!/usr/bin/env bash
# `npm run demo` on a fresh clone: install the npm packages if missing, then run the demo (which installs the Temporal CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ ! -d node_modules/@temporalio/worker ]; then
  echo "▶ installing npm packages"
  # from the lock file; not `npm ci` (see .ci/run: the registry mirror lacks other-platform optional packages)
  npm install --no-save --no-audit --no-fund
fi
exec node --import tsx scripts/demo.ts "$@"

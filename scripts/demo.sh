#!/usr/bin/env bash
# `npm run demo` on a fresh clone: install what is missing (the demo needs no BigQuery emulator), then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_BIGQUERY_EMULATOR=1 bash scripts/ensure-installed.sh
exec node --import tsx scripts/demo.ts "$@"

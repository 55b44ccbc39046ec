#!/usr/bin/env bash
# Instructions per decision, counted by callgrind: for each case of each scenario,
# evaluates the case ITERATIONS times inside one function and divides the instructions
# counted there by ITERATIONS. Sets and requests are built before the loop, so this is
# the decision alone. Repeatable on any machine with valgrind.
#
#   bash benches/instructions.sh [--explain|--build] [SCENARIO...]
#   ITERATIONS=2000 bash benches/instructions.sh benches/data/seed.json
#
# A SCENARIO is a test file or a generated scenario of benches/common: `statements`
# (sets of 10 to 1 000 statements), `readonly` (a policy shaped like AWS's
# ReadOnlyAccess) and `readonly_aws` (the real one, when ../shared/realworld is
# present). The default is every file in benches/data and every generated scenario.
# `--explain` counts `explain` instead; `--build` counts building each case's request
# (a reused builder and request).
#
# Prints `scenario  case  instructions` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=evaluate
case "${1:-}" in
  --explain) mode=explain; shift ;;
  --build) mode=build; shift ;;
esac
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(benches/data/*.json statements readonly)
  [ -f ../shared/realworld/managed-iamdataset/ReadOnlyAccess.json ] && scenarios+=(readonly_aws)
fi
n=${ITERATIONS:-1000}
command -v valgrind >/dev/null || { echo "valgrind is needed (Debian: apt-get install valgrind)" >&2; exit 2; }
cargo build --release --example instructions -q
bin=target/release/examples/instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fn=measured
[ "$mode" = explain ] && fn=measured_explain
[ "$mode" = build ] && fn=measured_build
for s in "${scenarios[@]}"; do
  name=$(basename "$s" .json)
  while IFS=$'\t' read -r i case; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" --toggle-collect="*instructions::$fn" \
      "$bin" "$s" "$i" "$n" "$mode" >/dev/null 2>"$out/log"
    total=$(grep -E '^summary:' "$out/cg" | awk '{print $2}')
    printf '%-12s %-40s %6d\n' "$name" "$case" $((total / n))
  done < <("$bin" "$s" 18446744073709551615 0)
done

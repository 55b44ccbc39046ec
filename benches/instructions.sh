#!/usr/bin/env bash
# Instructions per decision, counted by callgrind: for each case of each scenario file
# (default benches/data/*.json), evaluates the case ITERATIONS times inside one function
# and divides the instructions counted there by ITERATIONS. Requests are built before
# the loop, so this is the decision alone. Repeatable on any machine with valgrind.
#
#   bash benches/instructions.sh [--explain] [FILE...]
#   ITERATIONS=2000 bash benches/instructions.sh benches/data/seed.json
#
# Prints `scenario  case  instructions-per-decision` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=evaluate
if [ "${1:-}" = "--explain" ]; then mode=explain; shift; fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(benches/data/*.json)
n=${ITERATIONS:-1000}
command -v valgrind >/dev/null || { echo "valgrind is needed (Debian: apt-get install valgrind)" >&2; exit 2; }
cargo build --release --example instructions -q
bin=target/release/examples/instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fn=measured
[ "$mode" = explain ] && fn=measured_explain
for f in "${files[@]}"; do
  scenario=$(basename "$f" .json)
  while IFS=$'\t' read -r i name; do
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" --toggle-collect="*instructions::$fn" \
      "$bin" "$f" "$i" "$n" "$mode" >/dev/null 2>"$out/log"
    total=$(grep -E '^summary:' "$out/cg" | awk '{print $2}')
    printf '%-8s %-40s %6d\n' "$scenario" "$name" $((total / n))
  done < <("$bin" "$f" 18446744073709551615 0)
done

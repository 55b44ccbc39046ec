#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after another, and
# prints each target's final libFuzzer figures. Fails when a target finds a crash,
# a timeout or an out-of-memory input (the input is left in fuzz/artifacts/TARGET/).
#
#   fuzz/run.sh SECONDS [TARGET...]
#
# Inputs: fuzz/seeds/TARGET (committed) and fuzz/corpus/TARGET (the working corpus,
# git-ignored, grown by each run). Logs: fuzz/artifacts/TARGET.log.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
seconds=$1
shift
cd "$(dirname "$0")"

# cargo-fuzz needs nightly flags; the stable toolchain accepts them with this.
export RUSTC_BOOTSTRAP=1
# The library forbids unsafe code, so AddressSanitizer would only halve the speed;
# debug assertions stay on so that integer overflow panics.
flags=(--release --debug-assertions --sanitizer none)

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build "${flags[@]}"

failed=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t" "seeds/$t"
    before=$(find "artifacts/$t" -type f | wc -l)
    log="artifacts/$t.log"
    start="artifacts/.$t.start"
    touch "$start"
    echo "== $t: ${seconds}s"
    status=0
    cargo fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    after=$(find "artifacts/$t" -type f | wc -l)
    # The last status line: "#N DONE cov: C ft: F corp: U/Sb ... exec/s: E rss: M".
    grep -E '^#[0-9]+' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" |
        tr '\n' ' ' || true
    echo
    echo "   corpus: $(find "corpus/$t" -type f | wc -l) files"
    if [[ $status -ne 0 || $after -ne $before ]]; then
        echo "   FAILED (exit $status); new artifacts:"
        find "artifacts/$t" -type f -newer "$start" | sed 's/^/     /'
        grep -E '^(==[0-9]+== ERROR|thread .* panicked|SUMMARY)' "$log" | head -n 5 | sed 's/^/   /' || true
        failed+=("$t")
    fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "failed: ${failed[*]}"
    exit 1
fi
echo "all ${#targets[@]} targets clean"

#!/usr/bin/env bash
# Fuzzes the parsers that read what Exact sends: the OData page parser, the
# /Date(ms)/ parser and the picture intake. Builds the cargo-fuzz targets in fuzz/, runs each for
# a bounded time, and prints per target the executions done and whether it crashed.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     default: 60 s, every target
#
# Works on the stable toolchain: cargo-fuzz passes nightly-only flags (-Zsanitizer, sancov), which
# stable rustc accepts with RUSTC_BOOTSTRAP=1. Environment:
#   FUZZ_SANITIZER   address (default: finds memory errors in the decoders' unsafe code) or none
#                    (faster; a separate build)
#   FUZZ_TOOLCHAIN   rustup toolchain to build with (default: stable)
#   FUZZ_RSS_MB      memory cap per target in MiB (default 2560: the default decode limits allow a
#                    512 MiB picture, which the thumbnail path copies once)
#   FUZZ_TARGET_DIR  build and scratch folder (default fuzz/target)
#   FUZZ_ARGS        more libFuzzer flags for every target, e.g. "-max_len=16384"
# Exit status: 0 when no target crashed, 1 when one did (its input is in fuzz/artifacts/<target>/),
# 2 when the set-up failed.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
    echo "usage: scripts/fuzz.sh [seconds-per-target] [target...]" >&2
    exit 2
fi
all_targets=(odata_page exact_date picture)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
sanitizer=${FUZZ_SANITIZER:-address}
rss_mb=${FUZZ_RSS_MB:-2560}

cargo_cmd=(cargo)
if command -v rustup >/dev/null 2>&1; then
    cargo_cmd=(cargo "+${FUZZ_TOOLCHAIN:-stable}")
fi
if ! "${cargo_cmd[@]}" fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    "${cargo_cmd[@]}" install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

target_dir=${FUZZ_TARGET_DIR:-$root/fuzz/target}
work="$target_dir/fuzz-work"
mkdir -p "$work/logs"
echo "== building ${targets[*]} ($("${cargo_cmd[@]}" --version), sanitizer: $sanitizer)"
build_start=$SECONDS
for target in "${targets[@]}"; do
    if [[ ! -f fuzz/fuzz_targets/$target.rs ]]; then
        echo "no such fuzz target: $target (have: ${all_targets[*]})" >&2
        exit 2
    fi
    "${cargo_cmd[@]}" fuzz build --sanitizer "$sanitizer" --target-dir "$target_dir" "$target"
done
echo "   built in $((SECONDS - build_start)) s"

binary_dir="$target_dir/x86_64-unknown-linux-gnu/release"
failed=0
results=()
for target in "${targets[@]}"; do
    # New inputs go to a scratch corpus under target/; the committed seeds stay as they are.
    corpus="$work/corpus/$target"
    mkdir -p "$corpus" "$root/fuzz/artifacts/$target"
    log="$work/logs/$target.log"
    args=(
        "$corpus" "$root/fuzz/corpus/$target"
        -max_total_time="$seconds"
        -print_final_stats=1
        -rss_limit_mb="$rss_mb"
        -malloc_limit_mb="$rss_mb"
        -timeout=60
        -artifact_prefix="$root/fuzz/artifacts/$target/"
    )
    [[ -f fuzz/dicts/$target.dict ]] && args+=(-dict="$root/fuzz/dicts/$target.dict")
    # shellcheck disable=SC2206 # split on purpose: one word per flag
    [[ -n ${FUZZ_ARGS:-} ]] && args+=($FUZZ_ARGS)
    echo "== fuzzing $target for $seconds s (log: ${log#"$root"/})"
    status=0
    "$binary_dir/$target" "${args[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if ((status == 0)); then
        verdict="no crash"
    else
        failed=1
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        # A panic's message is on the line after "panicked at"; sanitizers name the error inline.
        reason=$(grep -m 1 -A 1 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" |
            tr '\n' ' ' || true)
        verdict="CRASHED (exit $status): ${reason:-see the log}; input: ${input:-none written}"
    fi
    results+=("$(printf '%-12s %12s executions  %s' "$target" "${execs:-?}" "$verdict")")
done

echo
echo "== results ($seconds s per target)"
printf '%s\n' "${results[@]}"
if ((failed)); then
    echo "reproduce: cargo +stable fuzz run <target> <input> (with RUSTC_BOOTSTRAP=1); logs in ${work#"$root"/}/logs"
    exit 1
fi

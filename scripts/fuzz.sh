#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fuzzers (tests/fuzz/, docs/io.md "Fuzzing"): builds them with clang in build-fuzz/,
# writes the seed corpora with our own writers, runs every target for SECONDS each
# (default 60) and fails if any target finds a crash, an uncaught exception, undefined
# behaviour, a leak, a timeout or an out-of-memory.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      TARGET: npy safetensors idx shape (default all)
#
# Environment: MLXPP_FUZZ_BUILD (default <repo>/build-fuzz), MLXPP_FUZZ_JOBS (build jobs,
# default 1). The corpus grown by each run is kept in $MLXPP_FUZZ_BUILD/fuzz/corpus/<target>
# and reused by the next run; findings land in $MLXPP_FUZZ_BUILD/fuzz/artifacts/<target>/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(npy safetensors idx shape)
build=${MLXPP_FUZZ_BUILD:-$root/build-fuzz}
jobs=${MLXPP_FUZZ_JOBS:-1}
command -v clang++ > /dev/null || { echo "fuzz.sh: clang++ not found (scripts/setup.sh installs clang)"; exit 1; }
mkdir -p "$build"

cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMLXPP_BUILD_FUZZERS=ON -DMLXPP_BUILD_TESTS=OFF -DMLXPP_BUILD_BENCHMARKS=OFF \
  -DMLXPP_BUILD_EXAMPLES=OFF -DMLXPP_WITH_VULKAN=OFF -DMLXPP_INSTALL=OFF > "$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 1; }
names=()
for t in "${targets[@]}"; do names+=("fuzz_$t"); done
cmake --build "$build" -j "$jobs" --target fuzz_make_seeds "${names[@]}"

bin=$build/tests/fuzz
work=$build/fuzz
rm -rf "$work/seeds"
"$bin/fuzz_make_seeds" "$work/seeds" > /dev/null

status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  dict=()
  [ -f "$root/tests/fuzz/$t.dict" ] && dict=(-dict="$root/tests/fuzz/$t.dict")
  log=$work/$t.log
  # -timeout: one input may take 10 s at most; -rss_limit_mb: no input may grow the process
  # past 2 GB (a reader that allocates what a header claims fails here).
  if "$bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$t/" "${dict[@]}" "$work/corpus/$t" "$work/seeds/$t" > "$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  printf 'fuzz_%-12s %-6s %ss  %s runs  %s exec/s  %s  corpus %s\n' "$t" "$result" "$secs" "$execs" "$rate" \
    "$cov" "$(ls "$work/corpus/$t" | wc -l)"
  if [ "$result" != ok ]; then
    grep -E 'ERROR|SUMMARY|runtime error|invariant|uncaught|what\(\)' "$log" | head -20 || true
    echo "  log: $log; reproducer: $(ls -t "$work/artifacts/$t" | head -1)"
  fi
done
exit $status

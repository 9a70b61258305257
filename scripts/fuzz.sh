#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang and runs each one.
#
#   scripts/fuzz.sh [SECONDS]   fuzz every harness SECONDS (default 60), one after another
#   scripts/fuzz.sh --regress   run every harness once over its seeds and corpus, no fuzzing
#
# Seeds: tests/fuzz/corpus/<harness>/ (committed) and inputs made from
# tests/transcripts/*.at at run time (build-fuzz/seeds/). What the fuzzer
# learns stays in build-fuzz/corpus/<harness>/ for the next run; findings
# (crash-*, leak-*, timeout-*, oom-*) go to build-fuzz/findings/<harness>/.
# Exits non-zero when any harness left a finding. HARNESSES="fuzz_urc ..."
# limits the run to some harnesses; FUZZ_BUILD=dir uses another build folder
# (so that a short run does not disturb a long one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$root/${FUZZ_BUILD:-build-fuzz}
all_harnesses=(fuzz_reader fuzz_args fuzz_urc fuzz_transcript fuzz_session)
read -r -a harnesses <<<"${HARNESSES:-${all_harnesses[*]}}"

mode=fuzz
seconds=60
case "${1:-}" in
"") ;;
--regress) mode=regress ;;
*[!0-9]* | 0)
  echo "usage: scripts/fuzz.sh [SECONDS | --regress]" >&2
  exit 2
  ;;
*) seconds=$1 ;;
esac

scripts/deps.sh clang libclang-rt-14-dev >/dev/null

# A build dir configured with another compiler cannot be switched: start over.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_C_COMPILER:.*clang' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang cmake -S . -B "$build" -DQLWM2M_FUZZ=ON -DQLWM2M_BUILD_TESTS=OFF \
  -DQLWM2M_BUILD_EXAMPLES=OFF -DQLWM2M_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target "${harnesses[@]}" fuzz_seeds \
  >"$build/build.log" 2>&1 || {
  cat "$build/build.log"
  exit 1
}

# Seeds made from the transcripts, fresh each run.
rm -rf "$build/seeds"
for h in "${all_harnesses[@]}"; do mkdir -p "$build/seeds/$h"; done
"$build/bin/fuzz_seeds" "$build/seeds" tests/transcripts/*.at

# Corpus folders given to a harness: what it learnt, the committed inputs, the seeds.
corpus_dirs() {
  local h=$1
  mkdir -p "$build/corpus/$h"
  printf '%s\n' "$build/corpus/$h" "$build/seeds/$h"
  if [ -d "tests/fuzz/corpus/$h" ]; then printf '%s\n' "$root/tests/fuzz/corpus/$h"; fi
}

# "#123 DONE cov: 456 ft: 789 corp: 10/1Kb ..." -> the numbers of the last status line.
stat_of() {
  local log=$1 key=$2
  grep -a -o "$key: [0-9]*" "$log" | tail -n 1 | grep -o '[0-9]*$' || echo "?"
}

failure_re='^==[0-9]*==ERROR\|invariant failed\|runtime error'
total_findings=0
printf '\n%-16s %12s %8s %8s %8s %9s\n' harness executions cov ft corpus findings
for h in "${harnesses[@]}"; do
  findings=$build/findings/$h
  log=$build/$h.log
  rm -rf "$findings"
  mkdir -p "$findings"
  mapfile -t dirs < <(corpus_dirs "$h")
  args=(-timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/"
    -dict="$root/tests/fuzz/at.dict")
  if [ "$mode" = regress ]; then
    args+=(-runs=0)
  else
    args+=(-max_total_time="$seconds")
  fi
  # libFuzzer's own exit status is not the verdict: the findings folder is.
  (cd "$findings" && "$build/bin/$h" "${args[@]}" "${dirs[@]}") >"$log" 2>&1 || true
  found=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
    -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  if grep -a -q -e "$failure_re" "$log" && [ "$found" -eq 0 ]; then
    found=1 # a failure that left no input behind still counts
  fi
  runs=$(grep -a -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  printf '%-16s %12s %8s %8s %8s %9s\n' "$h" "$runs" "$(stat_of "$log" cov)" "$(stat_of "$log" ft)" \
    "$(find "$build/corpus/$h" -type f | wc -l)" "$found"
  if [ "$found" -gt 0 ]; then
    find "$findings" -maxdepth 1 -type f -printf '    %p\n'
    grep -a -m 5 -e "$failure_re" "$log" | sed 's/^/    /'
    echo "    log: $log"
  fi
  total_findings=$((total_findings + found))
done

if [ "$total_findings" -gt 0 ]; then
  echo "fuzz: $total_findings finding(s)" >&2
  exit 1
fi
echo "fuzz: no findings"

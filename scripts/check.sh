#!/usr/bin/env bash
# Robustness checks beyond the normal test run:
#   1. the whole ctest suite built with AddressSanitizer and UBSan (build-asan/);
#   2. the unit tests under valgrind memcheck: no errors, no leaks (build-valgrind/);
#      the end-to-end tests too when their scripts honour QLWM2M_WRAP;
#   3. clang-tidy (.clang-tidy) and cppcheck on lib/, both with zero findings;
#   4. a short fuzzing pass (scripts/fuzz.sh 5; longer runs: scripts/fuzz.sh SECONDS).
# Each step prints its time; the script stops at the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh

scripts/deps.sh valgrind clang libclang-rt-14-dev clang-tidy cppcheck clang-format

step "1. ctest with AddressSanitizer and UndefinedBehaviorSanitizer (build-asan)"
cmake -S . -B build-asan -DQLWM2M_SANITIZE=ON -DQLWM2M_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
quiet_build build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

step "2. valgrind memcheck (build-valgrind)"
cmake -S . -B build-valgrind -DQLWM2M_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
quiet_build build-valgrind
wrap="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
logs=build-valgrind/valgrind
rm -rf "$logs"
mkdir -p "$logs"
mapfile -t unit_tests < <(find build-valgrind/bin -maxdepth 1 -type f -perm -u+x -name 'test_*' | sort)
# Each program under memcheck; its log and output go to $logs, and are shown when it fails.
# shellcheck disable=SC2016 # the inner script expands its own arguments
printf '%s\n' "${unit_tests[@]}" | xargs -P "$jobs" -I{} sh -c \
  'n=$(basename "$1"); $2 --log-file="$3/$n.log" "$1" >"$3/$n.out" 2>&1 ||
   { echo "valgrind: $n failed"; cat "$3/$n.log" "$3/$n.out"; exit 255; }' sh {} "$wrap" "$logs"
echo "valgrind: ${#unit_tests[@]} unit test programs, no errors, no leaks"
if grep -q QLWM2M_WRAP tests/e2e/*.sh; then
  # The gateway's tests run daemons against a real broker at their own pace
  # and do not wrap them; the sanitizer pass above covers the gateway. The
  # longest tool scripts (link faults, the BC26/BC66 personalities, every
  # command: two thirds of this step's time) run under the sanitizers only,
  # to keep the whole test run near 15 minutes; their library paths run
  # under memcheck in the unit tests and transcript replays above.
  QLWM2M_WRAP="$wrap" ctest --test-dir build-valgrind --output-on-failure -j"$jobs" -R '^e2e_' \
    -E '^e2e_test_(gateway|tool_link_faults|tool_bc26|tool_bc66|tool_commands)'
else
  echo "valgrind: the e2e scripts do not honour QLWM2M_WRAP; only the unit tests ran under it"
fi

step "3. clang-format, clang-tidy and cppcheck"
# Every C file is formatted by .clang-format (git ls-files: only the project's own).
mapfile -t c_files < <(git ls-files '*.c' '*.h' 2>/dev/null || find include lib examples tests -name '*.[ch]')
clang-format --dry-run -Werror "${c_files[@]}"
echo "clang-format: ${#c_files[@]} files formatted"
# The files this platform compiles (the compilation database knows them): a
# Windows clock or an OS-free stand-in is checked by the builds that use it.
mapfile -t lib_sources < <(find lib -name '*.c' | sort | while read -r f; do
  if grep -q "\"file\": \"$PWD/$f\"" build-valgrind/compile_commands.json; then echo "$f"; fi
done)
printf '%s\n' "${lib_sources[@]}" | xargs -P "$jobs" -n 4 clang-tidy -p build-valgrind --quiet \
  >build-valgrind/clang-tidy.log 2>&1 || {
  grep -E '(warning|error):' build-valgrind/clang-tidy.log || cat build-valgrind/clang-tidy.log
  echo "clang-tidy: findings above" >&2
  exit 1
}
echo "clang-tidy: ${#lib_sources[@]} files, no findings"
# Suppressions are inline (/* cppcheck-suppress ID */) with the reason beside them.
cppcheck --enable=warning,style,performance,portability --error-exitcode=1 --inline-suppr \
  --std=c11 -q -I include -I lib lib/
echo "cppcheck: no findings"

step "4. fuzzing, 5 s per harness"
scripts/fuzz.sh 5

step_end
printf '\ncheck: all passed in %ds\n' "$SECONDS"

# Sourced by the test scripts (test.sh, check.sh, cross.sh): numbered output
# and quiet builds, the same in each.
#
#   step TITLE     ends the step before it (printing its time) and starts one
#   step_end       ends the last step
#   quiet_build DIR [ARGS...]
#                  cmake --build DIR with its output in DIR/build.log, shown
#                  only when the build fails
jobs=$(nproc 2>/dev/null || echo 2)
step_name=""
step_start=$SECONDS

step_end() {
  if [ -n "$step_name" ]; then
    printf -- '-- %s: %ds\n' "$step_name" $((SECONDS - step_start))
  fi
  step_name=""
}

step() {
  step_end
  step_name=$1
  step_start=$SECONDS
  printf '\n== %s\n' "$*"
}

quiet_build() {
  local dir=$1
  shift
  cmake --build "$dir" -j"$jobs" "$@" >"$dir/build.log" 2>&1 || {
    cat "$dir/build.log"
    exit 1
  }
}

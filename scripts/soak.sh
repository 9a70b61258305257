#!/usr/bin/env bash
# Delivery soak: every payload gets exactly one true report, whatever the
# module, the line or the user does (issue 10).
#
#   scripts/soak.sh [RUNS] [SEED]        RUNS runs of `qlwm2m send` against
#                                        qlwm2m-sim (default 500, random seed)
#   scripts/soak.sh --run I SEED         only run I of that seed, to reproduce it
#   scripts/soak.sh --lib N [SEED]       N uplinks through the event-loop API
#                                        (tests/soak/soak_lib) with faults
#                                        switched at run time
#   options: --bin DIR (default build/bin), --jobs N (runs at a time, default 4),
#            --keep DIR (where failing runs' files go), --sessions N (--lib)
#
# Each run draws a seeded combination of the simulator's fault switches; some
# runs are interrupted with SIGINT at a random time. For every payload it
# compares what was asked, what the tool reported and what the simulated
# server received, and counts: received twice without possible_duplicate;
# reported sent/delivered but never received; reported failed but received;
# payloads without exactly one report; runs longer than -t plus the longest
# command the tool may still await; exit codes that disagree with the
# reports. The last line is JSON; the exit status is 1 when any count is not 0.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/soak.py "$@"

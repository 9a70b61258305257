#!/usr/bin/env bash
# Configures, builds and runs the whole qlwm2m test suite.
# On a fresh Debian 12 machine run it as root: it installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh

step "dependencies"
# sqlite3 for the store's checks; the gateway: libmosquitto, inih and SQLite
# to build it, the mosquitto broker, its clients; python3 for the gateway's
# tests, the soak and the man pages' checks; man-db and groff-base to render
# the man pages.
scripts/deps.sh valgrind clang sqlite3 libmosquitto-dev libinih-dev libsqlite3-dev mosquitto \
  mosquitto-clients python3 man-db groff-base

step "configure and build (warnings are errors)"
cmake -S . -B build -DQLWM2M_WERROR=ON -DQLWM2M_GATEWAY=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "tests"
ctest --test-dir build --output-on-failure -j"$jobs"

step "delivery soak, short: 20 runs of qlwm2m send, 150 uplinks through the event loop"
# The long run (500 runs, 3000 uplinks) is documented in docs/robustness.md. A
# failing run prints its seed and command lines; scripts/soak.sh --run I SEED
# plays it again.
scripts/soak.sh 20 "${QLWM2M_SOAK_SEED:-1}" --jobs "$jobs"
scripts/soak.sh --lib 150 "${QLWM2M_SOAK_SEED:-1}"

step "crash test of the durable outbox, short pass (scripts/crash.sh 200 for the long one)"
scripts/crash.sh 20

step "API manual (Doxygen, no warnings allowed)"
cmake --build build --target docs
if [ -s build/docs/warnings.log ]; then
  cat build/docs/warnings.log
  echo "docs: Doxygen warnings above" >&2
  exit 1
fi
echo "docs: build/docs/html/index.html"

step "the demo, and its output as docs/getting-started.md shows it"
# ctest already ran every session and program the pages show; the demo
# rebuilds in build/ with the same options, so it is quick here.
if ! scripts/demo.sh >build/demo.out 2>&1; then
  cat build/demo.out
  echo "demo: failed (above)" >&2
  exit 1
fi
python3 tests/docs/check_docs.py --src . --build build --only output \
  --output scripts/demo.sh=build/demo.out docs/getting-started.md

# The smallest product's library (the Cortex-M4 image's options), on this machine:
# test_text checks that only the text went, test_options what the BC68-only
# dialect probe does and that a store is refused, test_replay the engine on
# every transcript, test_at_prompt and test_at_reader that the data prompt went.
step "library for the BC68 family alone, without libserialport, SQLite, stores, text and data prompt"
cmake -S . -B build-nosp -DQLWM2M_WERROR=ON -DQLWM2M_LIBSERIALPORT=OFF -DQLWM2M_SQLITE=OFF \
  -DQLWM2M_TEXT=OFF -DQLWM2M_STORE=OFF -DQLWM2M_DIALECT_QLWCFG=OFF -DQLWM2M_DIALECT_MTK=OFF \
  -DQLWM2M_AT_PROMPT=OFF -DQLWM2M_BUILD_EXAMPLES=OFF -DQLWM2M_BUILD_BENCH=OFF >/dev/null
cmake --build build-nosp -j"$jobs" --target qlwm2m qlwm2m_static test_text test_options test_replay \
  test_at_prompt test_at_reader
ctest --test-dir build-nosp -R "^test_(text|options|replay|at_prompt|at_reader)$" --output-on-failure

step "install, then build a consumer with find_package and pkg-config"
rm -rf build/stage
cmake --install build --prefix "$PWD/build/stage" >/dev/null
for page in qlwm2m qlwm2m-sim qlwm2m-gateway; do
  man -M "$PWD/build/stage/share/man" -w "$page" >/dev/null ||
    { echo "install: no man page for $page under build/stage/share/man" >&2; exit 1; }
done
cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH="$PWD/build/stage" >/dev/null
cmake --build build/consumer
build/consumer/consumer
PKG_CONFIG_PATH="$PWD/build/stage/lib/pkgconfig:$PWD/build/stage/lib/x86_64-linux-gnu/pkgconfig" \
  sh -c 'cc -o build/consumer/consumer_pc tests/consumer/consumer.c $(pkg-config --cflags --libs qlwm2m) \
         -Wl,-rpath,"$(pkg-config --variable=libdir qlwm2m)"'
build/consumer/consumer_pc

step "sanitizers, valgrind, clang-tidy, cppcheck, short fuzzing (scripts/check.sh)"
scripts/check.sh

step "cross builds: Cortex-M4, Windows under wine, armhf under qemu-user (scripts/cross.sh)"
NATIVE_BUILD=build scripts/cross.sh

step "all tests passed in $SECONDS s"

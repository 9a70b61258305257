#!/usr/bin/env bash
# Cross builds and the tests they can run on this machine:
#   1. Cortex-M4, bare metal (arm-none-eabi, newlib-nano, -Os): the OS-free
#      core and examples/mcu, warnings as errors; once with every dialect
#      (build-m4/) and once as the smallest BC68-only product, without text
#      or stores, with -flto (build-m4-bc68/);
#   2. Windows x86-64 (mingw-w64), warnings as errors: library (COM ports
#      through the Windows API), tool, examples and the unit tests (CMocka
#      cross-built from its Debian source package); under wine, the unit
#      tests, every transcript replayed through the Windows tool and
#      compared with the native tool, and the Windows tool driving the
#      native simulator through a COM port (build-win/);
#   3. 32-bit ARM Linux (armhf, Debian multiarch): the whole suite, unit and
#      end to end, under qemu-user (build-armhf/).
# Each step prints its time.
#
#   NATIVE_BUILD=build   the native build whose qlwm2m the Windows replays are
#                        compared with, and whose qlwm2m-sim the Windows tool
#                        drives (built here when missing)
#   CROSS=m4,win,armhf   which steps to run
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/steps.sh
native=${NATIVE_BUILD:-build}
want=${CROSS:-m4,win,armhf}

wanted() { [[ ",$want," == *",$1,"* ]]; }

# ------------------------------------------------------------ packages
packages=()
if wanted m4; then packages+=(gcc-arm-none-eabi libnewlib-arm-none-eabi); fi
if wanted win; then packages+=(gcc-mingw-w64-x86-64 wine wine64 dpkg-dev libserialport-dev); fi
if wanted armhf; then
  packages+=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user
    libcmocka-dev:armhf libserialport-dev:armhf)
  if ! dpkg --print-foreign-architectures | grep -qx armhf; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "cross: run as root, or: sudo dpkg --add-architecture armhf" >&2
      exit 1
    fi
    dpkg --add-architecture armhf
  fi
fi
scripts/deps.sh "${packages[@]}"

# ------------------------------------------------------------ Cortex-M4
if wanted m4; then
  step "1. Cortex-M4: the OS-free core and examples/mcu (build-m4, build-m4-bc68)"
  m4=(-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi-cortex-m4.cmake
    -DQLWM2M_NO_OS=ON -DQLWM2M_WERROR=ON -DCMAKE_BUILD_TYPE=MinSizeRel)
  cmake -S . -B build-m4 "${m4[@]}" >/dev/null
  quiet_build build-m4
  # The smallest image: BC68 family only, no transcripts, no text, no store, no
  # data prompt, and the library optimised at link time (-flto) as a product's
  # release would be.
  cmake -S . -B build-m4-bc68 "${m4[@]}" -DQLWM2M_DIALECT_QLWCFG=OFF -DQLWM2M_DIALECT_MTK=OFF \
    -DQLWM2M_TRANSCRIPT=OFF -DQLWM2M_TEXT=OFF -DQLWM2M_STORE=OFF -DQLWM2M_AT_PROMPT=OFF \
    -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON >/dev/null
  quiet_build build-m4-bc68
  arm-none-eabi-size build-m4/bin/qlwm2m-mcu.elf build-m4-bc68/bin/qlwm2m-mcu.elf
  echo "(the library's share of flash and RAM: scripts/bench.sh)"
fi

# ------------------------------------------------------------ Windows
if wanted win; then
  step "2. Windows (mingw-w64) build; under wine the unit tests, the transcript replays and the tool on a COM port (build-win)"
  # CMocka for Windows: from Debian's source package, which needs a deb-src entry.
  win_prefix="$PWD/build-win-deps/prefix"
  if [ ! -f "$win_prefix/lib/pkgconfig/cmocka.pc" ]; then
    mkdir -p build-win-deps/src
    if ! (cd build-win-deps/src && apt-get source -qq cmocka >/dev/null 2>&1); then
      if [ "$(id -u)" -ne 0 ]; then
        echo "cross: CMocka's source package needs a deb-src entry; run as root" >&2
        exit 1
      fi
      cat >/etc/apt/sources.list.d/qlwm2m-deb-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
      apt-get update -qq || true # an unrelated index failing must not stop us
      (cd build-win-deps/src && apt-get source -qq cmocka >/dev/null)
    fi
    cmocka_src=$(find build-win-deps/src -maxdepth 1 -type d -name 'cmocka-*' | head -n 1)
    cmake -S "$cmocka_src" -B build-win-deps/cmocka \
      -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/mingw-w64-x86_64.cmake" \
      -DCMAKE_INSTALL_PREFIX="$win_prefix" -DCMAKE_BUILD_TYPE=Release \
      -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF >/dev/null
    quiet_build build-win-deps/cmocka
    cmake --install build-win-deps/cmocka >/dev/null
  fi
  export QLW_WIN_PREFIX="$win_prefix"
  cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/mingw-w64-x86_64.cmake \
    -DQLWM2M_WERROR=ON -DQLWM2M_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  quiet_build build-win
  cp "$win_prefix/bin/cmocka.dll" build-win/bin/

  # A fresh wine prefix, headless; its server is stopped on the way out.
  WINEPREFIX=$(mktemp -d /tmp/qlwm2m-wine.XXXXXX)
  export WINEPREFIX WINEDEBUG=-all DISPLAY=
  trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$WINEPREFIX"' EXIT
  wineboot -i >/dev/null 2>&1 || true
  wineserver -p 60 >/dev/null 2>&1 || true # keep one server for every run below

  ctest --test-dir build-win --output-on-failure -j"$jobs"

  if [ ! -x "$native/bin/qlwm2m" ] || [ ! -x "$native/bin/qlwm2m-sim" ]; then
    cmake -S . -B "$native" >/dev/null
    cmake --build "$native" -j"$jobs" --target qlwm2m_tool qlwm2m_sim >/dev/null
  fi
  # Same events on Windows as on Linux: every transcript, line for line
  # (Windows writes text with CRLF, so the CRs go before comparing).
  count=0
  for ts in tests/transcripts/*.at; do
    win_rc=0
    linux_rc=0
    wine build-win/bin/qlwm2m.exe replay "$ts" 2>/dev/null | tr -d '\r' >build-win/replay.win ||
      win_rc=$?
    "$native/bin/qlwm2m" replay "$ts" >build-win/replay.linux 2>/dev/null || linux_rc=$?
    if [ "$win_rc" != "$linux_rc" ] || ! cmp -s build-win/replay.win build-win/replay.linux; then
      echo "replay of $ts differs on Windows (exit $win_rc, Linux $linux_rc):" >&2
      diff build-win/replay.linux build-win/replay.win | head -n 20 >&2 || true
      exit 1
    fi
    count=$((count + 1))
  done
  echo "windows: $count transcripts replayed with the same events as on Linux"

  # The Windows tool drives the simulator through COM7, which wine maps to
  # the simulator's pseudo-terminal ($WINEPREFIX/dosdevices/com7).
  bash tests/e2e/wine_tool_com.sh "$native/bin" tests build-win/bin
  echo "windows: qlwm2m.exe drove qlwm2m-sim through COM7 under wine"

  # io_libserialport.c is the Windows backend wherever a Windows
  # libserialport exists, but none can be built here (Debian's source
  # package cannot be fetched: docs/porting.md). So it is compiled for
  # Windows against libserialport's header (the same on every OS) with the
  # flags and warnings of the Windows build, to keep it right for Windows
  # (serial.c too, whose choice of backend then differs).
  mkdir -p build-win/sp-include
  cp /usr/include/libserialport.h build-win/sp-include/
  python3 - build-win/compile_commands.json <<'PY' >build-win/sp-check.sh
import json, os, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("/lib/io/serial.c"):
        args = shlex.split(e["command"])
        out = args.index("-o")
        del args[out:out + 2]
        args = [a for a in args if a != "-c" and not a.endswith("/lib/io/serial.c")]
        args += ["-fsyntax-only", "-DQLW_HAVE_LIBSERIALPORT=1",
                 "-I" + os.path.abspath("build-win/sp-include"),
                 os.path.abspath("lib/io/io_libserialport.c"), os.path.abspath("lib/io/serial.c")]
        # The command names a response file relative to its own directory.
        print("cd " + shlex.quote(e["directory"]) + " && " + shlex.join(args))
        break
else:
    sys.exit("no compile command for lib/io/serial.c")
PY
  bash build-win/sp-check.sh
  echo "windows: io_libserialport.c and serial.c with libserialport compile for Windows, warnings as errors"
fi

# ------------------------------------------------------------ armhf
if wanted armhf; then
  step "3. 32-bit ARM Linux: the whole suite under qemu-user (build-armhf)"
  cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake \
    -DQLWM2M_WERROR=ON -DQLWM2M_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  quiet_build build-armhf
  ctest --test-dir build-armhf --output-on-failure -j"$jobs"
fi
step_end

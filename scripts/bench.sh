#!/usr/bin/env bash
# Builds and runs the benchmarks of tests/bench: parse cost per byte, many
# modems in one thread, memory per modem, code size per layer. Prints a
# table for people and, last, one JSON object per benchmark per line.
#
#   BUILD_DIR=build   where to build (RelWithDebInfo, as scripts/test.sh)
#   QUICK=1           shorter runs (for a smoke test, not for figures)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
. scripts/steps.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json="$work/json"
: >"$json"

# value KEY LINE: a number or string field of a one-line JSON object.
value() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" <<<"$2"; }

step "build ($build, RelWithDebInfo)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLWM2M_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$jobs" --target bench_parse bench_fleet bench_mem >/dev/null
bin="$build/bin"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cc_version=$(${CC:-cc} --version | head -n 1)
echo "machine: $(nproc) cores, ${cpu:-unknown CPU}, $cc_version, $(uname -sr)"

if [ "${QUICK:-0}" = 1 ]; then
  parse_opts=(--mb=1 --ms=200)
  fleet_opts=(--k=5 --p=3 --idle-ms=300)
  runs=1
else
  parse_opts=()
  fleet_opts=()
  runs=3
fi

# ------------------------------------------------------------------ parse
step "parse: transcripts-derived stream through reader, classifier, URC queue, decoders"
"$bin/bench_parse" "${parse_opts[@]}" | tee "$work/parse.out" | grep -v '^{'
grep '^{' "$work/parse.out" >"$work/parse.json"

# Instructions per byte from callgrind: one pass over a 1 MiB stream, only
# inside the pass, split into the URC decoders (the application's handlers),
# issuing commands, the benchmark's stand-in transport, and the rest (reading,
# classifying, queueing, dispatching).
callgrind_split() {
  local rs=$1 out bytes ir
  out="$work/cg.$rs"
  valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
    '--toggle-collect=run_pass*' "$bin/bench_parse" --mb=1 --passes=1 --read-size="$rs" \
    2>/dev/null >"$out.txt"
  bytes=$(value bytes "$(grep '^{' "$out.txt")")
  ir=$(awk '/^summary:/ {print $2}' "$out")
  # Function totals are the lines "<count> (<percent>) <file>:<function>[ <object>]".
  callgrind_annotate --inclusive=yes "$out" 2>/dev/null | tr -d ',' |
    awk -v ir="$ir" -v b="$bytes" -v rs="$rs" '
      $2 !~ /^\(/ || /=>/ {next}
      /bench_parse\.c:on_urc( |$)/ {dec = $1}
      /engine\.c:qlw_at_send_raw( |$)/ {cmd = $1}
      /bench_parse\.c:feed_read( |$)/ {rd = $1}
      END {printf "%s %.1f %.1f %.1f %.1f %.1f\n", rs, ir / b, (ir - dec - cmd - rd) / b,
                  dec / b, cmd / b, rd / b}'
}
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  printf '  callgrind, instructions per byte (1 MiB stream):\n'
  printf '  %9s %7s %13s %9s %9s %10s\n' read_size total "receive path" decoders commands transport
  for rs in 1 64 4096; do
    read -r _ total rx dec cmd rd < <(callgrind_split "$rs")
    printf '  %9s %7s %13s %9s %9s %10s\n' "$rs" "$total" "$rx" "$dec" "$cmd" "$rd"
    sed -i "/\"read_size\":$rs,/s/\"instr_per_byte\":null/\"instr_per_byte\":$total,\"instr_per_byte_receive\":$rx,\"instr_per_byte_decoders\":$dec,\"instr_per_byte_commands\":$cmd/" \
      "$work/parse.json"
  done
else
  echo "  (valgrind not installed: no instruction counts)"
fi
cat "$work/parse.json" >>"$json"

# ------------------------------------------------------------------ fleet
step "fleet: one thread, N sessions, in-process BC68 responder in a second thread"
# Tail latencies move when another process takes the CPU for a few ms, so
# each configuration runs $runs times and the run with the median paced p99
# is the one reported.
fleet() {
  local name=$1 i
  shift
  for i in $(seq "$runs"); do
    "$bin/bench_fleet" "$@" "${fleet_opts[@]}" >"$work/$name.$i"
    echo "$(value react_us_p99 "$(grep '^{' "$work/$name.$i")") $work/$name.$i"
  done | sort -n | sed -n "$(((runs + 1) / 2))p" | cut -d' ' -f2 >"$work/$name.pick"
  grep -v '^{' "$(cat "$work/$name.pick")"
  grep '^{' "$(cat "$work/$name.pick")" >>"$json"
}
for n in 1 100 1000; do
  fleet "fleet$n" --n="$n"
done
fleet fleetpty --n=64 --pty

# ----------------------------------------------------------------- memory
step "memory per modem handle"
"$bin/bench_mem" | tee "$work/mem" | grep -v '^{'
grep '^{' "$work/mem" >>"$json"

# -------------------------------------------------------------- footprint
step "footprint: library objects at -Os (MinSizeRel), per layer"
os_build="$build-os"
cmake -S . -B "$os_build" -DCMAKE_BUILD_TYPE=MinSizeRel -DQLWM2M_BUILD_TESTS=OFF \
  -DQLWM2M_BUILD_EXAMPLES=OFF -DQLWM2M_BUILD_BENCH=OFF >/dev/null
cmake --build "$os_build" -j"$jobs" --target qlwm2m_obj >/dev/null
objdir="$os_build/lib/CMakeFiles/qlwm2m_obj.dir"
printf '  %-12s %8s %8s %8s\n' layer text data bss
total_text=0 total_data=0 total_bss=0
for layer in io at transcript quectel session; do
  read -r text data bss < <(size -t "$objdir/$layer"/*.o | awk 'END {print $1, $2, $3}')
  printf '  %-12s %8s %8s %8s\n' "$layer" "$text" "$data" "$bss"
  echo "{\"bench\":\"footprint\",\"layer\":\"$layer\",\"text\":$text,\"data\":$data,\"bss\":$bss}" >>"$json"
  total_text=$((total_text + text)) total_data=$((total_data + data)) total_bss=$((total_bss + bss))
done
printf '  %-12s %8s %8s %8s\n' total "$total_text" "$total_data" "$total_bss"
echo "{\"bench\":\"footprint\",\"layer\":\"total\",\"text\":$total_text,\"data\":$total_data,\"bss\":$total_bss}" >>"$json"

# ---------------------------------------------------------------- gateway
# qlwm2m-gateway end to end: N simulator processes on pseudo-terminals, one
# gateway, one mosquitto broker, mosquitto_pub/mosquitto_sub, all on this
# machine (tests/bench/bench_gateway.py says what each figure means).
if command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ]; then
  PATH=$PATH:/usr/sbin
  cmake --build "$build" -j"$jobs" --target qlwm2m_gateway qlwm2m_sim >/dev/null
  step "gateway: N simulated modules, one gateway, one broker"
  if [ "${QUICK:-0}" = 1 ]; then gw_sizes=(16); gw_sat=5; else gw_sizes=(64 256); gw_sat=20; fi
  for n in "${gw_sizes[@]}"; do
    python3 tests/bench/bench_gateway.py "$bin" "$n" "$gw_sat" 5 | tee "$work/gw.$n" | grep -v '^{'
    grep '^{' "$work/gw.$n" >>"$json"
  done
  if [ "${#gw_sizes[@]}" = 2 ]; then
    a=$(grep '"modules":64,' "$json") b=$(grep '"modules":256,' "$json")
    echo "  memory per module (RSS slope, 64 -> 256 modules): $(awk -v x="$(value rss_end_kib "$a")" \
      -v y="$(value rss_end_kib "$b")" 'BEGIN {printf "%.1f KiB", (y - x) / 192}')"
  fi
else
  echo "gateway: mosquitto not installed (scripts/deps.sh mosquitto mosquitto-clients); skipped"
fi

# ------------------------------------------------------ Cortex-M4 footprint
# The library's share of a linked bare-metal program (examples/mcu, -Os,
# newlib-nano, --gc-sections): what the linker kept from libqlwm2m.a, read
# from its map file. Flash is .text + .rodata + .data (its initial values);
# RAM is .data + .bss (the session itself is the application's buffer, below).
# With -flto the library's code is the link-time partitions (*.ltrans.o):
# examples/mcu is compiled without it (examples/mcu/CMakeLists.txt) and
# newlib is an ordinary archive, so those are the library's, in one layer
# "lto" (the map no longer names the objects).
# map_share LAYERS MAP: "layer flash ram" per layer, then "total flash ram".
map_share() {
  awk '
    function hex(s,   i, v) {
      v = 0; s = tolower(substr(s, 3))
      for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
      return v
    }
    FNR == NR {layer_of[$1] = $2; next}
    /^Linker script and memory map/ {on = 1; next}
    !on {next}
    {
      if (match($0, /^ [.][A-Za-z_.0-9$]*/)) { sec = substr($0, 2, RLENGTH - 1); rest = substr($0, RLENGTH + 1) }
      else if ($0 ~ /^ +0x/) rest = $0
      else { sec = ""; next }
      if (split(rest, f, " ") < 3 || f[1] !~ /^0x/ || f[2] !~ /^0x/) next
      if (f[3] ~ /[.]ltrans[0-9]*[.]ltrans[.]o$/) layer = "lto"
      else if (f[3] ~ /libqlwm2m[.]a[(]/) {
        obj = f[3]; sub(/.*libqlwm2m[.]a[(]/, "", obj); sub(/[.]c[.]obj[)]$/, "", obj)
        layer = (obj in layer_of) ? layer_of[obj] : "other"
      } else next
      size = hex(f[2])
      if (sec ~ /^[.](text|rodata)/) flash[layer] += size
      else if (sec ~ /^[.]data/) { flash[layer] += size; ram[layer] += size }
      else if (sec ~ /^[.]bss/ || sec ~ /^COMMON/) ram[layer] += size
      else next
      seen[layer] = 1
    }
    END {
      for (l in seen) { printf "%s %d %d\n", l, flash[l], ram[l]; tf += flash[l]; tr += ram[l] }
      printf "total %d %d\n", tf, tr
    }' "$1" "$2"
}
if command -v arm-none-eabi-gcc >/dev/null; then
  step "footprint on a Cortex-M4: the library's share of examples/mcu (-Os, newlib-nano)"
  # Which layer each object belongs to (at/names.c and session/names.c share a name).
  for f in lib/*/*.c; do
    l=${f#lib/}
    echo "$(basename "$f" .c) ${l%%/*}"
  done | awk '{if (($1 in l) && l[$1] != $2) l[$1] = l[$1] "+" $2; else l[$1] = $2}
              END {for (k in l) print k, l[k]}' >"$work/layers"
  m4=(-DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi-cortex-m4.cmake -DQLWM2M_NO_OS=ON
    -DCMAKE_BUILD_TYPE=MinSizeRel)
  cmake -S . -B "$build-m4" "${m4[@]}" >/dev/null 2>&1
  cmake --build "$build-m4" -j"$jobs" >/dev/null
  bc68=(-DQLWM2M_DIALECT_QLWCFG=OFF -DQLWM2M_DIALECT_MTK=OFF -DQLWM2M_TRANSCRIPT=OFF)
  cmake -S . -B "$build-m4-bc68" "${m4[@]}" "${bc68[@]}" -DQLWM2M_TEXT=ON >/dev/null 2>&1
  cmake --build "$build-m4-bc68" -j"$jobs" >/dev/null
  cmake -S . -B "$build-m4-small" "${m4[@]}" "${bc68[@]}" -DQLWM2M_TEXT=OFF -DQLWM2M_AT_PROMPT=OFF \
    >/dev/null 2>&1
  cmake --build "$build-m4-small" -j"$jobs" >/dev/null
  # With link-time optimisation of the library (-flto), a product's usual
  # release setting for a small part: the same, and also without stores.
  lto=(-DQLWM2M_TEXT=OFF -DQLWM2M_AT_PROMPT=OFF -DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON)
  cmake -S . -B "$build-m4-lto" "${m4[@]}" "${bc68[@]}" "${lto[@]}" >/dev/null 2>&1
  cmake --build "$build-m4-lto" -j"$jobs" >/dev/null
  cmake -S . -B "$build-m4-lto-nostore" "${m4[@]}" "${bc68[@]}" "${lto[@]}" -DQLWM2M_STORE=OFF \
    >/dev/null 2>&1
  cmake --build "$build-m4-lto-nostore" -j"$jobs" >/dev/null
  printf '  %-44s %8s %8s\n' "build / layer" flash ram
  for variant in "every dialect:$build-m4" "BC68 only (QLWCFG, MTK OFF):$build-m4-bc68" \
    "BC68 only, no text (TEXT, AT_PROMPT OFF):$build-m4-small"; do
    name=${variant%%:*}
    map_share "$work/layers" "${variant#*:}/bin/qlwm2m-mcu.map" | sort -k2 -n -r >"$work/share"
    while read -r layer flash ram; do
      printf '  %-44s %8s %8s\n' "${layer/#total/$name}" "$flash" "$ram"
    done < <(grep -v '^total' "$work/share"; grep '^total' "$work/share")
    read -r _ flash ram < <(grep '^total' "$work/share")
    echo "{\"bench\":\"mcu_footprint\",\"target\":\"cortex-m4\",\"build\":\"$name\",\"flash\":$flash,\"ram\":$ram}" >>"$json"
  done
  for variant in "BC68 only, no text, -flto:$build-m4-lto" \
    "BC68 only, no text, no store, -flto:$build-m4-lto-nostore"; do
    name=${variant%%:*}
    read -r _ flash ram < <(map_share "$work/layers" "${variant#*:}/bin/qlwm2m-mcu.map" | grep '^total')
    printf '  %-44s %8s %8s\n' "$name" "$flash" "$ram"
    echo "{\"bench\":\"mcu_footprint\",\"target\":\"cortex-m4\",\"build\":\"$name\",\"flash\":$flash,\"ram\":$ram}" >>"$json"
  done
  echo "  (newlib-nano's own share, printf and string functions, is not counted)"
fi
# RAM per session on a 32-bit target: bench_mem built for armhf, run under qemu-user.
if command -v arm-linux-gnueabihf-gcc >/dev/null && command -v qemu-arm >/dev/null &&
  [ -f /usr/lib/arm-linux-gnueabihf/pkgconfig/cmocka.pc ]; then
  step "memory per session on a 32-bit target (armhf, qemu-user)"
  cmake -S . -B "$build-armhf" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-linux-gnueabihf.cmake \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQLWM2M_BUILD_BENCH=ON >/dev/null
  cmake --build "$build-armhf" -j"$jobs" --target bench_mem >/dev/null
  qemu-arm -L /usr/arm-linux-gnueabihf "$build-armhf/bin/bench_mem" | tee "$work/mem32" | grep -v '^{'
  sed 's/"bench":"memory"/"bench":"memory","target":"armhf"/' <(grep '^{' "$work/mem32") >>"$json"
fi

# ---------------------------------------------------------------- summary
step "summary against the targets"
p64=$(grep '"read_size":64,' "$json")
p1=$(grep '"read_size":1,' "$json")
f1000=$(grep '"transport":"socketpair","n":1000,' "$json")
mem=$(grep '"bench":"memory","session_bytes"' "$json")
mcu=$(grep '"bench":"mcu_footprint".*"build":"BC68 only, no text (' "$json" || true)
mcu_lto=$(grep '"bench":"mcu_footprint".*"build":"BC68 only, no text, -flto"' "$json" || true)
mcu_min=$(grep '"bench":"mcu_footprint".*"build":"BC68 only, no text, no store, -flto"' "$json" || true)
mem32=$(grep '"bench":"memory","target":"armhf"' "$json" || true)
ipb=$(value instr_per_byte "$p64")
printf '  %-44s %-14s %s\n' "parse at 64-byte reads" ">= 200 MB/s" \
  "$(awk -v b="$(value bytes_per_s "$p64")" 'BEGIN {printf "%.0f MB/s", b / 1e6}')"
printf '  %-44s %-14s %s\n' "instructions per byte at 64-byte reads" "<= 45" "${ipb:-n/a}"
printf '  %-44s %-14s %s\n' "instructions per byte at 1-byte reads" "<= 100" \
  "$(value instr_per_byte "$p1")"
printf '  %-44s %-14s %s\n' "1-byte reads vs 64-byte reads" "<= 4x" \
  "$(awk -v a="$(value ns_per_byte "$p1")" -v b="$(value ns_per_byte "$p64")" 'BEGIN {printf "%.1fx", a / b}')"
printf '  %-44s %-14s %s us\n' "1000 sessions: CPU per uplink (saturated)" "< 100 us" \
  "$(value cpu_us_per_uplink "$f1000")"
printf '  %-44s %-14s %s us\n' "1000 sessions: reaction p99 (paced)" "< 1000 us" \
  "$(value react_us_p99 "$f1000")"
printf '  %-44s %-14s %s ms CPU, %s wake-ups\n' "1000 sessions idle for a second" "~0" \
  "$(value idle_cpu_ms "$f1000")" "$(value idle_wakeups "$f1000")"
printf '  %-44s %-14s %s bytes\n' "qlw_session_mem_size, defaults" "<= 8192" "$(value session_bytes "$mem")"
if [ -n "$mcu" ]; then
  printf '  %-44s %-14s %s bytes\n' "Cortex-M4 flash: engine, BC68, session, no text" "<= 16384" "$(value flash "$mcu")"
fi
if [ -n "$mcu_lto" ]; then
  printf '  %-44s %-14s %s bytes\n' "the same, library built with -flto" "<= 16384" "$(value flash "$mcu_lto")"
fi
if [ -n "$mcu_min" ]; then
  printf '  %-44s %-14s %s bytes\n' "the same without stores (QLWM2M_STORE=OFF)" "<= 16384" "$(value flash "$mcu_min")"
fi
if [ -n "$mem32" ]; then
  printf '  %-44s %-14s %s bytes\n' "qlw_session_mem_size, defaults, 32-bit" "report" "$(value session_bytes "$mem32")"
fi

step "JSON"
cat "$json"

#!/usr/bin/env bash
# One device call on a lent GPU machine: builds the GPU targets against the Debian
# headers that scripts/gpu-carry put in .debs/root, runs the [cuda] tests, then
# train_bench and the reference benchmark (.debs/ref_moe.py), and prints a table of
# both side by side last. Run from the repository root with .debs carried:
#   bash bench/gpu.sh                  # on the GPU machine
#   GPU_SH_DRY=1 bash bench/gpu.sh     # here, without a GPU: same build, CPU benches
# Logs (env.txt, build.log, tests.log, train_bench.log, ref_moe.log, table.txt) go
# to $OUT when set (the device tool returns them), else out/gpu. Exit status: non-zero
# if the build, a test or a benchmark failed; the table is printed anyway.
# Settings: GPU_SH_BUILD (build folder, build-gpu), GPU_SH_JOBS (nproc),
# GPU_SH_DEADLINE (seconds for everything, 560: the device call's limit is 600),
# GPU_SH_BUILD_TIMEOUT (seconds for the build, 420),
# TRAIN_BENCH_ARGS, REF_ARGS (e.g. --compile), GPU_SH_PYTHON (python3), GPU_SH_TARGETS
# (what to build; a test suite or train_bench left out is not run).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

DRY="${GPU_SH_DRY:-0}"
BUILD="${GPU_SH_BUILD:-build-gpu}"
JOBS="${GPU_SH_JOBS:-$(nproc)}"
DEADLINE="${GPU_SH_DEADLINE:-560}"
TARGETS="${GPU_SH_TARGETS:-mose_kernels_tests mose_core_tests train_bench}"
LOGS="${OUT:-$PWD/out/gpu}"
ROOT="$PWD/.debs/root"
LIB="$ROOT/usr/lib/x86_64-linux-gnu"
if [ "$DRY" = 1 ]; then
  TRAIN_BENCH_ARGS="${TRAIN_BENCH_ARGS:---config tiny-cpu --device cpu --steps 5}"
  REF_ARGS="${REF_ARGS:---check}"
else
  TRAIN_BENCH_ARGS="${TRAIN_BENCH_ARGS:---config bench-moe --device cuda}"
  REF_ARGS="${REF_ARGS:-}"
fi
failed=()

targeted() { case " $TARGETS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
say() { printf '\n== [%4ss] %s\n' "$SECONDS" "$*"; }
# Seconds a step may take: its own cap, or what is left before the deadline.
cap() { local left=$((DEADLINE - SECONDS)); if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi; }
# Our programs find the carried runtime libraries (libfmt.so.9, libsentencepiece.so.0)
# here; python3, cmake and nvcc run without it, so Debian's libsqlite3 never shadows theirs.
OURS=(env "LD_LIBRARY_PATH=$LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
# One intra-op thread on the shared 2-core development machine (bench/RESULTS.md, CPU).
if [ "$DRY" = 1 ]; then OURS+=(OMP_NUM_THREADS=1); fi
if [ ! -d "$ROOT/usr/include" ]; then
  echo "gpu.sh: $ROOT is missing: run scripts/gpu-carry on the development machine and carry .debs" >&2
  exit 2
fi
mkdir -p "$LOGS"
PYTHON="${GPU_SH_PYTHON:-python3}"
if ! "$PYTHON" -c 'import torch' 2>/dev/null && [ -x "$HOME/.cache/mose/venv/bin/python" ]; then
  PYTHON="$HOME/.cache/mose/venv/bin/python"   # the development machine's torch (dry runs)
fi

environment() {
  say "environment -> $LOGS/env.txt"
  {
    echo "date: $(date -u +%FT%TZ)"
    echo "source: $(head -n 1 .debs/source.txt 2>/dev/null || echo unknown)"
    sed -n '2,$s/^/  changed: /p' .debs/source.txt 2>/dev/null
    echo "host: $(uname -srm), $(nproc) cores"
    echo "g++: $(g++ --version | head -n 1)"
    echo "cmake: $(cmake --version | head -n 1)"
    echo "nvcc: $(if command -v nvcc >/dev/null; then nvcc --version | tail -n 1; else echo none; fi)"
    "$PYTHON" -c 'import torch; print("torch:", torch.__version__, "cuda", torch.version.cuda, "device", torch.cuda.get_device_name() if torch.cuda.is_available() else "none")' 2>&1
    nvidia-smi 2>&1 || echo "nvidia-smi: not available"
  } >"$LOGS/env.txt" 2>&1
  grep -E '^(date|source|g\+\+|cmake|nvcc|torch):' "$LOGS/env.txt"
}

configure() {
  say "configure $BUILD -> $LOGS/build.log"
  local torch_prefix args=()
  torch_prefix="$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')" || return 1
  args=(-S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=$torch_prefix;$ROOT/usr"
    -DCMAKE_CUDA_ARCHITECTURES=90 -DTORCH_CUDA_ARCH_LIST=9.0
    -DMOSE_WITH_CUDA=ON -DMOSE_WITH_GUI=OFF
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5   # CMake 4 refuses config files older than 3.5 without it
    # libsentencepiece_train.so needs libsentencepiece.so.0: the linker finds it here.
    "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-rpath-link,$LIB")
  if [ ! -f "$BUILD/CMakeCache.txt" ] && command -v ninja >/dev/null; then args+=(-G Ninja); fi
  if command -v nvcc >/dev/null; then args+=("-DCMAKE_CUDA_COMPILER=$(command -v nvcc)"); fi
  # FindPkgConfig is required: without a pkg-config of the machine's own, Debian's pkgconf.
  if ! command -v pkg-config >/dev/null; then
    mkdir -p "$BUILD"
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$LIB" "$ROOT/usr/bin/pkgconf" >"$BUILD/pkg-config"
    chmod +x "$BUILD/pkg-config"
    args+=("-DPKG_CONFIG_EXECUTABLE=$PWD/$BUILD/pkg-config")
  fi
  if command -v ccache >/dev/null; then
    local launcher="env;CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/mose/ccache};CCACHE_BASEDIR=$PWD;CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime;ccache"
    args+=("-DCMAKE_CXX_COMPILER_LAUNCHER=$launcher" "-DCMAKE_CUDA_COMPILER_LAUNCHER=$launcher")
  fi
  export TORCH_CUDA_ARCH_LIST=9.0 PKG_CONFIG_PATH="$LIB/pkgconfig:$ROOT/usr/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  echo "cmake ${args[*]}" >"$LOGS/build.log"
  if ! timeout "$(cap 150)" cmake "${args[@]}" >>"$LOGS/build.log" 2>&1; then
    tail -n 40 "$LOGS/build.log"
    return 1
  fi
  grep -E '^-- (mose|Found)' "$LOGS/build.log"
  found_dependencies | tee -a "$LOGS/build.log"
}

# Where CMake found each carried dependency: all of them should be under .debs/root.
found_dependencies() {
  echo "dependencies found (CMakeCache.txt):"
  grep -E '^(fmt_DIR|SQLite3_INCLUDE_DIR|SQLite3_LIBRARY|ZLIB_INCLUDE_DIR|ZLIB_LIBRARY_RELEASE|Catch2_DIR|CLI11_DIR|PostgreSQL_INCLUDE_DIR|PostgreSQL_LIBRARY_RELEASE|PKG_CONFIG_EXECUTABLE|pkgcfg_lib_[A-Z]+_[a-z_]+|CMAKE_CUDA_COMPILER|Torch_DIR):' \
    "$BUILD/CMakeCache.txt" | sed -e 's/^/  /' -e "s|$ROOT|.debs/root|g"
}

build() {
  say "build $TARGETS (-j$JOBS) -> $LOGS/build.log"
  local t0=$SECONDS
  # shellcheck disable=SC2086  # one word per target
  if ! timeout "$(cap "${GPU_SH_BUILD_TIMEOUT:-420}")" cmake --build "$BUILD" --parallel "$JOBS" --target $TARGETS >>"$LOGS/build.log" 2>&1; then
    echo "build failed or timed out after $((SECONDS - t0)) s; its last lines:"
    grep -nE 'error|Error|FAILED' "$LOGS/build.log" | head -n 20
    tail -n 60 "$LOGS/build.log"
    return 1
  fi
  echo "built in $((SECONDS - t0)) s"
}

# Catch2 v2: "[cuda]" is a tag filter; the exit status counts failed assertions.
run_tests() {
  local suite rc
  for suite in mose_kernels_tests mose_core_tests; do
    targeted "$suite" || continue
    say "$suite \"[cuda]\" -> $LOGS/tests.log"
    echo "== $suite [cuda]" >>"$LOGS/tests.log"
    timeout "$(cap 120)" "${OURS[@]}" "$BUILD/tests/$suite" "[cuda]" --durations yes \
      >"$LOGS/tests.part" 2>&1
    rc=$?
    cat "$LOGS/tests.part" >>"$LOGS/tests.log"
    tail -n 25 "$LOGS/tests.part"
    rm -f "$LOGS/tests.part"
    if [ "$rc" -ne 0 ]; then echo "$suite: exit status $rc"; failed+=("$suite"); fi
  done
}

# A program's measurements reach the console once, in the table at the end; its other
# output (errors, warnings) is shown as it ends.
show_unmeasured() { grep -vE '^\{"bench"' "$1" | tail -n 20; }

run_benches() {
  targeted train_bench || return 0
  say "train_bench $TRAIN_BENCH_ARGS -> $LOGS/train_bench.log"
  # shellcheck disable=SC2086  # the arguments are words on purpose
  timeout "$(cap 180)" "${OURS[@]}" "$BUILD/bench/train_bench" $TRAIN_BENCH_ARGS >"$LOGS/train_bench.log" 2>&1 \
    || failed+=(train_bench)
  show_unmeasured "$LOGS/train_bench.log"
}

run_reference() {
  say "$PYTHON .debs/ref_moe.py $REF_ARGS -> $LOGS/ref_moe.log"
  # shellcheck disable=SC2086
  PYTHONUNBUFFERED=1 timeout "$(cap 180)" "$PYTHON" .debs/ref_moe.py $REF_ARGS >"$LOGS/ref_moe.log" 2>&1 \
    || failed+=(ref_moe)
  show_unmeasured "$LOGS/ref_moe.log"
}

: >"$LOGS/tests.log"
environment
if configure && build; then
  run_tests
  run_benches
else
  failed+=(build)
fi
run_reference
if [ "$DRY" != 1 ]; then
  nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv >>"$LOGS/env.txt" 2>&1
fi
say "table -> $LOGS/table.txt"
python3 bench/gpu_table.py "$LOGS/train_bench.log" "$LOGS/ref_moe.log" 2>&1 | tee "$LOGS/table.txt" \
  || failed+=(table)
if [ ${#failed[@]} -gt 0 ]; then
  echo "gpu.sh: FAILED: ${failed[*]} (logs in $LOGS) after ${SECONDS} s"
  exit 1
fi
echo "gpu.sh: all steps passed after ${SECONDS} s (logs in $LOGS)"

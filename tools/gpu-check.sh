#!/usr/bin/env bash
# Issue 14's GPU check in one command, for a machine with an NVIDIA GPU and a CUDA PyTorch but
# without Debian's libraries (this workplace's device machines; tools/device-kit.sh gathered
# them into .devkit/ beforehand, here). It unpacks the kit into a prefix, builds orch against
# that machine's PyTorch LibTorch (tools/build-libtorch.sh), runs a short cheetah-run TD-MPC2 run
# on the device, times update and planning beside ../shared/bench/tdmpc2_ref.py (copied into
# .devkit/ by the kit) on the same device, and measures a paper-budget run's ms per
# environment step for the hours a seed takes. Everything lands in $OUT (or /tmp/gpu-check).
#
#   tools/gpu-check.sh [cuda|cpu] [--quick]
#     cpu: the same steps on the CPU; --quick: size 1 only and shorter runs (to test the kit and
#     this script on a machine without a GPU)
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-cuda}
sizes=1,5,19 short_steps=2000 paper_steps=4000 seed_steps=1000 iters=() paper=()
# the time limits (s) of the three measuring steps, so that one slow step cannot take the whole
# call past the device's 10 minutes (a stopped run keeps what it logged)
short_limit=150 bench_limit=180 paper_limit=200
if [[ "${2:-}" == "--quick" ]]; then
  # the "paper" run at the cpu budget: only the script's steps are under test
  sizes=1 short_steps=600 paper_steps=700 seed_steps=100 iters=(--iters 5) paper=(budget=cpu)
fi
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"
exec > >(tee "$out/gpu-check.log") 2>&1
# each step's heading: which of the 7, the time so far and, once built, the most the steps left
# can take (the sum of their time limits)
step_index=0 limits_left=""
step() {
  step_index=$((step_index + 1))
  local bound=""
  [[ -n $limits_left ]] && bound=", at most $((limits_left / 60)):$(printf %02d $((limits_left % 60))) to go"
  echo
  echo "== [$step_index/7] $(date +%T), $((SECONDS / 60)):$(printf %02d $((SECONDS % 60))) in$bound: $*"
}

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
python=$(command -v python3)
"$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda,
  "available", torch.cuda.is_available(), "C++11 ABI", torch.compiled_with_cxx11_abi())'
torch_dir=$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')

step "the libraries of .devkit/, unpacked into a prefix"
prefix=/tmp/orch-deps
if [[ -d .devkit ]] && ls .devkit/*.deb >/dev/null 2>&1; then
  mkdir -p "$prefix"
  for deb in .devkit/*.deb; do
    if command -v dpkg-deb >/dev/null; then
      dpkg-deb -x "$deb" "$prefix"
    else
      (tmp=$(mktemp -d) && cd "$tmp" && ar x "$OLDPWD/$deb" && tar -xf data.tar.* -C "$prefix" &&
        rm -rf "$tmp")
    fi
  done
  lib="$prefix/usr/lib/x86_64-linux-gnu"
  # their pkg-config files name /usr; MuJoCo's cmake file wants OpenGL, so it is found by name
  # (a header-only library's, CLI11's, under share/)
  sed -i -E "s#^(prefix|exec_prefix)=/usr#\1=$prefix/usr#" "$lib"/pkgconfig/*.pc \
    "$prefix"/usr/share/pkgconfig/*.pc
  export PKG_CONFIG_PATH="$lib/pkgconfig:$prefix/usr/share/pkgconfig" CMAKE_PREFIX_PATH="$prefix/usr"
  export CPATH="$prefix/usr/include:$prefix/usr/include/x86_64-linux-gnu" LIBRARY_PATH="$lib"
  export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  command -v pkg-config >/dev/null || export PATH="$PATH:$prefix/usr/bin"
  ls .devkit/*.deb | wc -l | xargs echo "packages:"
else
  echo "no .devkit/: the libraries must be installed (tools/setup.sh)"
fi

step "build against $torch_dir"
export CMAKE_BUILD_PARALLEL_LEVEL=$(nproc)
time tools/build-libtorch.sh "$torch_dir"
ninja -C build-libtorch bench/tdmpc2_bench >/dev/null
# the worker must load libtorch_cuda, or CUDA's kernels never register (meson.build links it
# --no-as-needed)
readelf -d build-libtorch/src/app/orch-worker | grep -E 'NEEDED.*(torch|c10)'

# the store and its run directories stay outside $OUT (which takes a few files); its file is
# copied there at the end
store=/tmp/gpu-check-store/orch.db
rm -rf "$(dirname "$store")"
orch=build-libtorch/src/app/orch
limits_left=$((short_limit + bench_limit + paper_limit))
step "a short cheetah-run TD-MPC2 run on $device"
time timeout "$short_limit" "$orch" run configs/tdmpc2/cheetah.yaml budget=cpu "run.device=$device" \
  "tdmpc2.steps=$short_steps" "tdmpc2.seed_steps=$seed_steps" tdmpc2.eval_episodes=2 \
  multi_gamma.enabled=true --store "$store" \
  --name gpu-check-short || echo "the short run failed (exit $?)"
"$orch" show gpu-check-short --store "$store" | head -40 || true

limits_left=$((bench_limit + paper_limit))
step "update and planning beside PyTorch on $device, sizes $sizes"
reference=../shared/bench/tdmpc2_ref.py
[[ -f $reference ]] || reference=.devkit/tdmpc2_ref.py
timeout "$bench_limit" build-libtorch/bench/tdmpc2_bench --device "$device" --sizes "$sizes" "${iters[@]}" \
  --python "$python" --reference "$reference" | tee "$out/bench.txt" || echo "the bench failed"

limits_left=$paper_limit
step "a paper-budget run (${paper[*]:-size 5}): ms per agent step after seeding, on $device"
timeout "$paper_limit" "$orch" run configs/tdmpc2/cheetah.yaml "${paper[@]}" "run.device=$device" \
  "tdmpc2.steps=$paper_steps" "tdmpc2.seed_steps=$seed_steps" tdmpc2.eval_episodes=1 \
  multi_gamma.enabled=true --store "$store" \
  --name gpu-check-paper || echo "the paper-budget run failed (exit $?)"
"$orch" export gpu-check-paper --store "$store" --format csv --key system/ms_per_iter \
  --out "$out/paper.csv"
budget_steps=$("$orch" compose configs/tdmpc2/cheetah.yaml --json |
  "$python" -c 'import json, sys; print(json.load(sys.stdin)["tdmpc2"]["steps"])')
"$python" - "$out/paper.csv" "$budget_steps" <<'PY'
import csv, sys
ms = [float(r["value"]) for r in csv.DictReader(open(sys.argv[1]))
      if r["key"] == "system/ms_per_iter" and r["value"]]
steps = int(sys.argv[2])
if ms:
    mean = sum(ms[1:] or ms) / len(ms[1:] or ms)  # past the first training episode (warm-up)
    print(f"ms per agent step (update + plan), {len(ms)} episodes: {mean:.2f}")
    print(f"projected hours a seed at the paper budget ({steps} agent steps): "
          f"{mean * steps / 3.6e6:.1f} (environment, evaluation and logging excluded)")
PY
cp "$store" "$out/orch.db"
limits_left=""
step "done"

#!/usr/bin/env bash
# Installs every Debian package orch needs to build, test and plot; with --bench also what the
# benchmarks compare against (Debian's PyTorch, for bench/tdmpc2_bench's reference).
# This file is the single source of the package list: .ci/run and the README call it.
set -euo pipefail

# the libraries orch builds with besides LibTorch, CLI11 headers only (tools/device-kit.sh
# gathers these for a machine with a CUDA PyTorch and no Debian archive: --libraries prints them)
LIBRARIES=(libyaml-cpp-dev libsqlitecpp-dev libsqlite3-dev libtbb-dev libfmt-dev libmujoco-dev
           libssl-dev libcli11-dev)
if [[ "${1:-}" == "--libraries" ]]; then
  echo "${LIBRARIES[@]}"
  exit 0
fi

PACKAGES=(
  # toolchain; cmake is needed by Meson's cmake dependency lookups (SQLiteCpp, MuJoCo)
  build-essential meson ninja-build pkg-config cmake ccache git
  # tools/format.sh: the format check of .ci/run (Debian's clang-format 14)
  clang-format
  # libraries: Debian's LibTorch 1.13 (CPU), the others, the tests' googletest
  libtorch-dev "${LIBRARIES[@]}" libgtest-dev libgmock-dev
  # without an explicit OpenBLAS, libtorch falls back to reference BLAS (7-12x slower)
  libopenblas0-openmp
  # launcher=slurm, and the SLURM tests' throw-away cluster (tools/local-slurm.sh); procps for
  # pkill, with which a SLURM test kills a task's processes outright
  slurmctld slurmd slurm-client munge procps
  # tools/: plots and reports, and sqlite3 for reading the store by hand
  python3 python3-matplotlib python3-numpy sqlite3
)
# only with --bench: build/bench/tdmpc2_bench runs ../shared/bench/tdmpc2_ref.py side by side
BENCH_PACKAGES=(python3-torch)
if [[ "${1:-}" == "--bench" ]]; then PACKAGES+=("${BENCH_PACKAGES[@]}"); fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

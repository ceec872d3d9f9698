#!/usr/bin/env bash
# Builds orch and its worker against an upstream LibTorch (a CUDA one, say) instead of Debian's
# 1.13, in build-libtorch/, the other dependencies found as usual (tools/setup.sh).
#
#   tools/build-libtorch.sh PATH       PATH: a LibTorch distribution (libtorch/) or the torch/
#                                      folder of a pip-installed PyTorch:
#                                      python3 -c "import torch,os; print(os.path.dirname(torch.__file__))"
#
# Then run with that worker: ORCH_WORKER=build-libtorch/src/app/orch-worker orch run ... run.device=cuda
# (or use build-libtorch/src/app/orch, whose worker is beside it). CI builds Debian's only.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $# -ne 1 || ! -d "$1/include" || ! -d "$1/lib" ]]; then
  echo "usage: tools/build-libtorch.sh PATH  (PATH holds include/ and lib/ of a LibTorch)" >&2
  exit 2
fi
libtorch=$(cd "$1" && pwd)
if [[ ! -f build-libtorch/build.ninja ]]; then
  meson setup build-libtorch --buildtype=release -Dlibtorch="$libtorch" -Dtests=false
else
  meson configure build-libtorch -Dlibtorch="$libtorch"
fi
ninja -C build-libtorch src/app/orch src/app/orch-worker
echo "built against $libtorch: build-libtorch/src/app/orch and orch-worker"

#!/usr/bin/env bash
# Gathers in .devkit/ what tools/gpu-check.sh needs on a GPU machine that has a CUDA PyTorch but
# neither Debian's libraries nor a way to fetch them (this workplace's device machines): the
# Debian packages of the libraries orch links besides LibTorch (tools/setup.sh --libraries), of
# pkg-config, and of their run-time dependencies, less what every Linux with a C++ compiler
# has. Run it here, where apt-get reaches the archive; the device call then carries .devkit
# (git ignores it).
set -euo pipefail
cd "$(dirname "$0")/.."

# the C library, the compiler's run time and what they pull in: present on any build machine
BASE='^(gcc-[0-9]+-base|libc6|libc6-dev|libc-dev-bin|libgcc-s1|libstdc\+\+6|libcrypt1|libcrypt-dev|libnsl2|libnsl-dev|libtirpc.*|linux-libc-dev|rpcsvc-proto|libcom-err2|libgssapi-krb5-2|libk5crypto3|libkeyutils1|libkrb5-3|libkrb5support0|libudev1)$'
read -r -a libraries <<<"$(tools/setup.sh --libraries)"
# and pkg-config, without which Meson finds no TBB (an image with CUDA may lack it)
mapfile -t packages < <(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
  --no-breaks --no-replaces --no-enhances --no-pre-depends "${libraries[@]}" pkgconf |
  grep -v '^[ <]' | sort -u | grep -Ev "$BASE")

rm -rf .devkit
mkdir -p .devkit
# the PyTorch reference the bench runs beside ours (../shared does not travel to the device)
cp ../shared/bench/tdmpc2_ref.py .devkit/
(cd .devkit && apt-get download -q -o APT::Sandbox::User=root "${packages[@]}" >/dev/null)
echo "device-kit: ${#packages[@]} packages, $(du -sh .devkit | cut -f1) in .devkit/:"
ls .devkit

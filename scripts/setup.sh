#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian package the project needs (idempotent; apt-get only).
# Usage: scripts/setup.sh        (as root, or with sudo available)
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # CPU backend
  libxsimd-dev libopenblas-dev liblapacke-dev
  # Vulkan backend
  libvulkan-dev libshaderc-dev glslc mesa-vulkan-drivers vulkan-validationlayers
  # tests, benchmarks, IO
  libgtest-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev
  # safety net: libFuzzer and the sanitizer runtimes come with clang; the API reference
  clang libclang-rt-14-dev doxygen
  # data for the main example
  dataset-fashion-mnist
  # examples/resnet decodes PNG/JPEG/PPM with stb_image: the field's well-kept single-file
  # image decoder, which Debian packages compiled (libstb.so, pkg-config stb)
  libstb-dev
  # benchmark peers
  libeigen3-dev xtensor-dev python3-numpy python3-torch
  libadolc-dev  # ADOL-C: the scalar autodiff benchmark's peer (issue 4)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup.sh: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the GPU benchmarks and the Vulkan test binaries as self-contained programs in
# .gpu/vk/ (git-ignored) for a machine with a GPU but no Vulkan loader or compiler (the
# device machine, ../shared/gpu/README.md): libstdc++, shaderc/glslang/SPIRV-Tools, OpenBLAS
# and GoogleTest linked statically; the Vulkan loader is opened at run time from Debian's
# libvulkan1 .deb carried in .gpu/debs/.
# Usage: scripts/device_gpu_build.sh [benchmarks/gpu/X.cpp | tests/backend/vulkan/X_test.cpp |
#          NAME=tests/ops/a_test.cpp,tests/ops/b_test.cpp ...]
# NAME=files builds one test binary .gpu/vk/NAME from op test files plus tests/gpu_device.cpp
# and tests/test_env.cpp: run it with MLXPP_TEST_DEVICE=gpu to run those suites on the GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu/vk .gpu/debs
if ! ls .gpu/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  (cd .gpu/debs && apt-get download libvulkan1 libglvnd0 libglx0 libegl1)
fi
srcs=("$@")
[ ${#srcs[@]} -eq 0 ] && srcs=(benchmarks/gpu/*.cpp tests/backend/vulkan/*_test.cpp)
A=/usr/lib/x86_64-linux-gnu
SHADERC="$A/libshaderc_combined.a $A/libglslang.a $A/libMachineIndependent.a $A/libOSDependent.a \
  $A/libGenericCodeGen.a $A/libOGLCompiler.a $A/libSPIRV.a $A/libSPIRV-Tools-opt.a $A/libSPIRV-Tools.a"
BLAS="$A/openblas-pthread/libopenblas.a /usr/lib/gcc/x86_64-linux-gnu/12/libgfortran.a \
  /usr/lib/gcc/x86_64-linux-gnu/12/libquadmath.a"
for s in "${srcs[@]}"; do
  name=$(basename "$s" .cpp)
  files=("$s")
  extra=""
  case "$s" in *_test.cpp) extra="$A/libgtest.a $A/libgtest_main.a" ;; esac
  case "$s" in *=*)
    name=${s%%=*}
    IFS=, read -r -a files <<< "${s#*=}"
    files+=(tests/gpu_device.cpp tests/test_env.cpp)
    extra="$A/libgtest.a $A/libgtest_main.a" ;;
  esac
  nice -n 5 g++ -std=c++20 -O2 -march=x86-64-v3 -Iinclude -Itests -DMLXPP_WITH_OPENBLAS=1 \
    -DMLXPP_WITH_VULKAN=1 "${files[@]}" \
    -o ".gpu/vk/$name" -static-libstdc++ -static-libgcc $extra $SHADERC $BLAS -ldl -pthread -lm
  strip ".gpu/vk/$name"
  echo "built .gpu/vk/$name"
done

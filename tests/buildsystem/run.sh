#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds and runs one consumer of mlxpp the way a user's project would (docs/cmake.md).
# Usage: run.sh <case> <mlxpp source dir> <mlxpp build dir> <work dir> <C++ compiler>
#   install           cmake --install into <work>/staging, then move it to <work>/prefix (so
#                     every case below that uses the prefix also proves it relocatable)
#   version           the installed version file: ARCH_INDEPENDENT, same minor only
#   find_package      find_package(mlxpp 0.1) against the moved prefix
#   pkg-config        g++ $(pkg-config --cflags --libs mlxpp) against the moved prefix
#   add_subdirectory  the source tree as third_party/mlxpp
#   fetchcontent      FetchContent from a local tarball of CMakeLists.txt, cmake/, include/
#   fetchcontent_installed  FetchContent from git with FIND_PACKAGE_ARGS: the moved prefix
#                     wins, nothing is cloned (configured only; CMake >= 3.24)
#   vendor            include/ copied alone, plain g++, no package, no definitions
# Each case builds tests/buildsystem/main.cpp at -O0 and runs it; it checks its result.
set -euo pipefail

case_name=$1 src=$2 build=$3 work=$4 cxx=$5
here=$(cd "$(dirname "$0")" && pwd)
prefix=$work/prefix
version=$(sed -n 's/^#define MLXPP_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
  "$src/include/mlx/version.hpp" | paste -sd.)
log() { printf '[buildsystem %s] %s\n' "$case_name" "$*"; }
fail() { printf '[buildsystem %s] FAILED: %s\n' "$case_name" "$*" >&2; exit 1; }

# A consumer project: main.cpp (and its CMakeLists.txt, if any) in a fresh folder, as a user
# has them.
project_dir() {
  local dir=$work/$case_name
  rm -rf "$dir" && mkdir -p "$dir/src"
  cp "$here/main.cpp" "$dir/src/"
  if [[ -f $here/$case_name/CMakeLists.txt ]]; then cp "$here/$case_name/CMakeLists.txt" "$dir/src/"; fi
  echo "$dir"
}

# Configure, build and run a CMake consumer at -O0 (the program is trivial; the headers cost).
cmake_consumer() {
  local dir=$1; shift
  cmake -S "$dir/src" -B "$dir/build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE= \
    -DCMAKE_CXX_FLAGS=-O0 -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "$@" >"$dir/configure.log" 2>&1 \
    || { cat "$dir/configure.log"; fail "configure"; }
  cmake --build "$dir/build" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; fail "build"; }
  "$dir/build/app" || fail "the program's result"
}

need_prefix() {
  [[ -d $prefix ]] || fail "no install in $prefix (the buildsystem.install test sets it up)"
}

case $case_name in
  install)
    rm -rf "$work/staging" "$prefix"
    mkdir -p "$work"
    cmake --install "$build" --prefix "$work/staging" >"$work/install.log" \
      || { cat "$work/install.log"; fail "cmake --install"; }
    mv "$work/staging" "$prefix"
    # Nothing installed may point back into the source or build tree, or at the staging path.
    if grep -rlF -e "$src/" -e "$build" -e "$work/staging" "$prefix"; then
      fail "the files above name the source, build or staging folder"
    fi
    [[ -f $prefix/include/mlx/mlx.hpp ]] || fail "no include/mlx/mlx.hpp"
    log "installed to $work/staging, moved to $prefix"
    ;;

  version)
    need_prefix
    version_file=$(find "$prefix" -name mlxppConfigVersion.cmake)
    [[ -n $version_file ]] || fail "no mlxppConfigVersion.cmake"
    major=${version%%.*} minor=$(cut -d. -f2 <<<"$version")
    # Include the version file as find_package does, for a 32-bit consumer too (ARCH_INDEPENDENT).
    for req in "$major.$minor:TRUE" "$version:TRUE" "$major.$((minor + 1)):FALSE" \
               "$((major + 1)).0:FALSE"; do
      want=${req#*:} req=${req%%:*}
      for bits in 8 4; do
        got=$(cmake -DPACKAGE_FIND_VERSION="$req" -DCMAKE_SIZEOF_VOID_P=$bits \
          -DFILE="$version_file" -P "$here/version_check.cmake" 2>&1)
        [[ $got == "$want" ]] || fail "find_package(mlxpp $req), $bits-byte pointers: got '$got', want $want"
      done
    done
    # And a real find_package of a too-new minor must stop the configure.
    dir=$work/version && rm -rf "$dir" && mkdir -p "$dir"
    if cmake -S "$here/too_new" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
         -DMLXPP_REQUEST="$major.$((minor + 1))" >"$dir/configure.log" 2>&1; then
      fail "find_package(mlxpp $major.$((minor + 1))) accepted version $version"
    fi
    grep -q "not compatible\|version" "$dir/configure.log" || { cat "$dir/configure.log"; fail "unexpected error"; }
    log "version $version: same-minor requests accepted, newer minor and major refused, any pointer size"
    ;;

  find_package)
    need_prefix
    dir=$(project_dir)
    cmake_consumer "$dir" -DCMAKE_PREFIX_PATH="$prefix" -DMLXPP_EXPECT_PREFIX="$prefix" \
      -DMLXPP_EXPECT_VERSION="$version"
    ;;

  pkg-config)
    need_prefix
    pc=$(find "$prefix" -name mlxpp.pc)
    [[ -n $pc ]] || fail "no mlxpp.pc"
    PKG_CONFIG_PATH=$(dirname "$pc") && export PKG_CONFIG_PATH
    got=$(pkg-config --modversion mlxpp)
    [[ $got == "$version" ]] || fail "pkg-config --modversion mlxpp is '$got', want $version"
    flags=$(pkg-config --cflags --libs mlxpp)
    incdir=$(pkg-config --cflags-only-I mlxpp | tr ' ' '\n' | sed -n 's/^-I//p' | head -1)
    [[ $(realpath "$incdir") == "$(realpath "$prefix/include")" ]] \
      || fail "the first include folder is $incdir, not $prefix/include: $flags"
    dir=$(project_dir)
    # shellcheck disable=SC2086  # the flags are words
    "$cxx" -std=c++20 -O0 "$dir/src/main.cpp" $flags -o "$dir/app" || fail "g++ \$(pkg-config ...)"
    "$dir/app" || fail "the program's result"
    ;;

  add_subdirectory)
    dir=$(project_dir)
    mkdir -p "$dir/src/third_party" && ln -s "$src" "$dir/src/third_party/mlxpp"
    cmake_consumer "$dir"
    ;;

  fetchcontent)
    dir=$(project_dir)
    # What a release tarball needs: the build files and the headers, nothing else.
    (cd "$src" && cmake -E tar czf "$dir/mlxpp-$version.tar.gz" CMakeLists.txt cmake include)
    cmake_consumer "$dir" -DMLXPP_URL="file://$dir/mlxpp-$version.tar.gz"
    ;;

  fetchcontent_installed)
    need_prefix
    dir=$(project_dir)
    # An address that cannot answer: cloning it would fail the configure.
    cmake -S "$dir/src" -B "$dir/build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
      -DMLXPP_EXPECT_PREFIX="$prefix" -DMLXPP_GIT_REPOSITORY=https://mlxpp.invalid/mlxpp.git \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$dir/configure.log" 2>&1 \
      || { cat "$dir/configure.log"; fail "configure"; }
    log "FIND_PACKAGE_ARGS took the installed copy; nothing was cloned"
    ;;

  vendor)
    dir=$(project_dir)
    mkdir -p "$dir/src/third_party" && cp -r "$src/include" "$dir/src/third_party/"
    # The pure CPU path: C++20, the include folder, -pthread; xsimd and nlohmann/json come
    # from the system include path. (OpenBLAS: add -DMLXPP_WITH_OPENBLAS=1 ... -lopenblas
    # -llapacke, as the pkg-config case does.)
    "$cxx" -std=c++20 -O0 -I"$dir/src/third_party/include" "$dir/src/main.cpp" -pthread \
      -o "$dir/app" || fail "g++ with the vendored headers"
    "$dir/app" || fail "the program's result"
    ;;

  *) fail "unknown case (see the usage at the top of $0)" ;;
esac

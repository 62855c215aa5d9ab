# SPDX-License-Identifier: MIT
# Finds LAPACKE (the C interface to LAPACK) and defines the imported target LAPACKE::LAPACKE.
#
# Used by the top-level CMakeLists.txt and, installed next to mlxppConfig.cmake, by the
# package config, so the build tree and the install tree find LAPACKE the same way.
#
# Result variables: LAPACKE_FOUND, LAPACKE_INCLUDE_DIR, LAPACKE_LIBRARY.
# Hints: LAPACKE_ROOT (CMake's <Package>_ROOT), or set LAPACKE_INCLUDE_DIR / LAPACKE_LIBRARY.
#
# Debian/Ubuntu: liblapacke-dev (lapacke.h in /usr/include, liblapacke.so, which calls the
# LAPACK that update-alternatives selects, i.e. OpenBLAS's when libopenblas-dev is installed).
# Builds of OpenBLAS that bundle LAPACKE (NO_LAPACKE=0) install lapacke.h next to cblas.h;
# point LAPACKE_LIBRARY at libopenblas there.

find_path(LAPACKE_INCLUDE_DIR lapacke.h PATH_SUFFIXES lapacke openblas)
find_library(LAPACKE_LIBRARY NAMES lapacke)
mark_as_advanced(LAPACKE_INCLUDE_DIR LAPACKE_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LAPACKE REQUIRED_VARS LAPACKE_LIBRARY LAPACKE_INCLUDE_DIR)

if(LAPACKE_FOUND AND NOT TARGET LAPACKE::LAPACKE)
  add_library(LAPACKE::LAPACKE UNKNOWN IMPORTED)
  set_target_properties(LAPACKE::LAPACKE PROPERTIES
    IMPORTED_LOCATION "${LAPACKE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LAPACKE_INCLUDE_DIR}")
endif()

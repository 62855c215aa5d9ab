# SPDX-License-Identifier: MIT
# run.sh version: reads an installed mlxppConfigVersion.cmake the way find_package does and
# prints TRUE if it accepts PACKAGE_FIND_VERSION for a consumer with CMAKE_SIZEOF_VOID_P.
# cmake -DFILE=<version file> -DPACKAGE_FIND_VERSION=0.1 -DCMAKE_SIZEOF_VOID_P=8 -P version_check.cmake
cmake_policy(VERSION 3.21)
string(REPLACE "." ";" _parts "${PACKAGE_FIND_VERSION}.0.0")
list(GET _parts 0 PACKAGE_FIND_VERSION_MAJOR)
list(GET _parts 1 PACKAGE_FIND_VERSION_MINOR)
list(GET _parts 2 PACKAGE_FIND_VERSION_PATCH)
set(PACKAGE_FIND_NAME mlxpp)
include("${FILE}")
if(PACKAGE_VERSION_COMPATIBLE AND NOT PACKAGE_VERSION_UNSUITABLE)
  message("TRUE")
else()
  message("FALSE")
endif()

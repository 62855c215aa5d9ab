# SPDX-License-Identifier: MIT
# Included right after find_package(xsimd), by CMakeLists.txt and by mlxppConfig.cmake.
#
# Debian 12's xsimd 8.1 exports target `xsimd` with the plain name `xtl` in its
# INTERFACE_LINK_LIBRARIES, but its config never looks for xtl and libxsimd-dev does not
# depend on xtl-dev. Where no target `xtl` exists, every consumer would get `-lxtl` on its
# link line and fail. xsimd uses xtl only for its optional xtl::xcomplex support, which we do
# not enable, so an empty target is a faithful stand-in when xtl itself is not installed.
if(TARGET xsimd AND NOT TARGET xtl)
  get_target_property(_mlxpp_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
  if("xtl" IN_LIST _mlxpp_xsimd_links)
    find_package(xtl QUIET)
    if(NOT TARGET xtl)
      add_library(xtl INTERFACE IMPORTED)
    endif()
  endif()
  unset(_mlxpp_xsimd_links)
endif()

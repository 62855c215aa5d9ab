# SPDX-License-Identifier: MIT
# Findshaderc: libshaderc for compiling generated GLSL at run time (the Vulkan backend).
# Defines shaderc::shaderc. Debian's libshaderc-dev ships a static libshaderc_combined.a that
# still needs glslang's and SPIRV-Tools' static libraries (and its libshaderc.so lacks its
# glslang dependency), so the static archives are linked in the order they depend on each
# other. Elsewhere, a shared libshaderc_shared / libshaderc is used as is.
find_path(shaderc_INCLUDE_DIR shaderc/shaderc.hpp)
find_library(shaderc_COMBINED_LIBRARY NAMES libshaderc_combined.a shaderc_combined)
set(_shaderc_parts glslang MachineIndependent OSDependent GenericCodeGen OGLCompiler SPIRV
    SPIRV-Tools-opt SPIRV-Tools)
set(_shaderc_libs "")
set(_shaderc_missing "")
if(shaderc_COMBINED_LIBRARY)
  foreach(_p IN LISTS _shaderc_parts)
    find_library(shaderc_${_p}_LIBRARY NAMES lib${_p}.a ${_p})
    if(shaderc_${_p}_LIBRARY)
      list(APPEND _shaderc_libs "${shaderc_${_p}_LIBRARY}")
    elseif(NOT _p STREQUAL "OGLCompiler")  # merged into glslang in newer releases
      list(APPEND _shaderc_missing ${_p})
    endif()
  endforeach()
endif()
if(NOT shaderc_COMBINED_LIBRARY OR _shaderc_missing)
  find_library(shaderc_SHARED_LIBRARY NAMES shaderc_shared)
endif()

include(FindPackageHandleStandardArgs)
if(shaderc_COMBINED_LIBRARY AND NOT _shaderc_missing)
  find_package_handle_standard_args(shaderc REQUIRED_VARS shaderc_INCLUDE_DIR shaderc_COMBINED_LIBRARY)
else()
  find_package_handle_standard_args(shaderc REQUIRED_VARS shaderc_INCLUDE_DIR shaderc_SHARED_LIBRARY)
endif()

if(shaderc_FOUND AND NOT TARGET shaderc::shaderc)
  find_package(Threads REQUIRED)
  add_library(shaderc::shaderc INTERFACE IMPORTED)
  set_target_properties(shaderc::shaderc PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${shaderc_INCLUDE_DIR}")
  if(shaderc_COMBINED_LIBRARY AND NOT _shaderc_missing)
    target_link_libraries(shaderc::shaderc INTERFACE "${shaderc_COMBINED_LIBRARY}" ${_shaderc_libs}
      Threads::Threads)
  else()
    target_link_libraries(shaderc::shaderc INTERFACE "${shaderc_SHARED_LIBRARY}")
  endif()
endif()

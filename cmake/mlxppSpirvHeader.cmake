# SPDX-License-Identifier: MIT
# Compiles GLSL compute shaders to SPIR-V with glslc and writes each as a C++ header
# (<name>.spv.hpp beside its source, `inline constexpr uint32_t <name>_spv[]`), so that the
# fixed kernels ship as checked-in headers and consumers need no glslc. Run as a script:
#   cmake -DGLSLC=<glslc> -DCOMP=<dir>/<name>.comp -DHEADER=<out.hpp> -P mlxppSpirvHeader.cmake
#     one shader (the mlx_shaders target runs this per shader);
#   cmake -DGLSLC=<glslc> -DSHADER_DIR=<dir> -DCHECK_DIR=<tmp> -P mlxppSpirvHeader.cmake
#     regenerates every <dir>/*.comp into <tmp> and fails if a checked-in header differs
#     (the shaders_up_to_date test).
cmake_minimum_required(VERSION 3.20)

# The glslc flags; part of every header's comment, so a change shows in the diff.
set(_mlxpp_glslc_flags --target-env=vulkan1.2 -O)

function(mlxpp_spirv_header glslc comp header)
  get_filename_component(_name "${comp}" NAME_WE)
  get_filename_component(_dir "${comp}" DIRECTORY)
  get_filename_component(_file "${comp}" NAME)
  get_filename_component(_out_dir "${header}" DIRECTORY)
  set(_spv "${_out_dir}/${_name}.spv")
  # Run from the shader's folder with a relative path: the words then never depend on where
  # the tree lives.
  execute_process(COMMAND "${glslc}" ${_mlxpp_glslc_flags} "${_file}" -o "${_spv}"
    WORKING_DIRECTORY "${_dir}" RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "glslc failed on ${comp}:\n${_err}")
  endif()
  file(READ "${_spv}" _hex HEX)
  file(REMOVE "${_spv}")
  string(REGEX MATCHALL "........" _words "${_hex}")
  set(_body "")
  set(_line "")
  set(_n 0)
  foreach(_w IN LISTS _words)
    # SPIR-V files are little-endian words.
    string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1" _w "${_w}")
    string(APPEND _line " ${_w},")
    math(EXPR _n "${_n} + 1")
    if(_n EQUAL 8)
      string(APPEND _body "   ${_line}\n")
      set(_line "")
      set(_n 0)
    endif()
  endforeach()
  if(NOT _line STREQUAL "")
    string(APPEND _body "   ${_line}\n")
  endif()
  list(JOIN _mlxpp_glslc_flags " " _flags)
  file(WRITE "${header}.tmp"
"// Generated from ${_file} by cmake/mlxppSpirvHeader.cmake (target mlx_shaders), which ran
//   glslc ${_flags} ${_file}
// Do not edit: change the .comp and run `cmake --build <build> --target mlx_shaders`.
#pragma once

#include <cstdint>

namespace mlx::core::gpu::shaders {

inline constexpr uint32_t ${_name}_spv[] = {
${_body}};

}  // namespace mlx::core::gpu::shaders
")
  # Leave an unchanged header untouched (no rebuild of everything that includes it).
  execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${header}.tmp" "${header}")
  file(REMOVE "${header}.tmp")
endfunction()

if(DEFINED CHECK_DIR)
  file(GLOB _comps "${SHADER_DIR}/*.comp")
  file(MAKE_DIRECTORY "${CHECK_DIR}")
  set(_stale "")
  foreach(_c IN LISTS _comps)
    get_filename_component(_name "${_c}" NAME_WE)
    mlxpp_spirv_header("${GLSLC}" "${_c}" "${CHECK_DIR}/${_name}.spv.hpp")
    file(READ "${CHECK_DIR}/${_name}.spv.hpp" _new)
    set(_old "")
    if(EXISTS "${SHADER_DIR}/${_name}.spv.hpp")
      file(READ "${SHADER_DIR}/${_name}.spv.hpp" _old)
    endif()
    if(NOT _new STREQUAL _old)
      list(APPEND _stale "${_name}.spv.hpp")
    endif()
  endforeach()
  if(_stale)
    message(FATAL_ERROR "Out of date (regenerate with the mlx_shaders target): ${_stale}")
  endif()
  message(STATUS "All ${SHADER_DIR}/*.spv.hpp match their .comp sources.")
elseif(DEFINED COMP)
  mlxpp_spirv_header("${GLSLC}" "${COMP}" "${HEADER}")
endif()

# SPDX-License-Identifier: MIT
# The test docs_doxygen: runs doxygen and fails on any warning about a header's doc comment.
# Warnings about the Markdown pages are printed only: the pages are written for GitHub's
# Markdown, which doxygen reads a little differently (anchors, quotes in code spans).
# cmake -DDOXYGEN=<doxygen> -DDOXYFILE=<Doxyfile> -DLOG=<its WARN_LOGFILE> -P doxygen_check.cmake
get_filename_component(_out "${LOG}" DIRECTORY)
file(REMOVE_RECURSE "${_out}")
file(MAKE_DIRECTORY "${_out}")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}" RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "doxygen failed (${_rc})")
endif()
file(STRINGS "${LOG}" _warnings REGEX "warning:")
set(_in_headers "")
foreach(_w IN LISTS _warnings)
  message("${_w}")
  if(_w MATCHES "/include/mlx/")
    list(APPEND _in_headers "${_w}")
  endif()
endforeach()
list(LENGTH _warnings _n)
list(LENGTH _in_headers _h)
if(_h GREATER 0)
  message(FATAL_ERROR "doxygen: ${_h} of ${_n} warnings are about headers (above)")
endif()
message("doxygen: ${_n} warnings, none about a header")

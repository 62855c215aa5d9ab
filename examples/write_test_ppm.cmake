# SPDX-License-Identifier: MIT
# Writes a 3x2 binary PPM (P6) to OUT for the resnet smoke test: cmake -DOUT=f.ppm -P this.
# The pixel bytes are chosen printable ('0' = 48, dark; '~' = 126, light) so that file(WRITE)
# of a plain string writes them as is; no python or image tool is needed at test time.
if(NOT OUT)
  message(FATAL_ERROR "write_test_ppm.cmake: pass -DOUT=<file>")
endif()
set(_dark "000")   # one RGB pixel
set(_light "~~~")
# Row 1: dark light dark; row 2: light light light.
file(WRITE "${OUT}" "P6\n3 2\n255\n${_dark}${_light}${_dark}${_light}${_light}${_light}")

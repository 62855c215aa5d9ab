// SPDX-License-Identifier: MIT
// LAPACKE with std::complex as its complex types (LAPACKE's documented way for C++), in one
// place, so that every header that needs LAPACK agrees whichever includes it first.
#pragma once

#if MLXPP_WITH_OPENBLAS
#include <complex>
#ifndef lapack_complex_float
#define lapack_complex_float std::complex<float>
#endif
#ifndef lapack_complex_double
#define lapack_complex_double std::complex<double>
#endif
#include <lapacke.h>
#endif

// SPDX-License-Identifier: MIT
// Scalar automatic differentiation (namespace mlx::ad, docs/autodiff.md): forward mode
// (dual), reverse mode (var on a tape) and the helpers derivative, gradient, jacobian,
// hessian and hvp. Every derivative rule is a functor's jvp (expr/functors/).
#pragma once

#include "mlx/autodiff/dual.hpp"
#include "mlx/autodiff/helpers.hpp"
#include "mlx/autodiff/tape.hpp"

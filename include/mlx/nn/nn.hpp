// SPDX-License-Identifier: MIT
// The mlx::nn umbrella (MLX's mlx.nn): Module, layers, activations, losses, init and
// safetensors weights, and nn::value_and_grad. docs/nn.md describes them.
#pragma once

#include "mlx/nn/module.hpp"
#include "mlx/nn/activations.hpp"
#include "mlx/nn/losses.hpp"
#include "mlx/nn/init.hpp"
#include "mlx/nn/layers/activations.hpp"
#include "mlx/nn/layers/containers.hpp"
#include "mlx/nn/layers/linear.hpp"
#include "mlx/nn/save.hpp"
#include "mlx/nn/layers/normalization.hpp"
#include "mlx/nn/layers/dropout.hpp"
#include "mlx/nn/layers/embedding.hpp"
#include "mlx/nn/layers/quantized.hpp"
#include "mlx/nn/layers/conv.hpp"
#include "mlx/nn/layers/pooling.hpp"
#include "mlx/nn/layers/upsample.hpp"
#include "mlx/nn/layers/recurrent.hpp"
#include "mlx/nn/layers/positional_encoding.hpp"
#include "mlx/nn/layers/transformer.hpp"
#include "mlx/nn/utils.hpp"
#include "mlx/nn/value_and_grad.hpp"

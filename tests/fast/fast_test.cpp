// SPDX-License-Identifier: MIT
// Tests for mlx/fast/fast.hpp (mlx::core::fast): rms_norm, layer_norm, rope and
// scaled_dot_product_attention against PyTorch references computed in float64
// (tests/data/make_torch_fixtures.py writes tests/data/torch_fixtures.json), outputs and
// gradients (vjp of sum(out * cot)); half-precision inputs; every error.
#include "../error_message.hpp"
#include "../torch_fixtures.hpp"
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;
namespace fast = mlx::core::fast;
using mlxtest::expect_fixture;
using mlxtest::fixture_array;
using mlxtest::torch_case;

namespace {
using Fn = std::function<std::vector<mx::array>(const std::vector<mx::array>&)>;
/// The vjps of fn at `primals` for cotangent `cot` (one output).
std::vector<mx::array> vjps(const Fn& fn, const std::vector<mx::array>& primals, const mx::array& cot) {
  return mx::vjp(fn, primals, {cot}).second;
}
}  // namespace

TEST(FastNorms, RmsNormMatchesTorchWithGradients) {
  const auto& c = torch_case("fast_rms_norm");
  mx::array x = fixture_array(c["inputs"]["x"]), w = fixture_array(c["inputs"]["w"]);
  expect_fixture(fast::rms_norm(x, w, 1e-5f), c["outputs"]["y"], 1e-5, "y");
  auto g = vjps([](const std::vector<mx::array>& a) { return std::vector<mx::array>{fast::rms_norm(a[0], a[1], 1e-5f)}; },
                {x, w}, fixture_array(c["inputs"]["cot"]));
  expect_fixture(g[0], c["grads"]["x"], 1e-4, "dx");
  expect_fixture(g[1], c["grads"]["w"], 1e-4, "dw");
  // No weight: the normalised x itself.
  mx::array plain = fast::rms_norm(x, std::nullopt, 1e-5f);
  expect_fixture(mx::multiply(plain, w), c["outputs"]["y"], 1e-5, "y without weight, times w");
}

TEST(FastNorms, LayerNormMatchesTorchWithGradients) {
  const auto& c = torch_case("fast_layer_norm");
  mx::array x = fixture_array(c["inputs"]["x"]), w = fixture_array(c["inputs"]["w"]), b = fixture_array(c["inputs"]["b"]);
  expect_fixture(fast::layer_norm(x, w, b, 1e-5f), c["outputs"]["y"], 1e-5, "y");
  auto g = vjps(
      [](const std::vector<mx::array>& a) { return std::vector<mx::array>{fast::layer_norm(a[0], a[1], a[2], 1e-5f)}; },
      {x, w, b}, fixture_array(c["inputs"]["cot"]));
  expect_fixture(g[0], c["grads"]["x"], 1e-4, "dx");
  expect_fixture(g[1], c["grads"]["w"], 1e-4, "dw");
  expect_fixture(g[2], c["grads"]["b"], 1e-4, "db");
  mx::array no_affine = fast::layer_norm(x, std::nullopt, std::nullopt, 1e-5f);
  expect_fixture(mx::add(mx::multiply(no_affine, w), b), c["outputs"]["y"], 1e-5, "y without weight and bias");
}

TEST(FastNorms, HalfInputsKeepTheirDtype) {
  const auto& c = torch_case("fast_layer_norm");
  mx::array x = fixture_array(c["inputs"]["x"], mx::float16), w = fixture_array(c["inputs"]["w"], mx::float16);
  mx::array b = fixture_array(c["inputs"]["b"], mx::float16);
  mx::array y = fast::layer_norm(x, w, b, 1e-5f);
  EXPECT_EQ(y.dtype(), mx::float16);
  expect_fixture(y, c["outputs"]["y"], 2e-2, "float16 y", 1e-2);
  EXPECT_EQ(fast::rms_norm(x, w, 1e-5f).dtype(), mx::float16);
  EXPECT_EQ(fast::rms_norm(x, fixture_array(c["inputs"]["w"]), 1e-5f).dtype(), mx::float32);  // promotes
}

TEST(FastNorms, Errors) {
  mx::array x = mx::ones({2, 4});
  EXPECT_INVALID(fast::rms_norm(mx::array(1.0f), std::nullopt, 1e-5f), "[rms_norm] Input must have at least 1 dimension");
  EXPECT_INVALID(fast::rms_norm(mx::ones({2, 4}, mx::int32), std::nullopt, 1e-5f), "[rms_norm] Received unsupported type");
  EXPECT_INVALID(fast::rms_norm(x, mx::ones({3}), 1e-5f),
                 "[rms_norm] weight must have the same size as the last dimension of x (4) but has 3");
  EXPECT_INVALID(fast::rms_norm(x, mx::ones({1, 4}), 1e-5f), "[rms_norm] weight must have 1 dimension");
  EXPECT_INVALID(fast::layer_norm(x, std::nullopt, mx::ones({5}), 1e-5f),
                 "[layer_norm] bias must have the same size as the last dimension of x (4) but has 5");
}

TEST(FastRope, MatchesReferenceBothLayoutsWithGradients) {
  for (std::string tag : {"default", "traditional"}) {
    const auto& c = torch_case("fast_rope_" + tag);
    const bool trad = tag == "traditional";
    mx::array x = fixture_array(c["inputs"]["x"]);
    expect_fixture(fast::rope(x, 6, trad, 10000.0f, 0.5f, 3), c["outputs"]["y"], 1e-5, tag);
    auto g = vjps(
        [trad](const std::vector<mx::array>& a) {
          return std::vector<mx::array>{fast::rope(a[0], 6, trad, 10000.0f, 0.5f, 3)};
        },
        {x}, fixture_array(c["inputs"]["cot"]));
    expect_fixture(g[0], c["grads"]["x"], 1e-5, tag + " dx");
  }
}

TEST(FastRope, FrequenciesAndPerBatchOffsets) {
  const auto& c = torch_case("fast_rope_freqs_vector_offset");
  mx::array x = fixture_array(c["inputs"]["x"]), freqs = fixture_array(c["inputs"]["freqs"]);
  mx::array y = fast::rope(x, 6, false, std::nullopt, 1.0f, mx::array({1, 4}), freqs);
  expect_fixture(y, c["outputs"]["y"], 1e-5, "y");
  // A scalar array offset equals the int overload.
  mx::array a = fast::rope(x, 4, true, 500.0f, 2.0f, mx::array(7));
  mx::array b = fast::rope(x, 4, true, 500.0f, 2.0f, 7);
  EXPECT_TRUE(mx::array_equal(a, b).item<bool>());
  // The features past dims pass through unchanged.
  mx::array tail = mx::slice(y, {0, 0, 0, 6}, {2, 3, 5, 8});
  EXPECT_TRUE(mx::array_equal(tail, mx::slice(x, {0, 0, 0, 6}, {2, 3, 5, 8})).item<bool>());
}

TEST(FastRope, Errors) {
  mx::array x = mx::ones({2, 3, 8});
  EXPECT_INVALID(fast::rope(mx::ones({3, 8}), 8, false, 1e4f, 1.0f, 0), "[rope] Input must have at least 3 dimensions");
  EXPECT_INVALID(fast::rope(mx::ones({2, 3, 8}, mx::int32), 8, false, 1e4f, 1.0f, 0), "[rope] Input must be a floating type");
  EXPECT_INVALID(fast::rope(x, 7, false, 1e4f, 1.0f, 0), "[rope] dims must be even but got 7");
  EXPECT_INVALID(fast::rope(x, 0, false, 1e4f, 1.0f, 0), "[rope] dims must be positive");
  EXPECT_INVALID(fast::rope(x, 10, false, 1e4f, 1.0f, 0), "[rope] dims must not exceed the input's last dimension (8)");
  EXPECT_INVALID(fast::rope(x, 8, false, std::nullopt, 1.0f, 0), "[rope] Neither base nor freqs has a value");
  EXPECT_INVALID(fast::rope(x, 8, false, 1e4f, 1.0f, 0, mx::ones({4})), "[rope] Only one of base or freqs");
  EXPECT_INVALID(fast::rope(x, 8, false, std::nullopt, 1.0f, 0, mx::ones({3})),
                 "[rope] freqs must be one dimensional with size 4");
  EXPECT_INVALID(fast::rope(x, 8, false, 1e4f, 1.0f, mx::array({1, 2, 3})),
                 "[rope] offset must be a scalar or vector with 2 elements");
  EXPECT_INVALID(fast::rope(x, 8, false, 1e4f, 1.0f, mx::array(1.5f)), "[rope] offset must be an integer");
}

TEST(FastAttention, GroupedQueryAttentionEveryMaskWithGradients) {
  const auto& c = torch_case("fast_sdpa_gqa");
  const auto& in = c["inputs"];
  mx::array q = fixture_array(in["q"]), k = fixture_array(in["k"]), v = fixture_array(in["v"]);
  mx::array cot = fixture_array(in["cot"]);
  mx::array bool_mask = mx::astype(fixture_array(in["bool_mask"]), mx::bool_);
  mx::array add_mask = fixture_array(in["add_mask"]), sinks = fixture_array(in["sinks"]);
  struct Variant {
    std::string tag, mode;
    std::optional<mx::array> mask, sinks;
  };
  std::vector<Variant> variants = {{"none", "", std::nullopt, std::nullopt},
                                   {"causal", "causal", std::nullopt, std::nullopt},
                                   {"bool", "array", bool_mask, std::nullopt},
                                   {"additive", "", add_mask, std::nullopt},
                                   {"sinks", "", std::nullopt, sinks}};
  for (const auto& var : variants) {
    Fn f = [&](const std::vector<mx::array>& a) {
      return std::vector<mx::array>{fast::scaled_dot_product_attention(a[0], a[1], a[2], 0.35f, var.mode, var.mask,
                                                                       var.sinks)};
    };
    auto [outs, g] = mx::vjp(f, {q, k, v}, {cot});
    expect_fixture(outs[0], c["outputs"][var.tag], 1e-5, var.tag);
    expect_fixture(g[0], c["grads"][var.tag + "_q"], 1e-4, var.tag + " dq");
    expect_fixture(g[1], c["grads"][var.tag + "_k"], 1e-4, var.tag + " dk");
    expect_fixture(g[2], c["grads"][var.tag + "_v"], 1e-4, var.tag + " dv");
  }
}

TEST(FastAttention, HalfPrecisionAndPromotion) {
  const auto& c = torch_case("fast_sdpa_gqa");
  const auto& in = c["inputs"];
  mx::array q = fixture_array(in["q"], mx::bfloat16), k = fixture_array(in["k"], mx::bfloat16);
  mx::array v = fixture_array(in["v"], mx::bfloat16);
  mx::array y = fast::scaled_dot_product_attention(q, k, v, 0.35f, "causal");
  EXPECT_EQ(y.dtype(), mx::bfloat16);
  expect_fixture(y, c["outputs"]["causal"], 5e-2, "bfloat16 causal", 5e-2);
  EXPECT_EQ(fast::scaled_dot_product_attention(q, fixture_array(in["k"]), v, 0.35f).dtype(), mx::float32);
}

TEST(FastAttention, Errors) {
  mx::array q = mx::ones({1, 4, 3, 8}), k = mx::ones({1, 2, 5, 8}), v = mx::ones({1, 2, 5, 6});
  auto sdpa = [](auto&&... a) { return fast::scaled_dot_product_attention(a...); };
  EXPECT_INVALID(sdpa(mx::ones({4, 3, 8}), k, v, 1.0f), "[scaled_dot_product_attention] input with shape (4,3,8) expected to be rank 4");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "upper"), "Invalid mask_mode upper");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "causal", mx::ones({3, 5})), "Invalid mask_arr for mask_mode 'causal'");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "array"), "mask_mode 'array' needs a mask_arr");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "", mx::ones({1, 1, 1, 3, 5})), "expected to have at most rank 4");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "", mx::ones({3, 4})), "does not broadcast to the scores' shape (1,4,3,5)");
  EXPECT_INVALID(sdpa(q, mx::ones({2, 2, 5, 8}), v, 1.0f), "mismatching batch dimension");
  EXPECT_INVALID(sdpa(q, mx::ones({1, 2, 5, 7}), v, 1.0f), "query, keys expected to have matching last dimension");
  EXPECT_INVALID(sdpa(q, mx::ones({1, 3, 5, 8}), mx::ones({1, 3, 5, 6}), 1.0f), "n_heads must be a multiple of n_kv_heads");
  EXPECT_INVALID(sdpa(q, k, mx::ones({1, 1, 5, 6}), 1.0f), "keys, values expected to have matching n_kv_heads");
  EXPECT_INVALID(sdpa(q, k, mx::ones({1, 2, 4, 6}), 1.0f), "the same sequence length");
  EXPECT_INVALID(sdpa(mx::ones({1, 4, 3, 8}, mx::int32), mx::ones({1, 2, 5, 8}, mx::int32), mx::ones({1, 2, 5, 6}, mx::int32), 1.0f),
                 "Received unsupported type");
  EXPECT_INVALID(sdpa(mx::astype(q, mx::float16), mx::astype(k, mx::float16), mx::astype(v, mx::float16), 1.0f, "",
                      mx::ones({3, 5})),
                 "Mask type must promote to output type float16");
  EXPECT_INVALID(sdpa(q, k, v, 1.0f, "", std::nullopt, mx::ones({2})), "sinks must have shape [4]");
}

// SPDX-License-Identifier: MIT
// Hadamard: the Walsh–Hadamard transform along the last axis (length a power of two),
// computed in float (double for float64) by in-place butterflies per row.
#pragma once

#include <vector>

#include "mlx/backend/cpu/convert.hpp"
#include "mlx/backend/cpu/copy.hpp"
#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/primitive.hpp"

namespace mlx::core {

namespace detail {
template <class T>
void hadamard_row(T* x, int64_t n, T scale) {
  for (int64_t h = 1; h < n; h *= 2)
    for (int64_t i = 0; i < n; i += 2 * h)
      for (int64_t j = i; j < i + h; ++j) {
        const T a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
  for (int64_t j = 0; j < n; ++j) x[j] *= scale;
}
}  // namespace detail

template <class = void>
class Hadamard : public UnaryPrimitive {
 public:
  Hadamard(Stream s, double scale) : UnaryPrimitive(s), scale_(scale) {}
  void eval_cpu(const std::vector<array>& inputs, array& out) override {
    array in = cpu::ensure_row_contiguous(inputs[0]);
    out.set_data(allocator::malloc(out.nbytes()));
    const int64_t n = out.shape(-1);
    const int64_t rows = n == 0 ? 0 : static_cast<int64_t>(out.size()) / n;
    const int64_t item = static_cast<int64_t>(out.itemsize());
    const bool dbl = out.dtype() == float64;
    cpu::parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
      std::vector<float> f(dbl ? 0 : n);
      for (int64_t r = b; r < e; ++r) {
        const char* src = static_cast<const char*>(in.raw_data()) + r * n * item;
        char* dst = static_cast<char*>(out.raw_data()) + r * n * item;
        if (dbl) {
          std::memcpy(dst, src, static_cast<size_t>(n * item));
          detail::hadamard_row(reinterpret_cast<double*>(dst), n, scale_);
        } else {
          cpu::gather_convert(src, in.dtype(), 1, f.data(), n);
          detail::hadamard_row(f.data(), n, static_cast<float>(scale_));
          cpu::store_convert(f.data(), dst, out.dtype(), n);
        }
      }
    });
  }
  const char* name() const override { return "Hadamard"; }

 private:
  double scale_;
};

}  // namespace mlx::core

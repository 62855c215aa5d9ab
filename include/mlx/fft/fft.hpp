// SPDX-License-Identifier: MIT
// mlx::core::fft (MLX's fft.h): fft/ifft, fft2/ifft2, fftn/ifftn, rfft/irfft, rfft2/irfft2,
// rfftn/irfftn, fftshift/ifftshift with MLX's overloads and defaults. Sizes `n` crop or
// zero-pad the input; inverses divide by n ("backward" normalisation, as NumPy's default).
#pragma once

#include <numeric>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/slicing.hpp"
#include "mlx/primitives/fft.hpp"

namespace mlx::core::fft {

namespace detail {

using core::detail::fail;

/// Normalised axes (in the given order); rejects out-of-range and repeated axes.
inline std::vector<int> fft_axes(std::string_view op, const array& a, const std::vector<int>& axes) {
  const int nd = static_cast<int>(a.ndim());
  std::vector<int> out;
  for (int ax : axes) {
    if (ax < -nd || ax >= nd)
      fail(op, "Invalid axis ", ax, " for array with ", nd, " dimensions.");
    out.push_back(ax < 0 ? ax + nd : ax);
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (out[i] == out[j]) fail(op, "Duplicated axis received ", axes, ".");
  return out;
}

/// The shared implementation: n[i] is the transform size along axes[i] (for irfft the
/// output size of the last axis).
template <class = void>
inline array fft_impl(std::string_view op, const array& a, const Shape& n,
                      const std::vector<int>& axes, bool real, bool inverse, StreamOrDevice s) {
  if (a.ndim() < 1) fail(op, "Requires array with at least one dimension.");
  if (n.size() != axes.size())
    fail(op, "Shape and axes have different sizes. Got n ", n, " and axes ", axes, ".");
  if (axes.empty()) return a;
  const auto ax = fft_axes(op, a, axes);
  for (auto v : n)
    if (v <= 0) fail(op, "Invalid FFT output size requested ", n, ".");
  // The input shape the transform reads: n on each axis, n/2+1 on the last for irfft.
  Shape in_shape = a.shape();
  for (size_t i = 0; i < ax.size(); ++i) in_shape[ax[i]] = n[i];
  if (real && inverse) in_shape[ax.back()] = n.back() / 2 + 1;
  array x = a;
  Shape stop = a.shape();
  bool crop = false;
  for (size_t d = 0; d < in_shape.size(); ++d)
    if (in_shape[d] < stop[d]) stop[d] = in_shape[d], crop = true;
  if (crop) x = slice(x, Shape(a.ndim(), 0), stop, s);
  // The kernel reads float32 and complex64 directly (a real input of a complex transform as
  // zero imaginary parts); rfft of a complex input keeps the real part, as MLX's cast does.
  const bool keep = x.dtype() == float32 || (x.dtype() == complex64 && !(real && !inverse));
  if (!keep) x = astype(x, float32, s);
  std::vector<int> pad_axes;
  Shape lo, hi;
  for (size_t d = 0; d < in_shape.size(); ++d)
    if (in_shape[d] > x.shape()[d]) {
      pad_axes.push_back(static_cast<int>(d));
      lo.push_back(0);
      hi.push_back(in_shape[d] - x.shape()[d]);
    }
  if (!pad_axes.empty()) x = pad(x, pad_axes, lo, hi, array(0, x.dtype()), "constant", s);
  Shape out_shape = in_shape;
  if (real) out_shape[ax.back()] = inverse ? n.back() : n.back() / 2 + 1;
  std::vector<size_t> uax(ax.begin(), ax.end());
  return array(std::move(out_shape), real && inverse ? float32 : complex64,
               std::make_shared<FFT<>>(to_stream(s), std::move(uax), inverse, real), {x});
}

/// The default sizes: the axes' lengths ((length - 1) * 2 on the last axis for irfft).
template <class = void>
inline array fft_impl(std::string_view op, const array& a, const std::vector<int>& axes,
                      bool real, bool inverse, StreamOrDevice s) {
  if (a.ndim() < 1) fail(op, "Requires array with at least one dimension.");
  const auto ax = fft_axes(op, a, axes);
  Shape n;
  for (int d : ax) n.push_back(a.shape()[d]);
  if (real && inverse && !n.empty()) n.back() = (n.back() - 1) * 2;
  return fft_impl(op, a, n, axes, real, inverse, std::move(s));
}

inline std::vector<int> all_axes(const array& a) {
  std::vector<int> axes(a.ndim());
  std::iota(axes.begin(), axes.end(), 0);
  return axes;
}

}  // namespace detail

/// The n-dimensional DFT over `axes` with sizes `n` (each crops or zero-pads its axis).
template <class = void>
inline array fftn(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("fftn", a, n, axes, false, false, std::move(s));
}
/// The n-dimensional DFT over `axes` at their own lengths.
template <class = void>
inline array fftn(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("fftn", a, axes, false, false, std::move(s));
}
/// The n-dimensional DFT over all axes.
template <class = void>
inline array fftn(const array& a, StreamOrDevice s = {}) {
  return detail::fft_impl("fftn", a, detail::all_axes(a), false, false, std::move(s));
}

/// The n-dimensional inverse DFT over `axes` with sizes `n` (divides by their product).
template <class = void>
inline array ifftn(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("ifftn", a, n, axes, false, true, std::move(s));
}
/// The n-dimensional inverse DFT over `axes` at their own lengths.
template <class = void>
inline array ifftn(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("ifftn", a, axes, false, true, std::move(s));
}
/// The n-dimensional inverse DFT over all axes.
template <class = void>
inline array ifftn(const array& a, StreamOrDevice s = {}) {
  return detail::fft_impl("ifftn", a, detail::all_axes(a), false, true, std::move(s));
}

/// The 1-d DFT of size n along `axis`.
template <class = void>
inline array fft(const array& a, int n, int axis, StreamOrDevice s = {}) {
  return detail::fft_impl("fft", a, {n}, {axis}, false, false, std::move(s));
}
/// The 1-d DFT along `axis` (default: the last).
template <class = void>
inline array fft(const array& a, int axis = -1, StreamOrDevice s = {}) {
  return detail::fft_impl("fft", a, std::vector<int>{axis}, false, false, std::move(s));
}
/// The 1-d inverse DFT of size n along `axis`.
template <class = void>
inline array ifft(const array& a, int n, int axis, StreamOrDevice s = {}) {
  return detail::fft_impl("ifft", a, {n}, {axis}, false, true, std::move(s));
}
/// The 1-d inverse DFT along `axis` (default: the last).
template <class = void>
inline array ifft(const array& a, int axis = -1, StreamOrDevice s = {}) {
  return detail::fft_impl("ifft", a, std::vector<int>{axis}, false, true, std::move(s));
}

/// The 2-d DFT with sizes n over `axes`.
template <class = void>
inline array fft2(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("fft2", a, n, axes, false, false, std::move(s));
}
/// The 2-d DFT over `axes` (default: the last two).
template <class = void>
inline array fft2(const array& a, const std::vector<int>& axes = {-2, -1}, StreamOrDevice s = {}) {
  return detail::fft_impl("fft2", a, axes, false, false, std::move(s));
}
/// The 2-d inverse DFT with sizes n over `axes`.
template <class = void>
inline array ifft2(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("ifft2", a, n, axes, false, true, std::move(s));
}
/// The 2-d inverse DFT over `axes` (default: the last two).
template <class = void>
inline array ifft2(const array& a, const std::vector<int>& axes = {-2, -1}, StreamOrDevice s = {}) {
  return detail::fft_impl("ifft2", a, axes, false, true, std::move(s));
}

/// The n-dimensional DFT of a real input; the last of `axes` keeps n/2+1 frequencies.
template <class = void>
inline array rfftn(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("rfftn", a, n, axes, true, false, std::move(s));
}
/// rfftn over `axes` at their own lengths.
template <class = void>
inline array rfftn(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("rfftn", a, axes, true, false, std::move(s));
}
/// rfftn over all axes.
template <class = void>
inline array rfftn(const array& a, StreamOrDevice s = {}) {
  return detail::fft_impl("rfftn", a, detail::all_axes(a), true, false, std::move(s));
}

/// The inverse of rfftn: real output of sizes n over `axes` (the last reads n/2+1 inputs).
template <class = void>
inline array irfftn(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("irfftn", a, n, axes, true, true, std::move(s));
}
/// irfftn over `axes`; the last axis's output size is 2 * (length - 1).
template <class = void>
inline array irfftn(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("irfftn", a, axes, true, true, std::move(s));
}
/// irfftn over all axes.
template <class = void>
inline array irfftn(const array& a, StreamOrDevice s = {}) {
  return detail::fft_impl("irfftn", a, detail::all_axes(a), true, true, std::move(s));
}

/// The 1-d DFT of a real input of size n along `axis` (n/2+1 outputs).
template <class = void>
inline array rfft(const array& a, int n, int axis, StreamOrDevice s = {}) {
  return detail::fft_impl("rfft", a, {n}, {axis}, true, false, std::move(s));
}
/// rfft along `axis` (default: the last).
template <class = void>
inline array rfft(const array& a, int axis = -1, StreamOrDevice s = {}) {
  return detail::fft_impl("rfft", a, std::vector<int>{axis}, true, false, std::move(s));
}
/// The inverse of rfft with n real outputs along `axis`.
template <class = void>
inline array irfft(const array& a, int n, int axis, StreamOrDevice s = {}) {
  return detail::fft_impl("irfft", a, {n}, {axis}, true, true, std::move(s));
}
/// irfft along `axis` (default: the last) with 2 * (length - 1) outputs.
template <class = void>
inline array irfft(const array& a, int axis = -1, StreamOrDevice s = {}) {
  return detail::fft_impl("irfft", a, std::vector<int>{axis}, true, true, std::move(s));
}

/// The 2-d DFT of a real input with sizes n over `axes`.
template <class = void>
inline array rfft2(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("rfft2", a, n, axes, true, false, std::move(s));
}
/// rfft2 over `axes` (default: the last two).
template <class = void>
inline array rfft2(const array& a, const std::vector<int>& axes = {-2, -1}, StreamOrDevice s = {}) {
  return detail::fft_impl("rfft2", a, axes, true, false, std::move(s));
}
/// The inverse of rfft2 with real output sizes n over `axes`.
template <class = void>
inline array irfft2(const array& a, const Shape& n, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::fft_impl("irfft2", a, n, axes, true, true, std::move(s));
}
/// irfft2 over `axes` (default: the last two).
template <class = void>
inline array irfft2(const array& a, const std::vector<int>& axes = {-2, -1}, StreamOrDevice s = {}) {
  return detail::fft_impl("irfft2", a, axes, true, true, std::move(s));
}

namespace detail {
template <class = void>
inline array shift_impl(std::string_view op, const array& a, const std::vector<int>& axes,
                        bool inverse, StreamOrDevice s) {
  if (axes.empty()) return a;
  const int nd = static_cast<int>(a.ndim());
  Shape shifts;
  for (int ax : axes) {
    if (ax < -nd || ax >= nd) fail(op, "Invalid axis ", ax, " for array with ", nd, " dimensions.");
    const int len = a.shape()[ax < 0 ? ax + nd : ax];
    // As MLX and NumPy: fftshift moves by floor(len/2), ifftshift by ceil(len/2).
    shifts.push_back(inverse ? (len + 1) / 2 : len / 2);
  }
  return roll(a, shifts, axes, std::move(s));
}
}  // namespace detail

/// Moves the zero frequency to the centre along `axes`.
template <class = void>
inline array fftshift(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::shift_impl("fftshift", a, axes, false, std::move(s));
}
/// Moves the zero frequency to the centre along all axes.
template <class = void>
inline array fftshift(const array& a, StreamOrDevice s = {}) {
  return detail::shift_impl("fftshift", a, detail::all_axes(a), false, std::move(s));
}
/// The inverse of fftshift along `axes`.
template <class = void>
inline array ifftshift(const array& a, const std::vector<int>& axes, StreamOrDevice s = {}) {
  return detail::shift_impl("ifftshift", a, axes, true, std::move(s));
}
/// The inverse of fftshift along all axes.
template <class = void>
inline array ifftshift(const array& a, StreamOrDevice s = {}) {
  return detail::shift_impl("ifftshift", a, detail::all_axes(a), true, std::move(s));
}

}  // namespace mlx::core::fft

// SPDX-License-Identifier: MIT
// Dtype: MLX's element-type descriptor, type promotion, type traits and dtype dispatch.
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "mlx/core/half.hpp"

namespace mlx::core {

/// An array's element type: an enumerator plus its size in bytes.
struct Dtype {
  enum class Val {
    bool_, uint8, uint16, uint32, uint64, int8, int16, int32, int64,
    float16, float32, float64, bfloat16, complex64
  };

  /// NumPy's kind characters; bfloat16 is 'V' (no NumPy equivalent), as in MLX.
  enum class Kind { b, u, i, f, c, V };

  /// Abstract dtype categories (NumPy's hierarchy).
  enum class Category {
    complexfloating, floating, inexact, signedinteger, unsignedinteger, integer, number, generic
  };

  Val val;
  uint8_t size;

  constexpr explicit Dtype(Val v, uint8_t s) : val(v), size(s) {}
  constexpr operator Val() const { return val; }
};

constexpr bool operator==(const Dtype& a, const Dtype& b) { return a.val == b.val; }
constexpr bool operator!=(const Dtype& a, const Dtype& b) { return a.val != b.val; }

inline constexpr Dtype bool_{Dtype::Val::bool_, 1};
inline constexpr Dtype uint8{Dtype::Val::uint8, 1};
inline constexpr Dtype uint16{Dtype::Val::uint16, 2};
inline constexpr Dtype uint32{Dtype::Val::uint32, 4};
inline constexpr Dtype uint64{Dtype::Val::uint64, 8};
inline constexpr Dtype int8{Dtype::Val::int8, 1};
inline constexpr Dtype int16{Dtype::Val::int16, 2};
inline constexpr Dtype int32{Dtype::Val::int32, 4};
inline constexpr Dtype int64{Dtype::Val::int64, 8};
inline constexpr Dtype float16{Dtype::Val::float16, 2};
inline constexpr Dtype float32{Dtype::Val::float32, 4};
inline constexpr Dtype float64{Dtype::Val::float64, 8};
inline constexpr Dtype bfloat16{Dtype::Val::bfloat16, 2};
inline constexpr Dtype complex64{Dtype::Val::complex64, 8};

inline constexpr Dtype::Category complexfloating = Dtype::Category::complexfloating;
inline constexpr Dtype::Category floating = Dtype::Category::floating;
inline constexpr Dtype::Category inexact = Dtype::Category::inexact;
inline constexpr Dtype::Category signedinteger = Dtype::Category::signedinteger;
inline constexpr Dtype::Category unsignedinteger = Dtype::Category::unsignedinteger;
inline constexpr Dtype::Category integer = Dtype::Category::integer;
inline constexpr Dtype::Category number = Dtype::Category::number;
inline constexpr Dtype::Category generic = Dtype::Category::generic;

constexpr int num_dtypes = 14;

/// Every dtype, in `Dtype::Val` order.
constexpr std::array<Dtype, num_dtypes> all_dtypes = {bool_,   uint8,   uint16,   uint32,   uint64,
                                                      int8,    int16,   int32,    int64,    float16,
                                                      float32, float64, bfloat16, complex64};

namespace detail {

constexpr size_t dtype_index(Dtype t) { return static_cast<size_t>(t.val); }

// Result of promoting row with column, both in Val order. JAX-style lattice (MLX's table)
// extended with float64: any real type with float64 gives float64; complex64 absorbs all.
inline constexpr auto promotion_table = [] {
  constexpr Dtype bo = bool_, u1 = uint8, u2 = uint16, u4 = uint32, u8 = uint64, i1 = int8,
                  i2 = int16, i4 = int32, i8 = int64, f2 = float16, f4 = float32, f8 = float64,
                  bf = bfloat16, c8 = complex64;
  using Row = std::array<Dtype, num_dtypes>;
  return std::array<Row, num_dtypes>{{
      //  bo  u1  u2  u4  u8  i1  i2  i4  i8  f2  f4  f8  bf  c8
      {{bo, u1, u2, u4, u8, i1, i2, i4, i8, f2, f4, f8, bf, c8}},  // bool
      {{u1, u1, u2, u4, u8, i2, i2, i4, i8, f2, f4, f8, bf, c8}},  // uint8
      {{u2, u2, u2, u4, u8, i4, i4, i4, i8, f2, f4, f8, bf, c8}},  // uint16
      {{u4, u4, u4, u4, u8, i8, i8, i8, i8, f2, f4, f8, bf, c8}},  // uint32
      {{u8, u8, u8, u8, u8, f4, f4, f4, f4, f2, f4, f8, bf, c8}},  // uint64
      {{i1, i2, i4, i8, f4, i1, i2, i4, i8, f2, f4, f8, bf, c8}},  // int8
      {{i2, i2, i4, i8, f4, i2, i2, i4, i8, f2, f4, f8, bf, c8}},  // int16
      {{i4, i4, i4, i8, f4, i4, i4, i4, i8, f2, f4, f8, bf, c8}},  // int32
      {{i8, i8, i8, i8, f4, i8, i8, i8, i8, f2, f4, f8, bf, c8}},  // int64
      {{f2, f2, f2, f2, f2, f2, f2, f2, f2, f2, f4, f8, f4, c8}},  // float16
      {{f4, f4, f4, f4, f4, f4, f4, f4, f4, f4, f4, f8, f4, c8}},  // float32
      {{f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, c8}},  // float64
      {{bf, bf, bf, bf, bf, bf, bf, bf, bf, f4, f4, f8, bf, c8}},  // bfloat16
      {{c8, c8, c8, c8, c8, c8, c8, c8, c8, c8, c8, c8, c8, c8}},  // complex64
  }};
}();

constexpr std::string_view dtype_name(Dtype t) {
  constexpr std::array<std::string_view, num_dtypes> names = {
      "bool",  "uint8", "uint16",  "uint32",  "uint64",  "int8",     "int16",
      "int32", "int64", "float16", "float32", "float64", "bfloat16", "complex64"};
  return names[dtype_index(t)];
}

constexpr Dtype::Category dtype_category(Dtype t) {
  switch (t.val) {
    case Dtype::Val::bool_: return generic;
    case Dtype::Val::uint8:
    case Dtype::Val::uint16:
    case Dtype::Val::uint32:
    case Dtype::Val::uint64: return unsignedinteger;
    case Dtype::Val::int8:
    case Dtype::Val::int16:
    case Dtype::Val::int32:
    case Dtype::Val::int64: return signedinteger;
    case Dtype::Val::float16:
    case Dtype::Val::float32:
    case Dtype::Val::float64:
    case Dtype::Val::bfloat16: return floating;
    case Dtype::Val::complex64: return complexfloating;
  }
  return generic;
}

template <class T>
constexpr bool is_element_type_impl() {
  if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, float> || std::is_same_v<T, double> ||
                std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t> ||
                std::is_same_v<T, complex64_t>) {
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    // Signed/unsigned char, short, int, long, long long; not plain char or character types.
    return !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> && !std::is_same_v<T, char8_t> &&
           !std::is_same_v<T, char16_t> && !std::is_same_v<T, char32_t> && sizeof(T) <= 8;
  } else {
    return false;
  }
}

}  // namespace detail

/// True for the C++ types that have a dtype (cv-qualifiers ignored).
template <class T>
inline constexpr bool is_element_type_v = detail::is_element_type_impl<std::remove_cv_t<T>>();

namespace detail {
template <class T>
constexpr Dtype dtype_of_impl() {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // By width and signedness, so that long and long long both map (int64_t is either).
    constexpr std::array<Dtype, 4> s = {int8, int16, int32, int64};
    constexpr std::array<Dtype, 4> u = {uint8, uint16, uint32, uint64};
    constexpr size_t w = static_cast<size_t>(std::countr_zero(sizeof(T)));
    return std::is_signed_v<T> ? s[w] : u[w];
  } else {
    return std::is_same_v<T, bool>         ? bool_
           : std::is_same_v<T, float16_t>  ? float16
           : std::is_same_v<T, bfloat16_t> ? bfloat16
           : std::is_same_v<T, float>      ? float32
           : std::is_same_v<T, double>     ? float64
                                           : complex64;
  }
}
}  // namespace detail

/// The exact dtype of a C++ element type (double -> float64); for internal use.
template <class T>
  requires is_element_type_v<T>
inline constexpr Dtype dtype_of_v = detail::dtype_of_impl<std::remove_cv_t<T>>();

/// MLX's type -> dtype conversion; a C++ double maps to float32, as in MLX.
template <typename T>
struct TypeToDtype {
  static_assert(is_element_type_v<T>, "TypeToDtype: T has no corresponding dtype.");
  constexpr operator Dtype() const {
    if constexpr (std::is_same_v<std::remove_cv_t<T>, double>)
      return float32;
    else
      return dtype_of_v<T>;
  }
};

/// Size of one element in bytes.
constexpr uint8_t size_of(const Dtype& t) { return t.size; }

/// NumPy kind of t: b, u, i, f, c, or V for bfloat16.
constexpr Dtype::Kind kindof(const Dtype& t) {
  switch (detail::dtype_category(t)) {
    case generic: return Dtype::Kind::b;
    case unsignedinteger: return Dtype::Kind::u;
    case signedinteger: return Dtype::Kind::i;
    case complexfloating: return Dtype::Kind::c;
    default: return t == bfloat16 ? Dtype::Kind::V : Dtype::Kind::f;
  }
}

/// True for bool and the unsigned integer types.
constexpr bool is_unsigned(const Dtype& t) {
  const auto k = kindof(t);
  return k == Dtype::Kind::b || k == Dtype::Kind::u;
}

/// True for float16, float32, float64, bfloat16 and complex64.
constexpr bool is_floating_point(const Dtype& t) {
  const auto k = kindof(t);
  return k == Dtype::Kind::f || k == Dtype::Kind::V || k == Dtype::Kind::c;
}

constexpr bool is_complex(const Dtype& t) { return kindof(t) == Dtype::Kind::c; }

/// True for bool and the integer types.
constexpr bool is_integral(const Dtype& t) { return !is_floating_point(t); }

/// The smallest dtype both a and b convert to (MLX's JAX-style promotion lattice).
constexpr Dtype promote_types(const Dtype& a, const Dtype& b) {
  return detail::promotion_table[detail::dtype_index(a)][detail::dtype_index(b)];
}

/// Whether category a is b or below it in NumPy's hierarchy.
constexpr bool issubdtype(const Dtype::Category& a, const Dtype::Category& b) {
  if (a == b) return true;
  switch (a) {
    case generic: return false;
    case number: return b == generic;
    case integer:
    case inexact: return b == number || b == generic;
    case signedinteger:
    case unsignedinteger: return b == integer || b == number || b == generic;
    case floating:
    case complexfloating: return b == inexact || b == number || b == generic;
  }
  return false;
}

/// Concrete dtypes are only subtypes of themselves.
constexpr bool issubdtype(const Dtype& a, const Dtype& b) { return a == b; }

/// Whether dtype a belongs to category b (bool belongs only to generic).
constexpr bool issubdtype(const Dtype& a, const Dtype::Category& b) {
  return issubdtype(detail::dtype_category(a), b);
}

/// A category is never a subtype of a concrete dtype (NumPy's answer).
constexpr bool issubdtype(const Dtype::Category&, const Dtype&) { return false; }

/// MLX's name of t: "bool", "uint8", ..., "bfloat16", "complex64".
inline std::string dtype_to_string(Dtype t) { return std::string(detail::dtype_name(t)); }

inline std::ostream& operator<<(std::ostream& os, const Dtype& t) {
  return os << detail::dtype_name(t);
}

inline std::ostream& operator<<(std::ostream& os, Dtype::Kind k) {
  constexpr std::array<char, 6> chars = {'b', 'u', 'i', 'f', 'c', 'V'};
  return os << chars[static_cast<size_t>(k)];
}

/// NumPy array-protocol type string, e.g. "<f4", "|b1", "<V2" (bfloat16).
inline std::string dtype_to_array_protocol(const Dtype& t) {
  constexpr std::array<char, 6> chars = {'b', 'u', 'i', 'f', 'c', 'V'};
  const char order = t.size == 1 ? '|' : (std::endian::native == std::endian::little ? '<' : '>');
  return {order, chars[static_cast<size_t>(kindof(t))], static_cast<char>('0' + t.size)};
}

/// Parses a NumPy array-protocol type string ("<f4", "f4", "|u1", "V2", ...).
/// \throws std::invalid_argument for unknown strings or non-native byte order.
inline Dtype dtype_from_array_protocol(std::string_view s) {
  const auto fail = [s] {
    return std::invalid_argument(
        std::string("[from_str] Invalid array protocol type-string: ").append(s));
  };
  if (s.size() != 2 && s.size() != 3) throw fail();
  const char order = s.size() == 3 ? s[0] : '=';
  const std::string_view r = s.substr(s.size() - 2);
  for (const Dtype& t : all_dtypes) {
    if (dtype_to_array_protocol(t).substr(1) != r) continue;
    const char native = std::endian::native == std::endian::little ? '<' : '>';
    if (order == '=' || order == '|' || order == native || t.size == 1) return t;
    break;  // a multi-byte type in the other byte order would be read wrongly
  }
  throw fail();
}

/// Machine limits of a floating-point dtype (complex64 reports float32's).
struct finfo {
  /// \throws std::invalid_argument if dtype is not inexact.
  constexpr explicit finfo(Dtype dtype);
  Dtype dtype;
  double min;   ///< most negative finite value
  double max;   ///< largest finite value
  double eps;   ///< distance from 1 to the next larger value
  double tiny;  ///< smallest positive normal value
  int bits;     ///< width of the type in bits
};

namespace detail {
template <class T>
constexpr finfo fill_finfo(finfo f) {
  using L = std::numeric_limits<T>;
  f.min = static_cast<double>(static_cast<float>(L::lowest()));
  f.max = static_cast<double>(static_cast<float>(L::max()));
  f.eps = static_cast<double>(static_cast<float>(L::epsilon()));
  f.tiny = static_cast<double>(static_cast<float>(L::min()));
  f.bits = 8 * sizeof(T);
  return f;
}
template <>
constexpr finfo fill_finfo<double>(finfo f) {
  using L = std::numeric_limits<double>;
  f.min = L::lowest(), f.max = L::max(), f.eps = L::epsilon(), f.tiny = L::min(), f.bits = 64;
  return f;
}
}  // namespace detail

constexpr finfo::finfo(Dtype t)
    : dtype(t == complex64 ? float32 : t), min(0), max(0), eps(0), tiny(0), bits(0) {
  switch (dtype.val) {
    case Dtype::Val::float16: *this = detail::fill_finfo<float16_t>(*this); break;
    case Dtype::Val::bfloat16: *this = detail::fill_finfo<bfloat16_t>(*this); break;
    case Dtype::Val::float32: *this = detail::fill_finfo<float>(*this); break;
    case Dtype::Val::float64: *this = detail::fill_finfo<double>(*this); break;
    default:
      throw std::invalid_argument(
          std::string("[finfo] dtype ").append(detail::dtype_name(t)).append(" is not inexact."));
  }
}

/// Range of an integer dtype.
struct iinfo {
  /// \throws std::invalid_argument if dtype is not an integer type (bool included).
  constexpr explicit iinfo(Dtype dtype);
  Dtype dtype;
  int64_t min;
  uint64_t max;
};

namespace detail {

/// Tag carrying an element type through dispatch_dtype.
template <class T>
struct type_tag {
  using type = T;
};

/// Calls f(type_tag<T>{}) with T the element type of dt (bool, uint8_t, ..., float16_t, float,
/// double, bfloat16_t, complex64_t) and returns its result.
template <class F>
constexpr decltype(auto) dispatch_dtype(Dtype dt, F&& f) {
  switch (dt.val) {
    case Dtype::Val::bool_: return std::forward<F>(f)(type_tag<bool>{});
    case Dtype::Val::uint8: return std::forward<F>(f)(type_tag<uint8_t>{});
    case Dtype::Val::uint16: return std::forward<F>(f)(type_tag<uint16_t>{});
    case Dtype::Val::uint32: return std::forward<F>(f)(type_tag<uint32_t>{});
    case Dtype::Val::uint64: return std::forward<F>(f)(type_tag<uint64_t>{});
    case Dtype::Val::int8: return std::forward<F>(f)(type_tag<int8_t>{});
    case Dtype::Val::int16: return std::forward<F>(f)(type_tag<int16_t>{});
    case Dtype::Val::int32: return std::forward<F>(f)(type_tag<int32_t>{});
    case Dtype::Val::int64: return std::forward<F>(f)(type_tag<int64_t>{});
    case Dtype::Val::float16: return std::forward<F>(f)(type_tag<float16_t>{});
    case Dtype::Val::float32: return std::forward<F>(f)(type_tag<float>{});
    case Dtype::Val::float64: return std::forward<F>(f)(type_tag<double>{});
    case Dtype::Val::bfloat16: return std::forward<F>(f)(type_tag<bfloat16_t>{});
    case Dtype::Val::complex64: return std::forward<F>(f)(type_tag<complex64_t>{});
  }
  throw std::invalid_argument("[dispatch_dtype] Invalid dtype value.");
}

}  // namespace detail

constexpr iinfo::iinfo(Dtype t) : dtype(t), min(0), max(0) {
  if (!issubdtype(t, integer)) {
    throw std::invalid_argument(
        std::string("[iinfo] dtype ").append(detail::dtype_name(t)).append(" is not integral."));
  }
  detail::dispatch_dtype(t, [this](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      min = static_cast<int64_t>(std::numeric_limits<T>::min());
      max = static_cast<uint64_t>(std::numeric_limits<T>::max());
    }
  });
}

}  // namespace mlx::core

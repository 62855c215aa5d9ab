// SPDX-License-Identifier: MIT
// Tests for dtype.hpp: promotion, kinds, categories, type mapping, names, finfo/iinfo, dispatch.
#include "mlx/core/dtype.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace mlx::core {
namespace {

// MLX's 13-type table, spelled with names and parsed, so it is checked independently of the
// header's table; float64 is added by its rule below.
const std::vector<std::string> kMlxOrder = {"bool",    "uint8",    "uint16",   "uint32", "uint64",
                                            "int8",    "int16",    "int32",    "int64",  "float16",
                                            "float32", "bfloat16", "complex64"};
const char* const kMlxTable[13] = {
    "bool uint8 uint16 uint32 uint64 int8 int16 int32 int64 float16 float32 bfloat16 complex64",
    "uint8 uint8 uint16 uint32 uint64 int16 int16 int32 int64 float16 float32 bfloat16 complex64",
    "uint16 uint16 uint16 uint32 uint64 int32 int32 int32 int64 float16 float32 bfloat16 complex64",
    "uint32 uint32 uint32 uint32 uint64 int64 int64 int64 int64 float16 float32 bfloat16 complex64",
    "uint64 uint64 uint64 uint64 uint64 float32 float32 float32 float32 float16 float32 bfloat16 "
    "complex64",
    "int8 int16 int32 int64 float32 int8 int16 int32 int64 float16 float32 bfloat16 complex64",
    "int16 int16 int32 int64 float32 int16 int16 int32 int64 float16 float32 bfloat16 complex64",
    "int32 int32 int32 int64 float32 int32 int32 int32 int64 float16 float32 bfloat16 complex64",
    "int64 int64 int64 int64 float32 int64 int64 int64 int64 float16 float32 bfloat16 complex64",
    "float16 float16 float16 float16 float16 float16 float16 float16 float16 float16 float32 "
    "float32 complex64",
    "float32 float32 float32 float32 float32 float32 float32 float32 float32 float32 float32 "
    "float32 complex64",
    "bfloat16 bfloat16 bfloat16 bfloat16 bfloat16 bfloat16 bfloat16 bfloat16 bfloat16 float32 "
    "float32 bfloat16 complex64",
    "complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 complex64 "
    "complex64 complex64 complex64 complex64",
};

Dtype by_name(const std::string& name) {
  for (Dtype t : all_dtypes)
    if (dtype_to_string(t) == name) return t;
  throw std::runtime_error("unknown dtype name " + name);
}

TEST(Dtype, BasicsAndSizes) {
  static_assert(std::is_trivially_copyable_v<Dtype>);
  static_assert(num_dtypes == 14 && all_dtypes.size() == 14);
  Dtype t = int32;
  t = float16;  // assignable
  EXPECT_EQ(t, float16);
  EXPECT_NE(t, bfloat16);
  EXPECT_TRUE(t == Dtype::Val::float16);  // through operator Val
  switch (t) {
    case Dtype::Val::float16: break;
    default: FAIL() << "switch on Dtype";
  }
  const std::map<std::string, int> sizes = {
      {"bool", 1},    {"uint8", 1},   {"uint16", 2},   {"uint32", 4},   {"uint64", 8},
      {"int8", 1},    {"int16", 2},   {"int32", 4},    {"int64", 8},    {"float16", 2},
      {"float32", 4}, {"float64", 8}, {"bfloat16", 2}, {"complex64", 8}};
  for (size_t i = 0; i < all_dtypes.size(); ++i) {
    const Dtype d = all_dtypes[i];
    EXPECT_EQ(static_cast<size_t>(d.val), i);
    EXPECT_EQ(size_of(d), sizes.at(dtype_to_string(d))) << d;
  }
}

TEST(Dtype, PromotionMatchesMlxTableAndFloat64Rule) {
  for (size_t i = 0; i < kMlxOrder.size(); ++i) {
    std::istringstream row(kMlxTable[i]);
    for (size_t j = 0; j < kMlxOrder.size(); ++j) {
      std::string want;
      row >> want;
      const Dtype a = by_name(kMlxOrder[i]), b = by_name(kMlxOrder[j]);
      EXPECT_EQ(promote_types(a, b), by_name(want)) << a << " with " << b;
    }
  }
  for (Dtype t : all_dtypes) {
    const Dtype want = t == complex64 ? complex64 : float64;
    EXPECT_EQ(promote_types(float64, t), want) << t;
    EXPECT_EQ(promote_types(t, float64), want) << t;
  }
}

TEST(Dtype, PromotionSymmetricAndIdempotent) {
  for (Dtype a : all_dtypes) {
    EXPECT_EQ(promote_types(a, a), a);
    for (Dtype b : all_dtypes) {
      EXPECT_EQ(promote_types(a, b), promote_types(b, a)) << a << " " << b;
      // The result's size field must be the canonical one (table entries are real dtypes).
      EXPECT_EQ(size_of(promote_types(a, b)),
                size_of(by_name(dtype_to_string(promote_types(a, b)))));
    }
  }
}

TEST(Dtype, PromotionSpotChecks) {
  static_assert(promote_types(uint8, int8) == int16);
  static_assert(promote_types(uint64, int64) == float32);
  static_assert(promote_types(float16, bfloat16) == float32);
  static_assert(promote_types(float64, complex64) == complex64);
  static_assert(promote_types(bfloat16, float64) == float64);
  static_assert(promote_types(int64, float64) == float64);
  EXPECT_EQ(promote_types(bool_, bool_), bool_);
  EXPECT_EQ(promote_types(bool_, int8), int8);
  EXPECT_EQ(promote_types(uint16, int16), int32);
  EXPECT_EQ(promote_types(uint32, int8), int64);
  EXPECT_EQ(promote_types(uint64, uint8), uint64);
  EXPECT_EQ(promote_types(int32, float16), float16);
  EXPECT_EQ(promote_types(uint64, bfloat16), bfloat16);
  EXPECT_EQ(promote_types(float32, bfloat16), float32);
  EXPECT_EQ(promote_types(int64, complex64), complex64);
  EXPECT_EQ(promote_types(bool_, float64), float64);
  EXPECT_EQ(promote_types(uint64, float64), float64);
  EXPECT_EQ(promote_types(float16, float64), float64);
  EXPECT_EQ(promote_types(float32, float64), float64);
}

TEST(Dtype, Kinds) {
  EXPECT_EQ(kindof(bool_), Dtype::Kind::b);
  for (Dtype t : {uint8, uint16, uint32, uint64}) EXPECT_EQ(kindof(t), Dtype::Kind::u);
  for (Dtype t : {int8, int16, int32, int64}) EXPECT_EQ(kindof(t), Dtype::Kind::i);
  for (Dtype t : {float16, float32, float64}) EXPECT_EQ(kindof(t), Dtype::Kind::f);
  EXPECT_EQ(kindof(bfloat16), Dtype::Kind::V);
  EXPECT_EQ(kindof(complex64), Dtype::Kind::c);

  EXPECT_TRUE(is_unsigned(bool_));
  EXPECT_TRUE(is_unsigned(uint32));
  EXPECT_FALSE(is_unsigned(int32));
  EXPECT_FALSE(is_unsigned(float32));
  for (Dtype t : {float16, float32, float64, bfloat16, complex64}) {
    EXPECT_TRUE(is_floating_point(t)) << t;
    EXPECT_FALSE(is_integral(t)) << t;
  }
  for (Dtype t : {bool_, uint8, int64}) {
    EXPECT_FALSE(is_floating_point(t)) << t;
    EXPECT_TRUE(is_integral(t)) << t;
  }
  EXPECT_TRUE(is_complex(complex64));
  EXPECT_FALSE(is_complex(float64));
}

TEST(Dtype, SubdtypeHierarchy) {
  using C = Dtype::Category;
  const std::map<C, std::vector<C>> parents = {
      {generic, {}},
      {number, {generic}},
      {integer, {number, generic}},
      {inexact, {number, generic}},
      {signedinteger, {integer, number, generic}},
      {unsignedinteger, {integer, number, generic}},
      {floating, {inexact, number, generic}},
      {complexfloating, {inexact, number, generic}},
  };
  for (const auto& [a, ps] : parents) {
    for (const auto& [b, unused] : parents) {
      const bool want = a == b || std::find(ps.begin(), ps.end(), b) != ps.end();
      EXPECT_EQ(issubdtype(a, b), want) << static_cast<int>(a) << " " << static_cast<int>(b);
    }
  }
  EXPECT_TRUE(issubdtype(bool_, generic));
  EXPECT_FALSE(issubdtype(bool_, number));
  EXPECT_FALSE(issubdtype(bool_, integer));
  EXPECT_TRUE(issubdtype(uint8, unsignedinteger));
  EXPECT_TRUE(issubdtype(uint8, integer));
  EXPECT_FALSE(issubdtype(uint8, signedinteger));
  EXPECT_TRUE(issubdtype(int64, signedinteger));
  EXPECT_TRUE(issubdtype(bfloat16, floating));
  EXPECT_TRUE(issubdtype(float64, inexact));
  EXPECT_FALSE(issubdtype(float32, complexfloating));
  EXPECT_TRUE(issubdtype(complex64, complexfloating));
  EXPECT_TRUE(issubdtype(complex64, number));
  EXPECT_FALSE(issubdtype(complex64, floating));
  EXPECT_TRUE(issubdtype(float32, float32));
  EXPECT_FALSE(issubdtype(float32, float64));
  EXPECT_FALSE(issubdtype(floating, float32));
  EXPECT_FALSE(issubdtype(generic, bool_));
}

TEST(Dtype, TypeMapping) {
  static_assert(TypeToDtype<double>() == float32);  // MLX convention
  static_assert(dtype_of_v<double> == float64);
  EXPECT_EQ(Dtype(TypeToDtype<bool>()), bool_);
  EXPECT_EQ(Dtype(TypeToDtype<uint8_t>()), uint8);
  EXPECT_EQ(Dtype(TypeToDtype<uint16_t>()), uint16);
  EXPECT_EQ(Dtype(TypeToDtype<uint32_t>()), uint32);
  EXPECT_EQ(Dtype(TypeToDtype<uint64_t>()), uint64);
  EXPECT_EQ(Dtype(TypeToDtype<int8_t>()), int8);
  EXPECT_EQ(Dtype(TypeToDtype<int16_t>()), int16);
  EXPECT_EQ(Dtype(TypeToDtype<int32_t>()), int32);
  EXPECT_EQ(Dtype(TypeToDtype<int64_t>()), int64);
  EXPECT_EQ(Dtype(TypeToDtype<float16_t>()), float16);
  EXPECT_EQ(Dtype(TypeToDtype<bfloat16_t>()), bfloat16);
  EXPECT_EQ(Dtype(TypeToDtype<float>()), float32);
  EXPECT_EQ(Dtype(TypeToDtype<double>()), float32);
  EXPECT_EQ(Dtype(TypeToDtype<complex64_t>()), complex64);
  const Dtype implicit = TypeToDtype<int>();  // implicit conversion, as MLX uses it
  EXPECT_EQ(implicit, int32);

  static_assert(dtype_of_v<long> == int64 || sizeof(long) == 4);
  static_assert(dtype_of_v<long long> == int64);
  static_assert(dtype_of_v<unsigned long long> == uint64);
  static_assert(dtype_of_v<unsigned long> == (sizeof(long) == 8 ? uint64 : uint32));
  static_assert(dtype_of_v<signed char> == int8 && dtype_of_v<unsigned char> == uint8);
  static_assert(dtype_of_v<short> == int16 && dtype_of_v<unsigned short> == uint16);
  static_assert(dtype_of_v<const float> == float32);
  static_assert(dtype_of_v<float16_t> == float16 && dtype_of_v<bfloat16_t> == bfloat16);
  static_assert(dtype_of_v<complex64_t> == complex64 && dtype_of_v<bool> == bool_);
  static_assert(is_element_type_v<int64_t> && is_element_type_v<const double>);
  static_assert(!is_element_type_v<char> && !is_element_type_v<long double>);
  static_assert(!is_element_type_v<std::complex<double>> && !is_element_type_v<int*>);
}

TEST(Dtype, NamesAndPrinting) {
  const std::vector<std::string> names = {"bool",    "uint8",   "uint16",   "uint32",   "uint64",
                                          "int8",    "int16",   "int32",    "int64",    "float16",
                                          "float32", "float64", "bfloat16", "complex64"};
  for (size_t i = 0; i < all_dtypes.size(); ++i) {
    EXPECT_EQ(dtype_to_string(all_dtypes[i]), names[i]);
    std::ostringstream os;
    os << all_dtypes[i];
    EXPECT_EQ(os.str(), names[i]);
  }
  std::ostringstream os;
  os << kindof(float32) << kindof(bfloat16) << kindof(bool_) << kindof(complex64) << kindof(int8)
     << kindof(uint8);
  EXPECT_EQ(os.str(), "fVbciu");
}

TEST(Dtype, ArrayProtocol) {
  EXPECT_EQ(dtype_to_array_protocol(float32), "<f4");
  EXPECT_EQ(dtype_to_array_protocol(float64), "<f8");
  EXPECT_EQ(dtype_to_array_protocol(bool_), "|b1");
  EXPECT_EQ(dtype_to_array_protocol(uint8), "|u1");
  EXPECT_EQ(dtype_to_array_protocol(int8), "|i1");
  EXPECT_EQ(dtype_to_array_protocol(int64), "<i8");
  EXPECT_EQ(dtype_to_array_protocol(float16), "<f2");
  EXPECT_EQ(dtype_to_array_protocol(bfloat16), "<V2");
  EXPECT_EQ(dtype_to_array_protocol(complex64), "<c8");
  for (Dtype t : all_dtypes) {
    const std::string s = dtype_to_array_protocol(t);
    EXPECT_EQ(dtype_from_array_protocol(s), t) << s;
    EXPECT_EQ(dtype_from_array_protocol(s.substr(1)), t) << s;
    EXPECT_EQ(dtype_from_array_protocol(std::string(1, '=').append(s, 1)), t) << s;
  }
  EXPECT_EQ(dtype_from_array_protocol("V2"), bfloat16);
  EXPECT_EQ(dtype_from_array_protocol(">u1"), uint8);  // byte order is moot for one byte
  for (const char* bad : {"", "f", "<f3", "<x4", "<f44", "<V4", ">f4", "<c16", "abcd"}) {
    try {
      dtype_from_array_protocol(bad);
      ADD_FAILURE() << "no throw for '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()),
                std::string("[from_str] Invalid array protocol type-string: ") + bad);
    }
  }
}

TEST(Dtype, Finfo) {
  static_assert(finfo(float16).max == 65504.0);
  const finfo f32(float32);
  EXPECT_EQ(f32.dtype, float32);
  EXPECT_EQ(f32.eps, 0x1p-23);
  EXPECT_EQ(f32.max, static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(f32.min, -static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(f32.tiny, 0x1p-126);
  EXPECT_EQ(f32.bits, 32);
  const finfo f16(float16);
  EXPECT_EQ(f16.max, 65504.0);
  EXPECT_EQ(f16.min, -65504.0);
  EXPECT_EQ(f16.eps, 0x1p-10);
  EXPECT_EQ(f16.tiny, 0x1p-14);
  EXPECT_EQ(f16.bits, 16);
  const finfo bf(bfloat16);
  EXPECT_EQ(bf.eps, 0x1p-7);
  EXPECT_EQ(bf.max, 0x1.fep127);
  EXPECT_EQ(bf.tiny, 0x1p-126);
  const finfo f64(float64);
  EXPECT_EQ(f64.eps, 0x1p-52);
  EXPECT_EQ(f64.max, std::numeric_limits<double>::max());
  EXPECT_EQ(f64.min, std::numeric_limits<double>::lowest());
  EXPECT_EQ(f64.bits, 64);
  const finfo c(complex64);
  EXPECT_EQ(c.dtype, float32);
  EXPECT_EQ(c.eps, f32.eps);
  EXPECT_EQ(c.max, f32.max);
  for (Dtype t : {bool_, uint8, int32, int64, uint64}) {
    try {
      finfo info(t);
      ADD_FAILURE() << "no throw for " << t;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "[finfo] dtype " + dtype_to_string(t) + " is not inexact.");
    }
  }
}

template <class T>
void expect_iinfo(Dtype t) {
  const iinfo info(t);
  EXPECT_EQ(info.dtype, t);
  EXPECT_EQ(info.min, static_cast<int64_t>(std::numeric_limits<T>::min())) << t;
  EXPECT_EQ(info.max, static_cast<uint64_t>(std::numeric_limits<T>::max())) << t;
}

TEST(Dtype, Iinfo) {
  expect_iinfo<uint8_t>(uint8);
  expect_iinfo<uint16_t>(uint16);
  expect_iinfo<uint32_t>(uint32);
  expect_iinfo<uint64_t>(uint64);
  expect_iinfo<int8_t>(int8);
  expect_iinfo<int16_t>(int16);
  expect_iinfo<int32_t>(int32);
  expect_iinfo<int64_t>(int64);
  EXPECT_EQ(iinfo(int8).min, -128);
  EXPECT_EQ(iinfo(uint64).max, 18446744073709551615ull);
  EXPECT_EQ(iinfo(int64).min, std::numeric_limits<int64_t>::min());
  for (Dtype t : {bool_, float16, float32, float64, bfloat16, complex64}) {
    try {
      iinfo info(t);
      ADD_FAILURE() << "no throw for " << t;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), "[iinfo] dtype " + dtype_to_string(t) + " is not integral.");
    }
  }
}

TEST(Dtype, Dispatch) {
  for (Dtype t : all_dtypes) {
    const Dtype got = detail::dispatch_dtype(
        t, [](auto tag) -> Dtype { return dtype_of_v<typename decltype(tag)::type>; });
    EXPECT_EQ(got, t);
    const size_t sz =
        detail::dispatch_dtype(t, [](auto tag) { return sizeof(typename decltype(tag)::type); });
    EXPECT_EQ(sz, size_of(t));
  }
  static_assert(std::is_same_v<
                decltype(detail::dispatch_dtype(
                    float64, [](auto tag) { return sizeof(typename decltype(tag)::type) > 4; })),
                bool>);
  static_assert(detail::dispatch_dtype(
                    float64, [](auto tag) { return sizeof(typename decltype(tag)::type); }) == 8);
  int calls = 0;  // void-returning callables and references pass through
  detail::dispatch_dtype(int16, [&](auto) { ++calls; });
  EXPECT_EQ(calls, 1);
  int x = 3;
  int& ref = detail::dispatch_dtype(bool_, [&](auto) -> int& { return x; });
  EXPECT_EQ(&ref, &x);
}

}  // namespace
}  // namespace mlx::core

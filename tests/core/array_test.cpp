// SPDX-License-Identifier: MIT
// Tests for array.hpp: constructors (scalar, initializer list, iterator, zero-copy), shape
// queries, item(), data(), empty and 0-d arrays, and the deleted rvalue assignment.
#include "../error_message.hpp"
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <list>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "mlx/mlx.hpp"

namespace mx = mlx::core;

namespace {

// Assigning to a temporary array is a compile error (MLX deletes both rvalue assignments).
static_assert(!std::is_assignable_v<mx::array&&, mx::array>);
static_assert(!std::is_assignable_v<mx::array&&, const mx::array&>);
static_assert(std::is_assignable_v<mx::array&, mx::array>);
static_assert(std::is_assignable_v<mx::array&, const mx::array&>);
static_assert(std::is_nothrow_move_constructible_v<mx::array>);

using mlxtest::invalid_argument_message;

template <class T>
std::vector<T> values(mx::array a) {
  a.eval();
  const T* p = a.data<T>();
  return std::vector<T>(p, p + a.size());
}

TEST(ArrayScalar, DtypesFollowTypeToDtype) {
  mx::array f(2.5f);
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(f.item<float>(), 2.5f);

  mx::array d(0.1);  // a C++ double becomes float32 (MLX)
  EXPECT_EQ(d.dtype(), mx::float32);
  EXPECT_EQ(d.item<float>(), 0.1f);
  EXPECT_EQ(d.item<double>(), static_cast<double>(0.1f));

  mx::array i(-7);
  EXPECT_EQ(i.dtype(), mx::int32);
  EXPECT_EQ(i.item<int>(), -7);

  mx::array b(true);
  EXPECT_EQ(b.dtype(), mx::bool_);
  EXPECT_TRUE(b.item<bool>());
  EXPECT_FALSE(mx::array(false).item<bool>());

  EXPECT_EQ(mx::array(int64_t{1} << 40).dtype(), mx::int64);
  EXPECT_EQ(mx::array(int64_t{1} << 40).item<int64_t>(), int64_t{1} << 40);
  EXPECT_EQ(mx::array(uint8_t{200}).dtype(), mx::uint8);
  EXPECT_EQ(mx::array(uint8_t{200}).item<int>(), 200);
  EXPECT_EQ(mx::array(int16_t{-3}).dtype(), mx::int16);
  EXPECT_EQ(mx::array(uint32_t{7}).dtype(), mx::uint32);
  EXPECT_EQ(mx::array(mx::float16_t(1.5f)).dtype(), mx::float16);
  EXPECT_EQ(mx::array(mx::float16_t(1.5f)).item<float>(), 1.5f);
  EXPECT_EQ(mx::array(mx::bfloat16_t(-2.0f)).dtype(), mx::bfloat16);
  EXPECT_EQ(mx::array(mx::bfloat16_t(-2.0f)).item<float>(), -2.0f);
}

TEST(ArrayScalar, ComplexScalar) {
  mx::array c(mx::complex64_t(1.5f, -2.0f));
  EXPECT_EQ(c.dtype(), mx::complex64);
  EXPECT_EQ(c.itemsize(), 8u);
  EXPECT_EQ(c.item<mx::complex64_t>(), mx::complex64_t(1.5f, -2.0f));
  // complex -> real keeps the real part
  EXPECT_EQ(c.item<float>(), 1.5f);
}

TEST(ArrayScalar, ExplicitDtypeConverts) {
  mx::array a(3.7, mx::int32);
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(a.item<int>(), 3);
  mx::array b(-3.7f, mx::int32);
  EXPECT_EQ(b.item<int>(), -3);  // truncation toward zero
  mx::array c(5, mx::float16);
  EXPECT_EQ(c.dtype(), mx::float16);
  EXPECT_EQ(c.item<float>(), 5.0f);
  mx::array d(2, mx::bool_);
  EXPECT_EQ(d.dtype(), mx::bool_);
  EXPECT_TRUE(d.item<bool>());
  mx::array e(0.5f, mx::complex64);
  EXPECT_EQ(e.item<mx::complex64_t>(), mx::complex64_t(0.5f, 0.0f));
  mx::array f(300, mx::uint8);
  EXPECT_EQ(f.item<int>(), 300 % 256);
}

TEST(ArrayScalar, ZeroDimensional) {
  mx::array a(4.0f);
  EXPECT_EQ(a.ndim(), 0u);
  EXPECT_TRUE(a.shape().empty());
  EXPECT_TRUE(a.strides().empty());
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(a.nbytes(), 4u);
  EXPECT_TRUE(a.is_available());
  EXPECT_ANY_THROW(a.shape(0));
  EXPECT_ANY_THROW(a.shape(-1));
}

TEST(ArrayInitList, DtypeFromElementType) {
  mx::array i({1, 2, 3});
  EXPECT_EQ(i.dtype(), mx::int32);
  EXPECT_EQ(i.shape(), mx::Shape({3}));
  EXPECT_EQ(values<int32_t>(i), (std::vector<int32_t>{1, 2, 3}));

  mx::array f({1.5f, -2.0f});
  EXPECT_EQ(f.dtype(), mx::float32);
  EXPECT_EQ(values<float>(f), (std::vector<float>{1.5f, -2.0f}));

  mx::array d({0.25, 0.5});  // doubles: float32
  EXPECT_EQ(d.dtype(), mx::float32);
  EXPECT_EQ(values<float>(d), (std::vector<float>{0.25f, 0.5f}));

  mx::array b({true, false, true});
  EXPECT_EQ(b.dtype(), mx::bool_);
  EXPECT_EQ(values<bool>(b), (std::vector<bool>{true, false, true}));

  mx::array c({mx::complex64_t(1, 2), mx::complex64_t(3, -4)});
  EXPECT_EQ(c.dtype(), mx::complex64);
  EXPECT_EQ(values<mx::complex64_t>(c)[1], mx::complex64_t(3, -4));
}

TEST(ArrayInitList, EmptyListIsEmptyFloat32) {
  mx::array e(std::initializer_list<float>{});
  EXPECT_EQ(e.dtype(), mx::float32);
  EXPECT_EQ(e.shape(), mx::Shape({0}));
  EXPECT_EQ(e.size(), 0u);
  EXPECT_EQ(e.nbytes(), 0u);
}

TEST(ArrayInitList, WithDtype) {
  mx::array a({1, 2, 3}, mx::float32);
  EXPECT_EQ(a.dtype(), mx::float32);
  EXPECT_EQ(values<float>(a), (std::vector<float>{1, 2, 3}));

  mx::array b({1.9f, -1.9f, 0.2f}, mx::int32);
  EXPECT_EQ(b.dtype(), mx::int32);
  EXPECT_EQ(values<int32_t>(b), (std::vector<int32_t>{1, -1, 0}));

  mx::array c({0, 3, -1}, mx::bool_);
  EXPECT_EQ(values<bool>(c), (std::vector<bool>{false, true, true}));

  mx::array h({0.5f, 65504.0f}, mx::float16);
  EXPECT_EQ(h.dtype(), mx::float16);
  EXPECT_EQ(h.itemsize(), 2u);
  auto hv = values<mx::float16_t>(h);
  EXPECT_EQ(static_cast<float>(hv[0]), 0.5f);
  EXPECT_EQ(static_cast<float>(hv[1]), 65504.0f);
}

TEST(ArrayInitList, WithShape) {
  mx::array a({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(a.dtype(), mx::int32);
  EXPECT_EQ(a.shape(), mx::Shape({2, 3}));
  EXPECT_EQ(a.ndim(), 2u);
  EXPECT_EQ(values<int32_t>(a), (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));

  mx::array b({1, 2, 3, 4}, {2, 1, 2}, mx::float64);
  EXPECT_EQ(b.dtype(), mx::float64);
  EXPECT_EQ(b.shape(), mx::Shape({2, 1, 2}));
  EXPECT_EQ(values<double>(b), (std::vector<double>{1, 2, 3, 4}));

  mx::array s({42}, mx::Shape{});  // one element, 0-d
  EXPECT_EQ(s.ndim(), 0u);
  EXPECT_EQ(s.item<int>(), 42);
}

TEST(ArrayInitList, SizeMismatchThrows) {
  auto msg = invalid_argument_message([] { mx::array a({1, 2, 3}, {2, 2}); });
  EXPECT_NE(msg.find("[array]"), std::string::npos) << msg;
  msg = invalid_argument_message([] { mx::array a({1.0f, 2.0f}, {3}); });
  EXPECT_NE(msg.find("[array]"), std::string::npos) << msg;
  msg = invalid_argument_message([] { mx::array a({1, 2}, {2, 0}); });
  EXPECT_NE(msg.find("[array]"), std::string::npos) << msg;
  msg = invalid_argument_message([] { mx::array a({1, 2}, {-1, -2}); });
  EXPECT_NE(msg.find("[array]"), std::string::npos) << msg;
}

TEST(ArrayIterator, CopiesWithConversion) {
  std::vector<double> v{1.25, -2.5, 3.75, 4.0};
  mx::array a(v.begin(), {2, 2});
  EXPECT_EQ(a.dtype(), mx::float32);  // double maps to float32
  EXPECT_EQ(a.shape(), mx::Shape({2, 2}));
  EXPECT_EQ(values<float>(a), (std::vector<float>{1.25f, -2.5f, 3.75f, 4.0f}));

  mx::array b(v.data(), {4}, mx::int32);  // pointer, converting to int32
  EXPECT_EQ(b.dtype(), mx::int32);
  EXPECT_EQ(values<int32_t>(b), (std::vector<int32_t>{1, -2, 3, 4}));

  // The data is copied: later changes to the source do not show.
  v[0] = 100.0;
  EXPECT_EQ(values<float>(a)[0], 1.25f);
  EXPECT_NE(static_cast<const void*>(a.data<float>()), static_cast<const void*>(v.data()));

  std::list<int> l{5, 6, 7};  // a non-contiguous input iterator
  mx::array c(l.begin(), {3}, mx::float64);
  EXPECT_EQ(c.dtype(), mx::float64);
  EXPECT_EQ(values<double>(c), (std::vector<double>{5, 6, 7}));

  const int16_t raw[3] = {-1, 2, -3};
  mx::array d(raw, {3});
  EXPECT_EQ(d.dtype(), mx::int16);
  EXPECT_EQ(values<int16_t>(d), (std::vector<int16_t>{-1, 2, -3}));

  std::vector<uint8_t> u{1, 0, 2};
  mx::array e(u.begin(), {3}, mx::bool_);
  EXPECT_EQ(values<bool>(e), (std::vector<bool>{true, false, true}));
}

TEST(ArrayIterator, ReadsOnlyShapeSizeElements) {
  std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 8};
  mx::array a(v.begin() + 2, {2, 2});
  EXPECT_EQ(values<int32_t>(a), (std::vector<int32_t>{3, 4, 5, 6}));
}

TEST(ArrayIterator, NegativeShapeThrows) {
  std::vector<float> v{1, 2};
  auto msg = invalid_argument_message([&] { mx::array a(v.begin(), {-2}); });
  EXPECT_NE(msg.find("[array]"), std::string::npos) << msg;
}

TEST(ArrayZeroCopy, SamePointerAndDeleterRunsOnce) {
  auto* buf = new float[6]{1, 2, 3, 4, 5, 6};
  int calls = 0;
  void* deleted = nullptr;
  {
    mx::array a(buf, {2, 3}, mx::float32, [&](void* p) {
      ++calls;
      deleted = p;
      delete[] static_cast<float*>(p);
    });
    EXPECT_TRUE(a.is_available());
    EXPECT_EQ(a.data<float>(), buf);
    EXPECT_EQ(a.shape(), mx::Shape({2, 3}));
    EXPECT_EQ(a.strides(), mx::Strides({3, 1}));
    {
      mx::array b = a;  // another handle
      EXPECT_EQ(b.data<float>(), buf);
    }
    EXPECT_EQ(calls, 0);
    // Memory the caller owns is not counted as active allocator memory... but it is read.
    mx::array c = a * 2.0f;
    EXPECT_EQ(values<float>(c), (std::vector<float>{2, 4, 6, 8, 10, 12}));
    EXPECT_EQ(calls, 0);
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(deleted, static_cast<void*>(buf));
}

TEST(ArrayZeroCopy, LazyUserKeepsMemoryAlive) {
  auto* buf = new int32_t[4]{1, 2, 3, 4};
  int calls = 0;
  auto deleter = [&](void* p) {
    ++calls;
    delete[] static_cast<int32_t*>(p);
  };
  mx::array lazy;
  {
    mx::array a(buf, {4}, mx::int32, deleter);
    lazy = a + 10;  // an unevaluated user of a
  }
  EXPECT_EQ(calls, 0) << "the lazy node still needs the memory";
  EXPECT_FALSE(lazy.is_available());
  EXPECT_EQ(values<int32_t>(lazy), (std::vector<int32_t>{11, 12, 13, 14}));
  // Evaluation released the inputs: the wrapped memory is gone now, exactly once.
  EXPECT_EQ(calls, 1);
  lazy = mx::array();
  EXPECT_EQ(calls, 1);
}

TEST(ArrayZeroCopy, UnevaluatedUserDroppedRunsDeleterOnce) {
  auto* buf = new float[3]{1, 2, 3};
  int calls = 0;
  {
    mx::array lazy;
    {
      mx::array a(buf, {3}, mx::float32, [&](void* p) {
        ++calls;
        delete[] static_cast<float*>(p);
      });
      lazy = mx::exp(a) + a;
      mx::array lazy2 = lazy * a;  // two lazy users
    }
    EXPECT_EQ(calls, 0);
  }
  EXPECT_EQ(calls, 1);
}

TEST(ArrayZeroCopy, CallerMemoryIsNeverDonated) {
  // A dying zero-copy input must not be overwritten by its user's result.
  std::vector<float> storage{1, 2, 3, 4};
  int calls = 0;
  mx::array out;
  {
    mx::array a(storage.data(), {4}, mx::float32, [&](void*) { ++calls; });
    out = std::move(a) + 1.0f;
  }
  out.eval();
  EXPECT_EQ(values<float>(out), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(storage, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_NE(static_cast<void*>(out.data<float>()), static_cast<void*>(storage.data()));
  EXPECT_EQ(calls, 1);
}

TEST(ArrayZeroCopy, NullDeleterIsAllowed) {
  float buf[2] = {7, 8};
  {
    mx::array a(buf, {2}, mx::float32, nullptr);
    EXPECT_EQ(a.data<float>(), buf);
    EXPECT_EQ(values<float>(a), (std::vector<float>{7, 8}));
  }
  EXPECT_EQ(buf[0], 7);
}

TEST(ArrayShape, Queries) {
  std::vector<float> v(24, 1.0f);
  mx::array a(v.begin(), {2, 3, 4}, mx::float16);
  EXPECT_EQ(a.ndim(), 3u);
  EXPECT_EQ(a.size(), 24u);
  EXPECT_EQ(a.itemsize(), 2u);
  EXPECT_EQ(a.nbytes(), 48u);
  EXPECT_EQ(a.strides(), mx::Strides({12, 4, 1}));
  EXPECT_EQ(a.strides(0), 12);
  EXPECT_EQ(a.strides(-1), 1);
  EXPECT_EQ(a.shape(0), 2);
  EXPECT_EQ(a.shape(1), 3);
  EXPECT_EQ(a.shape(2), 4);
  EXPECT_EQ(a.shape(-1), 4);
  EXPECT_EQ(a.shape(-2), 3);
  EXPECT_EQ(a.shape(-3), 2);
  EXPECT_ANY_THROW(a.shape(3));
  EXPECT_ANY_THROW(a.shape(-4));

  mx::array d({1.0, 2.0}, mx::float64);
  EXPECT_EQ(d.itemsize(), 8u);
  EXPECT_EQ(d.nbytes(), 16u);
  mx::array c({mx::complex64_t(1, 1)});
  EXPECT_EQ(c.nbytes(), 8u);
}

TEST(ArrayShape, LazyArraysKnowTheirShape) {
  mx::array a({1.0f, 2.0f, 3.0f}, {3, 1});
  mx::array b({1.0f, 2.0f}, {1, 2});
  mx::array c = a * b;  // broadcast, unevaluated
  EXPECT_FALSE(c.is_available());
  EXPECT_EQ(c.shape(), mx::Shape({3, 2}));
  EXPECT_EQ(c.size(), 6u);
  EXPECT_EQ(c.dtype(), mx::float32);
  EXPECT_EQ(values<float>(c), (std::vector<float>{1, 2, 2, 4, 3, 6}));
}

TEST(ArrayItem, ConvertsAndEvaluates) {
  EXPECT_EQ(mx::array(3.75f).item<int>(), 3);
  EXPECT_EQ(mx::array(-3.75f).item<int>(), -3);
  EXPECT_EQ(mx::array(3.75f).item<double>(), 3.75);
  EXPECT_TRUE(mx::array(0.5f).item<bool>());
  EXPECT_FALSE(mx::array(0.0f).item<bool>());
  EXPECT_EQ(mx::array(true).item<float>(), 1.0f);
  EXPECT_EQ(mx::array(7).item<mx::complex64_t>(), mx::complex64_t(7, 0));
  EXPECT_EQ(mx::array(mx::float16_t(0.5f)).item<double>(), 0.5);

  mx::array lazy = mx::array(2.0f) * 3.0f + 1.0f;
  EXPECT_FALSE(lazy.is_available());
  EXPECT_EQ(lazy.item<float>(), 7.0f);
  EXPECT_TRUE(lazy.is_available());

  mx::array one({5}, {1, 1, 1});  // size 1 but 3-d
  EXPECT_EQ(one.item<int>(), 5);

  const mx::array ca(9);
  EXPECT_EQ(ca.item<int>(), 9);  // const overload
}

TEST(ArrayItem, WrongSizeThrows) {
  auto msg = invalid_argument_message([] { (void)mx::array({1, 2}).item<int>(); });
  EXPECT_NE(msg.find("[item]"), std::string::npos) << msg;
  msg = invalid_argument_message(
      [] { (void)mx::array(std::initializer_list<float>{}).item<float>(); });
  EXPECT_NE(msg.find("[item]"), std::string::npos) << msg;
  mx::array lazy = mx::array({1.0f, 2.0f}) + 1.0f;
  msg = invalid_argument_message([&] { (void)lazy.item<float>(); });
  EXPECT_NE(msg.find("[item]"), std::string::npos) << msg;
}

TEST(ArrayData, EvaluatesAndChecksElementSize) {
  mx::array a({1.0f, 2.0f, 3.0f});
  mx::array b = a + 1.0f;
  EXPECT_FALSE(b.is_available());
  float* p = b.data<float>();
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(b.is_available());
  EXPECT_EQ(p[0], 2.0f);
  EXPECT_EQ(p[2], 4.0f);
  EXPECT_EQ(b.data<float>(), p);  // stable

  auto msg = invalid_argument_message([&] { (void)a.data<double>(); });
  EXPECT_NE(msg.find("[data]"), std::string::npos) << msg;
  msg = invalid_argument_message([&] { (void)a.data<int16_t>(); });
  EXPECT_NE(msg.find("[data]"), std::string::npos) << msg;
  // Same size, other type: allowed (a reinterpretation, as in MLX).
  EXPECT_NO_THROW((void)a.data<int32_t>());

  const mx::array ca({int8_t{1}, int8_t{-2}});
  EXPECT_EQ(ca.data<int8_t>()[1], -2);
}

TEST(ArrayEmpty, ShapesWithZero) {
  mx::array e1(std::vector<float>{}.begin(), {0});
  EXPECT_EQ(e1.size(), 0u);
  EXPECT_EQ(e1.ndim(), 1u);
  EXPECT_EQ(e1.nbytes(), 0u);
  EXPECT_NO_THROW(e1.eval());

  std::vector<int> none;
  mx::array e2(none.begin(), {2, 0});
  EXPECT_EQ(e2.shape(), mx::Shape({2, 0}));
  EXPECT_EQ(e2.size(), 0u);
  EXPECT_EQ(e2.ndim(), 2u);
  EXPECT_EQ(e2.shape(-1), 0);
  EXPECT_ANY_THROW((void)e2.item<int>());

  mx::array lazy = e2 * 2;  // an expression over an empty array evaluates to nothing
  EXPECT_EQ(lazy.shape(), mx::Shape({2, 0}));
  EXPECT_NO_THROW(lazy.eval());
  EXPECT_TRUE(lazy.is_available());
  EXPECT_EQ(lazy.size(), 0u);

  mx::array z = mx::zeros({0, 3});
  EXPECT_NO_THROW(z.eval());
  EXPECT_EQ(z.shape(), mx::Shape({0, 3}));
}

TEST(ArrayHandles, CopiesShareTheNode) {
  mx::array a({1, 2, 3});
  mx::array b = a;
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(a.use_count(), 2);
  mx::array c = mx::array(a + 0);
  EXPECT_NE(c.id(), a.id());
  mx::array e;
  EXPECT_TRUE(e.is_empty_handle());
  e = a;
  EXPECT_FALSE(e.is_empty_handle());
  EXPECT_EQ(e.id(), a.id());
  mx::array m = std::move(e);
  EXPECT_TRUE(e.is_empty_handle());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(m.id(), a.id());
}

TEST(ArrayHandles, ExpressionConversion) {
  mx::array a({1.0f, 2.0f, 3.0f});
  mx::array b({10.0f, 20.0f, 30.0f});
  mx::array c = a * b - a;
  EXPECT_TRUE(c.has_primitive());
  EXPECT_EQ(values<float>(c), (std::vector<float>{9, 38, 87}));
  EXPECT_FALSE(c.has_primitive()) << "evaluation detaches the node from its inputs";
  EXPECT_TRUE(c.inputs().empty());
}

}  // namespace

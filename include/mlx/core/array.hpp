// SPDX-License-Identifier: MIT
// `array`: a cheap shared handle to a node of the lazy graph (shape, dtype, strides, a lazily
// filled buffer, and, until evaluated, a primitive with its inputs).
#pragma once

#include <complex>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <type_traits>
#include <vector>

#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/core/device.hpp"
#include "mlx/core/dtype.hpp"
#include "mlx/core/shape.hpp"

namespace mlx::core {

class Primitive;
class array;

namespace detail {
template <class E>
struct is_expression : std::false_type {};
}  // namespace detail

/// An expression template (see expr/expr.hpp): what converts to an array in one fused node.
template <class E>
concept expression = detail::is_expression<std::remove_cvref_t<E>>::value;

namespace detail {
struct ArrayDesc;
void release_inputs(ArrayDesc& d);
std::vector<std::shared_ptr<ArrayDesc>> cut_unreachable_siblings(
    const std::shared_ptr<ArrayDesc>& held);

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, float16_t> || std::is_same_v<T, bfloat16_t>;
template <class T>
inline constexpr bool is_complex_v = std::is_same_v<T, complex64_t>;

/// Converts one element between any two element types (complex → real keeps the real part,
/// anything → bool tests for non-zero).
template <class To, class From>
constexpr To convert_element(const From& v) {
  if constexpr (std::is_same_v<To, From>)
    return v;
  else if constexpr (is_complex_v<From>)
    return convert_element<To>(v.real());
  else if constexpr (is_half_v<From>)
    return convert_element<To>(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, bool>)
    return v != From(0);
  else if constexpr (is_complex_v<To>)
    return To(static_cast<float>(v), 0.0f);
  else
    return static_cast<To>(v);
}
}  // namespace detail

class array {
 public:
  /// An empty handle (no node). Only assignment and destruction are valid on it.
  array() = default;

  /// A 0-d array holding `val` (dtype from MLX's TypeToDtype: a double gives float32).
  template <class T>
    requires(std::is_arithmetic_v<T> || std::is_same_v<T, float16_t> ||
             std::is_same_v<T, bfloat16_t>)
  explicit array(T val, Dtype dtype = TypeToDtype<T>()) {
    init_from(&val, Shape{}, dtype);
  }
  array(const complex64_t& val, Dtype dtype = complex64) { init_from(&val, Shape{}, dtype); }

  /// Copies `shape`'s product of elements starting at `data` (a pointer or iterator).
  template <class It>
    requires std::input_iterator<It>
  array(It data, const Shape& shape,
        Dtype dtype = TypeToDtype<typename std::iterator_traits<It>::value_type>()) {
    using T = typename std::iterator_traits<It>::value_type;
    check_shape("array", shape);
    std::vector<T> tmp(data, std::next(data, shape_size(shape)));
    init_from(tmp.data(), shape, dtype);
  }

  template <class T>
  array(std::initializer_list<T> data, Dtype dtype = TypeToDtype<T>()) {
    init_from(std::data(data), Shape{static_cast<ShapeElem>(data.size())}, dtype);
  }
  /// An empty list makes an empty float32 array (as in MLX).
  array(std::initializer_list<float> data) {
    init_from(std::data(data), Shape{static_cast<ShapeElem>(data.size())}, float32);
  }
  array(std::initializer_list<int> data, Dtype dtype) {
    init_from(std::data(data), Shape{static_cast<ShapeElem>(data.size())}, dtype);
  }
  template <class T>
  array(std::initializer_list<T> data, const Shape& shape, Dtype dtype = TypeToDtype<T>()) {
    check_shape("array", shape);
    if (static_cast<int64_t>(data.size()) != shape_size(shape))
      detail::fail("array", "Data size (", data.size(), ") does not match shape ", shape,
                   " (", shape_size(shape), " elements).");
    init_from(std::data(data), shape, dtype);
  }

  /// Wraps memory the caller owns, without a copy. `deleter(data)` runs when the last array
  /// using the memory is gone. The memory must hold shape's product of row-major elements.
  array(void* data, Shape shape, Dtype dtype, const std::function<void(void*)>& deleter);

  /// Takes an allocator buffer (no copy).
  array(allocator::Buffer data, Shape shape, Dtype dtype,
        const std::function<void(allocator::Buffer)>& deleter = allocator::free);

  /// A lazy node: `primitive` computes it from `inputs` when it is evaluated.
  array(Shape shape, Dtype dtype, std::shared_ptr<Primitive> primitive, std::vector<array> inputs);

  /// Several outputs of one primitive (siblings of each other).
  static std::vector<array> make_arrays(std::vector<Shape> shapes, const std::vector<Dtype>& dtypes,
                                        const std::shared_ptr<Primitive>& primitive,
                                        const std::vector<array>& inputs);

  /// The bridge from the compile-time graph: one fused node (defined in expr/fused.hpp).
  template <expression E>
  array(const E& e);

  array(const array&) = default;
  array(array&&) noexcept = default;
  array& operator=(const array& other) & {
    auto keep = other.desc_;  // (self-assignment: keeps the node alive across release())
    release();
    desc_ = std::move(keep);
    return *this;
  }
  array& operator=(array&& other) & noexcept {
    if (this != &other) {
      release();
      desc_ = std::move(other.desc_);
    }
    return *this;
  }
  ~array() { release(); }
  // Assigning to a temporary array is a bug (MLX deletes these too).
  array& operator=(const array&) && = delete;
  array& operator=(array&&) && = delete;

  size_t itemsize() const { return size_of(dtype()); }
  size_t size() const;
  size_t nbytes() const { return size() * itemsize(); }
  size_t ndim() const { return shape().size(); }
  const Shape& shape() const;
  /// The size of one dimension; negative dims count from the end.
  int shape(int dim) const;
  const Strides& strides() const;
  int64_t strides(int dim) const;
  Dtype dtype() const;

  /// Evaluates this array (and whatever it depends on).
  void eval();

  /// The single element, converted to T. Evaluates first.
  /// \throws std::invalid_argument when the array does not have exactly one element.
  template <class T>
  T item();
  template <class T>
  T item() const {
    return const_cast<array*>(this)->item<T>();
  }

  /// Pointer to the (evaluated) elements. Evaluates first when needed.
  /// \throws std::invalid_argument when sizeof(T) differs from itemsize().
  template <class T>
  T* data();
  template <class T>
  const T* data() const {
    return const_cast<array*>(this)->data<T>();
  }

  struct Flags {
    bool contiguous : 1;      // the elements fill [data, data + data_size) without gaps
    bool row_contiguous : 1;  // C order
    bool col_contiguous : 1;  // Fortran order
  };

  // --- graph and buffer access (for primitives and transforms) -------------------------
  bool is_available() const;  // evaluated (data present)
  bool has_primitive() const;
  Primitive& primitive() const;
  const std::shared_ptr<Primitive>& primitive_ptr() const;
  std::vector<array>& inputs();
  const std::vector<array>& inputs() const;
  std::vector<array>& siblings();
  const std::vector<array>& siblings() const;
  /// This array followed by its siblings, in output order.
  std::vector<array> outputs() const;
  int sibling_position() const;
  /// A unique id for the node (its address).
  std::uintptr_t id() const { return reinterpret_cast<std::uintptr_t>(desc_.get()); }
  Flags flags() const;
  size_t data_size() const;  // elements spanned by the buffer view
  allocator::Buffer& buffer();
  const allocator::Buffer& buffer() const;
  /// The first element in host memory (brought up to date if the GPU wrote it).
  void* raw_data() const;
  /// Backends only: the host address without synchronising, and the GPU copy (or null).
  const void* host_address() const;
  gpu::DeviceCopy* device_copy() const;
  void set_device_copy(std::unique_ptr<gpu::DeviceCopy> copy);
  /// Whether a GPU kernel may overwrite this array's device buffer (see is_donatable).
  bool is_donatable_on_gpu() const;
  const Stream& stream() const;
  /// Allocates and attaches row-contiguous storage for this array's shape.
  void set_data(allocator::Buffer buffer);
  /// Attaches row-contiguous storage that `deleter` frees (a backend's own memory).
  void set_data(allocator::Buffer buffer, std::function<void(allocator::Buffer)> deleter);
  /// Attaches a buffer with explicit strides/flags (views, donation).
  void set_data(allocator::Buffer buffer, size_t data_size, Strides strides, Flags flags);
  /// Shares `other`'s buffer (a view) with the given strides, offset in elements and flags.
  void copy_shared_buffer(const array& other, const Strides& strides, Flags flags,
                          size_t data_size, int64_t offset = 0);
  void copy_shared_buffer(const array& other);
  /// Takes `other`'s buffer (donation): `other` must not be used afterwards.
  void move_shared_buffer(array other);
  /// True when this node is the buffer's only user and nobody else holds the node.
  bool is_donatable() const;
  /// Forgets the buffer (a primitive that throws half-way leaves its output unevaluated).
  void clear_data();
  /// Drops the primitive and inputs after evaluation.
  void detach();
  /// Number of handles sharing the node (for donation checks).
  long use_count() const { return desc_.use_count(); }
  bool is_empty_handle() const { return !desc_; }
  uint64_t& visit_mark_ref();

 private:
  template <class T>
  void init_from(const T* src, const Shape& shape, Dtype dtype);
  static void check_shape(std::string_view op, const Shape& shape) {
    for (auto d : shape)
      if (d < 0) detail::fail(op, "Shape dimensions must be non-negative. Got shape ", shape, ".");
  }

  /// Drops this handle. The outputs of a multi-output primitive hold each other; when this
  /// is the last handle from outside, those links are cut so that the outputs are freed.
  void release() noexcept;

  std::shared_ptr<detail::ArrayDesc> desc_;
  friend void detail::release_inputs(detail::ArrayDesc&);
  friend std::vector<std::shared_ptr<detail::ArrayDesc>> detail::cut_unreachable_siblings(
      const std::shared_ptr<detail::ArrayDesc>&);
  friend struct detail::ArrayDesc;
};

namespace detail {

/// The owner of a buffer: either the allocator's or a caller's memory with its deleter.
struct Data {
  allocator::Buffer buffer;
  std::function<void(allocator::Buffer)> deleter;
  Data(allocator::Buffer b, std::function<void(allocator::Buffer)> d)
      : buffer(b), deleter(std::move(d)) {}
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  ~Data() {
    if (deleter) deleter(buffer);
  }
  bool owned_by_allocator = true;
  /// The copy on the GPU, once the buffer has been there (backend/gpu/interface.hpp).
  std::unique_ptr<gpu::DeviceCopy> device;
  /// Brings the host copy up to date when the GPU wrote the buffer since.
  void sync_host() {
    if (device && device->host_stale) device->sync_to_host();
  }
};

struct ArrayDesc {
  Shape shape;
  Strides strides;
  size_t size = 0;
  Dtype dtype;
  Stream stream{0, Device::cpu};
  std::shared_ptr<Primitive> primitive;
  std::vector<array> inputs;
  std::vector<array> siblings;  // other outputs of the same primitive
  int position = 0;             // index among the primitive's outputs
  std::shared_ptr<Data> data;
  void* data_ptr = nullptr;
  size_t data_size = 0;
  array::Flags flags{true, true, true};
  uint64_t visit_mark = 0;  // eval's DFS marker (see transforms/eval.hpp)

  ArrayDesc(Shape s, Dtype t) : shape(std::move(s)), dtype(t) {
    // Every array's shape passes here: no size whose strides overflow. (Negative dims are
    // left to each op's own check, which names the op.)
    if (std::none_of(shape.begin(), shape.end(), [](ShapeElem d) { return d < 0; })) checked_size("array", shape, t.size);
    strides = row_major_strides(shape);
    size = static_cast<size_t>(shape_size(shape));
  }
  ~ArrayDesc() { release_inputs(*this); }
};

/// Releases a node's inputs without recursion: a long unevaluated chain would otherwise
/// overflow the stack through nested shared_ptr destructors.
inline void release_inputs(ArrayDesc& d) {
  if (d.inputs.empty()) return;
  // Every handle is queued (a node may read the same input twice); a popped node whose
  // handle is the last one has its own inputs queued before it is destroyed.
  std::vector<std::shared_ptr<ArrayDesc>> pending;
  for (auto& in : d.inputs)
    if (in.desc_) pending.push_back(std::move(in.desc_));
  d.inputs.clear();
  while (!pending.empty()) {
    auto cur = std::move(pending.back());
    pending.pop_back();
    if (cur.use_count() != 1 && !cur->siblings.empty())
      for (auto& sibling : cut_unreachable_siblings(cur)) pending.push_back(std::move(sibling));
    if (cur.use_count() != 1) continue;  // someone else still holds it: just drop ours
    for (auto& in : cur->inputs)
      if (in.desc_) pending.push_back(std::move(in.desc_));
    cur->inputs.clear();
    // cur's siblings point back at nodes that hold cur; dropping them breaks the cycle.
    // (Moved out first: dropping a handle can cut other lists, never one being cleared.)
    std::vector<array> links = std::move(cur->siblings);
    cur->siblings.clear();
  }
}

/// The outputs of one primitive reference each other (siblings). When the only references
/// left to all of them are those links plus `held` (the one about to be dropped), nothing
/// can reach them any more: the links are cut, and the siblings' descriptors are returned
/// for the caller to drop (release_inputs queues them, so freeing stays iterative).
inline std::vector<std::shared_ptr<ArrayDesc>> cut_unreachable_siblings(
    const std::shared_ptr<ArrayDesc>& held) {
  auto& siblings = held->siblings;
  const long n = static_cast<long>(siblings.size());
  if (n == 0 || held.use_count() != n + 1) return {};
  for (auto& s : siblings)
    if (!s.desc_ || s.desc_.use_count() != n) return {};
  for (auto& s : siblings) {
    for (auto& link : s.desc_->siblings) link.desc_.reset();
    s.desc_->siblings.clear();
  }
  std::vector<std::shared_ptr<ArrayDesc>> out;
  for (auto& s : siblings) out.push_back(std::move(s.desc_));
  siblings.clear();
  return out;
}

/// Copies n elements of type From into a buffer of dtype `dt`.
template <class From>
void convert_into(const From* src, void* dst, Dtype dt, size_t n) {
  detail::dispatch_dtype(dt, [&](auto tag) {
    using To = typename decltype(tag)::type;
    To* d = static_cast<To*>(dst);
    for (size_t i = 0; i < n; ++i) d[i] = convert_element<To>(src[i]);
  });
}

}  // namespace detail

// ---------------------------------------------------------------------------------------
// Inline definitions

template <class T>
void array::init_from(const T* src, const Shape& shape, Dtype dtype) {
  desc_ = std::make_shared<detail::ArrayDesc>(shape, dtype);
  auto buf = allocator::malloc(desc_->size * size_of(dtype));
  detail::convert_into(src, buf.ptr(), dtype, desc_->size);
  set_data(buf);
}

inline array::array(void* data, Shape shape, Dtype dtype,
                    const std::function<void(void*)>& deleter)
    : desc_(std::make_shared<detail::ArrayDesc>(std::move(shape), dtype)) {
  check_shape("array", desc_->shape);
  auto d = std::make_shared<detail::Data>(
      allocator::Buffer{data}, [deleter](allocator::Buffer b) {
        if (deleter) deleter(b.ptr());
      });
  d->owned_by_allocator = false;
  desc_->data = std::move(d);
  desc_->data_ptr = data;
  desc_->data_size = desc_->size;
}

inline array::array(allocator::Buffer data, Shape shape, Dtype dtype,
                    const std::function<void(allocator::Buffer)>& deleter)
    : desc_(std::make_shared<detail::ArrayDesc>(std::move(shape), dtype)) {
  desc_->data = std::make_shared<detail::Data>(data, deleter);
  desc_->data->owned_by_allocator = false;
  desc_->data_ptr = data.ptr();
  desc_->data_size = desc_->size;
}


inline std::vector<array> array::make_arrays(std::vector<Shape> shapes,
                                             const std::vector<Dtype>& dtypes,
                                             const std::shared_ptr<Primitive>& primitive,
                                             const std::vector<array>& inputs) {
  std::vector<array> outs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    outs.emplace_back(std::move(shapes[i]), dtypes[i], primitive,
                      i == 0 ? inputs : std::vector<array>{});
    outs.back().desc_->position = static_cast<int>(i);
  }
  // Only the first output holds the inputs; the others reach them through their siblings.
  for (size_t i = 0; i < outs.size(); ++i)
    for (size_t j = 0; j < outs.size(); ++j)
      if (i != j) outs[i].desc_->siblings.push_back(outs[j]);
  return outs;
}

inline uint64_t& array::visit_mark_ref() { return desc_->visit_mark; }
inline size_t array::size() const { return desc_->size; }
inline const Shape& array::shape() const { return desc_->shape; }
inline int array::shape(int dim) const {
  int n = static_cast<int>(ndim());
  return desc_->shape.at(dim < 0 ? dim + n : dim);
}
inline const Strides& array::strides() const { return desc_->strides; }
inline int64_t array::strides(int dim) const {
  int n = static_cast<int>(ndim());
  return desc_->strides.at(dim < 0 ? dim + n : dim);
}
inline Dtype array::dtype() const { return desc_->dtype; }
inline bool array::is_available() const { return desc_->data != nullptr; }
inline bool array::has_primitive() const { return desc_->primitive != nullptr; }
inline Primitive& array::primitive() const { return *desc_->primitive; }
inline const std::shared_ptr<Primitive>& array::primitive_ptr() const { return desc_->primitive; }
inline std::vector<array>& array::inputs() {
  return desc_->position == 0 || desc_->siblings.empty() ? desc_->inputs
                                                         : desc_->siblings[0].inputs();
}
inline const std::vector<array>& array::inputs() const {
  return const_cast<array*>(this)->inputs();
}
inline std::vector<array>& array::siblings() { return desc_->siblings; }
inline const std::vector<array>& array::siblings() const { return desc_->siblings; }
inline int array::sibling_position() const { return desc_->position; }
inline std::vector<array> array::outputs() const {
  std::vector<array> outs(desc_->siblings.size() + 1);
  outs[desc_->position] = *this;
  for (auto& s : desc_->siblings) outs[s.desc_->position] = s;
  return outs;
}
inline array::Flags array::flags() const { return desc_->flags; }
inline size_t array::data_size() const { return desc_->data_size; }
inline allocator::Buffer& array::buffer() { return desc_->data->buffer; }
inline const allocator::Buffer& array::buffer() const { return desc_->data->buffer; }
inline void* array::raw_data() const {
  if (desc_->data) desc_->data->sync_host();
  return desc_->data_ptr;
}
inline const void* array::host_address() const { return desc_->data_ptr; }
inline gpu::DeviceCopy* array::device_copy() const {
  return desc_->data ? desc_->data->device.get() : nullptr;
}
inline void array::set_device_copy(std::unique_ptr<gpu::DeviceCopy> copy) {
  desc_->data->device = std::move(copy);
}
inline const Stream& array::stream() const { return desc_->stream; }

inline void array::set_data(allocator::Buffer buffer) {
  desc_->data = std::make_shared<detail::Data>(buffer, allocator::free);
  desc_->data_ptr = buffer.ptr();
  desc_->data_size = desc_->size;
  desc_->strides = row_major_strides(desc_->shape);
  desc_->flags = Flags{true, true, ndim() <= 1 || size() <= 1};
}

inline void array::set_data(allocator::Buffer buffer,
                            std::function<void(allocator::Buffer)> deleter) {
  set_data(buffer);
  desc_->data->deleter = std::move(deleter);
  desc_->data->owned_by_allocator = false;
}

inline void array::set_data(allocator::Buffer buffer, size_t data_size, Strides strides,
                            Flags flags) {
  desc_->data = std::make_shared<detail::Data>(buffer, allocator::free);
  desc_->data_ptr = buffer.ptr();
  desc_->data_size = data_size;
  desc_->strides = std::move(strides);
  desc_->flags = flags;
}

inline void array::copy_shared_buffer(const array& other, const Strides& strides, Flags flags,
                                      size_t data_size, int64_t offset) {
  desc_->data = other.desc_->data;
  desc_->data_ptr = static_cast<char*>(other.desc_->data_ptr) +
                    offset * static_cast<int64_t>(other.itemsize());
  desc_->data_size = data_size;
  desc_->strides = strides;
  desc_->flags = flags;
}

inline void array::copy_shared_buffer(const array& other) {
  copy_shared_buffer(other, other.strides(), other.flags(), other.data_size());
}

inline void array::move_shared_buffer(array other) {
  desc_->data = std::move(other.desc_->data);
  desc_->data_ptr = other.desc_->data_ptr;
  desc_->data_size = other.desc_->data_size;
  desc_->strides = other.desc_->strides;
  desc_->flags = other.desc_->flags;
  other.desc_->data_ptr = nullptr;
}

inline bool array::is_donatable_on_gpu() const {
  return desc_.use_count() == 1 && desc_->data && desc_->data.use_count() == 1 &&
         desc_->data->device && desc_->data->device->written_by_gpu &&
         desc_->flags.row_contiguous && desc_->data_size == desc_->size;
}

inline bool array::is_donatable() const {
  return desc_.use_count() == 1 && desc_->data && desc_->data.use_count() == 1 &&
         desc_->data->owned_by_allocator && !desc_->data->device && desc_->flags.row_contiguous &&
         desc_->data_size == desc_->size;
}

inline void array::clear_data() {
  desc_->data.reset();
  desc_->data_ptr = nullptr;
  desc_->data_size = 0;
}

inline void array::release() noexcept {
  if (desc_ && !desc_->siblings.empty()) {
    auto dead = detail::cut_unreachable_siblings(desc_);
    (void)dead;  // freed here, after the links are gone
  }
  desc_.reset();
}

inline void array::detach() {
  // Siblings hold each other: each one's list must be cleared too, or the outputs of a
  // multi-output primitive keep each other alive forever. The handles are moved out and
  // dropped last, when every list is empty (dropping one runs release(), which reads them).
  std::vector<array> links;
  for (auto& s : desc_->siblings) {
    s.desc_->primitive = nullptr;
    s.desc_->inputs.clear();
    for (auto& link : s.desc_->siblings) links.push_back(std::move(link));
    s.desc_->siblings.clear();
  }
  for (auto& s : desc_->siblings) links.push_back(std::move(s));
  desc_->siblings.clear();
  desc_->primitive = nullptr;
  desc_->inputs.clear();
}

template <class T>
T array::item() {
  if (size() != 1)
    detail::fail("item", "Cannot get the item of an array with ", size(),
                 " elements (shape ", shape(), "); item() needs exactly one.");
  eval();
  T out{};
  detail::dispatch_dtype(dtype(), [&](auto tag) {
    using S = typename decltype(tag)::type;
    out = detail::convert_element<T>(*static_cast<const S*>(raw_data()));
  });
  return out;
}

template <class T>
T* array::data() {
  if (sizeof(T) != itemsize())
    detail::fail("data", "Element type of size ", sizeof(T), " does not match dtype ", dtype(),
                 " of size ", itemsize(), ".");
  if (!is_available()) eval();
  return static_cast<T*>(raw_data());
}

}  // namespace mlx::core

namespace mlx::core {

/// The dtype the arrays promote to together (MLX's result_type).
inline Dtype result_type(const std::vector<array>& arrays) {
  if (arrays.empty()) detail::fail("result_type", "Needs at least one array.");
  Dtype t = arrays[0].dtype();
  for (const auto& a : arrays) t = promote_types(t, a.dtype());
  return t;
}
template <class... Arrays>
  requires(sizeof...(Arrays) > 0 && (std::is_convertible_v<Arrays, const array&> && ...))
Dtype result_type(const Arrays&... arrays) {
  return result_type(std::vector<array>{arrays...});
}

}  // namespace mlx::core

// The evaluation entry points that item(), data() and eval() rely on (primitive.hpp
// includes eval.hpp once Primitive is complete, whichever of the three is included first).
#include "mlx/core/primitive.hpp"

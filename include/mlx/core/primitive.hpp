// SPDX-License-Identifier: MIT
// The contract of a runtime graph node's operation (MLX's Primitive).
#pragma once

#include <atomic>
#include <ostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mlx/core/array.hpp"

namespace mlx::core {

/// A runtime node's operation. Subclasses live one header per family in primitives/.
/// Evaluation fills `outputs` (already shaped and typed) from evaluated `inputs`.
class Primitive {
 public:
  explicit Primitive(Stream stream) : stream_(stream) {}
  virtual ~Primitive() = default;
  Primitive(const Primitive&) = delete;
  Primitive& operator=(const Primitive&) = delete;

  const Stream& stream() const { return stream_; }
  Device device() const { return stream_.device; }

  virtual void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) = 0;

  /// The GPU kernel. A primitive without one runs its CPU kernel: its inputs come to the
  /// host on their own (array::data), and its outputs move to the GPU when a kernel reads them.
  virtual void eval_gpu(const std::vector<array>& inputs, std::vector<array>& outputs) {
    gpu_fallbacks().fetch_add(1, std::memory_order_relaxed);
    eval_cpu(inputs, outputs);
  }
  /// Nodes of a GPU stream that ran on the CPU because they have no GPU kernel.
  static std::atomic<uint64_t>& gpu_fallbacks() {
    static std::atomic<uint64_t> n{0};
    return n;
  }

  /// Forward-mode derivative: tangents of the outputs from tangents of inputs `argnums`.
  virtual std::vector<array> jvp(const std::vector<array>& /*primals*/,
                                 const std::vector<array>& /*tangents*/,
                                 const std::vector<int>& /*argnums*/) {
    throw std::runtime_error(std::string("[") + name() + "] has no JVP rule.");
  }

  /// Reverse-mode derivative: cotangents of inputs `argnums` from output cotangents.
  virtual std::vector<array> vjp(const std::vector<array>& /*primals*/,
                                 const std::vector<array>& /*cotangents*/,
                                 const std::vector<int>& /*argnums*/,
                                 const std::vector<array>& /*outputs*/) {
    throw std::runtime_error(std::string("[") + name() + "] has no VJP rule.");
  }

  /// Vectorising map: outputs and their mapped axes from inputs mapped along `axes`.
  virtual std::pair<std::vector<array>, std::vector<int>> vmap(const std::vector<array>&,
                                                               const std::vector<int>&) {
    throw std::runtime_error(std::string("[") + name() + "] has no vmap rule.");
  }

  /// The output shapes for given inputs (used by shapeless compile).
  virtual std::vector<Shape> output_shapes(const std::vector<array>&) {
    throw std::invalid_argument(std::string("[") + name() +
                                "] cannot infer output shapes.");
  }

  virtual const char* name() const = 0;
  virtual void print(std::ostream& os) { os << name(); }
  virtual bool is_equivalent(const Primitive&) const { return false; }

 private:
  Stream stream_;
};

/// A primitive with exactly one output.
class UnaryPrimitive : public Primitive {
 public:
  using Primitive::Primitive;
  virtual void eval_cpu(const std::vector<array>& inputs, array& out) = 0;
  void eval_cpu(const std::vector<array>& inputs, std::vector<array>& outputs) final {
    eval_cpu(inputs, outputs[0]);
  }
};

inline array::array(Shape shape, Dtype dtype, std::shared_ptr<Primitive> primitive,
                    std::vector<array> inputs)
    : desc_(std::make_shared<detail::ArrayDesc>(std::move(shape), dtype)) {
  desc_->stream = primitive->stream();
  desc_->primitive = std::move(primitive);
  desc_->inputs = std::move(inputs);
}

}  // namespace mlx::core

// eval() needs the complete Primitive: included here rather than from array.hpp, so that
// including this header first works too (array.hpp includes this one at its end).
#include "mlx/transforms/eval.hpp"

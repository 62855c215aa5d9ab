// SPDX-License-Identifier: MIT
// Fashion-MNIST for the examples: loading a split (the Debian package dataset-fashion-mnist,
// gzip'd IDX files read by idx_reader.hpp through zlib), the pixel normalisation every
// model is trained with, and the ten class names. Shared by fashion_mnist.cpp, vit_block.cpp
// and resnet.cpp (which needs only the normalisation and the names).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <mlx/mlx.hpp>

#include "idx_reader.hpp"

namespace fashion_mnist {

namespace mx = mlx::core;

/// Where scripts/setup.sh's package dataset-fashion-mnist puts the four files.
inline const std::string default_data_dir = "/usr/share/datasets/fashion-mnist";

/// The labels 0..9 of Fashion-MNIST, in order.
inline constexpr std::array<const char*, 10> class_names = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

/// Image side; the images are 28x28, one channel, light garments on a black background.
inline constexpr int side = 28;

/// The normalisation of the training: uint8 pixels (any shape) -> float32 in [0, 1].
inline mx::array normalize(const mx::array& pixels) {
  return mx::array(mx::astype(pixels, mx::float32) * (1.0f / 255.0f));
}

/// An IDX file of unsigned bytes with `ndim` dims; says where the data comes from if absent.
inline idx_reader::Idx read_idx(const std::string& path, int ndim) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error("cannot open " + path +
                             " (the Debian package dataset-fashion-mnist provides it: "
                             "scripts/setup.sh installs it)");
  idx_reader::Idx f = idx_reader::read_idx(path, ndim);
  if (f.type != 0x08) throw std::runtime_error(path + " is not an IDX file of unsigned bytes");
  return f;
}

/// One split, evaluated.
struct Split {
  mx::array images;  // (N, 28, 28, 1) float32 in [0, 1]
  mx::array labels;  // (N,) int32
};

/// Loads `<dir>/<prefix>-images-idx3-ubyte.gz` and `-labels-idx1-ubyte.gz`; prefix is
/// "train" (60000 images) or "t10k" (10000). \throws std::runtime_error naming the problem.
inline Split load_split(const std::string& dir, const std::string& prefix) {
  const auto images_file = read_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", 3);
  const auto labels_file = read_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 1);
  const std::vector<uint32_t>& idims = images_file.dims;
  const std::vector<uint32_t>& ldims = labels_file.dims;
  if (idims[0] != ldims[0])
    throw std::runtime_error(prefix + ": " + std::to_string(idims[0]) + " images but " +
                             std::to_string(ldims[0]) + " labels");
  if (idims[1] != side || idims[2] != side)
    throw std::runtime_error(prefix + ": images of " + std::to_string(idims[1]) + "x" + std::to_string(idims[2]) +
                             ", expected 28x28");
  const int n = static_cast<int>(idims[0]);
  mx::array x(images_file.data.begin(), {n, side, side, 1}, mx::uint8);
  mx::array images = normalize(x);
  mx::array labels(labels_file.data.begin(), {n}, mx::uint8);
  labels = mx::astype(labels, mx::int32);
  mx::eval(images, labels);
  return {images, labels};
}

/// Rows `order[start .. start + n)` of `a` (a shuffled minibatch).
inline mx::array batch_of(const mx::array& a, const std::vector<int32_t>& order, size_t start, size_t n) {
  mx::array idx(order.begin() + static_cast<std::ptrdiff_t>(start), {static_cast<int>(n)}, mx::int32);
  return mx::take(a, idx, 0);
}

}  // namespace fashion_mnist

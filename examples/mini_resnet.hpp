// SPDX-License-Identifier: MIT
// MiniResNet: a small residual network for 28x28 one-channel images (Fashion-MNIST), shared
// by examples/fashion_mnist.cpp (--model resnet, which trains it and saves its weights) and
// examples/resnet.cpp (which loads them and classifies an image), so both build the same
// module tree and therefore the same parameter names.
//
//   stem    conv3x3(1->16) BatchNorm ReLU                     (N, 28, 28, 16)
//   layer1  BasicBlock(16->16, stride 1), identity shortcut   (N, 28, 28, 16)
//   layer2  BasicBlock(16->32, stride 2), 1x1 conv shortcut   (N, 14, 14, 32)
//   layer3  BasicBlock(32->64, stride 2), 1x1 conv shortcut   (N,  7,  7, 64)
//   global average pool, Linear(64 -> 10)                      (N, 10) logits
//
// Parameter names follow the CIFAR ResNet of ml-explore/mlx-examples: conv1, bn1,
// layer1.conv1.weight, layer2.shortcut.layers.0.weight, ..., linear.weight. Convolutions
// before a BatchNorm have no bias (the norm's shift replaces it). ~78 k parameters.
#pragma once

#include <memory>
#include <string>

#include <mlx/mlx.hpp>

namespace mini_resnet {

namespace mx = mlx::core;
namespace nn = mlx::nn;

/// Two conv3x3-BatchNorm pairs with a ReLU between them and after the residual sum. When the
/// stride or the channel count changes, the shortcut is conv1x1(stride)-BatchNorm, else the
/// identity.
class BasicBlock : public nn::Module {
 public:
  BasicBlock(int in_channels, int out_channels, int stride) {
    conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(in_channels, out_channels, 3, stride, 1, 1, 1, false));
    bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm>(out_channels));
    conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(out_channels, out_channels, 3, 1, 1, 1, 1, false));
    bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm>(out_channels));
    if (stride != 1 || in_channels != out_channels)
      shortcut_ = register_module(
          "shortcut", std::make_shared<nn::Sequential>(
                          std::make_shared<nn::Conv2d>(in_channels, out_channels, 1, stride, 0, 1, 1, false),
                          std::make_shared<nn::BatchNorm>(out_channels)));
  }
  std::string name() const override { return "BasicBlock"; }
  mx::array operator()(const mx::array& x) override {
    mx::array y = nn::relu((*bn1_)((*conv1_)(x)));
    y = (*bn2_)((*conv2_)(y));
    mx::array skip = shortcut_ ? (*shortcut_)(x) : x;
    return nn::relu(mx::array(y + skip));
  }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_;
  std::shared_ptr<nn::BatchNorm> bn1_, bn2_;
  std::shared_ptr<nn::Sequential> shortcut_;
};

/// The network of the file comment: (N, 28, 28, 1) images in [0, 1] -> (N, num_classes) logits.
class MiniResNet : public nn::Module {
 public:
  explicit MiniResNet(int num_classes = 10) {
    conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(1, 16, 3, 1, 1, 1, 1, false));
    bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm>(16));
    layer1_ = register_module("layer1", std::make_shared<BasicBlock>(16, 16, 1));
    layer2_ = register_module("layer2", std::make_shared<BasicBlock>(16, 32, 2));
    layer3_ = register_module("layer3", std::make_shared<BasicBlock>(32, 64, 2));
    linear_ = register_module("linear", std::make_shared<nn::Linear>(64, num_classes));
  }
  std::string name() const override { return "MiniResNet"; }
  mx::array operator()(const mx::array& x) override {
    if (x.ndim() != 4 || x.shape(3) != 1)
      throw std::invalid_argument("[MiniResNet] Expected images (N, H, W, 1), got " + shape_string(x));
    mx::array y = nn::relu((*bn1_)((*conv1_)(x)));
    y = (*layer3_)((*layer2_)((*layer1_)(y)));
    y = mx::mean(y, {1, 2});  // global average pool: (N, H, W, 64) -> (N, 64)
    return (*linear_)(y);
  }

 private:
  static std::string shape_string(const mx::array& x) {
    std::string s = "(";
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on `const char* + string`.
    for (int i = 0; i < static_cast<int>(x.ndim()); ++i) {
      if (i) s += ',';
      s += std::to_string(x.shape(i));
    }
    return s + ").";
  }
  std::shared_ptr<nn::Conv2d> conv1_;
  std::shared_ptr<nn::BatchNorm> bn1_;
  std::shared_ptr<BasicBlock> layer1_, layer2_, layer3_;
  std::shared_ptr<nn::Linear> linear_;
};

}  // namespace mini_resnet

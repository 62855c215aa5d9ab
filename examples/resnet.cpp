// SPDX-License-Identifier: MIT
// Classifies an image file (PNG, JPEG, PPM/PGM, BMP, GIF, TGA, ... whatever stb_image decodes)
// as one of the ten Fashion-MNIST classes with the MiniResNet of examples/mini_resnet.hpp,
// trained by `fashion_mnist --model resnet`.
//
//   build/examples/resnet IMAGE [--weights FILE] [--device cpu|gpu] [--show] [--random-init]
//
// The image becomes what the network was trained on, following the steps that made
// Fashion-MNIST from product photos: grayscale (BT.601 luma; transparent pixels over white),
// inverted when its background (the mean of the outermost pixels) is light, since
// Fashion-MNIST is light garments on black; the background trimmed, padded to a square,
// resized to 28x28 (bilinear, the filter widened to average every source pixel when
// shrinking); levels stretched so that the background is 0 and the brightest pixel 255;
// rounded to bytes and scaled to [0, 1] as in training. It prints the
// three most probable classes. --random-init skips the weights (a smoke test: the answer is
// meaningless); --show draws the 28x28 input as text.
//
// stb_image comes from Debian's libstb-dev, which ships it compiled (libstb.so, pkg-config
// `stb`), so this file includes the header without STB_IMAGE_IMPLEMENTATION.
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <mlx/mlx.hpp>
#if MLXPP_WITH_VULKAN
#include <mlx/backend/vulkan/backend.hpp>  // Device::gpu (CMake links mlx::vulkan when it is built)
#endif

#include "fashion_mnist_data.hpp"
#include "mini_resnet.hpp"

namespace mx = mlx::core;

namespace {

/// Where `fashion_mnist --model resnet` writes its weights by default (relative to the
/// directory it runs in; scripts/example.sh runs it in the repository root).
const std::string default_weights = "fashion_mnist_out/resnet.safetensors";

struct Options {
  std::string image;
  std::string weights = default_weights;
  std::string device = "cpu";
  bool show = false;
  bool random_init = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "resnet: " << problem << "\n"
            << "usage: resnet IMAGE [--weights FILE] [--device cpu|gpu] [--show] [--random-init]\n"
            << "  IMAGE          PNG, JPEG, PPM/PGM, BMP, GIF, TGA, ...\n"
            << "  --weights      MiniResNet weights (default " << default_weights << ",\n"
            << "                 written by: fashion_mnist --model resnet)\n"
            << "  --show         print the 28x28 input the network sees\n"
            << "  --random-init  untrained weights: checks the pipeline, predicts nothing\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--help" || k == "-h") usage("classifies an image with MiniResNet trained on Fashion-MNIST");
    if (k == "--show") {
      o.show = true;
    } else if (k == "--random-init") {
      o.random_init = true;
    } else if (k == "--weights" || k == "--device") {
      if (i + 1 >= argc) usage("missing value after " + k);
      (k == "--weights" ? o.weights : o.device) = argv[++i];
    } else if (!k.empty() && k[0] == '-' && k != "-") {
      usage("unknown option " + k);
    } else if (o.image.empty()) {
      o.image = k;
    } else {
      usage("one image at a time (got '" + o.image + "' and '" + k + "')");
    }
  }
  if (o.image.empty()) usage("no image given");
  if (o.device != "cpu" && o.device != "gpu") usage("--device must be cpu or gpu, got " + o.device);
  return o;
}

/// A grayscale image, row-major, values in [0, 255].
struct Gray {
  int width = 0, height = 0;
  std::vector<float> pixels;
  float& at(int x, int y) { return pixels[static_cast<size_t>(y) * width + x]; }
  float at(int x, int y) const { return pixels[static_cast<size_t>(y) * width + x]; }
};

/// Decodes `path` to grayscale. \throws std::runtime_error naming the file and the problem.
Gray load_gray(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw std::runtime_error("cannot open '" + path + "': " +
                             (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> data(stbi_load(path.c_str(), &w, &h, &channels, 0), stbi_image_free);
  if (!data) throw std::runtime_error("cannot decode '" + path + "' as an image (stb_image: " + stbi_failure_reason() + ")");
  Gray g{w, h, std::vector<float>(static_cast<size_t>(w) * h)};
  for (size_t i = 0; i < g.pixels.size(); ++i) {
    const stbi_uc* p = data.get() + i * static_cast<size_t>(channels);
    // channels: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    float v = channels >= 3 ? 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2] : p[0];
    if (channels == 2 || channels == 4) {
      const float a = p[channels - 1] / 255.0f;
      v = a * v + (1.0f - a) * 255.0f;  // over white
    }
    g.pixels[i] = v;
  }
  return g;
}

/// Mean of the outermost ring of pixels: the background estimate.
float border_mean(const Gray& g) {
  double sum = 0;
  size_t n = 0;
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x)
      if (y == 0 || x == 0 || y + 1 == g.height || x + 1 == g.width) sum += g.at(x, y), ++n;
  return static_cast<float>(sum / static_cast<double>(n));
}

/// The bounding box of the pixels brighter than `background` by more than a tenth of the
/// range up to the brightest pixel (the garment, once it is light on dark); the whole image
/// when nothing stands out.
Gray trim(const Gray& g, float background) {
  const float top = *std::max_element(g.pixels.begin(), g.pixels.end());
  const float threshold = background + std::max(8.0f, 0.1f * (top - background));
  int x0 = g.width, y0 = g.height, x1 = -1, y1 = -1;
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x)
      if (g.at(x, y) > threshold) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  if (x1 < 0) return g;
  Gray t{x1 - x0 + 1, y1 - y0 + 1, {}};
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) t.pixels.push_back(g.at(x, y));
  return t;
}

/// The image centred in a square of side max(width, height), the rest filled with `fill`.
Gray pad_square(const Gray& g, float fill) {
  const int side = std::max(g.width, g.height);
  Gray s{side, side, std::vector<float>(static_cast<size_t>(side) * side, fill)};
  const int x0 = (side - g.width) / 2, y0 = (side - g.height) / 2;
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width; ++x) s.at(x0 + x, y0 + y) = g.at(x, y);
  return s;
}

/// Weights of the 1-D bilinear (triangle) filter taking `in` samples to `out`: for each
/// output sample, the first input index and the normalised weights. Pixel centres sit at
/// i + 0.5; when shrinking, the triangle is widened by the scale so that every input pixel
/// contributes (plain bilinear would skip most of them and alias).
struct Taps {
  std::vector<int> first;
  std::vector<std::vector<float>> weights;
};

Taps bilinear_taps(int in, int out) {
  const double scale = static_cast<double>(in) / out, support = std::max(scale, 1.0);
  Taps t;
  for (int i = 0; i < out; ++i) {
    const double centre = (i + 0.5) * scale;
    const int lo = std::max(0, static_cast<int>(std::floor(centre - support)));
    const int hi = std::min(in - 1, static_cast<int>(std::ceil(centre + support)));
    std::vector<float> w;
    double total = 0;
    for (int j = lo; j <= hi; ++j) {
      const double d = std::abs(j + 0.5 - centre) / support;
      w.push_back(static_cast<float>(std::max(0.0, 1.0 - d)));
      total += w.back();
    }
    for (float& v : w) v = static_cast<float>(v / total);
    t.first.push_back(lo);
    t.weights.push_back(std::move(w));
  }
  return t;
}

/// Separable bilinear resize: rows first, then columns.
Gray resize_bilinear(const Gray& g, int width, int height) {
  const Taps tx = bilinear_taps(g.width, width), ty = bilinear_taps(g.height, height);
  Gray rows{width, g.height, std::vector<float>(static_cast<size_t>(width) * g.height)};
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < width; ++x) {
      float v = 0;
      for (size_t k = 0; k < tx.weights[x].size(); ++k) v += tx.weights[x][k] * g.at(tx.first[x] + static_cast<int>(k), y);
      rows.at(x, y) = v;
    }
  Gray out{width, height, std::vector<float>(static_cast<size_t>(width) * height)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      float v = 0;
      for (size_t k = 0; k < ty.weights[y].size(); ++k) v += ty.weights[y][k] * rows.at(x, ty.first[y] + static_cast<int>(k));
      out.at(x, y) = v;
    }
  return out;
}

/// The image as the network's input: (1, 28, 28, 1) float32, normalised as in training.
/// Says what it did on `log`.
mx::array preprocess(Gray g, std::ostream& log) {
  float background = border_mean(g);
  log << "image " << g.width << "x" << g.height << ", background " << static_cast<int>(background + 0.5f) << "/255: ";
  if (background > 127.5f) {
    for (float& v : g.pixels) v = 255.0f - v;
    background = 255.0f - background;
    log << "light, so inverted (Fashion-MNIST is light garments on a dark background)\n";
  } else {
    log << "dark, kept as is (Fashion-MNIST is light garments on a dark background)\n";
  }
  // As Fashion-MNIST was made: background trimmed, the longer side scaled to 28, centred.
  g = resize_bilinear(pad_square(trim(g, background), background), fashion_mnist::side, fashion_mnist::side);
  // Levels: background -> 0, brightest -> 255 (Fashion-MNIST's range).
  const float top = *std::max_element(g.pixels.begin(), g.pixels.end());
  const float span = top - background;
  std::vector<uint8_t> bytes(g.pixels.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    const float v = span > 1.0f ? (g.pixels[i] - background) * (255.0f / span) : g.pixels[i];
    bytes[i] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 255.0f)));
  }
  mx::array pixels(bytes.begin(), {1, fashion_mnist::side, fashion_mnist::side, 1}, mx::uint8);
  return fashion_mnist::normalize(pixels);
}

/// The 28x28 input as text, darkest ' ' to brightest '@'.
void show(const mx::array& x) {
  static const char ramp[] = " .:-=+*#%@";
  const mx::array flat = mx::reshape(x, {-1});
  mx::eval(flat);
  const float* p = flat.data<float>();
  for (int y = 0; y < fashion_mnist::side; ++y) {
    std::string row;
    for (int c = 0; c < fashion_mnist::side; ++c) {
      const int k = std::min(9, static_cast<int>(p[y * fashion_mnist::side + c] * 10.0f));
      row += std::string(2, ramp[k]);
    }
    std::cout << "  |" << row << "|\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  if (opt.device == "gpu") {
#if MLXPP_WITH_VULKAN
    mx::set_default_device(mx::Device::gpu);
#else
    std::cerr << "resnet: built without the Vulkan backend; build it with CMake (it links mlx::vulkan when "
                 "MLXPP_WITH_VULKAN is ON) or use --device cpu\n";
    return 1;
#endif
  }

  // The image first: a missing or undecodable file is reported before any word on weights.
  Gray image;
  try {
    image = load_gray(opt.image);
  } catch (const std::exception& e) {
    std::cerr << "resnet: " << e.what() << "\n";
    return 1;
  }

  mx::random::seed(0);  // the initial weights, which --random-init keeps
  mini_resnet::MiniResNet model;
  if (opt.random_init) {
    std::cout << "warning: random weights (--random-init), the prediction below is meaningless\n";
  } else {
    if (!std::filesystem::exists(opt.weights)) {
      // The command that writes this very file, when its name is the one fashion_mnist uses.
      const std::filesystem::path w(opt.weights);
      std::string command = "fashion_mnist --model resnet", writes = "DIR/resnet.safetensors";
      if (opt.weights == default_weights) {
        writes = default_weights + " in the directory it runs in";
      } else if (w.filename() == "resnet.safetensors") {
        command += " --out " + (w.has_parent_path() ? w.parent_path().string() : std::string("."));
        writes = opt.weights;
      } else {
        command += " --out DIR";
      }
      std::cerr << "resnet: no weights at '" << opt.weights << "'. Train them first with\n  " << command
                << "\n(it writes " << writes << "), or pass --weights FILE.\n";
      return 1;
    }
    try {
      model.load_weights(opt.weights);  // strict: exactly MiniResNet's parameters and shapes
    } catch (const std::exception& e) {
      std::cerr << "resnet: '" << opt.weights << "' does not hold MiniResNet weights (" << e.what()
                << ").\nThe weights of `fashion_mnist --model resnet` (<out>/resnet.safetensors) do; "
                   "those of --model cnn or mlp do not.\n";
      return 1;
    }
  }
  model.eval();  // BatchNorm: the running statistics of training

  mx::array x = preprocess(std::move(image), std::cout);
  mx::eval(x);
  if (opt.show) show(x);


  mx::array probs = mx::softmax(model(x), -1);
  mx::eval(probs);
  const mx::array host = mx::reshape(probs, {-1});
  mx::eval(host);
  const float* p = host.data<float>();
  std::vector<int> order(fashion_mnist::class_names.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 3, order.end(), [&](int a, int b) { return p[a] > p[b]; });
  std::cout << "top-3 Fashion-MNIST classes for " << opt.image << ":\n";
  for (int r = 0; r < 3; ++r) {
    char line[96];
    std::snprintf(line, sizeof line, "  %d. %-12s %6.2f %%\n", r + 1, fashion_mnist::class_names[order[r]],
                  100.0 * p[order[r]]);
    std::cout << line;
  }
}

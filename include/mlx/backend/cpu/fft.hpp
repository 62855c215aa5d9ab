// SPDX-License-Identifier: MIT
// CPU FFT kernels: mixed-radix Stockham (radices 4, 2, 3, 5 and odd primes up to 23),
// Bluestein's chirp-z for lengths with larger prime factors, and a four-step split for long
// single transforms. Rows are transformed a SIMD batch at a time (one row per lane, split
// re/im), so every radix and every length runs in vector code.
#pragma once

#include <cmath>
#include <complex>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <xsimd/xsimd.hpp>

#include "mlx/backend/cpu/thread_pool.hpp"
#include "mlx/core/allocator.hpp"
#include "mlx/core/shape.hpp"

namespace mlx::core::cpu::fft_impl {

// Eight lanes where AVX2 exists: with sixteen (AVX-512) a batch of 1024-point rows needs
// 256 KiB of scratch and ran 3.6x slower per row here (L2-bound); see docs/fft.md.
#if XSIMD_WITH_AVX2
using V = xsimd::batch<float, xsimd::avx2>;
#else
using V = xsimd::batch<float>;
#endif
inline constexpr int W = static_cast<int>(V::size);

/// Float scratch from the caching allocator: long transforms reuse the same pages from call
/// to call instead of faulting in fresh ones.
struct Scratch {
  allocator::Buffer buf;
  explicit Scratch(size_t n) : buf(allocator::malloc(n * sizeof(float))) {}
  ~Scratch() { allocator::free(buf); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  float* data() const { return static_cast<float*>(buf.ptr()); }
};

/// Odd prime factors up to this are done by a direct butterfly; larger ones use Bluestein.
inline constexpr int max_direct_prime = 23;
/// Single transforms from this length on use the four-step split (columns, then rows).
inline constexpr int four_step_min = 4096;

struct Stage {
  int radix = 0, m = 0, s = 0;     // current length radix * m, stride s
  std::vector<float> wr, wi;       // w_{radix*m}^{p*k} at [p * (radix - 1) + k - 1]
  std::vector<float> cr, ci;       // cos/sin(2 pi j k / radix) for odd radices, [j * radix + k]
};

struct Plan {
  int n = 0;
  std::vector<Stage> stages;
  // Bluestein: chirp c_k = exp(-i pi k^2 / n) and the FFT of conj(c) (wrapped, divided by m).
  bool bluestein = false;
  int m = 0;
  std::shared_ptr<const Plan> inner;
  std::vector<float> chr, chi, fr, fi;
  // Four-step: n = n1 * n2, twiddles w_n^{k1 * j2} at [k1 * n2 + j2].
  int n1 = 0, n2 = 0;
  std::shared_ptr<const Plan> p1, p2;
  std::vector<float> tr, ti;
};

std::shared_ptr<const Plan> get_plan(int n);

// --- butterflies ----------------------------------------------------------------------------
// T is float (one row) or V (a batch of rows). Forward transforms (w = exp(-2 pi i / n)).

template <class T>
inline void cmul(T& r, T& i, float wr, float wi) {
  T t = r * wr - i * wi;
  i = r * wi + i * wr;
  r = t;
}

/// One Stockham pass: x (current length R*m, stride s) into y. R > 0 is a radix known at
/// compile time (the butterfly unrolls and its constants stay in registers); R == 0 reads
/// the (odd) radix from the stage.
template <class T, int R>
void run_stage(const Stage& st, const T* xr, const T* xi, T* yr, T* yi) {
  constexpr int RMax = R ? R : max_direct_prime;
  const int r = R ? R : st.radix, m = st.m, s = st.s, h = (r - 1) / 2;
  // cos/sin(2 pi j k / r) for the odd butterfly, j, k in [1, h].
  float cs[RMax / 2 + 1][RMax / 2 + 1] = {}, sn[RMax / 2 + 1][RMax / 2 + 1] = {};
  if (r % 2 == 1)
    for (int j = 1; j <= h; ++j)
      for (int k = 1; k <= h; ++k) cs[j][k] = st.cr[j * r + k], sn[j][k] = st.ci[j * r + k];
  for (int p = 0; p < m; ++p) {
    const float* wr = st.wr.data() + p * (r - 1);
    const float* wi = st.wi.data() + p * (r - 1);
    for (int q = 0; q < s; ++q) {
      const int in0 = q + s * p, out0 = q + s * r * p;
      T ar[RMax], ai[RMax], br[RMax], bi[RMax];
#pragma GCC unroll 23
      for (int j = 0; j < r; ++j) ar[j] = xr[in0 + s * j * m], ai[j] = xi[in0 + s * j * m];
      if constexpr (R == 2) {
        br[0] = ar[0] + ar[1], bi[0] = ai[0] + ai[1];
        br[1] = ar[0] - ar[1], bi[1] = ai[0] - ai[1];
      } else if constexpr (R == 4) {
        T t0r = ar[0] + ar[2], t0i = ai[0] + ai[2], t1r = ar[0] - ar[2], t1i = ai[0] - ai[2];
        T t2r = ar[1] + ar[3], t2i = ai[1] + ai[3], t3r = ar[1] - ar[3], t3i = ai[1] - ai[3];
        br[0] = t0r + t2r, bi[0] = t0i + t2i;
        br[1] = t1r + t3i, bi[1] = t1i - t3r;
        br[2] = t0r - t2r, bi[2] = t0i - t2i;
        br[3] = t1r - t3i, bi[3] = t1i + t3r;
      } else {
        // Odd radix: pair a_j with a_{r-j}; b_k = a0 + sum cos * (a_j + a_{r-j})
        //                                    -/+ i sum sin * (a_j - a_{r-j}).
        T sr[RMax / 2 + 1], si[RMax / 2 + 1], dr[RMax / 2 + 1], di[RMax / 2 + 1];
        br[0] = ar[0], bi[0] = ai[0];
#pragma GCC unroll 11
        for (int j = 1; j <= h; ++j) {
          sr[j] = ar[j] + ar[r - j], si[j] = ai[j] + ai[r - j];
          dr[j] = ar[j] - ar[r - j], di[j] = ai[j] - ai[r - j];
          br[0] += sr[j], bi[0] += si[j];
        }
#pragma GCC unroll 11
        for (int k = 1; k <= h; ++k) {
          T Ar = ar[0], Ai = ai[0], Br = T(0.0f), Bi = T(0.0f);
#pragma GCC unroll 11
          for (int j = 1; j <= h; ++j) {
            Ar += cs[j][k] * sr[j], Ai += cs[j][k] * si[j];
            Br += sn[j][k] * dr[j], Bi += sn[j][k] * di[j];
          }
          br[k] = Ar + Bi, bi[k] = Ai - Br;
          br[r - k] = Ar - Bi, bi[r - k] = Ai + Br;
        }
      }
      yr[out0] = br[0], yi[out0] = bi[0];
#pragma GCC unroll 23
      for (int k = 1; k < r; ++k) {
        cmul(br[k], bi[k], wr[k - 1], wi[k - 1]);
        yr[out0 + s * k] = br[k], yi[out0 + s * k] = bi[k];
      }
    }
  }
}

template <class T>
void run_stage_any(const Stage& st, const T* xr, const T* xi, T* yr, T* yi) {
  switch (st.radix) {
    case 2: return run_stage<T, 2>(st, xr, xi, yr, yi);
    case 3: return run_stage<T, 3>(st, xr, xi, yr, yi);
    case 4: return run_stage<T, 4>(st, xr, xi, yr, yi);
    case 5: return run_stage<T, 5>(st, xr, xi, yr, yi);
    case 7: return run_stage<T, 7>(st, xr, xi, yr, yi);
    default: return run_stage<T, 0>(st, xr, xi, yr, yi);
  }
}

/// Scratch for one thread: ping-pong buffers and Bluestein's work arrays.
template <class T>
struct Work {
  std::vector<T> a, b, c, d, e, f;
  static void fit(std::vector<T>& v, size_t n) {
    if (v.size() < n) v.resize(n);
  }
};

/// In-place forward transform of re/im (length plan.n; T = float or a batch of rows).
/// The inverse (unscaled) is transform(plan, im, re): swapping re and im conjugates twice.
template <class T>
void transform(const Plan& p, T* re, T* im, Work<T>& w) {
  if (p.n == 1) return;
  if (p.bluestein) {
    const int n = p.n, m = p.m;
    Work<T>::fit(w.c, m);
    Work<T>::fit(w.d, m);
    T* ar = w.c.data();
    T* ai = w.d.data();
    for (int k = 0; k < n; ++k) {
      ar[k] = re[k];
      ai[k] = im[k];
      cmul(ar[k], ai[k], p.chr[k], p.chi[k]);
    }
    for (int k = n; k < m; ++k) ar[k] = ai[k] = T(0.0f);
    transform(*p.inner, ar, ai, w);
    for (int k = 0; k < m; ++k) cmul(ar[k], ai[k], p.fr[k], p.fi[k]);
    transform(*p.inner, ai, ar, w);  // inverse (the 1/m is folded into fr/fi)
    for (int k = 0; k < n; ++k) {
      re[k] = ar[k];
      im[k] = ai[k];
      cmul(re[k], im[k], p.chr[k], p.chi[k]);
    }
    return;
  }
  Work<T>::fit(w.a, p.n);
  Work<T>::fit(w.b, p.n);
  T *xr = re, *xi = im, *yr = w.a.data(), *yi = w.b.data();
  for (const auto& st : p.stages) {
    run_stage_any(st, xr, xi, yr, yi);
    std::swap(xr, yr);
    std::swap(xi, yi);
  }
  if (xr != re) {
    std::copy(xr, xr + p.n, re);
    std::copy(xi, xi + p.n, im);
  }
}

// --- lane gathers ---------------------------------------------------------------------------

// Which loop runs inside matters when rows or elements lie 2^k bytes apart (they then share
// one cache set). Rows far apart with adjacent elements (a row-major last axis): each lane
// reads a block of JB elements at a time, so its cache line is read once. Adjacent lanes
// with elements far apart (any other axis): the lanes of one element are read together.
inline constexpr int JB = 16;

/// Loads lane l of element j from f(l, j) -> std::complex<float> for lanes < nl (zeros else).
template <class F>
inline void gather_lanes(V* re, V* im, int n, int nl, bool lanes_outer, F&& f) {
  alignas(64) float br[JB][W], bi[JB][W];
  for (int j = 0; j < JB; ++j)
    for (int l = nl; l < W; ++l) br[j][l] = bi[j][l] = 0.0f;
  for (int j0 = 0; j0 < n; j0 += JB) {
    const int jn = std::min(JB, n - j0);
    auto one = [&](int l, int j) {
      std::complex<float> v = f(l, j0 + j);
      br[j][l] = v.real();
      bi[j][l] = v.imag();
    };
    if (lanes_outer) {
      for (int l = 0; l < nl; ++l)
        for (int j = 0; j < jn; ++j) one(l, j);
    } else {
      for (int j = 0; j < jn; ++j)
        for (int l = 0; l < nl; ++l) one(l, j);
    }
    for (int j = 0; j < jn; ++j) {
      re[j0 + j] = V::load_aligned(br[j]);
      im[j0 + j] = V::load_aligned(bi[j]);
    }
  }
}

/// Calls g(l, j, re, im) for lanes < nl of elements j < n (loop order as gather_lanes).
template <class G>
inline void scatter_lanes(const V* re, const V* im, int n, int nl, bool lanes_outer, G&& g) {
  alignas(64) float br[JB][W], bi[JB][W];
  for (int j0 = 0; j0 < n; j0 += JB) {
    const int jn = std::min(JB, n - j0);
    for (int j = 0; j < jn; ++j) {
      re[j0 + j].store_aligned(br[j]);
      im[j0 + j].store_aligned(bi[j]);
    }
    if (lanes_outer) {
      for (int l = 0; l < nl; ++l)
        for (int j = 0; j < jn; ++j) g(l, j0 + j, br[j][l], bi[j][l]);
    } else {
      for (int j = 0; j < jn; ++j)
        for (int l = 0; l < nl; ++l) g(l, j0 + j, br[j][l], bi[j][l]);
    }
  }
}

/// In-place forward transform of one row (split re/im of length plan.n). Long smooth lengths
/// use the four-step split: n1-point transforms down the columns of the n1 x n2 matrix,
/// twiddles, n2-point transforms along its rows, written transposed; both sets run a SIMD
/// batch of columns/rows at a time over the thread pool.
inline void transform_one(const Plan& p, float* re, float* im, Work<float>& w) {
  if (p.bluestein && p.m >= four_step_min) {
    const int n = p.n, m = p.m;
    std::vector<float> ar(m, 0.0f), ai(m, 0.0f);
    for (int k = 0; k < n; ++k) {
      ar[k] = re[k];
      ai[k] = im[k];
      cmul(ar[k], ai[k], p.chr[k], p.chi[k]);
    }
    transform_one(*p.inner, ar.data(), ai.data(), w);
    for (int k = 0; k < m; ++k) cmul(ar[k], ai[k], p.fr[k], p.fi[k]);
    transform_one(*p.inner, ai.data(), ar.data(), w);
    for (int k = 0; k < n; ++k) {
      re[k] = ar[k];
      im[k] = ai[k];
      cmul(re[k], im[k], p.chr[k], p.chi[k]);
    }
    return;
  }
  if (!p.p1) return transform(p, re, im, w);
  const int n1 = p.n1, n2 = p.n2;
  Scratch tbuf(2 * static_cast<size_t>(p.n));
  float* tr = tbuf.data();
  float* ti = tr + p.n;
  // Both halves copy a block of CB columns (rows) through a small buffer: each page of the
  // n-element arrays is then touched for CB contiguous floats rather than W, which keeps
  // TLB misses down when n1 and n2 are large powers of two.
  constexpr int CB = 4 * W;
  // Columns: lane l is column c + l, element j is row j.
  const int64_t cblocks = (n2 + CB - 1) / CB;
  parallel_for(cblocks, 1, [&](int64_t b, int64_t e) {
    Work<V> wv;
    std::vector<V> xr(n1), xi(n1);
    std::vector<float> br(static_cast<size_t>(n1) * CB), bi(br.size());
    for (int64_t blk = b; blk < e; ++blk) {
      const int c0 = static_cast<int>(blk) * CB, cb = std::min(CB, n2 - c0);
      for (int j = 0; j < n1; ++j) {
        std::copy(re + j * n2 + c0, re + j * n2 + c0 + cb, br.data() + j * CB);
        std::copy(im + j * n2 + c0, im + j * n2 + c0 + cb, bi.data() + j * CB);
      }
      for (int g = 0; g < cb; g += W) {
        for (int j = 0; j < n1; ++j) {
          xr[j] = V::load_unaligned(br.data() + j * CB + g);
          xi[j] = V::load_unaligned(bi.data() + j * CB + g);
        }
        transform(*p.p1, xr.data(), xi.data(), wv);
        for (int k = 0; k < n1; ++k) {
          xr[k].store_unaligned(br.data() + k * CB + g);
          xi[k].store_unaligned(bi.data() + k * CB + g);
        }
      }
      for (int k = 0; k < n1; ++k) {
        const float* wr = p.tr.data() + k * n2 + c0;
        const float* wi = p.ti.data() + k * n2 + c0;
        const float* sr = br.data() + k * CB;
        const float* si = bi.data() + k * CB;
        float* dr = tr + k * n2 + c0;
        float* di = ti + k * n2 + c0;
        for (int l = 0; l < cb; ++l) {
          dr[l] = sr[l] * wr[l] - si[l] * wi[l];
          di[l] = sr[l] * wi[l] + si[l] * wr[l];
        }
      }
    }
  });
  // Rows: lane l is row k1 + l; output X[k1 + n1 * k2], written CB rows at a time.
  const int64_t rblocks = (n1 + CB - 1) / CB;
  parallel_for(rblocks, 1, [&](int64_t b, int64_t e) {
    Work<V> wv;
    std::vector<V> xr(n2), xi(n2);
    std::vector<float> br(static_cast<size_t>(n2) * CB), bi(br.size());
    for (int64_t blk = b; blk < e; ++blk) {
      const int r0 = static_cast<int>(blk) * CB, rb = std::min(CB, n1 - r0);
      for (int g = 0; g < rb; g += W) {
        const int nl = std::min(W, rb - g);
        gather_lanes(xr.data(), xi.data(), n2, nl, true, [&](int l, int j) {
          const int64_t at = static_cast<int64_t>(r0 + g + l) * n2 + j;
          return std::complex<float>(tr[at], ti[at]);
        });
        transform(*p.p2, xr.data(), xi.data(), wv);
        for (int k = 0; k < n2; ++k) {
          xr[k].store_unaligned(br.data() + k * CB + g);
          xi[k].store_unaligned(bi.data() + k * CB + g);
        }
      }
      for (int k = 0; k < n2; ++k) {
        std::copy(br.data() + k * CB, br.data() + k * CB + rb, re + k * n1 + r0);
        std::copy(bi.data() + k * CB, bi.data() + k * CB + rb, im + k * n1 + r0);
      }
    }
  });
}

// --- plans ----------------------------------------------------------------------------------

inline std::shared_ptr<const Plan> make_plan(int n) {
  auto p = std::make_shared<Plan>();
  p->n = n;
  std::vector<int> radices;
  int rest = n;
  while (rest % 4 == 0) radices.push_back(4), rest /= 4;
  while (rest % 2 == 0) radices.push_back(2), rest /= 2;
  for (int f = 3; f <= max_direct_prime && rest > 1; f += 2)
    while (rest % f == 0) radices.push_back(f), rest /= f;
  const double pi = 3.14159265358979323846;
  if (rest > 1) {
    // A prime factor above max_direct_prime: Bluestein over a power of two m >= 2n - 1.
    p->bluestein = true;
    int m = 1;
    while (m < 2 * n - 1) m *= 2;
    p->m = m;
    p->inner = get_plan(m);
    p->chr.resize(n);
    p->chi.resize(n);
    std::vector<float> br(m, 0.0f), bi(m, 0.0f);
    for (int k = 0; k < n; ++k) {
      // k^2 mod 2n keeps the angle exact for large k.
      const int64_t k2 = (static_cast<int64_t>(k) * k) % (2 * static_cast<int64_t>(n));
      const double a = -pi * static_cast<double>(k2) / n;
      p->chr[k] = static_cast<float>(std::cos(a));
      p->chi[k] = static_cast<float>(std::sin(a));
      br[k] = static_cast<float>(std::cos(a) / m);
      bi[k] = static_cast<float>(-std::sin(a) / m);
      if (k) br[m - k] = br[k], bi[m - k] = bi[k];
    }
    Work<float> w;
    if (m >= four_step_min)
      transform_one(*p->inner, br.data(), bi.data(), w);
    else
      transform(*p->inner, br.data(), bi.data(), w);
    p->fr = std::move(br);
    p->fi = std::move(bi);
    return p;
  }
  int cur = n, s = 1;
  for (int r : radices) {
    Stage st;
    st.radix = r;
    st.m = cur / r;
    st.s = s;
    st.wr.resize(static_cast<size_t>(st.m) * (r - 1));
    st.wi.resize(st.wr.size());
    for (int q = 0; q < st.m; ++q)
      for (int k = 1; k < r; ++k) {
        const double a = -2.0 * pi * q * k / cur;
        st.wr[q * (r - 1) + k - 1] = static_cast<float>(std::cos(a));
        st.wi[q * (r - 1) + k - 1] = static_cast<float>(std::sin(a));
      }
    if (r % 2 == 1) {
      st.cr.resize(r * r);
      st.ci.resize(r * r);
      for (int j = 0; j < r; ++j)
        for (int k = 0; k < r; ++k) {
          const double a = 2.0 * pi * ((j * k) % r) / r;
          st.cr[j * r + k] = static_cast<float>(std::cos(a));
          st.ci[j * r + k] = static_cast<float>(std::sin(a));
        }
    }
    p->stages.push_back(std::move(st));
    cur /= r;
    s *= r;
  }
  if (n >= four_step_min) {
    // The divisor of n nearest below sqrt(n) (at least W so a batch of columns is full).
    int n1 = 0;
    for (int d = static_cast<int>(std::sqrt(static_cast<double>(n))); d >= W; --d)
      if (n % d == 0) {
        n1 = d;
        break;
      }
    if (n1) {
      p->n1 = n1;
      p->n2 = n / n1;
      p->p1 = get_plan(n1);
      p->p2 = get_plan(n / n1);
      p->tr.resize(n);
      p->ti.resize(n);
      for (int k1 = 0; k1 < n1; ++k1)
        for (int j2 = 0; j2 < p->n2; ++j2) {
          const int64_t e = (static_cast<int64_t>(k1) * j2) % n;
          const double a = -2.0 * pi * static_cast<double>(e) / n;
          p->tr[k1 * p->n2 + j2] = static_cast<float>(std::cos(a));
          p->ti[k1 * p->n2 + j2] = static_cast<float>(std::sin(a));
        }
    }
  }
  return p;
}

/// The cached plan for length n (plans are immutable once made and shared between threads).
inline std::shared_ptr<const Plan> get_plan(int n) {
  static std::mutex mu;
  static std::map<int, std::shared_ptr<const Plan>> cache;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
  }
  auto p = make_plan(n);  // outside the lock: making a plan may need other plans
  std::lock_guard<std::mutex> lock(mu);
  return cache.emplace(n, std::move(p)).first->second;
}


// --- one 1-d pass along an axis -------------------------------------------------------------

/// A 1-d transform of every row along `axis` of src (any strides) into dst (row-major).
/// c2c: n complex -> n complex; r2c: n real -> n/2+1 complex; c2r: n/2+1 complex -> n real.
struct PassSpec {
  enum Kind { c2c, r2c, c2r } kind = c2c;
  bool inverse = false;
  int n = 0;
  int axis = 0;
  const void* src = nullptr;
  bool src_complex = true;  // else float32 (read with zero imaginary part)
  Shape shape;              // src's shape
  Strides strides;          // src's strides, in elements
  void* dst = nullptr;      // complex64 unless kind == c2r (float32)
  Shape dshape;
};

template <class T, class F>
inline void gather_any(T* re, T* im, int cnt, int nl, bool lanes_outer, F&& f) {
  if constexpr (std::is_same_v<T, V>) {
    gather_lanes(re, im, cnt, nl, lanes_outer, f);
  } else {
    for (int j = 0; j < cnt; ++j) {
      std::complex<float> v = f(0, j);
      re[j] = v.real();
      im[j] = v.imag();
    }
  }
}
template <class T, class G>
inline void scatter_any(const T* re, const T* im, int cnt, int nl, bool lanes_outer, G&& g) {
  if constexpr (std::is_same_v<T, V>) {
    scatter_lanes(re, im, cnt, nl, lanes_outer, g);
  } else {
    for (int j = 0; j < cnt; ++j) g(0, j, re[j], im[j]);
  }
}

/// Per-thread buffers of run_rows: x (len + 1 elements) and y (n/2 + 1 elements) pairs.
template <class T>
struct RowBufs {
  T *xr, *xi, *yr, *yi;
  Work<T> w;
};

/// Transforms nl rows (lanes) whose src/dst offsets are so/dof.
template <class T>
void run_rows(const PassSpec& ps, const Plan& plan, const std::vector<float>& pkr,
              const std::vector<float>& pki, const int64_t* so, const int64_t* dof, int nl,
              RowBufs<T>& b) {
  const int n = ps.n, h = n / 2;
  const int64_t es = ps.strides[ps.axis];
  const int64_t des = row_major_strides(ps.dshape)[ps.axis];
  const bool even_real = ps.kind != PassSpec::c2c && n % 2 == 0;
  const float scale = ps.inverse ? 1.0f / static_cast<float>(n) : 1.0f;
  // Lane-outer loops when a row's elements are adjacent (see gather_lanes).
  const bool src_lo = es == 1 || es == -1, dst_lo = des == 1;
  T* xr = b.xr;
  T* xi = b.xi;
  auto fwd = [&](T* r, T* i) {
    if constexpr (std::is_same_v<T, V>)
      transform(plan, r, i, b.w);
    else
      transform_one(plan, r, i, b.w);
  };
  const auto* sc = static_cast<const std::complex<float>*>(ps.src);
  const auto* sf = static_cast<const float*>(ps.src);
  auto load = [&](int l, int64_t j) {
    const int64_t at = so[l] + j * es;
    return ps.src_complex ? sc[at] : std::complex<float>(sf[at], 0.0f);
  };
  auto* dc = static_cast<std::complex<float>*>(ps.dst);
  auto* df = static_cast<float*>(ps.dst);
  auto store_c = [&](int l, int k, float re, float im) {
    dc[dof[l] + k * des] = std::complex<float>(re * scale, im * scale);
  };

  if (ps.kind == PassSpec::c2c || (ps.kind == PassSpec::r2c && !even_real)) {
    const bool real_in = ps.kind == PassSpec::r2c;
    gather_any(xr, xi, n, nl, src_lo, [&](int l, int j) {
      auto v = load(l, j);
      return real_in ? std::complex<float>(v.real(), 0.0f) : v;
    });
    if (ps.inverse)
      fwd(xi, xr);
    else
      fwd(xr, xi);
    scatter_any(xr, xi, real_in ? h + 1 : n, nl, dst_lo, store_c);
    return;
  }
  T* yr = b.yr;
  T* yi = b.yi;
  if (ps.kind == PassSpec::r2c) {
    // Even n: z_j = x_2j + i x_2j+1, Z = FFT_h(z); X_k = E_k + w^k O_k with
    // E_k = (Z_k + conj Z_h-k) / 2 and O_k = (Z_k - conj Z_h-k) / 2i.
    gather_any(xr, xi, h, nl, src_lo, [&](int l, int j) {
      return std::complex<float>(load(l, 2 * j).real(), load(l, 2 * j + 1).real());
    });
    fwd(xr, xi);
    for (int k = 0; k <= h; ++k) {
      const int a = k % h, c = (h - k) % h;
      T zr = xr[a], zi = xi[a], cr = xr[c], ci = -xi[c];
      T er = (zr + cr) * 0.5f, ei = (zi + ci) * 0.5f;
      T orr = (zi - ci) * 0.5f, oi = (cr - zr) * 0.5f;
      cmul(orr, oi, pkr[k], pki[k]);
      yr[k] = er + orr;
      yi[k] = ei + oi;
    }
    scatter_any(yr, yi, h + 1, nl, dst_lo, store_c);
    return;
  }
  // c2r. The imaginary parts of X_0 (and X_n/2 for even n) are ignored, as in NumPy.
  auto store_r = [&](int l, int k, float v) { df[dof[l] + k * des] = v * scale; };
  if (!even_real) {
    gather_any(xr, xi, n, nl, src_lo, [&](int l, int j) {
      if (j == 0) return std::complex<float>(load(l, 0).real(), 0.0f);
      return j <= h ? load(l, j) : std::conj(load(l, n - j));
    });
    fwd(xi, xr);
    scatter_any(xr, xi, n, nl, dst_lo, [&](int l, int k, float re, float) { store_r(l, k, re); });
    return;
  }
  gather_any(yr, yi, h + 1, nl, src_lo, [&](int l, int j) {
    auto v = load(l, j);
    return (j == 0 || j == h) ? std::complex<float>(v.real(), 0.0f) : v;
  });
  // Undo the packing: Z_k = (X_k + conj X_h-k) + i (X_k - conj X_h-k) w^-k (times n overall
  // once the unscaled inverse runs; `scale` divides by n).
  for (int k = 0; k < h; ++k) {
    T ar = yr[k], ai = yi[k], cr = yr[h - k], ci = -yi[h - k];
    T er = ar + cr, ei = ai + ci, orr = ar - cr, oi = ai - ci;
    cmul(orr, oi, pkr[k], -pki[k]);
    xr[k] = er - oi;
    xi[k] = ei + orr;
  }
  fwd(xi, xr);
  scatter_any(xr, xi, h, nl, dst_lo, [&](int l, int k, float re, float im) {
    store_r(l, 2 * k, re);
    store_r(l, 2 * k + 1, im);
  });
}

/// w_n^k for k in [0, n/2] (the even-n real transforms' split), cached per n.
inline std::shared_ptr<const std::pair<std::vector<float>, std::vector<float>>> get_pack_twiddles(int n) {
  using Tw = std::pair<std::vector<float>, std::vector<float>>;
  static std::mutex mu;
  static std::map<int, std::shared_ptr<const Tw>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[n];
  if (!slot) {
    auto tw = std::make_shared<Tw>();
    const double pi = 3.14159265358979323846;
    for (int k = 0; k <= n / 2; ++k) {
      tw->first.push_back(static_cast<float>(std::cos(-2.0 * pi * k / n)));
      tw->second.push_back(static_cast<float>(std::sin(-2.0 * pi * k / n)));
    }
    slot = std::move(tw);
  }
  return slot;
}

/// Runs one pass over all rows, a SIMD batch of rows per step, split over the thread pool.
inline void run_pass(const PassSpec& ps) {
  const int nd = static_cast<int>(ps.shape.size());
  const Strides dst_st = row_major_strides(ps.dshape);
  std::vector<int> od;
  int64_t rows = 1;
  for (int d = 0; d < nd; ++d)
    if (d != ps.axis) od.push_back(d), rows *= ps.shape[d];
  if (rows == 0) return;
  const int n = ps.n;
  const bool even_real = ps.kind != PassSpec::c2c && n % 2 == 0;
  const int len = even_real ? n / 2 : n;
  auto plan = get_plan(len);
  static const std::vector<float> none;
  auto pack = even_real ? get_pack_twiddles(n) : nullptr;
  const std::vector<float>& pkr = pack ? pack->first : none;
  const std::vector<float>& pki = pack ? pack->second : none;
  // Row r's offsets: its multi-index over the other dims, innermost fastest (so that
  // neighbouring lanes are neighbours in memory when the axis is not the last one).
  auto offsets = [&](int64_t r, int64_t& so, int64_t& dof) {
    so = dof = 0;
    for (int i = static_cast<int>(od.size()) - 1; i >= 0; --i) {
      const int d = od[i];
      const int64_t idx = r % ps.shape[d];
      r /= ps.shape[d];
      so += idx * ps.strides[d];
      dof += idx * dst_st[d];
    }
  };
  const int work_len = plan->bluestein ? plan->m : len;
  if (work_len >= four_step_min) {
    // Long rows: one at a time, each split over the pool by the four-step transform.
    const size_t xn = static_cast<size_t>(len) + 1, yn = static_cast<size_t>(n / 2) + 1;
    Scratch buf(2 * xn + 2 * yn);
    RowBufs<float> b{buf.data(), buf.data() + xn, buf.data() + 2 * xn, buf.data() + 2 * xn + yn, {}};
    for (int64_t r = 0; r < rows; ++r) {
      int64_t so, dof;
      offsets(r, so, dof);
      run_rows<float>(ps, *plan, pkr, pki, &so, &dof, 1, b);
    }
    return;
  }
  const int64_t groups = (rows + W - 1) / W;
  const int64_t grain = std::max<int64_t>(1, 16384 / (static_cast<int64_t>(work_len) * W));
  parallel_for(groups, grain, [&](int64_t gb, int64_t ge) {
    std::vector<V> bx(2 * (static_cast<size_t>(len) + 1)), by(2 * (static_cast<size_t>(n / 2) + 1));
    RowBufs<V> b{bx.data(), bx.data() + len + 1, by.data(), by.data() + n / 2 + 1, {}};
    int64_t so[W], dof[W];
    for (int64_t g = gb; g < ge; ++g) {
      const int64_t r0 = g * W;
      const int nl = static_cast<int>(std::min<int64_t>(W, rows - r0));
      for (int l = 0; l < nl; ++l) offsets(r0 + l, so[l], dof[l]);
      run_rows<V>(ps, *plan, pkr, pki, so, dof, nl, b);
    }
  });
}

}  // namespace mlx::core::cpu::fft_impl

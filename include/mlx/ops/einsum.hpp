// SPDX-License-Identifier: MIT
// einsum and einsum_path (MLX's einsum.h): subscripts parsed and checked at call time, a
// greedy pairwise contraction order, and each contraction built from existing lazy ops
// (diagonal, sum, transpose, reshape, batched matmul), so big contractions run as GEMMs.
#pragma once

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlx/ops/elementwise.hpp"
#include "mlx/ops/matmul.hpp"
#include "mlx/ops/reduce.hpp"
#include "mlx/ops/shape.hpp"

namespace mlx::core {

namespace detail::einsum_impl {

/// A set of subscript letters as a 64-bit mask ('a'..'z' are bits 0..25, 'A'..'Z' 26..51):
/// the path search does many unions and intersections, and 52 letters fit in one word.
using Letters = uint64_t;

inline int letter_bit(char c) { return c >= 'a' && c <= 'z' ? c - 'a' : c - 'A' + 26; }
inline char bit_letter(int b) { return static_cast<char>(b < 26 ? 'a' + b : 'A' + b - 26); }
inline Letters letters_of(std::string_view str) {
  Letters m = 0;
  for (char c : str) m |= Letters{1} << letter_bit(c);
  return m;
}
inline bool has(Letters m, char c) { return (m >> letter_bit(c)) & 1; }

/// One pairwise (or, as a fallback, n-ary) step of a contraction path: which entries of the
/// current operand list it consumes (ascending) and the letters its result keeps.
struct Step {
  std::vector<int> positions;
  Letters kept = 0;
  int scaling = 0;    // number of distinct letters the step loops over
  uint64_t cost = 0;  // its FLOP estimate
};

/// Everything einsum needs after validation: expanded subscripts (ellipses replaced by
/// letters), the output subscript, each letter's (broadcast) size, and the path.
struct Plan {
  std::vector<std::string> inputs;
  std::string output;
  int64_t dim[52] = {};  // size per letter bit, after broadcasting sizes of 1
  std::vector<Step> steps;
  uint64_t naive_cost = 0, optimized_cost = 0;
  int naive_scaling = 0, optimized_scaling = 0;
};

inline uint64_t term_size(const Plan& p, Letters m) {
  uint64_t n = 1;
  for (int b = 0; b < 52; ++b)
    if ((m >> b) & 1) n *= static_cast<uint64_t>(p.dim[b]);
  return n;
}

/// FLOP estimate of one step over `all` letters with `terms` operands: a multiply per
/// extra operand and one add when something is summed (NumPy's and MLX's model, so that
/// the chosen paths agree with theirs).
inline uint64_t flops(const Plan& p, Letters all, bool summed, int terms) {
  uint64_t factor = std::max(1, terms - 1) + (summed ? 1 : 0);
  return term_size(p, all) * factor;
}

/// Splits "a,b->c" into its input subscripts and output; without "->" the output is every
/// letter that occurs once, sorted, after an ellipsis if any input has one (NumPy's rule).
inline std::pair<std::vector<std::string>, std::string> split(const std::string& subscripts) {
  std::string str;
  for (char c : subscripts)
    if (c != ' ') str += c;
  std::string lhs = str, rhs;
  if (auto arrow = str.find("->"); arrow != std::string::npos) {
    lhs = str.substr(0, arrow);
    rhs = str.substr(arrow + 2);
  } else {
    int count[128] = {};
    bool ellipsis = false;
    for (char c : lhs) {
      if (c == '.') ellipsis = true;
      else if (c != ',' && static_cast<unsigned char>(c) < 128) ++count[static_cast<int>(c)];
    }
    if (ellipsis) rhs = "...";
    for (int c = 0; c < 128; ++c)
      if (count[c] == 1 && std::isalpha(c)) rhs += static_cast<char>(c);
  }
  std::vector<std::string> ins;
  size_t start = 0;
  for (;;) {  // empty pieces stay: "" is the subscript of a 0-d operand
    size_t comma = lhs.find(',', start);
    ins.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {ins, rhs};
}

/// Checks that `sub` is letters with at most one "...", and replaces the ellipsis by
/// `ellipsis_len` letters from the end of `spare` (so shorter ellipses align right, as
/// broadcasting does). ndim < 0: the output, whose ellipsis gets `ellipsis_len` letters.
inline void expand_ellipsis(std::string_view op, std::string& sub, int ndim, int operand,
                            const std::string& spare, int& ellipsis_len, const Shape& shape) {
  int before = 0, after = 0;
  bool seen = false;
  for (size_t i = 0; i < sub.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(sub[i]))) {
      (seen ? after : before)++;
      continue;
    }
    if (sub.compare(i, 3, "...") != 0)
      fail(op, "Subscripts must be letters, but got '", sub[i], "'.");
    if (seen) fail(op, "Only one ellipsis per subscript is allowed but found more in '", sub, "'.");
    seen = true;
    i += 2;
  }
  if (!seen) return;
  int len = ellipsis_len;
  if (ndim >= 0) {
    len = ndim - before - after;
    if (len < 0)
      fail(op, "Operand ", operand, " with shape ", shape, " has insufficient dimensions for subscript '",
           sub, "'. The ellipsis requires at least ", before + after, " dimensions but the operand has ",
           ndim, " dimensions.");
    if (len > static_cast<int>(spare.size()))
      fail(op, "Not enough unused letters for the ", len, " dimensions of the ellipsis in '", sub, "'.");
    ellipsis_len = std::max(ellipsis_len, len);
  }
  sub.replace(before, 3, spare.substr(spare.size() - len));
}

/// The greedy path (opt_einsum's "greedy", as NumPy and MLX use): repeatedly contract the
/// pair that removes the most elements (ties: the cheaper), skipping outer products while
/// any other pair exists and any pair whose result exceeds the largest input or output or
/// whose cost would exceed the naive one; if nothing qualifies, the rest is one n-ary step.
inline void greedy_path(Plan& p) {
  const Letters out = letters_of(p.output);
  std::vector<Letters> terms;
  uint64_t memory_limit = term_size(p, out);
  for (auto& in : p.inputs) {
    terms.push_back(letters_of(in));
    memory_limit = std::max(memory_limit, term_size(p, terms.back()));
  }
  struct Candidate {
    int64_t removed;  // elements freed: both inputs minus the result (may be negative)
    uint64_t cost;
    Letters kept, all;
    int x, y;
  };
  std::vector<Candidate> cands;  // kept across iterations in order, as the reference does
  auto consider = [&](int x, int y) {
    Letters all = terms[x] | terms[y], needed = out;
    for (int k = 0; k < static_cast<int>(terms.size()); ++k)
      if (k != x && k != y) needed |= terms[k];
    Letters kept = all & needed;
    uint64_t size = term_size(p, kept);
    if (size > memory_limit) return;
    uint64_t cost = flops(p, all, all != kept, 2);
    if (p.optimized_cost + cost > p.naive_cost) return;
    int64_t removed = static_cast<int64_t>(term_size(p, terms[x]) + term_size(p, terms[y])) -
                      static_cast<int64_t>(size);
    cands.push_back({removed, cost, kept, all, x, y});
  };
  std::vector<std::pair<int, int>> fresh;
  for (int i = 0; i < static_cast<int>(terms.size()); ++i)
    for (int j = i + 1; j < static_cast<int>(terms.size()); ++j) fresh.emplace_back(i, j);
  const int n = static_cast<int>(terms.size());
  for (int it = 0; it < n - 1; ++it) {
    for (auto [x, y] : fresh)
      if (terms[x] & terms[y]) consider(x, y);
    if (cands.empty())
      for (int i = 0; i < static_cast<int>(terms.size()); ++i)
        for (int j = i + 1; j < static_cast<int>(terms.size()); ++j) consider(i, j);
    if (cands.empty()) {
      Step rest;
      rest.positions.resize(terms.size());
      std::iota(rest.positions.begin(), rest.positions.end(), 0);
      Letters all = 0;
      for (auto t : terms) all |= t;
      rest.kept = out;
      rest.scaling = std::popcount(all);
      rest.cost = flops(p, all, (all & ~out) != 0, static_cast<int>(terms.size()));
      p.optimized_cost += rest.cost;
      p.optimized_scaling = std::max(p.optimized_scaling, rest.scaling);
      p.steps.push_back(std::move(rest));
      return;
    }
    auto best_it = std::min_element(cands.begin(), cands.end(), [](const auto& a, const auto& b) {
      return a.removed > b.removed || (a.removed == b.removed && a.cost < b.cost);
    });
    Candidate best = *best_it;
    p.steps.push_back({{best.x, best.y}, best.kept, std::popcount(best.all), best.cost});
    p.optimized_cost += best.cost;
    p.optimized_scaling = std::max(p.optimized_scaling, std::popcount(best.all));
    terms.erase(terms.begin() + best.y);
    terms.erase(terms.begin() + best.x);
    terms.push_back(best.kept);
    // Pairs not touching the contracted operands survive (positions shifted down; their
    // figures are not recomputed, as in the reference); pairs with the result come next.
    std::vector<Candidate> left;
    for (auto c : cands) {
      if (c.x == best.x || c.x == best.y || c.y == best.x || c.y == best.y) continue;
      c.x -= (c.x > best.x) + (c.x > best.y);
      c.y -= (c.y > best.x) + (c.y > best.y);
      left.push_back(c);
    }
    cands = std::move(left);
    fresh.clear();
    const int last = static_cast<int>(terms.size()) - 1;
    for (int k = 0; k < last; ++k) fresh.emplace_back(k, last);
  }
}

/// Parses and checks subscripts against operands (all errors name `op`) and plans the path.
inline Plan plan(std::string_view op, const std::string& subscripts, const std::vector<array>& operands) {
  if (operands.empty()) fail(op, "At least one operand is required.");
  auto [ins, out] = split(subscripts);
  if (ins.size() != operands.size())
    fail(op, "Number of operands, ", operands.size(), ", does not match number of input subscripts, ",
         ins.size(), ".");
  std::string spare;  // letters the subscripts do not use, for ellipsis dimensions
  for (int b = 0; b < 52; ++b)
    if (subscripts.find(bit_letter(b)) == std::string::npos) spare += bit_letter(b);
  int ellipsis_len = 0;
  for (size_t i = 0; i < ins.size(); ++i)
    expand_ellipsis(op, ins[i], static_cast<int>(operands[i].ndim()), static_cast<int>(i), spare,
                    ellipsis_len, operands[i].shape());
  expand_ellipsis(op, out, -1, -1, spare, ellipsis_len, {});

  Plan p;
  Letters seen = 0;
  for (size_t i = 0; i < ins.size(); ++i) {
    const auto& in = ins[i];
    const array& x = operands[i];
    if (in.size() != x.ndim())
      fail(op, "Invalid number of subscripts ", in.size(), " for input ", i, " with ", x.ndim(),
           " dimensions.");
    for (size_t j = 0; j < in.size(); ++j) {
      for (size_t k = 0; k < j; ++k)
        if (in[k] == in[j] && x.shape(k) != x.shape(j))
          fail(op, "Dimensions of repeated subscripts do not have the same size (", x.shape(k), " != ",
               x.shape(j), ").");
      int64_t& d = p.dim[letter_bit(in[j])];
      const int64_t n = x.shape(static_cast<int>(j));
      if (!has(seen, in[j])) {
        d = n;
      } else if (n != d && n != 1 && d != 1) {
        fail(op, "Cannot broadcast dimension ", j, " of input ", i, " with shape ", x.shape(),
             " to size ", d, ".");
      } else {
        d = std::max(d, n);
      }
      seen |= Letters{1} << letter_bit(in[j]);
    }
  }
  const Letters out_set = letters_of(out);
  if (static_cast<size_t>(std::popcount(out_set)) != out.size())
    fail(op, "Repeat indices not allowed in output. Got '", out, "'.");
  for (char c : out)
    if (!has(seen, c)) fail(op, "Output subscript '", c, "' does not appear in any input.");
  p.inputs = std::move(ins);
  p.output = std::move(out);

  p.naive_scaling = std::popcount(seen);
  p.naive_cost = flops(p, seen, (seen & ~out_set) != 0, static_cast<int>(p.inputs.size()));
  if (p.inputs.size() <= 2) {
    Step one;
    one.positions.resize(p.inputs.size());
    std::iota(one.positions.begin(), one.positions.end(), 0);
    one.kept = out_set;
    one.scaling = p.naive_scaling;
    one.cost = p.naive_cost;
    p.steps.push_back(std::move(one));
    p.optimized_cost = p.naive_cost;
    p.optimized_scaling = p.naive_scaling;
  } else {
    greedy_path(p);
    p.steps.back().kept = out_set;
  }
  return p;
}

/// An operand with its subscript, as the steps pass them along.
struct Term {
  array x;
  std::string sub;
};

inline std::vector<int> positions_of(const std::string& sub, const std::string& letters) {
  std::vector<int> axes;
  for (char c : letters) axes.push_back(static_cast<int>(sub.find(c)));
  return axes;
}

/// Takes the diagonal of every repeated letter ("ii" -> "i"); each diagonal is a view.
template <class = void>
inline void collapse_repeats(Term& t, const StreamOrDevice& s) {
  for (;;) {
    size_t j = 0, k = std::string::npos;
    for (; j < t.sub.size() && k == std::string::npos; ++j)
      k = t.sub.find(t.sub[j], j + 1);
    if (k == std::string::npos) return;
    --j;
    const char c = t.sub[j];
    t.x = diagonal(t.x, 0, static_cast<int>(j), static_cast<int>(k), s);  // diag axis goes last
    t.sub.erase(k, 1);
    t.sub.erase(j, 1);
    t.sub += c;
  }
}

/// a's axes in the order of `letters` (each a letter of a.sub).
template <class = void>
inline array permuted(const Term& t, const std::string& letters, const StreamOrDevice& s) {
  auto axes = positions_of(t.sub, letters);
  bool identity = true;
  for (size_t i = 0; i < axes.size(); ++i) identity = identity && axes[i] == static_cast<int>(i);
  return identity ? t.x : transpose(t.x, axes, s);
}

/// A two-operand contraction as one batched matmul: [batch, a-only, summed] times
/// [batch, summed, b-only]; the result's subscript is batch + a-only + b-only.
template <class = void>
inline Term contract_gemm(const Term& a, const Term& b, Letters kept,
                          const StreamOrDevice& s) {
  std::string batch, free_a, free_b, summed;
  for (char c : a.sub) {
    if (!has(kept, c)) summed += c;
    else if (b.sub.find(c) != std::string::npos) batch += c;
    else free_a += c;
  }
  for (char c : b.sub)
    if (has(kept, c) && a.sub.find(c) == std::string::npos) free_b += c;
  // A letter's size in an operand can be 1 where the full size is larger (it broadcasts),
  // so sizes come from the operands, not from the plan.
  auto size_in = [](const Term& t, char c) { return t.x.shape(static_cast<int>(t.sub.find(c))); };
  auto product = [&](const Term& t, const std::string& ls) {
    int64_t n = 1;
    for (char c : ls) n *= size_in(t, c);
    return static_cast<ShapeElem>(n);
  };
  // Batch dims stay separate (matmul broadcasts sizes of 1); a summed dim of size 1 on one
  // side is broadcast first so that both sides agree on K.
  auto operand = [&](const Term& t, const std::string& mid, const std::string& last) {
    array x = permuted(t, batch + mid + last, s);
    Shape full = x.shape(), mat;
    for (size_t i = 0; i < batch.size(); ++i) mat.push_back(full[i]);
    for (size_t i = 0; i < summed.size(); ++i) {
      const size_t at = batch.size() + (mid == summed ? i : mid.size() + i);
      full[at] = std::max(size_in(a, summed[i]), size_in(b, summed[i]));
    }
    if (full != x.shape()) x = broadcast_to(x, full, s);
    Term bt{x, batch + mid + last};
    mat.push_back(product(bt, mid));
    mat.push_back(product(bt, last));
    return reshape(x, std::move(mat), s);
  };
  array prod = matmul(operand(a, free_a, summed), operand(b, summed, free_b), s);
  Shape shape(prod.shape().begin(), prod.shape().begin() + batch.size());
  for (char c : free_a) shape.push_back(size_in(a, c));
  for (char c : free_b) shape.push_back(size_in(b, c));
  return {reshape(prod, std::move(shape), s), batch + free_a + free_b};
}

/// Any contraction as broadcast multiplies and one sum (outer products, elementwise
/// products, integer dtypes, n-ary fallback steps): the product is fused into the sum.
template <class = void>
inline Term contract_naive(const std::vector<Term>& ts, Letters kept, const StreamOrDevice& s) {
  std::string all;  // kept letters first, so the sum leaves them in this order
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& t : ts)
      for (char c : t.sub)
        if (has(kept, c) == (pass == 0) && all.find(c) == std::string::npos) all += c;
  const size_t n_kept = std::popcount(kept & letters_of(all));
  std::vector<array> xs;
  for (const auto& t : ts) {
    std::string mine;
    for (char c : all)
      if (t.sub.find(c) != std::string::npos) mine += c;
    array x = permuted(t, mine, s);
    Shape shape;
    for (char c : all)
      shape.push_back(t.sub.find(c) != std::string::npos ? x.shape(static_cast<int>(mine.find(c))) : 1);
    xs.push_back(reshape(x, std::move(shape), s));
  }
  std::vector<int> axes(all.size() - n_kept);
  std::iota(axes.begin(), axes.end(), static_cast<int>(n_kept));
  array acc = xs[0];
  for (size_t i = 1; i + 1 < xs.size(); ++i) acc = array(multiply(acc, xs[i], s));
  std::string sub = all.substr(0, n_kept);
  if (xs.size() == 1) return {axes.empty() ? acc : sum(acc, axes, false, s), sub};
  if (axes.empty()) return {array(multiply(acc, xs.back(), s)), sub};
  return {sum(multiply(acc, xs.back(), s), axes, false, s), sub};
}

/// Runs one step on its terms: repeated letters become diagonals, letters no other term
/// needs are summed away, then a GEMM when two inexact operands share a summed letter.
template <class = void>
inline Term run_step(std::vector<Term> ts, Letters kept, const StreamOrDevice& s) {
  for (auto& t : ts) collapse_repeats(t, s);
  for (size_t i = 0; i < ts.size(); ++i) {
    Letters others = kept;
    for (size_t j = 0; j < ts.size(); ++j)
      if (j != i) others |= letters_of(ts[j].sub);
    std::vector<int> axes;
    std::string rest;
    for (size_t k = 0; k < ts[i].sub.size(); ++k) {
      if (has(others, ts[i].sub[k])) rest += ts[i].sub[k];
      else axes.push_back(static_cast<int>(k));
    }
    if (!axes.empty()) ts[i] = {sum(ts[i].x, axes, false, s), rest};
  }
  if (ts.size() == 2) {
    const Dtype t = promote_types(ts[0].x.dtype(), ts[1].x.dtype());
    const bool shares_summed = (letters_of(ts[0].sub) & letters_of(ts[1].sub) & ~kept) != 0;
    if (shares_summed && issubdtype(t, inexact)) return contract_gemm(ts[0], ts[1], kept, s);
  }
  return contract_naive(ts, kept, s);
}

}  // namespace detail::einsum_impl

/// The contraction order einsum would use for `subscripts` ("ij,jk->ik", implicit output,
/// "..." broadcasting), as lists of positions into the shrinking operand list (each step's
/// result goes last), and a printable summary of its scaling and FLOP counts.
/// \throws std::invalid_argument for bad subscripts, an operand count that does not match,
/// or dimension sizes that do not agree.
inline std::pair<std::vector<std::vector<int>>, std::string> einsum_path(
    const std::string& subscripts, const std::vector<array>& operands) {
  using namespace detail::einsum_impl;
  Plan p = plan("einsum_path", subscripts, operands);
  std::vector<std::vector<int>> path;
  std::ostringstream os;
  os << "  Complete contraction:  " << subscripts << "\n"
     << "         Naive scaling:  " << p.naive_scaling << "\n"
     << "     Optimized scaling:  " << p.optimized_scaling << "\n"
     << "      Naive FLOP count:  " << p.naive_cost << "\n"
     << "  Optimized FLOP count:  " << p.optimized_cost << "\n";
  // One line per step, with subscripts spelled out (ellipses expanded), as NumPy prints.
  std::vector<std::string> subs = p.inputs;
  for (const auto& st : p.steps) {
    path.push_back(st.positions);
    std::string in, result;
    for (size_t i = 0; i < st.positions.size(); ++i) in += (i ? "," : "") + subs[st.positions[i]];
    if (&st == &p.steps.back()) {
      result = p.output;
    } else {
      for (int b = 0; b < 52; ++b)
        if ((st.kept >> b) & 1) result += bit_letter(b);
    }
    for (auto it = st.positions.rbegin(); it != st.positions.rend(); ++it) subs.erase(subs.begin() + *it);
    subs.push_back(result);
    os << "  step " << (&st - p.steps.data()) << ": " << in << "->" << result << "  (scaling " << st.scaling
       << ", FLOPs " << st.cost << ")\n";
  }
  return {path, os.str()};
}

/// Einstein summation over `operands` as `subscripts` describes: explicit ("ij,jk->ik") or
/// implicit ("ij,jk": letters seen once, sorted) output, "..." for broadcast leading dims,
/// repeated letters in an operand for diagonals ("ii->i") and traces ("ii"). Operands are
/// contracted pairwise in einsum_path's order; two-operand contractions are batched GEMMs.
/// Integer and bool operands are multiplied and summed instead (matmul is for inexact types).
/// \throws std::invalid_argument for bad subscripts, an operand count that does not match,
/// or dimension sizes that do not agree.
template <class = void>
inline array einsum(const std::string& subscripts, const std::vector<array>& operands,
                    StreamOrDevice s = {}) {
  using namespace detail::einsum_impl;
  Plan p = plan("einsum", subscripts, operands);
  std::vector<Term> terms;
  for (size_t i = 0; i < operands.size(); ++i) terms.push_back({operands[i], p.inputs[i]});
  for (const auto& st : p.steps) {
    std::vector<Term> ts;
    for (int pos : st.positions) ts.push_back(terms[pos]);
    for (auto it = st.positions.rbegin(); it != st.positions.rend(); ++it) terms.erase(terms.begin() + *it);
    terms.push_back(run_step(std::move(ts), st.kept, s));
  }
  return permuted(terms.back(), p.output, s);
}

}  // namespace mlx::core

// SPDX-License-Identifier: MIT
// mlx::nn::Module (MLX's mlx.nn.Module): a tree of named parameters and submodules.
//
// Naming follows MLX's tree_flatten: a parameter's full name is the dotted path of local
// names from the root ("layers.0.weight"). Parameters and children keep their insertion
// order inside a module (for printing, as MLX does); the flat views that parameters() and
// trainable_parameters() return are a ParameterMap, i.e. a std::map sorted by name, because
// callers look names up (optimizers, update, load_weights) far more than they iterate.
//
// This header calls no op: Module only stores and moves array handles, so including it
// instantiates no kernel (docs/compile-time.md). Layers that do compute are class
// templates (LinearImpl<> behind `using Linear = LinearImpl<>`), for the same reason.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mlx/core/array.hpp"
#include "mlx/core/errors.hpp"

namespace mlx::nn {

using mlx::core::array;

/// A flat view of parameters: full dotted name -> array (sorted by name).
using ParameterMap = std::map<std::string, array>;

class Module;
using ModulePtr = std::shared_ptr<Module>;

class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;  // modules are shared through shared_ptr, never copied
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  /// The class name printed by operator<< ("Linear").
  virtual std::string name() const = 0;
  /// What is printed inside the parentheses ("input_dims=2, output_dims=3, bias=True").
  virtual std::string extra_repr() const { return ""; }

  /// The forward pass of a one-input module. Modules with other signatures (Bilinear)
  /// add their own overloads; calling this one on them throws std::logic_error.
  virtual array operator()(const array& x) {
    (void)x;
    throw std::logic_error("[nn." + name() + "] This module does not take a single array.");
  }

  // ---- the parameter tree ---------------------------------------------------------------

  /// Every parameter of this module and its descendants, by full dotted name.
  ParameterMap parameters() const {
    ParameterMap out;
    collect("", false, out);
    return out;
  }
  /// The parameters that are not frozen.
  ParameterMap trainable_parameters() const {
    ParameterMap out;
    collect("", true, out);
    return out;
  }
  /// This module's own parameters (no descendants), in insertion order.
  const std::vector<std::pair<std::string, array>>& local_parameters() const { return params_; }
  /// The direct submodules, in insertion order, by local name ("layers.0" in Sequential).
  const std::vector<std::pair<std::string, ModulePtr>>& children() const { return children_; }
  /// Every descendant module (not this one) by full dotted name, depth first.
  std::vector<std::pair<std::string, ModulePtr>> modules() const {
    std::vector<std::pair<std::string, ModulePtr>> out;
    for (const auto& [k, m] : children_) {
      out.emplace_back(k, m);
      for (auto& [kk, mm] : m->modules()) out.emplace_back(k + "." + kk, mm);
    }
    return out;
  }

  /// Whether a parameter with this full dotted name exists.
  bool has_parameter(const std::string& full_name) const {
    auto [owner, local] = resolve(full_name);
    return owner && owner->find_local(local) != nullptr;
  }
  /// The parameter with this full dotted name.
  /// \throws std::invalid_argument naming the key when there is none.
  array& parameter(const std::string& full_name) {
    auto [owner, local] = resolve(full_name);
    array* p = owner ? owner->find_local(local) : nullptr;
    if (!p) core::detail::fail("nn.Module", "No parameter named \"", full_name, "\" in ", name(), ".");
    return *p;
  }
  const array& parameter(const std::string& full_name) const {
    return const_cast<Module*>(this)->parameter(full_name);
  }

  /// Replaces parameters by full dotted name (MLX's update with strict=True): every key
  /// must name an existing parameter; shapes are not checked (load_weights does that).
  /// \throws std::invalid_argument naming the first unknown key; nothing is changed then.
  Module& update(const ParameterMap& params) {
    std::vector<array*> slots;
    slots.reserve(params.size());
    for (const auto& [k, v] : params) {
      auto [owner, local] = resolve(k);
      array* p = owner ? owner->find_local(local) : nullptr;
      if (!p)
        core::detail::fail("nn.Module.update", "Module ", name(), " has no parameter named \"", k, "\".");
      slots.push_back(p);
    }
    size_t i = 0;
    for (const auto& kv : params) *slots[i++] = kv.second;
    return *this;
  }

  // ---- mapping parameters and modules (MLX's filter_and_map, apply, apply_to_modules) --

  /// Chooses parameters: (the module that owns it, its local name, its value).
  using ParameterFilter = std::function<bool(const Module&, const std::string&, const array&)>;
  using ParameterFn = std::function<array(const array&)>;

  /// The parameters that pass `filter` (every one when null), by full dotted name, each
  /// mapped through `map_fn` (as they are when null). The module is not changed. (MLX's
  /// filter_and_map, flattened: parameters are the only leaves our modules hold.)
  ParameterMap filter_and_map(const ParameterFilter& filter, const ParameterFn& map_fn = nullptr) const {
    ParameterMap out;
    for_each_parameter("", [&](const Module& m, const std::string& local, const std::string& full, const array& v) {
      if (!filter || filter(m, local, v)) out.emplace(full, map_fn ? map_fn(v) : v);
    });
    return out;
  }

  /// Replaces every parameter that passes `filter` (every one when null) by map_fn(it), as
  /// MLX's apply (model.apply([](const array& a) { return astype(a, bfloat16); })). Frozen
  /// parameters stay frozen. A module shared by several parents is mapped once. All new
  /// values are computed before any is stored, so a throwing map_fn changes nothing.
  /// 	hrows std::invalid_argument for a null map_fn; whatever map_fn throws.
  Module& apply(const ParameterFn& map_fn, const ParameterFilter& filter = nullptr) {
    if (!map_fn) core::detail::fail("nn.Module.apply", "map_fn is empty.");
    std::vector<std::pair<array*, array>> updates;
    std::set<const Module*> seen;
    apply_to_modules([&](const std::string&, Module& m) {
      if (!seen.insert(&m).second) return;
      for (auto& [k, v] : m.params_)
        if (!filter || filter(m, k, v)) updates.emplace_back(&v, map_fn(v));
    });
    for (auto& [slot, v] : updates) *slot = std::move(v);
    return *this;
  }

  /// Calls fn(full dotted name, module) for this module (name "") and then every descendant,
  /// parents before children (MLX's apply_to_modules). A shared module is visited under
  /// each of its names.
  Module& apply_to_modules(const std::function<void(const std::string&, Module&)>& fn) {
    fn("", *this);
    for (auto& [k, m] : modules()) fn(k, *m);
    return *this;
  }

  /// This module ("") and every descendant by full dotted name (MLX's named_modules).
  std::vector<std::pair<std::string, Module*>> named_modules() {
    std::vector<std::pair<std::string, Module*>> out{{"", this}};
    for (auto& [k, m] : modules()) out.emplace_back(k, m.get());
    return out;
  }
  /// The descendants without children, by full dotted name (MLX's leaf_modules, flattened).
  std::vector<std::pair<std::string, ModulePtr>> leaf_modules() const {
    std::vector<std::pair<std::string, ModulePtr>> out;
    for (auto& [k, m] : modules())
      if (m->children().empty()) out.emplace_back(k, m);
    return out;
  }

  // ---- replacing submodules -----------------------------------------------------------

  /// Replaces submodules by full dotted name (MLX's update_modules with strict=True; what
  /// nn::quantize uses). Each name must be a descendant ("layers.0", "encoder.ln") and its
  /// parent must accept the replacement (accepts_child): a parent that keeps a typed handle
  /// to that child (std::shared_ptr<Linear>) would otherwise go on calling the old module.
  /// Every name is checked before anything changes.
  /// \throws std::invalid_argument naming the first unknown name, null module or refusing
  /// parent; nothing is changed then.
  Module& update_modules(const std::vector<std::pair<std::string, ModulePtr>>& modules) {
    std::vector<std::pair<Module*, size_t>> slots;
    slots.reserve(modules.size());
    for (const auto& [k, m] : modules) {
      if (!m) core::detail::fail("nn.Module.update_modules", "The module given for \"", k, "\" is null.");
      auto [parent, i] = resolve_child(k);
      if (!parent)
        core::detail::fail("nn.Module.update_modules", "Module ", name(), " has no submodule named \"", k, "\".");
      if (!parent->accepts_child(parent->children_[i].first, *m))
        core::detail::fail("nn.Module.update_modules", parent->name(), " cannot take a ", m->name(),
                           " as its child \"", parent->children_[i].first, "\" (\"", k,
                           "\"): it does not accept replaced children (it may keep its own typed handle to it).");
      slots.emplace_back(parent, i);
    }
    for (size_t j = 0; j < slots.size(); ++j) {
      auto [parent, i] = slots[j];
      parent->children_[i].second = modules[j].second;
      parent->child_replaced(parent->children_[i].first, modules[j].second);
    }
    return *this;
  }

  // ---- freezing -------------------------------------------------------------------------

  /// Freezes parameters: they stay in parameters() but leave trainable_parameters().
  /// With no keys, every parameter (of the whole subtree when recurse). A key with a dot
  /// is a full name from this module; a key without one is a local name matched in this
  /// module and, when recurse, in every descendant (MLX: freeze(keys=["bias"]) freezes
  /// every bias). strict: a key that matches nothing throws std::invalid_argument.
  Module& freeze(const std::vector<std::string>& keys = {}, bool recurse = true, bool strict = false) {
    set_frozen(keys, recurse, strict, true);
    return *this;
  }
  /// The reverse of freeze, with the same key rules.
  Module& unfreeze(const std::vector<std::string>& keys = {}, bool recurse = true, bool strict = false) {
    set_frozen(keys, recurse, strict, false);
    return *this;
  }
  /// Whether the parameter with this local name is frozen in this module.
  bool is_frozen(const std::string& local_name) const { return frozen_.count(local_name) != 0; }

  // ---- training mode ------------------------------------------------------------------

  /// Sets training mode on this module and every descendant (Dropout, BatchNorm read it).
  Module& train(bool mode = true) {
    training_ = mode;
    for (auto& c : children_) c.second->train(mode);
    return *this;
  }
  Module& eval() { return train(false); }
  bool training() const { return training_; }

  // ---- safetensors (defined in nn/save.hpp, which nn/nn.hpp includes) -----------------

  /// Writes parameters() to a safetensors file.
  template <class = void>
  void save_weights(const std::string& path) const;
  /// Reads a safetensors file into the parameters (strict: every parameter must be in the
  /// file and every tensor in the file must be a parameter).
  template <class = void>
  Module& load_weights(const std::string& path, bool strict = true);

 protected:
  /// Adds (or replaces) a parameter of this module; returns a reference to the stored array.
  array& register_parameter(const std::string& local_name, array value) {
    check_local_name(local_name);
    if (array* p = find_local(local_name)) {
      *p = std::move(value);
      return *p;
    }
    params_.emplace_back(local_name, std::move(value));
    return params_.back().second;
  }
  /// Adds a submodule; the name may contain dots ("layers.0"), as Sequential's do.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& local_name, std::shared_ptr<M> module) {
    if (local_name.empty()) throw std::invalid_argument("[nn.Module] Empty submodule name.");
    if (!module) core::detail::fail("nn.Module", "Submodule \"", local_name, "\" is null.");
    for (auto& c : children_)
      if (c.first == local_name) {
        c.second = module;
        return module;
      }
    children_.emplace_back(local_name, module);
    return module;
  }
  /// This module's own parameter by local name (layers use it in their forward pass).
  const array& local(const std::string& local_name) const {
    const array* p = const_cast<Module*>(this)->find_local(local_name);
    if (!p) core::detail::fail("nn." + name(), "No parameter named \"", local_name, "\".");
    return *p;
  }
  array& local_mut(const std::string& local_name) {
    return const_cast<array&>(static_cast<const Module*>(this)->local(local_name));
  }
  /// Freezes one of this module's own parameters only (BatchNorm's running statistics).
  void freeze_local(const std::string& local_name) { frozen_.insert(local_name); }
  /// This module's direct child by local name (for modules that compute through children,
  /// so that update_modules may swap them). \throws std::invalid_argument when absent.
  const ModulePtr& child(const std::string& local_name) const {
    for (const auto& c : children_)
      if (c.first == local_name) return c.second;
    core::detail::fail("nn." + name(), "No submodule named \"", local_name, "\".");
  }

  /// Whether update_modules may put `replacement` in place of the child `local_name`. Say
  /// yes only when the forward pass reaches that child through children() / child(), or
  /// through handles that child_replaced re-points. The default is no: a subclass that
  /// keeps its own typed handle to the child would silently keep calling the old module.
  virtual bool accepts_child(const std::string& local_name, const Module& replacement) const {
    (void)local_name;
    (void)replacement;
    return false;
  }
  /// Called by update_modules after the child `local_name` became `replacement`.
  virtual void child_replaced(const std::string& local_name, const ModulePtr& replacement) {
    (void)local_name;
    (void)replacement;
  }

 private:
  static void check_local_name(const std::string& n) {
    if (n.empty() || n.find('.') != std::string::npos)
      core::detail::fail("nn.Module", "Parameter name \"", n, "\" must be non-empty and contain no dot.");
  }
  array* find_local(const std::string& n) {
    for (auto& p : params_)
      if (p.first == n) return &p.second;
    return nullptr;
  }
  // The module owning a full dotted name and the parameter's local name. Child names may
  // contain dots themselves, so each prefix that names a child is tried (longest first).
  std::pair<Module*, std::string> resolve(const std::string& full) const {
    Module* self = const_cast<Module*>(this);
    if (full.find('.') == std::string::npos) return {self, full};
    for (const auto& [k, m] : children_) {
      if (full.size() > k.size() + 1 && full.compare(0, k.size(), k) == 0 && full[k.size()] == '.') {
        auto r = m->resolve(full.substr(k.size() + 1));
        if (r.first && r.first->find_local(r.second)) return r;
      }
    }
    return {nullptr, full};
  }
  // The parent of the submodule with this full dotted name and its index in children_.
  std::pair<Module*, size_t> resolve_child(const std::string& full) const {
    Module* self = const_cast<Module*>(this);
    for (size_t i = 0; i < children_.size(); ++i)
      if (children_[i].first == full) return {self, i};
    for (const auto& [k, m] : children_)
      if (full.size() > k.size() + 1 && full.compare(0, k.size(), k) == 0 && full[k.size()] == '.') {
        auto r = m->resolve_child(full.substr(k.size() + 1));
        if (r.first) return r;
      }
    return {nullptr, 0};
  }
  template <class F>
  void for_each_parameter(const std::string& prefix, const F& f) const {
    for (const auto& [k, v] : params_) f(*this, k, prefix + k, v);
    for (const auto& [k, m] : children_) m->for_each_parameter(prefix + k + ".", f);
  }
  void collect(const std::string& prefix, bool trainable_only, ParameterMap& out) const {
    for (const auto& [k, v] : params_)
      if (!trainable_only || !frozen_.count(k)) out.emplace(prefix + k, v);
    for (const auto& [k, m] : children_) m->collect(prefix + k + ".", trainable_only, out);
  }
  // Applies freeze/unfreeze; returns the keys that matched something (for strict).
  void set_frozen(const std::vector<std::string>& keys, bool recurse, bool strict, bool frozen) {
    if (keys.empty()) {
      apply_all(recurse, frozen);
      return;
    }
    for (const auto& key : keys) {
      bool matched = false;
      if (key.find('.') != std::string::npos) {
        auto [owner, local] = resolve(key);
        if (owner && owner->find_local(local)) {
          owner->mark(local, frozen);
          matched = true;
        }
      } else {
        matched = mark_local_everywhere(key, recurse, frozen);
      }
      if (!matched && strict)
        core::detail::fail(frozen ? "nn.Module.freeze" : "nn.Module.unfreeze", "Module ", name(),
                           " has no parameter named \"", key, "\".");
    }
  }
  void mark(const std::string& local, bool frozen) {
    if (frozen)
      frozen_.insert(local);
    else
      frozen_.erase(local);
  }
  void apply_all(bool recurse, bool frozen) {
    for (auto& p : params_) mark(p.first, frozen);
    if (recurse)
      for (auto& c : children_) c.second->apply_all(true, frozen);
  }
  bool mark_local_everywhere(const std::string& key, bool recurse, bool frozen) {
    bool matched = false;
    if (find_local(key)) {
      mark(key, frozen);
      matched = true;
    }
    if (recurse)
      for (auto& c : children_) matched = c.second->mark_local_everywhere(key, true, frozen) || matched;
    return matched;
  }

  std::vector<std::pair<std::string, array>> params_;
  std::vector<std::pair<std::string, ModulePtr>> children_;
  std::set<std::string> frozen_;
  bool training_ = true;  // MLX modules start in training mode
};

namespace detail {
// Indents every line after the first by two spaces (nested modules print inside parents).
inline std::string indent_tail(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}
/// Python's repr of a bool, used in extra_repr ("True").
inline const char* py_bool(bool b) { return b ? "True" : "False"; }
/// A float as Python's str() prints it: shortest round-trip digits, "1e-05", "0.1", "1.0".
/// A float is printed with the fewest digits that give the float back (1e-5f -> "1e-05").
inline std::string py_float(double v, bool as_float = false) {
  char buf[32];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (as_float ? std::strtof(buf, nullptr) == static_cast<float>(v) : std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  // Python writes exponents with at least two digits and floats with a ".0" when integral.
  auto e = s.find('e');
  if (e != std::string::npos) {
    std::string mant = s.substr(0, e), ex = s.substr(e + 1);
    char sign = '+';
    if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) {
      sign = ex[0];
      ex = ex.substr(1);
    }
    while (ex.size() > 2 && ex[0] == '0') ex = ex.substr(1);
    if (ex.size() < 2) ex = "0" + ex;
    return mant + "e" + sign + ex;
  }
  if (s.find('.') == std::string::npos && s.find("inf") == std::string::npos &&
      s.find("nan") == std::string::npos)
    s += ".0";
  return s;
}
inline std::string py_float(float v) { return py_float(static_cast<double>(v), true); }
}  // namespace detail

/// Prints like MLX's Module.__repr__: Name(extra) or, with children,
/// Name(extra\n  (child): ...\n).
inline std::ostream& operator<<(std::ostream& os, const Module& m) {
  std::string s = m.name() + "(" + m.extra_repr();
  for (const auto& [k, c] : m.children()) {
    std::ostringstream child;
    child << *c;
    s += "\n  (" + k + "): " + detail::indent_tail(child.str());
  }
  if (!m.children().empty()) s += "\n";
  s += ")";
  return os << s;
}

}  // namespace mlx::nn

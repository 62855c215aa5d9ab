// SPDX-License-Identifier: MIT
// GLSL for the elementwise functors and for whole expression programs (expr/describe.hpp).
// A program computes in one type (as on the CPU): inputs convert to it when loaded, results
// convert to the output dtype when stored, and narrow integer types wrap after every
// operation. The table below is each functor's GLSL spelling, by functor id; a functor or
// dtype without one runs on the CPU instead (Primitive::eval_gpu's fallback).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mlx/backend/gpu/glsl_math.hpp"
#include "mlx/backend/gpu/interface.hpp"
#include "mlx/core/dtype.hpp"
#include "mlx/expr/describe.hpp"
#include "mlx/expr/functors/registry.hpp"

namespace mlx::core::gpu::glsl {

enum class Kind { floating, signed_int, unsigned_int, boolean };

/// How a program computes in `compute`: the GLSL type, its kind, and the wrap applied after
/// each operation (narrow integers; bool stays 0/1).
struct ComputeType {
  const char* type;
  Kind kind;
  const char* wrap;  // printf pattern with one %s, or nullptr
  bool is_double = false;
};

inline bool compute_type(Dtype d, ComputeType& t) {
  switch (d.val) {
    case Dtype::Val::float16:
    case Dtype::Val::bfloat16:
    case Dtype::Val::float32: t = {"float", Kind::floating, nullptr}; return true;
    case Dtype::Val::float64: t = {"double", Kind::floating, nullptr, true}; return true;
    case Dtype::Val::bool_: t = {"int", Kind::boolean, "int((%s) != 0)"}; return true;
    case Dtype::Val::int8: t = {"int", Kind::signed_int, "((%s) << 24 >> 24)"}; return true;
    case Dtype::Val::int16: t = {"int", Kind::signed_int, "((%s) << 16 >> 16)"}; return true;
    case Dtype::Val::int32: t = {"int", Kind::signed_int, nullptr}; return true;
    case Dtype::Val::uint8: t = {"uint", Kind::unsigned_int, "((%s) & 0xFFu)"}; return true;
    case Dtype::Val::uint16: t = {"uint", Kind::unsigned_int, "((%s) & 0xFFFFu)"}; return true;
    case Dtype::Val::uint32: t = {"uint", Kind::unsigned_int, nullptr}; return true;
    case Dtype::Val::int64: t = {"int64_t", Kind::signed_int, nullptr}; return true;
    case Dtype::Val::uint64: t = {"uint64_t", Kind::unsigned_int, nullptr}; return true;
    default: return false;  // complex64 stays on the CPU
  }
}

/// The GLSL element type a buffer of dtype d is declared with (bfloat16 as raw bits).
inline const char* storage_type(Dtype d) {
  switch (d.val) {
    case Dtype::Val::bool_: return "uint8_t";
    case Dtype::Val::uint8: return "uint8_t";
    case Dtype::Val::uint16: return "uint16_t";
    case Dtype::Val::uint32: return "uint";
    case Dtype::Val::uint64: return "uint64_t";
    case Dtype::Val::int8: return "int8_t";
    case Dtype::Val::int16: return "int16_t";
    case Dtype::Val::int32: return "int";
    case Dtype::Val::int64: return "int64_t";
    case Dtype::Val::float16: return "float16_t";
    case Dtype::Val::bfloat16: return "uint16_t";
    case Dtype::Val::float32: return "float";
    case Dtype::Val::float64: return "double";
    default: return nullptr;
  }
}

/// Whether the device can hold and compute dtype d.
inline bool device_supports(const DeviceInfo& info, Dtype d) {
  switch (d.val) {
    case Dtype::Val::bool_:
    case Dtype::Val::uint8:
    case Dtype::Val::int8: return info.int8;
    case Dtype::Val::uint16:
    case Dtype::Val::int16:
    case Dtype::Val::bfloat16: return info.int16;
    case Dtype::Val::float16: return info.float16;
    case Dtype::Val::float64: return info.float64 && info.int64;
    case Dtype::Val::int64:
    case Dtype::Val::uint64: return info.int64;
    case Dtype::Val::complex64: return false;
    default: return true;
  }
}

/// `expr` (of storage dtype `from`) converted to the compute type.
inline std::string load_as(const std::string& expr, Dtype from, const ComputeType& to) {
  std::string t = to.type;
  if (from == bool_) return t + "(" + expr + " != uint8_t(0))";
  if (from == bfloat16) {
    std::string f = "uintBitsToFloat(uint(" + expr + ") << 16)";
    return to.kind == Kind::boolean ? "int(" + f + " != 0.0)" : t + "(" + f + ")";
  }
  if (to.kind == Kind::boolean) return "int(" + expr + " != " + storage_type(from) + "(0))";
  if (from == float16) return t + "(float(" + expr + "))";
  return t + "(" + expr + ")";
}

/// Compute value `v` converted to storage dtype `to`.
inline std::string store_as(const std::string& v, const ComputeType& from, Dtype to) {
  std::string zero = std::string(from.type) + "(0)";
  if (to == bool_) return "uint8_t(" + v + " != " + zero + " ? 1 : 0)";
  if (to == bfloat16) return "mlx_to_bf16(float(" + v + "))";
  if (to == float16) return "float16_t(float(" + v + "))";
  std::string st = storage_type(to);
  if (from.kind == Kind::floating && (to == int8 || to == int16 || to == uint8 || to == uint16))
    return st + "(int(" + v + "))";  // float → narrow int goes through int (as C++ does)
  return st + "(" + v + ")";
}

/// Helpers the functor spellings use, for compute type T of kind k.
inline std::string helpers(const ComputeType& c) {
  std::string s;
  s += "uint16_t mlx_to_bf16(float f) {\n"
       "  uint b = floatBitsToUint(f);\n"
       "  if (isnan(f)) return uint16_t((b >> 16) | 0x40u);\n"
       "  b += 0x7FFFu + ((b >> 16) & 1u);\n"
       "  return uint16_t(b >> 16);\n"
       "}\n";
  if (c.kind == Kind::floating) {
    s += std::string("#define MLX_TNAN ") +
         (c.is_double ? "packDouble2x32(uvec2(0u, 0x7ff80000u))\n" : "uintBitsToFloat(0x7fc00000u)\n");
    s += R"(#define T )" + std::string(c.type) + R"(
// NaN from either side. Both tests are spelled out: NVIDIA's compiler turns `a > b ? a : b`
// into a max instruction that drops a NaN b.
T mlx_max(T a, T b) { return isnan(a) || isnan(b) ? a + b : (a > b ? a : b); }
T mlx_min(T a, T b) { return isnan(a) || isnan(b) ? a + b : (a < b ? a : b); }
// fmod, exact (as C's): long division by the divisor scaled to the remainder's binade; each
// subtraction is exact (Sterbenz). a - b * trunc(a / b) is not exact (100 mod -3.7 was off).
T mlx_fmod(T a, T b) {
  if (isnan(a) || isnan(b) || isinf(a) || b == T(0)) return MLX_TNAN;
  T x = abs(a), y = abs(b);
  if (isinf(y) || x < y) return a;
  int ey, ex;
  frexp(y, ey);
  for (int i = 0; i < 2200 && x >= y; ++i) {
    frexp(x, ex);
    T t = ldexp(y, ex - ey);
    if (t > x) t *= T(0.5);
    x -= t;
  }
  return a < T(0) ? -x : x;
}
T mlx_rem(T a, T b) {
  T r = mlx_fmod(a, b);
  // A zero takes the divisor's sign; through abs(r): NVIDIA folds `r == 0 ? +0 : r` to r.
  if (r == T(0)) return (b < T(0)) ? -abs(r) : abs(r);
  return ((r < T(0)) != (b < T(0))) ? r + b : r;
}
T mlx_isclose(T a, T b, T rtol, T atol, T eqnan) {
  bool fin = !isinf(a) && !isnan(a) && !isinf(b) && !isnan(b);
  bool close = abs(a - b) <= atol + rtol * abs(b);
  bool nans = isnan(a) && isnan(b) && eqnan != T(0);
  return T(fin ? close : (a == b || nans));
}
)";
    if (!c.is_double) {
      s += float_math();
      s += R"(float mlx_pow(float a, float b) {
  if (b == 0.0) return 1.0;
  if (a == 1.0) return 1.0;
  if (isnan(a) || isnan(b)) return a + b;
  bool odd_int = b == floor(b) && mod(b, 2.0) == 1.0;
  if (isinf(a)) {  // C's rules: the sign survives only for odd integer exponents
    float r = b < 0.0 ? 0.0 : 1.0 / 0.0;
    return (a < 0.0 && odd_int) ? -r : r;
  }
  float r;
  if (abs(b) <= 16777216.0 && b == floor(b)) {
    // Integer exponents by repeated squaring: exact where the result is (10^10), a few
    // roundings otherwise; exp(b log a) in float is off by |b log a| * 2^-24 relative.
    float base = abs(a), e = abs(b);
    r = 1.0;
    for (int i = 0; i < 25 && e > 0.0; ++i) {
      if (mod(e, 2.0) == 1.0) r *= base;
      base *= base;
      e = floor(e * 0.5);
    }
    if (b < 0.0) r = 1.0 / r;
  } else if (b == 0.5) {
    r = sqrt(abs(a));
  } else {
    r = mlx_exp(b * mlx_log(abs(a)));
  }
  if (a < 0.0) {
    if (b != floor(b)) return 0.0 / 0.0;
    if (mod(b, 2.0) == 1.0) r = -r;
  }
  if (a == 0.0) {
    bool odd = b == floor(b) && mod(b, 2.0) == 1.0;
    float z = b < 0.0 ? 1.0 / 0.0 : 0.0;
    return (odd && (floatBitsToUint(a) >> 31) != 0u) ? -z : z;
  }
  return r;
}
float mlx_logaddexp(float a, float b) {
  bool al = a > b;
  float hi = al ? a : b, lo = al ? b : a;
  if (isinf(hi) && hi > 0.0 || isinf(lo) && lo < 0.0) return hi;
  return hi + mlx_log1p(mlx_exp(lo - hi));
}
)";
    }
    s += "#undef T\n#undef MLX_TNAN\n";
  } else {
    std::string T = c.type;
    s += T + " mlx_floordiv(" + T + " a, " + T + " b) {\n  if (b == " + T + "(0)) return " + T + "(0);\n";
    if (c.kind == Kind::signed_int)
      // GLSL leaves % of negative operands undefined (NVIDIA differs from lavapipe): the
      // remainder is written out from the truncating division, which GLSL does define.
      s += "  " + T + " q = a / b;\n  if ((a - q * b != " + T + "(0)) && ((a < " + T + "(0)) != (b < " + T +
           "(0)))) q -= " + T + "(1);\n  return q;\n}\n";
    else
      s += "  return a / b;\n}\n";
    s += T + " mlx_irem(" + T + " a, " + T + " b) {\n  if (b == " + T + "(0)) return " + T + "(0);\n  " + T +
         " r = a - (a / b) * b;\n";
    if (c.kind == Kind::signed_int)
      s += "  if (r != " + T + "(0) && ((r < " + T + "(0)) != (b < " + T + "(0)))) r += b;\n";
    s += "  return r;\n}\n";
    // Shifts by the compute type's width or more (or by a negative amount) are undefined in
    // GLSL; the CPU's rules (bits::shift_left/right): 0, or the sign for a signed right shift.
    // Narrow types compute in 32 bits and wrap, which gives the same results.
    const std::string W = T.find("64") != std::string::npos ? "64" : "32";
    const std::string out = "(b < " + T + "(0) || b >= " + T + "(" + W + "))";
    s += T + " mlx_shl(" + T + " a, " + T + " b) { return " + out + " ? " + T + "(0) : (a << b); }\n";
    s += T + " mlx_shr(" + T + " a, " + T + " b) { return " + out + " ? " +
         (c.kind == Kind::signed_int ? "(a < " + T + "(0) ? " + T + "(-1) : " + T + "(0))" : T + "(0)") +
         " : (a >> b); }\n";
    s += T + " mlx_ipow(" + T + " a, " + T + " b) {\n  " + T + " r = " + T + "(1);\n";
    if (c.kind == Kind::signed_int) s += "  if (b < " + T + "(0)) return " + T + "(0);\n";
    s += "  for (int i = 0; i < 64 && b != " + T + "(0); ++i) {\n    if ((b & " + T + "(1)) != " + T +
         "(0)) r *= a;\n    a *= a;\n    b >>= 1;\n  }\n  return r;\n}\n";
  }
  return s;
}

/// The GLSL spelling of functor `id` in compute type c: $0..$4 stand for the operands and T
/// for the compute type. nullptr: not on the GPU.
inline const char* functor_spelling(int id, const ComputeType& c) {
  using namespace functors;
  const bool fl = c.kind == Kind::floating, dbl = c.is_double;
  const bool un = c.kind == Kind::unsigned_int;
  const bool bl = c.kind == Kind::boolean;
  auto f = [&](const char* single) -> const char* { return fl && !dbl ? single : nullptr; };
#define MLXPP_ID(F) if (id == functor_id_v<F>)
  MLXPP_ID(Negative) return un ? "(T(0) - $0)" : "(-$0)";
  MLXPP_ID(Abs) return un || bl ? "$0" : "abs($0)";
  MLXPP_ID(Sign) return bl ? "$0" : un ? "T($0 != T(0))" : "(T($0 > T(0)) - T($0 < T(0)))";
  MLXPP_ID(Square) return "($0 * $0)";
  MLXPP_ID(Reciprocal) return fl ? "(T(1) / $0)" : nullptr;
  MLXPP_ID(Floor) return fl ? "floor($0)" : "$0";
  MLXPP_ID(Ceil) return fl ? "ceil($0)" : "$0";
  MLXPP_ID(Round) return fl ? "roundEven($0)" : "$0";
  MLXPP_ID(Conjugate) return "$0";
  MLXPP_ID(Real) return "$0";
  MLXPP_ID(Imag) return "T(0)";
  MLXPP_ID(StopGradient) return "$0";
  MLXPP_ID(Cast) return "$0";
  MLXPP_ID(Exp) return f("mlx_exp($0)");
  MLXPP_ID(Expm1) return f("mlx_expm1($0)");
  MLXPP_ID(Log) return f("mlx_log($0)");
  MLXPP_ID(Log2) return f("mlx_log2($0)");
  MLXPP_ID(Log10) return f("mlx_log10($0)");
  MLXPP_ID(Log1p) return f("mlx_log1p($0)");
  MLXPP_ID(Sin) return f("mlx_sin($0)");
  MLXPP_ID(Cos) return f("mlx_cos($0)");
  MLXPP_ID(Tan) return f("mlx_tan($0)");
  MLXPP_ID(ArcSin) return f("mlx_asin($0)");
  MLXPP_ID(ArcCos) return f("mlx_acos($0)");
  MLXPP_ID(ArcTan) return f("mlx_atan($0)");
  MLXPP_ID(Sinh) return f("mlx_sinh($0)");
  MLXPP_ID(Cosh) return f("mlx_cosh($0)");
  MLXPP_ID(Tanh) return f("mlx_tanh($0)");
  MLXPP_ID(ArcSinh) return f("mlx_asinh($0)");
  MLXPP_ID(ArcCosh) return f("mlx_acosh($0)");
  MLXPP_ID(ArcTanh) return f("mlx_atanh($0)");
  MLXPP_ID(Sqrt) return fl ? "sqrt($0)" : nullptr;
  MLXPP_ID(Rsqrt) return fl ? "(T(1) / sqrt($0))" : nullptr;
  MLXPP_ID(Sigmoid) return f("mlx_sigmoid($0)");
  MLXPP_ID(Degrees) return fl ? "($0 * T(57.295779513082320876798))" : nullptr;
  MLXPP_ID(Radians) return fl ? "($0 * T(0.017453292519943295769237))" : nullptr;
  MLXPP_ID(Erf) return f("mlx_erf($0)");
  MLXPP_ID(ErfInv) return f("mlx_erfinv($0)");
  MLXPP_ID(LogicalNot) return "T($0 == T(0))";
  MLXPP_ID(BitwiseInvert) return bl ? "T($0 == T(0))" : fl ? nullptr : "(~$0)";
  MLXPP_ID(IsNan) return fl ? "T(isnan($0))" : "T(0)";
  MLXPP_ID(IsInf) return fl ? "T(isinf($0))" : "T(0)";
  MLXPP_ID(IsFinite) return fl ? "T(!isinf($0) && !isnan($0))" : "T(1)";
  MLXPP_ID(IsPosInf) return fl ? "T(isinf($0) && $0 > T(0))" : "T(0)";
  MLXPP_ID(IsNegInf) return fl ? "T(isinf($0) && $0 < T(0))" : "T(0)";
  MLXPP_ID(Add) return "($0 + $1)";
  MLXPP_ID(Subtract) return "($0 - $1)";
  MLXPP_ID(Multiply) return "($0 * $1)";
  MLXPP_ID(Divide) return fl ? "($0 / $1)" : nullptr;
  MLXPP_ID(Maximum) return fl ? "mlx_max($0, $1)" : "max($0, $1)";
  MLXPP_ID(Minimum) return fl ? "mlx_min($0, $1)" : "min($0, $1)";
  MLXPP_ID(FloorDivide) return bl ? "T($0 != T(0) && $1 != T(0))" : fl ? "floor($0 / $1)" : "mlx_floordiv($0, $1)";
  MLXPP_ID(Remainder) return fl ? "mlx_rem($0, $1)" : "mlx_irem($0, $1)";
  MLXPP_ID(Power) return fl ? (dbl ? nullptr : "mlx_pow($0, $1)") : "mlx_ipow($0, $1)";
  MLXPP_ID(ArcTan2) return f("mlx_atan2($0, $1)");
  MLXPP_ID(LogAddExp) return f("mlx_logaddexp($0, $1)");
  MLXPP_ID(Equal) return "T($0 == $1)";
  MLXPP_ID(NotEqual) return "T(!($0 == $1))";
  MLXPP_ID(Less) return "T($0 < $1)";
  MLXPP_ID(LessEqual) return "T($0 <= $1)";
  MLXPP_ID(Greater) return "T($0 > $1)";
  MLXPP_ID(GreaterEqual) return "T($0 >= $1)";
  MLXPP_ID(LogicalAnd) return "T($0 != T(0) && $1 != T(0))";
  MLXPP_ID(LogicalOr) return "T($0 != T(0) || $1 != T(0))";
  MLXPP_ID(BitwiseAnd) return fl ? nullptr : "($0 & $1)";
  MLXPP_ID(BitwiseOr) return fl ? nullptr : "($0 | $1)";
  MLXPP_ID(BitwiseXor) return fl ? nullptr : "($0 ^ $1)";
  MLXPP_ID(LeftShift) return fl ? nullptr : "mlx_shl($0, $1)";
  MLXPP_ID(RightShift) return fl ? nullptr : "mlx_shr($0, $1)";
  MLXPP_ID(Select) return "(($0 != T(0)) ? $1 : $2)";
  MLXPP_ID(NanToNum) return fl ? "(isnan($0) ? $1 : (isinf($0) ? ($0 > T(0) ? $2 : $3) : $0))" : "$0";
  MLXPP_ID(IsClose) return fl ? "mlx_isclose($0, $1, $2, $3, $4)" : nullptr;
#undef MLXPP_ID
  return nullptr;
}

/// Replaces $k by args[k] and T by the compute type.
inline std::string expand(const char* pattern, const std::vector<std::string>& args,
                          const ComputeType& c) {
  std::string out;
  for (const char* p = pattern; *p; ++p) {
    if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
      out += args.at(static_cast<size_t>(p[1] - '0'));
      ++p;
    } else if (*p == 'T' && (p == pattern || !std::isalnum(static_cast<unsigned char>(p[-1]))) &&
               !std::isalnum(static_cast<unsigned char>(p[1])) && p[1] != '_') {
      out += c.type;
    } else {
      out += *p;
    }
  }
  return out;
}

/// A constant of the compute type, exactly (floats through their bits).
inline std::string constant(double v, const ComputeType& c) {
  char buf[64];
  if (c.kind == Kind::floating && !c.is_double) {
    float f = static_cast<float>(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    std::snprintf(buf, sizeof buf, "uintBitsToFloat(0x%08xu)", bits);
  } else if (c.is_double) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    std::snprintf(buf, sizeof buf, "packDouble2x32(uvec2(0x%08xu, 0x%08xu))",
                  static_cast<uint32_t>(bits), static_cast<uint32_t>(bits >> 32));
  } else if (c.kind == Kind::unsigned_int) {
    std::snprintf(buf, sizeof buf, "%s(%lluul)", c.type,
                  static_cast<unsigned long long>(static_cast<uint64_t>(v)));
  } else {
    std::snprintf(buf, sizeof buf, "%s(%lldl)", c.type, static_cast<long long>(v));
  }
  return buf;
}

/// The body of a program: statements computing `<prefix><i>` for every instruction, with inputs
/// read through `input(k)` (an expression of input k's stored value) and `truth(k)`.
/// Returns false when some instruction has no GPU spelling.
struct EmbedConstants {
  std::string operator()(int) const { return {}; }
};

/// `constant(i)` may return the GLSL for instruction i's constant (a push-constant slot);
/// an empty string embeds the value in the source.
template <class InputExpr, class ConstantExpr = EmbedConstants>
bool program_body(const core::detail::ProgramDesc& p, const ComputeType& c,
                  const std::vector<Dtype>& in_dtypes, InputExpr input, std::string& out,
                  ConstantExpr constant_expr = {}, const std::string& prefix = "v") {
  using core::detail::ProgramInstr;
  // Inputs read as a where's condition are tested for non-zero in their own type.
  std::vector<bool> as_truth(p.code.size(), false);
  for (auto& ins : p.code)
    if (ins.op == functors::functor_id_v<functors::Select> && p.code[ins.args[0]].op == ProgramInstr::input)
      as_truth[static_cast<size_t>(ins.args[0])] = true;
  for (size_t i = 0; i < p.code.size(); ++i) {
    auto& ins = p.code[i];
    std::string v = prefix + std::to_string(i), e;
    if (ins.op == ProgramInstr::input) {
      int k = ins.args[0];
      Dtype d = in_dtypes.at(static_cast<size_t>(k));
      if (as_truth[i])
        e = std::string(c.type) + "(" + input(k) + " != " + storage_type(d) + "(0))";
      else
        e = load_as(input(k), d, c);
    } else if (ins.op == ProgramInstr::constant) {
      e = constant_expr(static_cast<int>(i));
      if (e.empty()) e = constant(ins.value, c);
    } else {
      const char* pat = functor_spelling(ins.op, c);
      if (!pat) return false;
      std::vector<std::string> args;
      for (int a : ins.args)
        if (a >= 0) args.push_back(prefix + std::to_string(a));
      e = expand(pat, args, c);
      if (c.wrap) {
        char buf[1024];
        std::snprintf(buf, sizeof buf, c.wrap, e.c_str());
        e = buf;
      }
    }
    out += "    " + std::string(c.type) + " " + v + " = " + e + ";\n";
  }
  return true;
}

/// The extensions and declarations every generated kernel starts with.
inline std::string preamble(int local_size) {
  return "#version 450\n"
         "#extension GL_EXT_buffer_reference : require\n"
         "#extension GL_EXT_shader_explicit_arithmetic_types : require\n"
         "#extension GL_EXT_shader_16bit_storage : require\n"
         "#extension GL_EXT_shader_8bit_storage : require\n"
         "layout(local_size_x = " + std::to_string(local_size) + ") in;\n";
}

/// Declares buffer-reference type `name` holding elements of dtype d.
inline std::string buffer_type(const std::string& name, Dtype d, bool readonly) {
  const char* type = storage_type(d);
  return "layout(buffer_reference, std430, buffer_reference_align = " +
         std::to_string(size_of(d)) + ") " +
         (readonly ? "readonly " : "") + "buffer " + name + " { " + type + " v[]; };\n";
}

}  // namespace mlx::core::gpu::glsl

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes docs/api-coverage.md: which public names of MLX's C++ headers ours declare.

MLX's names are plain lists in docs/mlx_api/<header>.txt (one name per line, '#' comments).
Our names are found by scanning the headers under include/mlx: function declarations and
definitions at namespace scope, uses of the op-defining MLXPP_* macros, and `using`
declarations, each in the namespace it appears in (mlx::core, mlx::core::random, ...).
Standard library only.  Usage: python3 scripts/api_coverage.py [--rev REV] [--check]
[--self-test]
(--rev: read the headers as committed at git revision REV instead of the working tree, so
that files other people have not committed yet do not count; --check: exit 1 when the page
on disk differs from what would be written; --self-test: check the scanner on a snippet).
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = os.path.join(ROOT, "include", "mlx")
LISTS = os.path.join(ROOT, "docs", "mlx_api")
PAGE = os.path.join(ROOT, "docs", "api-coverage.md")
COMMAND = "python3 scripts/api_coverage.py"

# MLX header -> (name list, namespace our declarations must be in)
HEADERS = [
    ("ops.h", "ops.txt", "mlx::core"),
    ("random.h", "random.txt", "mlx::core::random"),
    ("linalg.h", "linalg.txt", "mlx::core::linalg"),
    ("fft.h", "fft.txt", "mlx::core::fft"),
    ("einsum.h", "einsum.txt", "mlx::core"),
    ("transforms.h", "transforms.txt", "mlx::core"),
    ("compile.h", "compile.txt", "mlx::core"),
    ("fast.h", "fast.txt", "mlx::core::fast"),
]

# Why a name is left out, where that is a decision rather than work not done yet. Keys are
# "header:name" or "header:*" (a whole header). Anything missing without an entry here is
# reported as "not yet implemented".
REASONS = {
    "ops.h:sparse_matmul_csr": "not in scope yet: a sparse (CSR) format and kernel; MLX declares it without MLX_API, outside its exported API",
    "fast.h:metal_kernel": "user Metal source: Apple GPUs only; our GPU path is Vulkan (GLSL compiled through libshaderc)",
    "fast.h:cuda_kernel": "user CUDA source: NVIDIA only; our GPU path is Vulkan",
    "fast.h:precompiled_cuda_kernel": "user CUDA binaries: NVIDIA only; our GPU path is Vulkan",
    "fast.h:fused_rms_silu": "not yet implemented (new in MLX; rms_norm followed by silu composes it)",
    "ops.h:qqmm": "needs the nvfp4 and mxfp8 quantization modes (only affine exists here; docs/quantization.md)",
}

KEYWORDS = {
    "if", "for", "while", "switch", "return", "sizeof", "alignof", "alignas", "decltype",
    "noexcept", "requires", "static_assert", "defined", "operator", "new", "delete", "throw",
    "catch", "explicit", "constexpr", "consteval", "typeid", "co_await", "co_return",
}


def read_list(path):
    names = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                names.append(line)
    return sorted(set(names))


def strip_comments_and_strings(text):
    """The text with comments removed and string/char literals emptied (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == 'R' and text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            i = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""')
        elif c in "\"'":
            # a ' between digits is a C++14 digit separator, not a character literal
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(c)
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_preprocessor(text):
    """(code without preprocessor lines, {macro name: (params, body)})."""
    macros, code_lines = {}, []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            full = line
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1] + "\n" + lines[i]
            m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)\(([^)]*)\)(.*)", full, re.S)
            if m:
                params = [p.strip() for p in m.group(2).split(",")]
                macros[m.group(1)] = (params, m.group(3))
            code_lines.append("")
        else:
            code_lines.append(line)
        i += 1
    return "\n".join(code_lines), macros


def op_macros(all_macros):
    """Macros that define a function named by their first argument (MLXPP_UNARY_OP(fn, F))."""
    found = set()
    for name, (params, body) in all_macros.items():
        if params and re.fullmatch(r"[A-Za-z_]\w*", params[0]):
            if re.search(r"(?<![\w:.>])" + re.escape(params[0]) + r"\s*\(", body) and \
                    not re.search(r"operator\s*" + re.escape(params[0]), body):
                found.add(name)
    return found


def matching(text, i, open_c, close_c):
    """Index just past the bracket that closes the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_c:
            depth += 1
        elif text[j] == close_c:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def function_name(head):
    """The function a namespace-scope statement head declares, or None."""
    head = head.strip()
    if not head or re.match(r"(using|typedef|struct|class|union|enum|namespace|static_assert|"
                            r"extern\s+template|friend)\b", head):
        return None
    head = re.sub(r"^template\s*<", "<", head)
    depth_angle = 0
    i = 0
    while i < len(head):
        c = head[i]
        if c == "(":
            m = re.search(r"([A-Za-z_]\w*)\s*$", head[:i])
            name = m.group(1) if m else None
            if name and name not in KEYWORDS and not re.search(r"operator\s*\S*\s*$", head[:i]):
                before = head[:m.start()].rstrip()
                # a variable initialised by a call ("auto x = f(...)") is not a function
                if "=" in re.sub(r"<[^<>]*>", "", before).replace("==", ""):
                    return None
                if before.endswith("::") or before.endswith("."):
                    return None  # an out-of-line member definition or a call
                return name
            i = matching(head, i, "(", ")")
            continue
        i += 1
    return None


def scan_header(text, op_macro_names):
    """{namespace: set(names)} declared in one header (already stripped)."""
    code, _ = split_preprocessor(text)
    found = {}
    stack = []  # one entry per open brace: a namespace path or None

    def current_ns():
        if any(s is None for s in stack):
            return None
        parts = []
        for s in stack:
            parts.extend(s)
        return "::".join(parts)

    def add(name):
        ns = current_ns()
        if ns is not None and name:
            found.setdefault(ns, set()).add(name)

    i, n, start = 0, len(code), 0
    while i < n:
        c = code[i]
        m = re.compile(r"MLXPP_[A-Z0-9_]+").match(code, i) if c == "M" else None
        if m and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
            j = m.end()
            while j < n and code[j] in " \t\n":
                j += 1
            if j < n and code[j] == "(":
                end = matching(code, j, "(", ")")
                if m.group(0) in op_macro_names and current_ns() is not None:
                    arg = re.match(r"\s*([A-Za-z_]\w*)", code[j + 1:end])
                    if arg:
                        add(arg.group(1))
                # a macro use ends a statement when it stands alone (no ';' follows)
                if code[start:i].strip() == "":
                    start = end
                i = end
                continue
        if c == "{":
            head = code[start:i]
            ns = re.search(r"(?:^|[;}\s])(inline\s+)?namespace\s*([\w:]*)\s*$", head)
            if ns and head[:ns.start()].strip() == "":
                stack.append(ns.group(2).split("::") if ns.group(2) else ["(anonymous)"])
                start = i + 1
                i += 1
                continue
            if re.search(r"\bextern\s+\"\"\s*$", head):
                stack.append([])
                start = i + 1
                i += 1
                continue
            name = function_name(head)
            if name:
                add(name)
            end = matching(code, i, "{", "}")
            # skip the body: classes, function bodies and initialisers say nothing here
            # ("struct S {...} s;" leaves " s" as the next head: not a function)
            i = start = end
            continue
        if c == "}":
            if stack:
                stack.pop()
            start = i + 1
        elif c == ";":
            head = code[start:i]
            u = re.match(r"\s*using\s+(?!namespace\b)(?:typename\s+)?([\w:]+::)?(\w+)\s*$", head)
            if u and u.group(1):
                add(u.group(2))  # using ns::name; brings name into this namespace
            elif not re.match(r"\s*using\b", head):
                name = function_name(head)
                if name:
                    add(name)
            start = i + 1
        i += 1
    return found


def header_texts(rev=None):
    """{path: stripped text} of every header under include/mlx (at git revision rev)."""
    texts = {}
    if rev is None:
        for dirpath, _, files in os.walk(INCLUDE):
            for f in sorted(files):
                if f.endswith((".hpp", ".h")):
                    path = os.path.join(dirpath, f)
                    with open(path, encoding="utf-8") as fh:
                        texts[path] = strip_comments_and_strings(fh.read())
        return texts
    git = ["git", "-C", ROOT]
    files = subprocess.run(git + ["ls-tree", "-r", "--name-only", rev, "include/mlx"],
                           check=True, capture_output=True, text=True).stdout.split()
    for path in files:
        if path.endswith((".hpp", ".h")):
            text = subprocess.run(git + ["show", f"{rev}:{path}"], check=True,
                                  capture_output=True, text=True).stdout
            texts[path] = strip_comments_and_strings(text)
    return texts


def our_names(rev=None):
    """{namespace: set(names)} over every header under include/mlx."""
    texts = header_texts(rev)
    macros = {}
    for t in texts.values():
        macros.update(split_preprocessor(t)[1])
    op_macro_names = op_macros(macros)
    names = {}
    for t in texts.values():
        for ns, s in scan_header(t, op_macro_names).items():
            names.setdefault(ns, set()).update(s)
    return names


def reason(header, name):
    return REASONS.get(f"{header}:{name}") or REASONS.get(f"{header}:*") or "not yet implemented"


def list_source(path):
    with open(path, encoding="utf-8") as f:
        first = f.readline().strip()
    return first.lstrip("# ").strip() if first.startswith("#") else ""


def render(rev=None):
    ours = our_names(rev)
    command = COMMAND + (f" --rev {rev}" if rev else "")
    if rev:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", rev], check=True,
                                capture_output=True, text=True).stdout.strip()
        where = f"`include/mlx/` as committed at `{rev}` ({commit})"
    else:
        where = "`include/mlx/` (working tree)"
    lines = [
        "# MLX C++ API coverage",
        "",
        f"Generated by `{command}`, from the name lists in `docs/mlx_api/` and the headers",
        f"under {where}; do not edit by hand.",
        "",
        "A name counts as present when one of our headers declares a function of that name (or",
        "a `using` declaration or an op-defining `MLXPP_*` macro names it) in the namespace MLX",
        "puts it in. Overloads and signatures are not compared here: the tests check those.",
        "",
        "| MLX header | namespace | names | present | coverage |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    sections = []
    total_names = total_have = 0
    for header, listfile, ns in HEADERS:
        path = os.path.join(LISTS, listfile)
        names = read_list(path)
        have = [x for x in names if x in ours.get(ns, set())]
        missing = [x for x in names if x not in ours.get(ns, set())]
        pct = 100.0 * len(have) / len(names) if names else 100.0
        total_names += len(names)
        total_have += len(have)
        lines.append(f"| `{header}` | `{ns}` | {len(names)} | {len(have)} | {pct:.1f} % |")
        sec = [f"## `{header}`", "", f"Source: {list_source(path)}", ""]
        if missing:
            sec.append(f"Missing ({len(missing)}):")
            sec.append("")
            for x in missing:
                sec.append(f"- `{x}`: {reason(header, x)}")
        else:
            sec.append("All names present.")
        sec.append("")
        sections.append(sec)
    pct = 100.0 * total_have / total_names if total_names else 100.0
    lines.append(f"| all | | {total_names} | {total_have} | {pct:.1f} % |")
    lines.append("")
    for sec in sections:
        lines.extend(sec)
    return "\n".join(lines)


SELF_TEST_SOURCE = r"""
#define MLXPP_MAKE_OP(fn, F) inline array fn(const array& a) { return F(a); }
#define MLXPP_MAKE_OPERATOR(sym, fn) inline array operator sym(const array& a) { return fn(a); }
namespace mlx::core {
namespace detail {
inline int hidden(int x) { return x; }
}  // namespace detail
/// doc with fake(  and "a string with nope(" inside
template <class A>
  requires(sizeof(A) > 0)
auto where_like(A&& a, StreamOrDevice s = {}) -> decltype(a) { return a; }
MLXPP_MAKE_OP(made, identity)
MLXPP_MAKE_OPERATOR(+, made)
inline array declared(const array& a, StreamOrDevice s = {});
struct Thing {
  int member(int) const;
};
inline constexpr int constant = compute(3);
inline array operator-(const array& a);
std::pair<array, array> pair_op(const array& a) { return {a, a}; }
namespace random {
using core::detail::hidden;
inline array sample(const Shape& shape) { return zeros(shape); }
}  // namespace random
}  // namespace mlx::core
namespace other { inline void elsewhere() {} }
"""


def self_test():
    text = strip_comments_and_strings(SELF_TEST_SOURCE)
    code, macros = split_preprocessor(text)
    got = scan_header(text, op_macros(macros))
    want = {
        "mlx::core": {"where_like", "made", "declared", "pair_op"},
        "mlx::core::detail": {"hidden"},
        "mlx::core::random": {"hidden", "sample"},
        "other": {"elsewhere"},
    }
    if got != want:
        print(f"self-test failed:\n got  {sorted((k, sorted(v)) for k, v in got.items())}\n"
              f" want {sorted((k, sorted(v)) for k, v in want.items())}", file=sys.stderr)
        return 1
    print("self-test passed")
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    rev = None
    if "--rev" in argv:
        k = argv.index("--rev")
        if k + 1 >= len(argv):
            print("--rev needs a git revision", file=sys.stderr)
            return 2
        rev = argv[k + 1]
    page = render(rev)
    if "--check" in argv:
        try:
            with open(PAGE, encoding="utf-8") as f:
                old = f.read()
        except OSError:
            old = ""
        # the commit a --rev page names moves with every commit: compare the rest
        def body(t):
            return [x for x in t.split("\n") if "as committed at" not in x]
        if body(old) != body(page):
            print(f"{os.path.relpath(PAGE, ROOT)} is out of date: run {COMMAND}"
                  + (f" --rev {rev}" if rev else ""), file=sys.stderr)
            return 1
        return 0
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(page)
    print(f"wrote {os.path.relpath(PAGE, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

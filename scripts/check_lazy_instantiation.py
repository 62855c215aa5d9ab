#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that including <mlx/mlx.hpp> compiles no kernel (docs/compile-time.md).

Every op and primitive is a template so that a translation unit instantiates only the
kernels it calls. One non-template function that builds a node (or an op whose return type
is deduced, called in a template's body) silently brings back every kernel it reaches, and
with them GCC's devirtualisation analysis of all of them (46-50 s for a hello world before
this check existed). This script copies include/ to a temporary directory, makes every
primitive's eval_cpu fail to instantiate, and compiles a file that includes the umbrella
header and does nothing. Any error names a primitive some header instantiates eagerly.

Usage: scripts/check_lazy_instantiation.py [compiler]   (default: $CXX or g++)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROBE = ('static_assert(sizeof(*this) == 0, '
         '"mlxpp-lazy-probe: instantiated by including the headers");')


def poison(include_dir):
    """Makes every eval_cpu body fail to compile once instantiated. `*this` is dependent in
    a class template, so a template primitive fails only if something instantiates it; a
    non-template primitive (always compiled, hence never lazy) fails at once."""
    count = 0
    for dirpath, _, files in os.walk(os.path.join(include_dir, "mlx")):
        for name in files:
            if not name.endswith(".hpp"):
                continue
            path = os.path.join(dirpath, name)
            text = open(path).read()
            new, n = re.subn(r"(void eval_cpu\([^)]*\) override \{)", r"\1 " + PROBE, text)
            if n:
                count += n
                open(path, "w").write(new)
    return count


def main():
    cxx = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CXX", "g++")
    with tempfile.TemporaryDirectory() as tmp:
        inc = os.path.join(tmp, "include")
        shutil.copytree(os.path.join(ROOT, "include"), inc)
        n = poison(inc)
        if n < 40:
            print(f"FAIL: only {n} eval_cpu bodies found to probe; the script needs updating")
            return 1
        src = os.path.join(tmp, "empty_main.cpp")
        open(src, "w").write("#include <mlx/mlx.hpp>\nint main() { return 0; }\n")
        cmd = [cxx, "-std=c++20", "-fsyntax-only", "-I", inc, src]
        r = subprocess.run(cmd, capture_output=True, text=True)
        hits = sorted(set(re.findall(r"In instantiation of [^\n]*?(\w+(?:<[^\n]*?>)?)::eval_cpu",
                                     r.stderr)))
        if r.returncode != 0:
            probe_errors = r.stderr.count("mlxpp-lazy-probe")
            if probe_errors:
                print(f"FAIL: including <mlx/mlx.hpp> instantiates {probe_errors} kernel(s):")
                for h in hits:
                    print("  ", h)
                print("Make the op or helper that builds these nodes a template "
                      "(template <class = void>), and spell the return types of ops that "
                      "return expressions (docs/compile-time.md).")
            else:
                print("FAIL: the probed headers do not compile:\n" + r.stderr[-4000:])
            return 1
        print(f"OK: {n} kernels probed; including <mlx/mlx.hpp> instantiates none of them")
        return 0


if __name__ == "__main__":
    sys.exit(main())

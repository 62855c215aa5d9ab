#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every public header compiles on its own (CTest `headers_self_contained`).

For each include/mlx/**/*.hpp (and mlx/mlx.h), a translation unit holding only `#include <that header>`
(twice, to check the include guard) is compiled with -fsyntax-only. A header that relies
on something its includer happened to include first fails here, not in a user's build.
Headers of optional backends are skipped when their dependency is not configured.

Usage: scripts/check_headers.py [compiler] [-j N] [-D...]   (default: $CXX or g++, -j 2)
"""
import concurrent.futures
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Headers that need a backend's SDK; checked only when that backend is switched on.
OPTIONAL = {"mlx/backend/vulkan/": "MLXPP_WITH_VULKAN=1"}


def main(argv):
    cxx = os.environ.get("CXX", "g++")
    jobs, defines, rest = 2, [], list(argv)
    while rest:
        a = rest.pop(0)
        if a == "-j":
            jobs = int(rest.pop(0))
        elif a.startswith("-D"):
            defines.append(a)
        else:
            cxx = a
    include = os.path.join(ROOT, "include")
    headers = sorted(os.path.relpath(h, include)
                     for h in glob.glob(os.path.join(include, "mlx/**/*.hpp"), recursive=True)
                     + glob.glob(os.path.join(include, "mlx/*.h")))
    headers = [h for h in headers
               if not any(h.startswith(p) and f"-D{d}" not in defines for p, d in OPTIONAL.items())]
    with tempfile.TemporaryDirectory() as tmp:
        def check(header):
            src = os.path.join(tmp, header.replace("/", "_") + ".cpp")
            with open(src, "w") as f:
                f.write(f"#include <{header}>\n#include <{header}>\n")
            cmd = [cxx, "-std=c++20", "-march=native", "-fsyntax-only", "-I", include,
                   *defines, src]
            r = subprocess.run(cmd, capture_output=True, text=True)
            return header, r.returncode, r.stderr

        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(check, headers))
    failed = [(h, err) for h, rc, err in results if rc != 0]
    for h, err in failed:
        print(f"FAIL: <{h}> does not compile on its own:\n{err[:2000]}")
    print(f"{len(headers) - len(failed)} of {len(headers)} headers compile on their own")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

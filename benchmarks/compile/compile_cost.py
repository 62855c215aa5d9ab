#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile time and peak compiler memory of typical translation units (docs/compile-time.md).

Usage: benchmarks/compile/compile_cost.py [--cxx g++] [--repeat 2] [--headers] [--full-build]
  --headers     also time each public header alone (an empty main after one #include)
  --full-build  also time a clean Release build of the whole test suite (-j2; ~10 min here)

Prints a markdown table: the best of --repeat runs of `<cxx> -std=c++20 -O2 -march=native
-c file.cpp` for each file, with GNU time's elapsed seconds and maximum resident set size.
The machine is shared and noisy: the load average is printed with the table.
"""
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAMS = {
    "`#include <mlx/mlx.hpp>`, empty main": "#include <mlx/mlx.hpp>\nint main() { return 0; }\n",
    "hello world: print `ones({3}) + ones({3})`": (
        "#include <iostream>\n#include <mlx/mlx.hpp>\n"
        "int main() { auto a = mlx::core::ones({3}); std::cout << a + a << '\\n'; }\n"),
    "hello world that also sorts": (
        "#include <iostream>\n#include <mlx/mlx.hpp>\nnamespace mx = mlx::core;\n"
        "int main() { mx::array a = mx::arange(12.0f);\n"
        "  std::cout << mx::sort(mx::reshape(a, {3, 4}), 1) << '\\n'; }\n"),
}
FILES = {
    "examples/quickstart.cpp": "examples/quickstart.cpp",
    "one test file: tests/ops/sort_test.cpp": "tests/ops/sort_test.cpp",
}


def flags():
    return ["-std=c++20", "-O2", "-march=native", "-I", os.path.join(ROOT, "include"),
            "-I", os.path.join(ROOT, "tests"), "-DMLXPP_WITH_OPENBLAS=1"]


def measure(cxx, path, repeat):
    """(seconds, peak MiB) of the best run compiling `path` to an object file."""
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out = os.path.join(tmp, "time.txt")
            cmd = ["/usr/bin/time", "-f", "%e %M", "-o", out, cxx, *flags(), "-c", path,
                   "-o", os.path.join(tmp, "x.o")]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"compiling {path} failed:\n{r.stderr[-3000:]}")
            secs, kib = open(out).read().split()[-2:]
            run = (float(secs), int(kib) / 1024)
            best = run if best is None or run[0] < best[0] else best
    return best


def full_build():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["cmake", "-S", ROOT, "-B", tmp, "-DCMAKE_BUILD_TYPE=Release",
                        "-DMLXPP_BUILD_BENCHMARKS=OFF", "-DMLXPP_BUILD_EXAMPLES=OFF"],
                       check=True, capture_output=True)
        out = os.path.join(tmp, "time.txt")
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out, "cmake", "--build", tmp,
                        "-j2"], check=True, capture_output=True)
        secs, kib = open(out).read().split()[-2:]
        return float(secs), int(kib) / 1024


def main(argv):
    cxx = argv[argv.index("--cxx") + 1] if "--cxx" in argv else os.environ.get("CXX", "g++")
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, text in PROGRAMS.items():
            path = os.path.join(tmp, f"p{len(rows)}.cpp")
            open(path, "w").write(text)
            rows.append((label, *measure(cxx, path, repeat)))
        for label, rel in FILES.items():
            rows.append((label, *measure(cxx, os.path.join(ROOT, rel), repeat)))
        if "--headers" in argv:
            for h in sorted(glob.glob(os.path.join(ROOT, "include/mlx/**/*.hpp"), recursive=True)):
                rel = os.path.relpath(h, os.path.join(ROOT, "include"))
                path = os.path.join(tmp, "h.cpp")
                open(path, "w").write(f"#include <{rel}>\nint main() {{ return 0; }}\n")
                rows.append((f"`<{rel}>` alone", *measure(cxx, path, 1)))
    if "--full-build" in argv:
        rows.append(("whole test build (`cmake --build -j2`, Release)", *full_build()))
    print(f"load average {os.getloadavg()[0]:.2f}; {cxx} -std=c++20 -O2 -march=native; "
          f"best of {repeat}\n")
    print("| translation unit | seconds | peak MiB |\n| --- | ---: | ---: |")
    for label, secs, mib in rows:
        print(f"| {label} | {secs:.1f} | {mib:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

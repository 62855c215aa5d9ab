#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pastes the code of docs/snippets/*.cpp and the output of their programs into the pages.

A page (README.md, docs/*.md) marks what is generated; everything up to the end marker is
replaced:

    <!-- snippet: lazy#fuse -->          region "fuse" of docs/snippets/lazy.cpp
    <!-- snippet: lazy -->               the whole file, without its header comment
    <!-- snippet: tests/buildsystem/find_package/CMakeLists.txt#find_package -->
                                         a region of any file of the repository
    <!-- snippet-output: lazy -->        what the program lazy printed
    <!-- /snippet -->

A region lies between two lines `//! [name]` (`#! [name]` in CMake and shell files); a name
may mark several parts, which are joined (each dedented on its own). Marker lines never
appear in the pages.

    scripts/docs_snippets.py --bin-dir <build>/docs/snippets          # update the pages
    scripts/docs_snippets.py --bin-dir <build>/docs/snippets --check  # fail if one is stale

--bin-dir holds the built snippet programs (CMake target docs_snippets): each is run, must
exit with 0, and its output is what is pasted. Without --bin-dir only code is pasted or
checked. --check also fails when a snippet program is shown on no page.
"""
import argparse
import difflib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "docs" / "snippets"
BLOCK = re.compile(r"(<!-- snippet(-output)?: (\S+) -->\n)(.*?)(<!-- /snippet -->)", re.S)
REGION = re.compile(r"^\s*(?://|#)! \[([\w.-]+)\]\s*$")


def pages():
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def language(path):
    if path.suffix in (".cpp", ".hpp", ".h"):
        return "cpp"
    if path.name == "CMakeLists.txt" or path.suffix == ".cmake":
        return "cmake"
    return "sh" if path.suffix == ".sh" else ""


def source_of(ref):
    """The file a marker names: a snippet name, or a path relative to the repository."""
    name, _, region = ref.partition("#")
    path = ROOT / name if "/" in name else SNIPPETS / f"{name}.cpp"
    if not path.is_file():
        raise SystemExit(f"docs_snippets: {ref}: no file {path.relative_to(ROOT)}")
    return path, region


def dedent(lines):
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents, default=0)
    return [l[cut:] if l.strip() else "" for l in lines]


def code(ref):
    path, region = source_of(ref)
    lines = path.read_text().splitlines()
    if not region:
        # The whole file, without its header comment (SPDX line + purpose) and markers.
        comment = "//" if language(path) == "cpp" else "#"
        while lines and (lines[0].startswith(comment) or not lines[0].strip()):
            lines.pop(0)
        body = [l for l in lines if not REGION.match(l)]
    else:
        parts, inside = [], False
        for line in lines:
            m = REGION.match(line)
            if m:
                if m.group(1) == region:
                    inside = not inside
                    if inside:
                        parts.append([])
                continue
            if inside:
                parts[-1].append(line)
        if not parts or inside:
            raise SystemExit(f"docs_snippets: {ref}: region [{region}] is "
                             f"{'not closed' if inside else 'missing'} in {path.relative_to(ROOT)}")
        body = [line for part in parts for line in dedent(part)]  # each part dedented alone
    while body and not body[-1].strip():
        body.pop()
    return f"```{language(path)}\n" + "\n".join(body) + "\n```\n"


def run(bin_dir, name):
    exe = Path(bin_dir) / name
    if not exe.is_file():
        raise SystemExit(f"docs_snippets: no program {exe} (build the target docs_snippets)")
    with tempfile.TemporaryDirectory() as cwd:
        p = subprocess.run([str(exe)], cwd=cwd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise SystemExit(f"docs_snippets: {name} exited with {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", help="folder with the built snippet programs")
    ap.add_argument("--check", action="store_true", help="change nothing; fail if a page is stale")
    args = ap.parse_args()

    outputs = {}
    if args.bin_dir:  # every program runs, shown or not
        for cpp in sorted(SNIPPETS.glob("*.cpp")):
            outputs[cpp.stem] = run(args.bin_dir, cpp.stem)

    stale, used = [], set()
    for page in pages():
        text = page.read_text()

        def paste(m):
            head, is_output, ref, old, tail = m.groups()
            if is_output:
                used.add(ref)
                if ref not in outputs:
                    if args.bin_dir:
                        raise SystemExit(f"docs_snippets: {page.name}: no snippet program {ref}")
                    return m.group(0)  # no programs given: leave outputs as they are
                new = "```text\n" + outputs[ref].rstrip("\n") + "\n```\n"
            else:
                used.add(ref.partition("#")[0])
                new = code(ref)
            return head + new + tail

        new_text = BLOCK.sub(paste, text)
        if new_text == text:
            continue
        rel = page.relative_to(ROOT)
        stale.append(str(rel))
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), new_text.splitlines(True), f"{rel} (now)", f"{rel} (pasted)"))
        else:
            page.write_text(new_text)
            print(f"docs_snippets: updated {rel}")

    unused = sorted(p.stem for p in SNIPPETS.glob("*.cpp") if p.stem not in used)
    if unused:
        print(f"docs_snippets: snippets no page shows: {', '.join(unused)}")
    if args.check and (stale or unused):
        if stale:
            print(f"docs_snippets: stale: {', '.join(stale)}; run scripts/docs_snippets.py "
                  f"--bin-dir {args.bin_dir or '<build>/docs/snippets'}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

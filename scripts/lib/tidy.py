#!/usr/bin/python3
"""clang-tidy over the sources under a folder, remembering the files it found clean.

    scripts/lib/tidy.py BUILD_DIR FOLDER [--jobs N] [--cache DIR] [-- EXTRA_ARG...]

Runs clang-tidy (with .clang-tidy of the source tree) on every file of
BUILD_DIR/compile_commands.json under FOLDER, N at a time, and prints the
findings. A file found clean is remembered in the cache (default
~/.cache/tabel/clang-tidy) under a key of everything its result depends on:
clang-tidy's version, .clang-tidy, the extra arguments, the compile command
and the content of the file and of every header it includes (as the last
build recorded them in ninja's deps log), with the source tree's own path
taken out so that another clone of the same tree hits the cache. A file whose key is remembered is not
checked again; a file with findings is never remembered. Exit status: 1 when
any file has findings (or clang-tidy failed), else 0.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys


def object_of(entry):
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    return args[args.index("-o") + 1] if "-o" in args else None


def dependencies(build_dir):
    """Every object's sources and headers, as the compiler reported them (ninja's deps log)."""
    result = subprocess.run(["ninja", "-C", build_dir, "-t", "deps"], capture_output=True, text=True)
    deps, current = {}, None
    for line in result.stdout.splitlines():
        if line and not line[0].isspace():
            current = line.split(":", 1)[0]
            deps[current] = [] if "(VALID)" in line else None
        elif current is not None and line.strip() and deps[current] is not None:
            deps[current].append(line.strip())
    return deps


class Keys:
    """The key of a file's result: what it was checked with and every byte it includes."""

    def __init__(self, build_dir, root, fixed):
        self.build_dir, self.root, self.fixed = build_dir, root, fixed
        self.deps = dependencies(build_dir)
        self.hashes = {}

    def content(self, path, fresh=False):
        path = os.path.normpath(os.path.join(self.build_dir, path))
        if fresh or path not in self.hashes:
            try:
                with open(path, "rb") as f:
                    self.hashes[path] = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                self.hashes[path] = "missing"
        return path.replace(self.root, "<root>") + " " + self.hashes[path]

    def of(self, entry, fresh=False):
        paths = self.deps.get(object_of(entry))
        if not paths:
            return None  # not built yet, or its deps are stale: check it
        digest = hashlib.sha256(self.fixed)
        command = entry.get("command", " ".join(entry.get("arguments", [])))
        digest.update(command.replace(self.root, "<root>").encode())
        for path in paths:
            digest.update(self.content(path, fresh).encode())
        return digest.hexdigest()


def check(entry, build_dir, root, keys, cache, extra):
    key = keys.of(entry)
    marker = os.path.join(cache, key[:2], key) if key else None
    if marker and os.path.exists(marker):
        return entry["file"], True, "", True
    result = subprocess.run(["clang-tidy", "-p", build_dir, "--quiet"] + [f"-extra-arg={a}" for a in extra] +
                            [entry["file"]], capture_output=True, text=True)
    output = result.stdout + result.stderr
    clean = result.returncode == 0 and "warning:" not in output and "error:" not in output
    # Remembered only if nothing it reads changed while it was checked.
    if clean and marker and keys.of(entry, fresh=True) == key:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "w") as f:
            f.write(entry["file"].replace(root, "<root>") + "\n")
    return entry["file"], clean, output, False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir")
    parser.add_argument("folder")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/tabel/clang-tidy"))
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.extra = argv[split + 1:]  # after "--": passed to clang-tidy's compiler

    build_dir = os.path.abspath(args.build_dir)
    folder = os.path.abspath(args.folder)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        entries = [e for e in json.load(f) if os.path.abspath(e["file"]).startswith(folder + os.sep)]
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True, text=True).stdout
    with open(os.path.join(root, ".clang-tidy"), "rb") as f:
        fixed = version.encode() + f.read() + json.dumps(args.extra).encode()

    failed, cached = [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        keys = Keys(build_dir, root, fixed)
        jobs = [pool.submit(check, e, build_dir, root, keys, args.cache, args.extra) for e in entries]
        for job in concurrent.futures.as_completed(jobs):
            path, clean, output, hit = job.result()
            cached += hit
            if not clean:
                failed.append(path)
                sys.stdout.write(output)
    print(f"clang-tidy: {len(entries)} files, {cached} unchanged since found clean, "
          f"{len(failed)} with findings", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

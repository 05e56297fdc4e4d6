"""Run every notebook alone, as a reader would: each copied into an empty folder, executed by
nbval in quick mode with whatever Python runs this script (and its installed course package).

    python .ci/notebooks_alone.py [--jobs 2] [--cell-timeout 300] [NOTEBOOK ...]

Prints one line per notebook (pass/FAIL, seconds) and closes with "N passed, M failed";
exits 1 if any failed, with the tail of its pytest output.
"""
import argparse
import concurrent.futures
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run_alone(notebook, cell_timeout):
    """Copy ``notebook`` into a new empty folder and run nbval there; -> (ok, seconds, output)."""
    with tempfile.TemporaryDirectory(prefix="alone-") as folder:
        shutil.copy(notebook, folder)
        env = {**os.environ, "ATTENTION_COURSE_QUICK": "1", "MPLBACKEND": "Agg"}
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
             "--nbval-current-env", f"--nbval-cell-timeout={cell_timeout}", notebook.name],
            cwd=folder, env=env, capture_output=True, text=True)
        return result.returncode == 0, time.perf_counter() - start, result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cell-timeout", type=int, default=300)
    args = parser.parse_args()
    # the later chapters first: their notebooks take longest, and the short ones of Chapters 1
    # and 2 then fill the two workers' last minutes instead of one long notebook running alone
    notebooks = args.notebooks or sorted((ROOT / "chapters").rglob("[0-9]*.ipynb"),
                                         key=lambda nb: (-int(nb.parent.name[:2]), nb.name))
    failed = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        runs = {pool.submit(run_alone, nb.resolve(), args.cell_timeout): nb for nb in notebooks}
        for future in concurrent.futures.as_completed(runs):
            ok, seconds, output = future.result()
            name = runs[future].resolve().relative_to(ROOT) if runs[future].resolve().is_relative_to(ROOT) \
                else runs[future]
            print(f"{'pass' if ok else 'FAIL'}  {seconds:5.0f} s  {name}", flush=True)
            if not ok:
                failed.append((name, output))
    for name, output in failed:
        print(f"\n---- {name} ----\n{output[-3000:]}")
    print(f"notebooks alone: {len(notebooks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

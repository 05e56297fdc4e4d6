"""pytest setup for the whole repository: unit tests, notebooks (nbval) and the book build.

Notebooks run in quick mode: the kernels nbval starts inherit this environment.
"""
import os

os.environ["ATTENTION_COURSE_QUICK"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore_glob = ["_build/*", "**/_build/*", ".venv/*"]

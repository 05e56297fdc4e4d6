"""pytest setup for the whole repository: unit tests, notebooks (nbval) and the book build.

Notebooks run in quick mode: the kernels nbval starts inherit this environment.
"""
import os

os.environ["ATTENTION_COURSE_QUICK"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore_glob = ["_build/*", "**/_build/*", ".venv/*"]

import shutil  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = os.environ.get("COURSE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's ``chromium`` package), driven by Playwright. Every launch
    gets a fresh, temporary profile (Playwright's own --user-data-dir). Without Chromium or
    Playwright the browser tests are skipped, unless COURSE_BROWSER_TESTS=required (CI's
    pinned job sets it), where they fail."""
    try:
        from playwright.sync_api import sync_playwright
        missing = None if CHROMIUM else "no Chromium: apt-get install chromium (or set COURSE_CHROMIUM)"
    except ImportError:
        missing = "no Playwright: pip install -r requirements.txt"
    if missing:
        if os.environ.get("COURSE_BROWSER_TESTS") == "required":
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def offline(page):
    """Refuse every request that would leave the machine (it then fails as a missing asset)."""
    import re
    page.route(re.compile(r"^(?!http://127\.0\.0\.1)(?!data:)(?!about:)"), lambda route: route.abort())
    return page

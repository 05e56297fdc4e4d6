"""The book: a strict build, then every page opened in a real browser.

One build serves every test here: ``jupyter-book build -W --keep-going`` (zero warnings) with
one change to ``_config.yml``, for this build only: MathJax is served from a local copy (the
``django-static-mathjax`` package, MathJax 3.2.2) instead of the CDN, so the pages typeset
offline. The published book keeps the CDN. The built site is served on 127.0.0.1 and every
page is opened in headless Chromium (Debian's ``chromium``, driven by Playwright); a request
that leaves the machine is refused and counts as a missing asset.

Screenshots and a report of what each check took go to ``_build/browser/``.
"""
import html.parser
import http.server
import json
import pathlib
import re
import subprocess
import sys
import threading
import time
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import numpy as np
import pytest
import yaml
from conftest import offline
from test_layout import CHAPTERS, NOT_YET

from attention_course.book import section

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "_build" / "browser"
MATHJAX = "mathjax/static/mathjax/es5"                 # inside the django-static-mathjax package
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
SCREENSHOT_PAGE = "chapters/02_dot_product_attention/01_attention_by_hand.html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO = urlparse(CONFIG["repository"]["url"]).path.strip("/")
COLAB = re.compile(rf"^https://colab\.research\.google\.com/github/{re.escape(REPO)}/blob/"
                   rf"{CONFIG['repository']['branch']}/(.+\.ipynb)$")
# MyST syntax that rendered as text: a directive fence, any {name} (a role or a directive), or
# a directive's option line
RAW = re.compile(r"```\{|:::\{|\{[a-z][\w:-]*\}|^\s*:(label|class|name|width|align):", re.MULTILINE)
# TeX that MathJax never saw: $...$ or a backslash command in the text outside math and code
UNPARSED_MATH = re.compile(r"\$[^$\s][^$\n]*\$|\\(frac|alpha|sum|mathrm|text|sqrt|begin)\b")


class _Site(http.server.SimpleHTTPRequestHandler):
    """The built book at /, the local MathJax copy at /_mathjax/."""

    def translate_path(self, path):
        path = urlparse(path).path
        if path.startswith("/_mathjax/"):
            return str(self.server.mathjax / unquote(path[len("/_mathjax/"):]))
        return str(self.server.html / unquote(path.lstrip("/")))

    def log_message(self, *args):
        pass


def _mathjax_dir():
    import importlib.util
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("the local MathJax copy is missing: pip install -r requirements.txt (django-static-mathjax)")
    return pathlib.Path(list(spec.submodule_search_locations)[0]).parent / MATHJAX


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the book (local MathJax) and serve it: yields (base URL, html dir, build result, seconds)."""
    tmp = tmp_path_factory.mktemp("book")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.mathjax, server.html = _mathjax_dir(), tmp / "_build" / "html"
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    config = dict(CONFIG)
    # MathJax from the local copy; an undefined macro is an error (noundefined would draw it in red)
    config["sphinx"] = {**CONFIG["sphinx"], "config": {**CONFIG["sphinx"]["config"],
                                                        "mathjax_path": base + "_mathjax/tex-mml-chtml.js",
                                                        "mathjax3_config": {"tex": {"packages": {"[-]": ["noundefined"]}}}}}
    (tmp / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    result = subprocess.run([str(jupyter_book), "build", str(ROOT), "-W", "--keep-going", "--config",
                             str(tmp / "_config.yml"), "--path-output", str(tmp)],
                            capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - start
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base, server.html, result, seconds
    server.shutdown()


def test_book_builds_without_warnings(site):
    _, html, result, _ = site
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for page in ["index.html", "intro.html", "glossary.html", "references.html",
                 "chapters/01_rnn_seq2seq/02_encoder_decoder.html"]:
        assert (html / page).exists(), page


REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE)


def _pages(html):
    """Every page of the book; a redirect (the root index.html) must point at one."""
    skip = {"_static", "_sources", "_images"}
    pages = sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html") if not skip & set(p.relative_to(html).parts))
    for page in list(pages):
        if match := REDIRECT.match((html / page).read_text(encoding="utf-8")):
            assert match.group(1) in pages, f"{page} redirects to a missing page, {match.group(1)}"
            pages.remove(page)
    return pages


# One pass over the rendered page, after MathJax and the fonts have finished: what each check needs.
INSPECT = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  await document.fonts.ready;
  // open what is folded (hidden code cells, solutions, dropdowns): folded content is checked too
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const box = article.getBoundingClientRect(), pad = getComputedStyle(article);
  const column = {left: box.left + parseFloat(pad.paddingLeft), right: box.right - parseFloat(pad.paddingRight)};
  column.width = column.right - column.left;            // the text column: the article's content box
  const skip = 'pre, code, script, style, .highlight, mjx-container, .math, .attention-explorer';
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT,
    {acceptNode: n => n.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const text = [];
  while (walker.nextNode()) text.push(walker.currentNode.nodeValue);
  const label = e => (e.id ? '#' + e.id + ' ' : '') + e.tagName.toLowerCase() + ' ' +
                     (e.textContent || e.getAttribute('src') || '').trim().replace(/\\s+/g, ' ').slice(0, 70);
  const wide = [], scrolling = [];
  for (const e of article.querySelectorAll('mjx-container[display="true"], .cell_output > .output, ' +
                                           '.cell_output img, article img, article table, .attention-explorer')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;                       // not displayed (e.g. a print-only copy)
    const inner = e.matches('mjx-container') ? e.querySelector('mjx-math') || e : e;
    const content = Math.max(inner.scrollWidth, inner.getBoundingClientRect().width);
    if (r.right > column.right + 1 || r.left < column.left - 1 || content > column.width + 1)
      wide.push(label(e) + ` (${Math.round(content)} px in a ${Math.round(column.width)} px column)`);
  }
  // formulas cut off: a formula (or a box around it) with overflow hidden and content past its
  // edge, which no reader can see; a formula that scrolls must show a cue (course-math.css's shadows)
  const clippedMath = [], uncuedMath = [];
  for (const m of article.querySelectorAll('span.math, div.math')) {
    if (!m.getBoundingClientRect().width) continue;
    let right = Math.max(...Array.from(m.querySelectorAll('mjx-math'), x => x.getBoundingClientRect().right),
                         m.getBoundingClientRect().right);     // where the formula ends on screen
    for (let e = m.querySelector('mjx-container') || m; e && e !== article.parentElement; e = e.parentElement) {
      const s = getComputedStyle(e), edge = e.getBoundingClientRect().right;
      if (['auto', 'scroll'].includes(s.overflowX)) {
        if (m.contains(e) && e.scrollWidth > e.clientWidth + 1 && s.backgroundImage === 'none')
          uncuedMath.push(label(m) + ` (scrolls ${e.scrollWidth - e.clientWidth} px with no cue)`);
        right = Math.min(right, edge);                          // past its edge: reached by scrolling
      } else if (['hidden', 'clip'].includes(s.overflowX) && right > edge + 1) {
        clippedMath.push(label(m) + ` (${Math.round(right - edge)} px cut off)`);
        break;
      }
    }
  }
  // text outputs (logs, printed tables, the package's source) keep their lines and scroll
  // inside their box, as in Jupyter: listed in the report, not failed
  for (const e of article.querySelectorAll('.cell_output pre'))
    if (e.scrollWidth > e.clientWidth + 1) scrolling.push(label(e));
  // figures: shown at the CSS size they were drawn for (no shrinking), and never distorted
  const scaled = [], distorted = [];
  for (const i of article.querySelectorAll('.cell_output img')) {
    const r = i.getBoundingClientRect();
    if (!r.width || !i.naturalWidth) continue;
    const css = parseFloat(i.style.width) || parseFloat(i.getAttribute('width')) || i.naturalWidth;
    // inside a solution or other box the column is narrower (about 605 px): not checked yet
    if (Math.abs(r.width - css) > 1 && !i.closest('.admonition, details'))
      scaled.push(label(i) + ` (${Math.round(r.width)} px shown, drawn for ${Math.round(css)} px)`);
    if (Math.abs(r.height / r.width - i.naturalHeight / i.naturalWidth) > 0.02)
      distorted.push(label(i) + ` (${Math.round(r.width)} x ${Math.round(r.height)} shown)`);
  }
  return {
    scaled: scaled,
    distorted: distorted,
    ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
    links: Array.from(article.querySelectorAll('a[href]'), a => a.href)
               .concat(Array.from(document.querySelectorAll('nav a[href], .bd-sidebar a[href]'), a => a.href)),
    colab: Array.from(document.querySelectorAll('a[href*="colab.research.google.com"]'), a => a.href),
    text: text.join('\\n'),
    mathErrors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'), label),
    untypeset: Array.from(document.querySelectorAll('.math'), e => e).filter(e => !e.querySelector('mjx-container')).map(label),
    mathjax: !!(window.MathJax && MathJax.startup),
    wide: wide,
    scrolling: scrolling,
    clippedMath: clippedMath,
    uncuedMath: uncuedMath,
    icons: Array.from(document.querySelectorAll('link[rel~="icon"]'), l => l.href),
    brokenImages: Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.src),
    explorers: document.querySelectorAll('.attention-explorer').length,
  };
}"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def browsed(site, browser):
    """Every page, opened once: {page: what INSPECT found, plus failed requests and script errors}."""
    base, html, result, build_seconds = site
    assert result.returncode == 0, "the book did not build"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found, seconds = {"_chromium": browser.version}, {"build": build_seconds}
    page = offline(browser.new_page(viewport=DESKTOP))
    problems, aborted = {"requests": [], "errors": []}, set()

    def failed(request):
        if "ERR_ABORTED" in (request.failure or ""):    # cancelled by the next navigation: fetched again below
            aborted.add(request.url)
        else:
            problems["requests"].append(f"{request.url} ({request.failure})")
    page.on("requestfailed", failed)
    page.on("response", lambda r: r.status >= 400 and problems["requests"].append(f"{r.url} (HTTP {r.status})"))
    page.on("pageerror", lambda e: problems["errors"].append(str(e)))
    icons = {}                                      # a page's icon, fetched once (Chromium's own request is not seen)
    start = time.perf_counter()
    for name in _pages(html):
        problems["requests"], problems["errors"] = [], []
        opened = time.perf_counter()
        page.goto(base + name, wait_until="load")
        inspected = page.evaluate(INSPECT)
        for icon in inspected["icons"] or [urljoin(base, "/favicon.ico")]:   # no <link rel=icon>: the browser asks for /favicon.ico
            if icon not in icons:
                icons[icon] = page.request.get(icon).status
            if icons[icon] >= 400:
                problems["requests"].append(f"{icon} (HTTP {icons[icon]}, the page's icon)")
        found[name] = {**inspected, "requests": list(problems["requests"]),
                       "errors": list(problems["errors"]), "seconds": time.perf_counter() - opened}
    found["_aborted"] = [f"{url} (HTTP {status})" for url in sorted(aborted)
                         if (status := page.request.get(url).status) >= 400]
    seconds["open and inspect every page"] = time.perf_counter() - start

    start = time.perf_counter()
    phone = offline(browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True))
    found["_sideways"], found["_phone"] = {}, {}
    for name in [n for n in found if not n.startswith("_")]:                # every page, at phone width too
        phone.goto(base + name, wait_until="load")
        phone.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise }")
        found["_sideways"][name] = phone.evaluate(SIDEWAYS)
        if name == SCREENSHOT_PAGE:
            phone.screenshot(path=str(ARTIFACTS / "chapter-phone.png"))
        inspected = phone.evaluate(INSPECT)
        found["_phone"][name] = {key: inspected[key] for key in ["clippedMath", "uncuedMath", "distorted"]}
    page.goto(base + SCREENSHOT_PAGE, wait_until="load")
    page.evaluate("async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise }")
    page.screenshot(path=str(ARTIFACTS / "chapter-desktop.png"))
    seconds["phone width and screenshots"] = time.perf_counter() - start
    page.close()
    phone.close()
    found["_seconds"] = seconds
    return found


def _pages_of(browsed):
    return {page: found for page, found in browsed.items() if not page.startswith("_")}


def _fail_on(browsed, key, what):
    bad = {page: found[key] for page, found in _pages_of(browsed).items() if found[key]}
    assert not bad, f"{what}:\n" + "\n".join(f"  {page}: {items[:5]}" for page, items in bad.items())


def test_every_asset_loads_and_no_script_fails(browsed):
    _fail_on(browsed, "requests", "missing assets (failed or refused requests)")
    assert not browsed["_aborted"], f"missing assets: {browsed['_aborted']}"
    _fail_on(browsed, "brokenImages", "images that did not load")
    _fail_on(browsed, "errors", "JavaScript errors")


def test_internal_links_and_anchors_resolve(browsed, site):
    base = site[0]
    ids = {page: set(found["ids"]) for page, found in _pages_of(browsed).items()}
    broken = set()
    for page, found in _pages_of(browsed).items():
        for link in found["links"]:
            if not link.startswith(base):
                continue
            target, anchor = urldefrag(link[len(base):])
            target = unquote(target) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if target in ids:
                if anchor and unquote(anchor) not in ids[target]:
                    broken.add(f"{page} -> {target}#{anchor} (no such anchor)")
            elif not (site[1] / target).exists():
                broken.add(f"{page} -> {target} (no such page or file)")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(broken)[:20])


def test_no_directive_or_role_shows_as_raw_text(browsed):
    raw = {page: RAW.search(found["text"]).group(0) for page, found in _pages_of(browsed).items()
           if RAW.search(found["text"])}
    assert not raw, f"MyST syntax shown as text: {raw}"


def test_every_formula_is_typeset(browsed):
    _fail_on(browsed, "mathErrors", "MathJax errors (an undefined macro is one)")
    _fail_on(browsed, "untypeset", "formulas MathJax did not typeset")
    unparsed = {page: UNPARSED_MATH.search(found["text"]).group(0) for page, found in _pages_of(browsed).items()
                if UNPARSED_MATH.search(found["text"])}
    assert not unparsed, f"TeX shown as text (math MyST did not recognise): {unparsed}"
    without = [page for page, found in _pages_of(browsed).items() if found["untypeset"] and not found["mathjax"]]
    assert not without, f"pages with math but no MathJax: {without}"


def test_no_formula_is_cut_off(browsed):
    """On every page, at 1280 px and at phone width (390 px): no formula is cut off by a box
    with overflow hidden (the theme's span.math, where a long inline formula lost its end on a
    phone), and one that scrolls shows the shadow that says so (_static/course-math.css)."""
    report = []
    for key, what in [("clippedMath", "formulas cut off"), ("uncuedMath", "formulas that scroll without a cue")]:
        for width, pages in [("1280 px", _pages_of(browsed)), ("a phone, 390 px", browsed["_phone"])]:
            bad = {page: found[key] for page, found in pages.items() if found[key]}
            if bad:
                report.append(f"{what} on {width}:\n" + "\n".join(f"  {page}: {items[:5]}" for page, items in bad.items()))
    assert not report, "\n".join(report)


def test_the_menus_open_on_a_phone_and_the_sidebar_collapses_on_a_wide_screen(site, browser):
    """At 390 and 800 px the ☰ button opens the chapter list and "On this page" the page's
    sections (pydata-sphinx-theme 0.17.1 binds both to a hidden copy of the button; the book's
    _static/course-menus.js passes the clicks on); at 1280 px the same button collapses the
    sidebar and brings it back. Screenshots of the open menus go to _build/browser/."""
    base, errors = site[0], []
    chapters = sorted({f.split("/")[1] for f in _toc_files_all() if f.startswith("chapters/")})
    for width in [390, 800]:
        page = offline(browser.new_page(viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True,
                                        device_scale_factor=2))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + SCREENSHOT_PAGE, wait_until="load")
        sections = page.eval_on_selector_all("article section[id] > h2", "hs => hs.map(h => h.parentElement.id)")
        for toggle, dialog, name in [(".primary-toggle", "#pst-primary-sidebar-modal", "menu"),
                                     (".secondary-toggle", "#pst-secondary-sidebar-modal", "on-this-page")]:
            button = page.locator(toggle).locator("visible=true")
            assert button.count() == 1, f"{width} px: {button.count()} visible {toggle} buttons"
            button.tap()
            page.wait_for_timeout(300)
            assert page.eval_on_selector(dialog, "d => d.open"), f"{width} px: {toggle} opened nothing"
            shown = page.eval_on_selector_all(dialog + " a[href]", """as => as.filter(a => {
                const r = a.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth + 1 &&
                       getComputedStyle(a).visibility === 'visible'}).map(a => a.href)""")
            if name == "menu":
                missing = [c for c in chapters if not any(c in href for href in shown)]
                assert not missing, f"{width} px: the chapter list shows no link to {missing}"
            else:
                anchors = {href.split("#")[1] for href in shown if "#" in href}
                assert sections and set(sections) <= anchors, f"{width} px: On this page lacks {set(sections) - anchors}"
            if width == 390:
                page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"))
            page.keyboard.press("Escape")
            assert not page.eval_on_selector(dialog, "d => d.open"), f"{width} px: Escape left {dialog} open"
        page.close()
    page = offline(browser.new_page(viewport=DESKTOP))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + SCREENSHOT_PAGE, wait_until="load")
    shown = "() => { const s = document.querySelector('#pst-primary-sidebar'); " \
            "return getComputedStyle(s).visibility === 'visible' && s.getBoundingClientRect().right > 0 }"
    assert page.evaluate(shown), "the sidebar is not shown at 1280 px"
    button = page.locator(".primary-toggle").locator("visible=true")
    for expected in [False, True]:
        button.click()
        page.wait_for_function(shown if expected else f"() => !({shown})()", timeout=3000)
        assert not page.eval_on_selector("#pst-primary-sidebar-modal", "d => d.open"), "1280 px: a dialog opened"
    page.close()
    assert not errors, errors


def _toc_files_all():
    from test_notebooks import _toc_files
    return _toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))


def test_nothing_is_wider_than_the_text_column(browsed):
    """Equations, figures, tables, explorers and output boxes fit the column; a text output
    whose lines are longer scrolls inside its box (report.json lists them)."""
    _fail_on(browsed, "wide", "equations, outputs or figures wider than the text column (1280 px window)")
    sideways = {page: px for page, px in browsed["_sideways"].items() if px > 1}
    assert not sideways, f"pages that scroll sideways on a phone (390 px), by px: {sideways}"


LAYOUT_PAGES = tuple(f"chapters/{c}_" for c in CHAPTERS)             # test_layout's pages
LAYOUT_NOT_YET = tuple(p.removesuffix(".ipynb") for p in NOT_YET)     # and those not fitted yet


def test_figures_show_at_the_size_they_were_drawn(browsed):
    """Chapters 1-3: each output image shows at its CSS width on a desktop (drawn for the
    column, not shrunk into it) and keeps its shape on a phone."""
    fitted = lambda p: p.startswith(LAYOUT_PAGES) and not p.startswith(LAYOUT_NOT_YET)
    bad = {p: f["scaled"] for p, f in _pages_of(browsed).items() if fitted(p) and f["scaled"]}
    bad.update({f"{p} (phone)": f["distorted"] for p, f in browsed["_phone"].items()
                if fitted(p) and f["distorted"]})
    assert not bad, "images scaled or distorted:\n" + "\n".join(f"  {p}: {v[:5]}" for p, v in bad.items())


def _toc_notebooks():
    return [f for f in _toc_files_all() if (ROOT / f"{f}.ipynb").exists()]


def committed_notebooks(root):
    """The notebooks under ``root``/chapters that a reader's Colab link can open: those git
    tracks, or, in a copy without a repository (GitHub's "Download ZIP", an sdist), the files
    on disk: what the copy holds is what was published."""
    root = pathlib.Path(root)
    if (root / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "chapters"], cwd=root, capture_output=True, text=True, check=True)
        return {f for f in listed.stdout.split() if f.endswith(".ipynb")}
    return {p.relative_to(root).as_posix() for p in (root / "chapters").rglob("*.ipynb")
            if ".ipynb_checkpoints" not in p.parts}


def test_committed_notebooks_without_a_repository(tmp_path):
    """From a source archive (no .git) the notebooks on disk count (git ls-files would exit 128)."""
    (tmp_path / "chapters" / "01_x").mkdir(parents=True)
    (tmp_path / "chapters" / "01_x" / "a.ipynb").write_text("{}")
    (tmp_path / "chapters" / "01_x" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "chapters" / "01_x" / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    assert committed_notebooks(tmp_path) == {"chapters/01_x/a.ipynb"}


def test_colab_buttons_open_existing_notebooks_on_main(browsed):
    tracked = committed_notebooks(ROOT)
    notebooks = {f"{f}.html": f"{f}.ipynb" for f in _toc_notebooks()}
    for page, notebook in notebooks.items():
        links = set(browsed[page]["colab"])
        assert len(links) == 1, f"{page}: expected one Colab button, found {sorted(links)}"
        match = COLAB.match(links.pop())
        assert match, f"{page}: the Colab URL is not …/github/{REPO}/blob/main/<path>.ipynb"
        assert match.group(1) == notebook, f"{page}: its Colab button opens {match.group(1)}"
        assert notebook in tracked, f"{notebook} is not committed: its Colab button would open a 404"
    others = [page for page, found in _pages_of(browsed).items() if page not in notebooks and found["colab"]]
    assert not others, f"Colab buttons on pages that are not notebooks: {others}"


EXPLORER_PAGES = ["chapters/03_additive_attention/03_translation.html",
                  "chapters/05_transformer/03_positional_encoding.html"]


def _shown_and_expected(root):
    """The weights an explorer shows on its source tokens (their tooltips) and those its data
    hold for the model, block, head and output token it marks as chosen."""
    data = json.loads(root.locator("script[type='application/json']").text_content())
    pressed = lambda row: root.locator(f".{row} button[aria-pressed='true']")
    model = data["models"][[m["name"] for m in data["models"]].index(pressed("ax-models").inner_text())]
    sentence = model["sentences"][int(root.locator("select").input_value())]
    w = np.asarray(sentence["weights"])                                   # (layers, heads, T, S)
    layer = int(pressed("ax-layers").inner_text()) - 1 if model["layers"] > 1 else 0
    head = pressed("ax-heads").inner_text() if model["heads"] > 1 else "mean"
    w = w[layer].mean(0) if head == "mean" else w[layer][int(head) - 1]
    shown = root.locator(".ax-tok").evaluate_all("ts => ts.map(t => t.style.background ? +t.title : NaN)")
    return np.asarray(shown), w[int(root.get_attribute("data-step"))]


def test_the_attention_explorers_respond_to_clicks(browsed, site, browser):
    """On each explorer: pick the second output token, then every model, and for each model
    every block and head; each time the source tokens must show the weights the explorer's
    data hold for that choice. A screenshot of each goes to _build/browser/."""
    assert set(EXPLORER_PAGES) <= {page for page, found in _pages_of(browsed).items() if found["explorers"]}
    page = offline(browser.new_page(viewport=DESKTOP))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for name in EXPLORER_PAGES:
        page.goto(site[0] + name, wait_until="load")
        explorers = page.locator(".attention-explorer")
        for k in range(explorers.count()):
            root, checked = explorers.nth(k), []

            def check(what):
                shown, expected = _shown_and_expected(root)
                np.testing.assert_allclose(shown, expected, atol=1.5e-3, err_msg=f"{name}: {what}")
                checked.append(what)
            assert root.locator(".ax-out button").count() >= 2, f"{name}: nothing drawn"
            check("as opened")
            root.locator(".ax-out button").nth(1).click()
            assert root.get_attribute("data-step") == "1", f"{name}: the click on an output token did nothing"
            check("output token 2")
            models = root.locator(".ax-models button")
            for m in range(models.count()):
                models.nth(m).click()                           # each click redraws: look buttons up again
                check(f"model {m + 1}")
                for row in ["ax-layers", "ax-heads"]:
                    for i in range(root.locator(f".{row} button").count()):
                        button = root.locator(f".{row} button").nth(i)
                        if not button.is_visible():             # an RNN model: no blocks or heads
                            continue
                        label = button.inner_text()
                        button.click()
                        assert root.locator(f".{row} button").nth(i).get_attribute("aria-pressed") == "true"
                        check(f"model {m + 1}, {row} {label}")
            assert len(checked) >= 2 + models.count()
            root.scroll_into_view_if_needed()
            root.screenshot(path=str(ARTIFACTS / f"explorer-{section(name[:-5] + '.ipynb')}.png"))
    assert not errors, errors
    page.close()


def test_the_attention_explorers_work_from_the_keyboard_and_fit_a_finger(site, browser):
    """On each explorer page at phone width: buttons at least 44 px tall, heatmap cells at least
    24 px; Enter on a button keeps the focus on it, the arrow keys move between the buttons of
    a group and along the output tokens; a tap on a cell prints its weight; under the book's
    dark theme the explorer is not a white box."""
    page = offline(browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    focused = "() => [document.activeElement.textContent, document.activeElement.getAttribute('aria-pressed')]"
    for name in EXPLORER_PAGES:
        page.goto(site[0] + name, wait_until="load")
        root = page.locator(".attention-explorer").first
        small = root.locator("button, select, td.c").evaluate_all("""es => es.filter(e => e.offsetParent).map(e => {
            const r = e.getBoundingClientRect(), cell = e.tagName === 'TD';
            return [e.textContent.slice(0, 15) || e.title, r.height, cell ? Math.min(r.width, r.height) >= 24 : r.height >= 44]
        }).filter(x => !x[2])""")
        assert not small, f"{name}: touch targets too small (buttons 44 px, cells 24 px): {small[:5]}"
        models = root.locator(".ax-models button")
        models.first.focus()
        page.keyboard.press("ArrowRight")
        second = models.nth(1).inner_text()
        assert page.evaluate(focused)[0] == second, f"{name}: ArrowRight did not move to the next model"
        page.keyboard.press("Enter")
        assert page.evaluate(focused) == [second, "true"], f"{name}: Enter dropped the focus ({page.evaluate(focused)})"
        root.locator(".ax-out button").first.focus()
        page.keyboard.press("ArrowRight")
        assert root.get_attribute("data-step") == "1", f"{name}: ArrowRight did not choose the next output token"
        root.locator("td.c").nth(0).tap()
        assert re.search(r": \d\.\d{3}", root.locator(".ax-note").inner_text()), f"{name}: a tap shows no weight"
        assert root.locator(".ax-values").inner_text().startswith("weights of"), f"{name}: no weights as text"
        page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
        background = root.evaluate("e => getComputedStyle(e).backgroundColor")
        r, g, b = (int(x) for x in re.findall(r"\d+", background)[:3])
        assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 80, f"{name}: in dark mode the explorer is {background}"
    assert not errors, errors
    page.close()


class _Tables(html.parser.HTMLParser):
    """Every <table> of an HTML text, as lists of rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(re.sub(r"\\s+", " ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _tables(text):
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def _html_output(path, tag):
    """The table pandas wrote (text/html) in the output of notebook ``path``'s cell ``tag``."""
    nb = json.loads((ROOT / path).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if tag in c["metadata"].get("tags", []))
    out = next(o for o in cell["outputs"] if "text/html" in o.get("data", {}))
    return [row for row in _tables("".join(out["data"]["text/html"]))[0] if row]


def _pm(mean, std):
    return f"{float(mean) * 100:.1f}\u202f±\u202f{float(std) * 100:.1f}"


def test_results_page_shows_what_the_notebooks_printed(site):
    """Results at a glance, cell by cell and in order: the page's tables against the tables
    book.py makes from the notebooks' text outputs; then, where a notebook's cell also wrote
    an HTML table (pandas), each number against that second source, by model and column."""
    from attention_course import book
    page = (site[1] / "results.html").read_text(encoding="utf-8")
    shown = _tables(page)
    names = re.findall(r"\{course-results\} ([\w-]+)", (ROOT / "results.md").read_text())
    expected = [book.TABLES[name](ROOT) for name in names]
    assert len(shown) == len(expected) == len(book.TABLES), "the results page has a table too many or missing"
    plain = lambda cell: re.sub(r"\{doc\}`([\d.]+) <[^>]+>`", r"\1", cell).replace("'", "\u2019")
    for table, (header, rows) in zip(shown, expected):
        assert table == [[plain(c) for c in header]] + [[plain(c) for c in row] for row in rows]
    page_tables = dict(zip(names, shown))
    by_name = lambda table: {re.sub(r" \([\d.]+\)$", "", row[0]) + "|" + re.search(r"\(([\d.]+)\)$", row[0]).group(1): row
                             for row in table[1:]}
    bleu, by_length = by_name(page_tables["bleu"]), by_name(page_tables["bleu-by-length"])
    for path in book.TRANSLATION:
        where = book.section(path)
        for model, greedy, beam in _html_output(path, "results-bleu")[1:]:     # after the header
            assert bleu[f"{model}|{where}"][2:4] == [greedy.replace(" ", "\u202f"), beam.replace(" ", "\u202f")], (path, model)
        head, *rows = _html_output(path, "results-bleu-by-length")
        models = head[1:]                      # the pandas header: "", "n", then one column per model
        for j, row in enumerate(rows[1:] if rows[0][0] == "bucket" else rows):
            for model, value in zip(models[1:], row[2:]):
                assert by_length[f"{model}|{where}"][1 + j] == value, (path, model, row[0])
    positions = {row[0].split(" (")[0]: row[1:] for row in page_tables["positions"][1:]}
    for name, va, vs, tm, ts in [r for r in _html_output(book.POSITIONS, "results-positions") if len(r) == 5 and r[0] not in ("", "positions")]:
        assert positions[name.replace("None", "none")] == [_pm(va, vs), _pm(tm, ts)], name
    bahdanau = [row[3] for row in page_tables["reversal"][1:]]
    reversal = [r for r in _html_output(book.REVERSAL["Bahdanau"], "results-reversal") if re.match(r"\d+-\d+$", r[0])]
    assert bahdanau == [_pm(r[3], r[4]) for r in reversal]
    links = set(re.findall(r'href="([^"#]+)', page))
    for header, rows in expected:
        for cell in header + [row[0] for row in rows]:
            if target := re.search(r"<(chapters/[^>]+)>`", cell):
                assert target.group(1) + ".html" in links, target.group(1)


def test_importing_the_package_prints_no_tensorflow_notices():
    """A reader's `jupyter execute` shows what the book shows: importing attention_course (the
    first import of every notebook) prints none of TensorFlow's start-up notices on stderr
    ("Could not find cuda drivers…", which TF_CPP_MIN_LOG_LEVEL alone does not stop)."""
    import os
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", "import attention_course, keras; print('ok')"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
    assert result.stderr == "", f"notices on stderr:\n{result.stderr[-2000:]}"


def test_screenshots_and_timings_are_saved(browsed):
    for name in ["chapter-desktop.png", "chapter-phone.png"]:
        assert (ARTIFACTS / name).stat().st_size > 10_000, name
    pages = {page: round(found["seconds"], 2) for page, found in _pages_of(browsed).items()}
    scrolling = {page: found["scrolling"] for page, found in _pages_of(browsed).items() if found["scrolling"]}
    (ARTIFACTS / "report.json").write_text(json.dumps({
        "chromium": browsed["_chromium"], "pages": len(pages),
        "seconds": {k: round(v, 1) for k, v in browsed["_seconds"].items()}, "seconds per page": pages,
        "text outputs that scroll sideways": scrolling}, indent=1, ensure_ascii=False))

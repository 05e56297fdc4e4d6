"""The glossary: every term has an English name, a Korean name and a one-line definition, is
linked where each chapter first uses it, and keeps one Korean spelling across the book."""
import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ROLE = re.compile(r"\{term\}`([^`<]*?)\s*(?:<([^>`]+)>)?`")
# not prose: code, math, roles and their targets, link addresses, headings, HTML tags
PROTECTED = re.compile(r"(?s:```.*?```)|(?s:\$\$.*?\$\$)|\{\w+(?::\w+)?\}`[^`]*`|`[^`\n]*`|\$[^$\n]+\$"
                       r"|\]\([^)]*\)|^#.*$|<[^>\n]+>|^:\w+:.*$", re.M)
# everyday words with an attention sense: a mention counts only next to another of them
# ("the query and each key"), not a random "value"; a chapter must link them, not at once
EVERYDAY = {"key", "value", "query"}


def glossary():
    """[(english, korean, definition)] from glossary.md's {glossary} block."""
    block = (ROOT / "glossary.md").read_text(encoding="utf-8").split("```{glossary}")[1].split("```")[0]
    entries, lines = [], block.strip("\n").split("\n")
    for i, line in enumerate(lines):
        if line and not line.startswith(" ") and (i == 0 or not lines[i - 1].strip()):
            body = [l for l in lines[i + 1:] if l.strip()][:2]
            entries.append((line.strip(), body[0].strip(), body[1].strip() if len(body) > 1 else ""))
    return entries


def chapters():
    """{chapter folder: [(page, prose)]}: each page's Markdown (a notebook's Markdown cells), in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    out = {}
    for chapter in toc["parts"][0]["chapters"]:
        pages = []
        for name in [chapter["file"]] + [s["file"] for s in chapter.get("sections", [])]:
            md, nb = ROOT / f"{name}.md", ROOT / f"{name}.ipynb"
            text = md.read_text(encoding="utf-8") if md.exists() else "\n\n".join(
                "".join(c["source"]) for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                if c["cell_type"] == "markdown")
            pages.append((name, text))
        out[chapter["file"].split("/")[1]] = pages
    return out


def mention(term):
    """The term in running text, any case, across a line break, with an optional plural -s/-es."""
    return re.compile(r"(?<![\w-])" + re.escape(term).replace(r"\ ", r"\s+") + r"(?:s|es)?(?![\w-])", re.I)


def plain_mentions(text, term):
    """Start offsets of the term in ``text`` outside code, math, roles, links and headings."""
    blocked = [m.span() for m in PROTECTED.finditer(text)]
    longer = [other for other, _, _ in TERMS if other != term and mention(term).search(other)]
    blocked += [m.span() for other in longer for m in mention(other).finditer(text)]   # "padding" in "padding mask"
    found = [m.start() for m in mention(term).finditer(text) if not any(a <= m.start() < b for a, b in blocked)]
    if term in EVERYDAY:
        others = [m.start() for other in EVERYDAY - {term} for m in mention(other).finditer(text)]
        found = [i for i in found if any(abs(i - j) < 80 for j in others)]
    return found


def links(text):
    """[(offset, glossary term)] for each {term} role."""
    return [(m.start(), (m.group(2) or m.group(1)).strip().lower()) for m in ROLE.finditer(text)]


TERMS = glossary()


def test_every_entry_has_an_english_term_a_korean_term_and_a_one_line_definition():
    assert len(TERMS) >= 60
    for english, korean, definition in TERMS:
        assert not HANGUL.search(english), english
        assert HANGUL.search(korean) or korean.startswith(("BLEU", "KV", "p-", "n-")), (english, korean)
        assert definition and definition.endswith("."), (english, definition)
    for column in (0, 1):
        names = [entry[column].lower() for entry in TERMS]
        assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]


def test_the_glossary_is_in_alphabetical_order():
    names = [english for english, _, _ in TERMS]
    assert names == sorted(names, key=str.lower), "glossary.md: entries out of alphabetical order"


def test_every_link_names_a_glossary_term_and_every_term_is_linked():
    known = {english.lower() for english, _, _ in TERMS}
    used = {term for pages in chapters().values() for _, text in pages for _, term in links(text)}
    assert used <= known, sorted(used - known)
    assert known <= used, f"never linked from a chapter: {sorted(known - used)}"


@pytest.mark.parametrize("chapter", sorted(chapters()))
def test_each_chapter_links_a_term_where_it_first_uses_it(chapter):
    late = []
    text = "\n\n".join(text for _, text in chapters()[chapter])
    for english, _, _ in TERMS:
        plain = plain_mentions(text, english)
        linked = [offset for offset, term in links(text) if term == english.lower()]
        if not plain:
            continue
        if not linked or (english not in EVERYDAY and plain[0] < linked[0]):
            where = text[max(0, plain[0] - 40):plain[0] + 40].replace("\n", " ")
            late.append(f"{english!r}: first used unlinked in '…{where}…'")
    assert not late, f"{chapter}: " + "; ".join(late)


def test_each_korean_term_has_one_spelling_across_the_book():
    """A glossary Korean term written elsewhere with other spacing or hyphens is a second spelling."""
    files = [ROOT / "intro.md", ROOT / "glossary.md", *sorted((ROOT / "chapters").rglob("*.md")),
             *sorted((ROOT / "chapters").rglob("*.ipynb")), *sorted((ROOT / "code").rglob("*.py"))]
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    second = set()
    for _, korean, _ in TERMS:
        spelt = re.sub(r"\s*\(.*?\)", "", korean)                   # without the note in brackets
        letters = [c for c in spelt if not c.isspace() and c not in "-·"]
        loose = re.compile(r"[\s\-·]*".join(map(re.escape, letters)))
        for path, text in texts.items():
            second |= {f"{path.relative_to(ROOT)}: {m!r} (the glossary: {spelt!r})"
                       for m in loose.findall(text) if m != spelt}
    assert not second, sorted(second)

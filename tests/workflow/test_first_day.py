"""A press office's first day, as the README's user section tells it, from an empty folder:
``init``, ``new``, write the original and its translation, ``translated``, ``publish``.

The Portuguese communiqué and page carry no English interface word: every word the packaged
pt_PT catalog translates differently is looked for, in English, in what pdftotext and lxml read.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from lxml import html

from syndicate import i18n
from syndicate.cli import main

NOW = "2026-11-28T00:00:00+00:00"
ID = "2026-11-20-titulo"
PT = """---
title: "Título"
summary: "O Governo anuncia uma medida para a imprensa regional."
place: Lisboa
---

O Governo anunciou hoje uma nova medida de apoio à imprensa regional.
"""
EN = """---
title: "Title"
summary: "The Government announces a measure for the regional press."
place: Lisbon
---

The Government announced today a new measure to support the regional press.
"""


def syndicate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a process of its own, in the project's folder."""
    return subprocess.run([sys.executable, "-m", "syndicate", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def ok(cwd: Path, *args: str) -> str:
    result = syndicate(cwd, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder taken through the README's first day, published once."""
    root = tmp_path_factory.mktemp("office")
    ok(root, "init", "--language", "pt=pt-PT", "--language", "en",
       "--issuer", "pt=Governo de Portugal", "--issuer", "en=Portuguese Government",
       "--timezone", "Europe/Lisbon", "--base-url", "https://imprensa.example.pt/")
    assert not (root / "locales").exists()
    ok(root, "new", "Título", "--lang", "pt", "--date", "2026-11-20")
    folder = root / "statements" / ID
    (folder / "pt.md").write_text(PT, encoding="utf-8")
    (folder / "en.md").write_text(EN, encoding="utf-8")
    shared = folder / "statement.yaml"
    shared.write_text(shared.read_text(encoding="utf-8").replace("draft: true\n", ""),
                      encoding="utf-8")
    ok(root, "translated", ID, "en")
    ok(root, "publish", "--now", NOW)
    return root


def english_words() -> list[tuple[str, str]]:
    """(English msgid, Portuguese msgstr) for every word pt_PT's packaged catalog changes."""
    path = i18n.PACKAGED_LOCALES / "pt_PT" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="pt_PT")
    return [(m.id, m.string) for m in catalog if m.id and m.string and m.string != m.id]


def pattern(message: str, squeezed: bool = False) -> re.Pattern[str]:
    """A msgid as it can appear once filled in (``%(page)s`` is a short run of characters), any
    case; ``squeezed``: with no space (to search a text whose spaces were removed)."""
    parts = [re.escape(re.sub(r"\s+", "", p) if squeezed else p)
             for p in re.split(r"%\(\w+\)s", message)]
    joined = r"\S{1,12}?".join(parts)
    return re.compile(joined if squeezed else rf"\b{joined}\b", re.IGNORECASE)


def pdf_text(path: Path) -> str:
    """The PDF's text with every space removed: pdftotext reads a letter-spaced heading
    ("PRESS RELEASE") as "P R E SS R E L E A S E"."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", "", text)


def page_text(path: Path) -> str:
    """What a reader or a screen reader meets: the text and the labelling attributes."""
    tree = html.parse(str(path))
    labels = tree.xpath("//@aria-label | //@alt | //@title | //@placeholder")
    return " ".join([tree.getroot().text_content(), *map(str, labels)])


def test_the_portuguese_communique_and_page_have_no_english_interface_word(office: Path) -> None:
    words = english_words()
    assert len(words) >= 8  # the catalog is there to compare with
    out = office / "dist" / "pt"
    texts = {
        "PDF": pdf_text(out / ID / f"{ID}-pt.pdf"),
        "page": page_text(out / ID / "index.html"),
        "index": page_text(out / "index.html"),
    }
    assert pattern("Comunicado de imprensa", squeezed=True).search(texts["PDF"])
    assert pattern("Página 1 de 1", squeezed=True).search(texts["PDF"])
    assert "Descarregar PDF" in texts["page"] and "Comunicados" in texts["index"]
    for where, text in texts.items():
        found = [english for english, _ in words
                 if pattern(english, squeezed=where == "PDF").search(text)]
        assert found == [], f"English interface words in the Portuguese {where}: {found}"


def test_the_new_project_passes_check_strict(office: Path) -> None:
    result = syndicate(office, "check", "--strict")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("OK: 1 statement(s), 2 translation(s)")


def test_without_the_packaged_pt_pt_catalog_check_strict_names_the_missing_words(
    office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = english_words()
    packaged = tmp_path / "locales"
    shutil.copytree(i18n.PACKAGED_LOCALES, packaged, ignore=shutil.ignore_patterns("pt_PT"))
    monkeypatch.setattr(i18n, "PACKAGED_LOCALES", packaged)
    result = CliRunner().invoke(main, ["check", "--strict", "--project", str(office)])
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if "pt-PT" in x]
    assert "locales/pt_PT/LC_MESSAGES/messages.po: " in line
    for english, _ in words:
        assert repr(english) in line, english
    assert "--strict makes warnings errors" in result.stderr


def test_git_sees_the_sources_only(office: Path, tmp_path: Path) -> None:
    """init's .gitignore keeps the output and the caches out of version control (git itself
    says which files it would commit)."""
    copy = tmp_path / "office"
    shutil.copytree(office, copy, symlinks=True)
    subprocess.run(["git", "init", "-q", str(copy)], check=True)
    listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=copy,
                            capture_output=True, text=True, check=True).stdout
    assert sorted(line[3:] for line in listed.splitlines()) == [
        ".gitignore", f"statements/{ID}/en.md", f"statements/{ID}/pt.md",
        f"statements/{ID}/statement.yaml", "syndicate.toml",
    ]
    assert (office / "dist" / "manifest.json").is_file()  # there was output to leave out


def test_extract_and_update_in_the_new_project_change_no_word(office: Path, tmp_path: Path) -> None:
    """`i18n extract` + `i18n update` write the project's own catalogs, empty: check stays
    silent (nothing about English either) and the Portuguese words stay the packaged ones."""
    copy = tmp_path / "office"
    shutil.copytree(office, copy, symlinks=True)
    ok(copy, "i18n", "extract")
    ok(copy, "i18n", "update")
    written = copy / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.po"
    assert (copy / "locales" / "en" / "LC_MESSAGES" / "messages.po").is_file()
    result = syndicate(copy, "check", "--strict")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    ok(copy, "i18n", "compile")
    with written.with_suffix(".mo").open("rb") as handle:
        words = gettext.GNUTranslations(handle)
    for english, portuguese in english_words():
        assert words.gettext(english) == portuguese


def test_the_portuguese_share_links_say_how_each_one_shares(office: Path) -> None:
    """A network is shared *on* ("Partilhar no X"), an e-mail or an SMS is sent *by*: each link
    reads as the pt_PT catalog says, and e-mail, not a proper name, is in Portuguese too."""
    tree = html.parse(str(office / "dist" / "pt" / ID / "index.html"))
    links = {a.get("data-platform"): a.text_content().strip()
             for a in tree.xpath("//ul[@class='share-links']//a")}
    assert links["email"] == "Partilhar por e-mail" and links["sms"] == "Partilhar por SMS"
    assert links["x"] == "Partilhar no X" and links["linkedin"] == "Partilhar no LinkedIn"
    labels = [label.text_content() for label in tree.xpath("//p[@class='share-text']/label")]
    assert "E-mail" in labels and "Email" not in labels and "SMS" in labels

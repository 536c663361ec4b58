"""Interface-word catalogs: extracted from the code, shipped in the package for every language it
supports, overridden message by message by a project's own locales/."""

from __future__ import annotations

import gettext
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import html

from conftest import REPO, SHIPPED_ID
from syndicate import catalogs, i18n
from syndicate import publish as pipeline
from syndicate.i18n import PACKAGED_LOCALES, load_translations
from syndicate.keys import keyed_units

SHIPPED = ("ar", "en", "es", "fr", "pt_PT")
PT_PO = "locales/pt_PT/LC_MESSAGES/messages.po"


def override(msgid: str, msgstr: str, flags: str = "") -> str:
    return f'{flags}msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


def test_packaged_template_is_up_to_date(tmp_path: Path) -> None:
    """Every string the templates and code translate is in the package's messages.pot."""
    fresh = catalogs.extract(tmp_path)
    assert fresh.read_bytes() == (PACKAGED_LOCALES / "messages.pot").read_bytes(), (
        "run `syndicate i18n extract --project src/syndicate` and translate the new words in "
        "src/syndicate/locales/"
    )


def test_packaged_catalogs_are_complete() -> None:
    """The package ships every word in every language it supports (read with Babel's reader)."""
    with (PACKAGED_LOCALES / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert "Press release" in wanted and "Page %(page)s of %(pages)s" in wanted
    assert catalogs.packaged_locales() == list(SHIPPED)
    for locale in SHIPPED:
        with (PACKAGED_LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        have = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert wanted <= have, (locale, wanted - have)


def test_the_packaged_catalogs_are_installed_with_the_package() -> None:
    """pyproject's package-data names the catalogs, so `pip install .` installs them."""
    import tomllib

    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["syndicate"]
    package = PACKAGED_LOCALES.parent
    shipped = {p.relative_to(package) for p in PACKAGED_LOCALES.rglob("*.po*")}
    assert shipped and all(any(path.match(pattern) for pattern in patterns)
                           for path in shipped), patterns


def test_a_project_overrides_the_packaged_words_message_by_message(  # type: ignore[no-untyped-def]
    project: Path, run, tmp_path: Path
) -> None:
    """The project's word replaces the packaged one; every other word stays the packaged one; a
    fuzzy override is a warning and stays out of the output."""
    po = project / PT_PO
    text = po.read_text(encoding="utf-8").replace('msgstr "Comunicados"', 'msgstr "Notas"')
    po.write_text(text + override("Download PDF", "Baixar PDF", "#, fuzzy\n"), encoding="utf-8")
    result = run("check", "--project", project)
    assert result.exit_code == 0
    assert "messages.po:" in result.stderr
    assert "warning: fuzzy translation of interface string 'Download PDF'" in result.stderr
    assert run("check", "--strict", "--project", project).exit_code == 1
    out = tmp_path / "out"
    assert (
        run(
            "publish", "--project", project, "--out", out, "--now", "2026-11-28T00:00:00+00:00"
        ).exit_code
        == 0
    )
    page = html.parse(str(out / "pt" / SHIPPED_ID / "index.html"))
    assert page.xpath("string(//p[@class='download'])").strip() == "Descarregar PDF"
    assert page.xpath("string(//h2[@id='share-heading'])") == "Partilhar"  # packaged
    index = html.parse(str(out / "pt" / "index.html"))
    assert index.xpath("string(//h1)") == "Notas"  # the project's


def config_with(project: Path, old: str, new: str) -> None:
    path = project / "syndicate.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_regional_tag_takes_its_base_languages_words(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    """en-GB reads en's catalog, fr-CA fr's: complete, no warning."""
    config_with(project, 'tag = "en"', 'tag = "en-GB"')
    config_with(project, 'tag = "pt-PT"', 'tag = "fr-CA"')
    (project / "locales" / "pt_PT").rename(project / "locales" / "fr_CA")
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    words = load_translations(project / "locales", "fr_CA")
    assert words.gettext("Press release") == "Communiqué de presse"  # the package's fr
    assert words.gettext("Statements") == "Comunicados"  # the project's own, over it


def test_another_regions_words_are_never_taken_silently(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    """pt-BR is not pt-PT: check says which words would be English and that pt_PT is not used;
    --strict fails."""
    config_with(project, 'tag = "pt-PT"', 'tag = "pt-BR"')
    result = run("check", "--project", project)
    assert result.exit_code == 0
    (line,) = [x for x in result.stderr.splitlines() if "pt-BR" in x]
    assert line.startswith(f"{project}/locales/pt_BR/LC_MESSAGES/messages.po: warning: "
                           "no interface words for pt-BR (pt_BR): ")
    for word in ("'Press release'", "'Download PDF'", "'Page %(page)s of %(pages)s'"):
        assert word in line
    assert "(pt-PT's words are not used for pt-BR: if pt-PT is meant, write tag = \"pt-PT\")" \
        in line
    strict = run("check", "--strict", "--project", project)
    assert strict.exit_code == 1 and "Press release" in strict.stderr


def test_a_catalog_missing_some_words_names_each(  # type: ignore[no-untyped-def]
    project: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A packaged catalog that lacks a word, not overridden: a warning naming it."""
    packaged = tmp_path / "packaged"
    shutil.copytree(PACKAGED_LOCALES, packaged)
    po = packaged / "pt_PT" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Partilhar"', '""'), encoding="utf-8")
    monkeypatch.setattr(i18n, "PACKAGED_LOCALES", packaged)
    result = run("check", "--project", project)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{project / PT_PO}: warning: missing translation of interface string 'Share'"
    ]


def test_cache_keys_follow_the_packaged_and_the_projects_words(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word changed in the packaged catalog or in the project's re-renders that language's
    pages and PDFs (their cache keys change), and nothing else's."""
    def keys() -> dict[str, str]:
        loaded = pipeline.load(project)
        return {u.name: u.key for u in keyed_units(loaded, list(loaded.statements))}

    before = keys()
    packaged = tmp_path / "packaged"
    shutil.copytree(PACKAGED_LOCALES, packaged)
    po = packaged / "pt_PT" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Partilhar"', '"Partilhe"'),
                  encoding="utf-8")
    monkeypatch.setattr(i18n, "PACKAGED_LOCALES", packaged)
    packaged_changed = keys()
    po = project / PT_PO
    po.write_text(po.read_text(encoding="utf-8") + override("Share", "Divulgar"),
                  encoding="utf-8")
    project_changed = keys()
    for name in (f"page:{SHIPPED_ID}:pt", f"pdf:{SHIPPED_ID}:pt"):
        assert before[name] != packaged_changed[name] != project_changed[name]
    for name in (f"page:{SHIPPED_ID}:en", f"pdf:{SHIPPED_ID}:en"):
        assert before[name] == packaged_changed[name] == project_changed[name]


def test_i18n_commands_round_trip(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    """extract + update + compile keep the project complete: the new catalogs' empty messages
    keep the packaged words (no English shadowing them, no warning about English)."""
    assert run("i18n", "extract", "--project", project).exit_code == 0
    assert run("i18n", "update", "--project", project).exit_code == 0
    english = project / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as handle:
        written = read_po(handle, locale="en")
    press = written.get("Press release")
    assert press is not None and press.string == ""  # overrides nothing...
    assert press.user_comments == ["packaged: Press release"]  # ...and shows what is used
    with (project / PT_PO).open("rb") as handle:
        portuguese = read_po(handle, locale="pt_PT")
    assert portuguese.get("Statements").string == "Comunicados"  # the example's own, kept
    assert portuguese.get("Share").user_comments == ["packaged: Partilhar"]
    result = run("i18n", "compile", "--project", project)
    assert result.exit_code == 0, result.output
    mo = project / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        words = gettext.GNUTranslations(handle)
    assert words.gettext("Press release") == "Comunicado de imprensa"
    result = run("check", "--strict", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""

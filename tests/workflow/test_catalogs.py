"""Interface-word catalogs: extracted from the code, complete for every shipped language."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from conftest import REPO
from syndicate import catalogs
from syndicate.config import load_site


def test_committed_template_is_up_to_date(tmp_path: Path) -> None:
    """Every string the templates and code translate is in locales/messages.pot."""
    fresh = catalogs.extract(tmp_path)
    assert fresh.read_bytes() == (REPO / "locales" / "messages.pot").read_bytes(), (
        "run `syndicate i18n extract` and `syndicate i18n update`"
    )


def test_catalogs_complete_for_en_and_pt_pt() -> None:
    site = load_site(REPO)
    assert list(catalogs.problems(REPO / "locales", site)) == []
    with (REPO / "locales" / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert "Press release" in wanted and "Page %(page)s of %(pages)s" in wanted
    for locale in ("en", "pt_PT"):
        with (REPO / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        have = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert wanted <= have, wanted - have


def test_check_reports_missing_and_fuzzy(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    po = project / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "Comunicado de imprensa"', 'msgstr ""')
    text = text.replace('msgid "Download PDF"', '#, fuzzy\nmsgid "Download PDF"')
    po.write_text(text, encoding="utf-8")
    result = run("check", "--project", project)
    assert result.exit_code == 0
    assert "messages.po:" in result.stderr
    assert "warning: missing translation of interface string 'Press release'" in result.stderr
    assert "warning: fuzzy translation of interface string 'Download PDF'" in result.stderr
    assert run("check", "--strict", "--project", project).exit_code == 1


def test_fuzzy_words_stay_out_of_the_output(project: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    po = project / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8").replace(
        'msgid "Download PDF"', '#, fuzzy\nmsgid "Download PDF"'
    )
    po.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert (
        run(
            "publish", "--project", project, "--out", out, "--now", "2026-11-28T00:00:00+00:00"
        ).exit_code
        == 0
    )
    page = (out / "pt" / "2022-11-22-vitorino-iom" / "index.html").read_text(encoding="utf-8")
    assert "Descarregar PDF" not in page and "Download PDF" in page


def test_i18n_commands_round_trip(project: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("i18n", "extract", "--project", project).exit_code == 0
    assert run("i18n", "update", "--project", project).exit_code == 0
    result = run("i18n", "compile", "--project", project)
    assert result.exit_code == 0, result.output
    assert (project / "locales" / "pt_PT" / "LC_MESSAGES" / "messages.mo").is_file()
    assert run("check", "--strict", "--project", project).exit_code == 0

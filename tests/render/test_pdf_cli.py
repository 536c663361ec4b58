"""The communiqué options through the command line: `check` rejects images that would escape the
sandbox or lack alt text, `publish` writes the bilingual edition and the previews, takes the PDF
variant, the logo and the page size from the config or the command line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pikepdf
from click.testing import Result

from conftest import SHIPPED_ID, append, write

NOW = "2026-11-28T00:00:00Z"
Run = Callable[..., Result]


def test_check_rejects_embedded_resources_outside_the_statement(
    project: Path, run: Run
) -> None:
    source = project / "statements" / SHIPPED_ID / "pt.md"
    first = append(
        source,
        "\n![Senhas](file:///etc/passwd)\n\n"
        "Um gráfico ![gráfico](../../../syndicate.toml) no texto.\n\n"
        "![mapa](http://127.0.0.1:8000/mapa.png) e ![](https://example.org/x.png)\n\n"
        "Ver o [sítio da OIM](https://www.iom.int/) e ![fotografia](foto.jpg).\n",
    )
    result = run("check", "--project", project)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    where = f"statements/{SHIPPED_ID}/pt.md"
    errors = [line[line.index(where):] for line in result.stderr.splitlines() if where in line]
    assert errors == [
        f"{where}:{first + 1}: image 'file:///etc/passwd' points into the file system; "
        "only files in the statement's folder",
        f"{where}:{first + 3}: image '../../../syndicate.toml' climbs out of the statement's "
        "folder with '..'",
        f"{where}:{first + 5}: image 'http://127.0.0.1:8000/mapa.png' would be fetched from the "
        "network; put the file in the statement's folder and refer to it by name",
        f"{where}:{first + 5}: image 'https://example.org/x.png' has no alt text; describe it "
        "for readers who cannot see it: ![what it shows](...)",
        f"{where}:{first + 5}: image 'https://example.org/x.png' would be fetched from the "
        "network; put the file in the statement's folder and refer to it by name",
        f"{where}:{first + 7}: image 'foto.jpg' is missing: put the file in the statement's "
        "folder",
    ], result.stderr


def test_publish_writes_bilingual_edition_and_previews(project: Path, run: Run) -> None:
    result = run("publish", "--project", project, "--now", NOW, "--pdf-variant", "pdf/ua-1")
    assert result.exit_code == 0, result.output
    dist = project / "dist"
    files = {
        entry["path"]: (entry["kind"], entry["lang"])
        for entry in json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    }
    assert files[f"{SHIPPED_ID}-bilingual.pdf"] == ("pdf", "mul")
    assert files[f"{SHIPPED_ID}-bilingual.png"] == ("png", "mul")
    for lang in ("en", "pt"):
        assert files[f"{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.pdf"] == ("pdf", lang)
        assert files[f"{lang}/{SHIPPED_ID}/{SHIPPED_ID}-{lang}.png"] == ("png", lang)
    for path in (f"pt/{SHIPPED_ID}/{SHIPPED_ID}-pt.pdf", f"{SHIPPED_ID}-bilingual.pdf"):
        with pikepdf.open(dist / path) as pdf, pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
            assert meta.get("pdfaid:part") is None
    source = (project / "statements" / SHIPPED_ID / "pt.md").read_bytes()
    with pikepdf.open(dist / "pt" / SHIPPED_ID / f"{SHIPPED_ID}-pt.pdf") as pdf:
        assert pdf.attachments[f"{SHIPPED_ID}-pt.md"].get_file().read_bytes() == source


def test_config_chooses_variant_page_size_and_logo(project: Path, run: Run) -> None:
    write(
        project / "assets" / "logo.svg",
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#ff0000"/></svg>',
    )
    append(
        project / "syndicate.toml",
        '\n[pdf]\nvariant = "pdf/a-3b"\npage_size = "letter"\nlogo = "assets/logo.svg"\n',
    )
    result = run("publish", "--project", project, "--now", NOW)
    assert result.exit_code == 0, result.output
    data = (project / "dist" / "en" / SHIPPED_ID / f"{SHIPPED_ID}-en.pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_metadata() as meta:
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "B")
        assert [round(float(v)) for v in pdf.pages[0].MediaBox] == [0, 0, 612, 792]
    from PIL import Image

    png = Image.open(project / "dist" / "en" / SHIPPED_ID / f"{SHIPPED_ID}-en.png")
    assert png.size == (480, 621)  # the preview keeps the letter page's proportions
    letterhead = png.convert("RGB").crop((0, 0, 300, 200)).tobytes()  # the top-left corner
    red = sum(letterhead[i:i + 3] == b"\xff\x00\x00" for i in range(0, len(letterhead), 3))
    assert red > 1000  # the logo, drawn in the letterhead


def test_bad_pdf_settings_are_reported_with_their_lines(project: Path, run: Run) -> None:
    first = append(
        project / "syndicate.toml",
        '\n[pdf]\nvariant = "pdf/x"\npage_size = "huge"\nlogo = "../logo.png"\n',
    )
    result = run("check", "--project", project)
    assert result.exit_code == 1, result.output
    assert f"syndicate.toml:{first + 2}: variant must be one of pdf/a-3u" in result.stderr
    assert f"syndicate.toml:{first + 3}: page_size must be a CSS page size" in result.stderr
    assert f"syndicate.toml:{first + 4}: logo must be an .svg file inside" in result.stderr


def test_missing_logo_is_reported(project: Path, run: Run) -> None:
    line = append(project / "syndicate.toml", '\n[pdf]\nlogo = "assets/missing.svg"\n') + 2
    result = run("publish", "--project", project, "--now", NOW)
    assert result.exit_code == 1, result.output
    assert f"syndicate.toml:{line}: cannot read logo 'assets/missing.svg'" in result.stderr
    assert not (project / "dist").exists()


def test_missing_glyph_fails_the_publish_naming_file_and_character(
    project: Path, run: Run
) -> None:
    source = project / "statements" / SHIPPED_ID / "en.md"
    line = append(source, "\nThe motto reads 中 in the original.\n") + 1
    result = run("publish", "--project", project, "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        f"statements/{SHIPPED_ID}/en.md:{line}: character '中' (U+4E2D) is in no installed font"
        in result.stderr
    )

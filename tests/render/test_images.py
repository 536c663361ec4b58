"""Statement images publish: beside the page, in the manifest, in the PDF as tagged figures,
stripped of their metadata, the same bytes every time; `check` refuses what cannot publish.

One publish (twice, into two folders) serves the module; independent readers look at it:
Pillow for the images, pikepdf for the PDFs, lxml for the pages and the SVG, feedparser for
the feeds."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pikepdf
import pytest
from click.testing import CliRunner, Result
from lxml import etree
from lxml import html as lxml_html
from PIL import Image, ImageCms, PngImagePlugin

from conftest import SHIPPED_ID, append, copy_project, png_claiming
from syndicate import publish as pipeline
from syndicate.backends import InProcess
from syndicate.cli import main

NOW = "2026-12-01T12:00:00+00:00"
BASE = "https://press.example.org/"
FOLDER = f"statements/{SHIPPED_ID}"
GPS = 0x8825
ORIENTATION = 0x0112
EN_ALTS = ["A chart of arrivals", "A map of the routes", "A photograph of the meeting",
           "The IOM logo"]
PT_ALT = "Um gráfico das chegadas"
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="60" height="30" onload="alert(1)"><title>IOM</title>'
    b'<script>alert(2)</script>'
    b'<style>@import url(https://evil.example/x.css);</style>'
    b'<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>'
    b'<a href="javascript:alert(3)"><text>link</text></a>'
    b'<use xlink:href="file:///etc/passwd"/><use href="https://evil.example/s.svg#x"/>'
    b'<rect id="r" width="60" height="30" fill="#1f5fa0" onclick="alert(4)"/>'
    b'<use href="#r"/></svg>'
)


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def camera_jpeg() -> bytes:
    """40 x 30, left half red: a camera's photo turned by EXIF (6: rotate 90° clockwise), with
    a GPS position, a maker, a comment."""
    image = Image.new("RGB", (40, 30), (20, 20, 200))
    image.paste((220, 20, 20), (0, 0, 20, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "Secret Camera Co"
    exif[GPS] = {1: "N", 2: (38.0, 42.0, 59.0), 3: "W", 4: (9.0, 8.0, 25.0)}
    return encoded(image, "JPEG", exif=exif.tobytes(), comment=b"taken at home")


def tagged_png() -> bytes:
    """20 x 10 RGBA with text chunks, XMP and an ICC profile."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Secret")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS 38.7</x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(Image.new("RGBA", (20, 10), (0, 128, 0, 200)), "PNG", pnginfo=info,
                   icc_profile=icc)


def gps_webp() -> bytes:
    exif = Image.Exif()
    exif[GPS] = {1: "S", 2: (1.0, 2.0, 3.0)}
    return encoded(Image.new("RGB", (16, 16), (200, 200, 0)), "WEBP", exif=exif.tobytes())


def add_images(project: Path) -> None:
    folder = project / FOLDER
    (folder / "chart.jpg").write_bytes(camera_jpeg())
    (folder / "maps").mkdir()
    (folder / "maps" / "map.png").write_bytes(tagged_png())
    (folder / "photo.webp").write_bytes(gps_webp())
    (folder / "logo.svg").write_bytes(HOSTILE_SVG)
    (folder / "unused.png").write_bytes(tagged_png())  # in the folder, shown nowhere
    append(folder / "en.md", f"\n![{EN_ALTS[0]}](chart.jpg)\n\n![{EN_ALTS[1]}](./maps/map.png) "
                             f"and ![{EN_ALTS[2]}](photo.webp)\n\n![{EN_ALTS[3]}](logo.svg)\n")
    append(folder / "pt.md", f"\n![{PT_ALT}](chart.jpg)\n")


@dataclass(frozen=True)
class Published:
    project: Path
    dist: Path
    again: Path  # the same project published a second time, into another folder


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    project = copy_project(tmp_path_factory.mktemp("images") / "project")
    add_images(project)
    marked = invoke("translated", "--project", project, SHIPPED_ID, "en")
    assert marked.exit_code == 0, marked.output
    check = invoke("check", "--strict", "--project", project)
    assert check.exit_code == 0, check.output
    for out in ("dist", "again"):
        result = invoke("publish", "--project", project, "--now", NOW, "--jobs", "1",
                        "--out", project / out)
        assert result.exit_code == 0, result.output
    return Published(project, project / "dist", project / "again")


IMAGES = {f"{lang}/{SHIPPED_ID}/{name}" for lang, name in [
    ("en", "chart.jpg"), ("en", "maps/map.png"), ("en", "photo.webp"), ("en", "logo.svg"),
    ("pt", "chart.jpg")]}


def manifest(dist: Path) -> list[dict[str, object]]:
    files: list[dict[str, object]] = json.loads((dist / "manifest.json").read_bytes())["files"]
    return files


def test_each_image_shown_is_in_dist_and_in_the_manifest(published: Published) -> None:
    entries = {str(e["path"]): e for e in manifest(published.dist) if e["kind"] == "image"}
    assert set(entries) == IMAGES
    for path, entry in entries.items():
        data = (published.dist / path).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
        assert entry["lang"] == path[:2] and entry["statement"] == SHIPPED_ID
    assert not [p for p in published.dist.rglob("unused*")]
    assert not [e for e in manifest(published.dist) if "unused" in str(e["path"])]


def test_metadata_is_stripped_and_the_orientation_applied(published: Published) -> None:
    folder = published.project / FOLDER
    with Image.open(folder / "chart.jpg") as source:
        assert source.getexif().get_ifd(GPS)  # (what is to go)
    for lang in ("en", "pt"):
        with Image.open(published.dist / lang / SHIPPED_ID / "chart.jpg") as chart:
            assert chart.format == "JPEG"
            assert dict(chart.getexif()) == {}
            assert not chart.getexif().get_ifd(GPS)
            assert "comment" not in chart.info and "icc_profile" not in chart.info
            assert chart.size == (30, 40)  # turned upright: the red half is now on top
            red = chart.convert("RGB").getpixel((15, 5))
            assert isinstance(red, tuple) and red[0] > 150 and red[2] < 100
    with Image.open(published.dist / "en" / SHIPPED_ID / "maps" / "map.png") as map_:
        assert map_.format == "PNG" and map_.size == (20, 10) and map_.mode == "RGBA"
        assert map_.text == {}
        assert not {"icc_profile", "XML:com.adobe.xmp", "Author", "exif"} & set(map_.info)
    with Image.open(published.dist / "en" / SHIPPED_ID / "photo.webp") as photo:
        assert photo.format == "WEBP" and dict(photo.getexif()) == {}
        assert "exif" not in photo.info


def test_images_are_the_same_bytes_in_every_publish(published: Published) -> None:
    for path in IMAGES:
        assert (published.dist / path).read_bytes() == (published.again / path).read_bytes()


def test_svg_loses_scripts_handlers_and_outside_references(published: Published) -> None:
    data = (published.dist / "en" / SHIPPED_ID / "logo.svg").read_bytes()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    names = {etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)}
    assert names == {"svg", "title", "rect", "use"}
    for element in root.iter():
        for attribute, value in element.attrib.items():
            assert not etree.QName(attribute).localname.startswith("on")
            if etree.QName(attribute).localname == "href":
                assert value.startswith("#")
    assert b"alert" not in data and b"evil" not in data and b"passwd" not in data
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "IOM"


def figures(pdf: pikepdf.Pdf) -> Iterator[str]:
    """The /Alt of every /Figure in the structure tree."""
    pending = [pdf.Root.StructTreeRoot]
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary):
            continue
        if element.get("/S") == "/Figure":
            yield str(element.get("/Alt"))
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            pending.extend(reversed(list(kids)))
        elif isinstance(kids, pikepdf.Dictionary):
            pending.append(kids)


def image_sizes(pdf: pikepdf.Pdf) -> list[tuple[int, int]]:
    """The size of each image in the PDF (the pages may share one resource dictionary)."""
    images = {image.objgen: image for page in pdf.pages for image in page.get_images().values()}
    return sorted((int(image.Width), int(image.Height)) for image in images.values())


def test_pdf_shows_each_image_as_a_figure_with_its_alt_text(published: Published) -> None:
    with pikepdf.open(published.dist / "en" / SHIPPED_ID / f"{SHIPPED_ID}-en.pdf") as pdf:
        assert list(figures(pdf)) == EN_ALTS
        assert image_sizes(pdf) == [(16, 16), (20, 10), (30, 40)]  # the SVG is drawn as vectors
    with pikepdf.open(published.dist / "pt" / SHIPPED_ID / f"{SHIPPED_ID}-pt.pdf") as pdf:
        assert list(figures(pdf)) == [PT_ALT]
        assert image_sizes(pdf) == [(30, 40)]
    with pikepdf.open(published.dist / f"{SHIPPED_ID}-bilingual.pdf") as pdf:
        assert sorted(figures(pdf)) == sorted([*EN_ALTS, PT_ALT])
        assert image_sizes(pdf) == [(16, 16), (20, 10), (30, 40), (30, 40)]


def resolves(published: Published, src: str) -> bool:
    assert src.startswith(BASE), src
    return (published.dist / unquote(src.removeprefix(BASE))).is_file()


def test_every_img_src_of_the_pages_resolves(published: Published) -> None:
    for lang, alts in (("en", EN_ALTS), ("pt", [PT_ALT])):
        page = lxml_html.parse(str(published.dist / lang / SHIPPED_ID / "index.html"))
        images = page.getroot().iter("img")
        shown = [(img.get("alt"), img.get("src")) for img in images]
        assert [alt for alt, _ in shown if alt] == alts
        for _, src in shown:
            assert resolves(published, src), src


def feed_htmls(dist: Path, lang: str) -> Iterator[str]:
    for fmt in ("atom", "rss"):
        for entry in feedparser.parse(str(dist / lang / f"feed.{fmt}")).entries:
            for content in entry.get("content", []):
                yield content.value
            yield entry.get("summary", "")
    for item in json.loads((dist / lang / "feed.json").read_bytes())["items"]:
        yield item.get("content_html", "")


def test_every_img_src_of_the_feeds_resolves(published: Published) -> None:
    for lang, alts in (("en", EN_ALTS), ("pt", [PT_ALT])):
        found = []
        for html in feed_htmls(published.dist, lang):
            if "<img" not in html:
                continue
            for img in lxml_html.fromstring(html).iter("img"):
                assert resolves(published, img.get("src")), img.get("src")
                found.append(img.get("alt"))
        assert set(found) == set(alts)


def test_replacing_an_image_renders_again_what_shows_it(published: Published,
                                                        tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(published.project, project, symlinks=True)
    (project / FOLDER / "photo.webp").write_bytes(
        encoded(Image.new("RGB", (8, 8), (0, 0, 0)), "WEBP"))
    now = pipeline.datetime.fromisoformat(NOW)
    report = pipeline.publish(pipeline.load(project, cache=True), project / "dist", now,
                              backend=InProcess())
    assert {f"en/{SHIPPED_ID}/photo.webp", f"en/{SHIPPED_ID}/index.html",
            f"en/{SHIPPED_ID}/{SHIPPED_ID}-en.pdf", f"{SHIPPED_ID}-bilingual.pdf"} <= set(
                report.rendered)
    assert {f"pt/{SHIPPED_ID}/chart.jpg", f"pt/{SHIPPED_ID}/index.html",
            f"pt/{SHIPPED_ID}/{SHIPPED_ID}-pt.pdf", f"en/{SHIPPED_ID}/card.png"} <= set(
                report.reused)
    with Image.open(project / "dist" / "en" / SHIPPED_ID / "photo.webp") as photo:
        assert photo.size == (8, 8)


def test_a_translation_showing_no_image_stays_when_another_shows_none_either(
        published: Published, tmp_path: Path) -> None:
    """What a page or communiqué shows of images is its own language's: the Portuguese, which
    shows none, is taken from the previous version when the English drops its last image."""
    project = tmp_path / "project"
    shutil.copytree(published.project, project, symlinks=True)
    now = pipeline.datetime.fromisoformat(NOW)

    def publish() -> pipeline.Report:
        return pipeline.publish(pipeline.load(project, cache=True), project / "dist", now,
                                backend=InProcess())

    for lang, images in [("pt", f"\n![{PT_ALT}](chart.jpg)\n"), ("en", (
            f"\n![{EN_ALTS[0]}](chart.jpg)\n\n![{EN_ALTS[1]}](./maps/map.png) and "
            f"![{EN_ALTS[2]}](photo.webp)\n\n![{EN_ALTS[3]}](logo.svg)\n"))]:
        path = project / FOLDER / f"{lang}.md"
        text = path.read_text(encoding="utf-8")
        assert images in text
        path.write_text(text.replace(images, ""), encoding="utf-8")
        report = publish()
    assert f"en/{SHIPPED_ID}/index.html" in report.rendered
    assert {f"pt/{SHIPPED_ID}/index.html", f"pt/{SHIPPED_ID}/{SHIPPED_ID}-pt.pdf"} <= set(
        report.reused)


def test_check_refuses_images_that_cannot_publish(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    folder = project / FOLDER
    (folder / "folder.png").mkdir()
    (folder / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(10_000_000))
    (folder / "page.png").write_bytes(b"<!doctype html><html><body>Hello</body></html>")
    (folder / "bomb.png").write_bytes(png_claiming(30_000, 30_000))
    (folder / "wide.png").write_bytes(png_claiming(10_000, 5_000))
    (folder / "photo.png").write_bytes(camera_jpeg())
    (folder / "cut.png").write_bytes(tagged_png()[:60])
    first = append(folder / "pt.md", "\n![Em falta](missing.png)\n\n![Pasta](folder.png)\n\n"
                   "![Enorme](big.png) ![Página](page.png)\n\n![Bomba](bomb.png)\n"
                   "![Larga](wide.png)\n![Foto](photo.png) ![Cortada](cut.png)\n\n"
                   "![Gif](anim.gif) ![Pergunta](page.png?v=2)\n")
    result = invoke("check", "--project", project)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    where = f"{FOLDER}/pt.md"
    errors = [line[line.index(where):] for line in result.stderr.splitlines() if where in line]
    assert errors == [
        f"{where}:{first + 1}: image 'missing.png' is missing: put the file in the statement's "
        "folder",
        f"{where}:{first + 3}: image 'folder.png' is not a regular file",
        f"{where}:{first + 5}: image 'big.png' is 10,000,008 bytes; the limit is 10,000,000",
        f"{where}:{first + 5}: image 'page.png' is not a PNG, JPEG, WebP or SVG image",
        f"{where}:{first + 7}: image 'bomb.png' has too many pixels; the limit is 40,000,000 (a "
        "decompression bomb?): scale it down",
        f"{where}:{first + 8}: image 'wide.png' has too many pixels (10,000 x 5,000); the limit "
        "is 40,000,000 (a decompression bomb?): scale it down",
        f"{where}:{first + 9}: image 'cut.png' cannot be read as PNG: Truncated File Read",
        f"{where}:{first + 9}: image 'photo.png' is a JPEG image, not PNG: give the file the "
        "extension of what it is",
        f"{where}:{first + 11}: image 'anim.gif' is not a .png, .jpg, .jpeg, .webp or .svg file",
        f"{where}:{first + 11}: image 'page.png?v=2' has a query or fragment; refer to the file "
        "by its name alone",
    ], result.stderr


def test_a_unit_carries_its_images_to_the_worker(published: Published) -> None:
    """What a local or Dask worker gets (a pickled unit) renders the images with the project's
    files gone: the bytes travel with the unit, the worker reads no disk."""
    from syndicate.keys import keyed_units
    from syndicate.kinds import Renderers
    from syndicate.units import Context

    project = pipeline.load(published.project)
    context = pickle.loads(pickle.dumps(Context(project.site, project.catalogs, None)))
    page = next(u for u in keyed_units(project, list(project.statements))
                if u.kind == "page" and u.lang == "en")
    unit = pickle.loads(pickle.dumps(project.with_images(page)))
    gone = published.project.with_name("moved")
    published.project.rename(gone)
    try:
        artifacts = Renderers(context).render(unit)
    finally:
        gone.rename(published.project)
    images = {a.path: a.data for a in artifacts if a.kind == "image"}
    assert set(images) == {path for path in IMAGES if path.startswith("en/")}
    for path, data in images.items():
        assert data == (published.dist / path).read_bytes()


def test_a_cmyk_jpeg_is_published_in_rgb() -> None:
    """Browsers draw CMYK JPEGs badly or not at all, and the PDF/A communiqués' output intent
    is sRGB: a print shop's CMYK file is published in RGB, its colours kept."""
    from syndicate.images import sanitize

    cmyk = encoded(Image.new("CMYK", (20, 10), (0, 255, 255, 0)), "JPEG")  # pure red ink
    with Image.open(io.BytesIO(sanitize("print.jpg", cmyk))) as published:
        assert published.format == "JPEG" and published.mode == "RGB"
        red = published.getpixel((5, 5))
        assert isinstance(red, tuple) and red[0] > 230 and red[1] < 30 and red[2] < 30


def test_keep_going_leaves_out_a_statement_whose_image_broke(published: Published,
                                                              tmp_path: Path) -> None:
    """An image replaced by something else: load names the file and line; one replaced while
    publishing (after load hashed it) is refused too. --keep-going publishes the rest."""
    project = tmp_path / "project"
    shutil.copytree(published.project, project, symlinks=True)
    second = project / "statements" / "2023-01-10-second"
    second.mkdir()
    for name in ("statement.yaml", "pt.md", "chart.jpg"):
        shutil.copy(project / FOLDER / name, second / name)
    now = pipeline.datetime.fromisoformat(NOW)
    loaded = pipeline.load(project, cache=True)
    (project / FOLDER / "maps" / "map.png").write_text("<html>not a map</html>", "utf-8")
    changed = f"{project / FOLDER}/maps/map.png: changed while publishing: publish again"
    fresh = project / "fresh"  # (in dist, the statement's outputs would be reused)
    with pytest.raises(pipeline.ContentError) as refused:
        pipeline.publish(loaded, fresh, now, backend=InProcess())
    assert [str(p) for p in refused.value.problems] == [changed]
    report = pipeline.publish(loaded, fresh, now, backend=InProcess(),
                              care=pipeline.Care(keep_going=True))
    assert [str(p) for p in report.problems] == [changed]
    files = {str(e["path"]) for e in manifest(fresh)}
    assert "pt/2023-01-10-second/index.html" in files
    assert not {f for f in files if SHIPPED_ID in f}
    again = pipeline.load(project, cache=True, keep_going=True)
    assert [s.id for s in again.statements] == ["2023-01-10-second"]
    assert [str(p).removeprefix(f"{project}/") for p in again.problems] == [
        f"{FOLDER}/en.md:25: image 'maps/map.png' is not a PNG, JPEG, WebP or SVG image"]


def test_a_file_nothing_shows_changes_nothing(published: Published, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(published.project, project, symlinks=True)
    (project / FOLDER / "unused.png").write_bytes(gps_webp())  # replaced, still shown nowhere
    now = pipeline.datetime.fromisoformat(NOW)
    report = pipeline.publish(pipeline.load(project, cache=True), project / "dist", now,
                              backend=InProcess())
    assert report.rendered == (), report.rendered

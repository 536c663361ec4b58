"""Hostile statement images: files that are not there, not files, not images, not what their
name says, too large, bombs, hostile SVG, sources that try to climb out or hide a separator.

Every refused image stops `publish` with `path:line: image '...' ...` before anything is
written; an image that can be made safe (an SVG with a script, a photo with its GPS position)
is published, sanitized (what comes out is checked in tests/render/test_images.py).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

from hostile_harness import CHECK, PUBLISH, Case, S, World
from PIL import Image

from conftest import REPO, png_claiming

EN = f"{S}/en.md"
# The line an image appended by `shows` lands on (the shipped file, a blank line, the image).
_TEXT = (REPO / EN).read_text(encoding="utf-8")
LINE = _TEXT.count("\n") + (0 if _TEXT.endswith("\n") else 1) + 2
AT = f"^{EN}:{LINE}: image "
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'


def png(width: int = 8, height: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (38.0, 42.0, 59.0), 3: "W", 4: (9.0, 8.0, 25.0)}
    exif[0x0112] = 8
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (12, 12), (0, 200, 0, 128)).save(out, "WEBP")
    return out.getvalue()


def phone_mpo() -> bytes:
    """A JPEG as phones write it (MPO): the photo, then a second image (a depth map)."""
    out = io.BytesIO()
    photo, depth = Image.new("RGB", (32, 24), (90, 90, 200)), Image.new("L", (16, 12), 128)
    photo.save(out, "MPO", save_all=True, append_images=[depth.convert("RGB")])
    return out.getvalue()


def cmyk_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("CMYK", (16, 16), (0, 200, 200, 10)).save(out, "JPEG")
    return out.getvalue()


def animated_png() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), color) for color in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    return out.getvalue()


def shows(src: str, files: dict[str, bytes | str] | None = None, alt: str = "A chart",
          make: Callable[[Path], None] | None = None) -> Callable[[World], None]:
    """A setup: en.md shows ``![alt](src)``; ``files`` (bytes, or text) are written into the
    statement's folder first, and ``make`` makes something else there."""

    def setup(world: World) -> None:
        for name, content in (files or {}).items():
            world.write(f"{S}/{name}", content)
        if make is not None:
            make(world.path(S))
        path = world.path(EN)
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + f"\n![{alt}]({src})\n",
                        encoding="utf-8")

    return setup


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "chart.png")


def _directory(folder: Path) -> None:
    (folder / "chart.png").mkdir()


def _link_to(target: str, name: str = "chart.png") -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        link = folder / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target.format(outside=folder.parents[2] / "outside"))

    return make


def _loop(folder: Path) -> None:
    (folder / "img").mkdir()
    (folder / "img" / "a.png").symlink_to("b.png")
    (folder / "img" / "b.png").symlink_to("a.png")


def _unreadable(folder: Path) -> None:
    (folder / "chart.png").write_bytes(png())
    (folder / "chart.png").chmod(0)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;">]>'
    f'{SVG_OPEN}<text>&f;&f;&f;&f;&f;&f;&f;&f;</text></svg>'
)
XXE = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       f'{SVG_OPEN}<text>&x;</text></svg>')
SCRIPTED = (f'{SVG_OPEN[:-1]} onload="alert(1)"><script>alert(document.cookie)</script>'
            '<rect width="10" height="10" onmouseover="alert(2)"/>'
            '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://x.example"/>'
            '</foreignObject></svg>')
LINKS_OUT = (f'{SVG_OPEN[:-1]} xmlns:xlink="http://www.w3.org/1999/xlink">'
             '<use xlink:href="file:///etc/passwd#x"/><image href="file:///etc/shadow"/>'
             '<a href="javascript:alert(1)"><text>click</text></a>'
             '<style>@import url("https://x.example/s.css"); rect { fill: url(http://x/y) }'
             '</style><rect width="10" height="10" style="fill: url(https://x.example/p)"/></svg>')
NOT_SVG_ROOT = '<html xmlns="http://www.w3.org/1999/xhtml"><body>hello</body></html>'
HTML_PAGE = "<!doctype html><html><script>alert(1)</script></html>"


def refused(id: str, setup: Callable[[World], None], *expect: str,
            command: tuple[str, ...] = PUBLISH, **options: object) -> Case:
    return Case(id=f"image-{id}", setup=setup, expect=expect, command=command,
                **options)  # type: ignore[arg-type]


def published(id: str, setup: Callable[[World], None]) -> Case:
    return Case(id=f"image-{id}", setup=setup, expect=(), exit=0)


CASES = [
    refused("missing-file", shows("chart.png"), AT + r"'chart\.png' is missing"),
    refused("missing-file-keep-going", shows("chart.png"), AT + r"'chart\.png' is missing",
            command=(*PUBLISH, "--keep-going")),
    refused("missing-in-subfolder", shows("img/chart.png"), AT + r"'img/chart\.png' is missing"),
    refused("directory", shows("chart.png", make=_directory),
            AT + r"'chart\.png' is not a regular file"),
    refused("fifo", shows("chart.png", make=_fifo), AT + r"'chart\.png' is not a regular file",
            timeout=30.0),
    refused("fifo-check", shows("chart.png", make=_fifo),
            AT + r"'chart\.png' is not a regular file", command=CHECK, timeout=30.0),
    refused("symlink-out-of-project", shows("chart.png", make=_link_to("{outside}/secret.txt")),
            rf"^{S}/chart\.png: is a link to .*outside the project"),
    refused("symlink-in-subfolder-out-of-project",
            shows("img/chart.png", make=_link_to("{outside}/secret.txt", "img/chart.png")),
            rf"^{S}/img/chart\.png: is a link to .*outside the project"),
    refused("symlink-to-project-file", shows("chart.png", make=_link_to("../../syndicate.toml")),
            AT + r"'chart\.png' leads out of the statement's folder"),
    refused("symlink-loop", shows("img/a.png", make=_loop),
            AT + r"'img/a\.png' cannot be read: Too many levels of symbolic links"),
    refused("unreadable", shows("chart.png", make=_unreadable),
            AT + r"'chart\.png' cannot be read: Permission denied", unprivileged=True),
    refused("empty-file", shows("chart.png", {"chart.png": b""}),
            AT + r"'chart\.png' is not a PNG, JPEG, WebP or SVG image"),
    refused("html-disguised-as-png", shows("chart.png", {"chart.png": HTML_PAGE}),
            AT + r"'chart\.png' is not a PNG, JPEG, WebP or SVG image"),
    refused("svg-disguised-as-png", shows("chart.png", {"chart.png": SCRIPTED}),
            AT + r"'chart\.png' is an SVG image, not PNG"),
    refused("jpeg-named-webp", shows("photo.webp", {"photo.webp": jpeg_with_gps()}),
            AT + r"'photo\.webp' is a JPEG image, not WebP"),
    refused("truncated-png", shows("chart.png", {"chart.png": png(64, 64)[:70]}),
            AT + r"'chart\.png' cannot be read as PNG"),
    refused("decompression-bomb-png", shows("chart.png", {"chart.png": png_claiming(60_000,
                                                                                   60_000)}),
            AT + r"'chart\.png' has too many pixels; the limit is 40,000,000"),
    refused("huge-dimensions", shows("chart.png", {"chart.png": png_claiming(50_000, 1_000)}),
            AT + r"'chart\.png' has too many pixels \(50,000 x 1,000\)"),
    refused("too-many-bytes",
            shows("chart.png", {"chart.png": png() + bytes(10_000_001)}),
            AT + r"'chart\.png' is 10,000,\d+ bytes; the limit is 10,000,000"),
    refused("animated-png", shows("chart.png", {"chart.png": animated_png()}),
            AT + r"'chart\.png' is animated"),
    refused("svg-billion-laughs", shows("logo.svg", {"logo.svg": BILLION_LAUGHS}),
            AT + r"'logo\.svg' declares XML entities", timeout=30.0),
    refused("svg-external-entity", shows("logo.svg", {"logo.svg": XXE}),
            AT + r"'logo\.svg' declares XML entities"),
    refused("svg-not-well-formed", shows("logo.svg", {"logo.svg": SVG_OPEN + "<rect"}),
            AT + r"'logo\.svg' is not well-formed SVG"),
    refused("svg-wrong-root", shows("logo.svg", {"logo.svg": NOT_SVG_ROOT}),
            AT + r"'logo\.svg' is not an SVG image \(its root is <html>"),
    refused("svg-too-many-elements",
            shows("logo.svg", {"logo.svg": SVG_OPEN + "<g/>" * 20_001 + "</svg>"}),
            AT + r"'logo\.svg' has more than 20,000 SVG elements"),
    refused("dotdot", shows("../chart.png"), AT + r"'\.\./chart\.png' climbs out"),
    refused("dotdot-inside-name", shows("img/../../x/chart.png"), AT + r".* climbs out"),
    refused("absolute-path", shows("/etc/passwd.png"), AT + r"'/etc/passwd\.png' is an absolute"),
    refused("encoded-dotdot", shows("%2e%2e/%2e%2e/syndicate.png"), AT + r".* climbs out"),
    refused("encoded-slash", shows("img%2Fchart.png", {"img/chart.png": png()}),
            AT + r"'img%2Fchart\.png' hides a folder separator"),
    refused("backslash", shows("img\\chart.png", {"img/chart.png": png()}),
            AT + r".*hides a folder separator"),
    refused("query-string", shows("chart.png?v=2", {"chart.png": png()}),
            AT + r"'chart\.png\?v=2' has a query or fragment"),
    refused("fragment", shows("logo.svg#layer", {"logo.svg": SVG_OPEN + "</svg>"}),
            AT + r"'logo\.svg#layer' has a query or fragment"),
    refused("control-character", shows("chart%0A.png"),
            AT + r"'chart%0A\.png' has a control or invisible character"),
    refused("hidden-file", shows(".chart.png", {".chart.png": png()}),
            AT + r"'\.chart\.png' is a hidden file"),
    refused("wrong-extension", shows("chart.gif", {"chart.gif": png()}),
            AT + r"'chart\.gif' is not a \.png, \.jpg, \.jpeg, \.webp or \.svg file"),
    refused("name-of-an-output", shows("card.png", {"card.png": png()}),
            AT + r"'card\.png' has the name of a file publish makes beside the page"),
    refused("no-alt-text", shows("chart.png", {"chart.png": png()}, alt=""),
            AT + r"'chart\.png' has no alt text"),
    refused("data-url", shows("data:image/png;base64,iVBORw0KGgo="), AT + r".*uses data:"),
    refused("file-url", shows("file:///etc/passwd"), AT + r".*points into the file system"),
    refused("network", shows("http://127.0.0.1:9/x.png"), AT + r".*fetched from the network"),
    published("jpeg-with-gps", shows("photo.jpg", {"photo.jpg": jpeg_with_gps()})),
    published("webp", shows("photo.webp", {"photo.webp": webp()})),
    published("phone-mpo-jpeg", shows("photo.jpeg", {"photo.jpeg": phone_mpo()})),
    published("cmyk-jpeg", shows("print.jpg", {"print.jpg": cmyk_jpeg()})),
    published("svg-with-script", shows("logo.svg", {"logo.svg": SCRIPTED})),
    published("svg-links-out", shows("logo.svg", {"logo.svg": LINKS_OUT})),
    published("percent-encoded-space", shows("my%20chart.png", {"my chart.png": png()})),
]

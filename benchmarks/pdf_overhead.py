"""How much syndicate's communiqué renderer adds to WeasyPrint itself.

For a one-page and a three-page communiqué (the shipped statement, and the same body repeated),
times ``PdfRenderer.render`` (template, sandboxed fetcher, attachments, glyph listener, PDF/A
output intent, finisher) against a bare
``weasyprint.HTML(string=same_html).write_pdf(stylesheets=[CSS(string=communique_css)])`` of the
exact same HTML and stylesheet in the same process, and prints the ratios. A benchmark, not a
test: run it with

    .venv/bin/python benchmarks/pdf_overhead.py [repeats]

The renderer is warm (one FontConfiguration, one template environment per language), as in a
publish; the bare call gets WeasyPrint's defaults, as a user of the library would write it (no
tags, no PDF/A, a fresh font configuration each time, the stylesheet parsed each time, where
the renderer parses it once). A third column gives WeasyPrint the same
output options as the renderer (tags, variant, warm fonts, no attachments), which isolates what
syndicate's own bookkeeping costs.
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from syndicate import publish  # noqa: E402
from syndicate.model import Statement  # noqa: E402


def best_of(repeats: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def longer(statement: Statement, times: int) -> Statement:
    translations = tuple(
        dataclasses.replace(t, words=dataclasses.replace(t.words.text(), html=t.body_html * times))
        for t in statement.translations
    )
    return dataclasses.replace(statement, translations=translations)


def main(repeats: int = 7) -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from syndicate.render.pdf import PDF_OPTIONS, PdfRenderer, stylesheet

    project = publish.load(ROOT)
    shipped = project.statements[0]
    renderer = PdfRenderer(project.site, project.translations)
    fonts = FontConfiguration()
    variant = project.site.pdf_variant
    css = stylesheet()
    print(f"variant {variant}; median of {repeats} runs")
    for label, statement in (("1 page", shipped), ("3 pages", longer(shipped, 3))):
        renderer.render(statement, "pt")  # warm up both paths
        html = renderer.html(statement, "pt")
        def sheets() -> list[weasyprint.CSS]:
            return [weasyprint.CSS(string=css)]

        weasyprint.HTML(string=html).write_pdf(stylesheets=sheets())
        pages = len(weasyprint.HTML(string=html).render(stylesheets=sheets()).pages)
        ours = best_of(repeats, lambda s=statement: renderer.render(s, "pt"))  # type: ignore[misc]
        bare = best_of(repeats, lambda h=html: weasyprint.HTML(string=h).write_pdf(  # type: ignore[misc]
            stylesheets=sheets()))
        same = best_of(repeats, lambda h=html: weasyprint.HTML(string=h).write_pdf(  # type: ignore[misc]
            font_config=fonts, pdf_variant=variant, stylesheets=[
                weasyprint.CSS(string=css, font_config=fonts)], **PDF_OPTIONS))
        print(
            f"{label:8} ({pages} p.): syndicate {ours * 1000:6.1f} ms | bare {bare * 1000:6.1f} ms,"
            f" ratio {ours / bare:5.3f} | same options {same * 1000:6.1f} ms,"
            f" ratio {ours / same:5.3f}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)

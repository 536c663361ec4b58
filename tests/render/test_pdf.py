"""PDF communiqués, checked with readers independent of WeasyPrint: poppler and pypdf."""

from __future__ import annotations

import gettext
import hashlib
import http.server
import io
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from syndicate import i18n
from syndicate.model import Artifact, Language, Site, Statement, Translation
from syndicate.render.pdf import PdfRenderer
from syndicate.render.pdf_text import hyphenation_language
from syndicate.words import Text

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
LISBON = ZoneInfo("Europe/Lisbon")
STATEMENT_ID = "2022-11-22-vitorino-iom"

SITE = Site(
    base_url="https://press.example.org/",
    timezone="Europe/Lisbon",
    languages=(
        Language("en", "en", "en", "Press releases", "Portuguese Government",
                 "Statements from the Portuguese Government"),
        Language("pt", "pt-PT", "pt_PT", "Comunicados", "Governo de Portugal",
                 "Comunicados do Governo de Portugal"),
    ),
    default_language="pt",
)

TITLES = {
    "en": "Portugal supports António Vitorino's candidacy for Director-General of the IOM",
    "pt": "Governo apoia candidatura de António Vitorino a Diretor-Geral da OIM",
}
SUMMARIES = {
    "en": "The Government will present António Vitorino's candidacy for a second term at the "
          "head of the International Organization for Migration.",
    "pt": "O Governo vai apresentar a candidatura de António Vitorino a um segundo mandato à "
          "frente da Organização Internacional para as Migrações.",
}
PLACES = {"en": "Lisbon", "pt": "Lisboa"}
TAGS = {"en": ("migration", "IOM", "foreign affairs"), "pt": ("migrações", "OIM", "diplomacia")}
BODIES = {
    "en": (
        "<p>The Portuguese Government has decided to support the candidacy of António Vitorino "
        "for a second term as Director-General of the International Organization for Migration "
        "(IOM), in the election to be held by the Organization's Council in May 2023.</p>\n"
        "<p>Since taking office in 2018, António Vitorino has led the Organization through the "
        "pandemic and through successive humanitarian crises, strengthening its presence on "
        "the ground and its role within the United Nations system.</p>\n"
        "<h2>A candidacy for multilateralism</h2>\n"
        "<p>The Minister for Foreign Affairs recalled that «migration, well governed, is a "
        "source of prosperity for countries of origin, transit and destination».</p>\n"
        "<ul>\n<li>safe, orderly and regular migration;</li>\n"
        "<li>the protection of migrants' human rights;</li>\n"
        "<li>close co-operation with the Organization's 175 member states.</li>\n</ul>\n"
        "<blockquote>\n<p>«It is an honour to continue serving an Organization whose work "
        "changes lives every day.»</p>\n</blockquote>\n"
        "<p>More information is available on the "
        '<a href="https://www.iom.int/">IOM website</a>.</p>\n'
    ),
    "pt": (
        "<p>O Governo português decidiu apoiar a candidatura de António Vitorino a um segundo "
        "mandato como Diretor-Geral da Organização Internacional para as Migrações (OIM), na "
        "eleição que o Conselho da Organização realizará em maio de 2023.</p>\n"
        "<p>Desde que assumiu funções, em 2018, António Vitorino conduziu a Organização através "
        "da pandemia e de sucessivas crises humanitárias, reforçando a sua presença no terreno "
        "e o seu papel no sistema das Nações Unidas.</p>\n"
        "<h2>Uma candidatura ao serviço do multilateralismo</h2>\n"
        "<p>O Ministro dos Negócios Estrangeiros recordou que «as migrações, quando bem "
        "geridas, são uma fonte de prosperidade para os países de origem, de trânsito e de "
        "destino».</p>\n"
        "<ul>\n<li>migrações seguras, ordenadas e regulares;</li>\n"
        "<li>a proteção dos direitos humanos dos migrantes;</li>\n"
        "<li>a cooperação estreita com os 175 Estados-membros da Organização.</li>\n</ul>\n"
        "<blockquote>\n<p>«É uma honra continuar a servir uma Organização cujo trabalho muda "
        "vidas todos os dias.»</p>\n</blockquote>\n"
        "<p>Mais informações estão disponíveis no "
        '<a href="https://www.iom.int/">sítio da OIM</a>.</p>\n'
    ),
}


def source(lang: str) -> str:
    """A Markdown source file for the translation (what the PDF attaches)."""
    return f'---\ntitle: "{TITLES[lang]}"\nplace: {PLACES[lang]}\n---\n\n{SUMMARIES[lang]}\n'


def translation(lang: str, body_html: str | None = None) -> Translation:
    return Translation(
        lang=lang,
        title=TITLES[lang],
        summary=SUMMARIES[lang],
        place=PLACES[lang],
        tags=TAGS[lang],
        words=Text(source(lang), "", BODIES[lang] if body_html is None else body_html),
    )


def statement(body_html: str | None = None, updated: datetime | None = None) -> Statement:
    return Statement(
        id=STATEMENT_ID,
        date=datetime(2022, 11, 22, tzinfo=LISBON),
        updated=updated,
        original="pt",
        translations=(translation("en", body_html), translation("pt", body_html)),
    )


def catalogs() -> dict[str, gettext.NullTranslations]:
    return {lang.code: i18n.load_translations(LOCALES, lang.locale) for lang in SITE.languages}


class WeasyPrintLog(logging.Handler):
    """Collects what WeasyPrint logs at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(SITE, catalogs())


@pytest.fixture
def weasyprint_log() -> Iterator[WeasyPrintLog]:
    handler = WeasyPrintLog()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="module")
def pdfs(renderer: PdfRenderer) -> dict[str, tuple[Artifact, list[str]]]:
    """The shipped-like statement in each language, with what WeasyPrint logged meanwhile."""
    result = {}
    for lang in ("en", "pt"):
        handler = WeasyPrintLog()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            result[lang] = (renderer.render(statement(), lang), handler.messages)
        finally:
            logger.removeHandler(handler)
    return result


def run(*command: str | Path, stdin: bytes | None = None) -> str:
    return subprocess.run(
        [str(part) for part in command], input=stdin, capture_output=True, check=True
    ).stdout.decode("utf-8")


def pdftotext(data: bytes, *options: str) -> str:
    return run("pdftotext", *options, "-enc", "UTF-8", "-", "-", stdin=data)


def collapse(text: str) -> str:
    """Whitespace runs made single spaces."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Text without whitespace or hyphens, so that hyphenation and line breaks do not matter."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "communique.pdf"
    path.write_bytes(data)
    return path


EXPECTED = {
    "en": ("Lisbon, November 22, 2022", "Page 1 of 1", "Press release"),
    "pt": ("Lisboa, 22 de novembro de 2022", "Página 1 de 1", "Comunicado de imprensa"),
}


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_text_has_dateline_title_label_page_numbers_and_body(
    pdfs: dict[str, tuple[Artifact, list[str]]], lang: str
) -> None:
    artifact, _ = pdfs[lang]
    text = pdftotext(artifact.data)
    dateline, page_label, label = EXPECTED[lang]
    assert dateline in collapse(text)
    assert page_label in collapse(text)
    assert squash(label.upper()) in squash(text)  # capitals, letter-spaced, in the stylesheet
    assert SITE.page_url(STATEMENT_ID, lang) in text
    assert squash(TITLES[lang]) in squash(text)
    assert squash(SUMMARIES[lang]) in squash(text)
    for paragraph in re.findall(r"<p>(.*?)</p>", BODIES[lang], re.S):
        assert squash(strip_tags(paragraph)) in squash(text)


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_weasyprint_logs_no_warning_for_shipped_content(
    pdfs: dict[str, tuple[Artifact, list[str]]], lang: str
) -> None:
    assert pdfs[lang][1] == []


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_artifact_fields(pdfs: dict[str, tuple[Artifact, list[str]]], lang: str) -> None:
    artifact, _ = pdfs[lang]
    assert artifact.path == f"{lang}/{STATEMENT_ID}/{STATEMENT_ID}-{lang}.pdf"
    assert (artifact.kind, artifact.lang, artifact.statement) == ("pdf", lang, STATEMENT_ID)
    assert artifact.data.startswith(b"%PDF-1.7")


@pytest.mark.parametrize(("lang", "tag", "issuer"), [
    ("en", "en", "Portuguese Government"),
    ("pt", "pt-PT", "Governo de Portugal"),
])
def test_metadata_language_and_tags(
    pdfs: dict[str, tuple[Artifact, list[str]]], tmp_path: Path, lang: str, tag: str, issuer: str
) -> None:
    reader = PdfReader(write(tmp_path, pdfs[lang][0].data))
    info = reader.metadata
    assert info is not None
    assert str(info["/Title"]) == TITLES[lang]
    assert str(info["/Author"]) == issuer
    assert str(info["/Subject"]) == SUMMARIES[lang]
    assert str(info["/Keywords"]) == ", ".join(TAGS[lang])
    assert str(info["/CreationDate"]) == "D:20221122000000+00'00"
    assert str(info["/ModDate"]) == "D:20221122000000+00'00"
    catalog: Any = reader.trailer["/Root"]
    assert catalog["/Lang"] == tag
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/StructTreeRoot"]["/Type"] == "/StructTreeRoot"


def test_modified_date_comes_from_the_statement(renderer: PdfRenderer, tmp_path: Path) -> None:
    updated = datetime(2022, 11, 23, 15, 30, tzinfo=LISBON)
    data = renderer.render(statement(updated=updated), "pt").data
    info = PdfReader(write(tmp_path, data)).metadata
    assert info is not None
    assert str(info["/CreationDate"]) == "D:20221122000000+00'00"
    assert str(info["/ModDate"]) == "D:20221123153000+00'00"


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_every_font_is_embedded(
    pdfs: dict[str, tuple[Artifact, list[str]]], tmp_path: Path, lang: str
) -> None:
    lines = run("pdffonts", write(tmp_path, pdfs[lang][0].data)).splitlines()
    header, rows = lines[0], lines[2:]
    emb = header.index("emb")
    assert rows
    for row in rows:
        assert row[emb:emb + 3] == "yes", row
        assert "DejaVu" in row


def test_same_input_gives_identical_bytes(
    renderer: PdfRenderer, pdfs: dict[str, tuple[Artifact, list[str]]], tmp_path: Path
) -> None:
    first = pdfs["pt"][0].data
    assert renderer.render(statement(), "pt").data == first
    assert PdfRenderer(SITE, catalogs()).render(statement(), "pt").data == first
    trailer_id: Any = PdfReader(write(tmp_path, first)).trailer["/ID"]
    assert len(trailer_id) == 2


def test_trailer_id_is_permanent_for_the_document_and_tracks_its_content(
    renderer: PdfRenderer, pdfs: dict[str, tuple[Artifact, list[str]]], tmp_path: Path
) -> None:
    original: Any = PdfReader(write(tmp_path, pdfs["pt"][0].data)).trailer["/ID"]
    updated = statement(updated=datetime(2022, 11, 23, 15, 30, tzinfo=LISBON))
    revised: Any = PdfReader(write(tmp_path, renderer.render(updated, "pt").data)).trailer["/ID"]
    url = SITE.pdf_url(STATEMENT_ID, "pt").encode()
    assert str(original[0]) == str(revised[0]) == hashlib.md5(url).hexdigest()
    assert str(original[1]) != str(revised[1])


def test_identical_bytes_in_processes_with_other_hash_seeds(
    pdfs: dict[str, tuple[Artifact, list[str]]]
) -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_pdf as t; "
        "sys.stdout.buffer.write(t.PdfRenderer(t.SITE, t.catalogs())"
        ".render(t.statement(), 'pt').data)"
    )
    for seed in ("1", "2"):
        output = subprocess.run(
            [sys.executable, "-c", script, str(Path(__file__).parent)],
            capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        assert output == pdfs["pt"][0].data


def long_body(paragraphs: int) -> str:
    return "".join(f"<h2>Ponto {n}</h2>\n" + BODIES["pt"] for n in range(1, paragraphs + 1))


def test_long_body_numbers_every_page(
    renderer: PdfRenderer, weasyprint_log: WeasyPrintLog, tmp_path: Path
) -> None:
    data = renderer.render(statement(long_body(5)), "pt").data
    pages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", write(tmp_path, data)))[1])  # type: ignore[index]
    assert pages == 3
    text = collapse(pdftotext(data))
    for page in range(1, 4):
        assert f"Página {page} de 3" in text
    assert weasyprint_log.messages == []


def test_page_label_is_escaped_for_css(weasyprint_log: WeasyPrintLog, tmp_path: Path) -> None:
    class Hostile(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            if message == "Page %(page)s of %(pages)s":
                return 'P. "%(page)s" \\ </style> %% of %(pages)s'
            return message

    renderer = PdfRenderer(SITE, {"en": Hostile(), "pt": catalogs()["pt"]})
    data = renderer.render(statement(), "en").data
    assert 'P. "1" \\ </style> % of 1' in collapse(pdftotext(data))
    assert weasyprint_log.messages == []


def test_html_is_self_describing(renderer: PdfRenderer) -> None:
    html = renderer.html(statement(), "pt")
    assert '<html lang="pt-PT" dir="ltr">' in html
    assert "<title>Governo apoia candidatura de António Vitorino" in html
    assert '<meta name="author" content="Governo de Portugal">' in html
    assert '<meta name="keywords" content="migrações, OIM, diplomacia">' in html
    assert '<meta name="dcterms.created" content="2022-11-22T00:00:00+00:00">' in html
    assert 'counter(page) " de " counter(pages)' in html
    assert renderer.html(statement(), "pt") == html



def inlining(html_class: Any, css: str) -> Any:
    """``weasyprint.HTML`` given ``css`` as the document's first ``<style>`` (an author rule)."""
    def make(string: str, **options: Any) -> Any:
        head = string.index("<style>")
        return html_class(string=f"{string[:head]}<style>\n{css}\n</style>\n{string[head:]}",
                          **options)

    return make


@pytest.mark.parametrize("edition", ["en", "pt", "bilingual"])
def test_parsed_stylesheet_gives_the_bytes_of_the_stylesheet_inlined(
    renderer: PdfRenderer, edition: str
) -> None:
    """The stylesheet, parsed once and given as a user stylesheet, makes the very PDF it made
    inlined in every document (an author stylesheet, before the document's own rules)."""
    from syndicate.render.pdf import stylesheet

    inlined = PdfRenderer(SITE, catalogs())
    inlined._stylesheets = []
    inlined._html_class = inlining(inlined._html_class, stylesheet())
    long = statement(long_body(12))
    if edition == "bilingual":
        ours, theirs = renderer.render_bilingual(long), inlined.render_bilingual(long)
    else:
        ours, theirs = renderer.render(long, edition), inlined.render(long, edition)
    assert len(PdfReader(io.BytesIO(ours.data)).pages) > 2
    assert ours.data == theirs.data


def test_stylesheet_is_parsed_once_per_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    from syndicate.render import pdf

    parsed: list[str] = []

    class CountingCSS(weasyprint.CSS):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            parsed.append(kwargs.get("string", ""))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", CountingCSS)
    documents: list[bytes] = []

    def work() -> None:  # a thread of its own: nothing parsed in it yet
        for _ in range(2):
            renderer = PdfRenderer(SITE, catalogs())
            documents.append(renderer.render(statement(), "pt").data)
            documents.append(renderer.render_bilingual(statement()).data)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert len(documents) == 4
    assert parsed == [pdf.stylesheet()]
    assert "Governo apoia candidatura" in collapse(pdftotext(documents[0]))

@pytest.fixture
def counting_server() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_url_fetcher_refuses_the_network(
    renderer: PdfRenderer, weasyprint_log: WeasyPrintLog,
    counting_server: tuple[str, list[str]],
) -> None:
    url, requests = counting_server
    body = f'<p>Antes.</p><p><img src="{url}/x.png" alt="[imagem]"></p><p>Depois.</p>'
    data = renderer.render(statement(body), "pt").data
    assert requests == []
    assert "[imagem]" in pdftotext(data)  # WeasyPrint's fallback: the alt text
    assert any("not allowed" in message for message in weasyprint_log.messages)


def test_url_fetcher_refuses_local_files(
    renderer: PdfRenderer, weasyprint_log: WeasyPrintLog, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42", encoding="utf-8")
    svg = tmp_path / "secret.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
        '<text y="15">SVG-SECRET-43</text></svg>', encoding="utf-8",
    )
    body = (
        f'<p><img src="{svg.as_uri()}" alt="x"></p>'
        f'<link rel="attachment" href="{secret.as_uri()}">'
        f'<p>Fim.</p>'
    )
    data = renderer.render(statement(body), "pt").data
    text = pdftotext(data)
    assert "SVG-SECRET-43" not in text
    assert b"TOP-SECRET-42" not in data
    attachments = PdfReader(write(tmp_path, data)).attachments
    assert dict(attachments) == {f"{STATEMENT_ID}-pt.md": [source("pt").encode()]}
    assert sum("not allowed" in message for message in weasyprint_log.messages) == 2


def test_importing_the_module_does_not_import_weasyprint() -> None:
    code = "import sys, syndicate.render.pdf; sys.exit('weasyprint' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_warm_up_loads_what_the_first_documents_need_and_changes_no_byte(
    renderer: PdfRenderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's warm-up loads each language's hyphenation dictionary (and Babel's data and
    the templates): rendering then needs no dictionary it has not, and makes the same bytes."""
    import pyphen

    monkeypatch.setattr(pyphen, "hdcache", {})
    warm = PdfRenderer(SITE, catalogs())
    warm.warm_up()
    loaded = set(pyphen.hdcache)
    # (plain "en" is hyphenated as American English: see hyphenation_language)
    assert loaded == {pyphen.LANGUAGES[pyphen.language_fallback(hyphenation_language(language.tag))]
                      for language in SITE.languages}
    long = statement(long_body(12))
    ours = [warm.render(long, "en"), warm.render(long, "pt"), warm.render_bilingual(long)]
    assert set(pyphen.hdcache) == loaded  # nothing more was needed
    theirs = [renderer.render(long, "en"), renderer.render(long, "pt"),
              renderer.render_bilingual(long)]
    assert [a.data for a in ours] == [b.data for b in theirs]
    assert re.search(r"\w\u00ad\n", pdftotext(ours[1].data))  # hyphenated: a dictionary used

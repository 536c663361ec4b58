"""The benchmark corpus as a Hugo site and as a Pelican site, and how to build them.

Both peers get the same statements as syndicate (the records of :func:`corpus.generate`): one
page per statement and language, linked as translations, with the same title, summary, date,
tags and Markdown body, a home page per language and feeds. The peers come from
``benchmarks/requirements.txt``, installed into ``benchmarks/.venv-peers`` (``make bench`` does
it): Hugo is the binary the ``hugo`` package ships, called directly (its Python wrapper adds
tens of milliseconds to every run).

Pelican formats dates with the C library's locales (``DATE_FORMATS``); a machine without the
``pt_PT`` locale makes it skip every article and still exit 0, so :func:`locales` compiles
``en_US.UTF-8`` and ``pt_PT.UTF-8`` with ``localedef`` into a private folder for ``LOCPATH``
and the benchmark checks how many articles Pelican says it processed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from corpus import LANGS, Record

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE / ".venv-peers"
LOCALES = {"en": "en_US.UTF-8", "pt": "pt_PT.UTF-8"}
TITLES = {"pt": "Governo de Portugal — Comunicados",
          "en": "Portuguese Government — Press statements"}


def hugo_binary() -> Path | None:
    found = sorted(PEERS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return found[0] if found else None


def pelican_binary() -> Path | None:
    path = PEERS_VENV / "bin" / "pelican"
    return path if path.exists() else None


def _front_matter(values: dict[str, object]) -> str:
    # JSON is YAML: every string quoted and escaped, accents kept.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


HUGO_CONFIG = """\
baseURL = "https://press.example.org/"
defaultContentLanguage = "pt"
defaultContentLanguageInSubdir = true
disableKinds = ["section"]
[languages.pt]
languageCode = "pt-PT"
title = "{pt}"
contentDir = "content/pt"
weight = 1
[languages.en]
languageCode = "en"
title = "{en}"
contentDir = "content/en"
weight = 2
[taxonomies]
tag = "tags"
[outputs]
home = ["HTML", "RSS", "JSON"]
"""
HUGO_SINGLE = """<!DOCTYPE html><html lang="{{ .Site.Language.LanguageCode }}"><head>
<meta charset="utf-8"><title>{{ .Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head><body>
<header><a href="{{ .Site.Home.Permalink }}">{{ .Site.Title }}</a></header>
<article><h1>{{ .Title }}</h1>
<p class="dateline">{{ .Params.place }}, <time datetime="{{ .Date.Format "2006-01-02" }}">
{{ .Date | time.Format ":date_long" }}</time></p>
<p class="summary">{{ .Params.summary }}</p>
{{ .Content }}
<ul class="tags">{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>
{{ range .Translations }}<a hreflang="{{ .Language.LanguageCode }}" href="{{ .Permalink }}">
{{ .Title }}</a>{{ end }}
</article></body></html>
"""
HUGO_LIST = """<!DOCTYPE html><html lang="{{ .Site.Language.LanguageCode }}"><head>
<meta charset="utf-8"><title>{{ .Site.Title }}</title></head><body><h1>{{ .Site.Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .Permalink }}">{{ .Title }}</a>
<time>{{ .Date | time.Format ":date_long" }}</time><p>{{ .Params.summary }}</p></li>{{ end }}</ul>
</body></html>
"""
HUGO_JSON = """{{- $items := slice -}}
{{- range .Site.RegularPages -}}
{{- $items = $items | append (dict "id" .Permalink "url" .Permalink "title" .Title
    "summary" .Params.summary "content_html" .Content
    "date_published" (.Date.Format "2006-01-02T15:04:05Z07:00") "tags" .Params.tags) -}}
{{- end -}}
{{- dict "version" "https://jsonfeed.org/version/1.1" "title" .Site.Title "items" $items
    | jsonify -}}
"""


def write_hugo(records: list[Record], out: Path) -> None:
    """A multilingual Hugo site: content/<lang>/<id>.md, translations linked by path."""
    if out.exists():
        shutil.rmtree(out)
    (out / "layouts" / "_default").mkdir(parents=True)
    (out / "hugo.toml").write_text(HUGO_CONFIG.format(**TITLES), encoding="utf-8")
    (out / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (out / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (out / "layouts" / "index.json").write_text(HUGO_JSON, encoding="utf-8")
    for lang in LANGS:
        (out / "content" / lang).mkdir(parents=True)
    for record in records:
        for lang in LANGS:
            text = record.texts[lang]
            front = _front_matter({
                "title": text.title, "date": record.day.isoformat(), "summary": text.summary,
                "place": text.place, "tags": list(text.tags),
            })
            (out / "content" / lang / f"{record.id}.md").write_text(
                front + text.body, encoding="utf-8"
            )


PELICAN_CONFIG = """\
SITENAME = {title!r}
SITEURL = "https://press.example.org"
PATH = "content"
TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "pt"
DATE_FORMATS = {{"pt": ("pt_PT.UTF-8", "%d de %B de %Y"), "en": ("en_US.UTF-8", "%d %B %Y")}}
LOCALE = ("pt_PT.UTF-8", "en_US.UTF-8")
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{{lang}}.atom.xml"
TRANSLATION_FEED_RSS = "feeds/all-{{lang}}.rss.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
RELATIVE_URLS = False
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""


def write_pelican(records: list[Record], out: Path) -> None:
    """A Pelican site: content/<id>-<lang>.md, translations linked by a shared slug."""
    if out.exists():
        shutil.rmtree(out)
    (out / "content").mkdir(parents=True)
    (out / "pelicanconf.py").write_text(
        PELICAN_CONFIG.format(title=TITLES["pt"]), encoding="utf-8"
    )
    for record in records:
        for lang in LANGS:
            text = record.texts[lang]
            meta = {
                "Title": text.title, "Date": record.day.isoformat(), "Lang": lang,
                "Slug": record.id, "Summary": text.summary, "Tags": ", ".join(text.tags),
                "Place": text.place,
            }
            if lang != record.original:
                meta["Translation"] = "true"
            header = "".join(f"{key}: {value}\n" for key, value in meta.items())
            (out / "content" / f"{record.id}-{lang}.md").write_text(
                header + "\n" + text.body, encoding="utf-8"
            )


def locales(folder: Path) -> dict[str, str]:
    """Compile Pelican's two locales into ``folder``; the environment to run it with."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in LOCALES.values():
        if not (folder / name).exists():
            source = name.split(".")[0]
            subprocess.run(["localedef", "-i", source, "-f", "UTF-8", str(folder / name)],
                           check=True, capture_output=True)
    return {**os.environ, "LOCPATH": str(folder)}


def pelican_articles(output: str) -> int:
    """How many articles Pelican says it processed (``Done: Processed 2000 articles, ...``)."""
    found = re.search(r"Processed (\d+) articles?", output)
    return int(found.group(1)) if found else 0

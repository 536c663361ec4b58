"""``syndicate init``: a new project's ``syndicate.toml``, ``statements/`` and ``.gitignore``.

Every answer is checked with the rules ``syndicate.toml`` is read with (:mod:`syndicate.config`)
before anything is written; a folder that already holds a project is left alone unless forced.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from syndicate.config import (
    CONFIG_FILE,
    LANGUAGE_CODE,
    LANGUAGE_KEYS,
    SITE_KEYS,
    STATEMENTS_DIR,
)
from syndicate.errors import ContentError, Problem
from syndicate.serve import PREVIEW_DIR
from syndicate.variants import DEFAULT_PDF_VARIANT, PDF_VARIANTS

GITIGNORE = ".gitignore"
# What a publish, its caches and serve's preview write beside the sources: never committed
# ("/dist", not "/dist/": dist is a symbolic link to the current version, not a folder).
IGNORED = ("/dist", "/.dist.*", "/.syndicate-cache/", f"/{PREVIEW_DIR}/", "*.mo")


@dataclass(frozen=True, slots=True)
class Request:
    """What ``init`` was asked for, as typed: ``CODE[=TAG]`` languages (the first is the
    default), ``CODE=TEXT`` issuers and titles, an IANA time zone and the base URL."""

    languages: tuple[str, ...]
    issuers: tuple[str, ...]
    timezone: str
    base_url: str
    titles: tuple[str, ...] = ()
    force: bool = False


@dataclass(frozen=True, slots=True)
class NewLanguage:
    code: str
    tag: str
    issuer: str
    title: str


def language_codes(languages: Iterable[str]) -> list[str]:
    """The codes of ``CODE[=TAG]`` answers.

    >>> language_codes(["pt=pt-PT", "en"])
    ['pt', 'en']
    """
    return [value.partition("=")[0].strip() for value in languages]


def pairs(values: Iterable[str]) -> dict[str, str]:
    """``CODE=TEXT`` answers by code (``TEXT`` may hold ``=``); a value without ``=`` is kept
    under the empty code, for :func:`problems` to name.

    >>> pairs(["pt=Governo de Portugal", "en=A=B"])
    {'pt': 'Governo de Portugal', 'en': 'A=B'}
    """
    found: dict[str, str] = {}
    for value in values:
        code, sign, text = value.partition("=")
        found[code.strip() if sign else ""] = text.strip() if sign else value
    return found


def _check(key: str, value: str) -> str | None:
    rule = SITE_KEYS.get(key) or LANGUAGE_KEYS[key]
    return rule.check(value) if rule.check else None


def _text_problems(option: str, named: dict[str, str], codes: Sequence[str]) -> list[Problem]:
    found = []
    for code, text in named.items():
        if code not in codes:
            found.append(Problem(option, None, f"{code}={text!r}: {code!r} is not one of the "
                                               f"languages ({', '.join(codes)})"
                                 if code else f"{text!r} must be CODE=TEXT, e.g. pt={text}"))
        elif not text.strip() or any(ord(c) < 32 or ord(c) == 127 for c in text):
            found.append(Problem(option, None, f"{code}= must be a line of text, not {text!r}"))
    return found


def _language_problems(request: Request) -> list[Problem]:
    if not request.languages:
        return [Problem("--language", None, "at least one language is needed, e.g. "
                                            "--language pt=pt-PT --language en")]
    found = []
    codes = language_codes(request.languages)
    issuers = pairs(request.issuers)
    for value, code in zip(request.languages, codes, strict=True):
        tag = value.partition("=")[2].strip() or code
        if not LANGUAGE_CODE.match(code):
            found.append(Problem("--language", None, f"language code {code!r} must be lowercase "
                                                     "letters, e.g. 'pt' (then =pt-PT, its tag)"))
        elif message := _check("tag", tag):
            found.append(Problem("--language", None, f"{value}: {message}"))
        if codes.count(code) > 1:
            found.append(Problem("--language", None, f"language {code!r} is given twice"))
        if code not in issuers and LANGUAGE_CODE.match(code):
            found.append(Problem("--issuer", None, f"no issuer for {code!r}: who signs its "
                                                   f"communiqués, e.g. --issuer {code}=NAME"))
    found.extend(_text_problems("--issuer", issuers, codes))
    found.extend(_text_problems("--title", pairs(request.titles), codes))
    return list(dict.fromkeys(found))


def problems(folder: Path, request: Request) -> list[Problem]:
    """Everything wrong with the request, all at once (nothing is written when any)."""
    found = _language_problems(request)
    for option, key, value, example in (
        ("--timezone", "timezone", request.timezone, "an IANA time zone such as Europe/Lisbon"),
        ("--base-url", "base_url", request.base_url, "where the output will be published, "
                                                      "e.g. https://press.example.org/"),
    ):
        if not value:
            found.append(Problem(option, None, f"missing: {example}"))
        elif message := _check(key, value):
            found.append(Problem(option, None, message))
    config = folder / CONFIG_FILE
    if folder.exists() and not folder.is_dir():
        found.append(Problem(str(folder), None, "is a file, not a folder"))
    elif config.exists() and not request.force:
        found.append(Problem(str(config), None, "this folder already holds a syndicate project "
                                                "(`syndicate init --force` writes a new "
                                                "syndicate.toml over this one)"))
    return found


def languages(request: Request) -> list[NewLanguage]:
    issuers, titles = pairs(request.issuers), pairs(request.titles)
    found = []
    for value in request.languages:
        code, _, tag = (part.strip() for part in value.partition("="))
        found.append(NewLanguage(code, tag or code, issuers[code], titles.get(code, issuers[code])))
    return found


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's).

    >>> print(_string('Governo "de" Portugal'))
    "Governo \\"de\\" Portugal"
    """
    return json.dumps(value, ensure_ascii=False)


def config_text(request: Request) -> str:
    """The commented ``syndicate.toml`` for the request."""
    chosen = languages(request)
    lines = [
        "# This press office's site. Every key is checked: `syndicate check` names an unknown or",
        "# misspelt key with its line. The README lists every key.",
        "",
        "# Where the output will be published: feeds, pages and PDFs link to this address.",
        f"base_url = {_string(request.base_url)}",
        "# The IANA time zone of dates, embargoes and datelines.",
        f"timezone = {_string(request.timezone)}",
        "# The language `syndicate new` writes a statement in, unless told otherwise (--lang).",
        f"default_language = {_string(chosen[0].code)}",
    ]
    for language in chosen:
        lines += [
            "",
            f"# {language.code}: statements/<id>/{language.code}.md, /{language.code}/ in the "
            "output; the tag picks words, dates, hyphenation.",
            f"[languages.{language.code}]",
            f"tag = {_string(language.tag)}",
            f"title = {_string(language.title)}  # the feeds' and index pages' title",
            f"issuer = {_string(language.issuer)}  # who signs the communiqués",
            "# description = \"\"  # the feeds' subtitle",
            "# email = \"press@example.org\"  # the feeds' author e-mail",
            f"# [languages.{language.code}.contact]  # ends each page and communiqué",
            "# name = \"Press office\"",
            "# email = \"press@example.org\"",
            "# phone = \"+351 210 000 000\"",
        ]
    lines += [
        "",
        "# [feeds]",
        "# limit = 50  # entries per feed",
        "# hub = \"https://hub.example.org/\"  # a WebSub hub for `syndicate ping`",
        "",
        "# [pdf]",
        f"# variant = \"{DEFAULT_PDF_VARIANT}\"  # or {', '.join(_other_variants())}",
        "# page_size = \"A4\"  # or letter, ...",
        "# logo = \"assets/logo.svg\"  # the issuer's SVG logo on the communiqués",
    ]
    return "\n".join(lines) + "\n"


def _other_variants() -> list[str]:
    return [variant for variant in PDF_VARIANTS if variant != DEFAULT_PDF_VARIANT]


def _gitignore(folder: Path) -> str:
    path = folder / GITIGNORE
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    missing = [line for line in IGNORED if line not in text.splitlines()]
    if not missing:
        return text
    prefix = text if not text or text.endswith("\n") else text + "\n"
    return prefix + "# syndicate's output and caches\n" + "\n".join(missing) + "\n"


@dataclass(frozen=True, slots=True)
class Created:
    written: tuple[Path, ...]
    warnings: tuple[Problem, ...]  # what `check` would warn about the new project's languages


def init(folder: Path, request: Request) -> Created:
    """Write the project; raise :class:`ContentError` with every problem, writing nothing."""
    from syndicate import catalogs
    from syndicate.config import LOCALES_DIR, load_site

    found = problems(folder, request)
    if found:
        raise ContentError(found)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATEMENTS_DIR).mkdir(exist_ok=True)
    written = (folder / CONFIG_FILE, folder / STATEMENTS_DIR, folder / GITIGNORE)
    for path, text in ((written[0], config_text(request)), (written[2], _gitignore(folder))):
        temporary = path.with_name(f".{path.name}.new")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    site = load_site(folder)
    return Created(written, tuple(catalogs.problems(folder / LOCALES_DIR, site)))


def local_timezone() -> str:
    """This machine's IANA time zone (``TZ``, else ``/etc/localtime``'s link), else UTC: the
    default ``init`` offers."""
    zone = os.environ.get("TZ", "").lstrip(":")
    if not zone:
        try:
            zone = os.readlink("/etc/localtime").partition("zoneinfo/")[2]
        except OSError:
            zone = ""
    return zone if zone and not _check("timezone", zone) else "UTC"

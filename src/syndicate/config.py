"""``syndicate.toml`` -> :class:`~syndicate.model.Site`, validated against a declarative schema.

Every problem is collected (unknown keys included) and reported together with its line.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from syndicate.errors import ContentError, Problem
from syndicate.files import read_regular
from syndicate.i18n import cldr_locale, text_direction
from syndicate.model import Contact, Language, Site, normalize_base_url
from syndicate.schema import Key, check_table, locate
from syndicate.variants import DEFAULT_PDF_VARIANT, PDF_VARIANTS

CONFIG_FILE = "syndicate.toml"
STATEMENTS_DIR = "statements"
SHARED_FILE = "statement.yaml"  # in each statement's folder, beside one file per language
LOCALES_DIR = "locales"
OUTPUT_DIR = "dist"  # the published site, unless --out names another folder
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*\Z")  # (not $: a final newline)


_NOT_IN_URLS = re.compile(r'[\s"<>\\^`{|}]')  # characters RFC 3986 leaves out of URLs


def _absolute_url(value: str) -> bool:
    """True for an absolute http(s) URL with a host that the standard library can parse."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:  # "http://[::1/": an unclosed IPv6 address, a bad port...
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and value.isprintable() and not _NOT_IN_URLS.search(value))


def base_url_problem(value: str) -> str | None:
    """What is wrong with ``value`` as the site's base URL (the config's ``base_url`` and every
    command's ``--base-url``), or None.

    >>> base_url_problem("javascript:alert(1)//")
    "base_url must be an absolute http(s) URL, not 'javascript:alert(1)//'"
    >>> base_url_problem("https://press.example.org/") is None
    True
    """
    if not _absolute_url(value):
        return f"base_url must be an absolute http(s) URL, not {value!r}"
    parts = urlsplit(value)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "base_url must not have a query or a fragment"
    return None


def _timezone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r} (use an IANA name such as 'Europe/Lisbon')"
    return None


def _email(value: str) -> str | None:
    if not re.fullmatch(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+", value):
        return f"email must be an address such as 'press@example.org', not {value!r}"
    return None


def _tag(value: str) -> str | None:
    try:
        cldr_locale(value)
    except ValueError:
        return f"unknown BCP 47 language tag {value!r} (e.g. 'en', 'pt-PT')"
    return None


SITE_KEYS: dict[str, Key] = {
    "base_url": Key(True, str, base_url_problem),
    "timezone": Key(True, str, _timezone),
    "default_language": Key(True, str),
    "languages": Key(True, dict),
    "feeds": Key(False, dict),
    "pdf": Key(False, dict),
    "mail": Key(False, dict),
    "seal": Key(False, dict),  # see syndicate.seal.settings
    "editions": Key(False, dict),
}
LANGUAGE_KEYS: dict[str, Key] = {
    "tag": Key(True, str, _tag),
    "title": Key(True, str),
    "issuer": Key(True, str),
    "description": Key(False, str),
    "email": Key(False, str, _email),
    "contact": Key(False, dict),
}
PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*")


def _phone(value: str) -> str | None:
    if not PHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 3:
        return (f"phone must be digits, spaces, '+', '(', ')', '-', '.' or '/' "
                f"(e.g. '+351 213 923 500'), not {value!r}")
    return None


CONTACT_KEYS: dict[str, Key] = {
    "name": Key(False, str),
    "email": Key(False, str, _email),
    "phone": Key(False, str, _phone),
}


def _limit(value: int) -> str | None:
    if isinstance(value, bool) or value < 1:
        return f"limit must be a whole number of entries, at least 1, not {value!r}"
    return None


def _absolute(name: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if not _absolute_url(value):
            return f"{name} must be an absolute http(s) URL, not {value!r}"
        return None

    return check


FEEDS_KEYS: dict[str, Key] = {
    "limit": Key(False, int, _limit),
    "hub": Key(False, str, _absolute("hub")),
    "icon": Key(False, str, _absolute("icon")),
    "logo": Key(False, str, _absolute("logo")),
}
PAGE_SIZE = re.compile(
    r"(?i)(a[3-5]|b[45]|jis-b[45]|letter|legal|ledger)( (portrait|landscape))?"
)


def _variant(value: str) -> str | None:
    if value not in PDF_VARIANTS:
        return f"variant must be one of {', '.join(PDF_VARIANTS)}, not {value!r}"
    return None


def _page_size(value: str) -> str | None:
    if not PAGE_SIZE.fullmatch(value):
        return f"page_size must be a CSS page size such as 'A4' or 'letter', not {value!r}"
    return None


def _logo(value: str) -> str | None:
    path = Path(value)
    if path.is_absolute() or ".." in path.parts or path.suffix.lower() != ".svg":
        return f"logo must be an .svg file inside the project (assets/logo.svg), not {value!r}"
    return None


PDF_KEYS: dict[str, Key] = {
    "variant": Key(False, str, _variant),
    "page_size": Key(False, str, _page_size),
    "logo": Key(False, str, _logo),
}
MAIL_KEYS: dict[str, Key] = {  # `syndicate send` (see syndicate.mail.settings for the defaults)
    "host": Key(True, str),
    "port": Key(False, int, lambda v: None if 0 < v < 65536 else f"port must be 1-65535, not {v}"),
    "security": Key(False, str, lambda v: None if v in ("starttls", "tls", "none")
                    else f"security must be starttls, tls or none, not {v!r}"),
    "from": Key(True, str, _email),
    "reply_to": Key(False, str, _email),
    "rate": Key(False, int, lambda v: None if v >= 0
                else "rate must be messages per second, 0 for no limit"),
    "connections": Key(False, int, lambda v: None if 1 <= v <= 32
                       else f"connections must be 1-32, not {v}"),
    "timeout": Key(False, int, lambda v: None if v >= 1 else "timeout must be at least 1 second"),
    "retries": Key(False, int, lambda v: None if v >= 0 else "retries must be 0 or more"),
    "retry_delay": Key(False, int, lambda v: None if v >= 0 else "retry_delay must be 0 or more"),
    "attach": Key(False, str, lambda v: None if v in ("pdf", "link")
                  else f"attach must be pdf or link, not {v!r}"),
    "unsubscribe": Key(False, str, lambda v: unsubscribe_problem(v)),
    "cafile": Key(False, str),
    "dkim_key": Key(False, str),
    "dkim_selector": Key(False, str),
    "dkim_domain": Key(False, str),
}
UNSUBSCRIBE_FIELDS = {"address", "list", "lang", "token"}
EDITIONS_KEYS: dict[str, Key] = {"sets": Key(True, list)}  # e.g. sets = [["pt", "en", "ar"]]


def _http_url(key: str) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        ok = (value.startswith(("http://", "https://")) and value.isprintable()
              and " " not in value)
        return None if ok else f"{key} must be an http(s) URL, not {value!r}"
    return problem


SEAL_KEYS: dict[str, Key] = {  # PAdES seals (see syndicate.seal.settings for each key)
    "pkcs12": Key(False, str),
    "pkcs11_module": Key(False, str),
    "pkcs11_token_label": Key(False, str),
    "pkcs11_slot": Key(False, int, lambda v: None if v >= 0
                       else f"pkcs11_slot must be 0 or more, not {v}"),
    "pkcs11_key_label": Key(False, str),
    "pkcs11_cert_label": Key(False, str),
    "chain": Key(False, list),
    "timestamp_url": Key(False, str, _http_url("timestamp_url")),
    "trust_roots": Key(False, list),
    "reason": Key(False, dict),
    "location": Key(False, dict),
    "verify_url": Key(False, str, _http_url("verify_url")),
}


def _edition_sets(
    editions: dict[str, Any], codes: list[str], text: str, path: str
) -> tuple[tuple[tuple[str, ...], ...], list[Problem]]:
    """``[editions] sets``: lists of two or more configured languages, each once."""
    problems = check_table(editions, EDITIONS_KEYS, ("editions",), text, path)
    sets = editions.get("sets")
    if not isinstance(sets, list):
        return (), problems
    line = locate(text, ("editions",), "sets")
    found = []
    for number, chosen in enumerate(sets, 1):
        where = f"[editions] sets: edition {number}"
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            problems.append(Problem(path, line, f"{where} must be a list of language codes"))
            continue
        if unknown := [c for c in chosen if c not in codes]:
            problems.append(Problem(path, line, f"{where}: unknown language(s) "
                                    f"{', '.join(map(repr, unknown))} (configured: "
                                    f"{', '.join(codes)})"))
        if len(set(chosen)) != len(chosen) or len(chosen) < 2:
            problems.append(Problem(path, line, f"{where} must name two or more different "
                                    f"languages, not {chosen!r}"))
        found.append(tuple(chosen))
    return tuple(found), problems


def unsubscribe_problem(template: str) -> str | None:
    """What is wrong with an unsubscribe URL template (https: or mailto:, known fields)."""
    import string

    if not template.startswith(("https://", "mailto:")):
        return f"unsubscribe must be an https: or mailto: URL template, not {template!r}"
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        return f"unsubscribe template: {exc}"
    if unknown := fields - UNSUBSCRIBE_FIELDS:
        return (f"unsubscribe template: unknown field(s) {', '.join(sorted(unknown))} "
                f"(known: {', '.join(sorted(UNSUBSCRIBE_FIELDS))})")
    return None


def _contact(
    values: object, language: tuple[str, ...], text: str, path: str
) -> tuple[Contact | None, list[Problem]]:
    """``[languages.<code>.contact]``: the press contact, or None when there is none."""
    if not isinstance(values, dict):
        return None, []  # absent, or reported by the language's own check
    table = (*language, "contact")
    problems = check_table(values, CONTACT_KEYS, table, text, path)
    header = locate(text, table, None) or locate(text, language, "contact")
    problems = [p if p.line else Problem(p.path, header, p.message) for p in problems]
    if not problems and not (values.get("email") or values.get("phone")):
        problems.append(Problem(path, header, f"[{'.'.join(table)}] needs an email or a phone"))
    if problems:
        return None, problems
    return Contact(values.get("name", ""), values.get("email", ""), values.get("phone", "")), []


def publishing_site(project: Path, base_url: str | None = None,
                    pdf_variant: str | None = None) -> Site:
    """:func:`load_site`, with a publish's ``--base-url`` and ``--pdf-variant`` applied."""
    site = load_site(project)
    if base_url:
        site = site.with_base_url(base_url)
    if pdf_variant:
        site = replace(site, pdf_variant=pdf_variant)
    return site


def load_site(project: Path) -> Site:
    """Read and validate ``syndicate.toml``; raise :class:`ContentError` with every problem."""
    path = project / CONFIG_FILE
    shown = str(path)
    text, data = _read_toml(path)
    problems = check_table(data, SITE_KEYS, (), text, shown)
    feeds = _table(data, "feeds")
    problems.extend(check_table(feeds, FEEDS_KEYS, ("feeds",), text, shown))
    pdf = _table(data, "pdf")
    problems.extend(check_table(pdf, PDF_KEYS, ("pdf",), text, shown))
    sets: tuple[tuple[str, ...], ...] | None = None
    if isinstance(editions := data.get("editions"), dict):
        codes = list(data["languages"]) if isinstance(data.get("languages"), dict) else []
        sets, found = _edition_sets(editions, codes, text, shown)
        problems.extend(found)
    if isinstance(mail := data.get("mail"), dict):
        problems.extend(check_table(mail, MAIL_KEYS, ("mail",), text, shown))
    seal = _table(data, "seal")
    problems.extend(check_table(seal, SEAL_KEYS, ("seal",), text, shown))
    languages, found = _languages(data.get("languages"), text, shown)
    problems.extend(found)
    problems.extend(_default_language(data, text, shown))
    if problems:
        raise ContentError(problems)
    return Site(
        base_url=normalize_base_url(data["base_url"]),
        timezone=data["timezone"],
        languages=tuple(languages),
        default_language=str(data.get("default_language")),
        feed_limit=feeds.get("limit", 50),
        websub_hub=feeds.get("hub", ""),
        feed_icon=feeds.get("icon", ""),
        feed_logo=feeds.get("logo", ""),
        pdf_variant=pdf.get("variant", DEFAULT_PDF_VARIANT),
        page_size=pdf.get("page_size", "A4"),
        logo=pdf.get("logo", ""),
        editions=sets,
        sealed="seal" in data,
        seal_url=seal.get("verify_url", ""),
    )


def _table(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The table ``name`` (empty when absent, or when not a table: reported elsewhere)."""
    table = data.get(name)
    return table if isinstance(table, dict) else {}


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """(the text, the parsed document) of ``syndicate.toml``; ContentError when it cannot be
    read as UTF-8 TOML."""
    shown = str(path)
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        raise ContentError(
            [Problem(shown, None, "no syndicate.toml here (use --project DIR, or start a "
                                  "project with `syndicate init`)")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError([Problem(shown, line, "invalid UTF-8")]) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ContentError(
            [Problem(shown, int(match.group(1)) if match else None, f"invalid TOML: {exc}")]
        ) from None
    except ValueError:  # Python's limit on the digits of a number (4,300)
        long = re.search(r"\d{4000,}", text)
        where = text.count("\n", 0, long.start()) + 1 if long else None
        raise ContentError([Problem(shown, where, "invalid TOML: a number too long to read")]
                           ) from None


def _languages(raw: object, text: str, shown: str) -> tuple[list[Language], list[Problem]]:
    """``[languages.<code>]``: each language, and the problems of those that have some."""
    if not isinstance(raw, dict):
        return [], []
    problems: list[Problem] = []
    if not raw:
        problems.append(Problem(shown, locate(text, ("languages",), None),
                                "at least one language must be configured"))
    languages = []
    for code, values in raw.items():
        language, found = _language(code, values, text, shown)
        problems.extend(found)
        if language is not None:
            languages.append(language)
    return languages, problems


def _language(code: str, values: object, text: str,
              shown: str) -> tuple[Language | None, list[Problem]]:
    table = ("languages", code)
    problems = []
    if not LANGUAGE_CODE.match(code):
        problems.append(Problem(shown, locate(text, table, None),
                                f"language code {code!r} must be lowercase letters "
                                "(e.g. 'en', 'pt')"))
    if not isinstance(values, dict):
        problems.append(Problem(shown, locate(text, ("languages",), code),
                                f"[languages.{code}] must be a table"))
        return None, problems
    found = check_table(values, LANGUAGE_KEYS, table, text, shown)
    contact, contact_problems = _contact(values.get("contact"), table, text, shown)
    found.extend(contact_problems)
    if found:
        return None, [*problems, *found]
    locale = cldr_locale(values["tag"])
    return Language(code=code, tag=values["tag"], locale=locale, title=values["title"],
                    issuer=values["issuer"], description=values.get("description", ""),
                    email=values.get("email", ""), direction=text_direction(locale),
                    contact=contact), problems


def _default_language(data: dict[str, Any], text: str, shown: str) -> list[Problem]:
    """default_language must name a configured language."""
    default, languages = data.get("default_language"), data.get("languages")
    if not isinstance(default, str) or not isinstance(languages, dict) or default in languages:
        return []
    return [Problem(shown, locate(text, (), "default_language"),
                    f"default_language {default!r} is not one of the configured "
                    f"languages ({', '.join(languages)})")]

"""Structured data: the schema.org ``NewsArticle`` of a statement page, as JSON-LD.

Search engines and news aggregators read it from ``<script type="application/ld+json">`` in the
page's head. Its dates are the feeds' (``datePublished`` is when the statement went live, its
embargo lift or its date; ``dateModified`` its correction), its image the Open Graph card, and
the translations of one statement point at each other: a translation names the original with
``translationOfWork``, the original lists its translations with ``workTranslation``.
"""

from __future__ import annotations

import json
from datetime import datetime

from syndicate.model import Site, Statement

CONTEXT = "https://schema.org"
# In a <script> element, "</script" ends it and "<!--" changes how the HTML parser reads it
# (https://html.spec.whatwg.org/#restrictions-for-contents-of-script-elements): written as JSON
# escapes, these characters stay the same JSON values and can never be read as markup.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """``data`` as JSON that is safe inside an HTML ``<script>`` element, whatever its strings.

    >>> script_json({"headline": "</script><!-- & more"})
    '{"headline": "\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u0026 more"}'
    """
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


def news_article(site: Site, statement: Statement, lang: str,
                 image: dict[str, object]) -> dict[str, object]:
    """The ``NewsArticle`` of ``statement``'s page in ``lang``; ``image`` is its card (the
    ``url``, ``width`` and ``height`` the Open Graph tags give)."""
    language = site.language(lang)
    translation = statement.translation(lang)
    assert translation is not None
    url = site.page_url(statement.id, lang)
    issuer = {"@type": "Organization", "name": language.issuer, "url": site.index_url(lang)}
    publisher: dict[str, object] = dict(issuer)
    if logo := site.feed_logo or site.feed_icon:
        publisher["logo"] = {"@type": "ImageObject", "url": logo}
    article: dict[str, object] = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": translation.title,
        "description": translation.summary or language.description,  # the meta description
        "inLanguage": language.tag,
        "datePublished": published_time(site, statement),
    }
    if not article["description"]:
        del article["description"]
    if statement.updated is not None:
        article["dateModified"] = modified_time(site, statement)
    article.update({
        "author": issuer,
        "publisher": publisher,
        "image": {"@type": "ImageObject", "url": image["url"], "width": image["width"],
                  "height": image["height"]},
    })
    if translation.tags:
        article["keywords"] = list(translation.tags)
    if lang != statement.original:
        article["translationOfWork"] = _other(site, statement, statement.original)
    else:
        others = [t.lang for t in statement.translations if t.lang != lang]
        if others:
            article["workTranslation"] = [_other(site, statement, code) for code in others]
    return article


def _other(site: Site, statement: Statement, lang: str) -> dict[str, str]:
    """Another language's page of the same statement, by its URL (its article's ``@id``)."""
    url = site.page_url(statement.id, lang)
    return {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": site.language(lang).tag}


def published_time(site: Site, statement: Statement) -> str:
    """When the statement went live, as its page (``article:published_time``, JSON-LD) and
    feeds say it."""
    return _iso(site, statement.goes_live)


def modified_time(site: Site, statement: Statement) -> str:
    """When readers last saw the statement change (its going live or a later correction), as
    its page says it (``article:modified_time``; JSON-LD's ``dateModified`` when corrected).
    ``send`` reads it back to know that a published page is the statement's current version."""
    return _iso(site, statement.revised)


def _iso(site: Site, when: datetime) -> str:
    """A date as the feeds write it: ISO 8601 in the site's time zone."""
    return when.astimezone(site.tzinfo).isoformat()

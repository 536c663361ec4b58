"""feedgen extensions for what feedgen 1.0.0 cannot write by itself.

- :class:`FeedHead`: RSS gets from feedgen only the ``self`` ``atom:link``; the WebSub ``hub``
  and the RFC 5005 ``current`` / ``prev-archive`` / ``next-archive`` links are added here as
  ``atom:link`` elements, and an archive document (RSS or Atom) gets its ``fh:archive`` marker.
- :class:`EntryLanguage`: an Atom entry's own ``xml:lang``, for the all-languages feed.

Use them through :func:`set_head` and :func:`set_entry_language`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

FEED_HISTORY = "http://purl.org/syndication/history/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HEAD_EXTENSION = "syndicate_feed_head"
LANGUAGE_EXTENSION = "syndicate_entry_language"


class FeedHead(BaseExtension):  # type: ignore[misc]
    """Feed extension: extra ``atom:link`` elements in RSS and the ``fh:archive`` marker."""

    def __init__(self) -> None:
        self.rss_links: list[dict[str, str]] = []
        self.archive = False

    def extend_ns(self) -> dict[str, str]:
        return {"fh": FEED_HISTORY} if self.archive else {}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed.find("channel")
        assert channel is not None
        position = _before_items(channel, "item")
        # right after feedgen's atom:link rel="self" when there is one
        selves = [i for i, child in enumerate(channel) if child.tag == f"{{{ATOM_NS}}}link"]
        if selves:
            position = selves[0] + 1
        for offset, link in enumerate(self.rss_links):
            element = etree.Element(f"{{{ATOM_NS}}}link", nsmap={"atom": ATOM_NS})
            for name in ("href", "rel", "type", "hreflang"):
                if link.get(name):
                    element.set(name, link[name])
            channel.insert(position + offset, element)
        if self.archive:
            channel.insert(_before_items(channel, "item"), _archive_marker())
        return feed

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        if self.archive:
            feed.insert(_before_items(feed, "entry"), _archive_marker())
        return feed


class EntryLanguage(BaseEntryExtension):  # type: ignore[misc]
    """Entry extension: sets ``xml:lang`` on the Atom ``<entry>``."""

    def __init__(self) -> None:
        self.tag = ""

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        if self.tag:
            entry.set(XML_LANG, self.tag)
        return entry


def set_head(generator: FeedGenerator, links: Sequence[Mapping[str, str]], *,
             archive: bool) -> None:
    """Add ``links`` (not ``self``, which feedgen writes) to RSS; mark an archive document."""
    generator.register_extension(HEAD_EXTENSION, FeedHead, atom=True, rss=True)
    head: FeedHead = getattr(generator, HEAD_EXTENSION)
    head.rss_links = [dict(link) for link in links if link.get("rel") not in ("self", "alternate")]
    head.archive = archive


def set_entry_language(entry: FeedEntry, tag: str) -> None:
    entry.register_extension(LANGUAGE_EXTENSION, EntryLanguage, atom=True, rss=False)
    extension: EntryLanguage = getattr(entry, LANGUAGE_EXTENSION)
    extension.tag = tag


def _before_items(parent: etree._Element, local_name: str) -> int:
    for index, child in enumerate(parent):
        if isinstance(child.tag, str) and etree.QName(child).localname == local_name:
            return index
    return len(parent)


def _archive_marker() -> etree._Element:
    return etree.Element(f"{{{FEED_HISTORY}}}archive", nsmap={"fh": FEED_HISTORY})

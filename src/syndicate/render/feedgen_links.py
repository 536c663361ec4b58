"""Workaround: feedgen 1.0.0 writes Atom *entry* links with ``href`` only.

In ``FeedEntry.atom_entry`` the loop variable holding a link's data is rebound to the new
``<link>`` element before ``rel``, ``type``, ``hreflang``, ``title`` and ``length`` are read
from it, so those attributes are silently dropped (upstream issues 135 and 143; feed-level links
and the RSS output are fine). Without them an enclosure reads as an alternate and translations
lose their ``hreflang``.

:func:`set_links` is the one way the feed renderer gives an entry its links: it stores them with
feedgen as usual (which feeds the RSS ``<link>`` and ``<enclosure>``) and registers
:class:`AtomLinkAttributes`, an entry extension that puts the missing attributes back on the
links feedgen wrote, from the very data feedgen keeps. ``tests/render/test_feeds.py`` pins the
bug; when that test reports feedgen fixed, delete this module and call ``entry.link`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from lxml import etree

EXTENSION_NAME = "syndicate_atom_link_attributes"
_ATTRIBUTES = ("rel", "type", "hreflang", "title", "length")


class AtomLinkAttributes(BaseEntryExtension):  # type: ignore[misc]
    """Entry extension restoring the attributes of an Atom entry's ``<link>`` elements."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Copy each link's attributes onto the ``<link>`` feedgen wrote for it, in order."""
        # feedgen builds the Atom tree without namespaces (it writes ``xmlns`` as a plain
        # attribute of <feed>), so match on the local name.
        elements = [child for child in entry if etree.QName(child).localname == "link"]
        if [element.get("href") for element in elements] != [link["href"] for link in self.links]:
            raise RuntimeError("feedgen's Atom entry links no longer match the links it was given")
        for element, link in zip(elements, self.links, strict=True):
            for name in _ATTRIBUTES:
                if link.get(name):
                    element.set(name, link[name])
        return entry


def set_links(entry: FeedEntry, links: Sequence[Mapping[str, str]]) -> None:
    """Give ``entry`` its links (dicts with ``href`` and optionally the Atom link attributes).

    RSS takes its ``<link>`` from the last ``alternate`` and its ``<enclosure>`` from the last
    ``enclosure``, as feedgen documents; Atom gets every link, with all its attributes.
    """
    stored = entry.link([dict(link) for link in links], replace=True)
    if not hasattr(entry, EXTENSION_NAME):
        entry.register_extension(EXTENSION_NAME, AtomLinkAttributes, atom=True, rss=False)
    extension: AtomLinkAttributes = getattr(entry, EXTENSION_NAME)
    extension.links = [dict(link) for link in stored]

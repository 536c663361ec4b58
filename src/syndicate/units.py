"""What a publish renders, one unit at a time, and what every renderer needs once.

A :class:`Unit` is the smallest thing a publish renders or reuses: one communiqué and its
preview, a multilingual edition and its preview, one social card, or one page with its share
file (see :mod:`syndicate.kinds`). The :class:`Context` is what each process that renders
needs once: the site, the interface catalogs compiled to bytes, the logo; it is built once
per publish and shipped to worker processes as data.
"""

from __future__ import annotations

import gettext
import hashlib
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from syndicate.errors import Problem
from syndicate.model import Artifact, Entry, Image, Site, Statement

Kind = Literal["pdf", "bilingual", "card", "page"]


class Unit(NamedTuple):
    """(A named tuple, not a frozen dataclass: a plan makes one per unit of the archive, over
    100,000 at 16,000 statements, and a frozen dataclass takes four times as long to make.)"""

    kind: Kind
    statement: Statement
    lang: str  # the language ("mul" for the multilingual edition)
    key: str  # the hash of every input (see syndicate.cache)
    # The image files its output shows, as read (a worker never reads the project): given
    # to a unit about to render, not to one that is reused.
    images: tuple[Image, ...] = ()
    langs: tuple[str, ...] = ()  # a multilingual edition's languages, in order

    def in_memory(self) -> Unit:
        """This unit with its statement's words in memory (a worker never reads the project)."""
        return self._replace(statement=self.statement.in_memory())

    @property
    def name(self) -> str:
        edition = f":{'-'.join(self.langs)}" if self.langs else ""
        return f"{self.kind}:{self.statement.id}:{self.lang}{edition}"


@dataclass(frozen=True, slots=True)
class Context:
    """What every process that renders needs once: the site, the interface catalogs (compiled
    ``.mo`` bytes, None for none) and the logo."""

    site: Site
    catalogs: Mapping[str, bytes | None]
    logo: bytes | None

    def translations(self) -> dict[str, gettext.NullTranslations]:
        from syndicate.i18n import translations_from

        return {code: translations_from(data) for code, data in self.catalogs.items()}

    def pickled(self) -> tuple[str, bytes]:
        """(its key, its pickled bytes): a worker keeps its renderers by the hash of the
        bytes, so that the same context, sent again, finds them."""
        blob = pickle.dumps(self)
        return context_key(blob), blob


def context_key(blob: bytes) -> str:
    """The key a worker keeps its renderers by: the hash of the pickled context."""
    return hashlib.sha256(blob).hexdigest()


def compiled_catalogs(locales: Path, site: Site) -> dict[str, bytes | None]:
    """Each language's interface words (the project's ``locales/`` over the packaged catalogs)
    compiled to ``.mo`` bytes, as :func:`i18n.load_translations` loads them."""
    from syndicate.i18n import compiled_catalog

    return {language.code: compiled_catalog(locales, language.locale)
            for language in site.languages}


def project_context(root: Path, base_url: str | None = None,
                    pdf_variant: str | None = None) -> Context:
    """The context a publish of the project at ``root`` (with ``base_url`` and
    ``pdf_variant``, as given) hands its workers, everything read from the project's files."""
    from syndicate.assets import load_logo
    from syndicate.config import LOCALES_DIR, publishing_site

    site = publishing_site(root, base_url, pdf_variant)
    return Context(site, compiled_catalogs(root / LOCALES_DIR, site), load_logo(root, site))


@dataclass(slots=True)
class Outcome:
    """What a unit produced: manifest entries (written where it rendered) or artifacts (bytes
    for the publishing process to write), or problems."""

    unit: str
    entries: list[Entry] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_into(folder: Path) -> Callable[[Artifact], None]:
    """A function writing an artifact into ``folder`` (a publish's staging folder)."""
    from syndicate.output import write_file

    def write(artifact: Artifact) -> None:
        if not folder.is_dir():  # the publish is gone: never make its staging folder again
            raise FileNotFoundError(f"staging folder {folder} is gone")
        target = folder / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, artifact.data)

    return write

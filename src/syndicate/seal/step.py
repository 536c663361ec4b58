"""The seal step of a publish: between rendering and writing, its own cache.

A communiqué's layout and its seal are cached apart. The layout's key (:mod:`syndicate.plan`)
knows that the PDFs are sealed (a line in them says so) but not with which key; the seal's
identity (:attr:`Seal.identity`) is the certificate, its chain, the reason and location, the
timestamp authority and the pyHanko release. The cache index keeps, per unit, the identity its
PDFs were sealed with and each PDF's layout (the bytes the seal was appended to: a prefix of
the sealed file, its size and SHA-256). So:

- a unit laid out now is sealed as its outcome arrives (:meth:`SealStep.sealed`);
- a unit whose layout is unchanged but whose seal is not (a rotated key, a new reason, the
  seal turned on or off) is re-sealed from the current version's file, without a layout
  (:meth:`SealStep.resealed`);
- a unit whose layout and seal are unchanged is linked, sealed bytes and all (a no-op publish
  writes nothing, timestamp authority or not).

The signing time is the statement's (its last revision), never the clock's, and never before
the certificate's own start: without a timestamp authority, the same inputs give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from syndicate import cache
from syndicate.errors import ContentError, Problem
from syndicate.files import read_regular
from syndicate.model import Artifact, Entry, Site, Statement
from syndicate.versions import library_version

if TYPE_CHECKING:
    from syndicate.seal.settings import SealSettings
    from syndicate.seal.signer import Sealer

SEALED_KINDS = frozenset({"pdf", "bilingual"})  # the units whose PDFs carry a seal


@dataclass(frozen=True, slots=True)
class Seal:
    """An opened seal: the settings, the checked signer, and the identity of its seals."""

    settings: SealSettings
    sealer: Sealer
    site: Site
    identity: str

    def signing_time(self, statements: Iterable[Statement]) -> datetime:
        """The newest revision of ``statements``, or the certificate's start if later."""
        start = self.sealer.certificate.not_valid_before_utc
        return max([start, *(statement.revised for statement in statements)])

    def seal(self, pdf: bytes, entry: Entry, statement: Statement) -> bytes:
        """``pdf`` sealed in its language (a multilingual edition: the default language's)."""
        from syndicate.seal.sealing import seal_pdf

        lang = entry.lang if entry.lang in self.site.language_codes else (
            self.site.default_language)
        return seal_pdf(pdf, self.sealer, self.settings, lang, self.signing_time([statement]))

    def sign_manifest(self, manifest: bytes, statements: Iterable[Statement]) -> bytes:
        """``manifest.json``'s detached signature, at the newest statement's time."""
        from syndicate.seal.sealing import sign_manifest

        return sign_manifest(manifest, self.sealer, self.signing_time(statements))


@contextmanager
def open_seal(root: Path, site: Site, now: datetime) -> Iterator[Seal | None]:
    """The project's seal, checked at ``now`` and open while the block runs; None when
    ``syndicate.toml`` has no ``[seal]``. Raises :class:`ContentError` for the table's
    problems and :class:`SealError` for a key, certificate or authority that cannot seal."""
    if not site.sealed:
        yield None
        return
    from syndicate.seal.settings import load_seal_settings
    from syndicate.seal.signer import open_sealer

    settings = load_seal_settings(root)
    assert settings is not None  # (site.sealed: the table is there)
    with open_sealer(settings, now) as sealer:
        yield Seal(settings, sealer, site, _identity(settings, sealer))


def _identity(settings: SealSettings, sealer: Sealer) -> str:
    """What a seal is made of besides the PDF and the statement's time: the certificate and
    every certificate the signer embeds, the reasons and locations, the timestamp authority
    (its address without a user name or password), pyHanko's release and this package's code."""
    embedded = sorted(certificate.dump() for certificate in sealer.signer.cert_registry)
    authority = urlsplit(settings.timestamp_url or "")
    host = (authority.hostname or "") + (f":{authority.port}" if authority.port else "")
    code = [path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py"))]
    return cache.digest("seal", sealer.fingerprint, embedded, sorted(settings.reason),
                        sorted(settings.location), authority._replace(netloc=host).geturl(),
                        library_version("pyhanko"), code)


@dataclass(slots=True)
class SealStep:
    """A publish's seals: made as the PDFs arrive or from the current version's, and their
    records for the cache index (by unit key: the identity, and each PDF's layout)."""

    seal: Seal | None
    records: dict[str, dict[str, object]] = field(default_factory=dict)

    def kept(self, key: str, record: object) -> None:
        """A unit reused as it is: its record goes on."""
        if isinstance(record, dict):
            self.records[key] = record

    def sealed(self, folder: Path, key: str, entries: list[Entry],
               statement: Statement) -> list[Entry]:
        """Seal the PDFs among ``entries``, written in ``folder`` by a renderer, in place;
        their new entries."""
        if self.seal is None:
            return entries
        layouts: dict[str, list[object]] = {}
        result = []
        for entry in entries:
            if entry.path.endswith(".pdf"):
                layout = read_regular(folder / entry.path)
                layouts[entry.path] = [len(layout), hashlib.sha256(layout).hexdigest()]
                entry = _write(folder / entry.path, entry,
                               self.seal.seal(layout, entry, statement))
            result.append(entry)
        self.records[key] = {"seal": self.seal.identity, "layouts": layouts}
        return result

    def resealed(self, current: Path, key: str, entries: list[Entry], record: object,
                 statement: Statement) -> list[Artifact]:
        """The PDFs among a unit's files, whose layout is in the current version, sealed with
        this seal (or without a seal, if there is none now); its other files are unchanged."""
        layouts = record.get("layouts") if isinstance(record, dict) else None
        artifacts, new = [], {}
        for entry in entries:
            if entry.path.endswith(".pdf"):
                data = _layout(current, entry, read_regular(current / entry.path), layouts)
                new[entry.path] = [len(data), hashlib.sha256(data).hexdigest()]
                if self.seal is not None:
                    data = self.seal.seal(data, entry, statement)
                artifacts.append(Artifact(entry.path, entry.kind, entry.lang, entry.statement,
                                          data))
        if self.seal is not None:
            self.records[key] = {"seal": self.seal.identity, "layouts": new}
        return artifacts


def recorded_identity(record: object) -> str | None:
    """The seal identity a unit's record names (None: its PDFs are not sealed)."""
    identity = record.get("seal") if isinstance(record, dict) else None
    return identity if isinstance(identity, str) else None


def _layout(current: Path, entry: Entry, data: bytes,
            layouts: Mapping[str, object] | None) -> bytes:
    """The bytes a PDF's seal was appended to (a PDF without a seal: all of it), checked."""
    size, digest = len(data), entry.sha256
    recorded = layouts.get(entry.path) if layouts is not None else None
    if isinstance(recorded, list) and len(recorded) == 2:
        size, digest = recorded
    layout = data[:size] if isinstance(size, int) else b""
    if hashlib.sha256(layout).hexdigest() != digest:
        raise ContentError([Problem(str(current / entry.path), None,
                                    "changed since it was published: cannot re-seal it "
                                    "(publish into a new output folder)")])
    return layout


def _write(path: Path, entry: Entry, data: bytes) -> Entry:
    """``data`` written over the staging folder's file ``path``; its new entry."""
    from syndicate.output import write_file

    write_file(path, data)
    return Artifact(entry.path, entry.kind, entry.lang, entry.statement, data).manifest_entry()

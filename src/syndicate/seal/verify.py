"""Verifying: a sealed PDF, or a published folder (its signed manifest and every file's hash).

Each check returns plain data a command can print: ok, or the reasons in plain language.
Nothing is fetched from the network: the chain is built from the seal's own certificates up
to the trust roots given, and revocation is not checked (a throw-away or offline PKI has no
responder; the seals' B-T timestamps carry the time instead).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPMessage
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import quote, urlsplit

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis.policy_api import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    PdfSignatureStatus,
    SignatureCoverageLevel,
    SignatureStatus,
    StandardCMSSignatureStatus,
)
from pyhanko_certvalidator import ValidationContext

from syndicate.output import MANIFEST, MANIFEST_SIGNATURE
from syndicate.seal import report
from syndicate.seal.report import Words, english
from syndicate.seal.signer import SealError, first_line, load_certificate, quiet_pyhanko

# A seal's certificate may sign with either bit (ETSI's seals use nonRepudiation).
USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                            match_all_key_usages=False)

@dataclass(frozen=True, slots=True)
class PdfVerdict:
    """What a PDF's seal shows: ``problems`` is empty when it holds."""

    problems: tuple[str, ...]
    signer: str = ""  # the certificate's subject
    signing_time: datetime | None = None  # as the seal claims it
    timestamp: datetime | None = None  # the timestamp authority's (PAdES B-T)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        return self.describe(english)

    def describe(self, words: Words) -> str:
        """The verdict in the words given (see :mod:`syndicate.seal.report`)."""
        if self.problems:
            return "; ".join(self.problems)
        level = "PAdES B-T" if self.timestamp else "PAdES B-B"
        when = self.timestamp or self.signing_time
        if when is None:
            return words(report.SEALED_BY) % {"signer": self.signer, "level": level}
        return words(report.SEALED_BY_AT) % {"signer": self.signer, "level": level,
                                             "when": f"{when:%Y-%m-%d %H:%M %Z}"}


@dataclass(frozen=True, slots=True)
class FileVerdict:
    path: str  # as the manifest writes it (or the folder's own file)
    ok: bool
    reason: str  # plain language: why not, or what holds


@dataclass(frozen=True, slots=True)
class FolderVerdict:
    manifest: FileVerdict  # the manifest's signature
    files: tuple[FileVerdict, ...]

    @property
    def ok(self) -> bool:
        return self.manifest.ok and all(file.ok for file in self.files)


def load_trust_roots(paths: Sequence[Path]) -> tuple[asn1_x509.Certificate, ...]:
    """The roots' certificates (PEM or DER files); a :class:`SealError` for a bad one."""
    return tuple(load_certificate(path) for path in paths)


def _context(roots: Sequence[asn1_x509.Certificate], now: datetime) -> ValidationContext:
    return ValidationContext(trust_roots=list(roots), moment=now, allow_fetching=False,
                             revocation_mode="soft-fail")


@quiet_pyhanko()
def verify_pdf(data: bytes, trust_roots: Sequence[asn1_x509.Certificate],
               now: datetime, words: Words = english) -> PdfVerdict:
    """The seal of a PDF: the signature intact and valid, its certificate leading to one of
    ``trust_roots`` at ``now``, its timestamp (if any) as good, and nothing but validation
    data appended after it."""
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 (pyHanko's reader raises many kinds for a bad file)
        return PdfVerdict((words(report.NOT_A_PDF) % {"detail": first_line(exc)},))
    if not signatures:
        return PdfVerdict((words(report.NOT_SEALED),))
    verdicts = [_signature(signature, trust_roots, now, words) for signature in signatures]
    problems = tuple(problem for verdict in verdicts for problem in verdict.problems)
    first = verdicts[0]
    return PdfVerdict(problems, first.signer, first.signing_time, first.timestamp)


def _signature(signature: EmbeddedPdfSignature, roots: Sequence[asn1_x509.Certificate],
               now: datetime, words: Words) -> PdfVerdict:
    try:
        status = _validated(signature, roots, now)
    except Exception as exc:  # noqa: BLE001 (a damaged signature: asn1crypto's, pyHanko's)
        return PdfVerdict((words(report.SEAL_UNREADABLE) % {"detail": first_line(exc)},))
    problems = list(_status_problems(status, report.SEAL, words))
    # Only validation data (PAdES B-LT, B-LTA) may follow the seal; not a byte else.
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
            status.modification_level != ModificationLevel.LTA_UPDATES):
        problems.append(words(report.APPENDED))
    stamp = status.timestamp_validity
    if stamp is not None:
        problems += _status_problems(stamp, report.SEAL_TIMESTAMP, words)
    return PdfVerdict(tuple(problems), status.signing_cert.subject.human_friendly,
                      status.signer_reported_dt, stamp.timestamp if stamp else None)


def _validated(signature: EmbeddedPdfSignature, roots: Sequence[asn1_x509.Certificate],
               now: datetime) -> PdfSignatureStatus:
    """pyHanko's status of the seal at ``now``; for a timestamped seal whose certificate is
    no longer good at ``now`` (expired since), at the time the timestamp proves instead: a
    B-T seal stays verifiable after its certificate's end."""
    status = validate_pdf_signature(signature, _context(roots, now), key_usage_settings=USAGE)
    stamp = status.timestamp_validity
    stamp_problems = [] if stamp is None else list(
        _status_problems(stamp, report.SEAL_TIMESTAMP, english))
    if status.trusted or stamp is None or stamp_problems:
        return status
    return validate_pdf_signature(signature, _context(roots, stamp.timestamp),
                                  key_usage_settings=USAGE)


def _status_problems(status: SignatureStatus, sentences: tuple[str, str, str],
                     words: Words) -> Iterator[str]:
    """What is wrong with a signature's ``status``, in ``sentences`` (changed, not valid,
    not trusted: see :mod:`syndicate.seal.report`)."""
    changed, invalid, untrusted = sentences
    if not status.intact:
        yield words(changed)
    elif not status.valid:
        yield words(invalid)
    elif not status.trusted:
        name = str(status.trust_problem_indic.standard_name) if (
            status.trust_problem_indic) else "GENERIC"
        why = report.UNTRUSTED_BECAUSE.get(name)
        yield words(untrusted) % {
            "subject": status.signing_cert.subject.human_friendly,
            "why": words(why) if why else name.lower().replace("_", " ")}


@quiet_pyhanko()
def verify_manifest(manifest: bytes, signature: bytes, trust_roots: Sequence[asn1_x509.Certificate],
                    now: datetime, words: Words = english) -> list[str]:
    """The problems of a detached CMS signature of ``manifest`` (none: it holds)."""
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status: StandardCMSSignatureStatus = asyncio.run(async_validate_detached_cms(
            manifest, signed_data, signer_validation_context=_context(trust_roots, now),
            key_usage_settings=USAGE))
    except Exception as exc:  # noqa: BLE001 (not CMS, or damaged: asn1crypto's, pyHanko's)
        return [words(report.MANIFEST_UNREADABLE) % {"detail": first_line(exc)}]
    problems = list(_status_problems(status, report.MANIFEST, words))
    if status.timestamp_validity is not None:
        problems += _status_problems(status.timestamp_validity, report.MANIFEST_TIMESTAMP,
                                     words)
    return problems


def verify_folder(folder: Path, trust_roots: Sequence[asn1_x509.Certificate],
                  now: datetime, words: Words = english) -> FolderVerdict:
    """A published folder: ``manifest.json``'s signature (``manifest.json.p7s``), then each
    file it lists against its size and SHA-256 (and each PDF's seal); a file the manifest
    does not list is reported too."""
    try:
        manifest = (folder / MANIFEST).read_bytes()
        signature = (folder / MANIFEST_SIGNATURE).read_bytes()
    except OSError as exc:
        missing = Path(exc.filename or MANIFEST).name
        return FolderVerdict(FileVerdict(missing, False, words(report.CANNOT_READ) % {
            "detail": exc.strerror}), ())
    problems = verify_manifest(manifest, signature, trust_roots, now, words)
    head = FileVerdict(MANIFEST, not problems,
                       "; ".join(problems) or words(report.SIGNATURE_HOLDS))
    try:
        entries = json.loads(manifest)["files"]
        listed = {str(entry["path"]): entry for entry in entries}
    except (ValueError, KeyError, TypeError) as exc:
        return FolderVerdict(FileVerdict(MANIFEST, False, words(report.NOT_A_MANIFEST) % {
            "detail": exc}), ())
    check = _Check(folder, trust_roots, now, words)
    files = [check.file(path, entry) for path, entry in listed.items()]
    files += [FileVerdict(path, False, words(report.NOT_LISTED))
              for path in _present(folder) if path not in listed]
    return FolderVerdict(head, tuple(sorted(files, key=lambda verdict: verdict.path)))


def _present(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if (path.is_file() or path.is_symlink()) and name not in (MANIFEST, MANIFEST_SIGNATURE):
            yield name


@dataclass(frozen=True, slots=True)
class _Check:
    """How each file of a folder is checked: against what, when, in which words."""

    folder: Path
    trust_roots: Sequence[asn1_x509.Certificate]
    now: datetime
    words: Words

    def file(self, name: str, entry: dict[str, object]) -> FileVerdict:
        words = self.words
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            return FileVerdict(name, False, words(report.OUTSIDE))
        path = self.folder / relative
        if path.is_symlink() or not path.is_file():
            return FileVerdict(name, False, words(report.MISSING))
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            return FileVerdict(name, False, words(report.CHANGED))
        if name.endswith(".pdf"):
            verdict = verify_pdf(data, self.trust_roots, self.now, words)
            return FileVerdict(name, verdict.ok, verdict.describe(words))
        return FileVerdict(name, True, words(report.MATCHES))


MAX_DOWNLOAD = 512 * 2**20  # bytes of one file fetched by verify_url
MAX_SITE = 8 * 2**30  # bytes of all the files of one site
DOWNLOAD_TIMEOUT = 30  # seconds without a byte from the server
DOWNLOAD_DEADLINE = 600  # seconds for one file, however slowly it comes


def verify_url(url: str, trust_roots: Sequence[asn1_x509.Certificate], now: datetime,
               words: Words = english) -> FolderVerdict | PdfVerdict:
    """A PDF at ``url`` (its seal), or a published site whose base is ``url``: its
    ``manifest.json``, its signature and every file the manifest lists, fetched into a
    temporary folder and checked as :func:`verify_folder` checks a folder."""
    import tempfile

    if urlsplit(url).path.lower().endswith(".pdf"):
        return verify_pdf(_fetch(url), trust_roots, now, words)
    base = url if url.endswith("/") else f"{url}/"
    with tempfile.TemporaryDirectory(prefix="syndicate-verify-") as folder:
        root = Path(folder)
        for name in (MANIFEST, MANIFEST_SIGNATURE):
            (root / name).write_bytes(_fetch(base + name))
        try:
            listed = [str(entry["path"]) for entry in
                      json.loads((root / MANIFEST).read_bytes())["files"]]
        except (ValueError, KeyError, TypeError) as exc:
            return FolderVerdict(FileVerdict(MANIFEST, False, words(report.NOT_A_MANIFEST) % {
                "detail": exc}), ())
        _download(base, [name for name in listed if _plain(name)], root)
        return verify_folder(root, trust_roots, now, words)


def _plain(name: str) -> bool:
    """Whether a manifest's path may be fetched into the folder (verify_folder reports the
    others: outside the folder, or the manifest's own files)."""
    relative = PurePosixPath(name)
    return bool(name) and not relative.is_absolute() and ".." not in relative.parts and (
        name not in (MANIFEST, MANIFEST_SIGNATURE))


def _download(base: str, names: list[str], root: Path) -> None:
    """Each of ``names`` under ``base`` into ``root``; one that cannot be fetched or stored
    (a path both a file and a folder) is left out: verify_folder reports it missing."""
    total = 0
    for name in names:
        try:
            data = _fetch(base + quote(name))
            total += len(data)
            if total > MAX_SITE:
                raise SealError(f"{base}: its files pass {MAX_SITE // 2**30} GiB")
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError:
            continue
        except SealError as error:
            if total > MAX_SITE:
                raise error from None


class _SameSchemes(urllib.request.HTTPRedirectHandler):
    """Redirects followed to http(s) URLs only."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: HTTPMessage,
                         newurl: str) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise SealError(f"{req.full_url}: redirected to {newurl}, not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(url: str) -> bytes:
    """The body at ``url`` (http or https); a :class:`SealError` saying why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SealError(f"{url}: not an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "syndicate-verify"})
    opener = urllib.request.build_opener(_SameSchemes)
    deadline = time.monotonic() + DOWNLOAD_DEADLINE
    chunks: list[bytes] = []
    size = 0
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT) as response:
            while chunk := response.read(2**20):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_DOWNLOAD:
                    raise SealError(f"{url}: larger than {MAX_DOWNLOAD // 2**20} MiB")
                if time.monotonic() > deadline:
                    raise SealError(f"{url}: not received in {DOWNLOAD_DEADLINE} s")
    except (OSError, ValueError) as exc:
        raise SealError(f"{url}: cannot fetch it ({first_line(exc)})") from None
    return b"".join(chunks)

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
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
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
from syndicate.seal.signer import SealError, first_line, load_certificate, quiet_pyhanko

# A seal's certificate may sign with either bit (ETSI's seals use nonRepudiation).
USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                            match_all_key_usages=False)

# ETSI EN 319 102-1's sub-indications (pyHanko's names) in the words of the report.
_NOT_VALID_THEN = ("it was not valid at the time checked, and no timestamp proves that the "
                   "seal was made while it was")
UNTRUSTED_BECAUSE = {
    "NO_CERTIFICATE_CHAIN_FOUND": "it does not lead to a trusted root",
    "OUT_OF_BOUNDS_NO_POE": _NOT_VALID_THEN,
    "OUT_OF_BOUNDS_NOT_REVOKED": _NOT_VALID_THEN,
    "EXPIRED": "it has expired",
    "NOT_YET_VALID": "it is not valid yet",
    "REVOKED_NO_POE": "it was revoked",
    "REVOKED_CA_NO_POE": "an authority of its chain was revoked",
    "CHAIN_CONSTRAINTS_FAILURE": "its chain breaks a rule (key usage, path length or policy)",
    "SIG_CONSTRAINTS_FAILURE": "its key usage does not allow signing",
    "CRYPTO_CONSTRAINTS_FAILURE": "it uses an algorithm too weak to trust",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "it uses an algorithm too weak to trust",
    "GENERIC": "its chain could not be validated",
}


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
        if self.problems:
            return "; ".join(self.problems)
        level = "PAdES B-T" if self.timestamp else "PAdES B-B"
        when = self.timestamp or self.signing_time
        return f"sealed by {self.signer}" + (f" at {when:%Y-%m-%d %H:%M %Z}" if when else "") + (
            f" ({level})")


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
               now: datetime) -> PdfVerdict:
    """The seal of a PDF: the signature intact and valid, its certificate leading to one of
    ``trust_roots`` at ``now``, its timestamp (if any) as good, and nothing but validation
    data appended after it."""
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 (pyHanko's reader raises many kinds for a bad file)
        return PdfVerdict((f"not a readable PDF ({first_line(exc)})",))
    if not signatures:
        return PdfVerdict(("not sealed: the PDF has no signature",))
    verdicts = [_signature(signature, trust_roots, now) for signature in signatures]
    problems = tuple(problem for verdict in verdicts for problem in verdict.problems)
    first = verdicts[0]
    return PdfVerdict(problems, first.signer, first.signing_time, first.timestamp)


def _signature(signature: EmbeddedPdfSignature, roots: Sequence[asn1_x509.Certificate],
               now: datetime) -> PdfVerdict:
    try:
        status = _validated(signature, roots, now)
    except Exception as exc:  # noqa: BLE001 (a damaged signature: asn1crypto's, pyHanko's)
        return PdfVerdict((f"the seal cannot be read ({first_line(exc)})",))
    problems = list(_status_problems(status, "the seal"))
    # Only validation data (PAdES B-LT, B-LTA) may follow the seal; not a byte else.
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
            status.modification_level != ModificationLevel.LTA_UPDATES):
        problems.append("something was appended to the file after the seal")
    stamp = status.timestamp_validity
    if stamp is not None:
        problems += _status_problems(stamp, "the seal's timestamp")
    return PdfVerdict(tuple(problems), status.signing_cert.subject.human_friendly,
                      status.signer_reported_dt, stamp.timestamp if stamp else None)


def _validated(signature: EmbeddedPdfSignature, roots: Sequence[asn1_x509.Certificate],
               now: datetime) -> PdfSignatureStatus:
    """pyHanko's status of the seal at ``now``; for a timestamped seal whose certificate is
    no longer good at ``now`` (expired since), at the time the timestamp proves instead: a
    B-T seal stays verifiable after its certificate's end."""
    status = validate_pdf_signature(signature, _context(roots, now), key_usage_settings=USAGE)
    stamp = status.timestamp_validity
    if status.trusted or stamp is None or next(_status_problems(stamp, ""), None) is not None:
        return status
    return validate_pdf_signature(signature, _context(roots, stamp.timestamp),
                                  key_usage_settings=USAGE)


def _status_problems(status: SignatureStatus, what: str) -> Iterator[str]:
    if not status.intact:
        yield f"{what} does not match the content: the file was changed after sealing"
    elif not status.valid:
        yield f"{what}'s signature is not valid (not made by its certificate's key)"
    elif not status.trusted:
        subject = status.signing_cert.subject.human_friendly
        name = str(status.trust_problem_indic.standard_name) if (
            status.trust_problem_indic) else "GENERIC"
        why = UNTRUSTED_BECAUSE.get(name, name.lower().replace("_", " "))
        yield f"{what}'s certificate ({subject}) is not trusted: {why}"


@quiet_pyhanko()
def verify_manifest(manifest: bytes, signature: bytes,
                    trust_roots: Sequence[asn1_x509.Certificate], now: datetime) -> list[str]:
    """The problems of a detached CMS signature of ``manifest`` (none: it holds)."""
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        status: StandardCMSSignatureStatus = asyncio.run(async_validate_detached_cms(
            manifest, signed_data, signer_validation_context=_context(trust_roots, now),
            key_usage_settings=USAGE))
    except Exception as exc:  # noqa: BLE001 (not CMS, or damaged: asn1crypto's, pyHanko's)
        return [f"the manifest's signature cannot be read ({first_line(exc)})"]
    problems = list(_status_problems(status, "the manifest's signature"))
    if status.timestamp_validity is not None:
        problems += _status_problems(status.timestamp_validity, "the manifest's timestamp")
    return problems


def verify_folder(folder: Path, trust_roots: Sequence[asn1_x509.Certificate],
                  now: datetime) -> FolderVerdict:
    """A published folder: ``manifest.json``'s signature (``manifest.json.p7s``), then each
    file it lists against its size and SHA-256 (and each PDF's seal); a file the manifest
    does not list is reported too."""
    try:
        manifest = (folder / MANIFEST).read_bytes()
        signature = (folder / MANIFEST_SIGNATURE).read_bytes()
    except OSError as exc:
        missing = Path(exc.filename or MANIFEST).name
        return FolderVerdict(FileVerdict(missing, False, f"cannot read it ({exc.strerror})"), ())
    problems = verify_manifest(manifest, signature, trust_roots, now)
    head = FileVerdict(MANIFEST, not problems, "; ".join(problems) or "signature holds")
    try:
        entries = json.loads(manifest)["files"]
        listed = {str(entry["path"]): entry for entry in entries}
    except (ValueError, KeyError, TypeError) as exc:
        return FolderVerdict(FileVerdict(MANIFEST, False, f"not a syndicate manifest ({exc})"),
                             ())
    files = [_file(folder, path, entry, trust_roots, now) for path, entry in listed.items()]
    files += [FileVerdict(path, False, "not in the signed manifest")
              for path in _present(folder) if path not in listed]
    return FolderVerdict(head, tuple(sorted(files, key=lambda verdict: verdict.path)))


def _present(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if (path.is_file() or path.is_symlink()) and name not in (MANIFEST, MANIFEST_SIGNATURE):
            yield name


def _file(folder: Path, name: str, entry: dict[str, object],
          trust_roots: Sequence[asn1_x509.Certificate], now: datetime) -> FileVerdict:
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts:
        return FileVerdict(name, False, "the manifest names a path outside the folder")
    path = folder / relative
    if path.is_symlink() or not path.is_file():
        return FileVerdict(name, False, "missing")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return FileVerdict(name, False, "changed: its SHA-256 is not the manifest's")
    if name.endswith(".pdf"):
        verdict = verify_pdf(data, trust_roots, now)
        return FileVerdict(name, verdict.ok, verdict.summary)
    return FileVerdict(name, True, "matches the manifest")


MAX_DOWNLOAD = 512 * 1024 * 1024  # bytes of one file fetched by verify_url
DOWNLOAD_TIMEOUT = 30  # seconds


def verify_url(url: str, trust_roots: Sequence[asn1_x509.Certificate],
               now: datetime) -> FolderVerdict | PdfVerdict:
    """A PDF at ``url`` (its seal), or a published site whose base is ``url``: its
    ``manifest.json``, its signature and every file the manifest lists, fetched into a
    temporary folder and checked as :func:`verify_folder` checks a folder."""
    import tempfile

    if urlsplit(url).path.lower().endswith(".pdf"):
        return verify_pdf(_fetch(url), trust_roots, now)
    base = url if url.endswith("/") else f"{url}/"
    with tempfile.TemporaryDirectory(prefix="syndicate-verify-") as folder:
        root = Path(folder)
        for name in (MANIFEST, MANIFEST_SIGNATURE):
            (root / name).write_bytes(_fetch(base + name))
        try:
            listed = [str(entry["path"]) for entry in
                      json.loads((root / MANIFEST).read_bytes())["files"]]
        except (ValueError, KeyError, TypeError) as exc:
            return FolderVerdict(FileVerdict(MANIFEST, False, f"not a syndicate manifest ({exc})"),
                                 ())
        for name in listed:
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts or not name:
                continue  # (verify_folder names it)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(_fetch(base + quote(name)))
            except SealError:
                pass  # missing: verify_folder says so
        return verify_folder(root, trust_roots, now)


def _fetch(url: str) -> bytes:
    """The body at ``url`` (http or https); a :class:`SealError` saying why not."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SealError(f"{url}: not an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "syndicate-verify"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            data: bytes = response.read(MAX_DOWNLOAD + 1)
    except (OSError, ValueError) as exc:
        raise SealError(f"{url}: cannot fetch it ({first_line(exc)})") from None
    if len(data) > MAX_DOWNLOAD:
        raise SealError(f"{url}: larger than {MAX_DOWNLOAD // 2**20} MiB")
    return data

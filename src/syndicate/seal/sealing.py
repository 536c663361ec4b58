"""Sealing: a rendered PDF -> the same PDF with a PAdES seal appended; ``manifest.json`` -> its
detached CMS signature.

The seal is an incremental update (the rendered bytes stay as they were, byte for byte, in
front of it), so the PDF stays PDF/A-3u and tagged. Without a timestamp authority it is PAdES
B-B and reproducible: the same PDF, certificate, language and signing time give the same bytes
(RSA PKCS#1 v1.5 or deterministic ECDSA; the time comes from the statement, never the clock).
With one it is PAdES B-T, and the authority's time makes each seal different.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import datetime

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession, PreSignValidationStatus
from pyhanko.sign.timestamps import TimestampRequestError

from syndicate.seal.settings import SealSettings
from syndicate.seal.signer import Sealer, SealError, first_line, quiet_pyhanko

FIELD_NAME = "Seal"  # the signature field's name (one seal per document)
DIGEST = "sha256"


class _ReproducibleWriter(IncrementalPdfFileWriter):
    """pyHanko's incremental writer, with two of its choices made reproducible.

    - The trailer's second ``/ID`` (pyHanko draws it at random) is derived from the document
      and ``salt`` (the seal's inputs): still a new ID for a new revision, as ISO 32000 asks.
    - The document information and XMP are left as rendered: pyHanko would set their
      modification date from the clock and add itself to the producer, where the seal changes
      nothing of the document (and PDF/A's agreement of the two is kept as it was).

    Both are pyHanko's private hooks (hence pyproject's pin to its minor version); the tests
    that seal twice, and in another process, fail if a new pyHanko moves them.
    """

    def __init__(self, pdf: bytes, salt: bytes) -> None:
        super().__init__(io.BytesIO(pdf))
        second = hashlib.sha256(pdf + salt).digest()[:16]
        self._document_id = generic.ArrayObject(
            [self._document_id[0], generic.ByteStringObject(second)])

    def _update_meta(self) -> None:
        pass


class _TimedPdfSigner(PdfSigner):
    """pyHanko's PDF signer with the signing time given (the ``/M`` of the signature and the
    time its signed attributes claim) instead of read from the clock."""

    def __init__(self, meta: PdfSignatureMetadata, sealer: Sealer, signing_time: datetime) -> None:
        super().__init__(meta, sealer.signer, timestamper=sealer.timestamper)
        self._signing_time = signing_time
        self.room = sealer.room

    def init_signing_session(self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
                             ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        session.__class__ = _OnceEstimated
        return session


class _OnceEstimated(PdfSigningSession):
    """pyHanko's signing session, which estimates the room of a seal by making a whole
    signature for nothing, once per sealer instead of once per PDF (its length, certificates
    and signed attributes but the time, of fixed length, are the same for every PDF: the bytes
    are those of an estimate made each time). Not with pre-signing validation information,
    which may differ from one PDF to the next (no publish gives any)."""

    async def estimate_signature_container_size(
            self, validation_info: PreSignValidationStatus | None, tight: bool = False) -> int:
        signer = self.pdf_signer
        if validation_info is not None or not isinstance(signer, _TimedPdfSigner):
            return int(await super().estimate_signature_container_size(validation_info, tight))
        if tight not in signer.room:
            signer.room[tight] = int(await super().estimate_signature_container_size(None, tight))
        return signer.room[tight]


@quiet_pyhanko()
def seal_pdf(pdf: bytes, sealer: Sealer, settings: SealSettings, lang: str,
             signing_time: datetime) -> bytes:
    """``pdf`` with a PAdES seal appended (B-B, or B-T when the sealer has a timestamp
    authority), with the reason and location of ``lang`` and the time ``signing_time`` (aware:
    the statement's, not the clock's)."""
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be time-zone aware")
    meta = PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES, md_algorithm=DIGEST,
        reason=settings.reason_for(lang), location=settings.location_for(lang))
    salt = f"{sealer.fingerprint} {lang} {signing_time.isoformat()}".encode()
    try:
        writer = _ReproducibleWriter(pdf, salt)
        output = _TimedPdfSigner(meta, sealer, signing_time).sign_pdf(writer)
    except (PdfError, SigningError) as exc:
        raise SealError(f"cannot seal the PDF: {exc}") from None
    except Exception as exc:  # noqa: BLE001 (a token's, the timestamp authority's: many kinds)
        raise SealError(f"cannot seal the PDF: {_failure(exc)}") from None
    data: bytes = output.getvalue()
    return data


@quiet_pyhanko()
def sign_manifest(manifest: bytes, sealer: Sealer, signing_time: datetime) -> bytes:
    """A detached CMS (CAdES) signature of ``manifest`` (DER: ``manifest.json.p7s``),
    timestamped when the sealer has a timestamp authority.

    Check it with, for example, ``openssl cms -verify -binary -inform DER -in
    manifest.json.p7s -content manifest.json -CAfile root.pem``."""
    attributes = PdfCMSSignedAttributes(signing_time=signing_time)
    try:
        signed = asyncio.run(sealer.signer.async_sign_general_data(
            manifest, DIGEST, detached=True, use_cades=True, timestamper=sealer.timestamper,
            signed_attr_settings=attributes))
    except Exception as exc:  # noqa: BLE001 (a token's, the timestamp authority's: many kinds)
        raise SealError(f"cannot sign manifest.json: {_failure(exc)}") from None
    data: bytes = signed.dump()
    return data


def _failure(exc: BaseException) -> str:
    """What failed, in words: the timestamp authority ([seal] timestamp_url) or the key."""
    if isinstance(exc, TimestampRequestError):
        return f"the timestamp authority ([seal] timestamp_url) failed: {first_line(exc)}"
    return first_line(exc)

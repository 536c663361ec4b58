"""The seal's signer, opened and checked before anything is rendered.

:func:`open_sealer` loads the key and certificate (a PKCS#12 file, or a PKCS#11 token whose
session it owns) and checks them: the passphrase or PIN, that the key is the certificate's, the
certificate's validity at ``now`` and its key usage, and that the timestamp authority answers.
Each failure is a :class:`SealError` saying what is wrong in the user's terms; no secret is
ever part of one.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from asn1crypto import keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import CertificateStore, SimpleCertificateStore

from syndicate.errors import SyndicateError, display_path
from syndicate.seal.settings import PASSPHRASE_VARIABLE, PIN_VARIABLE, SealSettings, Token

TIMESTAMP_TIMEOUT = 10  # seconds for the timestamp authority's answer
PROBE = b"syndicate: is this key the certificate's?"


class SealError(SyndicateError):
    """The seal cannot be made: its key, its certificate or its timestamp authority."""


@dataclass(frozen=True, slots=True)
class Sealer:
    """An opened, checked signer: what :mod:`syndicate.seal.sealing` signs with."""

    signer: Signer  # pyHanko's (its certificate registry holds the chain)
    certificate: x509.Certificate
    timestamper: TimeStamper | None
    # the room a seal takes in a PDF, as pyHanko estimates it with a signature made for
    # nothing: the same for every PDF this sealer seals (see sealing._OnceEstimated)
    room: dict[bool, int] = field(default_factory=dict, compare=False)

    @property
    def fingerprint(self) -> str:
        """The certificate's SHA-256 (hex): what a cache of sealed files keys on."""
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


class _ReproducibleSigner(SimpleSigner):
    """pyHanko's in-memory signer, with ECDSA's nonce derived from the key and the message
    (RFC 6979) instead of drawn at random: the same document gives the same seal. (RSA is
    signed with PKCS#1 v1.5, deterministic already; PSS is never chosen.) The key is parsed
    once, not at every signature as pyHanko's does (the checks of an RSA key's parsing are
    most of a seal's cost)."""

    def __init__(self, certificate: asn1_x509.Certificate, key: PrivateKeyTypes,
                 store: CertificateStore) -> None:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        super().__init__(certificate, keys.PrivateKeyInfo.load(der), store)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        hash_algorithm = getattr(hashes, digest_algorithm.upper())()
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algorithm, deterministic_signing=True))
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism == "rsassa_pkcs1v15":
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        return super().sign_raw(data, digest_algorithm)


@contextmanager
def open_sealer(settings: SealSettings, now: datetime) -> Iterator[Sealer]:
    """The checked signer of ``settings`` while the block runs (a token's session is closed
    after it); a :class:`SealError` when the key, the certificate or the timestamp authority
    cannot be used at ``now``."""
    chain = [load_certificate(path) for path in settings.chain]
    with ExitStack() as stack:
        with quiet_pyhanko():
            if settings.token is not None:
                signer = _token_signer(settings, chain, stack)
            else:
                assert settings.pkcs12 is not None  # (one of the two: settings checked it)
                signer = _pkcs12_signer(settings.pkcs12, settings, chain)
            certificate = _check_key(signer, settings)
            _check_certificate(certificate, now)
            timestamper = _timestamper(settings.timestamp_url)
        yield Sealer(signer, certificate, timestamper)


def load_certificate(path: Path) -> asn1_x509.Certificate:
    """A certificate file, PEM or DER."""
    try:
        data = path.read_bytes()
        cert = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
    except (OSError, ValueError) as exc:
        raise SealError(f"{display_path(path)}: not a certificate file ({exc})") from None
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pkcs12_signer(path: Path, settings: SealSettings,
                   chain: list[asn1_x509.Certificate]) -> Signer:
    secret = settings.secret.value.encode() if settings.secret else None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), secret)
    except OSError as exc:
        raise SealError(f"{display_path(path)}: {exc.strerror}") from None
    except (ValueError, TypeError):
        hint = "wrong passphrase" if secret else f"encrypted: set {PASSPHRASE_VARIABLE}"
        raise SealError(f"{display_path(path)}: cannot open the PKCS#12 file ({hint}, or not "
                        "a PKCS#12 file)") from None
    if key is None or cert is None:
        raise SealError(f"{display_path(path)}: the PKCS#12 file must hold the seal's private "
                        "key and its certificate")
    der = serialization.Encoding.DER
    store_class: Any = SimpleCertificateStore  # (its constructors are not annotated)
    store = store_class.from_certs(
        [*chain, *(asn1_x509.Certificate.load(c.public_bytes(der)) for c in extra)])
    return _ReproducibleSigner(asn1_x509.Certificate.load(cert.public_bytes(der)), key, store)


def _token_signer(settings: SealSettings, chain: list[asn1_x509.Certificate],
                  stack: ExitStack) -> Signer:
    """pyHanko's PKCS#11 signer over a session that ``stack`` closes."""
    from pkcs11 import exceptions as p11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as pyhanko_p11
    from pyhanko.sign.general import SigningError

    token = settings.token
    assert token is not None and settings.secret is not None
    try:
        session = pyhanko_p11.open_pkcs11_session(
            str(token.module), slot_no=token.slot, user_pin=settings.secret.value,
            token_criteria=TokenCriteria(label=token.token_label)
            if token.token_label is not None else None)
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange):
        raise SealError(f"the PKCS#11 token refused the PIN ({PIN_VARIABLE})") from None
    except (p11.PKCS11Error, SigningError, RuntimeError, OSError) as exc:
        reason = "the module has no such token" if str(exc).startswith("No token") else (
            first_line(exc))
        raise SealError(f"cannot open the PKCS#11 token {_describe(token)}: {reason}") from None
    stack.callback(session.close)
    return pyhanko_p11.PKCS11Signer(session, cert_label=token.cert_label, ca_chain=chain,
                                    key_label=token.key_label)


def _describe(token: Token) -> str:
    which = f"label {token.token_label!r}" if token.token_label is not None else (
        f"slot {token.slot}")
    return f"({which}, module {display_path(token.module)})"


def _check_key(signer: Signer, settings: SealSettings) -> x509.Certificate:
    """Sign a probe and check it with the certificate's public key: the key is usable (the
    token accepted the PIN) and is the certificate's. The certificate, read by
    ``cryptography``."""
    from pkcs11 import exceptions as p11
    from pyhanko.sign.general import SigningError

    try:
        raw = asyncio.run(_probe(signer))
        asn1_cert = signer.signing_cert
    except (p11.PKCS11Error, SigningError) as exc:
        label = settings.token.key_label if settings.token else ""
        raise SealError(f"the PKCS#11 token cannot sign with the key {label!r} and its "
                        f"certificate: {first_line(exc)}") from None
    assert asn1_cert is not None
    certificate = x509.load_der_x509_certificate(asn1_cert.dump())
    try:
        _verify_probe(certificate, raw, signer)
    except (InvalidSignature, TypeError, ValueError):
        raise SealError(f"the seal's private key does not match its certificate "
                        f"({certificate.subject.rfc4514_string()})") from None
    return certificate


async def _probe(signer: Signer) -> bytes:
    if hasattr(signer, "ensure_objects_loaded"):  # a PKCS#11 signer loads on first use
        await signer.ensure_objects_loaded()
    return await signer.async_sign_raw(PROBE, "sha256")


def _verify_probe(certificate: x509.Certificate, raw: bytes, signer: Signer) -> None:
    public = certificate.public_key()
    mechanism = signer.get_signature_mechanism_for_digest("sha256").signature_algo
    if isinstance(public, rsa.RSAPublicKey) and mechanism == "rsassa_pkcs1v15":
        public.verify(raw, PROBE, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(public, ec.EllipticCurvePublicKey):
        public.verify(raw, PROBE, ec.ECDSA(hashes.SHA256()))
    else:
        raise SealError(f"the seal's key must be RSA (PKCS#1 v1.5) or ECDSA, not {mechanism}")


def _check_certificate(certificate: x509.Certificate, now: datetime) -> None:
    """Valid at ``now``, and allowed to sign (digitalSignature or nonRepudiation)."""
    subject = certificate.subject.rfc4514_string()
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if now < start:
        raise SealError(f"the seal's certificate ({subject}) is not valid yet: from "
                        f"{start:%Y-%m-%d %H:%M} UTC")
    if now > end:
        raise SealError(f"the seal's certificate ({subject}) expired on "
                        f"{end:%Y-%m-%d %H:%M} UTC")
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # (no restriction: X.509 allows every use)
    if not (usage.digital_signature or usage.content_commitment):
        raise SealError(f"the seal's certificate ({subject}) is not for signing: its key usage "
                        "has neither digitalSignature nor nonRepudiation")


def shown_url(url: str) -> str:
    """``url`` without the user name and password it may carry."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _timestamper(url: str | None) -> TimeStamper | None:
    """The timestamp authority, asked for one timestamp now (an unreachable one is an error
    before anything is rendered, not after)."""
    if url is None:
        return None
    stamper = HTTPTimeStamper(url, timeout=TIMESTAMP_TIMEOUT)
    try:
        asyncio.run(stamper.async_timestamp(hashlib.sha256(PROBE).digest(), "sha256"))
    except Exception as exc:  # noqa: BLE001 (aiohttp's, asn1crypto's, pyHanko's: all mean no)
        reason = first_line(exc.__cause__ or exc)  # (pyHanko's own words say little)
        password = urlsplit(url).password
        if password:
            reason = reason.replace(password, "***")
        raise SealError(f"the timestamp authority {shown_url(url)} did not give a timestamp: "
                        f"{reason}") from None
    return stamper


@contextmanager
def quiet_pyhanko() -> Iterator[None]:
    """pyHanko's log records dropped while the block runs: it logs the failures that the seal's
    functions report in plain language, with tracebacks (shown on stderr when nothing else
    handles them)."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    sink = logging.NullHandler()
    before = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.addHandler(sink)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, propagate in zip(loggers, before, strict=True):
            logger.removeHandler(sink)
            logger.propagate = propagate


def first_line(exc: BaseException) -> str:
    """An exception's first line of text (its type's name when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

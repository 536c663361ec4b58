"""A throw-away PKI made with ``cryptography``: a root, an intermediate authority, seal
certificates (good, expired, not yet valid, without a signing key usage) and a timestamp
authority's certificate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2040, 1, 1, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
PASSPHRASE = "correct horse battery staple 7Q!"

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    key: Key
    cert: x509.Certificate

    def pem(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Syndicate tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing,
                         key_encipherment=not signing and not ca, data_encipherment=False,
                         key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def issue(common_name: str, issuer: Issued | None = None, *, key: Key | None = None,
          ca: bool = False, signing: bool = True, tsa: bool = False,
          valid: tuple[dt.datetime, dt.datetime] = (VALID_FROM, VALID_UNTIL)) -> Issued:
    """A certificate for ``common_name`` signed by ``issuer`` (self-signed without one)."""
    key = key or rsa_key()
    builder = (x509.CertificateBuilder().subject_name(_name(common_name))
               .issuer_name(issuer.cert.subject if issuer else _name(common_name))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(valid[0]).not_valid_after(valid[1])
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(_usage(signing or ca, ca), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    signer = issuer.key if issuer else key
    return Issued(key, builder.sign(signer, hashes.SHA256()))


def p12(path: Path, seal: Issued, chain: list[Issued], passphrase: str | None = PASSPHRASE,
        key: Key | None = None) -> Path:
    """A PKCS#12 file holding ``key`` (the seal's own by default), the seal's certificate and
    ``chain``."""
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", key or seal.key, seal.cert, [c.cert for c in chain], encryption))
    return path


def key_pem(key: Key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def key_der(key: Key) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)

"""What the fixtures of the seal's tests: a throw-away PKI, the shipped project published
once, an RFC 3161 timestamp authority on 127.0.0.1, a SoftHSM2 token holding the seal's key,
and an NSS database trusting the root (for poppler's ``pdfsig``).

test_seal.py makes its fixtures of them (a conftest.py here would replace the root's
``conftest`` module, which other folders' tests import by that name); they are used by one
module only, so that the token, whose library the process loads once, is made once.

A missing tool is a failure that says what to install, never a skip."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pki
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import copy_project, listening
from syndicate.cli import main

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL, KEY_LABEL = "syndicate-seal", "seal"
OTHER_LABEL = "another-key"  # a key on the token that is not the certificate's
PIN, SO_PIN = "4711-0815-pin", "so-secret-9876"
INSTALL = "run scripts/setup-system.sh (it installs {package})"


def tool(name: str, package: str) -> str:
    """The path of a command the tests need; a failure naming the package when missing."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: {INSTALL.format(package=package)}")
    return path


@dataclass(frozen=True)
class Pki:
    folder: Path
    root: pki.Issued
    intermediate: pki.Issued
    seal: pki.Issued
    ec_seal: pki.Issued
    tsa: pki.Issued

    @property
    def root_pem(self) -> Path:
        return self.folder / "root.pem"

    @property
    def chain_pem(self) -> Path:
        return self.folder / "intermediate.pem"


def make_pki(folder: Path) -> Pki:
    """The PKI, its root and intermediate as PEM files and PKCS#12 files of the RSA and EC
    seals in ``folder``."""
    root = pki.issue("Syndicate Test Root", ca=True)
    intermediate = pki.issue("Syndicate Test Seals CA", root, ca=True)
    made = Pki(folder, root, intermediate, pki.issue("Press Office Seal", intermediate),
               pki.issue("Press Office EC Seal", intermediate,
                         key=ec.generate_private_key(ec.SECP256R1())),
               pki.issue("Syndicate Test TSA", root, signing=True, tsa=True))
    root.pem(made.root_pem)
    intermediate.pem(made.chain_pem)
    pki.p12(folder / "seal.p12", made.seal, [intermediate])
    pki.p12(folder / "ec-seal.p12", made.ec_seal, [intermediate])
    return made


def publish(out: Path) -> Path:
    """A copy of the shipped project, made beside ``out``, published into ``out`` (the PDFs
    are PDF/A-3u and tagged)."""
    project = copy_project(out.parent / "project")
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--out", str(out),
                                       "--now", pki.NOW.isoformat(), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def _tsa_handler(stamper: Any) -> type[BaseHTTPRequestHandler]:
    from asn1crypto import tsp

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving_tsa(ca: Pki) -> Iterator[str]:
    """An RFC 3161 timestamp authority over HTTP on 127.0.0.1 while the block runs (pyHanko's
    own test TSA behind a real server); yields its URL."""
    from asn1crypto import keys, x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = keys.PrivateKeyInfo.load(pki.key_der(ca.tsa.key))
    stamper = DummyTimeStamper(x509.Certificate.load(pki.cert_der(ca.tsa.cert)), key,
                               fixed_dt=dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC))
    with listening(_tsa_handler(stamper)) as url:
        yield f"{url}tsr"


@contextmanager
def softhsm_token(ca: Pki, folder: Path) -> Iterator[Path]:
    """A SoftHSM2 token (label ``syndicate-seal``) holding the seal's key and certificate
    (label ``seal``) and another key, in ``folder``; SOFTHSM2_CONF points at it while the block
    runs. Yields the PKCS#11 module."""
    util = tool("softhsm2-util", "softhsm2")
    if not SOFTHSM_MODULE.exists():
        pytest.fail(f"{SOFTHSM_MODULE} is missing: {INSTALL.format(package='softhsm2')}")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    (folder / "key.pem").write_bytes(pki.key_pem(ca.seal.key))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        run = [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", PIN,
               "--so-pin", SO_PIN]
        subprocess.run(run, check=True, capture_output=True)
        (folder / "other.pem").write_bytes(pki.key_pem(pki.rsa_key()))
        for name, label, id_ in (("key.pem", KEY_LABEL, "01"), ("other.pem", OTHER_LABEL, "02")):
            subprocess.run([util, "--import", str(folder / name), "--token", TOKEN_LABEL,
                            "--label", label, "--id", id_, "--pin", PIN],
                           check=True, capture_output=True)
        _store_certificate(ca.seal.cert)
        yield SOFTHSM_MODULE


def _store_certificate(cert: x509.Certificate) -> None:
    """softhsm2-util imports keys only: the certificate goes in with python-pkcs11."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    with lib.get_token(token_label=TOKEN_LABEL).open(rw=True, user_pin=PIN) as session:
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                               Attribute.TOKEN: True, Attribute.LABEL: KEY_LABEL,
                               Attribute.ID: b"\x01", Attribute.VALUE: pki.cert_der(cert),
                               Attribute.SUBJECT: cert.subject.public_bytes(),
                               Attribute.ISSUER: cert.issuer.public_bytes(),
                               Attribute.SERIAL_NUMBER: _der_integer(cert.serial_number)})


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return bytes([0x02, len(body)]) + body


def nss_database(ca: Pki, folder: Path) -> str:
    """An NSS database in ``folder`` trusting the test root (for ``pdfsig -nssdir``)."""
    certutil = tool("certutil", "libnss3-tools")
    db = f"sql:{folder}"
    subprocess.run([certutil, "-N", "-d", db, "--empty-password"], check=True,
                   capture_output=True)
    subprocess.run([certutil, "-A", "-d", db, "-n", "syndicate-test-root", "-t", "CT,C,C",
                    "-i", str(ca.root_pem)], check=True, capture_output=True)
    return db


def pdfsig(path: Path, nssdb: str) -> str:
    """poppler's report on a PDF's signatures (its exit status is not the verdict)."""
    command = [tool("pdfsig", "poppler-utils"), "-nssdir", nssdb, str(path)]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ | {})
    return result.stdout + result.stderr

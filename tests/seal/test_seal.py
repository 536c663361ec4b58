"""Seals, made with a throw-away PKI and checked with independent readers: poppler's pdfsig
(trusting the root through an NSS database), pikepdf, the PDF/UA checker, OpenSSL; a real
timestamp authority on 127.0.0.1 and a SoftHSM2 token; each bad input's message."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pki
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sealkit import (
    KEY_LABEL,
    OTHER_LABEL,
    PIN,
    TOKEN_LABEL,
    Pki,
    pdfsig,
    publish,
    serving_tsa,
    tool,
)

from syndicate import manifest
from syndicate.seal.sealing import seal_pdf, sign_manifest
from syndicate.seal.settings import SealSettings, Secret, Token
from syndicate.seal.signer import Sealer, SealError, open_sealer
from syndicate.seal.verify import (
    MANIFEST,
    MANIFEST_SIGNATURE,
    FileVerdict,
    load_trust_roots,
    verify_folder,
    verify_pdf,
)

STATEMENT_DAY = dt.datetime(2022, 11, 22, tzinfo=dt.UTC)
NOW = pki.NOW
TSA_TIME = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)


def settings_for(ca: Pki, p12: str = "seal.p12", **changes: object) -> SealSettings:
    base = SealSettings(pkcs12=ca.folder / p12, token=None, secret=Secret(pki.PASSPHRASE),
                        trust_roots=(ca.root_pem,), reason=(("pt", "Selo do Governo"),),
                        location=(("pt", "Lisboa"), ("en", "Lisbon")))
    return dataclasses.replace(base, **changes)


def token_settings(ca: Pki, key_label: str = KEY_LABEL, pin: str = PIN) -> SealSettings:
    device = Token(Path("/usr/lib/softhsm/libsofthsm2.so"), TOKEN_LABEL, None, key_label,
                   KEY_LABEL)
    return settings_for(ca, pkcs12=None, token=device, secret=Secret(pin),
                        chain=(ca.chain_pem,))  # (a token holds the seal's certificate only)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish(tmp_path_factory.mktemp("published") / "dist")


@pytest.fixture(scope="module")
def pdf(published: Path) -> bytes:
    return next(published.glob("pt/*/*-pt.pdf")).read_bytes()


@pytest.fixture(scope="module")
def tsa(ca: Pki) -> Iterator[str]:
    with serving_tsa(ca) as url:
        yield url


@pytest.fixture(scope="module")
def sealer(ca: Pki) -> Iterator[Sealer]:
    with open_sealer(settings_for(ca), NOW) as opened:
        yield opened


@pytest.fixture(scope="module")
def sealed(pdf: bytes, sealer: Sealer, ca: Pki) -> bytes:
    return seal_pdf(pdf, sealer, settings_for(ca), "pt", STATEMENT_DAY)


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# Sealing a communiqué


def test_the_seal_is_appended_and_holds_for_pyhanko_and_poppler(
    pdf: bytes, sealed: bytes, ca: Pki, nssdb: str, tmp_path: Path
) -> None:
    assert sealed.startswith(pdf) and len(sealed) > len(pdf)  # an incremental update
    verdict = verify_pdf(sealed, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.ok, verdict.problems
    assert verdict.summary == ("sealed by Common Name: Press Office Seal, Organization: "
                               "Syndicate tests at 2022-11-22 00:00 UTC (PAdES B-B)")
    report = pdfsig(write(tmp_path, "sealed.pdf", sealed), nssdb)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Signature Type: ETSI.CAdES.detached" in report  # PAdES
    assert "Total document signed" in report and "Not total" not in report
    assert "Signing Time: Nov 22 2022 00:00:00" in report


def test_reason_and_location_are_the_documents_language(sealed: bytes) -> None:
    with pikepdf.open(io.BytesIO(sealed)) as document:
        signature = document.Root.AcroForm.Fields[0].V
        assert (str(signature.Reason), str(signature.Location)) == ("Selo do Governo", "Lisboa")
        assert str(signature.M) == "D:20221122000000Z"  # the statement's day


def test_sealing_twice_gives_the_same_bytes(pdf: bytes, sealed: bytes, ca: Pki) -> None:
    """Without a timestamp authority a seal is reproducible: same PDF, key, language and
    time, same bytes (a new sealer, so nothing is remembered between the two)."""
    with open_sealer(settings_for(ca), NOW) as again:
        assert seal_pdf(pdf, again, settings_for(ca), "pt", STATEMENT_DAY) == sealed
    other_day = STATEMENT_DAY + dt.timedelta(days=1)
    with open_sealer(settings_for(ca), NOW) as again:
        assert seal_pdf(pdf, again, settings_for(ca), "pt", other_day) != sealed


def test_a_sealer_estimates_a_seals_room_once_with_the_same_bytes(
        published: Path, ca: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyHanko sizes a seal by signing for nothing (a dry run) before it signs: a sealer does
    that once for all its PDFs, and each PDF's bytes are those of a sealer of its own."""
    from pyhanko.sign.signers.pdf_cms import Signer

    pdfs = sorted(published.glob("*/*/*.pdf")) + sorted(published.glob("*.pdf"))
    assert len(pdfs) >= 3
    dry_runs: list[bool] = []
    signed = Signer.async_sign

    async def counted(self: Signer, *args: object, **kwargs: object) -> object:
        dry_runs.append(bool(kwargs.get("dry_run")))
        return await signed(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Signer, "async_sign", counted)
    with open_sealer(settings_for(ca), NOW) as one:
        together = [seal_pdf(path.read_bytes(), one, settings_for(ca), "pt", STATEMENT_DAY)
                    for path in pdfs]
    assert dry_runs == [True] + [False] * len(pdfs)
    for path, data in zip(pdfs, together, strict=True):
        with open_sealer(settings_for(ca), NOW) as own:
            assert seal_pdf(path.read_bytes(), own, settings_for(ca), "pt",
                            STATEMENT_DAY) == data


SEAL_IN_ANOTHER_PROCESS = """
import datetime as dt, sys
from pathlib import Path
from syndicate.seal.sealing import seal_pdf
from syndicate.seal.settings import SealSettings, Secret
from syndicate.seal.signer import open_sealer
settings = SealSettings(pkcs12=Path(sys.argv[1]), token=None, secret=Secret(sys.argv[2]),
                        reason=(("pt", "Selo do Governo"),), location=(("pt", "Lisboa"),))
day, now = dt.datetime(2022, 11, 22, tzinfo=dt.UTC), dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
with open_sealer(settings, now) as sealer:
    sys.stdout.buffer.write(seal_pdf(sys.stdin.buffer.read(), sealer, settings, "pt", day))
"""


def test_another_process_seals_to_the_same_bytes(pdf: bytes, sealed: bytes, ca: Pki) -> None:
    """As two publishes would (another hash seed, other objects' identities)."""
    result = subprocess.run(
        [sys.executable, "-c", SEAL_IN_ANOTHER_PROCESS, str(ca.folder / "seal.p12"),
         pki.PASSPHRASE], input=pdf, capture_output=True, check=True,
        env=os.environ | {"PYTHONHASHSEED": "12345"})
    assert result.stdout == sealed


def test_an_ecdsa_seal_is_reproducible_too(pdf: bytes, ca: Pki, nssdb: str,
                                           tmp_path: Path) -> None:
    settings = settings_for(ca, "ec-seal.p12")
    with open_sealer(settings, NOW) as one:
        first = seal_pdf(pdf, one, settings, "pt", STATEMENT_DAY)
        assert seal_pdf(pdf, one, settings, "pt", STATEMENT_DAY) == first
    assert verify_pdf(first, load_trust_roots([ca.root_pem]), NOW).ok
    assert "Signature is Valid." in pdfsig(write(tmp_path, "ec.pdf", first), nssdb)


def test_a_changed_byte_is_detected_by_both(sealed: bytes, ca: Pki, nssdb: str,
                                            tmp_path: Path) -> None:
    at = sealed.index(b"Governo") if b"Governo" in sealed else len(sealed) // 3
    changed = bytearray(sealed)
    changed[at] ^= 0x01
    verdict = verify_pdf(bytes(changed), load_trust_roots([ca.root_pem]), NOW)
    assert verdict.problems == ("the seal does not match the content: the file was changed "
                                "after sealing",)
    report = pdfsig(write(tmp_path, "changed.pdf", bytes(changed)), nssdb)
    assert "Signature Validation: Digest Mismatch." in report


def test_bytes_appended_after_the_seal_are_detected_by_both(
    sealed: bytes, ca: Pki, nssdb: str, tmp_path: Path
) -> None:
    appended = sealed + b"%%appended\n"
    verdict = verify_pdf(appended, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.problems == ("something was appended to the file after the seal",)
    assert "Not total document signed" in pdfsig(write(tmp_path, "more.pdf", appended), nssdb)


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_seal_from_an_untrusted_root_is_not_accepted(
    sealed: bytes, pdf: bytes, tmp_path: Path
) -> None:
    root, collected = logging.getLogger(), Collected()
    root.addHandler(collected)
    other_root = pki.issue("Someone Else's Root", ca=True)
    path_roots = load_trust_roots([other_root.pem(tmp_path / "other-root.pem")])
    verdict = verify_pdf(sealed, path_roots, NOW)
    assert verdict.problems == ("the seal's certificate (Common Name: Press Office Seal, "
                                "Organization: Syndicate tests) is not trusted: it does not "
                                "lead to a trusted root",)
    assert verify_pdf(pdf, path_roots, NOW).problems == ("not sealed: the PDF has no "
                                                         "signature",)
    root.removeHandler(collected)
    # (pyHanko logs the failed path with a traceback, which an application would show: not)
    assert [r.getMessage() for r in collected.records if r.name.startswith("pyhanko")] == []


def fonts(document: pikepdf.Pdf) -> list[str]:
    return sorted(str(font.BaseFont) for page in document.pages
                  for font in page.Resources.get("/Font", {}).values())


def test_the_sealed_pdf_stays_pdf_a_3u_tagged_with_its_source_and_fonts(
    pdf: bytes, sealed: bytes
) -> None:
    with pikepdf.open(io.BytesIO(pdf)) as before, pikepdf.open(io.BytesIO(sealed)) as after:
        assert after.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()  # as made
        with after.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "U")
        assert after.docinfo == before.docinfo
        assert after.Root.StructTreeRoot.Type == "/StructTreeRoot"
        assert after.Root.StructTreeRoot.objgen == before.Root.StructTreeRoot.objgen
        assert bool(after.Root.MarkInfo.Marked) and str(after.Root.Lang) == "pt-PT"
        assert list(after.attachments) == list(before.attachments) == [
            "2022-11-22-vitorino-iom-pt.md"]
        assert (after.attachments["2022-11-22-vitorino-iom-pt.md"].get_file().read_bytes()
                == before.attachments["2022-11-22-vitorino-iom-pt.md"].get_file().read_bytes())
        assert fonts(after) == fonts(before) and fonts(after)
        assert after.Root.OutputIntents[0].S == "/GTS_PDFA1"
        widget = after.Root.AcroForm.Fields[0]  # invisible, printable (PDF/A's rules)
        assert list(widget.Rect) == [0, 0, 0, 0] and int(widget.F) & 4


def test_the_pdf_ua_checker_finds_nothing_new_after_sealing(pdf: bytes, sealed: bytes,
                                                            tmp_path: Path) -> None:
    import pdfua

    def findings(data: bytes, name: str) -> list[str]:
        report = pdfua.validate(str(write(tmp_path, name, data)))
        return [f"{finding.rule_id}: {finding.message}" for finding in report.findings]

    assert findings(sealed, "sealed.pdf") == findings(pdf, "rendered.pdf")


def test_the_bilingual_edition_is_sealed_in_the_default_language(
    published: Path, sealer: Sealer, ca: Pki
) -> None:
    edition = next(published.glob("*-bilingual.pdf")).read_bytes()
    sealed = seal_pdf(edition, sealer, settings_for(ca), "pt", STATEMENT_DAY)
    assert verify_pdf(sealed, load_trust_roots([ca.root_pem]), NOW).ok


# A timestamp authority (PAdES B-T) and a PKCS#11 token


def test_a_timestamp_authority_makes_it_b_t(pdf: bytes, ca: Pki, tsa: str, nssdb: str,
                                            tmp_path: Path) -> None:
    settings = settings_for(ca, timestamp_url=tsa)
    with open_sealer(settings, NOW) as stamped:
        assert stamped.timestamper is not None
        sealed = seal_pdf(pdf, stamped, settings, "pt", STATEMENT_DAY)
    verdict = verify_pdf(sealed, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.ok, verdict.problems
    assert verdict.timestamp == TSA_TIME
    assert verdict.summary.endswith("at 2026-11-28 09:30 UTC (PAdES B-T)")
    report = pdfsig(write(tmp_path, "b-t.pdf", sealed), nssdb)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


def test_a_timestamped_seal_outlives_its_certificate(pdf: bytes, ca: Pki, tsa: str,
                                                    tmp_path: Path) -> None:
    """Checked in 2030, a seal whose certificate ended in 2027 holds when it was timestamped
    while the certificate was good (B-T), and not without a timestamp (B-B)."""
    brief = pki.issue("Short-lived Seal", ca.intermediate,
                      valid=(pki.VALID_FROM, dt.datetime(2027, 1, 1, tzinfo=dt.UTC)))
    pki.p12(tmp_path / "brief.p12", brief, [ca.intermediate])
    later = dt.datetime(2030, 6, 1, tzinfo=dt.UTC)
    roots = load_trust_roots([ca.root_pem])
    for url, problems in ((tsa, ()), (None, (
            "the seal's certificate (Common Name: Short-lived Seal, Organization: Syndicate "
            "tests) is not trusted: it was not valid at the time checked, and no timestamp "
            "proves that the seal was made while it was",))):
        settings = settings_for(ca, pkcs12=tmp_path / "brief.p12", timestamp_url=url)
        with open_sealer(settings, NOW) as sealer:
            sealed = seal_pdf(pdf, sealer, settings, "pt", STATEMENT_DAY)
        assert verify_pdf(sealed, roots, NOW).ok
        assert verify_pdf(sealed, roots, later).problems == problems, url


def test_a_key_on_a_pkcs11_token_seals(pdf: bytes, ca: Pki, token: Path, nssdb: str,
                                       tmp_path: Path) -> None:
    settings = token_settings(ca)
    with open_sealer(settings, NOW) as on_token:
        assert on_token.fingerprint == ca.seal.cert.fingerprint(hashes.SHA256()).hex()
        sealed = seal_pdf(pdf, on_token, settings, "en", STATEMENT_DAY)
        assert seal_pdf(pdf, on_token, settings, "en", STATEMENT_DAY) == sealed  # PKCS#1 v1.5
    assert verify_pdf(sealed, load_trust_roots([ca.root_pem]), NOW).ok
    report = pdfsig(write(tmp_path, "token.pdf", sealed), nssdb)
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


# Bad input: each a clear message before anything is rendered, and never a secret


def _cases(ca: Pki, folder: Path, port: int) -> dict[str, tuple[SealSettings, str]]:
    """Each bad input and the start of its message (``port``: one nothing listens on)."""
    expired = pki.issue("Expired Seal", ca.intermediate,
                        valid=(pki.VALID_FROM, dt.datetime(2021, 1, 1, tzinfo=dt.UTC)))
    future = pki.issue("Future Seal", ca.intermediate,
                       valid=(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), pki.VALID_UNTIL))
    encrypting = pki.issue("Encryption Only", ca.intermediate, signing=False)
    for name, issued in (("expired", expired), ("future", future), ("encrypting", encrypting)):
        pki.p12(folder / f"{name}.p12", issued, [ca.intermediate])
    keyless = folder / "keyless.p12"
    keyless.write_bytes(pkcs12.serialize_key_and_certificates(
        None, pki.rsa_key(), None, [ca.seal.cert], serialization.NoEncryption()))
    subject = "CN={},O=Syndicate tests"
    return {
        "wrong passphrase": (settings_for(ca, secret=Secret("not the passphrase 42")),
                             f"{ca.folder}/seal.p12: cannot open the PKCS#12 file (wrong "
                             "passphrase, or not a PKCS#12 file)"),
        "no passphrase": (settings_for(ca, secret=None),
                          f"{ca.folder}/seal.p12: cannot open the PKCS#12 file (encrypted: set "
                          "SYNDICATE_SEAL_PASSPHRASE, or not a PKCS#12 file)"),
        "no certificate": (settings_for(ca, pkcs12=keyless, secret=None),
                           f"{keyless}: the PKCS#12 file must hold the seal's private key and "
                           "its certificate"),
        "expired": (settings_for(ca, pkcs12=folder / "expired.p12"),
                    f"the seal's certificate ({subject.format('Expired Seal')}) expired on "
                    "2021-01-01 00:00 UTC"),
        "not yet valid": (settings_for(ca, pkcs12=folder / "future.p12"),
                          f"the seal's certificate ({subject.format('Future Seal')}) is not "
                          "valid yet: from 2030-01-01 00:00 UTC"),
        "no signing usage": (settings_for(ca, pkcs12=folder / "encrypting.p12"),
                             f"the seal's certificate ({subject.format('Encryption Only')}) "
                             "is not for signing: its key usage has neither digitalSignature "
                             "nor nonRepudiation"),
        "unreachable timestamp authority": (
            settings_for(ca, timestamp_url=f"http://user:tsa-password-77@127.0.0.1:{port}/"),
            f"the timestamp authority http://127.0.0.1:{port}/ did not give a timestamp: "
            f"Cannot connect to host 127.0.0.1:{port}"),
    }


def test_each_bad_input_has_its_message_and_no_secret(
    ca: Pki, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # A port bound and not listening while the test runs: a connection to it is refused, and
    # no other test's server can take it meanwhile (as one could a port found free and let go).
    with socket.socket() as refusing:
        refusing.bind(("127.0.0.1", 0))
        cases = _cases(ca, tmp_path, int(refusing.getsockname()[1]))
        _each_fails_with_its_message(cases, capsys, caplog)


def _each_fails_with_its_message(cases: dict[str, tuple[SealSettings, str]],
                                 capsys: pytest.CaptureFixture[str],
                                 caplog: pytest.LogCaptureFixture) -> None:
    for case, (settings, message) in cases.items():
        with pytest.raises(SealError) as error, open_sealer(settings, NOW):
            pytest.fail(f"{case}: opened")
        assert error.value.message.startswith(message), case
        shown_context = error.value.__context__ and not error.value.__suppress_context__
        assert error.value.__cause__ is None and not shown_context, case  # no traceback
        shown = error.value.message + capsys.readouterr().err + caplog.text
        for secret in (pki.PASSPHRASE, "not the passphrase 42", "tsa-password-77"):
            assert secret not in shown, case


def test_a_wrong_pin_and_a_key_not_the_certificates_on_a_token(
    ca: Pki, token: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SealError) as error, open_sealer(token_settings(ca, pin="000000"), NOW):
        pytest.fail("opened")
    assert error.value.message == "the PKCS#11 token refused the PIN (SYNDICATE_SEAL_PIN)"
    with pytest.raises(SealError) as error, open_sealer(token_settings(ca, OTHER_LABEL), NOW):
        pytest.fail("opened")
    assert error.value.message == ("the seal's private key does not match its certificate "
                                   "(CN=Press Office Seal,O=Syndicate tests)")
    with pytest.raises(SealError) as error, open_sealer(token_settings(ca, "nothing"), NOW):
        pytest.fail("opened")
    assert error.value.message == ("the PKCS#11 token cannot sign with the key 'nothing' and its "
                                   "certificate: Could not find private key with label "
                                   "'nothing'.")
    absent = dataclasses.replace(token_settings(ca), token=Token(
        Path("/usr/lib/softhsm/libsofthsm2.so"), "no-such-token", None, KEY_LABEL, KEY_LABEL))
    with pytest.raises(SealError) as error, open_sealer(absent, NOW):
        pytest.fail("opened")
    assert error.value.message == ("cannot open the PKCS#11 token (label 'no-such-token', "
                                   "module /usr/lib/softhsm/libsofthsm2.so): the module has no "
                                   "such token")
    assert PIN not in capsys.readouterr().err + caplog.text + error.value.message


# The signed manifest and a published folder


def sealed_folder(published: Path, folder: Path, sealer: Sealer, ca: Pki) -> Path:
    """A copy of the published folder with its PDFs sealed and a signed manifest."""
    out = folder / "dist"
    shutil.copytree(published, out)
    entries = manifest.files_of(json.loads((out / MANIFEST).read_bytes()))
    assert entries
    for index, entry in enumerate(entries):
        if entry.kind == "pdf":
            path = out / entry.path
            lang = entry.lang if entry.lang != "mul" else "pt"
            data = seal_pdf(path.read_bytes(), sealer, settings_for(ca), lang, STATEMENT_DAY)
            path.write_bytes(data)
            entries[index] = dataclasses.replace(entry, size=len(data),
                                                 sha256=hashlib.sha256(data).hexdigest())
    text = manifest.manifest(entries)
    (out / MANIFEST).write_bytes(text)
    (out / MANIFEST_SIGNATURE).write_bytes(sign_manifest(text, sealer, NOW))
    return out


def test_the_manifest_signature_is_reproducible_and_openssl_accepts_it(
    published: Path, sealer: Sealer, ca: Pki
) -> None:
    text = (published / MANIFEST).read_bytes()
    signature = sign_manifest(text, sealer, NOW)
    assert sign_manifest(text, sealer, NOW) == signature
    folder = published.parent
    (folder / "manifest.p7s").write_bytes(signature)
    result = subprocess.run(
        [tool("openssl", "openssl"), "cms", "-verify", "-binary", "-inform", "DER",
         "-in", str(folder / "manifest.p7s"), "-content", str(published / MANIFEST),
         "-CAfile", str(ca.root_pem), "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True)
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr


def test_a_sealed_folder_verifies_and_each_change_is_named(
    published: Path, sealer: Sealer, ca: Pki, tmp_path: Path
) -> None:
    out = sealed_folder(published, tmp_path, sealer, ca)
    verdict = verify_folder(out, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.ok, [file for file in verdict.files if not file.ok]
    assert len(verdict.files) == 25 and verdict.manifest == FileVerdict(
        MANIFEST, True, "signature holds")
    assert all(f.reason.startswith("sealed by") for f in verdict.files if f.path.endswith(".pdf"))

    (out / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /\n")
    (out / "en" / "index.html").unlink()
    (out / "extra.html").write_bytes(b"<p>not published by the office</p>")
    verdict = verify_folder(out, load_trust_roots([ca.root_pem]), NOW)
    assert not verdict.ok and verdict.manifest.ok
    assert [file for file in verdict.files if not file.ok] == [
        FileVerdict("en/index.html", False, "missing"),
        FileVerdict("extra.html", False, "not in the signed manifest"),
        FileVerdict("robots.txt", False, "changed: its SHA-256 is not the manifest's"),
    ]


def test_a_changed_manifest_fails_its_signature(
    published: Path, sealer: Sealer, ca: Pki, tmp_path: Path
) -> None:
    out = sealed_folder(published, tmp_path, sealer, ca)
    text = (out / MANIFEST).read_bytes()
    (out / MANIFEST).write_bytes(text.replace(b'"robots.txt", "kind": "', b'"robots.txt", '
                                              b'"kind":  "'))
    verdict = verify_folder(out, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.manifest == FileVerdict(
        MANIFEST, False, "the manifest's signature does not match the content: the file was "
                         "changed after sealing")
    (out / MANIFEST_SIGNATURE).unlink()
    verdict = verify_folder(out, load_trust_roots([ca.root_pem]), NOW)
    assert verdict.manifest == FileVerdict(MANIFEST_SIGNATURE, False,
                                           "cannot read it (No such file or directory)")

"""A project with ``[seal]`` published and verified as an office and a reader would: the
``syndicate`` commands, poppler's ``pdfsig`` with an NSS database, OpenSSL, pikepdf and
pdftotext read the result; the seal's cache shown by the publish's own counts."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pki
import pytest
from click.testing import CliRunner, Result
from sealkit import (
    KEY_LABEL,
    PIN,
    TOKEN_LABEL,
    Pki,
    pdfsig,
    serving_tsa,
    tool,
)

from conftest import copy_project, serving
from syndicate import output
from syndicate.cli import main
from syndicate.seal.settings import PASSPHRASE_VARIABLE, PIN_VARIABLE

NOW = pki.NOW.isoformat()
SEAL_TABLE = """
[seal]
pkcs12 = "{p12}"
chain = ["{chain}"]
trust_roots = ["{root}"]
verify_url = "https://press.example.org/seal"

[seal.reason]
pt = "Selo eletrónico do Governo de Portugal"
en = "Electronic seal of the Portuguese Government"

[seal.location]
pt = "Lisboa"
en = "Lisbon"
"""


@pytest.fixture(scope="module", autouse=True)
def other_keys(ca: Pki) -> None:
    """The next year's seal (a key rotation) and an old one, beside the PKI's own."""
    pki.p12(ca.folder / "rotated.p12", pki.issue("Press Office Seal 2027", ca.intermediate),
            [ca.intermediate])
    old = pki.issue("Press Office Old Seal", ca.intermediate,
                    valid=(pki.VALID_FROM, datetime(2025, 1, 1, tzinfo=UTC)))
    pki.p12(ca.folder / "expired.p12", old, [ca.intermediate])


def sealed_project(folder: Path, ca: Pki, p12: str = "seal.p12") -> Path:
    project = copy_project(folder)
    with (project / "syndicate.toml").open("a", encoding="utf-8") as config:
        config.write(SEAL_TABLE.format(p12=ca.folder / p12, chain=ca.chain_pem,
                                       root=ca.root_pem))
    return project


def use_key(project: Path, ca: Pki, p12: str) -> None:
    config = project / "syndicate.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index('pkcs12 = "')
    end = text.index("\n", start)
    config.write_text(f'{text[:start]}pkcs12 = "{ca.folder / p12}"{text[end:]}',
                      encoding="utf-8")


def syndicate(*args: str, passphrase: str | None = pki.PASSPHRASE,
              locale: str = "C.UTF-8") -> Result:
    env = {PASSPHRASE_VARIABLE: passphrase, "LC_ALL": locale}
    return CliRunner().invoke(main, list(args), env=env)


def publish(project: Path, *options: str, passphrase: str | None = pki.PASSPHRASE) -> Result:
    return syndicate("publish", "--project", str(project), "--now", NOW, "--jobs", "1",
                     *options, passphrase=passphrase)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def pdfs(out: Path) -> list[Path]:
    return sorted(out.glob("**/*.pdf"))


@pytest.fixture(scope="module")
def site(ca: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    project = sealed_project(tmp_path_factory.mktemp("office") / "project", ca)
    result = publish(project)
    assert result.exit_code == 0, result.output
    yield project


def test_every_pdf_is_sealed_and_poppler_trusts_it(site: Path, nssdb: str) -> None:
    found = pdfs(site / "dist")
    assert len(found) == 3  # the communiqué in pt and in en, the multilingual edition
    for path in found:
        report = pdfsig(path, nssdb)
        assert "Signature Validation: Signature is Valid." in report, report
        assert "Certificate Validation: Certificate is Trusted." in report, report
        assert "Signer Certificate Common Name: Press Office Seal" in report, report
        assert "Signature Type: ETSI.CAdES.detached" in report, report
    for path in found:  # each in its language; the multilingual edition in the default one
        with pikepdf.open(path) as pdf:
            seal = pdf.Root.AcroForm.Fields[0].V
            place, reason = str(seal.Location), str(seal.Reason)
        english = path.name.endswith("-en.pdf")
        assert place == ("Lisbon" if english else "Lisboa")
        assert reason == ("Electronic seal of the Portuguese Government" if english
                          else "Selo eletrónico do Governo de Portugal")


def test_the_seal_line_is_visible_in_each_language(site: Path) -> None:
    def text(path: Path) -> str:
        out = subprocess.run([tool("pdftotext", "poppler-utils"), str(path), "-"],
                             capture_output=True, text=True, check=True).stdout
        return "".join(out.split())  # (lines wrap where they may, a URL too)

    by_name = {p.name.rsplit("-", 1)[-1]: text(p) for p in pdfs(site / "dist")}
    pt = ("Selado eletronicamente por Governo de Portugal: um leitor de PDF mostra se o selo "
          "é válido; como o verificar: https://press.example.org/seal")
    en = ("Electronically sealed by Portuguese Government: a PDF reader shows whether the "
          "seal holds; how to check it: https://press.example.org/seal")
    pt, en = "".join(pt.split()), "".join(en.split())
    assert pt in by_name["pt.pdf"] and en not in by_name["pt.pdf"]
    assert en in by_name["en.pdf"] and pt not in by_name["en.pdf"]
    assert pt in by_name["bilingual.pdf"] and en in by_name["bilingual.pdf"]


def test_sealed_pdfs_stay_pdf_a_3u_and_tagged(site: Path) -> None:
    for path in pdfs(site / "dist"):
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "U")
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
            assert len(pdf.attachments) >= 1  # the statement's source
            assert pdf.Root.AcroForm.SigFlags == 3


def test_the_manifest_signature_holds_for_openssl(site: Path, ca: Pki) -> None:
    out = site / "dist"
    result = subprocess.run(
        [tool("openssl", "openssl"), "cms", "-verify", "-binary", "-inform", "DER",
         "-in", str(out / "manifest.json.p7s"), "-content", str(out / "manifest.json"),
         "-CAfile", str(ca.root_pem), "-purpose", "any", "-out", "/dev/null"],
        capture_output=True, text=True)
    assert result.returncode == 0 and "Verification successful" in result.stderr, result.stderr
    listed = {entry["path"]: entry["sha256"] for entry in
              json.loads((out / "manifest.json").read_bytes())["files"]}
    for path in pdfs(out):
        assert listed[path.relative_to(out).as_posix()] == hashlib.sha256(
            path.read_bytes()).hexdigest()  # the sealed bytes, as published


def test_verify_a_folder_a_pdf_and_a_url(site: Path, tmp_path: Path) -> None:
    out = site / "dist"
    result = syndicate("verify", str(out), "--project", str(site))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("checked: every one holds")
    assert "ok   manifest.json: signature holds" in result.output
    pdf = pdfs(out)[0]
    result = syndicate("verify", str(pdf), "--project", str(site))
    assert result.exit_code == 0 and "sealed by" in result.output, result.output
    with serving(out) as url:
        result = syndicate("verify", url, "--project", str(site))
        assert result.exit_code == 0, result.output
        result = syndicate("verify", url + pdf.relative_to(out).as_posix(),
                           "--project", str(site))
        assert result.exit_code == 0, result.output


def test_verify_names_a_changed_byte_and_exits_1(site: Path, ca: Pki, tmp_path: Path,
                                                  nssdb: str) -> None:
    copy = tmp_path / "mirror"
    subprocess.run(["cp", "-rL", str((site / "dist").resolve()), str(copy)], check=True)
    pdf = pdfs(copy)[0]
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x01
    pdf.write_bytes(bytes(data))
    result = syndicate("verify", str(copy), "--trust", str(ca.root_pem))
    assert result.exit_code == 1
    name = pdf.relative_to(copy).as_posix()
    assert f"FAIL {name}: changed: its SHA-256 is not the manifest's" in result.output
    result = syndicate("verify", str(pdf), "--trust", str(ca.root_pem))
    assert result.exit_code == 1 and "FAIL" in result.output, result.output
    assert "Signature is Valid." not in pdfsig(pdf, nssdb)


def test_a_no_op_reuses_the_sealed_bytes_and_a_fresh_publish_repeats_them(
    site: Path, ca: Pki, tmp_path: Path
) -> None:
    before = files(site / "dist")
    result = publish(site)
    assert result.exit_code == 0 and "Nothing changed" in result.output, result.output
    assert files(site / "dist") == before
    again = sealed_project(tmp_path / "project", ca)
    assert publish(again).exit_code == 0
    assert files(again / "dist") == before  # no timestamp authority: the same bytes


def test_a_rotated_key_reseals_without_laying_anything_out(ca: Pki, tmp_path: Path,
                                                           nssdb: str) -> None:
    project = sealed_project(tmp_path / "project", ca)
    assert publish(project).exit_code == 0
    before = {p.name: p.read_bytes() for p in pdfs(project / "dist")}
    use_key(project, ca, "rotated.p12")
    result = publish(project, "--verbose")
    assert result.exit_code == 0, result.output
    assert "Rendering 0 unit(s)" in result.output  # no layout at all
    assert "re-sealed 3" in result.output
    after = {p.name: p.read_bytes() for p in pdfs(project / "dist")}
    for name, sealed in after.items():
        # The layout: the rendered file, up to its end (the seal is an update after it).
        layout = before[name][:before[name].index(b"%%EOF") + 5]
        assert len(layout) < len(before[name]) - 5000  # (a seal is several kilobytes)
        assert sealed.startswith(layout) and sealed != before[name]
        assert "Common Name: Press Office Seal 2027" in pdfsig(project / "dist" / next(
            p.relative_to(project / "dist") for p in pdfs(project / "dist") if p.name == name),
            nssdb)
    result = publish(project)
    assert "Nothing changed" in result.output, result.output


def test_the_seal_turned_off_gives_the_unsealed_layout_back(ca: Pki, tmp_path: Path) -> None:
    project = sealed_project(tmp_path / "project", ca)
    assert publish(project).exit_code == 0
    config = project / "syndicate.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("\n[seal]")] + "\n", encoding="utf-8")
    result = publish(project)
    assert result.exit_code == 0, result.output
    for path in pdfs(project / "dist"):
        with pikepdf.open(path) as pdf:
            assert "/AcroForm" not in pdf.Root  # no seal
        assert b"Electronically sealed" not in path.read_bytes()


@pytest.mark.parametrize(("change", "message"), [
    ({"passphrase": "wrong"}, "cannot open the PKCS#12 file (wrong passphrase"),
    ({"passphrase": None}, f"encrypted: set {PASSPHRASE_VARIABLE}"),
    ({"p12": "expired.p12"}, "expired"),
])
def test_a_seal_that_cannot_seal_stops_before_anything_is_written(
    site: Path, tmp_path: Path, ca: Pki, change: dict[str, str | None], message: str
) -> None:
    project = sealed_project(tmp_path / "project", ca)
    assert publish(project).exit_code == 0
    before = files(project / "dist")
    if change.get("p12"):
        use_key(project, ca, str(change["p12"]))
    source = project / "statements" / "2022-11-22-vitorino-iom" / "en.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    passphrase = change.get("passphrase", pki.PASSPHRASE)
    result = publish(project, passphrase=passphrase)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output, result.output
    assert pki.PASSPHRASE not in result.output
    assert files(project / "dist") == before
    versions = output.versions_dir(project / "dist")
    assert [p.name for p in versions.iterdir()] == [(project / "dist").resolve().name]
    check = syndicate("check", "--project", str(project), passphrase=passphrase)
    assert check.exit_code == 1 and message in check.output, check.output


def test_with_a_timestamp_authority_seals_are_b_t_and_a_no_op_keeps_them(
    ca: Pki, tmp_path: Path
) -> None:
    project = sealed_project(tmp_path / "project", ca)
    config = project / "syndicate.toml"
    with serving_tsa(ca) as tsa:
        config.write_text(config.read_text(encoding="utf-8").replace(
            "[seal]\n", f'[seal]\ntimestamp_url = "{tsa}"\n', 1), encoding="utf-8")
        assert publish(project).exit_code == 0
        before = files(project / "dist")
        result = publish(project)
        assert "Nothing changed" in result.output, result.output
        assert files(project / "dist") == before  # the timestamped seals, reused as they are
    verdict = syndicate("verify", str(project / "dist"), "--project", str(project))
    assert verdict.exit_code == 0, verdict.output
    assert verdict.output.count("(PAdES B-T)") == 3


def test_a_key_on_a_token_seals_the_same_bytes_as_its_pkcs12_file(
    site: Path, ca: Pki, tmp_path: Path, nssdb: str, token: Path
) -> None:
    project = sealed_project(tmp_path / "project", ca)
    config = project / "syndicate.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        f'pkcs12 = "{ca.folder / "seal.p12"}"',
        f'pkcs11_module = "{token}"\npkcs11_token_label = "{TOKEN_LABEL}"\n'
        f'pkcs11_key_label = "{KEY_LABEL}"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--now", NOW],
                                env={PIN_VARIABLE: PIN})
    assert result.exit_code == 0, result.output
    wrong = CliRunner().invoke(main, ["check", "--project", str(project)],
                               env={PIN_VARIABLE: "0000"})
    assert wrong.exit_code == 1 and "0000" not in wrong.output, wrong.output
    assert "PIN" in wrong.output and "Traceback" not in wrong.output, wrong.output
    for path in pdfs(project / "dist"):
        assert "Signature is Valid." in pdfsig(path, nssdb)
    # The same layouts, whichever holds the key (the layout's key knows nothing of it).
    for ours, theirs in zip(pdfs(project / "dist"), pdfs(site / "dist"), strict=True):
        ours_data, theirs_data = ours.read_bytes(), theirs.read_bytes()
        end = theirs_data.index(b"%%EOF") + 5
        assert ours_data[:end] == theirs_data[:end]


@pytest.mark.parametrize(("locale", "changed", "summary"), [
    ("pt_PT.UTF-8", "alterado: o seu SHA-256 não é o do manifesto",
     "ficheiro(s) verificado(s), com falhas: 1"),
    ("fr_BE.UTF-8", "modifié : son SHA-256 n’est pas celui du manifeste",
     "fichier(s) vérifié(s), en échec : 1"),
    ("es_ES.UTF-8", "modificado: su SHA-256 no es el del manifiesto",
     "archivo(s) comprobado(s), con fallos: 1"),
    ("pt_BR.UTF-8", "changed: its SHA-256 is not the manifest's", "file(s) checked: 1 failed"),
    ("de_DE.UTF-8", "changed: its SHA-256 is not the manifest's", "file(s) checked: 1 failed"),
])
def test_the_report_is_in_the_readers_language_where_syndicate_has_its_words(
    site: Path, tmp_path: Path, locale: str, changed: str, summary: str
) -> None:
    copy = tmp_path / "mirror"
    subprocess.run(["cp", "-rL", str((site / "dist").resolve()), str(copy)], check=True)
    (copy / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /\n")
    result = syndicate("verify", str(copy), "--project", str(site), locale=locale)
    assert result.exit_code == 1
    assert f"FAIL robots.txt: {changed}" in result.output, result.output
    assert result.output.splitlines()[-1].endswith(summary), result.output


def test_every_sentence_of_the_report_is_in_each_catalog() -> None:
    from babel.messages.pofile import read_po

    from syndicate.i18n import PACKAGED_LOCALES
    from syndicate.seal import report

    catalogs = sorted(PACKAGED_LOCALES.glob(f"*/LC_MESSAGES/{report.DOMAIN}.po"))
    assert [path.parts[-3] for path in catalogs] == ["es", "fr", "pt_PT"]
    for path in catalogs:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        assert translated == report.SENTENCES, (path, report.SENTENCES ^ translated)


def test_a_manifest_signature_gone_from_the_output_is_written_again(ca: Pki,
                                                                    tmp_path: Path) -> None:
    project = sealed_project(tmp_path / "project", ca)
    assert publish(project).exit_code == 0
    signature = (project / "dist" / "manifest.json.p7s").read_bytes()
    (project / "dist" / "manifest.json.p7s").unlink()
    result = publish(project)
    assert result.exit_code == 0 and "Nothing changed" not in result.output, result.output
    assert (project / "dist" / "manifest.json.p7s").read_bytes() == signature


def test_verify_a_site_whose_manifest_lists_odd_paths_reports_each(site: Path,
                                                                     tmp_path: Path) -> None:
    copy = tmp_path / "mirror"
    subprocess.run(["cp", "-rL", str((site / "dist").resolve()), str(copy)], check=True)
    document = json.loads((copy / "manifest.json").read_bytes())
    odd = [{"path": path, "sha256": "0" * 64} for path in
           ("robots.txt/inside-a-file", "manifest.json", "../outside", "/etc/passwd")]
    document["files"] += odd
    (copy / "manifest.json").write_text(json.dumps(document), encoding="utf-8")
    with serving(copy) as url:
        result = syndicate("verify", url, "--project", str(site))
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "FAIL manifest.json: the manifest's signature does not match" in result.output
    assert "FAIL robots.txt/inside-a-file: missing" in result.output
    assert "FAIL ../outside: the manifest names a path outside the folder" in result.output
    assert "ok   robots.txt: matches the manifest" in result.output

"""The ``[seal]`` table: read, checked (every problem at once, with its line), secrets only
from the environment and never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, append
from syndicate.errors import ContentError
from syndicate.seal.settings import (
    PASSPHRASE_VARIABLE,
    PIN_VARIABLE,
    SealSettings,
    Secret,
    load_seal_settings,
)

SECRET = "pass phrase that must never show 93!"


def project(tmp_path: Path, table: str, files: tuple[str, ...] = ()) -> tuple[Path, int]:
    """A project whose syndicate.toml ends with ``table``; the line the table starts on."""
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "syndicate.toml").write_text((REPO / "syndicate.toml").read_text("utf-8"),
                                              "utf-8")
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    return tmp_path, append(tmp_path / "syndicate.toml", table)


def problems(error: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_a_pkcs12_seal_is_read_with_its_passphrase_from_the_environment(tmp_path: Path) -> None:
    root = tmp_path / "elsewhere" / "root.pem"  # (outside the project: an absolute path)
    folder, _ = project(tmp_path / "project", '[seal]\npkcs12 = "keys/seal.p12"\n'
                        'chain = ["keys/ca.pem"]\ntimestamp_url = "https://tsa.example.org/tsr"\n'
                        f'trust_roots = ["{root}"]\n'
                        '[seal.reason]\npt = "Selo do Governo"\nen = "Government seal"\n'
                        '[seal.location]\npt = "Lisboa"\nen = "Lisbon"\n',
                        ("keys/seal.p12", "keys/ca.pem"))
    root.parent.mkdir()
    root.write_bytes(b"")
    settings = load_seal_settings(folder, {PASSPHRASE_VARIABLE: SECRET})
    assert settings == SealSettings(
        pkcs12=folder / "keys/seal.p12", token=None, secret=Secret(SECRET),
        chain=(folder / "keys/ca.pem",), timestamp_url="https://tsa.example.org/tsr",
        trust_roots=(root,),
        reason=(("pt", "Selo do Governo"), ("en", "Government seal")),
        location=(("pt", "Lisboa"), ("en", "Lisbon")))
    assert (settings.reason_for("en"), settings.location_for("pt")) == ("Government seal",
                                                                         "Lisboa")
    assert settings.reason_for("ar") is None
    assert SECRET not in repr(settings) and SECRET not in str(settings.secret)


def test_without_a_seal_table_there_is_nothing_to_seal(tmp_path: Path) -> None:
    assert load_seal_settings(project(tmp_path, "")[0], {}) is None


def test_every_problem_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    folder, line = project(tmp_path, '[seal]\npkcs12 = "missing.p12"\npassphrase = "x"\n'
                           'timestamp_url = "ftp://tsa.example.org"\nchain = [1]\n'
                           'trust_roots = ["nowhere.pem"]\n[seal.reason]\nfr = "Sceau"\n')
    with pytest.raises(ContentError) as error:
        load_seal_settings(folder, {PASSPHRASE_VARIABLE: SECRET})
    assert problems(error) == [
        f"{folder}/syndicate.toml:{line + 1}: pkcs12: no such file 'missing.p12'",
        f"{folder}/syndicate.toml:{line + 2}: unknown key 'passphrase' in [seal] (known keys: "
        "chain, location, pkcs11_cert_label, pkcs11_key_label, pkcs11_module, pkcs11_slot, "
        "pkcs11_token_label, pkcs12, reason, timestamp_url, trust_roots, verify_url)",
        f"{folder}/syndicate.toml:{line + 3}: timestamp_url must be an http(s) URL, not "
        "'ftp://tsa.example.org'",
        f"{folder}/syndicate.toml:{line + 4}: chain must be a list of certificate files",
        f"{folder}/syndicate.toml:{line + 5}: trust_roots: no such file 'nowhere.pem'",
        f"{folder}/syndicate.toml:{line + 7}: [seal.reason]: 'fr' is not a language of the "
        "site",
    ]


def test_one_source_of_the_key_exactly(tmp_path: Path) -> None:
    folder, line = project(tmp_path, '[seal]\npkcs12 = "s.p12"\npkcs11_module = "m.so"\n',
                           ("s.p12", "m.so"))
    with pytest.raises(ContentError) as error:
        load_seal_settings(folder, {})
    assert problems(error) == [f"{folder}/syndicate.toml:{line}: [seal] needs exactly one of "
                               "pkcs12 (a PKCS#12 file) and pkcs11_module (a token's PKCS#11 "
                               "library)"]


def test_a_token_needs_its_labels_and_a_pin_from_the_environment(tmp_path: Path) -> None:
    folder, line = project(tmp_path, '[seal]\npkcs11_module = "m.so"\n', ("m.so",))
    with pytest.raises(ContentError) as error:
        load_seal_settings(folder, {})
    where = f"{folder}/syndicate.toml:{line + 1}"
    assert problems(error) == [
        f"{where}: a PKCS#11 token needs exactly one of pkcs11_token_label and pkcs11_slot",
        f"{where}: a PKCS#11 token needs pkcs11_key_label (the private key's label)",
        f"{where}: set {PIN_VARIABLE} to the token's PIN (it is never read from the file)",
    ]


def test_a_token_is_read_with_its_pin(tmp_path: Path) -> None:
    folder, _ = project(tmp_path, '[seal]\npkcs11_module = "/usr/lib/softhsm/libsofthsm2.so"\n'
                        'pkcs11_slot = 0\npkcs11_key_label = "seal"\n')
    settings = load_seal_settings(folder, {PIN_VARIABLE: SECRET, PASSPHRASE_VARIABLE: "other"})
    assert settings is not None and settings.token is not None
    assert (settings.token.slot, settings.token.token_label, settings.token.key_label,
            settings.token.cert_label) == (0, None, "seal", "seal")
    assert settings.secret == Secret(SECRET)
    assert SECRET not in repr(settings)

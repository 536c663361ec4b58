"""The ``[seal]`` table of ``syndicate.toml``: who seals the communiqués, and how.

The key and its certificate come from a PKCS#12 file (``pkcs12``) or from a PKCS#11 token, an
HSM or a smart card (``pkcs11_module`` and the token's and key's labels); the passphrase or PIN
only ever comes from the environment (``SYNDICATE_SEAL_PASSPHRASE``, ``SYNDICATE_SEAL_PIN``),
never from the file. The keys (their types in ``config.SEAL_KEYS``) and an example are in the
README, "Sealed communiqués"; this module checks what the schema cannot (exactly one key
source, files that exist, languages of the site) and builds the :class:`SealSettings`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from syndicate.config import CONFIG_FILE, SEAL_KEYS
from syndicate.errors import ContentError, Problem
from syndicate.schema import check_table, locate

PASSPHRASE_VARIABLE = "SYNDICATE_SEAL_PASSPHRASE"
PIN_VARIABLE = "SYNDICATE_SEAL_PIN"


@dataclass(frozen=True, slots=True)
class Secret:
    """A passphrase or a PIN: its value never shows in a repr, a message or a log."""

    value: str

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class Token:
    """Where a PKCS#11 key lives: the module, the token (by label or slot), the labels."""

    module: Path
    token_label: str | None
    slot: int | None
    key_label: str
    cert_label: str


@dataclass(frozen=True, slots=True)
class SealSettings:
    """The validated ``[seal]`` table (see the module's docstring for each key)."""

    pkcs12: Path | None
    token: Token | None
    secret: Secret | None  # the passphrase (PKCS#12) or the PIN (PKCS#11), from the environment
    chain: tuple[Path, ...] = ()
    timestamp_url: str | None = None
    trust_roots: tuple[Path, ...] = ()
    reason: tuple[tuple[str, str], ...] = ()  # (language code, text)
    location: tuple[tuple[str, str], ...] = ()

    def reason_for(self, lang: str) -> str | None:
        return dict(self.reason).get(lang)

    def location_for(self, lang: str) -> str | None:
        return dict(self.location).get(lang)


@dataclass(frozen=True, slots=True)
class _Table:
    """The raw table, the file's text and where it is: what each check needs to locate."""

    values: dict[str, object]
    text: str
    path: Path
    project: Path

    # The values, once the schema has checked their types:
    def string(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def files(self, key: str) -> tuple[Path, ...]:
        value = self.values.get(key)
        return tuple(self.file(v) for v in value if isinstance(v, str)) if isinstance(
            value, list) else ()

    def by_language(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self.values.get(key)
        return tuple((k, v) for k, v in value.items() if isinstance(v, str)) if isinstance(
            value, dict) else ()

    def problem(self, key: str | None, message: str, table: tuple[str, ...] = ("seal",)) -> Problem:
        return Problem(str(self.path), locate(self.text, table, key), message)

    def file(self, value: str) -> Path:
        return Path(value) if Path(value).is_absolute() else self.project / value


def load_seal_settings(
    project: Path, environ: Mapping[str, str] = os.environ
) -> SealSettings | None:
    """The ``[seal]`` table of the project's ``syndicate.toml``; None when there is none.

    Every problem is reported at once in a :class:`ContentError`, with its line; a secret's
    value is never part of one."""
    path = project / CONFIG_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError([Problem(str(path), None, f"cannot read the [seal] table: {exc}")]
                           ) from None
    values = data.get("seal")
    if values is None:
        return None
    table = _Table(values if isinstance(values, dict) else {}, text, path, project)
    if not isinstance(values, dict):
        raise ContentError([table.problem(None, "seal must be a table")])
    languages = data.get("languages")
    problems = check_table(values, SEAL_KEYS, ("seal",), text, str(path))
    problems += _key_source_problems(table, environ)
    problems += _file_list_problems(table, "chain") + _file_list_problems(table, "trust_roots")
    codes = set(languages) if isinstance(languages, dict) else set()
    problems += _by_language_problems(table, "reason", codes)
    problems += _by_language_problems(table, "location", codes)
    if problems:
        raise ContentError(problems)
    return _settings(table, environ)


def _key_source_problems(table: _Table, environ: Mapping[str, str]) -> list[Problem]:
    """Exactly one of ``pkcs12`` and ``pkcs11_module``, and what each needs."""
    values = table.values
    if ("pkcs12" in values) == ("pkcs11_module" in values):
        return [table.problem(None, "[seal] needs exactly one of pkcs12 (a PKCS#12 file) and "
                                    "pkcs11_module (a token's PKCS#11 library)")]
    if "pkcs12" in values:
        return _file_problems(table, "pkcs12", values["pkcs12"])
    problems = _file_problems(table, "pkcs11_module", values["pkcs11_module"])
    if ("pkcs11_token_label" in values) == ("pkcs11_slot" in values):
        problems.append(table.problem("pkcs11_module", "a PKCS#11 token needs exactly one of "
                                                       "pkcs11_token_label and pkcs11_slot"))
    if "pkcs11_key_label" not in values:
        problems.append(table.problem("pkcs11_module", "a PKCS#11 token needs pkcs11_key_label "
                                                       "(the private key's label)"))
    if not environ.get(PIN_VARIABLE):
        problems.append(table.problem("pkcs11_module", f"set {PIN_VARIABLE} to the token's PIN "
                                                       "(it is never read from the file)"))
    return problems


def _file_problems(table: _Table, key: str, value: object) -> list[Problem]:
    if isinstance(value, str) and not table.file(value).is_file():
        return [table.problem(key, f"{key}: no such file {value!r}")]
    return []  # (not a string: reported by the schema)


def _file_list_problems(table: _Table, key: str) -> list[Problem]:
    value = table.values.get(key, [])
    if not isinstance(value, list):
        return []
    if not all(isinstance(item, str) for item in value):
        return [table.problem(key, f"{key} must be a list of certificate files")]
    return [problem for item in value for problem in _file_problems(table, key, item)]


def _by_language_problems(table: _Table, key: str, codes: set[str]) -> list[Problem]:
    value = table.values.get(key, {})
    if not isinstance(value, dict):
        return []
    where = ("seal", key)
    problems = [table.problem(code, f"[seal.{key}]: {code!r} is not a language of the site",
                              where) for code in value if code not in codes]
    problems += [table.problem(code, f"[seal.{key}] {code} must be a string", where)
                 for code, text in value.items() if not isinstance(text, str)]
    return problems


def _settings(table: _Table, environ: Mapping[str, str]) -> SealSettings:
    token, key_label = None, table.string("pkcs11_key_label")
    module, pkcs12 = table.string("pkcs11_module"), table.string("pkcs12")
    if module is not None and key_label is not None:
        slot = table.values.get("pkcs11_slot")
        token = Token(table.file(module), table.string("pkcs11_token_label"),
                      slot if isinstance(slot, int) else None, key_label,
                      table.string("pkcs11_cert_label") or key_label)
    secret = environ.get(PIN_VARIABLE if token else PASSPHRASE_VARIABLE)
    return SealSettings(
        pkcs12=table.file(pkcs12) if pkcs12 is not None else None, token=token,
        secret=Secret(secret) if secret else None, chain=table.files("chain"),
        timestamp_url=table.string("timestamp_url"), trust_roots=table.files("trust_roots"),
        reason=table.by_language("reason"), location=table.by_language("location"),
    )


def trust_root_files(project: Path) -> tuple[Path, ...]:
    """The ``[seal] trust_roots`` of the project's ``syndicate.toml`` (none: no such table or
    file); what ``syndicate verify`` trusts when no root is given. Needs no key or secret."""
    try:
        text = (project / CONFIG_FILE).read_text(encoding="utf-8-sig")
        seal = tomllib.loads(text).get("seal")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()
    if not isinstance(seal, dict):
        return ()
    return _Table(seal, text, project / CONFIG_FILE, project).files("trust_roots")

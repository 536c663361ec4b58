"""The sentences of ``syndicate verify``'s report, in English and in the reader's language.

Each sentence is a constant here (``%(name)s`` for what changes); the translations are
``syndicate/locales/<locale>/LC_MESSAGES/verify.po``, read with Babel. A locale without such a
catalog reads English; a regional one takes its language's catalog only where that catalog has
no region (``fr_BE`` reads ``fr``; ``pt_BR`` does not read ``pt_PT``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from syndicate.i18n import PACKAGED_LOCALES

Words = Callable[[str], str]  # an English sentence -> the same in the reader's language

DOMAIN = "verify"

NOT_A_PDF = "not a readable PDF (%(detail)s)"
NOT_SEALED = "not sealed: the PDF has no signature"
SEAL_UNREADABLE = "the seal cannot be read (%(detail)s)"
APPENDED = "something was appended to the file after the seal"
# What each kind of signature's status may show: (changed, not valid, not trusted).
SEAL, SEAL_TIMESTAMP, MANIFEST, MANIFEST_TIMESTAMP = (
    ("the seal does not match the content: the file was changed after sealing",
     "the seal's signature is not valid (not made by its certificate's key)",
     "the seal's certificate (%(subject)s) is not trusted: %(why)s"),
    ("the seal's timestamp does not match the content: the file was changed after sealing",
     "the seal's timestamp's signature is not valid (not made by its certificate's key)",
     "the seal's timestamp's certificate (%(subject)s) is not trusted: %(why)s"),
    ("the manifest's signature does not match the content: the file was changed after sealing",
     "the manifest's signature is not valid (not made by its certificate's key)",
     "the manifest's signature's certificate (%(subject)s) is not trusted: %(why)s"),
    ("the manifest's timestamp does not match the content: the file was changed after sealing",
     "the manifest's timestamp's signature is not valid (not made by its certificate's key)",
     "the manifest's timestamp's certificate (%(subject)s) is not trusted: %(why)s"),
)
_NOT_VALID_THEN = ("it was not valid at the time checked, and no timestamp proves that the "
                   "seal was made while it was")
_WEAK = "it uses an algorithm too weak to trust"
# ETSI EN 319 102-1's sub-indications (pyHanko's names): why a certificate is not trusted.
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
    "CRYPTO_CONSTRAINTS_FAILURE": _WEAK,
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": _WEAK,
    "GENERIC": "its chain could not be validated",
}
MANIFEST_UNREADABLE = "the manifest's signature cannot be read (%(detail)s)"
CANNOT_READ = "cannot read it (%(detail)s)"
SIGNATURE_HOLDS = "signature holds"
NOT_A_MANIFEST = "not a syndicate manifest (%(detail)s)"
NOT_LISTED = "not in the signed manifest"
OUTSIDE = "the manifest names a path outside the folder"
MISSING = "missing"
CHANGED = "changed: its SHA-256 is not the manifest's"
MATCHES = "matches the manifest"
SEALED_BY_AT = "sealed by %(signer)s at %(when)s (%(level)s)"
SEALED_BY = "sealed by %(signer)s (%(level)s)"
FILES_FAILED = "%(count)s file(s) checked: %(failed)s failed"
FILES_HOLD = "%(count)s file(s) checked: every one holds"
SEAL_HOLDS = "the seal holds"
SEAL_FAILS = "the seal does not hold"

SENTENCES = frozenset({
    NOT_A_PDF, NOT_SEALED, SEAL_UNREADABLE, APPENDED, *SEAL, *SEAL_TIMESTAMP, *MANIFEST,
    *MANIFEST_TIMESTAMP, *UNTRUSTED_BECAUSE.values(), MANIFEST_UNREADABLE, CANNOT_READ,
    SIGNATURE_HOLDS, NOT_A_MANIFEST, NOT_LISTED, OUTSIDE, MISSING, CHANGED, MATCHES,
    SEALED_BY_AT, SEALED_BY, FILES_FAILED, FILES_HOLD, SEAL_HOLDS, SEAL_FAILS,
})


def english(sentence: str) -> str:
    return sentence


@cache
def words_for(locale: str) -> Words:
    """The report's words for ``locale`` (e.g. ``pt_PT``, ``fr_BE``): its catalog's, else
    its language's if that catalog has no region, else English."""
    from babel.messages.pofile import read_po

    for name in (locale, locale.split("_")[0]):
        path = PACKAGED_LOCALES / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=name)
            table = {m.id: m.string for m in catalog
                     if isinstance(m.id, str) and isinstance(m.string, str) and m.string
                     and not m.fuzzy}
            return lambda sentence: table.get(sentence, sentence)
    return english

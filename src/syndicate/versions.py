"""The installed versions of the libraries that decide syndicate's output (see
:func:`syndicate.cache.code_digest`), read without importing ``importlib.metadata``."""

from __future__ import annotations

import os
import re
import sys
from functools import cache


def library_version(name: str) -> str:
    """The version of the installed distribution ``name`` ("" when none is): the first one
    ``importlib.metadata`` would find on ``sys.path``. The name of a wheel's
    ``NAME-VERSION.dist-info`` folder says it, so the path's folders are listed instead of
    importing ``importlib.metadata``, which every command would (they all make the tool's
    digest: ``benchmarks/notes.md``); ``importlib.metadata`` answers for anything else."""
    found = _listed_versions().get(_distribution_key(name))
    if found:
        return found
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


@cache
def _listed_versions() -> dict[str, str]:
    """By distribution (:func:`_distribution_key`), the version its ``.dist-info`` folder's
    name gives, from the folders of ``sys.path`` up to the first entry that is no plain folder
    (a zip or an ``.egg``, which ``importlib.metadata`` reads inside: the rest is left to it);
    "" where the first found is of another kind (an ``.egg-info``) or has a name this cannot
    read (a "-" in its version)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except NotADirectoryError:
            break  # (a zip)
        except OSError:
            continue  # (not there: importlib.metadata finds nothing in it either)
        if folder.endswith(".egg"):
            break
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            kind = kind.lower()
            if dot and kind in ("dist-info", "egg-info"):
                project, _, version = stem.partition("-")
                found.setdefault(_distribution_key(project),
                                 version if kind == "dist-info" and "-" not in version else "")
    return found


def _distribution_key(name: str) -> str:
    """A distribution's name as its forms compare (PEP 503: "PyYAML", "pyyaml", "py_yaml")."""
    return re.sub(r"[-_.]+", "-", name).lower()

"""The installed versions of the libraries that decide syndicate's output (see
:func:`syndicate.cache.code_digest`), read without importing ``importlib.metadata``."""

from __future__ import annotations

import os
import re
import sys
from functools import cache


def library_version(name: str) -> str:
    """The version of the installed distribution ``name`` ("" when none is), as
    ``importlib.metadata.version`` finds it: the first on ``sys.path``. A wheel installs its
    ``NAME-VERSION.dist-info`` folder, whose name says it, so the folders are listed instead of
    importing ``importlib.metadata`` (a twentieth of a second of every command, the no-op's
    too: ``benchmarks/notes.md``); it answers for anything installed otherwise."""
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
    name gives, or "" where the first found on ``sys.path`` is another kind (an ``.egg-info``)."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if dot and kind in ("dist-info", "egg-info"):
                project, _, version = stem.partition("-")
                found.setdefault(_distribution_key(project),
                                 version if kind == "dist-info" and "-" not in version else "")
    return found


def _distribution_key(name: str) -> str:
    """A distribution's name as its forms compare (PEP 503: "PyYAML", "pyyaml", "py_yaml")."""
    return re.sub(r"[-_.]+", "-", name).lower()

"""The docstring examples in the package are run as tests: every module's, found by walking the
package, so a new module's examples run without being listed here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import syndicate

# Run as ``python -m syndicate``: importing it starts the command line.
NOT_IMPORTABLE = {"syndicate.__main__"}
MODULES = sorted(
    info.name for info in pkgutil.walk_packages(syndicate.__path__, "syndicate.")
    if info.name not in NOT_IMPORTABLE
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_the_walk_finds_the_modules_with_examples() -> None:
    # A walk that found nothing would pass every example: these modules have some.
    for name in ("syndicate.pool", "syndicate.model", "syndicate.render.preview",
                 "syndicate.workflow", "syndicate.mail.compose", "syndicate.libc"):
        assert name in MODULES
        assert doctest.testmod(importlib.import_module(name)).attempted > 0

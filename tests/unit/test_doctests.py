"""The docstring examples in the package are run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "name",
    [
        "syndicate.i18n", "syndicate.markup", "syndicate.model", "syndicate.placeholders",
        "syndicate.render.pages", "syndicate.mail.compose", "syndicate.mail.lists",
        "syndicate.catalogs", "syndicate.config", "syndicate.errors", "syndicate.fonts",
        "syndicate.sources", "syndicate.render.pdf", "syndicate.scaffold", "syndicate.assets",
        "syndicate.images", "syndicate.render.sfnt",
    ],
)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0

"""The examples in the docstrings of srma.dedup are tests too."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "srma.dedup.normalise",
    "srma.dedup.compare",
    "srma.dedup.merge",
    "srma.dedup.decisions",
    "srma.dedup.benchmark_io",
    "srma.commands.dedup_cmd",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

"""``srma.__version__`` is looked up lazily (PEP 562) and is the installed version."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import srma


def test_version_is_the_installed_distributions() -> None:
    assert srma.__version__ == importlib.metadata.version("srma")
    from srma import __version__

    assert __version__ == srma.__version__
    assert "__version__" in dir(srma) and "__version__" in srma.__all__


def test_unknown_attribute_still_raises() -> None:
    try:
        srma.no_such_thing  # noqa: B018
    except AttributeError as e:
        assert "no_such_thing" in str(e)
    else:
        raise AssertionError("srma.no_such_thing did not raise AttributeError")


def test_fallback_when_not_installed(monkeypatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    assert srma.__version__  # looked up and cached in the module
    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    monkeypatch.delitem(srma.__dict__, "__version__")  # forget the cached value
    assert srma.__version__ == "0.0.0+unknown"
    monkeypatch.undo()  # puts the cached installed version back
    assert srma.__version__ == importlib.metadata.version("srma")


def test_import_does_not_load_importlib_metadata() -> None:
    """``import srma`` stays cheap: every Snakemake job pays for it."""
    code = (
        "import sys, srma; assert 'importlib.metadata' not in sys.modules, 'eager';"
        "srma.__version__; assert 'importlib.metadata' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

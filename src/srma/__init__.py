"""srma: systematic review and meta-analysis, from raw database exports to results."""

from __future__ import annotations

# Declared for type checkers only: a bare annotation binds no value, so the first
# ``srma.__version__`` goes to __getattr__ below.  (No ``typing`` import: ~10 ms.)
__version__: str

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``srma.__version__``, looked up on first use (PEP 562).

    ``importlib.metadata`` costs ~45 ms to import, and every Snakemake job is a fresh
    interpreter that imports srma; most never ask for the version.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("srma")
    except PackageNotFoundError:  # running from a source tree that is not installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), "__version__"})

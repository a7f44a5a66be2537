"""srma: systematic review and meta-analysis, from raw database exports to results."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("srma")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

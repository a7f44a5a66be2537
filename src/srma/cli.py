"""The ``srma`` command line.

Each sub-command lives in a module of :mod:`srma.commands` that defines
``register(subparsers)``; the sub-parser's ``func`` default does the work and
returns an exit status.  A user's mistake (:class:`srma.errors.InputError`) is
printed as one paragraph, without a traceback, with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from srma import __version__
from srma.errors import InputError, SrmaError

#: Sub-command modules, in the order ``srma --help`` lists them.
COMMAND_MODULES = [
    "srma.commands.init_cmd",
    "srma.commands.check_cmd",
    "srma.commands.import_cmd",
    "srma.commands.dedup_cmd",
    "srma.commands.pool_cmd",
    "srma.commands.audit_cmd",
    "srma.commands.crate_cmd",
]

DESCRIPTION = """\
srma carries a systematic review from raw database exports to meta-analysis
results. The full pipeline runs with `snakemake --cores 4` in a review folder;
these sub-commands run single stages on their own."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srma",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"srma {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command not built yet in this checkout
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return int(func(args) or 0)
    except InputError as exc:
        print(f"srma: error: {exc}", file=sys.stderr)
        return 2
    except SrmaError as exc:
        print(f"srma: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("srma: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file that cannot be written (or read): no traceback either
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"srma: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

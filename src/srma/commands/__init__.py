"""Sub-commands of the ``srma`` command line, one module each (see :mod:`srma.cli`)."""

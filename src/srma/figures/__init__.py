"""Figures of srma.

:mod:`srma.figures.style` is the one style module every figure uses (fonts,
sizes, colours, deterministic saving); each figure has its own module, e.g.
:mod:`srma.figures.prisma` for the PRISMA 2020 flow diagram.
"""

from srma.figures import style

__all__ = ["style"]

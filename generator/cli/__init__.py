"""The ``showcase`` command line: options, Chinese messages and exit codes over the layers
below (the staff commands' dialogue in ``staff.py``, report tables in ``terminal.py``). It
may import every layer; nothing imports it."""

from . import annual  # noqa: F401  (registers `showcase annual`)
from .main import main

__all__ = ["main"]

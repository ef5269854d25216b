"""The ``showcase`` command line: options, Chinese messages and exit codes over the layers
below (the staff commands' dialogue in ``staff.py``, report tables in ``terminal.py``). It
may import every layer; nothing imports it."""

from . import sources  # noqa: F401  (registers `showcase sources`)
from .main import main

__all__ = ["main"]

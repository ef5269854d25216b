"""The ``showcase`` command line: options, Chinese messages and exit codes over the layers
below (the staff commands' dialogue in ``staff.py``, report tables in ``terminal.py``, the
publishing commands in ``publish.py``). It may import every layer; nothing imports it."""

from . import (
    annual,  # noqa: F401  (registers `showcase annual`)
    sources,  # noqa: F401  (registers `showcase sources`)
)
from . import publish as _publish  # noqa: F401  (declares server-config, deploy, package)
from .main import main

__all__ = ["main"]

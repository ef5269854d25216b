"""Reading and checking a data folder: the strict YAML reader with positions, typing records
with located Chinese errors, photo and symlink checks, cross-record checks, and the loaded
:class:`dataset.Dataset` (``loader.load``). Imports ``model`` and ``base``."""

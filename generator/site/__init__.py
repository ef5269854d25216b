"""The website's source: what templates see, the Markdown pages (Jinja2 templates in
``templates/``), charts, open data and the feed, URLs, and the static search index built
from rendered pages. Imports ``rules`` and below; never ``pdf``, ``staff`` or ``engines``."""

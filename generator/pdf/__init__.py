"""Print: the compilations (经验汇编) as book-quality PDFs, laid out by WeasyPrint from
Jinja2 templates and a print stylesheet (``templates/``). Imports the rules, data, model and
base layers; never the site or the engines."""

from .render import *  # noqa: F403
from .render import CompilationError, FontMissingError, compile_results, render_compilation

__all__ = ["CompilationError", "FontMissingError", "compile_results", "render_compilation"]

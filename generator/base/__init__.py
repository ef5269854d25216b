"""Foundations that know nothing of the programme: the one problem type, rules for record
text (refused characters, Markdown nesting, sanitised rendering, spreadsheet-safe cells),
safe output folders, the reference date, the garbage-collector pause. Imports nothing else
of the project."""

"""The programme's rules over a valid data set: plan progress, district duties, the facts
derived once per reference date, the audience's view (what the public may see), and which
experiences a compilation holds. Imports ``data``, ``model`` and ``base``."""

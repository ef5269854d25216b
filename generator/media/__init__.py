"""Photos for publishing: which variants a build needs (:mod:`.variants`) and the cache that
makes and keeps them (:mod:`.cache`).

May import ``base`` and ``data`` (the media checks); a sibling of ``rules``. Pages (``site``)
and the compilation PDF (``pdf``) both import it.
"""

"""Serving and publishing a built site (SPEC §6): the web server's configuration
(``nginx``, its Content-Security-Policy from ``csp``), atomic releases with rollback
(``deploy``) and the offline package for file:// (``offline``, ``package``); ``builtsite``
reads what ``showcase build`` made. It may import every layer up to ``engines`` (a package
builds the site first); only the command line imports it."""

"""Turning the generated pages into a site: the build pipeline and the adapters of the
static-site engines (the MkDocs plugin). Imports everything below; nothing imports it but
the command line."""

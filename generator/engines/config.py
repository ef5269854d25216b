"""The engine configuration of a build, made from the project's ``mkdocs.yml``.

``mkdocs.yml`` in the project root is the site's configuration (theme, Markdown extensions,
menu, stylesheets) *and* what a plain ``mkdocs build`` there reads (with the ``showcase``
plugin). A build writes its own copy for the chosen engine: the settings from program.yml
filled in (name, address, footer, ``extra.showcase``), the internal menu entry for internal
builds, no ``showcase`` plugin (the pages are already written), and each engine's own
needs. YAML tags of the original (``!ENV``, ``!!python/name:…``) are kept as written.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ..rules.audience import Audience
from ..site.fences import EXTENSION
from ..site.settings import SiteSettings, with_internal_nav, with_members_nav

Engine = Literal["mkdocs", "properdocs", "zensical"]
ENGINES: tuple[Engine, ...] = ("mkdocs", "properdocs", "zensical")
PLUGIN = "showcase"


@dataclass(frozen=True)
class Tagged:
    """A YAML value written with a tag this loader does not interpret (kept as written)."""

    tag: str
    value: Any


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return Tagged(node.tag, value)


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


def _represent_tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, data.value)


_Dumper.add_representer(Tagged, _represent_tagged)


def read(config_file: Path) -> dict[str, Any]:
    """The project's configuration, tags kept."""
    loaded = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loader)
    if not isinstance(loaded, dict):
        raise ValueError(f"{config_file} is not a mapping")
    return loaded


def dump(config: dict[str, Any]) -> str:
    return yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _name(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry))


def _markdown_extensions(extensions: list[Any]) -> list[Any]:
    """The project's extensions, with ours (generated HTML passed through) included."""
    if any(_name(entry) == EXTENSION for entry in extensions):
        return list(extensions)
    return [*extensions, EXTENSION]


def engine_config(project: dict[str, Any], settings: SiteSettings, audience: Audience,
                  engine: Engine) -> dict[str, Any]:
    """The configuration ``engine`` builds a generated project with (``docs/`` beside it)."""
    config = copy.deepcopy(project)
    config["site_name"] = settings.site_name
    if settings.site_url:
        config["site_url"] = settings.site_url
    else:
        config.pop("site_url", None)
    config["copyright"] = settings.copyright
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    extra = dict(config.get("extra") or {})
    internal_nav = extra.pop("internal_nav", None)
    extra["showcase"] = settings.showcase
    config["extra"] = extra
    config["plugins"] = [p for p in config.get("plugins") or [] if _name(p) != PLUGIN]
    config["markdown_extensions"] = _markdown_extensions(config.get("markdown_extensions") or [])
    nav = with_internal_nav(with_members_nav(config.get("nav"), settings.federated), audience,
                            internal_nav)
    if nav is not None:
        config["nav"] = nav
    theme = dict(config.get("theme") or {})
    if engine == "zensical":
        # Zensical's own look is "modern"; the overrides are written for Material's.
        theme["variant"] = "classic"
    config["theme"] = theme
    return config

"""``showcase serve``: MkDocs' live preview with the showcase plugin.

The plugin keeps a generated tree (``build/serve-docs``) in step with the data, rewriting
only the files an edit changes, and MkDocs' dirty rebuild renders just those pages. The
plugin's options are passed as a configuration override (not through the environment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..base import outputs
from ..media.variants import PhotoPlan
from ..rules.audience import Audience
from . import config as engine_config
from . import editor_server
from .config import PLUGIN
from .pipeline import find_config


def plugin_options(data_dir: Path, *, audience: Audience, as_of: dt.date,
                   sync: Path) -> dict[str, Any]:
    return {"data_dir": str(data_dir.resolve()), "audience": audience,
            "as_of": as_of.isoformat(), "pdf": False, "sync": str(sync)}


def plugins_with(project: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The project's plugins with the showcase plugin's options replaced — as a mapping:
    MkDocs changes a list of plugins in place while validating it, and ``serve`` validates
    the same overrides again for every rebuild."""
    plugins: dict[str, Any] = {}
    for entry in project.get("plugins") or []:
        name = entry if isinstance(entry, str) else next(iter(entry))
        settings = {} if isinstance(entry, str) else dict(entry[name] or {})
        plugins[name] = options if name == PLUGIN else settings
    plugins.setdefault(PLUGIN, options)
    return plugins


def serve(data_dir: Path, *, audience: Audience, as_of: dt.date, dev_addr: str,
          announce: Callable[[str], None]) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    config_file = find_config(data_dir)
    root = config_file.parent
    docs = root / "build" / "serve-docs"
    if docs.exists() and any(docs.iterdir()) and not (docs / outputs.MARKER).exists():
        raise outputs.UnsafeOutput(f"{docs} 不是 showcase 生成的目录；为避免覆盖，没有改动任何内容。"
                                   "请移走或删除它后再预览。")
    docs.mkdir(parents=True, exist_ok=True)  # MkDocs checks that docs_dir exists
    outputs.write_marker(docs, "showcase serve")
    options = plugin_options(data_dir, audience=audience, as_of=as_of, sync=docs)
    project = engine_config.read(config_file)
    announce(f"http://{dev_addr}/")
    with editor_server.installed(data_dir, root, dev_addr):  # /admin/: the browser editor
        mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True,
                     build_type="dirty", watch=[str(data_dir.resolve()), str(root / "content")],
                     docs_dir=str(docs), plugins=plugins_with(project, options))



_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}


def photo_server(serve_request: Callable[..., Any], mount_path: str,
                 plan_of: Callable[[], PhotoPlan | None]) -> Callable[..., Any]:
    """Wrap the preview server's request handler: a photo variant the page asks for is made
    (into the cache) when it is first requested, so a preview starts without image work."""
    from urllib.parse import unquote

    prefix = mount_path.rstrip("/") + "/"

    def handle(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        raw = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "ignore")
        plan = plan_of()
        if plan is not None and raw.startswith(prefix + "media/"):
            found = plan.variant_at(unquote(raw[len(prefix):]))
            if found is not None:
                try:
                    data = plan.cache.ensure(*found).read_bytes()
                except OSError:
                    return serve_request(environ, start_response)
                kind = _TYPES.get(Path(raw).suffix.lower(), "application/octet-stream")
                start_response("200 OK", [("Content-Type", kind),
                                          ("Content-Length", str(len(data))),
                                          ("Cache-Control", "no-cache")])
                return [data]
        return serve_request(environ, start_response)

    return handle

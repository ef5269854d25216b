"""``showcase serve``: a live preview with the browser editor, on MkDocs' reloading server.

* **Private.** Each preview works in a folder of its own (``build/.serve.project-<pid>``:
  the generated pages and the rendered site), removed when it stops; what a killed one
  leaves is removed by the next. Two previews of other data or audiences in one project
  never touch each other's pages.
* **Never stuck on bad data.** While the data has errors the preview answers every page
  with a Chinese list of the problems (as ``showcase validate`` prints them) with links
  that open each file in the editor at ``/admin/``; the editor keeps working, and the site
  comes back by itself once the data is valid again.
* **Honest address.** It says "正在生成预览" first and prints its address only once the
  server answers it.
* **Not on the network by accident.** Any address but a loopback one needs
  ``--allow-network`` and prints a warning; an internal preview never listens beyond this
  machine.

The showcase plugin keeps the generated tree in step with the data (rewriting only what an
edit changed), and MkDocs' dirty rebuild renders just those pages.
"""

from __future__ import annotations

import datetime as dt
import http.client
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base import outputs
from ..base.problems import Problem
from ..media.variants import PhotoPlan
from ..rules.audience import Audience
from . import config as engine_config
from . import editor_server, preview_errors
from .config import PLUGIN
from .editor_backend import is_loopback
from .pipeline import BuildFailed, find_config


class ServeRefused(outputs.UnsafeOutput):
    """The preview must not start as asked (Chinese message; exit status 2)."""


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


def split_address(dev_addr: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:8000`` for IPv6) → (host, port); Chinese error otherwise."""
    host, sep, port = dev_addr.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise ServeRefused(f"预览地址“{dev_addr}”的写法不对：请写成“地址:端口”，例如 127.0.0.1:8000。")
    return host.strip("[]"), int(port)


def check_exposure(host: str, *, audience: Audience, allow_network: bool) -> str | None:
    """Refuse a preview that would be reachable from other machines unless asked for; the
    warning to print when it is allowed."""
    if is_loopback(host):
        return None
    if audience == "internal":
        raise ServeRefused(f"内部版预览含有不公开的内容（电话、得分、内部备注等），只能在本机查看，"
                           f"不能监听 {host}。请去掉 --dev-addr，或改用 127.0.0.1:端口。")
    if not allow_network:
        raise ServeRefused(f"预览地址 {host} 会让局域网中的其他电脑也能打开预览和网页编辑器。"
                           "只在本机预览请用 127.0.0.1:端口（默认）；确需让别人访问，请加上 --allow-network。")
    return (f"注意：预览正在 {host} 上对网络开放，同一网络中的任何人都能打开它和网页编辑器"
            "（保存功能只对本机开放）。不用时请按 Ctrl+C 停止。")


# ---------------------------------------------------------------- what the server shows

@dataclass
class PreviewState:
    """What the last build left for the server: the data's problems (while there are any,
    every page is the error page), a failure that is not the data's, and the photos."""

    problems: list[Problem] = field(default_factory=list)
    failure: str | None = None
    photos: PhotoPlan | None = None
    data_dir: Path = Path()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, plugin: Any, failure: str | None) -> None:
        with self.lock:
            self.failure = failure
            self.problems = list(getattr(plugin, "problems", None) or [])
            prepared = getattr(plugin, "prepared", None)
            if prepared is not None and not self.problems:
                self.photos = prepared.site.photos

    @property
    def broken(self) -> bool:
        return bool(self.problems) or self.failure is not None


_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}
StartResponse = Callable[..., Any]


def photo_server(serve_request: Callable[..., Any], mount_path: str,
                 plan_of: Callable[[], PhotoPlan | None]) -> Callable[..., Any]:
    """Wrap the preview server's request handler: a photo variant the page asks for is made
    (into the cache) when it is first requested, so a preview starts without image work."""
    from urllib.parse import unquote

    prefix = mount_path.rstrip("/") + "/"

    def handle(environ: dict[str, Any], start_response: StartResponse) -> Any:
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


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return path.endswith("/") or last.endswith(".html") or "." not in last


def make_server(state: PreviewState, *, builder: Callable[[], None], host: str, port: int,
                site_dir: Path, data_dir: Path, root: Path, as_of: dt.date | None = None) -> Any:
    """MkDocs' reloading server with ``/admin/`` (the editor), photos made on request and
    the error page while the data has errors."""
    from mkdocs.livereload import LiveReloadServer

    routes = editor_server.Routes(data_dir, root, host, port, as_of=as_of)

    class PreviewServer(LiveReloadServer):
        def _serve_request(self, environ: dict[str, Any],
                           start_response: StartResponse) -> Iterable[bytes] | None:
            path = environ.get("PATH_INFO", "")
            if path == "/admin" or path.startswith("/admin/"):
                return routes(environ, start_response)
            if state.broken and _is_page(path) and not path.startswith("/livereload/"):
                with self._epoch_cond:
                    epoch = self._visible_epoch
                    building = self._wanted_epoch != epoch
                # While the data was broken the site is stale: a page asked for during a
                # rebuild (the repair just saved) says so at once instead of waiting for it.
                page = (preview_errors.building() if building else
                        preview_errors.page(state.problems, state.failure, routes.backend))
                content: bytes = self._inject_js_into_html(  # type: ignore[no-untyped-call]
                    page.encode("utf-8"), epoch)
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(content))),
                                          ("Cache-Control", "no-store")])
                return [content]
            served: Iterable[bytes] | None = photo_server(
                super()._serve_request, self.mount_path, lambda: state.photos)(
                environ, start_response)
            return served

    server = PreviewServer(builder=builder, host=host, port=port, root=str(site_dir))
    server.error_handler = lambda code: _error_page(site_dir, code)
    return server


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code == 404 and page.is_file() else None


def _wait_until_answered(host: str, port: int, stop: threading.Event,
                         then: Callable[[], None]) -> None:
    """Call ``then`` once the server answers a request (not merely accepts connections)."""
    while not stop.is_set():
        try:
            connection = http.client.HTTPConnection(host, port, timeout=2)
            connection.request("HEAD", "/admin/")
            connection.getresponse().read()
            connection.close()
        except OSError:
            time.sleep(0.1)
            continue
        then()
        return


def serve(data_dir: Path, *, audience: Audience, as_of: dt.date, dev_addr: str,
          allow_network: bool = False, say: Callable[[str], None]) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    host, port = split_address(dev_addr)
    warning = check_exposure(host, audience=audience, allow_network=allow_network)
    config_file = find_config(data_dir)
    root = config_file.parent
    project = engine_config.read(config_file)
    state = PreviewState(data_dir=data_dir.resolve())
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown_host}:{port}/"

    with outputs.private_dir(root / "build" / "serve") as work:
        docs, site_dir = work / "docs", work / "site"
        docs.mkdir()
        options = plugin_options(data_dir, audience=audience, as_of=as_of, sync=docs)
        watch = [str(data_dir.resolve()), str(root / "content"), str(root / "theme")]

        def load() -> Any:
            config = load_config(config_file=str(config_file), site_dir=str(site_dir),
                                 docs_dir=str(docs), dev_addr=f"{shown_host}:{port}",
                                 plugins=plugins_with(project, options))
            config.plugins.on_startup(command="serve", dirty=True)
            return config

        def builder() -> None:
            config = None
            failure = None
            try:
                config = load()
                config.site_url = url
                build(config, serve_url=url, dirty=True)
            except (Abort, MkDocsException, BuildFailed, OSError) as exc:
                failure = preview_errors.explain(exc)
            except Exception as exc:  # a bug of ours must not stop the preview
                failure = preview_errors.explain(exc)
            plugin = config.plugins.get(PLUGIN) if config is not None else None
            state.take(plugin, failure)
            if state.problems:
                say(f"数据有 {len([p for p in state.problems if p.is_error])} 个错误，"
                    "预览页面显示错误清单；改正后会自动恢复。")
            elif failure:
                say(f"预览更新失败：{failure}")

        say("正在生成预览……")
        builder()
        server = make_server(state, builder=builder, host=host, port=port, site_dir=site_dir,
                             data_dir=data_dir, root=root, as_of=as_of)
        for path in [*watch, str(config_file)]:
            if Path(path).exists():
                server.watch(path)
        stop = threading.Event()

        def ready() -> None:
            say(f"预览地址：{url} （按 Ctrl+C 停止）\n网页编辑器：{url}admin/")
            if warning:
                say(warning)

        announcer = threading.Thread(target=_wait_until_answered,
                                     args=("127.0.0.1" if host in ("0.0.0.0", "::") else host,
                                           port, stop, ready), daemon=True)
        try:
            try:
                server.server_bind()
            except OSError as exc:
                raise ServeRefused(f"无法使用预览地址 {shown_host}:{port}（{outputs.os_reason(exc)}；"
                                   "可能已有另一个预览在用这个端口）。请用 --dev-addr 换一个端口，"
                                   "例如 127.0.0.1:8001。") from None
            server.server_bind = lambda: None  # bound above; serve() binds again otherwise
            announcer.start()
            server.serve()
        except KeyboardInterrupt:
            say("预览已停止。")
        finally:
            stop.set()
            server.shutdown()

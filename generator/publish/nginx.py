"""``showcase server-config nginx``: an nginx ``server`` block for a built site.

Made from the site itself: its Content-Security-Policy allows what the pages use
(:mod:`.csp`), an internal build cannot be configured without authentication, and the root
is the deploy target's ``current`` link when the site is published with ``showcase deploy``
(nginx follows the link on each request, so switching releases needs no reload).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..base.outputs import FILE_TAG
from . import csp
from .builtsite import BuiltSite, open_site, site_files
from .deploy import CURRENT, is_deploy_target

MAKER = "showcase server-config"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
# What may stand in a quoted nginx string without changing its meaning ($ starts a variable).
_UNSAFE_PATH = re.compile(r'["\\$;{}#\x00-\x1f\x7f]')
_SERVER_NAME = re.compile(r"^(?:[A-Za-z0-9*_](?:[A-Za-z0-9._*-]{0,253}))(?: [A-Za-z0-9*_][A-Za-z0-9._*-]{0,253})*$")
_LISTEN = re.compile(r"^(?:(?:\[[0-9a-fA-F:]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?[0-9]{1,5}$")
_CANONICAL = re.compile(r'<link rel="canonical" href="https?://([^/":]+)(?::\d+)?(/[^"]*)?"', re.I)


class ConfigRefused(Exception):
    """The configuration cannot be written as asked (Chinese message saying how to fix it)."""


@dataclass(frozen=True)
class ServerOptions:
    site: Path
    server_name: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    htpasswd: str | None = None
    client_ca: str | None = None
    listen: str | None = None
    http_redirect: str = "80"


@dataclass(frozen=True)
class ServerConfig:
    text: str
    warnings: list[str]
    site: BuiltSite


def _path(value: str, option: str) -> str:
    absolute = os.path.abspath(value)
    if _UNSAFE_PATH.search(absolute):
        raise ConfigRefused(f"{option} 的路径 {value} 含有 nginx 配置中不能使用的字符"
                            "（引号、反斜杠、$、;、{、}、# 或控制字符）。请换一个路径。")
    return absolute


def _listen(value: str, option: str) -> str:
    if not _LISTEN.match(value) or not 0 < int(value.rsplit(":", 1)[-1]) < 65536:
        raise ConfigRefused(f"{option} 的值“{value}”不是端口或“地址:端口”，例如 443、8443 或 "
                            "127.0.0.1:8080。")
    return value


def site_root(folder: Path) -> tuple[Path, Path]:
    """(the root nginx serves, the folder holding the site now): a deploy target's
    ``current`` link when ``folder`` is a target, else ``folder``."""
    if is_deploy_target(folder):
        if not (folder / CURRENT).is_dir():
            raise ConfigRefused(f"{folder} 是 showcase deploy 的发布目录，但还没有发布过网站。"
                                f"请先运行 showcase deploy --to {folder}，再生成配置。")
        return folder / CURRENT, folder / CURRENT
    return folder, folder


def site_address(site: BuiltSite) -> tuple[str, str]:
    """(host, path) of the site's address (program.yml ``site_url``, as the home page's
    canonical link says); ("_", "/"), nginx's catch-all, without one."""
    found = _CANONICAL.search((site.root / "index.html").read_text(encoding="utf-8",
                                                                   errors="replace"))
    return (found[1], found[2] or "/") if found else ("_", "/")


def server_config(options: ServerOptions) -> ServerConfig:
    """The nginx configuration of the site in ``options.site``."""
    if bool(options.tls_cert) != bool(options.tls_key):
        raise ConfigRefused("--tls-cert 和 --tls-key 要一起给出：证书文件和它的私钥文件。")
    tls = bool(options.tls_cert)
    root, holder = site_root(options.site)
    site = open_site(holder)
    if site.internal and not (options.htpasswd or options.client_ca):
        raise ConfigRefused(
            "这是内部版网站，必须要求身份验证才能访问。请加上 --htpasswd 密码文件（用户名和密码），"
            "或 --client-ca 证书（只允许持有单位所发客户端证书的电脑访问），两者也可同时使用。"
            "做法见编辑指南“发布与部署”。")
    if options.client_ca and not tls:
        raise ConfigRefused("--client-ca（客户端证书）只能用于 HTTPS：请同时给出 --tls-cert 和 --tls-key。")
    if options.htpasswd and not tls:
        raise ConfigRefused("--htpasswd 的密码在 HTTP 下会以明文传输：请同时给出 --tls-cert 和 "
                            "--tls-key，在 HTTPS 下使用密码。")
    host, path = site_address(site)
    server_name = options.server_name or host
    if not _SERVER_NAME.match(server_name):
        raise ConfigRefused(f"--server-name 的值“{server_name}”不是域名，例如 dangjian.example.gov.cn。")
    listen = _listen(options.listen or ("443" if tls else "80"), "--listen")
    redirect = options.http_redirect
    if redirect != "off":
        redirect = _listen(redirect, "--http-redirect")
    port = listen.rsplit(":", 1)[-1]

    files = site_files(holder)
    pages = csp.site_pages(files)
    inline = csp.scan(holder, pages)
    editor = None
    if (holder / csp.EDITOR_DIR / "index.html").is_file():
        editor_inline = csp.scan(holder, [f for f in files if f.startswith(csp.EDITOR_DIR + "/")
                                          and f.endswith(".html")])
        editor = csp.editor_policy(editor_inline, csp.editor_backend_origins(holder))
    template = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES), undefined=jinja2.StrictUndefined,
        autoescape=False, keep_trailing_newline=True).get_template("nginx.conf.j2")
    text = template.render(
        tag=f"{FILE_TAG} {MAKER}",
        label="内部版网站" if site.internal else "公开版网站",
        site_dir=options.site, root=_path(str(root), "--site"), server_name=server_name,
        tls=tls, tls_cert=_path(options.tls_cert, "--tls-cert") if options.tls_cert else "",
        tls_key=_path(options.tls_key, "--tls-key") if options.tls_key else "",
        htpasswd=_path(options.htpasswd, "--htpasswd") if options.htpasswd else "",
        client_ca=_path(options.client_ca, "--client-ca") if options.client_ca else "",
        listen=listen, http_redirect=redirect if tls and redirect != "off" else "",
        port_suffix="" if port == "443" else f":{port}", internal=site.internal,
        site_policy=csp.site_policy(inline, tls=tls), editor_policy=editor)
    warnings = inline.warnings()
    if path != "/":
        warnings.append(f"program.yml 的 site_url 带有路径 {path}，但这份配置把网站放在域名的根目录：请把 "
                        "site_url 改为域名本身（例如 https://dangjian.example.gov.cn/）后重新生成网站，"
                        "或由网关把该路径转发到这台服务器的根目录。")
    return ServerConfig(text, warnings, site)

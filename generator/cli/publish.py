"""The publishing commands: ``server-config``, ``deploy`` and ``package`` (generator/publish/
does the work; here are the options, the Chinese messages and the exit codes: 2 when
nothing was touched because the request was refused, 1 when the work failed)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from .main import DEFAULT_DATA, as_of_option, audience_option, data_option, failures_exit, main, project_root


@contextlib.contextmanager
def _publishing_errors() -> Iterator[None]:
    from ..base.outputs import os_failure
    from ..publish.builtsite import NotABuiltSite
    from ..publish.deploy import DeployFailed, DeployRefused
    from ..publish.nginx import ConfigRefused

    try:
        yield
    except (NotABuiltSite, DeployRefused, ConfigRefused) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except DeployFailed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: {os_failure(exc, exc.filename or '目标文件夹')}", err=True)
        sys.exit(1)


site_option = click.option("--site", "site_dir", default="site", show_default=True, metavar="目录",
                           help="showcase build 生成的网站文件夹")


@main.command(name="server-config")
@click.argument("server", type=click.Choice(["nginx"]), metavar="nginx")
@site_option
@click.option("--server-name", metavar="域名", help="网站域名（默认取 program.yml 的 site_url）")
@click.option("--tls-cert", metavar="文件", help="HTTPS 证书文件（服务器上的路径）")
@click.option("--tls-key", metavar="文件", help="HTTPS 证书私钥文件（与 --tls-cert 一起使用）")
@click.option("--htpasswd", metavar="文件", help="内部版：用户名和密码文件（htpasswd 格式）")
@click.option("--client-ca", metavar="文件", help="内部版：签发客户端证书的 CA 证书，只允许持证书的电脑访问")
@click.option("--listen", metavar="端口", help="监听的端口或“地址:端口”（默认 HTTPS 443，否则 80）")
@click.option("--http-redirect", default="80", show_default=True, metavar="端口",
              help="使用 HTTPS 时，把这个端口上的 http:// 访问转到 https://；off 表示不转")
@click.option("--out", "out_file", metavar="文件.conf", help="写入这个文件（默认显示在屏幕上）")
def server_config(server: str, site_dir: str, server_name: str | None, tls_cert: str | None,
                  tls_key: str | None, htpasswd: str | None, client_ca: str | None,
                  listen: str | None, http_redirect: str, out_file: str | None) -> None:
    """生成网站服务器（nginx）的配置：安全响应头、404 页面、压缩、缓存、内部版的身份验证。"""
    from ..base.outputs import guard, replace_file
    from ..publish.nginx import MAKER, ServerOptions, server_config

    with _publishing_errors():
        config = server_config(ServerOptions(
            Path(site_dir), server_name=server_name, tls_cert=tls_cert, tls_key=tls_key,
            htpasswd=htpasswd, client_ca=client_ca, listen=listen, http_redirect=http_redirect))
    for warning in config.warnings:
        click.echo(f"warning: {warning}", err=True)
    if out_file is None:
        click.echo(config.text, nl=False)
        return
    with failures_exit():
        target = guard(out_file, data_dir=DEFAULT_DATA, project_root=project_root(DEFAULT_DATA),
                       made_by=MAKER, kind="file", suffix=".conf")
        replace_file(target, config.text.encode("utf-8"))
    click.echo(f"已写出 nginx 配置：{out_file}。检查：sudo nginx -t；生效：sudo systemctl reload nginx")


@main.command()
@site_option
@click.option("--to", "to", required=True, metavar="目标",
              help="发布目录：本机（或挂载的）文件夹，或 用户@服务器:/路径（经 rsync 和 ssh）")
@click.option("--keep", default=5, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="保留最近的 N 个版本（含当前版本），更早的删除")
@click.option("--rollback", is_flag=True, help="回退：改为发布上一个版本（不上传）")
@click.option("--ssh", default="ssh", show_default=True, metavar="命令",
              help="连接服务器的 ssh 命令，例如 \"ssh -p 2222 -i ~/.ssh/deploy\"")
@click.option("--bwlimit", type=click.IntRange(min=1), metavar="KB/s",
              help="上传到服务器时限制带宽（每秒 KB）")
def deploy(site_dir: str, to: str, keep: int, rollback: bool, ssh: str,
           bwlimit: int | None) -> None:
    """发布网站：复制为一个新版本，再一次性切换为当前版本；--rollback 回退到上一个版本。"""
    from ..publish import deploy as dep

    with _publishing_errors():
        if dep.is_remote(to):
            target: dep.Target = dep.RemoteTarget(to, ssh=ssh, bwlimit=bwlimit)
        else:
            target = dep.local_target(to, site=Path(site_dir),
                                      project_root=project_root(DEFAULT_DATA))
        result = dep.rollback(target) if rollback else dep.deploy(Path(site_dir), target, keep=keep)
    if rollback:
        click.echo(f"已回退：{to} 的当前版本改为 {result.release}（撤下了 {result.previous}）。")
        return
    how = "已上传" if result.uploaded else "已有此版本，未重新上传"
    click.echo(f"已发布：{to} 的当前版本是 {result.release}（{how}）。")
    if result.previous and result.previous != result.release:
        click.echo(f"上一个版本 {result.previous} 仍保留，可用 showcase deploy --to {to} --rollback 回退。")
    if result.removed:
        click.echo(f"按 --keep {keep} 删除了较早的版本：{'、'.join(result.removed)}")


@main.command()
@click.option("--out", "out_file", required=True, metavar="文件.zip", help="离线包文件")
@data_option
@audience_option
@as_of_option
@click.option("--kiosk", is_flag=True,
              help="展厅触摸屏模式：不含外部链接，按钮更大，无人操作时自动回到首页")
@click.option("--idle", default=120, show_default=True, type=click.IntRange(min=5, max=3600),
              metavar="秒", help="展厅模式：无人操作多少秒后回到首页")
@click.option("--no-pdf", is_flag=True, help="不含经验汇编 PDF")
def package(out_file: str, data_dir: str, audience: str, as_of: str | None, kiosk: bool,
            idle: int, no_pdf: bool) -> None:
    """生成离线包（.zip）：解压后双击 index.html 即可浏览和搜索，不需要服务器和网络。"""
    from ..base.outputs import guard
    from ..base.reference import reference_date
    from ..publish.package import MAKER, PackageOptions, write_package

    with failures_exit():
        target = guard(out_file, data_dir=data_dir, project_root=project_root(data_dir),
                       made_by=MAKER, kind="file", suffix=".zip")
    with failures_exit(), _publishing_errors():
        result = write_package(PackageOptions(
            data_dir=Path(data_dir), out=target, audience=audience,  # type: ignore[arg-type]
            as_of=reference_date(as_of), kiosk=kiosk, idle=idle, pdf=not no_pdf))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    mode = "展厅模式" if kiosk else "离线浏览"
    click.echo(f"离线包（{mode}，{len(result.files)} 个文件）已写出：{out_file}。"
               "解压后双击其中的 index.html 打开。")

"""``showcase deploy``: releases, the atomic switch of ``current``, rollback, pruning, the
guards, and deploys that die half-way — to a local folder and through rsync over a remote
shell (a stand-in for ssh that runs the server's side on this machine: the real rsync
protocol, a local path as the "server"). nginx serves ``TARGET/current`` throughout, so
"the old site stays served" is checked where visitors would see it."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from server_support import free_port, nginx, request, require_nginx
from test_site_support import MINIMAL, build_ok, cli_env, run_cli, snapshot

require_nginx()

RELEASE = r"^2026-1[12]-\d\d-[0-9a-f]{12}$"
FAKE_SSH = """#!/bin/sh
# ssh stand-in: skips ssh's options and the host, runs the command on this machine.
while [ $# -gt 0 ]; do
  case "$1" in -l|-p|-o|-i|-F|-J) shift 2 ;; -*) shift ;; *) break ;; esac
done
shift
exec sh -c "$*"
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three public builds of the minimal data on different reference dates (so three
    releases) and an internal one."""
    root = tmp_path_factory.mktemp("deploy-sites")
    built = {name: build_ok(MINIMAL, root / name, as_of=day)
             for name, day in (("a", "2026-11-28"), ("b", "2026-12-01"), ("c", "2026-12-05"))}
    built["internal"] = build_ok(MINIMAL, root / "internal", audience="internal")
    return built


@pytest.fixture(scope="module")
def fake_ssh(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ssh") / "ssh"
    path.write_text(FAKE_SSH, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def deploy(site: Path, to: str, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli("deploy", "--site", str(site), "--to", to, *args)
    assert "Traceback" not in result.stderr
    return result


def deployed(site: Path, to: str, *args: str) -> str:
    result = deploy(site, to, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def current(target: Path) -> str:
    link = os.readlink(target / "current")
    assert link.startswith("releases/")
    return link.removeprefix("releases/")


def served_files(target: Path) -> dict[str, bytes]:
    return snapshot(target / "current")


def serve_target(target: Path, prefix: Path) -> tuple[Path, str]:
    port = free_port()
    conf = prefix / "showcase.conf"
    result = run_cli("server-config", "nginx", "--site", str(target), "--server-name", "localhost",
                     "--listen", f"127.0.0.1:{port}", "--out", str(conf))
    assert result.returncode == 0, result.stderr
    text = conf.read_text(encoding="utf-8")
    assert f'root "{target}/current";' in text  # the link, not the release it points at now
    return conf, f"http://localhost:{port}"


def home(url: str) -> bytes:
    response = request(url + "/")
    assert response.status == 200
    return response.body


# ---------------------------------------------------------------- a local folder

def test_two_deploys_a_rollback_and_what_nginx_serves(sites: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "www"
    out = deployed(sites["a"], str(target))
    first = current(target)
    assert re.match(RELEASE, first) and first.startswith("2026-11-28-")
    assert f"当前版本是 {first}" in out
    assert served_files(target) == snapshot(sites["a"])
    conf, url = serve_target(target, tmp_path)
    with nginx(conf, tmp_path / "nginx"):
        assert home(url) == (sites["a"] / "index.html").read_bytes()
        out = deployed(sites["b"], str(target))
        second = current(target)
        assert second != first and second.startswith("2026-12-01-")
        assert f"上一个版本 {first} 仍保留" in out
        assert home(url) == (sites["b"] / "index.html").read_bytes()
        assert served_files(target) == snapshot(sites["b"])
        # files the two builds share are one file on disk (hard links), not two copies
        shared = target / "releases" / first / "assets" / "search.js"
        assert shared.stat().st_ino == (target / "releases" / second / "assets" / "search.js").stat().st_ino
        # deploying the same build again names the same release and uploads nothing
        again = deployed(sites["b"], str(target))
        assert "已有此版本" in again and current(target) == second
        rolled = run_cli("deploy", "--to", str(target), "--rollback")
        assert rolled.returncode == 0, rolled.stderr
        assert f"改为 {first}" in rolled.stdout and current(target) == first
        assert home(url) == (sites["a"] / "index.html").read_bytes()
    marker = json.loads((target / ".showcase-generated").read_text(encoding="utf-8"))
    assert marker["generated_by"] == "showcase deploy" and marker["audience"] == "public"
    assert marker["history"] == [first]
    # the rolled-back release stays on disk until the next deploy prunes it
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted([first, second])
    refused = run_cli("deploy", "--to", str(target), "--rollback")
    assert refused.returncode == 2 and "没有可以回退到的" in refused.stderr


def test_keep_prunes_only_releases_it_made(sites: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "www"
    ids = []
    for name in ("a", "b", "c"):
        deployed(sites[name], str(target), "--keep", "2")
        ids.append(current(target))
        if name == "a":  # someone's notes and a folder in releases/ that we did not make
            (target / "README.txt").write_text("运维备注", encoding="utf-8")
            (target / "releases" / "manual-copy").mkdir()
    out = deploy(sites["c"], str(target), "--keep", "2").stdout
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted([ids[1], ids[2], "manual-copy"])
    assert (target / "README.txt").read_text(encoding="utf-8") == "运维备注"
    assert "删除了较早的版本" not in out  # nothing more to prune the second time
    assert run_cli("deploy", "--to", str(target), "--rollback").returncode == 0
    assert current(target) == ids[1]


def test_it_refuses_what_it_did_not_make_and_touches_nothing(sites: dict[str, Path],
                                                             tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("别人的网站", encoding="utf-8")
    before = snapshot(foreign)
    result = deploy(sites["a"], str(foreign))
    assert result.returncode == 2 and "不是 showcase 生成的" in result.stderr
    assert snapshot(foreign) == before and sorted(p.name for p in foreign.iterdir()) == ["index.html"]
    # a built site is not a deploy target (another command made it)
    result = deploy(sites["a"], str(sites["b"]))
    assert result.returncode == 2 and "showcase build 生成的" in result.stderr
    # a folder that is not a build is not published
    result = deploy(foreign, str(tmp_path / "www"))
    assert result.returncode == 2 and "不是 showcase build 生成的网站" in result.stderr
    assert not (tmp_path / "www").exists()
    # public and internal releases never share a target
    target = tmp_path / "www"
    deployed(sites["a"], str(target))
    before = snapshot(target)
    result = deploy(sites["internal"], str(target))
    assert result.returncode == 2 and "公开版和内部版必须发布到不同的目录" in result.stderr
    assert snapshot(target) == before
    # the target inside the site (or around it)
    result = deploy(sites["a"], str(sites["a"] / "www"))
    assert result.returncode == 2
    # a `current` that is not our link: nothing is switched
    odd = tmp_path / "odd"
    deployed(sites["a"], str(odd))
    (odd / "current").unlink()
    (odd / "current").mkdir()
    result = deploy(sites["b"], str(odd))
    assert result.returncode == 2 and "不是指向 releases/" in result.stderr


def test_a_deploy_that_fails_half_way_leaves_current_served(sites: dict[str, Path],
                                                            tmp_path: Path) -> None:
    """The deploy process may write no file over 20 KB (RLIMIT_FSIZE): it fails while
    copying the site's larger files, after the small ones are in the partial copy."""
    target = tmp_path / "www"
    deployed(sites["a"], str(target))
    first = current(target)
    conf, url = serve_target(target, tmp_path)

    def small_files_only() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    with nginx(conf, tmp_path / "nginx"):
        failed = subprocess.run(
            [sys.executable, "-m", "generator", "deploy", "--site", str(sites["b"]), "--to",
             str(target)], env=cli_env(), capture_output=True, text=True, timeout=120,
            preexec_fn=small_files_only, check=False)
        assert failed.returncode == 1, failed.stderr
        assert "error:" in failed.stderr and "Traceback" not in failed.stderr
        partial = [p for p in (target / "releases").iterdir() if p.name.startswith(".partial-")]
        assert len(partial) == 1 and any(partial[0].rglob("*.html"))  # it got half-way
        assert current(target) == first
        assert home(url) == (sites["a"] / "index.html").read_bytes()
        # the next deploy clears the partial copy and the dead process's lock
        deployed(sites["b"], str(target))
        assert home(url) == (sites["b"] / "index.html").read_bytes()
    assert not [p for p in (target / "releases").iterdir() if p.name.startswith(".")]
    assert not (target / ".showcase-deploy.lock").exists()


# ---------------------------------------------------------------- rsync over a remote shell

def test_rsync_deploys_rolls_back_and_prunes(sites: dict[str, Path], tmp_path: Path,
                                             fake_ssh: str) -> None:
    target = tmp_path / "srv" / "showcase"
    spec = f"deploy@localhost:{target}"
    ids = []
    for name in ("a", "b", "c"):
        out = deployed(sites[name], spec, "--ssh", fake_ssh, "--keep", "2")
        ids.append(current(target))
        assert f"{spec} 的当前版本是 {ids[-1]}" in out
        assert served_files(target) == snapshot(sites[name])
    assert ids[0].startswith("2026-11-28-") and len(set(ids)) == 3
    # the same names as a local deploy of the same builds
    local = tmp_path / "local"
    deployed(sites["a"], str(local))
    assert current(local) == ids[0]
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted(ids[1:])
    shared = "assets/search.js"
    assert (target / "releases" / ids[1] / shared).stat().st_ino == \
        (target / "releases" / ids[2] / shared).stat().st_ino
    assert oct((target / "releases" / ids[2] / "index.html").stat().st_mode & 0o777) == "0o644"
    rolled = run_cli("deploy", "--to", spec, "--rollback", "--ssh", fake_ssh)
    assert rolled.returncode == 0, rolled.stderr
    assert current(target) == ids[1]
    refused = deploy(sites["internal"], spec, "--ssh", fake_ssh)
    assert refused.returncode == 2 and "公开版和内部版" in refused.stderr


def test_a_killed_upload_never_becomes_current(sites: dict[str, Path], tmp_path: Path,
                                               fake_ssh: str) -> None:
    target = tmp_path / "srv" / "showcase"
    spec = f"localhost:{target}"
    deployed(sites["a"], spec, "--ssh", fake_ssh)
    first = current(target)
    conf, url = serve_target(target, tmp_path)
    with nginx(conf, tmp_path / "nginx"):
        # 20 KB/s: the upload of the next build takes minutes; it is killed after a few files
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "deploy", "--site", str(sites["b"]), "--to", spec,
             "--ssh", fake_ssh, "--bwlimit", "20"], env=cli_env(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                partial = [p for p in (target / "releases").iterdir() if p.name.startswith(".partial-")]
                if partial and sum(1 for f in partial[0].rglob("*") if f.is_file()) >= 3:
                    break
                assert process.poll() is None, "the throttled deploy ended before it was killed"
                assert time.monotonic() < deadline, "the upload did not start"
                time.sleep(0.05)
            assert current(target) == first
            assert home(url) == (sites["a"] / "index.html").read_bytes()
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the deploy, its rsync and the "server"'s
            process.wait()
        time.sleep(0.2)
        assert current(target) == first
        assert home(url) == (sites["a"] / "index.html").read_bytes()
        out = deployed(sites["b"], spec, "--ssh", fake_ssh)
        assert "已发布" in out
        assert home(url) == (sites["b"] / "index.html").read_bytes()
    assert not [p for p in (target / "releases").iterdir() if p.name.startswith(".")]


def test_remote_targets_are_checked(sites: dict[str, Path], fake_ssh: str, tmp_path: Path) -> None:
    for spec in ("localhost:relative/path", "localhost:/", "localhost:/srv/a b",
                 "localhost:/srv/$(reboot)", "localhost:/srv/../etc"):
        result = deploy(sites["a"], spec, "--ssh", fake_ssh)
        assert result.returncode == 2 and "绝对路径" in result.stderr, spec
    missing = deploy(sites["a"], f"localhost:{tmp_path}/x", "--ssh", str(tmp_path / "no-ssh"))
    assert missing.returncode == 1 and "找不到 ssh 命令" in missing.stderr
    broken = tmp_path / "failing-ssh"
    broken.write_text("#!/bin/sh\necho 'ssh: connect to host localhost port 22: Connection refused' >&2\n"
                      "exit 255\n", encoding="utf-8")
    broken.chmod(0o755)
    refused = deploy(sites["a"], f"localhost:{tmp_path}/x", "--ssh", str(broken))
    assert refused.returncode == 1 and "Connection refused" in refused.stderr
    assert "网站当前版本没有改变" in refused.stderr

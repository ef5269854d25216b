"""An output folder is never anything but an output folder (SPEC §5 "Output folders").

Every command that writes refuses, with exit 2 and a Chinese message, a target that is the
data folder or around it, the project, a git repository, the home folder, the filesystem
root or a folder it did not make — and then nothing at all has changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_site_support import MINIMAL, REPO, build_ok, cli_env, run_cli, settled

from generator.base import outputs


def checksum(folder: Path) -> str:
    """Names, kinds, modes and contents of everything below ``folder``."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            digest.update(f"{path.relative_to(folder)}|{stat.S_IFMT(info.st_mode)}|"
                          f"{info.st_mode & 0o777}".encode())
            if path.is_file() and not path.is_symlink():
                digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project (mkdocs.yml, theme, content, a git folder) with its data in ``data/``, and
    a home folder with a file in it."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "theme", root / "theme")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(MINIMAL, root / "data")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "report.docx").write_text("not showcase's", encoding="utf-8")
    return root


def command(name: str, root: Path, out: str) -> list[str]:
    data = str(root / "data")
    return {
        "build": ["build", "--data", data, "--out", out, "--no-pdf", "--as-of", "2026-11-28"],
        "generate": ["generate", "--data", data, "--out", out],
        "compile": ["compile", "--data", data, "--out", out],
        "schema": ["schema", "--data", data, "--out", out],
        "export": ["export", out, "--data", data],
    }[name]


TARGETS = ["data folder", "its parent", "project root", ".git folder", "home", "root",
           "foreign folder"]


def target_path(name: str, root: Path, command_name: str) -> str:
    tmp = root.parent
    folder = {
        "data folder": root / "data",
        "its parent": root,  # the data's parent is also the project root here...
        "project root": root,
        ".git folder": root / ".git",
        "home": tmp / "home",
        "root": Path("/"),
        "foreign folder": tmp / "foreign",
    }[name]
    if name == "its parent":
        folder = tmp  # ...so "its parent" is one level higher: it contains the data
    if command_name == "export" and name in ("data folder", ".git folder", "foreign folder"):
        # export writes one file: inside the data or .git folder, or over a foreign file
        return str(folder / "report.docx" if name == "foreign folder" else folder / "统计表.xlsx")
    return str(folder)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("command_name", ["build", "generate", "compile", "export", "schema"])
def test_writing_commands_refuse_unsafe_targets_and_touch_nothing(
        project: Path, command_name: str, target: str) -> None:
    tmp = project.parent
    out = target_path(target, project, command_name)
    before = checksum(tmp)
    root_entries = sorted(os.listdir("/"))
    env = cli_env(HOME=str(tmp / "home"))
    result = run_cli(*command(command_name, project, out), cwd=project, env=env)
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "不能写入" in result.stderr and "没有改动任何内容" in result.stderr, result.stderr
    assert checksum(tmp) == before
    assert sorted(os.listdir("/")) == root_entries


def test_a_folder_showcase_made_may_be_replaced(project: Path) -> None:
    """The counterpart: the same command writes into a new folder, and again into the folder
    it made (the marker says so)."""
    out = project / "site"
    for _ in range(2):
        result = run_cli(*command("schema", project, str(out)), cwd=project)
        assert result.returncode == 0, result.stderr
    assert (out / outputs.MARKER).is_file()
    result = run_cli(*command("export", project, str(project / "统计表.xlsx")), cwd=project)
    assert result.returncode == 0, result.stderr
    again = run_cli(*command("export", project, str(project / "统计表.xlsx")), cwd=project)
    assert again.returncode == 0, again.stderr


MAKERS = {"build": "showcase build", "generate": "showcase generate",
          "compile": "showcase compile", "schema": "showcase schema"}


@pytest.mark.parametrize(("maker", "writer"), [
    ("schema", "build"), ("schema", "generate"), ("build", "compile"), ("generate", "build"),
    ("compile", "schema"), ("build", "schema"),
])
def test_a_folder_made_by_another_command_is_refused(project: Path, maker: str,
                                                     writer: str) -> None:
    """`build --out schemas` once replaced the schema folder, a user's file included: the
    marker says which command made a folder, and only that command may write it again."""
    out = project.parent / "made"
    out.mkdir()
    outputs.write_marker(out, MAKERS[maker])
    (out / "mine.txt").write_text("a user's own file", encoding="utf-8")
    before = checksum(out)
    result = run_cli(*command(writer, project, str(out)), cwd=project)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"这个文件夹是 {MAKERS[maker]} 生成的，不是 {MAKERS[writer]} 的输出" in result.stderr
    assert "Traceback" not in result.stderr
    assert checksum(out) == before


def test_build_refuses_the_tracked_schemas_folder_of_a_git_project(tmp_path: Path) -> None:
    """The reported case: a git project whose schemas/ (tracked, made by `showcase
    schema`) is given to build as --out."""
    root = tmp_path / "project"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(
        ".git", ".venv", "site", "build", ".cache", "mutants", "node_modules", "sites_data"))
    shutil.copytree(MINIMAL, root / "sites_data")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.cn"]
    subprocess.run([*git, "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "schemas", "mkdocs.yml"], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-qm", "schemas"], check=True)
    before = checksum(root / "schemas")
    result = run_cli("build", "--out", "schemas", "--no-pdf", cwd=root)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "不是 showcase build 的输出" in result.stderr
    assert checksum(root / "schemas") == before


def test_a_git_repository_inside_an_old_output_is_never_deleted(project: Path) -> None:
    out = project.parent / "site"
    build_ok(project / "data", out, cwd=project)
    (out / "deploy" / ".git").mkdir(parents=True)
    before = checksum(out)
    result = run_cli(*command("build", project, str(out)), cwd=project)
    assert result.returncode == 2 and "git" in result.stderr, result.stderr
    assert checksum(out) == before


def test_staging_folders_are_private_and_the_result_is_not(tmp_path: Path) -> None:
    target = tmp_path / "site"
    with outputs.staged_dir(target, "test") as staging:
        assert stat.S_IMODE(staging.stat().st_mode) == 0o700
        (staging / "index.html").write_text("ok", encoding="utf-8")
    mode = stat.S_IMODE(target.stat().st_mode)
    assert mode & 0o055 == 0o055 & ~_umask()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_leftovers_of_a_killed_run_are_removed_by_the_next(project: Path) -> None:
    out = project.parent / "site"
    build_ok(project / "data", out, cwd=project, audience="internal")
    dead = 2**22 + 12345  # above any pid_max default: no such process
    for kind in ("building", "old"):
        leftover = project.parent / f".site.{kind}-{dead}"
        shutil.copytree(out, leftover)
    build_ok(project / "data", out, cwd=project)
    assert [n for n in settled(project.parent) if n.startswith(".site")] == []


def test_an_unwritable_target_is_a_chinese_error(project: Path, tmp_path: Path) -> None:
    """A folder without write permission. Root ignores permissions, so as root the command
    runs without that power (setpriv drops CAP_DAC_OVERRIDE from its bounding set): the same
    refusal a clerk's account meets, on any machine, container or chroot."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    args = command("build", project, str(locked / "site"))
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux, essential in Debian) is needed to test as root"
        result = subprocess.run(
            [setpriv, "--bounding-set", "-dac_override,-dac_read_search", sys.executable,
             "-m", "generator", *args], cwd=project, env=cli_env(), capture_output=True,
            text=True, encoding="utf-8", timeout=300, check=False)
    else:
        result = run_cli(*args, cwd=project)
    locked.chmod(0o700)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "无法写入" in result.stderr and "权限" in result.stderr, result.stderr
    assert list(locked.iterdir()) == []


def test_a_target_below_a_file_is_a_chinese_error(project: Path) -> None:
    blocker = project.parent / "a-file"
    blocker.write_text("x", encoding="utf-8")
    for name in ("build", "generate", "schema"):
        result = run_cli(*command(name, project, str(blocker / "out")), cwd=project)
        assert result.returncode == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr and "无法写入" in result.stderr, result.stderr
    assert blocker.read_text(encoding="utf-8") == "x"


def test_the_swap_is_a_rename_not_a_copy(tmp_path: Path) -> None:
    """The new site is the staging folder itself (same inode), and the old one is set aside
    by renaming before it is deleted: a copy-then-delete swap would fail both."""
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    outputs.write_marker(target, "test")
    old_inode = target.stat().st_ino
    with outputs.staged_dir(target, "test") as staging:
        (staging / "new.html").write_text("new", encoding="utf-8")
        staged_inode = staging.stat().st_ino
    assert target.stat().st_ino == staged_inode != old_inode
    assert sorted(p.name for p in target.iterdir()) == [outputs.MARKER, "new.html"]
    assert settled(tmp_path) == ["site"]  # the old one, set aside, is deleted afterwards


def test_a_failed_second_rename_puts_the_old_folder_back(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    real_rename = Path.rename

    def rename(self: Path, to: Path) -> Path:
        if self == staging:
            raise PermissionError(13, "denied")
        return real_rename(self, to)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(PermissionError):
        outputs.swap_in(staging, target)
    assert (target / "old.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "staging"]

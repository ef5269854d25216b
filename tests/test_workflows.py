"""CI and commit hooks: the files parse, every showcase command they run exists, the
GitHub annotation step turns real validate output into annotations, and the plain git hook
blocks a commit of broken data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL, REPO, run_showcase

PUBLISH = REPO / ".github" / "workflows" / "publish.yml"
GITLAB = REPO / ".gitlab-ci.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
PRECOMMIT = REPO / ".pre-commit-config.yaml"
GIT_HOOK = REPO / "scripts" / "git-hooks" / "pre-commit"
GUIDE = REPO / "content" / "guide"
BIN = Path(sys.executable).parent


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _github_steps() -> list[dict[str, Any]]:
    workflow = _load(PUBLISH)
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _scripts() -> list[str]:
    """Every shell line the CI files run."""
    lines = [step["run"] for step in _github_steps() if "run" in step]
    for job in _load(GITLAB).values():
        if isinstance(job, dict) and "script" in job:
            lines += job["script"]
    lines += [hook["entry"] for hook in _load(HOOKS)]
    lines += [hook["entry"] for repo in _load(PRECOMMIT)["repos"] for hook in repo["hooks"]]
    lines.append(GIT_HOOK.read_text(encoding="utf-8"))
    return lines


def _showcase_commands() -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(sub-command words, options) of every ``showcase …`` invocation in the CI files."""
    found = set()
    for script in _scripts():
        for line in script.splitlines():
            if line.strip().startswith(("#", "echo")) or "command -v" in line:
                continue
            for match in re.finditer(r"(?:^|[\s/\"{$])showcase(?:\.exe)?\"?[ ]+(\S.*)", line):
                words = [w.strip("\"'") for w in match.group(1).split()]
                command = []
                while words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
                    command.append(words.pop(0))
                if not command:
                    continue  # a path test such as [ -x …/showcase ], not a run
                options = []
                for word in words:
                    if re.search(r"[|;&<>]", word):
                        break
                    if word.startswith("--"):
                        options.append(word.split("=")[0])
                found.add((tuple(command), tuple(sorted(options))))
    return found


def test_ci_and_hook_files_parse() -> None:
    workflow = _load(PUBLISH)
    assert {"validate", "test", "build", "internal", "deploy"} <= set(workflow["jobs"])
    gitlab = _load(GITLAB)
    assert gitlab["stages"] == ["validate", "test", "build", "deploy"]
    assert {"validate", "test", "preview", "internal", "pages"} <= set(gitlab)
    hooks = _load(HOOKS)
    assert hooks[0]["id"] == "showcase-validate"
    assert hooks[0]["entry"] == "showcase validate"
    assert hooks[0]["pass_filenames"] is False and hooks[0]["files"] == "^sites_data/"
    assert hooks[0]["language"] in ("system", "python")
    local = _load(PRECOMMIT)["repos"][0]["hooks"][0]
    assert local["id"] == "showcase-validate" and local["files"] == "^sites_data/"
    # found without an activated virtual environment (see the tests at the end)
    assert local["entry"] == "scripts/showcase validate" and local["language"] == "script"


def test_every_showcase_command_in_ci_exists() -> None:
    commands = _showcase_commands()
    assert (("validate",), ()) in commands
    assert (("build",), ("--audience", "--out")) in commands
    for words, options in commands:
        assert words, options
        result = run_showcase(*words, "--help")
        assert result.returncode == 0, (words, result.stderr)
        for option in options:
            assert option in result.stdout, (words, option)


def test_scripts_named_by_ci_exist() -> None:
    text = PUBLISH.read_text(encoding="utf-8") + GITLAB.read_text(encoding="utf-8")
    for script in set(re.findall(r"scripts/[\w./-]+\.sh", text)):
        assert (REPO / script).is_file(), script
    assert "scripts/test.sh" in text


def test_actions_are_pinned_by_sha_and_images_by_version() -> None:
    uses = [step["uses"] for step in _github_steps() if "uses" in step]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", ref), ref
    text = PUBLISH.read_text(encoding="utf-8")
    assert re.findall(r"@[0-9a-f]{40} # v\d", text)  # the tag is kept in a comment
    for path in (PUBLISH, GITLAB):
        for image in re.findall(r"(?:image|container): (\S+)", path.read_text(encoding="utf-8")):
            assert image == "python:3.11-slim-bookworm", image


def test_public_site_deployed_internal_only_as_short_lived_artifact() -> None:
    workflow = _load(PUBLISH)
    internal = workflow["jobs"]["internal"]
    steps = internal["steps"]
    assert any("--audience internal" in s.get("run", "") for s in steps)
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["retention-days"] <= 7
    assert not any("pages" in s.get("uses", "") for s in steps)
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    gitlab = _load(GITLAB)
    assert gitlab["internal"]["artifacts"]["access"] == "developer"
    assert "CI_COMMIT_REF_PROTECTED" in gitlab["internal"]["rules"][0]["if"]
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    assert "--out public" in " ".join(gitlab["pages"]["script"])
    assert "CI_DEFAULT_BRANCH" in gitlab["pages"]["rules"][0]["if"]
    assert gitlab["preview"]["artifacts"]["expose_as"]


def test_the_server_deploy_is_optional_and_takes_its_credentials_from_ci_variables() -> None:
    """Both pipelines publish to the unit's own server with showcase deploy only when the
    target is set, one deploy at a time, with the ssh key from the CI's secrets (never in
    the file), and never the internal build to the public target."""
    job = _load(PUBLISH)["jobs"]["server"]
    assert "vars.SHOWCASE_DEPLOY_TARGET != ''" in job["if"] and "refs/heads/main" in job["if"]
    assert job["concurrency"]["cancel-in-progress"] is False
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    envs = {k: v for s in job["steps"] for k, v in (s.get("env") or {}).items()}
    assert envs["SSH_KEY"] == "${{ secrets.SHOWCASE_DEPLOY_SSH_KEY }}"
    assert envs["KNOWN_HOSTS"] == "${{ secrets.SHOWCASE_DEPLOY_KNOWN_HOSTS }}"
    assert "StrictHostKeyChecking=yes" in runs and "BEGIN" not in runs
    public = next(s for s in job["steps"] if "--site site " in s.get("run", ""))
    assert public["env"]["TARGET"] == "${{ vars.SHOWCASE_DEPLOY_TARGET }}"
    internal = next(s for s in job["steps"] if "--audience internal" in s.get("run", ""))
    assert internal["env"]["TARGET"] == "${{ vars.SHOWCASE_DEPLOY_INTERNAL_TARGET }}"
    assert "SHOWCASE_DEPLOY_INTERNAL_TARGET" in internal["if"]
    gitlab = _load(GITLAB)["server"]
    assert gitlab["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $SHOWCASE_DEPLOY_TARGET"}]
    assert gitlab["resource_group"] and gitlab["interruptible"] is False
    script = "\n".join(gitlab["script"])
    assert '--to "$SHOWCASE_DEPLOY_TARGET"' in script and '"$SHOWCASE_DEPLOY_SSH_KEY"' in script
    assert '--site site-internal --to "$SHOWCASE_DEPLOY_INTERNAL_TARGET"' in script
    assert "StrictHostKeyChecking=yes" in script


def _annotation_step() -> str:
    validate = _load(PUBLISH)["jobs"]["validate"]
    return next(s["run"] for s in validate["steps"] if "showcase validate" in s.get("run", ""))


def test_annotation_step_turns_validate_output_into_github_errors(tmp_path: Path) -> None:
    data = tmp_path / "sites_data"
    shutil.copytree(MINIMAL, data)
    site = data / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("category: rural", "category: rurl")
                    .replace("batch: 2026", "batch: 20%6"), encoding="utf-8")
    plain = run_showcase("validate", cwd=tmp_path)
    problems = [line for line in plain.stdout.splitlines() if ": error: " in line]
    assert len(problems) == 2
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", PYTHONUTF8="1",
               NO_COLOR="1")
    result = subprocess.run(["bash", "-c", _annotation_step()], cwd=tmp_path, env=env,
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 1  # the step fails when the data has errors
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == len(problems)
    for problem, annotation in zip(problems, annotations, strict=True):
        path, line, col, _, message = problem.split(":", 4)
        message = message.removeprefix(" ")
        expected = f"::error file={path},line={line},col={col}::{message.replace('%', '%25')}"
        assert annotation == expected
        assert (tmp_path / path).is_file()
    assert any("file=sites_data/sites/2026/shanbei-wangjia-cun.yml,line=" in a
               for a in annotations)
    assert any("%25" in a for a in annotations)  # “20%6” escaped for the workflow command
    assert "发现 2 个错误" in result.stdout  # other lines pass through unchanged


def test_annotation_step_passes_on_valid_data(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "sites_data")
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", PYTHONUTF8="1")
    result = subprocess.run(["bash", "-c", _annotation_step()], cwd=tmp_path, env=env,
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 0 and "检查通过" in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_hook_blocks_a_commit_of_broken_staged_data(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(MINIMAL, repo / "sites_data")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    env = dict(os.environ, SHOWCASE=str(BIN / "showcase"), PYTHONUTF8="1", NO_COLOR="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True,
                              text=True, encoding="utf-8", check=False)

    assert git("init", "-q").returncode == 0
    assert git("config", "core.hooksPath", str(GIT_HOOK.parent)).returncode == 0
    git("add", "-A")
    assert git("commit", "-qm", "valid data").returncode == 0

    site = repo / "sites_data" / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    good = site.read_text(encoding="utf-8")
    site.write_text(good.replace("category: rural", "category: rurl"), encoding="utf-8")
    git("add", "-A")
    blocked = git("commit", "-qm", "broken")
    assert blocked.returncode != 0
    assert "sites_data/sites/2026/shanbei-wangjia-cun.yml:" in blocked.stdout + blocked.stderr
    assert "提交已取消" in blocked.stderr

    # Fixed in the working tree but not staged: what would be committed is still broken.
    site.write_text(good, encoding="utf-8")
    assert git("commit", "-qm", "still broken").returncode != 0
    site.write_text(good.replace("category: rural", "category: community"), encoding="utf-8")
    git("add", "-A")
    assert git("commit", "-qm", "fixed").returncode == 0

    # Commits that do not touch sites_data/ do not run the check.
    (repo / "README.md").write_text("y\n", encoding="utf-8")
    git("add", "README.md")
    ok = git("commit", "-qm", "readme")
    assert ok.returncode == 0 and "检查通过" not in ok.stdout


def test_guide_says_how_to_install_the_hook() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in GUIDE.rglob("*.md"))
    assert "git config core.hooksPath scripts/git-hooks" in text


def _bare_env(**extra: str) -> dict[str, str]:
    """An environment as a fresh terminal has it: no virtual environment on PATH or active,
    and no SHOWCASE override."""
    venv_bin = str(BIN)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                           if p and Path(p).resolve() != Path(venv_bin).resolve())
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "SHOWCASE", "GIT_DIR", "GIT_INDEX_FILE", "PYTHONPATH")}
    env.update(PATH=path, PYTHONUTF8="1", NO_COLOR="1", GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")
    env.update(extra)
    return env


def _fresh_clone(tmp_path: Path) -> Path:
    """A clone of the project as a newcomer has it after scripts/setup.sh: the scripts, the
    data, and a .venv (here, the one of this checkout)."""
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "scripts", clone / "scripts")
    shutil.copytree(MINIMAL, clone / "sites_data")
    shutil.copy2(PRECOMMIT, clone / ".pre-commit-config.yaml")
    (clone / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    (clone / ".venv").symlink_to(BIN.parent, target_is_directory=True)
    return clone


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_git_hook_finds_showcase_without_an_activated_venv(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path)
    env = _bare_env()
    assert shutil.which("showcase", path=env["PATH"]) is None or "venv" not in str(
        shutil.which("showcase", path=env["PATH"]))

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=clone, env=env, capture_output=True,
                              text=True, encoding="utf-8", check=False)

    assert git("init", "-q").returncode == 0
    assert git("config", "core.hooksPath", "scripts/git-hooks").returncode == 0
    git("add", "-A")
    first = git("commit", "-qm", "data")
    assert first.returncode == 0, first.stderr
    assert "检查通过" in first.stdout + first.stderr  # the hook really ran showcase
    site = clone / "sites_data" / "sites" / "2026" / "shanbei-wangjia-cun.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("category: rural", "category: rurl"),
                    encoding="utf-8")
    git("add", "-A")
    blocked = git("commit", "-qm", "broken")
    assert blocked.returncode != 0
    assert "类别“rurl”不存在" in blocked.stdout + blocked.stderr


def test_the_pre_commit_entry_runs_without_an_activated_venv(tmp_path: Path) -> None:
    """What pre-commit runs for the local hook (``language: script``: the entry, from the
    repository root)."""
    clone = _fresh_clone(tmp_path)
    entry = _load(clone / ".pre-commit-config.yaml")["repos"][0]["hooks"][0]["entry"].split()
    result = subprocess.run([str(clone / entry[0]), *entry[1:]], cwd=clone, env=_bare_env(),
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout


def test_the_wrapper_explains_a_missing_setup(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path)
    (clone / ".venv").unlink()
    env = _bare_env(PATH="/usr/bin:/bin")
    result = subprocess.run([str(clone / "scripts" / "showcase"), "validate"], cwd=clone, env=env,
                            capture_output=True, text=True, encoding="utf-8", check=False)
    assert result.returncode == 127 and "scripts/setup.sh" in result.stderr


def test_both_pipelines_keep_the_photo_cache_between_runs() -> None:
    """The folder the build keeps photo variants in is cached by every GitHub job that
    builds and by GitLab's default cache: a build whose photos did not change does no image
    work in CI either."""
    from generator.media.cache import default_root

    folder = default_root(REPO).relative_to(REPO).as_posix()
    workflow = _load(PUBLISH)
    for name in ("test", "build", "internal"):
        paths = [step["with"]["path"] for step in workflow["jobs"][name]["steps"]
                 if str(step.get("uses", "")).startswith("actions/cache@")]
        assert folder in paths, (name, paths)
    caches = _load(GITLAB)["cache"]
    assert any(folder in c["paths"] for c in caches), caches
    assert folder + "/" in (REPO / ".gitignore").read_text(encoding="utf-8") \
        or "/.cache/" in (REPO / ".gitignore").read_text(encoding="utf-8")

"""``--help`` of every command and subcommand is Chinese, the framework's own words included;
click's usage errors are Chinese too. What may stay in Latin letters: option names, the
command names themselves, metavariables, choice values, file and field names of the data
format and a short list of product names."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.model import records

# Names a staff member types or sees as names (not English prose).
PRODUCT_NAMES = {"PDF", "Excel", "JSON", "YAML", "Schema", "Markdown", "MkDocs", "VS", "Code",
                 "ID", "id", "YYYY", "MM", "DD", "showcase", "xlsx", "ProperDocs", "Zensical",
                 # the publishing commands: programs, a file format, address schemes, a unit
                 # and a value typed as it is (--http-redirect off)
                 "nginx", "rsync", "ssh", "htpasswd", "CA", "http", "https", "KB", "zip", "off",
                 "Word", "WPS", "pdf", "docx"}


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def allowed_words() -> set[str]:
    words = set(PRODUCT_NAMES)
    for model in (records.Program, records.Taxonomy, records.Site, records.Experience,
                  records.Plan, records.Compilation, records.Sources, records.Member):
        words |= set(model.model_fields)
    words |= {"categories", "units", "themes", "sites_data", "public", "internal", "mkdocs",
              "properdocs", "zensical"}
    return words


def english_words(text: str, command: click.Command) -> list[str]:
    allowed = allowed_words() | set(main.commands)
    allowed |= {part for name in main.commands for part in name.split("-")}  # server-config
    for group in (main.commands["new"], main.commands["import"], main.commands["sources"]):
        allowed |= set(group.commands)  # type: ignore[attr-defined]
    text = re.sub(r"\[默认：[^\]]*\]", " ", text)                     # default values
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)          # option names
    text = re.sub(r"[\w./-]+\.(yml|yaml|xlsx|md|json|pdf|html|zip|conf)\b", " ", text)  # file names
    text = re.sub(r"[\w.-]+(/[\w.-]*)+", " ", text)                # paths
    text = re.sub(r"\b[A-Z][A-Z0-9_]{3,}\b", " ", text)          # environment variables
    text = re.sub(r"\d+\.\d+\.\d+\.\d+:\d+", " ", text)          # addresses
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in allowed]


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "showcase")
def test_help_is_chinese(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="showcase")
    assert result.exit_code == 0, result.output
    command: click.Command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    assert result.output.startswith("用法：showcase"), result.output
    assert "选项：" in result.output and "显示本帮助并退出。" in result.output
    assert english_words(result.output, command) == [], result.output
    assert re.search(r"[\u4e00-\u9fff]", command.help or ""), f"{path}: no Chinese help"


@pytest.mark.parametrize(("args", "expected"), [
    (["nosuch"], "错误：没有命令 'nosuch'。"),
    (["build", "--audience", "everyone"], "'--audience' 的值无效"),
    (["build", "--no-such-option"], "错误：没有选项 '--no-such-option'。"),
    (["build", "--out"], "后面需要写一个值"),
    (["validate", "extra"], "多余的参数（extra）"),
])
def test_usage_errors_are_chinese(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, args, prog_name="showcase")
    assert result.exit_code == 2
    assert expected in result.output, result.output
    assert "Usage" not in result.output and "Error" not in result.output


def test_version_is_chinese() -> None:
    result = CliRunner().invoke(main, ["--version"], prog_name="showcase")
    assert result.exit_code == 0 and result.output.startswith("showcase，版本 ")


def test_help_columns_line_up_with_chinese_metavariables() -> None:
    from generator.cli.click_zh import display_width

    result = CliRunner().invoke(main, ["new", "site", "--help"], prog_name="showcase")
    rows = [line for line in result.output.splitlines() if line.startswith("  -")]
    starts = {display_width(re.match(r"(\s+-.*?\S)\s{2,}", line)[0]) for line in rows}  # type: ignore[index]
    assert len(starts) == 1, rows

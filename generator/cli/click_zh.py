"""Click in Chinese: the framework's own words (``Usage:``, ``Options``, its error messages).

Click marks these strings for gettext but ships no Chinese catalogue, and looking one up
through gettext would depend on the user's locale variables (a Windows console or a CI
runner rarely says zh_CN). So the translations live here and :func:`install` points click's
modules at them — before any command is declared, since some help texts are taken at
declaration time. Strings click adds later simply stay English until added here; the tests
list every help page and fail on English words.
"""

from __future__ import annotations

import importlib
import unicodedata
from typing import Any

MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Aborted!": "已中止。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不需要值。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Value must be an iterable.": "值必须是一个列表。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 范围内。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "deprecated": "已弃用",
    "required": "必填",
    "(dynamic)": "（动态）",
    "Do you want to continue?": "要继续吗？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的值不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个目录。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "unknown error": "未知错误",
}

PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是不是想写 {possibility}？",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要写一个值。",
    "{value!r} is not {choice}.": "{value!r} 不可用，只能是 {choice}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "{len_type} values are required, but {len_value} was given.":
        "需要 {len_type} 个值，实际给了 {len_value} 个。",
}
PLURAL_FORMS = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "(Did you mean one of: {possibilities}?)": "（是不是想写其中之一：{possibilities}？）",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要写 {nargs} 个值。",
    "{value!r} is not one of {choices}.": "{value!r} 不可用，只能是 {choices} 之一。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任一格式：{formats}。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，实际给了 {len} 个。",
    "{len_type} values are required, but {len_value} were given.":
        "需要 {len_type} 个值，实际给了 {len_value} 个。",
}

_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion",
            "termui", "types", "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n == 1:
        return PLURALS.get(singular, singular)
    return PLURAL_FORMS.get(plural, plural)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two (click counts one,
    which misaligns its option tables)."""
    from click._compat import strip_ansi

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in strip_ansi(text))


def install() -> None:
    """Point click's translation hooks at the Chinese strings above, and make its help
    layout measure Chinese text by display width, with Chinese punctuation."""
    import click.formatting

    for name in _MODULES:
        module: Any = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    formatting: Any = click.formatting
    formatting.term_len = display_width
    formatter: Any = click.formatting.HelpFormatter
    if not getattr(formatter, "_showcase_zh", False):
        write_usage = formatter.write_usage

        def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
            write_usage(self, prog, args, "用法：" if prefix is None else prefix)

        def heading(self: Any, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{heading}：\n")

        formatter.write_usage = usage
        formatter.write_heading = heading
        formatter._showcase_zh = True

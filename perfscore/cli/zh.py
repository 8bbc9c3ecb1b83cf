"""Chinese for the text typer and its bundled click print themselves (usage line, panel titles, usage errors).

typer 0.29 vendors click with its messages as plain f-strings (no gettext catalogue to install), so the few
places are adapted here, once, when the CLI is imported: the rich panel titles and hints (module constants of
typer.rich_utils), the "Usage: " prefix, the --help option's help, and the error messages, which are
translated by pattern in the one function that prints them. An unknown message is shown as it is.
"""

from __future__ import annotations

import re
from typing import Callable

_RICH_TEXT = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已弃用）",
}
USAGE_PREFIX = "用法："
HELP_OPTION_TEXT = "显示本帮助并退出。"
HELP_PIPE_WIDTH = 120  # --help into a pipe: wide enough that no option text is cut with "…"

_PARAM_KIND = {"argument": "参数", "option": "选项", "parameter": "参数"}

# (pattern, replacement) over the whole message; the first match wins
_MESSAGES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^Missing (argument|option|parameter) (.+?)\.\s*(.*)$", re.S),
     lambda m: f"缺少{_PARAM_KIND[m[1]]} {m[2]}。" + (f"{m[3]}" if m[3] else "")),
    (re.compile(r"^Missing parameter: (.+)$"), r"缺少参数 \1。"),
    (re.compile(r"^Missing command\.$"), "缺少命令。"),
    (re.compile(r"^No such command (.+?)\.$"), r"没有命令 \1（运行 perfscore --help 查看全部命令）。"),
    (re.compile(r"^No such option: (\S+)(?: \(Possible options: (.+)\))?$"),
     lambda m: f"没有选项 {m[1]}。" + (f"您是不是想用：{m[2]}" if m[2] else "")),
    (re.compile(r"^Option (.+?) requires an argument\.$"), r"选项 \1 后面需要一个值。"),
    (re.compile(r"^Option (.+?) requires (\d+) arguments\.$"), r"选项 \1 后面需要 \2 个值。"),
    (re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.+)\)$"), r"多余的参数：\1"),
    (re.compile(r"^Invalid value for (.+?): (.+)$", re.S), lambda m: f"{m[1]} 的值无效：{_value_reason(m[2])}"),
    (re.compile(r"^Invalid value: (.+)$", re.S), lambda m: f"值无效：{_value_reason(m[1])}"),
]

_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"应当不小于 \1"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"应当不大于 \1"),
    (re.compile(r"Input should be a valid (integer|number)\b.*$"), r"应当是一个数"),
    (re.compile(r"(?:Value error, )?(.+?) is not one of (.+?)\.?$"), r"\1 不是可选值之一（可选：\2）"),
    (re.compile(r"(.+?) is not in the range (.+?)\.?$"), r"\1 不在范围 \2 内"),
    (re.compile(r"(?:Value )?'?(.*?)'? is not a valid (integer|float|number)\.?$"), r"“\1”不是有效的数"),
    (re.compile(r"(?:Value )?(.+?) is not a valid boolean\.?$"), r"\1 不是有效的是/否值"),
    (re.compile(r"^(File|Directory|Path) (.+?) does not exist\.?$"), r"\2 不存在"),
]


def _value_reason(text: str) -> str:
    for pattern, repl in _REASONS:
        new, n = pattern.subn(repl, text, count=1)
        if n:
            return new
    return text


def translate(message: str) -> str:
    """The Chinese of one typer/click usage-error message (unchanged when no pattern knows it)."""
    for pattern, repl in _MESSAGES:
        m = pattern.match(message.strip())
        if m:
            return repl(m) if callable(repl) else m.expand(repl)
    return message


_installed = False


def install() -> None:
    """Adapt typer's printed text to Chinese (idempotent)."""
    global _installed
    if _installed:
        return
    from typer import rich_utils
    from typer._click import core as click_core
    from typer._click import formatting

    for name, text in _RICH_TEXT.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, text)
    if rich_utils.MAX_WIDTH is None:  # TERMINAL_WIDTH unset: a terminal keeps its width, a pipe gets 120
        from perfscore.cli.common import _width

        width = _width(False)
        rich_utils.MAX_WIDTH = None if width is None else min(width, HELP_PIPE_WIDTH)
    rich_utils.highlighter.highlights = [  # colour our usage prefix as typer colours "Usage: "
        p.replace("Usage: ", USAGE_PREFIX) for p in rich_utils.highlighter.highlights]

    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_zh(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage_zh

    get_help_option = click_core.Command.get_help_option

    def get_help_option_zh(self, ctx):
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = HELP_OPTION_TEXT
        return opt

    click_core.Command.get_help_option = get_help_option_zh

    format_error = rich_utils.rich_format_error

    def format_error_zh(exc):
        text = translate(exc.format_message())
        exc.format_message = lambda: text  # the instance only: the printer asks it once
        return format_error(exc)

    rich_utils.rich_format_error = format_error_zh
    _installed = True

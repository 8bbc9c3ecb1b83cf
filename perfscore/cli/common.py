"""What every command shares: consoles that do not cut lines, Chinese text for OS errors and output paths.

- `make_console()`: a rich Console that keeps the terminal's real width, and in a pipe or a file (where rich
  falls back to 80 columns) uses a wide one, so file names and messages are not folded mid-word.
- `os_error_text(exc)`: the Chinese reason of an OSError (read-only folder, a folder where a file was expected,
  a full disk ...).
- `output_file(path, default_name, ...)`: where a command that writes ONE file writes it: a folder given as
  -o means "into this folder" (as cp does); an existing file is kept unless --force.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import typer
from rich.console import Console

PIPE_WIDTH = 240  # columns when the output is not a terminal (rich would use 80)


def _width(stderr: bool) -> int | None:
    """None (rich measures the terminal) for a terminal; COLUMNS or PIPE_WIDTH otherwise."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    stream = sys.stderr if stderr else sys.stdout
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    return PIPE_WIDTH


def make_console(stderr: bool = False, **kwargs) -> Console:
    kwargs.setdefault("width", _width(stderr))
    return Console(stderr=stderr, **kwargs)


_ERRNO_TEXT = {
    errno.EACCES: "没有写入权限（文件夹只读，或文件正被 Excel/WPS 打开）",
    errno.EPERM: "不允许写入（文件夹只读或受保护）",
    errno.EROFS: "所在磁盘是只读的",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.ENOENT: "文件或文件夹不存在",
    errno.ENOSPC: "磁盘空间不足",
    errno.EEXIST: "已存在",
    errno.ENAMETOOLONG: "文件名太长",
}


def os_error_text(exc: OSError) -> str:
    """The Chinese reason of an OSError ('没有写入权限（…）'); callers say which file they could not write.
    The OS's own file name is not repeated: it is often the temporary file beside the target."""
    return _ERRNO_TEXT.get(exc.errno or -1) or (exc.strerror or str(exc))


def fail(console: Console, message: str, code: int = 1) -> None:
    """Print a red Chinese error line and exit with `code` (never a traceback)."""
    console.print(f"[red]错误[/red]：{message}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def output_file(path: Path, default_name: str, *, force: bool, console: Console) -> Path:
    """The file a one-file command writes: `path`, or `path/default_name` when `path` is a folder.
    An existing file is refused unless `force` (exit 1, Chinese message)."""
    target = path / default_name if path.is_dir() else path
    if target.is_dir():
        fail(console, f"{target} 是一个文件夹，请给出文件名（例如 {target / default_name}）")
    if target.exists() and not force:
        fail(console, f"文件 {target} 已存在，未覆盖；要覆盖请加 --force，或换一个文件名")
    if not target.parent.exists():
        fail(console, f"文件夹 {target.parent} 不存在，请先建立它或换一个位置")
    return target

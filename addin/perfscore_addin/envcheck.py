"""环境检测: can this Excel start perfscore's Python? The texts, and the probe the VBA runs.

A missing interpreter or DLL is exactly what RunPython cannot report (it needs both), so the check runs in VBA
(module perfscore_env): the interpreter path from perfscore.conf, the xlwings DLL beside it, then a probe run
of that interpreter as a plain process:

    python.exe -c "import perfscore_addin.envcheck as e; e.probe('0.37.8', 'central', 64)"

`probe` prints ASCII lines (`KEY STATUS detail`), which the VBA turns into the Chinese of MESSAGES: the
console's code page cannot garble ASCII. MESSAGES also gives the Chinese reason a score cell keeps when
Python could not start (`StartupReason` in perfscore_env, read back with =PERFSCORE_REASON).
The VBA module perfscore_text (`Msg(key)`) is generated from MESSAGES by perfscore_addin.vba_gen.
"""

from __future__ import annotations

import platform
import struct

# key -> Chinese; VBA keeps ASCII source and decodes these from UTF-16 hex (perfscore_errors.U)
MESSAGES: dict[str, str] = {
    "title": "绩效评分 - 环境检测",
    "ok": "[正常] ",
    "bad": "[有问题] ",
    "warn": "[提示] ",
    "all_ok": "检测通过：Excel 可以启动 perfscore 的 Python，评分函数可以计算。",
    "some_bad": "检测未通过：按上面标为 [有问题] 的各项处理后，关闭并重新打开 Excel，再点“环境检测”。",
    "mac": "Excel for Mac 不支持本加载项的评分函数（xlwings 的自定义函数只支持 Windows）。"
           "请在 Windows 版 Excel 中使用，或用命令行 perfscore recalc / --native 通用公式。",
    "interp_unset": "perfscore.conf 中没有设置 Python 解释器的完整路径（Interpreter_Win），将使用 PATH 中的 Python：",
    "interp_missing": "找不到 Python 解释器：",
    "interp_ok": "Python 解释器：",
    "interp_fix": "请按 addin/README.md 安装 Python 3.11 和 perfscore（装在 %LOCALAPPDATA%\\perfscore\\venv），"
                  "或在工作簿中加 perfscore.conf 表，A1 写 Interpreter_Win，B1 写 pythonw.exe 的完整路径。",
    "dll_missing": "在解释器所在文件夹及其上一级都找不到 xlwings 的 DLL：",
    "dll_fix": "该 Python 环境中没有安装与加载项一致的 xlwings（版本必须完全相同）：在该环境中重新安装 perfscore。",
    "dll_ok": "xlwings 的 DLL：",
    "probe_failed": "无法运行该 Python 解释器：",
    "python": "Python 版本：",
    "bits_mismatch": "Python 与 Office 的位数不同（64 位 Office 需要 64 位 Python，32 位需要 32 位）：Python 是 ",
    "xlwings_ok": "xlwings 版本：",
    "xlwings_mismatch": "xlwings 版本与加载项不一致（必须完全相同），加载项需要 ",
    "xlwings_missing": "该 Python 环境中没有安装 xlwings：请在该环境中重新安装 perfscore。",
    "perfscore_ok": "perfscore 版本：",
    "perfscore_missing": "该 Python 环境中没有安装 perfscore（或无法导入）：",
    "udfs_ok": "评分函数模块 perfscore_udfs 可以导入。",
    "udfs_bad": "评分函数模块 perfscore_udfs 无法导入：",
    "profile_ok": "评分口径（PERFSCORE_PROFILE）：",
    "profile_bad": "本工作簿的评分口径（定义名称 PERFSCORE_PROFILE）无法加载：",
    "profile_default": "本工作簿未指定评分口径，使用 central。",
    "startup": "评分函数无法计算：Excel 没能启动 perfscore 的 Python。请点“绩效评分”选项卡上的“环境检测”查看原因。",
    "startup_dll": "评分函数无法计算：找不到 xlwings 的 DLL（Python 解释器路径不对，或该环境没有安装 perfscore）。"
                   "请点“绩效评分”选项卡上的“环境检测”。",
    "startup_interp": "评分函数无法计算：找不到 Python 解释器。请点“绩效评分”选项卡上的“环境检测”。",
    "original": "（原始信息：",
    "close": "）",
}

def _ascii(text: object, limit: int = 900) -> str:
    """One ASCII line (non-ASCII as \\uXXXX escapes) that the VBA can show whatever the code page."""
    return ascii(" ".join(str(text).split()))[1:-1][:limit]


def probe_lines(vba_xlwings: str, profile: str = "", office_bits: int = 0) -> list[str]:
    """The probe's report: one `KEY STATUS detail` line per check, ASCII only."""
    bits = struct.calcsize("P") * 8
    lines = [f"PYTHON OK {platform.python_version()} {bits}"]
    if office_bits and office_bits != bits:
        lines.append(f"BITS MISMATCH {bits} {office_bits}")
    try:
        import xlwings
    except ImportError:
        lines.append("XLWINGS MISSING")
    else:
        status = "OK" if xlwings.__version__ == vba_xlwings else "MISMATCH"
        lines.append(f"XLWINGS {status} {xlwings.__version__} {vba_xlwings}")
    try:
        import perfscore
        from perfscore.rules import PerfscoreError, load_profile
    except ImportError as exc:
        lines.append(f"PERFSCORE MISSING {_ascii(exc)}")
        return lines
    lines.append(f"PERFSCORE OK {perfscore.__version__}")
    try:
        import perfscore_udfs  # noqa: F401
    except ImportError as exc:
        lines.append(f"UDFS MISSING {_ascii(exc)}")
    else:
        lines.append("UDFS OK")
    if not profile:
        lines.append("PROFILE DEFAULT central")
    else:
        try:
            load_profile(profile)
        except PerfscoreError as exc:
            lines.append(f"PROFILE BAD {_ascii(profile, 60)} {_ascii(exc)}")
        else:
            lines.append(f"PROFILE OK {_ascii(profile, 60)}")
    return lines


def probe(vba_xlwings: str, profile: str = "", office_bits: int = 0) -> None:
    print("PERFSCORE-PROBE 1")
    for line in probe_lines(vba_xlwings, profile, office_bits):
        print(line)

"""The built perfscore.xlam, checked with independent readers (olevba, python-calamine, lxml)."""

from __future__ import annotations

import re
import zipfile

import pytest
import xlwings
from lxml import etree
from oletools.olevba import VBA_Parser
from typer.testing import CliRunner

from perfscore.cli.main import app
from perfscore_addin.build import CONF_SHEET, RIBBON_PART, RIBBON_REL_TYPE, build_addin, sha256, vba_modules
from perfscore_addin.ribbon import HANDLERS, VBA_BUTTONS

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture(scope="module")
def vba_read_back(built):
    parser = VBA_Parser(str(built))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _body(source: str) -> list[str]:
    text = re.sub(r"\AVERSION 1\.0 CLASS\nBEGIN\n.*?\nEND\n", "", source.replace("\r\n", "\n"), flags=re.S)  # .cls export header
    lines = [l for l in text.split("\n") if not l.startswith("Attribute VB_")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def test_two_builds_are_byte_identical(tmp_path, built):
    again = CliRunner().invoke(app, ["addin", "build", "-o", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert sha256(tmp_path / "perfscore.xlam") == sha256(built)
    assert sha256(built) in again.output


def test_zip_entries_have_fixed_timestamps(built):
    with zipfile.ZipFile(built) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert zf.testzip() is None


def test_olevba_reads_every_module_back_equal_to_its_source(vba_read_back):
    expected = {m.name: m.source for m in vba_modules()}
    assert set(expected) <= set(vba_read_back)
    for name, source in expected.items():
        assert _body(vba_read_back[name]) == _body(source), name


def test_custom_addin_module_matches_installed_xlwings(vba_read_back):
    code = vba_read_back["xlwings"].replace("\r\n", "\n")
    version = xlwings.__version__
    assert f'Public Const XLWINGS_VERSION As String = "{version}"' in code
    dlls = set(re.findall(r'"xlwings(?:32|64)-([0-9.]+)\.dll"', code))
    assert dlls == {version}  # the DLL the VBA loads must be this exact xlwings
    assert 'Public Const PROJECT_NAME As String = "perfscore"' in code and CONF_SHEET == "perfscore.conf"
    assert "'xlwings is distributed under a BSD 3-clause license." in code  # licence header kept
    assert "Copyright (C) 2014-present, Zoomer Analytics LLC." in code


def test_udf_wrappers_in_the_addin_return_error_values(vba_read_back):
    udfs = vba_read_back["xlwings_udfs"]
    assert "= Err.Description" not in udfs.replace("PerfscoreFailed(Err.Description)", "")
    assert "Public Function PerfscoreFailed(ByVal description As String) As Variant" in vba_read_back["perfscore_errors"]
    assert "CVErr(ErrorNumberOf(description))" in vba_read_back["perfscore_errors"]


def test_conf_sheet_holds_the_xlwings_keys(built):
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(built))
    assert book.sheet_names == [CONF_SHEET]
    rows = book.get_sheet_by_name(CONF_SHEET).to_python()
    conf = {r[0]: r[1] for r in rows}
    assert conf["UDF Modules"] == "perfscore_udfs"
    assert conf["Interpreter_Win"].endswith("\\Scripts\\pythonw.exe") and "%LOCALAPPDATA%" in conf["Interpreter_Win"]
    assert conf["Use UDF Server"] is True and conf["Show Console"] is False and conf["Debug UDFs"] is False
    for key in ("Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env"):
        assert key in conf
    # xlwings reads A1 down to the first blank (Range.End(xlDown)): no gaps
    assert all(r[0] for r in rows)


def test_office_reference_for_iribboncontrol(built):
    from pyopenvba import ExcelFile

    with ExcelFile(built) as wb:
        refs = {r.name: r.libid for r in wb.references()}
    assert "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}" in refs["Office"]


# ------------------------------------------------------------------ ribbon

ALLOWED = {  # element -> allowed attributes (subset of [MS-CUSTOMUI2] we use)
    "customUI": {"onLoad"},
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": {"id", "label", "insertAfterMso", "insertBeforeMso", "visible"},
    "group": {"id", "label", "imageMso"},
    "button": {"id", "label", "size", "imageMso", "screentip", "supertip", "onAction", "enabled", "visible"},
}
PARENT = {"ribbon": "customUI", "tabs": "ribbon", "tab": "tabs", "group": "tab", "button": "group"}


@pytest.fixture(scope="module")
def ribbon(built):
    with zipfile.ZipFile(built) as zf:
        rels = etree.fromstring(zf.read("_rels/.rels"))
        xml = zf.read(RIBBON_PART)
    targets = {r.get("Target"): r.get("Type") for r in rels}
    assert targets[RIBBON_PART] == RIBBON_REL_TYPE
    return etree.fromstring(xml)


def test_ribbon_structure(ribbon):
    assert ribbon.tag == f"{{{CUSTOMUI_NS}}}customUI"
    ids = []
    for el in ribbon.iter(etree.Element):
        ns, local = el.tag[1:].split("}")
        assert ns == CUSTOMUI_NS
        assert local in ALLOWED, local
        assert set(el.attrib) <= ALLOWED[local], (local, set(el.attrib) - ALLOWED[local])
        if local in PARENT:
            assert etree.QName(el.getparent()).localname == PARENT[local]
        if "id" in el.attrib:
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", el.get("id"))  # ST_UniqueID is an NCName
            ids.append(el.get("id"))
        if "size" in el.attrib:
            assert el.get("size") in ("normal", "large")  # ST_Size
        for attr in ("label", "screentip"):
            if attr in el.attrib:
                assert 1 <= len(el.get(attr)) <= 1024
        if "supertip" in el.attrib:
            assert 1 <= len(el.get("supertip")) <= 1024
    assert len(ids) == len(set(ids))
    tab = ribbon.find(f".//{{{CUSTOMUI_NS}}}tab")
    assert tab.get("label") == "绩效评分"
    labels = [b.get("label") for b in ribbon.iter(f"{{{CUSTOMUI_NS}}}button")]
    assert labels == ["校验本表", "重算评分", "插入评分公式", "清除标记", "转为通用公式", "环境检测", "帮助"]


def test_every_onaction_names_a_public_sub_with_the_button_signature(ribbon, vba_read_back):
    buttons = list(ribbon.iter(f"{{{CUSTOMUI_NS}}}button"))
    assert buttons
    for button in buttons:
        module, _, proc = button.get("onAction").partition(".")
        code = vba_read_back[module]
        assert re.search(rf"^Public Sub {proc}\(control As IRibbonControl\)\s*$", code, re.M), button.get("id")
        if button.get("id") in VBA_BUTTONS:  # works without Python (环境检测)
            assert button.get("onAction") == VBA_BUTTONS[button.get("id")]
        else:
            assert button.get("onAction") == "perfscore_ribbon.OnAction"
            assert button.get("id") in HANDLERS  # the Python side knows the id
    assert {b.get("id") for b in buttons} == set(HANDLERS) | set(VBA_BUTTONS)


def test_mac_dictionary_class_from_the_pinned_wheel_is_in_the_project(built, vba_read_back):
    """GetConfigFromSheet declares `Dim d As Dictionary` under #If Mac: the class must be in the project."""
    from pathlib import Path

    assert "Dim d As Dictionary" in vba_read_back["xlwings"]
    wheel_cls = (Path(xlwings.__file__).with_name("addin") / "Dictionary.cls").read_text(encoding="ascii")
    assert _body(vba_read_back["Dictionary"]) == _body(wheel_cls)
    assert "Public Property Get Item(Key As Variant) As Variant" in vba_read_back["Dictionary"]
    assert "Public Function Exists(Key As Variant) As Boolean" in vba_read_back["Dictionary"]
    import olefile

    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(zf.read("xl/vbaProject.bin"))
    project = ole.openstream("PROJECT").read().decode("latin-1")
    ole.close()
    assert "Class=Dictionary" in project  # a class module, not a standard one

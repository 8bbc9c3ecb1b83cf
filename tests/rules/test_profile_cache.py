"""load_profile caches where a name resolves to and the parsed file, without going stale."""

from __future__ import annotations

import os

from perfscore.rules import grade, load_profile

BANDS_85 = '[grade]\nbands = [["优", 85], ["良", 75], ["中", 60], ["差", 0]]\n'
BANDS_95 = '[grade]\nbands = [["优", 95], ["良", 75], ["中", 60], ["差", 0]]\n'


def test_repeated_loads_return_the_cached_profile():
    assert load_profile("central") is load_profile("central") is load_profile(None) is load_profile("  ")


def test_a_file_dropped_into_the_search_folder_later_is_found(tmp_path, monkeypatch):
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path))
    shipped = load_profile("central")
    assert shipped.grade_bands[0] == ("优", 90.0)
    (tmp_path / "central.toml").write_text('name = "central"\nextends = "' + str(
        _shipped("central")).replace("\\", "/") + '"\n' + BANDS_85, encoding="utf-8")
    os.utime(tmp_path, ns=(0, os.stat(tmp_path).st_mtime_ns + 10**9))  # a coarse clock still sees the change
    assert load_profile("central").grade_bands[0] == ("优", 85.0)  # the user's file now shadows the shipped one
    monkeypatch.delenv("PERFSCORE_PROFILE_PATH")
    assert load_profile("central") is shipped


def test_an_edited_profile_file_is_read_again(tmp_path, monkeypatch):
    path = tmp_path / "city.toml"
    path.write_text('name = "city"\nextends = "central"\n' + BANDS_85, encoding="utf-8")
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path))
    assert grade(86, "city") == "优"
    path.write_text('name = "city"\nextends = "central"\n' + BANDS_95 + "# edited\n", encoding="utf-8")
    os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
    assert grade(86, "city") == "良"
    assert grade(86, str(path)) == "良"  # by path too


def test_search_folders_are_keys_of_the_cache(tmp_path, monkeypatch):
    for name, bands in (("a", BANDS_85), ("b", BANDS_95)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "town.toml").write_text('name = "town"\nextends = "central"\n' + bands, encoding="utf-8")
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path / "a"))
    assert grade(90, "town") == "优"
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", str(tmp_path / "b"))
    assert grade(90, "town") == "良"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", "a")  # relative folders are resolved in the working folder
    assert grade(90, "town") == "优"
    monkeypatch.chdir(tmp_path / "b")
    monkeypatch.setenv("PERFSCORE_PROFILE_PATH", ".")
    assert grade(90, "town") == "良"


def _shipped(name: str):
    from perfscore.rules.profiles import _shipped_dir

    return _shipped_dir() / f"{name}.toml"

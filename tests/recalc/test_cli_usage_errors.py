"""Usage-level failures of `perfscore recalc` end with exit code 2 and a Chinese message, never a traceback."""

from typer.testing import CliRunner

from perfscore.cli.main import app


def test_unreachable_dask_scheduler_is_a_usage_error(tmp_path):
    from perfscore.samples import build_central

    (tmp_path / "in").mkdir()
    build_central(tmp_path / "in" / "a.xlsx")
    result = CliRunner().invoke(
        app, ["recalc", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--quiet",
              "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"],
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert result.exit_code == 2, result.output
    assert "Dask" in result.output and "Traceback" not in result.output

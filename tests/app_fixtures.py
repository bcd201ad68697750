"""The dashboard AppTest fixtures, loaded by `pytest_plugins = ["tests.app_fixtures"]` in the test modules: the app
started on the fixture DB, and plain SQL straight on that DB for independent expectations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.paths import REPO_ROOT


@pytest.fixture
def app(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def sql(fixture_db: Path):  # noqa: ANN201
    con = duckdb.connect(str(fixture_db), read_only=True)
    yield lambda q, params=None: con.execute(q, params or []).fetchall()
    con.close()

"""The environment digest the types gate's baseline is tied to (runbook.typeselect.environment):
what changes it, and a search path it does not follow."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from runbook.typeselect import environment
from runbook.typeselect.environment import EnvironmentProbeError


def test_installed_lists_distributions_and_pth_contents(tmp_path: Path) -> None:
    (tmp_path / "pkg-1.0.dist-info").mkdir()
    (tmp_path / "extra.pth").write_text("/somewhere\n", "utf-8")
    (tmp_path / "module.py").write_text("", "utf-8")
    assert environment._installed(tmp_path) == ["extra.pth", "/somewhere\n", "pkg-1.0.dist-info"]  # pyright: ignore[reportPrivateUsage]
    assert environment._installed(tmp_path / "absent") == []  # pyright: ignore[reportPrivateUsage]


@pytest.mark.parametrize(
    ("relative", "inside"),
    [
        ("src", True),
        ("", True),
        (".nox/types/lib/python3.11/site-packages", False),
        ("lib/site-packages", False),
    ],
)
def test_only_project_folders_outside_environments_are_project_roots(
    tmp_path: Path, relative: str, inside: bool
) -> None:
    assert environment.in_project(tmp_path / relative, tmp_path) is inside
    assert not environment.in_project(tmp_path.parent, tmp_path)


def test_the_digest_follows_the_pyright_variables_and_refuses_foreign_search_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tests environment's interpreter first on PATH, as in `nox -s tests` and the types gate:
    # not whatever python3 the shell has (pyenv's shims are bash scripts, ten processes a call).
    bin_dir = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    first = environment.fingerprint(tmp_path)
    assert environment.fingerprint(tmp_path) == first
    monkeypatch.setenv("PYRIGHT_PYTHON_FORCE_VERSION", "1.1.1")
    assert environment.fingerprint(tmp_path).digest != first.digest
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path / 'src'}{os.pathsep}{elsewhere}")
    with pytest.raises(EnvironmentProbeError, match="neither the project's nor the interpreter's"):
        environment.fingerprint(tmp_path)

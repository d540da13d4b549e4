"""The release's last gate: build the sdist and wheel, check their metadata renders, and import
the library from the built wheel in a fresh environment (outside the source tree, so a module
missing from the wheel cannot hide behind ``src/``).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = ("codex_ml", "ingestion")
"""Import names the wheel must provide."""


def _run(*argv: str | Path, cwd: Path | None = None) -> None:
    print("package:", " ".join(map(str, argv)), flush=True)
    subprocess.run([str(a) for a in argv], cwd=cwd, check=True)


def build_and_check(root: Path, dist: Path) -> list[Path]:
    """Build into ``dist`` (emptied first), twine-check, and import from the wheel."""
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.iterdir():
        old.unlink()
    # uv builds the sdist, then the wheel from the sdist, each in an isolated environment, as
    # `python -m build` did, in 4.0-4.4 s where build took 4.5-5.6 s (release, issue 21).
    _run(sys.executable, "-m", "uv", "build", "--no-create-gitignore", "--out-dir", dist, root)
    built = sorted(dist.iterdir())
    wheels = [p for p in built if p.suffix == ".whl"]
    sdists = [p for p in built if p.name.endswith(".tar.gz")]
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(
            f"package: expected one wheel and one sdist, got {[p.name for p in built]}"
        )
    _run(sys.executable, "-m", "twine", "check", "--strict", *built)
    with tempfile.TemporaryDirectory(prefix="codex-ml-wheel-") as tmp:
        env_dir = Path(tmp) / "venv"
        # uv (the tools group's, beside this interpreter) makes the environment and installs the
        # wheel offline, no dependencies: 0.7 s, where venv with ensurepip and pip took 4-13 s of
        # the package gate's ~10 (issue 21: a release in a minute).
        uv = (sys.executable, "-m", "uv")
        _run(*uv, "venv", "--quiet", "--python", sys.executable, env_dir)
        python = env_dir / "bin" / "python"
        _run(
            *uv,
            "pip",
            "install",
            "--quiet",
            "--offline",
            "--no-deps",
            "--python",
            python,
            wheels[0],
        )
        probe = "; ".join(f"import {name}" for name in PACKAGES)
        _run(python, "-c", f"{probe}; print('package: imported', {PACKAGES!r})", cwd=Path(tmp))
    return built


def main() -> int:
    root = Path.cwd()
    built = build_and_check(root, root / "dist")
    print("package: ok:", ", ".join(p.name for p in built))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

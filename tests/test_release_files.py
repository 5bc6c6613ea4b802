"""One configured owner and one version, everywhere a release needs them (scripts/release_files.py).

The owner is `[tool.linkup-mcp.release] owner` in pyproject.toml; server.json (registry name,
repository URL), README's `mcp-name:` marker and the MCPB manifest must name that owner and no
other, and carry the package version.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from linkup_mcp import __version__
from scripts.release_files import (
    OWNER_REFERENCE,
    PACKAGE,
    RELEASE_FILES,
    ROOT,
    Release,
    load_release,
    main,
    out_of_step,
    rewrite,
    set_owner,
)

RELEASE = load_release()


def read_json(name: str, root: Path = ROOT) -> dict:
    data = json.loads((root / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_release_files_are_in_step() -> None:
    assert out_of_step(RELEASE) == [], "run `uv run scripts/release_files.py`"
    assert main(["--check"]) == 0


def test_version_is_the_package_version() -> None:
    assert RELEASE.version == __version__
    server = read_json("server.json")
    (pypi,) = [p for p in server["packages"] if p["registryType"] == "pypi"]
    assert server["version"] == pypi["version"] == RELEASE.version
    assert read_json("packaging/mcpb/manifest.json")["version"] == RELEASE.version


def test_each_release_file_names_the_configured_owner() -> None:
    server = read_json("server.json")
    assert server["name"] == RELEASE.registry_name
    assert server["repository"]["url"] == RELEASE.repository_url
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:5]
    assert f"<!-- mcp-name: {RELEASE.registry_name} -->" in head, "the marker PyPI shows and the MCP registry checks"
    manifest = read_json("packaging/mcpb/manifest.json")
    assert manifest["repository"]["url"] == manifest["homepage"] == manifest["author"]["url"] == RELEASE.repository_url
    assert manifest["support"] == RELEASE.repository_url + "/issues"


def tracked_text_files() -> dict[str, str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot list the project's files")
    listed = subprocess.run(
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    texts = {}
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if not path.is_file():  # deleted in the work tree
            continue
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def test_no_other_file_names_an_owner() -> None:
    """Every registry name, GitHub URL or ghcr.io image of linkup-mcp names the configured owner and
    sits in a file the script rewrites (add a new such file to RELEASE_FILES)."""
    for name, text in tracked_text_files().items():
        owners = {m["owner"] for m in OWNER_REFERENCE.finditer(text)}
        if owners:
            assert name in RELEASE_FILES, f"{name} names the owner {owners}: add it to RELEASE_FILES"
            assert owners <= {RELEASE.owner, RELEASE.owner.lower()}, (name, owners)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", *RELEASE_FILES):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def test_owner_flag_rewrites_every_file(copy: Path) -> None:
    assert main(["--owner", "Acme-Labs"], root=copy) == 0
    release = load_release(copy)
    assert release == Release(owner="Acme-Labs", version=RELEASE.version)
    assert out_of_step(release, copy) == []
    for name in RELEASE_FILES:
        owners = {m["owner"] for m in OWNER_REFERENCE.finditer((copy / name).read_text(encoding="utf-8"))}
        assert owners == {"Acme-Labs"}, name
    assert read_json("server.json", copy)["name"] == f"io.github.Acme-Labs/{PACKAGE}"
    assert "ghcr.io/acme-labs/" in rewrite("README.md", f"docker pull ghcr.io/{RELEASE.owner}/{PACKAGE}", release)
    assert main(["--check", "--repository", f"Acme-Labs/{PACKAGE}", "--tag", f"v{RELEASE.version}"], root=copy) == 0


def test_check_names_what_is_wrong(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = copy / "server.json"
    server.write_text(
        server.read_text(encoding="utf-8").replace(f'"version": "{RELEASE.version}"', '"version": "9.9.9"')
    )
    assert main(["--check"], root=copy) == 1
    assert "server.json is out of step" in capsys.readouterr().err
    assert main([], root=copy) == 0  # rewrites it
    assert main(["--check"], root=copy) == 0

    assert main(["--check", "--repository", f"someone-else/{PACKAGE}"], root=copy) == 1
    assert "--owner someone-else" in capsys.readouterr().err
    assert main(["--check", "--tag", "v9.9.9"], root=copy) == 1
    assert f"expected v{RELEASE.version}" in capsys.readouterr().err


def test_owner_names_are_checked() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'owner = "someone"' in set_owner(text, "someone")
    for bad in ("-lead", "two--hyphens", "sp ace", "a" * 40, "x/y"):
        with pytest.raises(ValueError, match="GitHub"):
            set_owner(text, bad)

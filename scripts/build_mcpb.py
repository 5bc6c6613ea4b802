"""Build the Claude Desktop one-click bundle: dist/linkup-mcp-<version>.mcpb.

An MCP Bundle (MCPB) is a zip of a server and its manifest.json. This one uses the manifest's
`uv` server type: Claude Desktop's uv installs Python and the locked dependencies on first start,
so the bundle holds only the project (pyproject.toml, uv.lock, README.md, LICENSE, linkup_mcp/,
tool_specs/) and the manifest.

The manifest is packaging/mcpb/manifest.json (its owner and version kept by release_files.py)
plus the `tools` list, generated here from `linkup-mcp tools --json` (the default toolsets), so it
cannot drift from the catalog.

    uv run scripts/build_mcpb.py                 # -> dist/linkup-mcp-<version>.mcpb
    uv run scripts/build_mcpb.py --mcpb PATH     # pack with this `mcpb` CLI (default: see below)
    uv run scripts/build_mcpb.py --zip           # pack with zipfile even when `mcpb` is found

The official CLI (`npm ci --prefix packaging/mcpb` installs the version packaging/mcpb/package-lock.json
pins; else `mcpb` on PATH) validates the manifest and packs; without it the same files are zipped
here (the format is a plain zip). The staged bundle directory is kept next to the archive
(dist/mcpb/linkup-mcp/) for `mcpb validate`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.release_files import ROOT, load_release, out_of_step

TEMPLATE = ROOT / "packaging" / "mcpb" / "manifest.json"
# `npm ci --prefix packaging/mcpb` installs the official CLI here, at the version its lockfile pins.
LOCAL_MCPB = ROOT / "packaging" / "mcpb" / "node_modules" / ".bin" / "mcpb"
# What `uv run` needs to build and run the project (see [tool.hatch.build] in pyproject.toml).
PROJECT_FILES = ("pyproject.toml", "uv.lock", "README.md", "LICENSE")
PROJECT_DIRS = ("linkup_mcp", "tool_specs")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".DS_Store")


def tool_entries(root: Path = ROOT) -> list[dict[str, str]]:
    """Name and first line of description of every tool a default configuration exposes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}
    env["LINKUP_LEDGER"] = ":memory:"
    out = subprocess.run(
        [sys.executable, "-m", "linkup_mcp", "tools", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return [{"name": t["name"], "description": t["description"].split("\n", 1)[0]} for t in json.loads(out)]


def manifest(root: Path = ROOT) -> dict[str, Any]:
    """The bundle's manifest.json: the template with the generated tool list."""
    data: dict[str, Any] = json.loads((root / TEMPLATE.relative_to(ROOT)).read_text(encoding="utf-8"))
    data["tools"] = tool_entries(root)
    return data


def stage(target: Path, root: Path = ROOT) -> Path:
    """Lay out the bundle directory: manifest.json and the project files."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        if (root / name).exists():
            shutil.copy2(root / name, target / name)
    for name in PROJECT_DIRS:
        shutil.copytree(root / name, target / name, ignore=SKIP)
    (target / "manifest.json").write_text(json.dumps(manifest(root), indent=2, ensure_ascii=False) + "\n")
    return target


def zip_bundle(source: Path, archive: Path) -> None:
    """A plain zip with manifest.json at the root, entries sorted (what `mcpb pack` makes)."""
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(source).as_posix())


def build(out_dir: Path, mcpb: str | None, root: Path = ROOT) -> Path:
    release = load_release(root)
    stale = out_of_step(release, root)
    if stale:
        raise SystemExit(f"release files out of step ({', '.join(stale)}): run `uv run scripts/release_files.py`")
    staged = stage(out_dir / "mcpb" / "linkup-mcp", root)
    archive = out_dir / f"linkup-mcp-{release.version}.mcpb"
    archive.unlink(missing_ok=True)
    if mcpb:
        subprocess.run([mcpb, "pack", str(staged), str(archive)], check=True, stdout=subprocess.DEVNULL, timeout=300)
    else:
        zip_bundle(staged, archive)
    return archive


def find_mcpb() -> str | None:
    if LOCAL_MCPB.exists():
        return str(LOCAL_MCPB)
    return shutil.which("mcpb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "dist", help="where to write the bundle (default dist/)")
    parser.add_argument(
        "--mcpb", help="the mcpb CLI to pack with (default: packaging/mcpb's, mcpb on PATH, else zipfile)"
    )
    parser.add_argument("--zip", action="store_true", help="pack with zipfile, not the mcpb CLI")
    args = parser.parse_args(argv)
    mcpb = None if args.zip else args.mcpb or find_mcpb()
    archive = build(args.out_dir.resolve(), mcpb)
    print(f"{archive} (packed with {'mcpb' if mcpb else 'zipfile'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Keep every file that names the publisher or the version in step with pyproject.toml.

The GitHub owner (user or organisation) that publishes linkup-mcp is configured in one place,
pyproject.toml:

    [tool.linkup-mcp.release]
    owner = "OWNER"

and the version is `[project].version`. The owner shows in the MCP registry name
(`io.github.<owner>/linkup-mcp`), in repository URLs (`github.com/<owner>/linkup-mcp`) and in the
container image (`ghcr.io/<owner>/linkup-mcp`, lower case) of the files in RELEASE_FILES; the
version in the `"version"` fields of its JSON files.

    uv run scripts/release_files.py                  # rewrite those files from pyproject.toml
    uv run scripts/release_files.py --owner NAME     # set the owner in pyproject.toml, then rewrite
    uv run scripts/release_files.py --check          # exit 1, naming each file out of step
    uv run scripts/release_files.py --check --repository NAME/linkup-mcp --tag v0.1.0
                                                     # release CI: also the forge's repository and tag

Rewrites are textual (formatting is kept); `--check` fails exactly when a rewrite would change
something. tests/test_release_files.py holds the files to this.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "linkup-mcp"
PLACEHOLDER_OWNER = "OWNER"

# Files that carry the owner and/or the version. The test scans every tracked file for the owner
# patterns below, so a new file that names the owner fails until it is listed here.
RELEASE_FILES = ("server.json", "README.md", "packaging/mcpb/manifest.json")
VERSIONED_FILES = ("server.json", "packaging/mcpb/manifest.json")

# GitHub logins: letters, digits and single hyphens, at most 39 characters.
OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
OWNER_REFERENCE = re.compile(
    r"(?P<prefix>io\.github\.|github\.com/|ghcr\.io/)(?P<owner>[A-Za-z0-9-]+)/" + PACKAGE + r"\b"
)
VERSION_FIELD = re.compile(r'(?P<prefix>"version"\s*:\s*")(?P<version>[^"]*)(?P<suffix>")')
OWNER_TABLE = re.compile(r'(?m)^(\[tool\.linkup-mcp\.release\]\s*\n(?:(?!\[).*\n)*?owner\s*=\s*")([^"]*)(")')


@dataclass(frozen=True)
class Release:
    owner: str
    version: str

    @property
    def registry_name(self) -> str:
        return f"io.github.{self.owner}/{PACKAGE}"

    @property
    def repository_url(self) -> str:
        return f"https://github.com/{self.owner}/{PACKAGE}"

    @property
    def image(self) -> str:
        return f"ghcr.io/{self.owner.lower()}/{PACKAGE}"


def load_release(root: Path = ROOT) -> Release:
    """The owner and version configured in pyproject.toml."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    owner = data["tool"]["linkup-mcp"]["release"]["owner"]
    if not OWNER_RE.fullmatch(owner):
        raise ValueError(f"[tool.linkup-mcp.release] owner {owner!r} is not a GitHub user or organisation name")
    return Release(owner=owner, version=data["project"]["version"])


def set_owner(text: str, owner: str) -> str:
    """pyproject.toml's text with the release owner replaced."""
    if not OWNER_RE.fullmatch(owner):
        raise ValueError(f"{owner!r} is not a GitHub user or organisation name")
    new, count = OWNER_TABLE.subn(lambda m: m[1] + owner + m[3], text, count=1)
    if count != 1:
        raise ValueError('pyproject.toml has no [tool.linkup-mcp.release] table with an owner = "..." line')
    return new


def rewrite(name: str, text: str, release: Release) -> str:
    """The text of release file `name` with the configured owner (and version) in place."""

    def owner(match: re.Match[str]) -> str:
        value = release.owner.lower() if match["prefix"] == "ghcr.io/" else release.owner
        return f"{match['prefix']}{value}/{PACKAGE}"

    text = OWNER_REFERENCE.sub(owner, text)
    if name in VERSIONED_FILES:
        text = VERSION_FIELD.sub(lambda m: m["prefix"] + release.version + m["suffix"], text)
        json.loads(text)  # still JSON
    return text


def out_of_step(release: Release, root: Path = ROOT) -> list[str]:
    """The release files whose text differs from what `rewrite` makes of it."""
    stale = []
    for name in RELEASE_FILES:
        text = (root / name).read_text(encoding="utf-8")
        if rewrite(name, text, release) != text:
            stale.append(name)
    return stale


def write_all(release: Release, root: Path = ROOT) -> list[str]:
    changed = []
    for name in RELEASE_FILES:
        path = root / name
        text = path.read_text(encoding="utf-8")
        new = rewrite(name, text, release)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owner", help="set [tool.linkup-mcp.release] owner in pyproject.toml first")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of step")
    parser.add_argument("--repository", help="with --check: the forge repository (OWNER/NAME) must be this project's")
    parser.add_argument("--tag", help="with --check: the release tag must be v<version>")
    args = parser.parse_args(argv)
    if args.check and args.owner:
        parser.error("--owner changes pyproject.toml; with --check use --repository OWNER/linkup-mcp")

    if args.owner:
        pyproject = root / "pyproject.toml"
        pyproject.write_text(set_owner(pyproject.read_text(encoding="utf-8"), args.owner), encoding="utf-8")
    release = load_release(root)

    if not args.check:
        changed = write_all(release, root)
        print(f"owner {release.owner}, version {release.version}: " + (", ".join(changed) or "nothing to change"))
        return 0

    problems = [f"{name} is out of step: run `uv run scripts/release_files.py`" for name in out_of_step(release, root)]
    if args.repository is not None:
        expected = f"{release.owner}/{PACKAGE}"
        if args.repository != expected:
            problems.append(
                f"releasing from {args.repository}, but pyproject.toml says {expected}: "
                f"run `uv run scripts/release_files.py --owner {args.repository.split('/')[0]}` and commit"
            )
    if args.tag is not None and args.tag != f"v{release.version}":
        problems.append(
            f"tag {args.tag} does not match the package version {release.version} (expected v{release.version})"
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"release files agree: {release.registry_name} {release.version}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

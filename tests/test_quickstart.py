"""The README's Quickstart works on a fresh machine: `./uvw` finds or installs uv by itself.

The wrapper is copied into a temporary folder and run with a PATH that holds no `uv`, only the
few tools it uses plus the interpreter or downloader each case provides:

- a Python whose system pip refuses to install (PEP 668 `externally-managed-environment`, as on
  Debian 12+, Ubuntu 23.04+, Fedora, Homebrew): the real thing when this machine has one (e.g.
  Debian's /usr/bin/python3), and a stand-in script that refuses the same way;
- the same without the `venv` module's pip (Debian without python3-venv);
- a normal Python;
- no Python, only curl or wget (uv's standalone installer, served by a stand-in downloader);
- nothing that works: a clear message and a failing exit status.

The cases that really install uv with pip are marked slow (a few seconds each, with pip's cache).
Also here: the README's commands as CI runs them, and the README's Docker commands keeping the
ledger on a volume.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WRAPPER = ROOT / "uvw"
README = (ROOT / "README.md").read_text(encoding="utf-8")
PINNED = re.search(r"UV_VERSION=\$\{UVW_UV_VERSION:-([0-9.]+)\}", WRAPPER.read_text()).group(1)  # type: ignore[union-attr]
TOOLS = ("mkdir", "rm", "mv")  # the external commands uvw itself runs

EXTERNALLY_MANAGED = """error: externally-managed-environment

× This environment is externally managed
╰─> To install Python packages system-wide, try apt install
    python3-xyz, where xyz is the package you are trying to
    install."""

NO_ENSUREPIP = """The virtual environment was not created successfully because ensurepip is not
available.  On Debian/Ubuntu systems, you need to install the python3-venv
package using the following command.

    apt install python3.11-venv"""


# --- helpers ------------------------------------------------------------------------------------


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def checkout(tmp_path: Path) -> Path:
    """A folder holding the wrapper, as a fresh clone would."""
    repo = tmp_path / "clone"
    repo.mkdir()
    shutil.copy2(WRAPPER, repo / "uvw")
    return repo


def bin_dir(tmp_path: Path) -> Path:
    """A PATH folder with only the tools uvw needs (so no uv, python, curl or wget)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    return folder


def uvw(repo: Path, path: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "UVW_", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYENV"))
    }
    env["PATH"] = str(path)
    return subprocess.run(
        ["./uvw", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def python_info(python: str | Path) -> tuple[tuple[int, int], bool, bool] | None:
    """(version, externally managed, has venv+ensurepip) of an interpreter, or None if it does not run."""
    code = (
        "import os, sys, sysconfig, importlib.util as u, json; print(json.dumps([sys.version_info[:2],"
        " sys.prefix == sys.base_prefix and os.path.exists(os.path.join(sysconfig.get_path('stdlib'),"
        " 'EXTERNALLY-MANAGED')), all(u.find_spec(m) for m in ('venv', 'ensurepip'))]))"
    )
    try:
        out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    version, managed, venv = json.loads(out)
    return (version[0], version[1]), managed, venv


BASE_PYTHON = Path(getattr(sys, "_base_executable", sys.executable))  # the interpreter behind this venv


def real_externally_managed_python() -> Path | None:
    """A Python >= 3.10 on this machine whose system pip refuses installs (PEP 668), with venv."""
    for candidate in (BASE_PYTHON, "/usr/bin/python3", "/usr/local/bin/python3", "/opt/homebrew/bin/python3"):
        info = python_info(candidate)
        if info and info[0] >= (3, 10) and info[1] and info[2]:
            return Path(candidate)
    return None


def stand_in_python(folder: Path, real: Path, *, externally_managed: bool, venv: bool = True) -> Path:
    """`python3` running `real`, but refusing what a stock OS's Python refuses.

    externally_managed: `-m pip install` outside a venv fails with PEP 668's error unless it
    installs elsewhere (--target/--prefix/--root), exactly pip's own rule. Pip run by a venv's
    interpreter is untouched: a venv created through this script points at `real`.
    venv=False: `-m venv` fails as on Debian without python3-venv.
    """
    body = ""
    if not venv:
        body += f"""if [ "${{1-}}" = -m ] && [ "${{2-}}" = venv ]; then
  cat >&2 <<'EOF'
{NO_ENSUREPIP}
EOF
  exit 1
fi
"""
    if externally_managed:
        body += f"""if [ "${{1-}}" = -m ] && [ "${{2-}}" = pip ]; then
  case " $* " in
    *" install "*)
      case " $* " in
        *" --target "* | *" --prefix "* | *" --root "*) ;;
        *) cat >&2 <<'EOF'
{EXTERNALLY_MANAGED}
EOF
           exit 1 ;;
      esac ;;
  esac
fi
"""
    body = body.replace("cat >&2", f"{shutil.which('cat')} >&2")  # PATH has no cat
    return write_script(folder / "python3", body + f'exec "{real}" "$@"\n')


def normal_python(tmp_path: Path) -> Path:
    """A Python >= 3.10 whose pip installs anywhere: this venv's base, or failing that a venv."""
    info = python_info(BASE_PYTHON)
    if info and info[0] >= (3, 10) and not info[1] and info[2]:
        return BASE_PYTHON
    env_dir = tmp_path / "normal-python"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=120)
    return env_dir / "bin" / "python"


def assert_installed(repo: Path, path: Path, result: subprocess.CompletedProcess[str], route: str) -> None:
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"uv {PINNED}"), result.stdout  # stdout: uv's answer only
    assert route in result.stderr and f"installed uv {PINNED}" in result.stderr, result.stderr
    assert (repo / ".uv" / "bin" / "uv").is_file()
    assert [p.name for p in (repo / ".uv").iterdir() if p.name.startswith("tmp.")] == [], "scratch left behind"
    again = uvw(repo, path, "--version")  # the installed copy is reused: no second install
    assert again.returncode == 0 and again.stdout.startswith(f"uv {PINNED}") and again.stderr == ""


# --- installing with pip (slow) ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_real_externally_managed_python(tmp_path: Path) -> None:
    real = real_externally_managed_python()
    if real is None:
        pytest.skip("no externally managed Python >= 3.10 with venv on this machine")
    folder = bin_dir(tmp_path)
    (folder / "python3").symlink_to(real)
    refused = subprocess.run(
        [str(folder / "python3"), "-m", "pip", "install", "--dry-run", "uv"], capture_output=True, text=True
    )
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr, "precondition: PEP 668"
    repo = checkout(tmp_path)
    assert_installed(repo, folder, uvw(repo, folder, "--version"), "route 1")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_externally_managed_python(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)
    python = stand_in_python(folder, normal_python(tmp_path), externally_managed=True)
    refused = subprocess.run([str(python), "-m", "pip", "install", "uv"], capture_output=True, text=True)
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stderr
    repo = checkout(tmp_path)
    assert_installed(repo, folder, uvw(repo, folder, "--version"), "route 1")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_externally_managed_python_without_venv(tmp_path: Path) -> None:
    """Debian without python3-venv: pip installs uv into .uv/ with --target (no PEP 668 check there)."""
    folder = bin_dir(tmp_path)
    real = real_externally_managed_python() or normal_python(tmp_path)
    stand_in_python(folder, real, externally_managed=True, venv=False)
    repo = checkout(tmp_path)
    result = uvw(repo, folder, "--version")
    assert "python3-venv" in result.stderr, "route 1's failure is shown with its fix"
    assert_installed(repo, folder, result, "route 2")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_normal_python(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)
    (folder / "python3").symlink_to(normal_python(tmp_path))
    repo = checkout(tmp_path)
    result = uvw(repo, folder, "--version")
    assert "route 2" not in result.stderr
    assert_installed(repo, folder, result, "route 1")
    assert (repo / ".uv" / ".gitignore").read_text() == "*\n"


# --- the other routes and the error path (fast: stand-in programs) ------------------------------


def fake_uv(version: str = PINNED) -> str:
    return f'echo "uv {version} (stand-in)"; echo "args: $*"\n'


@pytest.mark.parametrize("fetcher", ["curl", "wget"])
def test_standalone_installer_when_there_is_no_python(tmp_path: Path, fetcher: str) -> None:
    folder = bin_dir(tmp_path)
    requested = tmp_path / "requested"
    installer = tmp_path / "install.sh"
    # What uv's installer does with these variables: put uv (and uvx) right in UV_UNMANAGED_INSTALL.
    chmod, mkdir = shutil.which("chmod"), shutil.which("mkdir")
    installer.write_text(
        f"""[ "$UV_NO_MODIFY_PATH" = 1 ] || exit 3
{mkdir} -p "$UV_UNMANAGED_INSTALL"
printf '#!/bin/sh\\n%s' '{fake_uv()}' > "$UV_UNMANAGED_INSTALL/uv"
{chmod} +x "$UV_UNMANAGED_INSTALL/uv"
"""
    )
    output_flag = "-o" if fetcher == "curl" else "-O"
    write_script(
        folder / fetcher,
        f"""out=""
while [ $# -gt 0 ]; do
  case $1 in
    {output_flag}) out=$2; shift ;;
    https://*) echo "$1" > "{requested}" ;;
  esac
  shift
done
exec {shutil.which("cp")} "{installer}" "$out"
""",
    )
    repo = checkout(tmp_path)
    result = uvw(repo, folder, "run", "x y")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"uv {PINNED} (stand-in)\nargs: run x y\n"
    assert requested.read_text().strip() == f"https://astral.sh/uv/{PINNED}/install.sh"
    assert "route 3" in result.stderr and "route 1" not in result.stderr
    assert (repo / ".uv" / "bin" / "uv").is_file()


def test_no_route_fails_with_what_to_install(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)  # no python, no curl, no wget
    repo = checkout(tmp_path)
    result = uvw(repo, folder, "run", "linkup-mcp", "demo")
    assert result.returncode != 0
    assert result.stdout == ""
    for words in ("python3: not found", "curl, wget: not found", "Python >= 3.10", "apt install python3-venv"):
        assert words in result.stderr, (words, result.stderr)
    assert "docs.astral.sh/uv" in result.stderr
    assert not (repo / ".uv" / "bin").exists()
    assert [p.name for p in (repo / ".uv").iterdir() if p.name.startswith("tmp.")] == []


def test_too_old_python_is_named(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)
    write_script(folder / "python3", "printf 3.8\n")
    repo = checkout(tmp_path)
    result = uvw(repo, folder, "--version")
    assert result.returncode != 0
    assert "python3 is 3.8: Python >= 3.10 is needed" in result.stderr, result.stderr
    assert "route 1" not in result.stderr


def test_uv_on_path_comes_first(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)
    write_script(folder / "uv", fake_uv("9.9.9"))
    repo = checkout(tmp_path)
    (repo / ".uv" / "bin").mkdir(parents=True)
    write_script(repo / ".uv" / "bin" / "uv", fake_uv("0.0.1"))
    result = uvw(repo, folder, "run", "pytest", "-k", "a b")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "uv 9.9.9 (stand-in)\nargs: run pytest -k a b\n"


def test_installed_copy_is_used_from_anywhere(tmp_path: Path) -> None:
    folder = bin_dir(tmp_path)
    repo = checkout(tmp_path)
    (repo / ".uv" / "bin").mkdir(parents=True)
    write_script(repo / ".uv" / "bin" / "uv", fake_uv())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(repo / "uvw"), "--directory", str(repo), "run", "linkup-mcp"],
        cwd=elsewhere,
        env={"PATH": str(folder), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.endswith(f"args: --directory {repo} run linkup-mcp\n")


# --- the README, CI and the repository agree ----------------------------------------------------


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_runs_through_the_wrapper_and_ci_runs_its_test_command() -> None:
    demo, tests = quickstart_commands()
    assert demo == "./uvw run linkup-mcp demo" and tests == "./uvw run pytest"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci, "CI runs the README's test command as written"
    assert not [line for line in ci if line.startswith(("uv ", "pip ", "python3 -m pip"))], "everything via ./uvw"


def test_wrapper_is_executable_in_git_and_its_folder_ignored() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    staged = subprocess.run(["git", "ls-files", "-s", "uvw"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert staged.stdout.startswith("100755 "), staged.stdout or "uvw is not in git"
    assert ".uv/" in (ROOT / ".gitignore").read_text().split()


def test_wrapper_pins_the_uv_of_the_image() -> None:
    assert f"uv=={PINNED}" in (ROOT / "Dockerfile").read_text()


def docker_runs() -> list[list[str]]:
    """Every `docker run` of the README and the Dockerfile's header, as argument lists."""
    runs = [shlex.split(line.split("  #", 1)[0]) for line in README.splitlines() if line.startswith("docker run ")]
    header = [line.lstrip("#").strip() for line in (ROOT / "Dockerfile").read_text().splitlines() if line[:1] == "#"]
    runs += [shlex.split(line.split("  #", 1)[0]) for line in header if line.startswith("docker run ")]
    inline = re.search(r'"command": "docker", "args": (\[.*?\])', README, re.S)
    assert inline, "the README's Docker client command"
    runs.append(["docker", *json.loads(inline.group(1))])
    return runs


def test_docker_commands_keep_the_ledger_on_a_volume() -> None:
    runs = docker_runs()
    assert len(runs) >= 4
    for args in runs:
        if "--sandbox" in args:  # the sandbox keeps nothing worth keeping
            continue
        volumes = [args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-v", "--volume")]
        assert "linkup-data:/data" in volumes, shlex.join(args)

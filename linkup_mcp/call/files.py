"""Binary results out of the JSON, into MCP resources; local files into uploads, safely.

A CV comes back from the API as base64 inside `data`. The spec names where (`binary:`); here
the bytes are decoded, kept in a small in-memory store under a `linkup://files/...` URI, and the
JSON keeps only the URI, size and type. The server attaches the file to the tool result as an
embedded resource (and `resources/read` serves it again while it is in the store).

Uploads: an argument naming a local file (e.g. `messages_send.media_local_path`) is read only
from inside LINKUP_UPLOAD_DIR, so a prompt-injected agent cannot mail out ~/.ssh or a password
file; without that setting local files are refused. The file is opened beneath the folder
without following links, and the opened file itself is checked (`read_upload`).
"""

from __future__ import annotations

import base64
import binascii
import copy
import errno
import hashlib
import mimetypes
import os
import stat
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from linkup_mcp.spec.models import BinaryField, LocalFile


@dataclass(frozen=True)
class StoredFile:
    uri: str
    mime_type: str
    filename: str
    content: bytes


class FileStore:
    """The last files seen, by URI; oldest dropped past `max_files` or `max_bytes`."""

    def __init__(self, max_files: int = 20, max_bytes: int = 50_000_000):
        self.max_files, self.max_bytes = max_files, max_bytes
        self._files: OrderedDict[str, StoredFile] = OrderedDict()

    def put(self, content: bytes, mime_type: str, filename: str) -> StoredFile:
        digest = hashlib.sha256(content).hexdigest()[:16]
        stored = StoredFile(f"linkup://files/{digest}/{quote(filename, safe='')}", mime_type, filename, content)
        self._files[stored.uri] = stored
        self._files.move_to_end(stored.uri)
        while len(self._files) > self.max_files or sum(len(f.content) for f in self._files.values()) > self.max_bytes:
            if len(self._files) == 1:
                break
            self._files.popitem(last=False)
        return stored

    def get(self, uri: str) -> StoredFile | None:
        return self._files.get(uri)

    def all(self) -> list[StoredFile]:
        return list(self._files.values())

    def extract(self, data: Any, fields: list[BinaryField]) -> tuple[Any, list[StoredFile]]:
        """`data` with each named base64 file replaced by its URI and size; the files stored."""
        if not fields or not isinstance(data, dict):
            return data, []
        data = copy.deepcopy(data)  # the strings are shared, not copied: cheap
        found: list[StoredFile] = []
        for field in fields:
            holder = _at(data, field.at)
            if not isinstance(holder, dict) or not isinstance(holder.get(field.content), str):
                continue
            try:
                content = base64.b64decode(_strip_data_url(holder[field.content]), validate=True)
            except (binascii.Error, ValueError):
                continue  # not base64 after all: leave it for the agent to see
            filename = str(holder.get(field.filename) or "file")
            mime = str(holder.get(field.mime_type) or mimetypes.guess_type(filename)[0] or "application/octet-stream")
            stored = self.put(content, mime, filename)
            holder[field.content] = None
            holder["resource_uri"] = stored.uri
            holder["size_bytes"] = len(content)
            found.append(stored)
        return data, found


def _strip_data_url(value: str) -> str:
    return value.split(",", 1)[1] if value.startswith("data:") and "," in value else value


def _at(data: Any, dotted: str) -> Any:
    for key in dotted.split(".") if dotted else []:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class UploadError(ValueError):
    """A local file that may not or cannot be attached; the message names the field and the fix."""


MAX_PATH_CHARS = 1024  # a longer path is refused before the file system sees it
MAX_NAME_BYTES = 255  # one path component (NAME_MAX)
_BENEATH = hasattr(os, "O_NOFOLLOW") and os.open in os.supports_dir_fd


def read_upload(spec: LocalFile, path_value: str, upload_dir: str | None, max_bytes: int) -> dict[str, str]:
    """The `{data, filename}` object the API takes, from a local path inside `upload_dir`.

    The file is opened relative to the upload folder one component at a time without following
    links (`O_NOFOLLOW`, `dir_fd`), so swapping a file or folder for a link between a check and
    the read cannot lead outside; the opened file itself is then checked (`fstat`: a regular
    file, within the size limit) and read from that descriptor."""
    field = spec.arg
    if not upload_dir:
        raise UploadError(
            f"{field}: local files are disabled; set LINKUP_UPLOAD_DIR to a folder of files the agent may "
            "send, or pass media_link (a public URL) instead"
        )
    root = Path(upload_dir).expanduser().resolve()
    parts = _parts_inside(field, path_value, upload_dir, root)
    name = parts[-1]
    if spec.extensions and Path(name).suffix.lower() not in spec.extensions:
        raise UploadError(f"{field}: {name} is not one of {', '.join(spec.extensions)}")
    try:
        fd = _open_beneath(root, parts) if _BENEATH else _open_checked(root, parts)
    except OSError as exc:
        raise UploadError(_open_problem(field, path_value, root, exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UploadError(f"{field}: {path_value!r} in LINKUP_UPLOAD_DIR ({root}) is not a regular file")
        if info.st_size > max_bytes:
            raise UploadError(
                f"{field}: {name} is {info.st_size} bytes; the limit is {max_bytes} (LINKUP_MAX_UPLOAD_BYTES)"
            )
        content = _read(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(content) > max_bytes:  # it grew after the check
        raise UploadError(f"{field}: {name} is over {max_bytes} bytes (LINKUP_MAX_UPLOAD_BYTES)")
    return {"data": base64.b64encode(content).decode(), "filename": name}


def _parts_inside(field: str, path_value: str, upload_dir: str, root: Path) -> list[str]:
    """The path's components below the upload folder, checked as text (no file system access)."""
    if "\x00" in path_value:
        raise UploadError(f"{field}: the path contains a NUL character; give a file name in LINKUP_UPLOAD_DIR")
    if len(path_value) > MAX_PATH_CHARS:
        raise UploadError(f"{field}: the path is {len(path_value)} characters long; at most {MAX_PATH_CHARS}")
    candidate = Path(os.path.expanduser(path_value))
    if candidate.is_absolute():
        for base in (root, Path(upload_dir).expanduser().absolute()):
            if candidate.is_relative_to(base):
                candidate = candidate.relative_to(base)
                break
        else:
            raise UploadError(f"{field}: {path_value!r} is outside LINKUP_UPLOAD_DIR ({root}); copy the file there")
    parts = [p for p in candidate.parts if p != "."]
    if ".." in parts:
        raise UploadError(f"{field}: {path_value!r} is outside LINKUP_UPLOAD_DIR ({root}); copy the file there")
    if not parts:
        raise UploadError(f"{field}: no file at {path_value!r} in LINKUP_UPLOAD_DIR ({root})")
    for part in parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise UploadError(f"{field}: a name in {path_value[:80]!r}... is over {MAX_NAME_BYTES} bytes")
    return parts


def _open_beneath(root: Path, parts: list[str]) -> int:
    """A descriptor of root/parts..., no component of it a link (POSIX)."""
    directory = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    at = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            inner = os.open(part, directory, dir_fd=at)
            os.close(at)
            at = inner
        # O_NONBLOCK: a FIFO put there cannot hang the open (fstat then refuses it)
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        return os.open(parts[-1], flags, dir_fd=at)
    finally:
        os.close(at)


def _open_checked(root: Path, parts: list[str]) -> int:
    """Where there is no O_NOFOLLOW/dir_fd (Windows): resolve, open, and check that the opened
    file is the one that was checked inside the folder."""
    path = root.joinpath(*parts)
    resolved = path.resolve(strict=True)
    if not resolved.is_relative_to(root) or path.is_symlink():
        raise OSError(errno.ELOOP, "a link")
    fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    if not os.path.samestat(os.fstat(fd), os.stat(resolved, follow_symlinks=False)):
        os.close(fd)
        raise OSError(errno.ELOOP, "changed while opening")
    return fd


def _open_problem(field: str, path_value: str, root: Path, exc: OSError) -> str:
    where = f"{path_value!r} in LINKUP_UPLOAD_DIR ({root})"
    if exc.errno in (errno.ENOENT,):
        return f"{field}: no file at {where}"
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        return f"{field}: {where} is, or goes through, a link or not a folder; links are not followed"
    if exc.errno == errno.ENAMETOOLONG:
        return f"{field}: the path {path_value[:80]!r}... is too long"
    return f"{field}: {where} cannot be read ({exc.strerror or exc})"


def _read(fd: int, limit: int) -> bytes:
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)

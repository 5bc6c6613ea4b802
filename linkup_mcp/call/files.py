"""Binary results out of the JSON, into MCP resources; local files into uploads, safely.

A CV comes back from the API as base64 inside `data`. The spec names where (`binary:`); here
the bytes are decoded, kept in a small in-memory store under a `linkup://files/...` URI, and the
JSON keeps only the URI, size and type. The server attaches the file to the tool result as an
embedded resource (and `resources/read` serves it again while it is in the store).

Uploads: an argument naming a local file (e.g. `messages_send.media_local_path`) is read only
from inside LINKUP_UPLOAD_DIR, so a prompt-injected agent cannot mail out ~/.ssh or a password
file; without that setting local files are refused.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import mimetypes
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


def read_upload(spec: LocalFile, path_value: str, upload_dir: str | None, max_bytes: int) -> dict[str, str]:
    """The `{data, filename}` object the API takes, from a local path inside `upload_dir`."""
    field = spec.arg
    if not upload_dir:
        raise UploadError(
            f"{field}: local files are disabled; set LINKUP_UPLOAD_DIR to a folder of files the agent may "
            "send, or pass media_link (a public URL) instead"
        )
    root = Path(upload_dir).expanduser().resolve()
    candidate = Path(path_value).expanduser()
    path = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not path.is_relative_to(root):
        raise UploadError(f"{field}: {path_value!r} is outside LINKUP_UPLOAD_DIR ({root}); copy the file there")
    if not path.is_file():
        raise UploadError(f"{field}: no file at {path_value!r} in LINKUP_UPLOAD_DIR ({root})")
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadError(f"{field}: {path.name} is {size} bytes; the limit is {max_bytes} (LINKUP_MAX_UPLOAD_BYTES)")
    if spec.extensions and path.suffix.lower() not in spec.extensions:
        raise UploadError(f"{field}: {path.name} is not one of {', '.join(spec.extensions)}")
    return {"data": base64.b64encode(path.read_bytes()).decode(), "filename": path.name}

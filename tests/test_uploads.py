"""Local files attached by path: only from LINKUP_UPLOAD_DIR, bounded, named errors."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.anyio

PROFILE = "https://www.linkedin.com/in/jane-doe"


def send(path: str) -> dict[str, Any]:
    return {"profile_url": PROFILE, "message_text": "The deck", "media_local_path": path}


@pytest.fixture
def uploads(tmp_path: Path) -> Path:
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "deck.pdf").write_bytes(b"%PDF-1.4 deck")
    (folder / "notes.txt").write_text("secret")
    (tmp_path / "outside.pdf").write_bytes(b"%PDF-1.4 outside")
    return folder


async def test_file_inside_upload_dir_is_sent_as_media_file(harness: Any, uploads: Path) -> None:
    h = harness()
    h.runtime.upload_dir = str(uploads)
    result = await h.call("messages_send", send("deck.pdf"))
    assert result["ok"] is True and result["credits"]["estimated"] == 2  # media surcharge applies
    media = {"data": base64.b64encode(b"%PDF-1.4 deck").decode(), "filename": "deck.pdf"}
    assert h.bodies() == [
        {
            "account_id": "acc_1",
            "action": "send",
            "params": {"profile_url": PROFILE, "message_text": "The deck", "media_file": media},
        }
    ]


@pytest.mark.parametrize(
    ("path", "upload_dir", "problem"),
    [
        ("deck.pdf", None, "media_local_path: local files are disabled; set LINKUP_UPLOAD_DIR"),
        ("../outside.pdf", "uploads", "is outside LINKUP_UPLOAD_DIR"),
        ("/etc/passwd", "uploads", "is outside LINKUP_UPLOAD_DIR"),
        ("missing.pdf", "uploads", "media_local_path: no file at 'missing.pdf'"),
        ("notes.txt", "uploads", "media_local_path: notes.txt is not one of .png, .jpg, .jpeg, .gif, .mp4, .pdf"),
    ],
)
async def test_refusals_name_the_field_and_send_nothing(
    harness: Any, uploads: Path, path: str, upload_dir: str | None, problem: str
) -> None:
    h = harness()
    h.runtime.upload_dir = str(uploads) if upload_dir else None
    result = await h.call("messages_send", send(path))
    assert result["error"]["code"] == "VALIDATION_ERROR"
    assert result["error"]["fields"][0]["field"] == "media_local_path"
    assert problem in result["error"]["fields"][0]["problem"]
    assert h.requests == []


async def test_size_limit(harness: Any, uploads: Path) -> None:
    h = harness()
    h.runtime.upload_dir, h.runtime.max_upload_bytes = str(uploads), 5
    result = await h.call("messages_send", send("deck.pdf"))
    assert result["error"]["fields"][0]["problem"] == (
        "media_local_path: deck.pdf is 13 bytes; the limit is 5 (LINKUP_MAX_UPLOAD_BYTES)"
    )
    assert h.requests == []

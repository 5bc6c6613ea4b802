"""Issue 17 acceptance cases that need no process: uploads without races (item 5), the ledger's
file mode and the rows a killed process left (items 3 and 6)."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from linkup_mcp.call.files import UploadError, read_upload
from linkup_mcp.spec.models import LocalFile
from linkup_mcp.store import pending
from linkup_mcp.store.ledger import STALE_PENDING_S, Admission, Ledger, utc_day

SPEC = LocalFile(arg="media_local_path", into="media_file", extensions=[".pdf"], description="a file to attach")
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symlinks and FIFOs as POSIX makes them")

# -- uploads -------------------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    uploads, outside = tmp_path / "uploads", tmp_path / "outside"
    uploads.mkdir()
    outside.mkdir()
    (uploads / "deck.pdf").write_bytes(b"%PDF deck")
    (outside / "secret.pdf").write_bytes(b"%PDF secret")
    return uploads, outside


@posix_only
def test_a_file_swapped_for_a_link_between_check_and_read_is_never_read(folders: tuple[Path, Path]) -> None:
    """The race: the agent's file is replaced by a link to a file outside, over and over, while
    it is read. Every read either gets the real file or is refused; none gets the outside file."""
    uploads, outside = folders
    target, swap = uploads / "deck.pdf", uploads / "swap.pdf"
    stop = threading.Event()

    def swapper() -> None:
        while not stop.is_set():
            swap.unlink(missing_ok=True)
            swap.symlink_to(outside / "secret.pdf")
            os.replace(swap, target)  # now a link
            swap.write_bytes(b"%PDF deck")
            os.replace(swap, target)  # a file again

    thread = threading.Thread(target=swapper)
    thread.start()
    outcomes: dict[str, int] = {}
    try:
        for _ in range(3000):
            try:
                got = read_upload(SPEC, "deck.pdf", str(uploads), 1000)["data"]
                outcomes[got] = outcomes.get(got, 0) + 1
            except UploadError as exc:
                assert "link" in str(exc) or "no file" in str(exc), exc
                outcomes["refused"] = outcomes.get("refused", 0) + 1
    finally:
        stop.set()
        thread.join()
    assert "JVBERiBzZWNyZXQ=" not in outcomes  # base64 of the outside file
    assert outcomes.get("JVBERiBkZWNr", 0) > 0 and outcomes.get("refused", 0) > 0  # both states were met


@posix_only
@pytest.mark.parametrize(
    ("setup", "path", "says"),
    [
        (lambda u, o: (u / "link.pdf").symlink_to(o / "secret.pdf"), "link.pdf", "links are not followed"),
        (lambda u, o: (u / "dir").symlink_to(o), "dir/secret.pdf", "links are not followed"),
        (lambda u, o: (u / "in.pdf").symlink_to(u / "deck.pdf"), "in.pdf", "links are not followed"),
        (lambda u, o: os.mkfifo(u / "pipe.pdf"), "pipe.pdf", "not a regular file"),
        (lambda u, o: (u / "folder.pdf").mkdir(), "folder.pdf", "not a regular file"),
        (lambda u, o: None, "../outside/secret.pdf", "is outside LINKUP_UPLOAD_DIR"),
        (lambda u, o: None, "/proc/self/environ", "is outside LINKUP_UPLOAD_DIR"),
    ],
    ids=["link out", "linked folder", "link inside", "fifo", "folder", "dot-dot", "/proc"],
)
def test_links_and_special_files_are_refused(folders: tuple[Path, Path], setup: Any, path: str, says: str) -> None:
    uploads, outside = folders
    setup(uploads, outside)
    with pytest.raises(UploadError, match=says):
        read_upload(SPEC, path, str(uploads), 1000)


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("deck\x00.pdf", "NUL character"),
        ("a" * 5000 + ".pdf", "characters long"),
        ("b" * 300 + ".pdf", "over 255 bytes"),
        ("é" * 200 + ".pdf", "over 255 bytes"),
        ("", "non-empty"),
        (".", "no file"),
    ],
    ids=["nul", "very long path", "long name", "long utf-8 name", "empty", "dot"],
)
@pytest.mark.anyio
async def test_odd_names_are_validation_errors(harness: Any, folders: tuple[Path, Path], path: str, says: str) -> None:
    """Before, a NUL byte or thousands of characters gave INTERNAL_ERROR."""
    h = harness()
    h.runtime.upload_dir = str(folders[0])
    args = {"profile_url": "https://www.linkedin.com/in/jane-doe", "message_text": "Deck", "media_local_path": path}
    result = await h.call("messages_send", args)
    assert result["error"]["code"] == "VALIDATION_ERROR", result
    assert says in result["error"]["fields"][0]["problem"] and h.requests == []


def test_a_file_that_grows_past_the_limit_after_the_check_is_refused(folders: tuple[Path, Path]) -> None:
    uploads, _ = folders
    assert read_upload(SPEC, str(uploads / "deck.pdf"), str(uploads), 9)["filename"] == "deck.pdf"  # absolute inside
    with pytest.raises(UploadError, match="the limit is 8"):
        read_upload(SPEC, "deck.pdf", str(uploads), 8)


# -- the ledger ----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_the_ledger_file_is_created_for_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        ledger = Ledger(tmp_path / "new" / "ledger.sqlite3")
        ledger.record("profiles_get", "acc", "OK", 1, "digest")
        files = list((tmp_path / "new").iterdir())
        assert {p.name for p in files} >= {"ledger.sqlite3", "ledger.sqlite3-wal", "ledger.sqlite3-shm"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        ledger.close()
    finally:
        os.umask(old)


def admission(**more: Any) -> Admission:
    return Admission(tool="messages_send", account="acc", estimated=2, args_digest="d", dedup_key="k", **more)


def test_a_pending_row_of_a_dead_process_becomes_outcome_unknown_at_its_estimate(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    with ledger.connection() as db:  # a row left by a process that is gone (no such pid)
        db.execute(
            "INSERT INTO calls (ts, day, tool, account, outcome, estimated, charged, args_digest, dedup_key, kind, pid)"
            " VALUES (?, ?, 'messages_send', 'acc', 'PENDING', 2, 0, 'd', 'k', 'message', ?)",
            (ledger.now(), utc_day(ledger.now()), 2**22 + 7),
        )
    refusal = ledger.admit(admission(daily_budget=10))
    assert not isinstance(refusal, int) and "unknown outcome" in refusal.message
    row = ledger.rows()[0]
    assert (row["outcome"], row["charged"]) == ("OUTCOME_UNKNOWN", 2)
    assert ledger.spent_today() == 2  # still counted


def test_a_call_in_flight_in_this_process_stays_in_flight(tmp_path: Path) -> None:
    """A second ledger object on the same file (another runtime of this process) must not settle
    a row this process is still sending."""
    path = tmp_path / "ledger.sqlite3"
    one, two = Ledger(path), Ledger(path)
    row = one.admit(admission())
    assert isinstance(row, int)
    refusal = two.admit(admission())
    assert not isinstance(refusal, int) and "still in flight" in refusal.message
    one.finish(row, "OK", 1)
    assert [r["outcome"] for r in two.rows()][:1] == ["OK"]


def test_who_is_dead() -> None:
    me, now = os.getpid(), 10_000.0
    pending.admitted("L", 1)
    try:
        rows = [(1, me, now), (2, me, now), (3, 2**22 + 7, now), (4, os.getppid(), now), (5, os.getppid(), 0.0)]
        dead = pending.dead("L", rows, now)
    finally:
        pending.finished("L", 1)
    assert dead == [2, 3, 5]  # not admitted here; no such process; a live pid but older than STALE
    assert now - 0.0 > STALE_PENDING_S

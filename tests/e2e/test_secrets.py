"""Secrets in no form (issue 17, item 3): the API key never shows — whole or as any fragment of 8
characters, raw, JSON-escaped or percent-encoded — in results, errors, logs at any level, ledger
or cache rows, or CLI output, wherever a message is cut. The attacks that broke it, each a case:
an error body echoing the key across the message cut, a key with `"` and `\\` echoed in JSON, a
client key percent-encoded in a log line, a key echoed in a cached read, the ledger's mode."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from linkup_mcp.mcp.http import mask_in_logs
from linkup_mcp.redact import setup_logging
from tests.e2e.conftest import ROOT, mcp_session
from tests.fakeapi import FakeApi

pytestmark = pytest.mark.anyio

# A key with everything that escapes differently: quote, backslash, slash, plus, percent, space-free.
KEY = 'lk_"live\\Key/0123+456789%abcdefXYZ'
PROFILE = "https://www.linkedin.com/in/jane-doe"


def fragments(secret: str, size: int = 8) -> set[str]:
    """Every piece of `size` characters of the secret, in every form it may take in text: raw,
    JSON-escaped once or twice, repr'd, percent-encoded (written here independently of
    linkup_mcp.redact). Escapes are per character, so a piece's form is a piece of the form."""
    encoders = [
        lambda v: v,
        lambda v: json.dumps(v)[1:-1],
        lambda v: json.dumps(json.dumps(v)[1:-1])[1:-1],
        lambda v: repr(v)[1:-1],
        lambda v: repr(json.dumps(v)[1:-1])[1:-1],
        lambda v: quote(v, safe=""),
        lambda v: quote(v),
        lambda v: quote_plus(v),
        lambda v: quote(v, safe="").lower(),
    ]
    pieces = {secret[i : i + size] for i in range(len(secret) - size + 1)}
    return {encode(piece) for piece in pieces for encode in encoders}


def leaks(text: str, secret: str = KEY) -> list[str]:
    return sorted(piece for piece in fragments(secret) if piece in text)


def echoing_replies() -> list[tuple[int, Any]]:
    """What a careless API answers: the key echoed in every way, in successes and errors."""
    cut = "x" * 100 + KEY + " and more after the cut"  # quoted up to 120 characters: the key is cut
    echoed = {
        "success": True,
        "data": {"note": KEY, "nested": json.dumps({"k": KEY}), "link": f"https://x.test/?api_key={quote(KEY)}"},
        "metadata": {"credits_consumed": 1},
    }
    refusal = {"success": False, "error": {"code": "INVALID_PARAMS", "message": f"bad key {KEY!r} ({json.dumps(KEY)})"}}
    return [
        (200, echoed),  # profiles_get: a cached read that echoes the key
        (200, echoed),  # profiles_get again: it was not cached
        (502, cut.encode()),  # messages_send: not the envelope, cut at 120 characters
        (400, refusal),  # profiles_search_people: the API's message quotes the key
        (500, f"<html>{KEY}</html>".encode()),  # profiles_get_contact: an HTML page
    ]


async def test_the_key_shows_in_no_form_in_results_errors_logs_ledger_or_cli(tmp_path: Path) -> None:
    ledger = tmp_path / "state" / "ledger.sqlite3"
    errlog = (tmp_path / "stderr.log").open("w+")
    with FakeApi() as api:
        api.replies.extend(echoing_replies())
        env = {
            "LINKUP_API_KEY": KEY,
            "LINKUP_BASE_URL": api.base_url,
            "LINKUP_ACCOUNT_ID": "acc_e2e",
            "LINKUP_LOG_LEVEL": "DEBUG",
            "LINKUP_LEDGER": str(ledger),
            "LINKUP_MAX_RETRIES": "0",
        }
        shown: list[str] = []
        async with mcp_session(env, errlog=errlog) as client:
            for tool, args in [
                ("profiles_get", {"profile_url": PROFILE}),
                ("profiles_get", {"profile_url": PROFILE}),
                ("messages_send", {"profile_url": PROFILE, "message_text": "Hi"}),
                ("profiles_search_people", {"keyword": "cto"}),
                ("profiles_get_contact", {"profile_url": PROFILE}),
            ]:
                result = await client.call_tool(tool, args)
                shown += [block.text for block in result.content if hasattr(block, "text")]
                shown.append(json.dumps(result.structured_content, ensure_ascii=False))
        codes = [json.loads(text)["error"]["code"] if '"ok":false' in text else "OK" for text in shown[::2]]
        assert codes == ["OK", "OK", "OUTCOME_UNKNOWN", "INVALID_PARAMS", "BAD_RESPONSE"]
        assert len(api.requests) == 5  # the read that echoed the key was not cached
        assert "***" in shown[0] and "***" in shown[4]  # masked, not dropped
        for text in shown:
            assert leaks(text) == [], text
        errlog.seek(0)
        logged = errlog.read()
        assert "DEBUG" in logged and leaks(logged) == []

        stored = b"".join(p.read_bytes() for p in ledger.parent.iterdir() if p.name.startswith("ledger"))
        assert leaks(stored.decode("utf-8", errors="replace")) == []
        for path in ledger.parent.iterdir():  # the ledger and its -wal/-shm: the owner only
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path, oct(path.stat().st_mode))

        api.replies.append(echoing_replies()[0])  # the CLI prints what it got
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "linkup_mcp",
                "call",
                "profiles_get",
                "--args",
                json.dumps({"profile_url": PROFILE}),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("LINKUP_")}, **env},
            timeout=60,
        )
        assert cli.returncode == 0, cli.stderr
        assert "***" in cli.stdout and leaks(cli.stdout) == [] and leaks(cli.stderr) == []


def test_a_client_key_is_masked_in_logs_in_every_form(capsys: pytest.CaptureFixture[str]) -> None:
    """Per-request keys (HTTP) are added to the log's redactor when first seen: raw,
    percent-encoded (upper or lower hex) and JSON-escaped, in messages and in tracebacks."""
    client_key = 'ck_"client/KEY+0123456789'
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("DEBUG", ["server-key-0123456789"])
        mask_in_logs(client_key)
        log = logging.getLogger("linkup_mcp.test")
        log.debug("GET /stream?api_key=%s", quote(client_key, safe=""))
        log.info("GET /stream?api_key=%s", quote(client_key, safe="").lower())
        log.warning("body %s", json.dumps({"key": client_key}))
        try:
            raise RuntimeError(f"upstream said {client_key}")
        except RuntimeError:
            log.exception("failed")
        log.error("server key server-key-0123456789 cut: server-key-01")
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    err = capsys.readouterr().err
    assert err.count("***") >= 6 and "Traceback" in err
    assert leaks(err, client_key) == [] and leaks(err, "server-key-0123456789") == []


def test_a_redactor_cut_never_breaks_json() -> None:
    """A fragment that ends inside an escape is masked inside the decoded string, so the result
    stays valid JSON whatever is cut."""
    from linkup_mcp.redact import Redactor

    redactor = Redactor([KEY])
    for cut in range(1, len(KEY)):
        value = {"m": KEY[:cut], "n": KEY[cut:], "both": json.dumps(KEY)[: cut + 1]}
        text = json.dumps(redactor.scrub(value))
        json.loads(text)
        assert leaks(text) == []

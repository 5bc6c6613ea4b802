"""Files as embedded resources, the accounts/credits resources, and workflow prompts, over stdio."""

from __future__ import annotations

import base64
import json

import pytest
from mcp.shared.exceptions import MCPError

from linkup_mcp.spec.envelope import text_form
from tests.e2e.conftest import ERAS, mcp_session

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("era", ERAS)
async def test_cv_comes_back_as_an_embedded_pdf_resource(era: str) -> None:
    async with mcp_session({}, "--sandbox", mode=era) as client:
        posts = await client.call_tool("recruiter_get_posts", {})
        job = next(p["job_id"] for p in posts.structured_content["data"]["posts"] if p["status"] == "OPEN")
        candidates = await client.call_tool("recruiter_get_candidates", {"job_id": job, "count": 1})
        application = candidates.structured_content["data"]["candidates"][0]["application_id"]
        result = await client.call_tool("recruiter_get_cv", {"application_id": application})
        listed = await client.list_resources()
        envelope = result.structured_content
        cv = envelope["data"]["cv"]
        again = await client.read_resource(cv["resource_uri"])

    assert cv["content"] is None and cv["content_type"] == "application/pdf"
    assert envelope["files"] == [
        {
            "uri": cv["resource_uri"],
            "mime_type": "application/pdf",
            "filename": cv["filename"],
            "size_bytes": cv["size_bytes"],
        }
    ]
    text, embedded = result.content
    assert json.loads(text.text) == text_form(envelope)
    assert embedded.type == "resource" and embedded.resource.mime_type == "application/pdf"
    pdf = base64.b64decode(embedded.resource.blob)
    assert pdf.startswith(b"%PDF-") and len(pdf) == cv["size_bytes"]
    assert cv["resource_uri"] in {str(r.uri) for r in listed.resources}
    assert base64.b64decode(again.contents[0].blob) == pdf


@pytest.mark.parametrize("era", ERAS)
async def test_accounts_and_credits_resources(era: str) -> None:
    async with mcp_session({}, "--sandbox", mode=era) as client:
        await client.call_tool("profiles_get_me", {})
        listed = await client.list_resources()
        credits = await client.read_resource("linkup://credits")
        accounts = await client.read_resource("linkup://accounts")
        with pytest.raises(MCPError, match="Unknown resource"):
            await client.read_resource("linkup://nothing")
    uris = {str(r.uri): r for r in listed.resources}
    assert {"linkup://accounts", "linkup://credits"} <= set(uris)
    status = json.loads(credits.contents[0].text)
    assert status["credits_remaining"] == 999 and status["this_server"]["session_spent"] == 1
    ids = [a["account_id"] for a in json.loads(accounts.contents[0].text)["accounts"]]
    assert ids == ["acc_sandbox", "acc_inactive"]


@pytest.mark.parametrize("era", ERAS)
async def test_workflow_prompts(era: str) -> None:
    async with mcp_session({}, "--sandbox", mode=era) as client:
        prompts = await client.list_prompts()
        lead_list = await client.get_prompt(
            "build_lead_list", {"criteria": "CTOs of fintech startups in Paris", "max_credits": "30"}
        )
        with pytest.raises(MCPError, match="needs: profile_url"):
            await client.get_prompt("research_prospect", {})
    assert [p.name for p in prompts.prompts] == [
        "research_prospect",
        "build_lead_list",
        "follow_up_accepted_invitations",
    ]
    text = lead_list.messages[0].content.text
    assert "CTOs of fintech startups in Paris" in text and "Total budget: 30 credits" in text
    assert "credits_estimate" in text and "profiles_search_people" in text

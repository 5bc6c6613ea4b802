"""One successful call of every API tool against a fresh sandbox, in an order where each call
finds what it needs (an invitation to accept, a job to publish, a webhook to poll).

Used to check every sandbox answer against the action's documented response
(tests/test_documented_responses.py) and by `linkup-mcp verify`'s tests. `call(tool, args)`
returns the result envelope; each step may read earlier answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]

FRIEND = "https://www.linkedin.com/in/victor-johnson"  # a 1st-degree connection of the seed-42 world
STRANGER = "https://www.linkedin.com/in/louis-costa"
POST = "https://www.linkedin.com/feed/update/urn:li:activity:7380216615042351066/"
MY_COMPANY = "https://www.linkedin.com/company/sandbox-labs/"
OTHER_COMPANY = "https://www.linkedin.com/company/zenith-insurance/"
KNOWN_EMAIL = "victorj@pixelhomes.de"
PDF = "JVBERi0xLjQK"  # "%PDF-1.4\n", base64


async def every_tool(call: Call) -> dict[str, list[dict[str, Any]]]:
    """tool -> the envelopes of its calls (every one ok, or AssertionError naming it)."""
    out: dict[str, list[dict[str, Any]]] = {}

    async def ok(tool: str, args: dict[str, Any]) -> Any:
        envelope = await call(tool, args)
        assert envelope["ok"], (tool, args, envelope["error"])
        out.setdefault(tool, []).append(envelope)
        return envelope["data"]

    await ok("accounts_list", {})
    await ok("accounts_get", {})
    await ok("credits_get", {})
    me = await ok("profiles_get_me", {})
    await ok("profiles_get", {"profile_url": STRANGER})
    await ok("profiles_get_contact", {"profile_url": FRIEND})
    await ok("profiles_visit", {"profile_url": STRANGER})
    found = await ok("profiles_search_people", {"keyword": "engineer", "fetch_invitation_state": True})
    await ok("profiles_search_people", {"start_page": 1, "end_page": 1, "total_results": 3})
    await ok("profiles_search_companies", {"total_results": 5})
    await ok("profiles_get_company", {"company_url": OTHER_COMPANY})
    await ok("profiles_get_viewers", {"count": 5})
    await ok("profiles_get_reactions", {"profile_url": FRIEND, "count": 5})

    await ok("messages_send", {"profile_url": FRIEND, "message_text": "Hello from the sample calls"})
    await ok(
        "messages_send", {"profile_url": FRIEND, "message_text": "With a file", "media_link": "https://x.test/a.pdf"}
    )
    inbox = await ok("messages_list_inbox", {"count": 3})
    await ok("messages_get_conversation", {"conversation_id": inbox["conversations"][0]["conversation_id"]})
    await ok("messages_get_conversation", {"profile_url": FRIEND, "count": 2})

    lead = next(p for p in found["results"] if p["invitation_state"] == "CAN_INVITE")
    await ok("network_invite", {"profile_url": lead["linkedin_url"], "message": "Hello!"})
    await ok("network_check_invitation", {"profile_url": lead["linkedin_url"]})
    sent = await ok("network_list_sent", {"count": 5})
    await ok("network_withdraw", {"invitation_id": sent["invitations"][0]["entity_urn"]})
    received = await ok("network_list_invitations", {"count": 5})
    first = received["invitations"][0]
    await ok("network_accept", {"shared_secret": first["shared_secret"], "entity_urn": first["entity_urn"]})
    await ok("network_list_connections", {"count": 5})
    await ok("network_recommendations", {"count": 5})

    post = await ok("content_create", {"message": "Sample post"})
    await ok("content_create_company", {"company_url": MY_COMPANY, "message": "Company news"})
    await ok("content_search", {"keyword": "data", "total_results": 5})
    await ok("content_search", {"profile_url": me["profile_url"], "start_page": 1, "end_page": 1})
    await ok("content_get_feed", {"total_results": 5})
    await ok("content_like", {"post_url": POST})
    await ok("content_react", {"post_url": POST, "reaction_type": "PRAISE"})
    await ok("content_comment", {"post_url": POST, "comment_text": "Great point."})
    comments = await ok("content_get_comments", {"post_url": POST, "total_results": 5})
    c = comments["comments"][0]
    await ok(
        "content_answer_comment",
        {
            "tracking_id": c["tracking_id"],
            "profile_urn": c["profile_urn"],
            "comment_urn": c["comment_urn"],
            "comment_text": "Thanks!",
            "mention_user": True,
        },
    )
    await ok("content_repost", {"post_url": post["post_url"]})
    await ok("content_get_reactions", {"post_url": POST, "total_results": 5})
    await ok("content_time_spent", {"post_url": POST, "duration": 5000})

    jobs = await ok("recruiter_get_posts", {"total_results": 10, "fetch_details": True})
    by_status = {p["status"]: p["job_id"] for p in jobs["posts"]}
    candidates = await ok("recruiter_get_candidates", {"job_id": by_status["OPEN"], "count": 3})
    await ok("recruiter_get_cv", {"application_id": candidates["candidates"][0]["application_id"]})
    await ok("recruiter_publish_job", {"job_id": by_status["DRAFT"]})
    await ok("recruiter_close_job", {"job_id": by_status["OPEN"]})

    await ok("mail_find_email", {"profile_url": FRIEND})
    await ok("mail_find_email", {"first_name": "Nobody", "last_name": "Here", "company_domain": "nowhere.test"})
    await ok("mail_reverse_email", {"email": KNOWN_EMAIL})
    await ok("mail_reverse_email", {"email": "nobody@nowhere.test"})
    await ok("mail_validate_email", {"email": KNOWN_EMAIL})
    await ok("mail_validate_email", {"email": "not-an-email@@x"})

    await ok("auth_login", {"platform": "linkedin", "login_token": "sandbox-login-connect", "country": "FR"})
    waiting = await ok(
        "auth_login", {"platform": "linkedin", "email": "sam@sandbox.linkup.test", "password": "sandbox"}
    )
    await ok("auth_checkpoint", {"account_id": waiting["account_id"], "code": "123456"})

    hosted = await ok("webhooks_create", {"events": ["all"]})
    custom = await ok("webhooks_create", {"url": "https://127.0.0.1:9/hook", "enable_signature": True})
    await ok("webhooks_list", {})
    await ok("webhooks_update", {"webhook_id": hosted["webhook_id"], "events": ["message_received"]})
    await ok("webhooks_stop", {"webhook_id": hosted["webhook_id"]})
    await ok("webhooks_start", {"webhook_id": hosted["webhook_id"]})
    await ok("webhooks_events", {"webhook_id": hosted["webhook_id"]})
    await ok("webhooks_rotate_secret", {"webhook_id": custom["webhook_id"]})
    await ok("webhooks_remove_secret", {"webhook_id": custom["webhook_id"]})
    await ok("webhooks_delete", {"webhook_id": custom["webhook_id"]})
    return out

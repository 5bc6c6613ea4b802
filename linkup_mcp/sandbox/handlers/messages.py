"""messages: send, list_inbox, get_conversation.

send reaches 1st-degree connections only, as LinkedIn's messaging does without InMail: anyone
else is a definite CHANNEL_ERROR (400) that says "not a 1st-degree connection".
"""

from __future__ import annotations

from typing import Any

from linkup_mcp.sandbox.data import ME_ID, Conversation, Message, World
from linkup_mcp.sandbox.errors import ApiError, channel_error
from linkup_mcp.sandbox.handlers.common import (
    ActionDef,
    Ctx,
    Outcome,
    check_http_url,
    cursor_page,
    decode_media,
    iso,
    require_person,
)
from linkup_mcp.sandbox.params import P, ParamSpec

# list_inbox `category`: the docs list no values; the sandbox's folders are INBOX (also
# PRIMARY_INBOX), UNREAD, ARCHIVE, SPAM, MESSAGE_REQUESTS, OTHER; any other lists nothing.
MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".mp4", ".pdf")


def _sender(world: World, pid: int) -> dict[str, Any]:
    p = world.person(pid)
    return {
        "name": p.full_name,
        "headline": p.headline,
        "profile_url": p.profile_url,
        "profile_picture": p.picture,
        "is_me": pid == ME_ID,
    }


def conversation_with(world: World, pid: int) -> Conversation | None:
    for conv in world.conversations.values():
        if conv.person_id == pid:
            return conv
    return None


def send(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    person = require_person(world, params["profile_url"])
    if person.id == ME_ID:
        raise ApiError("INVALID_PARAMS", "Invalid parameter: profile_url is the connected account itself")
    if person.id not in world.connections:
        raise channel_error(f"cannot message {person.full_name}: not a 1st-degree connection", definite=True)
    media: dict[str, Any] | None = None
    if "media_link" in params:  # priority: media_link > media_file > media_path
        link = params["media_link"]
        check_http_url(link, "media_link")
        if not link.lower().split("?")[0].endswith(MEDIA_EXTENSIONS):
            raise ApiError(
                "INVALID_PARAMS",
                f"Invalid parameter: media_link must point to a {'/'.join(MEDIA_EXTENSIONS)} file",
            )
        media = {"type": "link", "url": link}
    elif "media_file" in params:
        raw = decode_media(params["media_file"]["data"], "media_file.data")
        media = {"type": "file", "filename": params["media_file"]["filename"], "size": len(raw)}
    elif "media_path" in params:
        media = {"type": "path", "path": params["media_path"]}
    credits = 2 if media else 1

    def effect() -> dict[str, Any]:
        conv = conversation_with(world, person.id)
        if conv is None:
            conv_id = "2-" + ctx.token(40)
            conv = Conversation(id=conv_id, person_id=person.id, messages=[], unread=0)
            world.conversations[conv_id] = conv
        now = ctx.now()
        msg = Message(
            urn=f"urn:li:msg_message:(urn:li:fsd_profile:{world.me.urn_id},{conv.id}-{len(conv.messages)})",
            text=params["message_text"],
            timestamp=now,
            sender_id=ME_ID,
            media=media,
        )
        conv.messages.append(msg)
        conv.unread = 0
        conv.last_seen_at = now
        if conv.category == "ARCHIVE":
            conv.category = "INBOX"
        return {"entityUrn": msg.urn, "conversation_id": conv.id, "deliveredAt": iso(now)}

    return Outcome(credits=credits, effect=effect)


def _in_category(conv: Conversation, category: str | None) -> bool:
    if category in (None, "INBOX", "PRIMARY_INBOX"):
        return conv.category == "INBOX"
    if category == "UNREAD":
        return conv.unread > 0
    return conv.category == category


def list_inbox(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    convs = sorted(
        (c for c in world.conversations.values() if c.messages and _in_category(c, params.get("category"))),
        key=lambda c: (-c.last_time, c.id),
    )
    page, next_cursor = cursor_page(convs, "inbox", params)
    items = []
    for conv in page:
        p = world.people[conv.person_id]
        last = conv.messages[-1]
        items.append(
            {
                "conversation_id": conv.id,
                "participant": {
                    "name": p.full_name,
                    "headline": p.headline,
                    "profile_url": p.profile_url,
                    "profile_picture": p.picture,
                },
                "last_message": {"text": last.text, "time": last.timestamp, "sender": _sender(world, last.sender_id)},
                "unread": conv.unread,
                "type": "normal",
            }
        )
    data = {"conversations": items, "total_results": len(items), "next_cursor": next_cursor}
    return Outcome(data, results=len(items))


def get_conversation(ctx: Ctx, params: dict[str, Any]) -> Outcome:
    world = ctx.world
    conv: Conversation | None
    if "conversation_id" in params:
        conv = world.conversations.get(params["conversation_id"])
        if conv is None:
            raise ApiError(
                "INVALID_PARAMS",
                f"Conversation not found: {params['conversation_id']} (list conversations with messages_list_inbox)",
            )
    else:
        person = require_person(world, params["profile_url"])
        conv = conversation_with(world, person.id)
    newest_first = list(reversed(conv.messages)) if conv else []
    # cursor = timestamp of the oldest message returned: the next page holds older messages
    cursor = params.get("cursor")
    if cursor:
        if not cursor.isdigit():
            raise ApiError("INVALID_PARAMS", "Invalid parameter: cursor is not a cursor returned by this action")
        newest_first = [m for m in newest_first if m.timestamp < int(cursor)]
    count = params.get("count", 10)
    page = newest_first[:count]
    more = len(newest_first) > count
    messages = []
    for m in page:
        sender = world.person(m.sender_id)
        messages.append(
            {
                "text": m.text,
                "timestamp": m.timestamp,
                "sender": sender.full_name,
                "sender_info": {
                    "first_name": sender.first_name,
                    "last_name": sender.last_name,
                    "profile_url": sender.profile_url,
                },
                "message_type": m.message_type,
                "entity_urn": m.urn,
            }
        )
    data = {
        "total_message_count": len(conv.messages) if conv else 0,
        "unread_count": conv.unread if conv else 0,
        "last_seen_message": bool(conv and conv.unread == 0),
        "last_seen_at": conv.last_seen_at if conv else None,
        "messages": messages,
        "next_cursor": str(page[-1].timestamp) if more and page else None,
    }
    return Outcome(data, results=len(messages))


ACTIONS = [
    ActionDef(
        "send",
        ParamSpec(
            {
                "profile_url": P("string", required=True, min_length=1),
                "message_text": P("string", required=True, min_length=1, max_length=8000),
                "media_link": P("string", min_length=1),
                "media_file": P("object", keys=("data", "filename")),
                "media_path": P("string", min_length=1),
            },
            aliases={"linkedin_url": "profile_url"},
        ),
        send,
    ),
    ActionDef(
        "list_inbox",
        ParamSpec(
            {
                "count": P("integer", minimum=1, maximum=100),
                "category": P("string"),
                "cursor": P("string"),
            }
        ),
        list_inbox,
        per=10,
    ),
    ActionDef(
        "get_conversation",
        ParamSpec(
            {
                "conversation_id": P("string", min_length=1),
                "profile_url": P("string", min_length=1),
                "count": P("integer", minimum=1, maximum=100),
                "cursor": P("string"),
            },
            one_of=(("conversation_id", "profile_url"),),
            aliases={"linkedin_url": "profile_url"},
        ),
        get_conversation,
        per=10,
    ),
]

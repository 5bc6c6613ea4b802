"""The pieces an action spec is made of (spec/models.py assembles them into `ActionSpec`): its
side-effect class, credit rule, pagination, route, outreach intent, files, and the relations an
answer shows. Typed, strict (unknown keys are mistakes), frozen."""

from __future__ import annotations

import re
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SNAKE = r"^[a-z][a-z0-9_]*$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@~-]*$"  # ids that may go into a URL path (account_id)
DOCS_URL = r"^https://docs\.linkupapi\.com/[^\s]*$"  # where `source` may point


class SideEffect(str, Enum):
    """What a call does to the world; decides annotations, retries and guards."""

    read = "read"  # no change anywhere; safe to retry
    write = "write"  # changes state but is not aimed at a person (e.g. view-time signal, accept)
    outreach = "outreach"  # seen by another person: message, invitation, post, comment, reaction
    destructive = "destructive"  # removes or closes something: withdraw, close, delete


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerResults(_Strict):
    """`credits` per `every` results; the result count comes from `param` (or `default`)."""

    credits: int = Field(1, ge=1)
    every: int = Field(..., ge=1)
    param: str = Field(..., pattern=SNAKE, description="parameter holding the requested number of results")
    default: int = Field(..., ge=1, description="results the API returns when the parameter is omitted")


class Surcharge(_Strict):
    """Extra credits when any of the listed parameters is present (e.g. +1 with media)."""

    credits: int = Field(..., ge=1)
    if_any: list[str] = Field(..., min_length=1)


class CreditRule(_Strict):
    """How many credits a call costs. Estimates are upper bounds; the API's figure is final."""

    base: int = Field(1, ge=0, description="credits per call (0 = free); ignored when per_results is set")
    per_results: PerResults | None = None
    surcharge: Surcharge | None = None
    documented: bool = Field(True, description="false when the rule is inferred, not read in LinkupAPI docs")


class PaginationStyle(str, Enum):
    none = "none"
    offset = "offset"  # in: offset + count; out: data.pagination{next_offset, has_more}
    cursor = "cursor"  # in: cursor; out: data.next_cursor or data.pagination.next_cursor
    pages = "pages"  # in: start_page/end_page (and the `count` param); out: has_more or totals
    since = "since"  # in: since; out: nothing (an event feed): where to go on comes from the items


class Pagination(_Strict):
    style: PaginationStyle = PaginationStyle.none
    page_size: int | None = Field(None, ge=1, description="results per page (pages style) if the answer omits it")
    items: str | None = Field(None, description="key of the result list in data (auto-pagination merges it)")
    count: str | None = Field(None, pattern=SNAKE, description="pages style: the param asking for N results")


class Route(_Strict):
    """Where the call goes.

    body: `action` = V2 action envelope `{account_id, action, params}` as JSON;
          `json` = params as the JSON body; `query` = params as the query string.
    account: `required` (from the argument or LINKUP_ACCOUNT_ID), `optional` (sent only when
          the caller passes one), `none`, or `path` (fills `{account_id}` in the path).
    """

    method: Literal["GET", "POST", "PUT", "DELETE"] = "POST"
    path: str = Field(..., pattern=r"^/v2/[a-z0-9_/{}-]*$")
    body: Literal["action", "json", "query"] = "action"
    account: Literal["required", "optional", "none", "path"] = "required"

    def path_params(self) -> list[str]:
        return re.findall(r"{([a-z_]+)}", self.path)


# This account's relation to a person, as answers show it (call/relations.py): what the free
# pre-send checks know. `invited`: an invitation from this account is pending; `invited_you`: theirs.
RelationState = Literal["connected", "invited", "invited_you", "none"]


class Outreach(_Strict):
    """What one outreach call intends, for the duplicate guard, and its pacing group."""

    kind: Literal["invitation", "message", "engagement"] | None = Field(
        None, description="daily pacing cap group; null = not paced"
    )
    target: list[str] = Field(..., description="params naming who or what is addressed ([] for a post)")
    text: list[str] = Field(default_factory=list, description="params holding what is said")
    duplicate: Literal["text", "person"] = Field(
        "text",
        description="what a duplicate is: `text` = the same text (whitespace and case aside) to the same target "
        "by the same tool within 24 h; `person` = any call of this kind to the same person within 90 days, "
        "whatever the text (one pending invitation per person)",
    )
    refuse_when: list[RelationState] = Field(
        default_factory=list, description="known relations to the target that answer this call for free"
    )
    sets: RelationState | None = Field(None, description="the relation a success creates (invite: invited)")
    invitation: str | None = Field(
        None, description="dotted path, in a success's data, of the invitation it created (a withdrawal names it)"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> Outreach:
        if not self.target and not self.text:
            raise ValueError("outreach needs at least one target or text param to tell calls apart")
        return self


class BinaryField(_Strict):
    """A base64 file inside the response data, served to the client as an MCP resource."""

    at: str = Field(..., description="dotted path of the object holding the file in `data`, e.g. cv")
    content: str = Field("content", description="key of the base64 content")
    mime_type: str = Field("content_type", description="key of the MIME type")
    filename: str = Field("filename", description="key of the file name")


class LocalFile(_Strict):
    """A control argument naming a local file, read (inside LINKUP_UPLOAD_DIR) into a param."""

    arg: str = Field(..., pattern=SNAKE, description="the control argument holding the local path")
    into: str = Field(..., pattern=SNAKE, description="the param that receives {data, filename}")
    extensions: list[str] = Field(default_factory=list, description="allowed suffixes, e.g. .pdf; [] = any")
    description: str = Field(..., min_length=10, description="the argument's description for the agent")


class Relation(_Strict):
    """Where an answer shows this account's relation to people (search results, a connection list,
    an invitation check): learnt for the free pre-send checks (call/relations.py)."""

    items: str | None = Field(None, description="dotted path of the list in data; null: data is one item")
    person: str = Field(..., description="dotted path, in an item, of the person's profile URL; or param:NAME")
    state: str | None = Field(None, description="dotted path, in an item, of the value `states` maps")
    states: dict[str, RelationState] = Field(
        ..., min_length=1, description="value -> relation; `*` = any other non-null value (or always, without state)"
    )
    invitation: str | None = Field(
        None, description="dotted path, in an item, of the pending invitation's id (a withdrawal names it)"
    )


class InvitationEnd(_Strict):
    """An action that ends an invitation named by a param (withdraw, accept): the person an earlier
    answer tied to that invitation is then known `becomes` (none, connected), free."""

    param: str = Field(..., pattern=SNAKE, description="the param naming the invitation (id or entity URN)")
    becomes: RelationState

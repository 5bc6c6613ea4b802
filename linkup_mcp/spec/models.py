"""Tool spec models: the typed form of `tool_specs/*.yaml`.

A spec file holds one category: its toolset (on by default or opt-in, and a one-line
description), its default HTTP route and a list of actions. Each action says what the agent
sees (title, description, params as JSON Schema), what it costs (credit rule), what it does to
the world (side-effect class), how it pages, where it goes on the wire, the documentation page
it follows (`source`) and the answer that page shows (`response`, see response.py), and the
tool-specific behaviour the call pipeline reads instead of naming tools in Python (`subject`,
`relations`, `adds_server_spend`). The runtime never reads YAML: it reads these models (or
the compiled catalog).

Fidelity rule — refuse only what the API refuses: `params` enforces what LinkupAPI's
documentation states (types, required, documented value lists and limits) and nothing else.
Where the docs give examples rather than a closed list, the description names them and the
schema lets other values through; a limit no page states (a LinkedIn UI limit, a guess) is not
a `maximum`. `minLength: 1` is kept on ids and required values (empty is the same as missing).

`spec_format_schema()` is the JSON Schema of the spec format (for editors and the tests'
meta-schema check); `loader.load_specs()` reads the files into these models.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from linkup_mcp.redact import MASK
from linkup_mcp.spec.parts import (  # noqa: F401  (re-exported: the spec's vocabulary)
    DOCS_URL,
    ID_PATTERN,
    SNAKE,
    BinaryField,
    CreditRule,
    InvitationEnd,
    LocalFile,
    Outreach,
    Pagination,
    PaginationStyle,
    PerResults,
    Relation,
    RelationState,
    Route,
    SideEffect,
    Surcharge,
    _Strict,
)
from linkup_mcp.spec.response import ResponseSpec


class ActionSpec(_Strict):
    name: str = Field(..., pattern=SNAKE, description="action name; the tool is {category}_{name}")
    wire_action: str | None = Field(None, pattern=SNAKE, description="action sent on the wire (default: name)")
    title: str = Field(..., min_length=3)
    description: str = Field(..., min_length=40, description="what, when, what comes back (no cost line)")
    side_effect: SideEffect
    idempotent: bool | None = Field(None, description="default: true for reads, false otherwise")
    credits: CreditRule = CreditRule()
    pagination: Pagination = Pagination()
    route: Route | None = Field(None, description="overrides the file's route")
    outreach: Outreach | None = Field(None, description="required for side_effect outreach")
    verify_with: str | None = Field(
        None, description="how to check whether an unconfirmed call happened (named in OUTCOME_UNKNOWN)"
    )
    source: str = Field(..., pattern=DOCS_URL, description="the docs.linkupapi.com page this action follows")
    response: ResponseSpec = Field(..., description="the data of a success, as that page shows it (response.py)")
    params: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the params. Refuse only what the API refuses: types, required, and the value "
        "lists and limits the docs state; where they give examples, say them in the description and let other "
        "values through",
    )
    cache_ttl: int | None = Field(
        None, ge=1, description="read lookups: seconds a result may be answered again from the cache, free"
    )
    invalidates: list[str] = Field(
        default_factory=list, description="tools whose cached results about this call's subject it changes"
    )
    subject: list[str] = Field(
        default_factory=list, description="params naming whom the call is about (cache and invalidation), best first"
    )
    relations: list[Relation] = Field(
        default_factory=list, description="where a success shows this account's relation to people (learnt)"
    )
    ends_invitation: InvitationEnd | None = Field(
        None, description="a success ends the invitation a param names: its person's relation changes (learnt)"
    )
    adds_server_spend: bool = Field(
        False, description="the result's data gains `this_server`: this process's spend and budgets (balance tool)"
    )
    binary: list[BinaryField] = Field(default_factory=list, description="base64 files in the response data")
    local_file: LocalFile | None = Field(None, description="an argument taking a local file for a param")
    misnames: dict[str, str] = Field(
        default_factory=dict,
        description="argument names agents try that are not params -> the advice a refusal gives (one sentence)",
    )

    @model_validator(mode="after")
    def _check_misnames(self) -> ActionSpec:
        """A misname is a name the schema refuses: a real param, or advice that says nothing, is a mistake."""
        real = [k for k in self.misnames if k in self.params.get("properties", {})]
        if real:
            raise ValueError(f"misnames {real} are params")
        if any(len(advice.strip()) < 10 for advice in self.misnames.values()):
            raise ValueError("misnames need a sentence of advice each")
        return self

    widen: dict[str, str] = Field(
        default_factory=dict,
        description="a search's filters: param -> one sentence on how to widen it, said in the envelope's `empty` "
        "when a search with it finds nothing (call/empty_result.py); paging params are not filters",
    )

    @model_validator(mode="after")
    def _check_widen(self) -> ActionSpec:
        if not self.widen:
            return self
        if self.side_effect is not SideEffect.read or not self.pagination.items:
            raise ValueError("widen is for searches: read actions with pagination.items")
        props = self.params.get("properties", {})
        unknown = [p for p in self.widen if p not in props]
        if unknown:
            raise ValueError(f"widen names unknown params {unknown}")
        paging = [p for p in self.widen if p in {"start_page", "end_page", "offset", "cursor", "since"}]
        paging += [p for p in self.widen if p == self.pagination.count]
        if paging:
            raise ValueError(f"widen names paging params {paging}, not filters")
        blank = [p for p, advice in self.widen.items() if len(advice.strip()) < 10]
        if blank:
            raise ValueError(f"widen needs a sentence of advice for {blank}")
        return self

    @property
    def result_list(self) -> str | None:
        """The key of the list in `data` whose length sets a per-result charge."""
        data = self.response.data
        if self.pagination.items:
            return self.pagination.items
        arrays = [k for k, v in data.items() if isinstance(v, list)] if isinstance(data, dict) else []
        return arrays[0] if len(arrays) == 1 else None

    @cached_property
    def secret_params(self) -> frozenset[str]:
        """Params marked `writeOnly` (JSON Schema's mark for a password field): credentials that
        go to the API and nowhere else — not the ledger, the logs or an error message."""
        props: dict[str, Any] = self.params.get("properties", {})
        return frozenset(name for name, sub in props.items() if sub.get("writeOnly"))

    def masked(self, args: dict[str, Any]) -> dict[str, Any]:
        """`args` with the secret params' values masked: what the ledger digests, a prompt shows."""
        secret = self.secret_params
        return {k: MASK if k in secret else v for k, v in args.items()} if secret else args

    @model_validator(mode="after")
    def _check_params(self) -> ActionSpec:
        params = self.params
        if params.get("type") != "object":
            raise ValueError("params must be a JSON Schema with type: object")
        props: dict[str, Any] = params.get("properties", {})
        for key, sub in props.items():
            if not re.match(SNAKE, key):
                raise ValueError(f"param name {key!r} must be lower snake case")
            if not isinstance(sub, dict) or not sub.get("description"):
                raise ValueError(f"param {key!r} needs a description")
        stray = _stray_keywords(props)
        if stray:
            raise ValueError(f"not JSON Schema keywords (an unquoted comma in a description?): {stray}")
        for key in params.get("required", []):
            if key not in props:
                raise ValueError(f"required param {key!r} is not in properties")
        rule = self.credits
        if rule.per_results and rule.per_results.param not in props:
            raise ValueError(f"credits.per_results.param {rule.per_results.param!r} is not a param")
        if rule.surcharge:
            missing = [p for p in rule.surcharge.if_any if p not in props]
            if missing:
                raise ValueError(f"credits.surcharge.if_any names unknown params {missing}")
        if (self.outreach is not None) is not (self.side_effect is SideEffect.outreach):
            raise ValueError("side_effect outreach and an outreach block go together")
        if self.outreach:
            unknown = [p for p in self.outreach.target + self.outreach.text if p not in props]
            if unknown:
                raise ValueError(f"outreach names unknown params {unknown}")
        if self.cache_ttl is not None and self.side_effect is not SideEffect.read:
            raise ValueError("cache_ttl is only for read actions")
        unknown = [p for p in self.subject if p not in props]
        if unknown:
            raise ValueError(f"subject names unknown params {unknown}")
        if self.subject and self.cache_ttl is None and not self.invalidates:
            raise ValueError("subject is for cached reads (cache_ttl) and actions that invalidate")
        if self.outreach and (self.outreach.refuse_when or self.outreach.sets) and not self.outreach.target:
            raise ValueError("outreach.refuse_when and outreach.sets need a target (whose relation)")
        if self.ends_invitation and self.ends_invitation.param not in props:
            raise ValueError(f"ends_invitation.param {self.ends_invitation.param!r} is not a param")
        for relation in self.relations:
            if self.side_effect is not SideEffect.read:
                raise ValueError("relations are learnt from reads")
            param = relation.person.removeprefix("param:")
            if relation.person.startswith("param:") and param not in props:
                raise ValueError(f"relations person {relation.person!r} is not a param")
        if self.adds_server_spend and self.side_effect is not SideEffect.read:
            raise ValueError("adds_server_spend is for read actions")
        if self.local_file and self.local_file.into not in props:
            raise ValueError(f"local_file.into {self.local_file.into!r} is not a param")
        style = self.pagination.style
        needed = {"offset": ["offset"], "cursor": ["cursor"], "pages": ["start_page", "end_page"], "since": ["since"]}
        for p in needed.get(style.value, []):
            if p not in props:
                raise ValueError(f"pagination style {style.value} needs a {p!r} param")
        if style is not PaginationStyle.none and not self.pagination.items:
            raise ValueError("a paginated action needs pagination.items, the key of its result list")
        items, data = self.pagination.items, self.response.data
        if items and not (isinstance(data, dict) and isinstance(data.get(items, data.get(f"{items}?")), list)):
            raise ValueError(f"pagination.items {items!r} is not an array field of response.data")
        if rule.per_results and self.result_list is None:
            raise ValueError(
                "credits.per_results needs its result list: pagination.items or one array in response.data"
            )
        if style is PaginationStyle.pages and not self.pagination.page_size:
            raise ValueError("pagination style pages needs page_size")
        count = self.pagination.count
        if style is PaginationStyle.pages and rule.per_results and count is None:
            raise ValueError("pagination style pages with credits.per_results needs pagination.count (the same param)")
        if count is not None:
            if style is not PaginationStyle.pages:
                raise ValueError("pagination.count is for pagination style pages")
            if count not in props:
                raise ValueError(f"pagination.count {count!r} is not a param")
            if rule.per_results and rule.per_results.param != count:
                raise ValueError(
                    f"pagination.count {count!r} and credits.per_results.param {rule.per_results.param!r} differ"
                )
        return self


# The JSON Schema keywords a param schema may use (anything else is a typo or a YAML accident).
SCHEMA_KEYWORDS = frozenset(
    {
        *("type", "description", "minLength", "maxLength", "minimum", "maximum", "default", "enum", "items"),
        *("properties", "required", "additionalProperties", "anyOf", "minItems", "maxItems", "pattern"),
        *("format", "writeOnly"),
    }
)


def _stray_keywords(props: dict[str, Any], where: str = "") -> list[str]:
    """Keys of property schemas that JSON Schema does not know: in YAML flow style, a comma in
    an unquoted description silently starts a new key and cuts the description short."""
    found = []
    for name, sub in props.items():
        if not isinstance(sub, dict):
            continue
        found += [f"{where}{name}: {key!r}" for key in sub if key not in SCHEMA_KEYWORDS]
        found += _stray_keywords(sub.get("properties", {}), f"{where}{name}.")
        items = sub.get("items")
        if isinstance(items, dict):
            found += _stray_keywords(items.get("properties", {}), f"{where}{name}[].")
    return found


class Toolset(_Strict):
    """The exposure group of a spec file's actions: LINKUP_TOOLSETS names it by the category."""

    default: bool = Field(..., description="listed when LINKUP_TOOLSETS is not set; false = opt-in")
    description: str = Field(
        ..., min_length=10, max_length=200, pattern=r"^[^\n]*$", description="one line: what the toolset is for"
    )


class CategorySpec(_Strict):
    category: str = Field(..., pattern=SNAKE, description="tools are {category}_{action}; also the toolset name")
    toolset: Toolset
    route: Route | None = None
    actions: list[ActionSpec] = Field(..., min_length=1)

    @model_validator(mode="after")
    def _check_routes(self) -> CategorySpec:
        names = [a.name for a in self.actions]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate action names {dupes}")
        for action in self.actions:
            route = action.route or self.route
            if route is None:
                raise ValueError(f"action {action.name!r} has no route and the file has no default route")
            props = action.params.get("properties", {})
            for p in route.path_params():
                if p != "account_id" and p not in props:
                    raise ValueError(f"action {action.name!r}: path parameter {{{p}}} is not a param")
        return self

    def resolved(self) -> list[ResolvedAction]:
        """The file's actions with its defaults (route, toolset) applied."""
        out = []
        for action in self.actions:
            route = action.route or self.route
            assert route is not None  # checked above
            out.append(
                ResolvedAction(
                    tool=f"{self.category}_{action.name}",
                    category=self.category,
                    toolset=self.category,
                    toolset_info=self.toolset,
                    spec=action,
                    route=route,
                )
            )
        return out


class ResolvedAction(BaseModel):
    """One action with its file's defaults applied: everything the runtime needs."""

    model_config = ConfigDict(frozen=True)

    tool: str
    category: str
    toolset: str
    toolset_info: Toolset
    spec: ActionSpec
    route: Route

    @property
    def wire_action(self) -> str:
        return self.spec.wire_action or self.spec.name

    @property
    def read_only(self) -> bool:
        return self.spec.side_effect is SideEffect.read


def spec_format_schema() -> dict[str, Any]:
    """JSON Schema of a spec file (written to tool_specs/spec.schema.json)."""
    return CategorySpec.model_json_schema()

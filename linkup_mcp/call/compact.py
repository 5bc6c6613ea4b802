"""Compact mode (LINKUP_TOOL_MODE=compact): what its search and describe meta-tools answer
(their definitions are in spec/local_tools.py).

An agent searches the actions — each with its parameters, cost and the meta-tool that runs it,
so a simple call needs no describe — then runs it: reads with linkup_read_action, what sends or
changes something with linkup_run_action. The run goes through the same pipeline as a direct tool
call: same validation, budgets, duplicate suppression, pacing, confirmation and envelope. Only
the listing changes: a few hundred tokens on every turn instead of the whole catalog.
"""

from __future__ import annotations

import math
import re
from typing import Any

from linkup_mcp.spec.catalog import Catalog, CompiledTool, alternatives_line
from linkup_mcp.spec.credits import rule_text
from linkup_mcp.spec.local_tools import READ, RUN
from linkup_mcp.spec.models import SideEffect

# Left out of a search result's `params`: the acting account (the server instructions say it once)
# and what only `next` sets.
_UNLISTED = ("account_id", "skip", "seen")


# A period after these ends no sentence ("reachability (e.g. risky)").
_ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "cf", "approx", "incl"})


def purpose(tool: CompiledTool) -> str:
    """The first sentence of the description: what the action does. A period inside brackets or
    after an abbreviation (e.g., i.e., etc.) does not end it."""
    text = " ".join(tool.action.spec.description.split())
    depth = 0
    for i, char in enumerate(text):
        depth += (char in "([{") - (char in ")]}")
        if char not in ".!?" or depth > 0 or (i + 1 < len(text) and text[i + 1] != " "):
            continue
        word = text[:i].rsplit(" ", 1)[-1].lstrip("([{\"'").lower()
        if char == "." and (word in _ABBREVIATIONS or len(word) == 1):  # an initial: "J. Doe"
            continue
        return text[: i + 1]
    return text


def runner(tool: CompiledTool) -> str:
    """The meta-tool that runs this action: reads with the read-only one."""
    return READ if tool.action.spec.side_effect is SideEffect.read else RUN


def params(tool: CompiledTool) -> list[str]:
    """Parameter names, required ones marked `*` (`["profile_url*", "message"]`): enough to call an
    action with simple arguments without describing it first."""
    required = set(tool.input_schema.get("required", ()))
    names = [n for n in tool.input_schema.get("properties", {}) if n not in _UNLISTED]
    return [f"{n}*" if n in required else n for n in names]


def _summary(tool: CompiledTool) -> dict[str, Any]:
    spec = tool.action.spec
    out = {
        "action": tool.name,
        "title": spec.title,
        "purpose": purpose(tool),
        "params": params(tool),
        "cost": rule_text(spec.credits),
        "side_effect": spec.side_effect.value,
        "run_with": runner(tool),
    }
    if tool.alternatives:  # "give A or B": none of them is required alone
        out["give"] = alternatives_line(tool.alternatives).removeprefix("Give ").removesuffix(".")
    return out


# Query words that say nothing about which action is meant.
_STOP = frozenset({
    "a", "an", "the", "i", "we", "us", "our", "you", "your", "he", "she", "it", "its", "they", "them", "their",
    "this", "that", "these", "those", "to", "of", "for", "on", "in", "at", "by", "with", "from", "into",
    "about", "as", "and", "or", "but", "not", "no", "is", "are", "was", "were", "be", "been", "am", "do",
    "does", "did", "done", "have", "has", "had", "how", "what", "who", "whom", "whose", "which", "when",
    "where", "why", "much", "many", "can", "could", "would", "should", "will", "shall", "may", "might", "must",
    "please", "want", "wants", "need", "needs", "let", "lets", "so", "if", "then", "than", "there", "here",
    "some", "someone", "somebody", "something", "any", "anyone", "anybody", "anything", "all", "each", "every",
    "via", "up", "out", "just", "also", "using",
})  # fmt: skip
# Forms no suffix rule reaches; "my" is kept (mapped to "me"): my profile, my posts, my connections.
_IRREGULAR = {
    "spent": "spend", "sent": "send", "found": "find", "paid": "pay", "made": "make", "seen": "see",
    "saw": "see", "wrote": "write", "written": "write", "withdrawn": "withdraw", "my": "me", "mine": "me",
    "myself": "me",
}  # fmt: skip
_SUFFIXES = (
    ("ations", ""), ("ation", ""), ("ions", ""), ("ion", ""), ("ings", ""), ("ing", ""), ("ers", ""),
    ("er", ""), ("ates", ""), ("ate", ""), ("ies", "y"), ("ied", "y"), ("ed", ""), ("s", ""),
)  # fmt: skip


def stem(word: str) -> str:
    """A crude stem, the same for a word's common forms: spend/spent/spending, message/messages/
    messaging, invite/invitation, view/viewed/viewers (so both the query and the catalog agree)."""
    word = _IRREGULAR.get(word, word)
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) + len(replacement) >= 3:
            if suffix == "s" and word.endswith("ss"):
                break  # process, business
            word = word[: -len(suffix)] + replacement
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


# What people ask for in other words than the catalog's (by stem): "how much did I spend" means credits.
_CONCEPTS = {
    stem(word): frozenset(stem(t) for t in targets.split())
    for words, targets in (
        ("spend cost price pay money budget balance charge bill afford", "credit"),
        ("dm chat", "message"),
        ("mail", "email"),
        ("resume", "cv"),
        ("applicant", "candidate"),
        ("candidate", "applicant"),
        ("visitor", "viewer"),
        ("hire hiring recruit", "job"),
        ("today daily", "day"),
        ("write compose", "publish create"),
    )
    for word in words.split()
}
# Words that fit most actions ("check my balance" is about the balance): half weight, and an action
# matching only these ranks after one matching a word of substance.
_WEAK = frozenset(
    stem(w)
    for w in ("get", "list", "show", "see", "look", "check", "read", "fetch", "retrieve", "give", "tell", "know",
              "find", "me")
)  # fmt: skip
_WEIGHTS = (3.0, 2.0, 1.0)  # a match in the action's name, its title, its description
# The word itself; a word for the same thing here (chosen for this catalog); another form of the word
# (a crude stem, which may join words of different meaning: time spent, credits spent).
_EXACT, _SYNONYM, _FORM = 1.0, 0.8, 0.75


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def query_terms(query: str) -> list[str]:
    """The query's words that can tell actions apart: no stop words, none of one letter, each once;
    "how much" asks about cost."""
    words = _words(re.sub(r"\bhow\s+much\b", " cost ", query.lower()))
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in _STOP))


def _fields(tool: CompiledTool) -> list[tuple[set[str], set[str]]]:
    spec = tool.action.spec
    texts = (tool.name, spec.title, spec.description)
    return [(set(words), {stem(w) for w in words}) for words in (_words(t) for t in texts)]


def _match(term: str, words: set[str], stems: set[str]) -> float:
    """How well one field (its words and their stems) matches one query term."""
    root = stem(term)
    if term in words:
        return _EXACT
    if _CONCEPTS.get(root, frozenset()) & stems:
        return _SYNONYM
    return _FORM if root in stems else 0.0


def _rank(tools: list[CompiledTool], terms: list[str]) -> list[CompiledTool]:
    """The tools matching any term, best first: the most words of substance in their name or title
    (what the action is, not what its description mentions), then the best place each term matched
    (weighted by how rare the term is among `tools`), then all the places."""
    hits = {
        t.name: [[w * _match(term, *f) for w, f in zip(_WEIGHTS, _fields(t), strict=True)] for term in terms]
        for t in tools
    }
    weights = []
    for k, term in enumerate(terms):
        holders = sum(1 for t in tools if any(hits[t.name][k]))
        weights.append((0.5 if stem(term) in _WEAK else 1.0) * math.log(1 + len(tools) / max(1, holders)))
    scored: list[tuple[tuple[float, float, float, int], CompiledTool]] = []
    for order, tool in enumerate(tools):
        found = list(zip(terms, weights, hits[tool.name], strict=True))
        if terms and not any(any(places) for _, _, places in found):
            continue
        substance = sum(1 for term, _, places in found if any(places[:2]) and stem(term) not in _WEAK)
        best = sum(w * max(places) for _, w, places in found)
        total = sum(w * sum(places) for _, w, places in found)
        scored.append(((-substance, -best, -total, order), tool))
    return [tool for _, tool in sorted(scored, key=lambda s: s[0])]


def search(catalog: Catalog, args: dict[str, Any]) -> dict[str, Any]:
    """Actions ranked by how many of the query's words of substance they match (whole words, any
    form of them, or a word for the same thing), then by where (name, title, description) and how
    rare the word is among the actions. Substrings do not match: "i" would match every action. No
    query lists every action; a query of stop words only matches none."""
    query = str(args.get("query", "")).strip()
    terms = query_terms(query)
    category = args.get("category")
    tools = [t for t in catalog.tools.values() if not category or t.action.category == category]
    ranked = _rank(tools, terms) if terms or not query else []
    limit = int(args.get("limit", 8))
    return {"actions": [_summary(t) for t in ranked[:limit]], "total_matches": len(ranked)}


def describe(tool: CompiledTool) -> dict[str, Any]:
    spec = tool.action.spec
    return {
        **_summary(tool),
        "description": " ".join([*spec.description.split(), alternatives_line(tool.alternatives)]).strip(),
        "pagination": spec.pagination.style.value,
        "input_schema": tool.input_schema,
    }

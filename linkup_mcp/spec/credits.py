"""Credit estimates from a spec's rule, the cost line agents read, and this process's meter.

Estimates are upper bounds for what was asked (e.g. `total_results`); the API may return
fewer results and charge less. The charge we report is always the API's
`metadata.credits_consumed`, never the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from linkup_mcp.spec.models import ActionSpec, CreditRule, PaginationStyle


def _plural(n: int) -> str:
    return f"{n} credit" if n == 1 else f"{n} credits"


def rule_text(rule: CreditRule, *, brief: bool = False) -> str:
    """The rule in words, e.g. '1 credit per 10 results (total_results, default 10), rounded up';
    `brief` leaves the default out (a tool's schema shows it)."""
    per = rule.per_results
    if per:
        default = "" if brief else f", default {per.default}"
        text = f"{_plural(per.credits)} per {per.every} results ({per.param}{default}), rounded up"
    elif rule.base == 0:
        text = "free"
    else:
        text = f"{_plural(rule.base)} per call"
    if rule.surcharge:
        names = rule.surcharge.if_any
        either = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        text += f"; +{rule.surcharge.credits} with {either}"
    if not rule.documented:
        text += " (inferred)"  # not in LinkupAPI docs; the charge reported is always the API's
    return text


def cost_line(rule: CreditRule, *, brief: bool = False) -> str:
    return f"Cost: {rule_text(rule, brief=brief)}."


def requested_results(spec: ActionSpec, args: dict[str, Any]) -> int | None:
    """How many results the call asks for, per the rule's count param or the page window."""
    per = spec.credits.per_results
    if per is None:
        return None
    pag = spec.pagination
    if pag.style is PaginationStyle.pages and pag.page_size and "start_page" in args:
        start = int(args["start_page"])
        end = int(args.get("end_page", start))
        window = max(0, end - start + 1) * pag.page_size
        if per.param in args:
            return min(window, int(args[per.param]))
        return window
    return int(args.get(per.param, per.default))


def estimate(spec: ActionSpec, args: dict[str, Any]) -> int:
    rule = spec.credits
    per = rule.per_results
    if per:
        n = requested_results(spec, args) or 0
        credits = max(1, math.ceil(n / per.every)) * per.credits
    else:
        credits = rule.base
    if rule.surcharge and any(args.get(p) not in (None, "", {}) for p in rule.surcharge.if_any):
        credits += rule.surcharge.credits
    return credits


@dataclass
class Reservation:
    estimated: int


class CreditMeter:
    """Spend of this server process and its budget (LINKUP_MAX_CREDITS).

    Concurrent calls reserve their estimate before the request, so two calls cannot both
    pass the budget check with credits only one of them can have.
    """

    def __init__(self, max_credits: int | None = None):
        self.max_credits = max_credits
        self.spent = 0
        self.reserved = 0

    def remaining(self) -> int | None:
        if self.max_credits is None:
            return None
        return max(0, self.max_credits - self.spent - self.reserved)

    def reserve(self, estimated: int) -> Reservation | None:
        """A reservation, or None when the estimate does not fit what is left."""
        left = self.remaining()
        if left is not None and estimated > left:
            return None
        self.reserved += estimated
        return Reservation(estimated)

    def settle(self, reservation: Reservation, charged: int) -> None:
        self.reserved -= reservation.estimated
        self.spent += max(0, charged)


def expected_charge(spec: ActionSpec, args: dict[str, Any], data: Any) -> int | None:
    """What the rule says this answer costs: per result actually returned for list rules, the
    flat price otherwise; None when the answer does not show its results (the list is missing)."""
    rule, per = spec.credits, spec.credits.per_results
    if per is None:
        return estimate(spec, args)
    key = spec.result_list
    items = data.get(key) if isinstance(data, dict) and key else None
    if not isinstance(items, list):
        return None
    charge = max(1, math.ceil(len(items) / per.every)) * per.credits
    if rule.surcharge and any(args.get(p) not in (None, "", {}) for p in rule.surcharge.if_any):
        charge += rule.surcharge.credits
    return charge

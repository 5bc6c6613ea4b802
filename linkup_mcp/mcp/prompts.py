"""MCP prompts for the common workflows: which tools, in which order, and cost checks first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromptArg:
    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class WorkflowPrompt:
    name: str
    title: str
    description: str
    arguments: tuple[PromptArg, ...]
    template: str

    def render(self, values: dict[str, str]) -> str:
        missing = [a.name for a in self.arguments if a.required and not values.get(a.name)]
        if missing:
            raise ValueError(f"prompt {self.name} needs: {', '.join(missing)}")
        filled = {a.name: values.get(a.name) or "(not given)" for a in self.arguments}
        return self.template.format(**filled) + COMMON


COMMON = """

Rules for every step: read each tool's "Cost:" line, and before any search or list of more than 10
results call credits_estimate (or, in compact mode, the action with dry_run: true) and stay within
the budget. Check credits.session_spent in each result. Never repeat an outreach call that answered
OUTCOME_UNKNOWN or DUPLICATE_SUPPRESSED: check with the tool its message names. In compact mode, run
every tool named here as an action: reads through linkup_read_action, the rest through linkup_run_action."""

PROMPTS: dict[str, WorkflowPrompt] = {
    p.name: p
    for p in (
        WorkflowPrompt(
            "research_prospect",
            "Research a prospect",
            "Profile, company, recent activity and connection state of one person, then a short brief.",
            (PromptArg("profile_url", "LinkedIn profile URL of the prospect"),),
            """Research the LinkedIn prospect {profile_url} and write a short brief (role, company, what they
post about, how we are connected, a good opening line).
1. profiles_get for the profile; profiles_get_company for their current company.
2. profiles_get_reactions (count 10) to see what they engage with.
3. network_check_invitation for the connection state (do not invite: this is research only).
4. Optionally mail_find_email if a work email is needed.
Spend at most about 6 credits.""",
        ),
        WorkflowPrompt(
            "build_lead_list",
            "Build a lead list within a credit budget",
            "Search people by criteria, qualify them, and return a table, never exceeding a credit budget.",
            (
                PromptArg("criteria", "Who to find, e.g. 'CTOs of fintech startups in Paris'"),
                PromptArg("max_credits", "Credits this list may cost in total"),
                PromptArg("count", "How many leads (default 20)", required=False),
            ),
            """Build a lead list of {count} people matching: {criteria}. Total budget: {max_credits} credits.
1. Turn the criteria into profiles_search_people filters (title, location[], industry[], network[],
   company_url[]; arrays are OR within a filter). Estimate with credits_estimate first.
2. Search with total_results close to the number needed; page with `next` only if needed.
3. Qualify the best matches with profiles_get only while the budget allows.
4. Return a table: name, headline, company, location, profile_url, why they match. Send nothing.""",
        ),
        WorkflowPrompt(
            "follow_up_accepted_invitations",
            "Follow up on accepted invitations",
            "Find invitations accepted since the last check and send each new connection one message.",
            (
                PromptArg("message_idea", "What the follow-up should say or offer"),
                PromptArg("max_messages", "Most messages to send in this run", required=False),
            ),
            """Follow up with people who recently accepted our invitations. Message idea: {message_idea}.
Send at most {max_messages} messages.
1. network_list_sent shows invitations still pending; network_list_connections (newest first) shows
   who is connected now. A person we invited who is now a connection has accepted.
2. For each, messages_get_conversation (profile_url) first: skip anyone we already wrote to or who
   already wrote to us.
3. Write one short, personal message per person (use their headline) and send it with
   messages_send. Stop at the message limit or when PACING_LIMIT answers.
4. Report who was messaged and who was skipped, and why.""",
        ),
    )
}

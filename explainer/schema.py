"""The schema of every table in ``data/``: the one place columns are described.

``datapackage.json`` is written from it, the tables are validated against it (with
Frictionless), and the README's and the data page's dictionaries are generated from
``datapackage.json``, so a column cannot be promised in one place and missing in another.
"""

from __future__ import annotations

from .vocabulary import ROLES, STATUSES

_CLAIM_ID = {
    "name": "claim_id",
    "type": "string",
    "description": "Id of the claim in claims.csv this row comes from.",
    "constraints": {"required": True, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
}
_PRECISION = {
    "name": "precision",
    "type": "string",
    "description": "How precisely the article gives the date: day, week (approximate), month or year.",
    "constraints": {"enum": ["day", "week", "month", "year"]},
}


def _field(name: str, type_: str, description: str, **constraints) -> dict:
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


TABLES: dict[str, dict] = {
    "claims": {
        "title": "Claims ledger",
        "description": "Every figure the article states, one claim per row, with the exact quote and its "
        "character offsets in the seed article, the value read from the quote and who it is attributed to.",
        "primaryKey": ["claim_id"],
        "fields": [
            {**_CLAIM_ID, "description": "Stable id of the claim."},
            _field("measure", "string", "What the quote measures, in our words.", required=True),
            _field(
                "kind", "string", "count (a number) or date (a date expression).", required=True, enum=["count", "date"]
            ),
            _field("value", "integer", "The number the quote states (counts only).", minimum=0),
            _field("unit", "string", "Unit of value (counts only)."),
            _field("date", "date", "First day the date expression covers (dates only)."),
            _field("date_end", "date", "Last day the date expression covers (dates only)."),
            {**_PRECISION},
            _field("date_rule", "string", "How the date expression was resolved against the reference date."),
            _field("figure", "string", "The words of the quote that state the value.", required=True),
            _field("quote", "string", "The exact quote from the article.", required=True),
            _field(
                "quote_start",
                "integer",
                "Character offset where the quote starts in the seed (0-based).",
                required=True,
                minimum=0,
            ),
            _field("quote_end", "integer", "Character offset just after the quote ends.", required=True, minimum=0),
            _field("figure_start", "integer", "Character offset where the figure starts.", required=True, minimum=0),
            _field("figure_end", "integer", "Character offset just after the figure ends.", required=True, minimum=0),
            _field("sentence", "string", "The article’s sentence the quote comes from.", required=True),
            _field("attribution", "string", "Who said it, or whose data it is.", required=True),
            _field("attribution_quote", "string", "The article’s own words for the attribution, if it gives them."),
            _field(
                "role",
                "string",
                "Which table the claim feeds, if any.",
                enum=list(ROLES),
            ),
            _field("event", "string", "For dated events: what happened, in our words."),
            _field(
                "status",
                "string",
                "For dated events: happened, planned or expected.",
                enum=list(STATUSES),
            ),
            _field("period_claim_id", "string", "Id of the date claim giving the period a count covers."),
            _field("country", "string", "Country the figure is about, in the article’s words."),
            _field("action", "string", "Action the claim describes, in the article’s words."),
            _field("location", "string", "Place the claim is about, in the article’s words."),
        ],
    },
    "attacks_by_country": {
        "title": "Reported attacks on US interests, by country",
        "description": "Attacks on US interests this year as reported by the article, one row per country.",
        "primaryKey": ["country"],
        "fields": [
            _field("country", "string", "Country where the attacks took place.", required=True),
            _field("attacks", "integer", "Number of reported attacks on US interests.", required=True, minimum=0),
            _field("period_start", "date", "First day of the period the count covers.", required=True),
            _field(
                "period_end",
                "date",
                "Last day of the period (the reference date: the count is to date).",
                required=True,
            ),
            _field("source", "string", "Whose data the count is.", required=True),
            _CLAIM_ID,
            _field("period_claim_id", "string", "Id of the claim that gives the period.", required=True),
        ],
    },
    "us_responses": {
        "title": "US responses to the attacks",
        "description": "Each US military response the article dates, one row per response.",
        "primaryKey": ["claim_id"],
        "fields": [
            _field("date", "date", "Day of the response.", required=True),
            _field("action", "string", "What the US did, in the article’s words.", required=True),
            _field("location", "string", "Where, in the article’s words.", required=True),
            _CLAIM_ID,
        ],
    },
    "events": {
        "title": "Dated events",
        "description": "Every dated event in the article, at the precision the article gives it.",
        "primaryKey": ["claim_id"],
        "fields": [
            _field("date", "date", "First day the event’s date covers.", required=True),
            _field("date_end", "date", "Last day the event’s date covers (same as date for a day).", required=True),
            {**_PRECISION, "constraints": {"required": True, **_PRECISION["constraints"]}},
            _field("event", "string", "What happened, in our words.", required=True),
            _field(
                "status",
                "string",
                "happened, planned or expected.",
                required=True,
                enum=list(STATUSES),
            ),
            _field("is_us_response", "boolean", "True for the US responses to the attacks.", required=True),
            _CLAIM_ID,
        ],
    },
    "derived_figures": {
        "title": "Derived figures",
        "description": "Figures computed from the claims (totals and ratios), never stated by the article "
        "itself; each names the claims it comes from.",
        "primaryKey": ["figure_id"],
        "fields": [
            _field("figure_id", "string", "Stable id of the derived figure.", required=True),
            _field("label", "string", "What the figure is.", required=True),
            _field("value", "number", "The computed value.", required=True, minimum=0),
            _field("unit", "string", "Unit of value.", required=True),
            _field("formula", "string", "How it is computed, in terms of claim ids.", required=True),
            _field("derived_from", "string", "Ids of the claims used, separated by semicolons.", required=True),
            _field("derived", "boolean", "Always true: this figure is computed, not quoted.", required=True),
        ],
    },
    "excluded_numbers": {
        "title": "Numbers deliberately left out",
        "description": "Every number-like word of the article that is not a claim, with the reason.",
        "primaryKey": ["figure_start"],
        "fields": [
            _field("figure", "string", "The words left out.", required=True),
            _field("quote", "string", "The quote they stand in.", required=True),
            _field("figure_start", "integer", "Character offset of the words in the seed.", required=True, minimum=0),
            _field("figure_end", "integer", "Character offset just after them.", required=True, minimum=0),
            _field("reason", "string", "Why they are not a figure of the explainer.", required=True),
        ],
    },
    "corrections": {
        "title": "Corrections log",
        "description": "Every correction made to the published figures, newest last. Kept by hand; "
        "empty until a correction is needed.",
        "fields": [
            _field("date", "date", "Day the correction was published.", required=True),
            _field("claim_id", "string", "Claim corrected.", required=True),
            _field(
                "action",
                "string",
                "What changed: corrected, added or removed.",
                required=True,
                enum=["corrected", "added", "removed"],
            ),
            _field("reason", "string", "Why.", required=True),
        ],
    },
}


def column_names(table: str) -> list[str]:
    return [field["name"] for field in TABLES[table]["fields"]]

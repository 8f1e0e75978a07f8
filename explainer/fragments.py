"""HTML fragments of the explainer's pages, built from the ledger and the tidy tables.

Notebook 05 displays them; the pages embed those outputs with Quarto's ``embed`` shortcode.
Every number in them comes from a table, and every number opens its source — the sentence,
its attribution and a link to its row in the ledger — with a native ``<details>`` element, so
it works by mouse, keyboard and touch without JavaScript. All text is escaped: a seed holding
HTML or Markdown shows as text and never runs.

Links are same-page anchors (``#claim-ID``): the ledger is on every page that shows figures,
so the links hold in the notebook, on the explainer and on the methods page alike. In a notebook
every id carries the notebook's prefix (``nb03-claim-ID``, see ``notebook_ids``): JupyterLab shows
all open notebooks in one document, where two notebooks' ledgers would share ids. The site's pages
drop the prefix (``site.postrender``), so the parts of several notebooks link to one another.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from .wording import at_precision, constraints_in_words, day

_id_prefix = ""
NOTEBOOK_ID_PREFIX = r"nb\d{2}-"  # what the site's post-render step drops


def notebook_ids(number: int) -> None:
    """Prefix every id and same-page link this kernel writes with ``nbNN-``: called once, in the
    first cell of notebook NN."""
    global _id_prefix
    _id_prefix = f"nb{number:02d}-"


def anchor(name: str) -> str:
    """The id for ``name`` in this notebook."""
    return _id_prefix + name


class Fragment:
    """An HTML fragment that notebooks display as a ``text/html`` output."""

    def __init__(self, markup: str, summary: str):
        self.markup, self.summary = markup, summary

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self.markup, "text/plain": self.summary}


def when(claim: pd.Series) -> str:
    """A claim's date, worded at the precision the article gives it."""
    return at_precision(claim["date"], claim["date_end"], claim["precision"])


def figure_text(claim: pd.Series) -> str:
    """The claim's value as a reader sees it: "2,500", "27", or its date in words."""
    return f"{int(claim['value']):,}" if claim["kind"] == "count" else when(claim)


def marked_sentence(claim: pd.Series) -> str:
    """The claim's sentence with its figure highlighted, escaped."""
    sentence, figure = claim["sentence"], claim["figure"]
    quote_at = sentence.find(claim["quote"])
    at = quote_at + claim["quote"].find(figure) if quote_at >= 0 else sentence.find(figure)
    return escape(sentence[:at]) + "<mark>" + escape(figure) + "</mark>" + escape(sentence[at + len(figure) :])


def provenance(claim: pd.Series, summary_html: str, element_id: str) -> str:
    """A figure that opens its source: the sentence, the attribution, the ledger row."""
    return (
        f'<details class="provenance" id="{anchor(escape(element_id))}">'
        f"<summary>{summary_html}</summary>"
        f'<div class="provenance-body"><blockquote class="source-sentence">{marked_sentence(claim)}</blockquote>'
        f'<p class="source-attribution">{escape(claim["attribution"])}. '
        f'<a href="#{anchor("claim-" + escape(claim["claim_id"]))}">Claim <code>{escape(claim["claim_id"])}</code> in the ledger</a></p>'
        "</div></details>"
    )


def key_figures(claims: pd.DataFrame, roles=("key-figure", "attacks", "us-response-count")) -> Fragment:
    """The article's headline counts as large numbers, each opening its source."""
    chosen = claims[claims["role"].isin(roles) & (claims["kind"] == "count")]
    items = []
    for _, claim in chosen.iterrows():
        summary = (
            f'<span class="figure-value">{escape(figure_text(claim))}</span> '  # a space, for readers without our CSS
            f'<span class="figure-label">{escape(claim["measure"])}</span>'
        )
        items.append(f'<li class="key-figure">{provenance(claim, summary, "figure-" + claim["claim_id"])}</li>')
    summary = "; ".join(f"{figure_text(c)} {c['measure']}" for _, c in chosen.iterrows())
    return Fragment(f'<ul class="key-figures">{"".join(items)}</ul>', summary)


def timeline(claims: pd.DataFrame, events: pd.DataFrame) -> Fragment:
    """The dated events as an ordered list, each date opening its source."""
    by_id = claims.set_index("claim_id", drop=False)
    items = []
    for event in events.itertuples():
        claim = by_id.loc[event.claim_id]
        status = "" if event.status == "happened" else f' <span class="event-status">({escape(event.status)})</span>'
        summary = (
            f'<time datetime="{event.date.isoformat()}">{escape(when(claim))}</time> '
            f'<span class="event-name">{escape(event.event)}</span>{status}'
        )
        css = "timeline-event us-response" if event.is_us_response else "timeline-event"
        items.append(f'<li class="{css}">{provenance(claim, summary, "event-" + event.claim_id)}</li>')
    return Fragment(f'<ol class="timeline">{"".join(items)}</ol>', f"Timeline of {len(events)} dated events")


def data_table(frame: pd.DataFrame, caption: str, links: dict[str, str] | None = None) -> str:
    """A table of ``frame``'s values, as text; each column named in ``links`` links its values
    to the same page's ``#PREFIX-VALUE`` (``{"claim": "claim"}``: a claim id to its ledger row)."""
    links = links or {}
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = escape("" if pd.isna(value) else str(value))
            cells.append(f'<a href="#{anchor(f"{links[column]}-{text}")}">{text}</a>' if column in links else text)
        rows.append(cells)
    return _table(caption, [escape(str(c)) for c in frame.columns], rows)


def _table(
    caption: str, headers: list[str], rows: list[list[str]], row_ids: list[str] | None = None, css: str = "data-table"
) -> str:
    """The one table builder: ``headers`` and ``rows`` are HTML already escaped."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = []
    for index, cells in enumerate(rows):
        row_id = f' id="{anchor(escape(row_ids[index]))}"' if row_ids else ""
        body.append(f"<tr{row_id}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        f'<div class="table-scroll" role="region" aria-label="{escape(caption)}" tabindex="0">'
        f'<table class="{css}"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def ledger_table(
    claims: pd.DataFrame,
    only: tuple[str, ...] | None = None,
    caption: str = "The claims ledger: every figure of the article, with its exact quote",
) -> Fragment:
    """The claims ledger, whole or ``only`` the rows given; each row is the target of the
    figures' source links (``#claim-ID``), so a page that shows figures carries their rows."""
    if only is not None:
        claims = claims[claims["claim_id"].isin(only)]
    rows = []
    for _, claim in claims.iterrows():
        unit = f" {escape(claim['unit'])}" if claim["kind"] == "count" else ""
        date_note = (
            "" if claim["kind"] == "count" else f'<br><span class="muted">given to the {escape(claim["precision"])}</span>'
        )
        quote = escape(claim["quote"]).replace(escape(claim["figure"]), f"<mark>{escape(claim['figure'])}</mark>", 1)
        rows.append(
            [
                f"<code>{escape(claim['claim_id'])}</code>",
                escape(claim["measure"]),
                f"<strong>{escape(figure_text(claim))}</strong>{unit}{date_note}",
                f"“{quote}”",
                escape(claim["attribution"]),
                f"{claim['quote_start']}–{claim['quote_end']}",
            ]
        )
    markup = _table(
        caption,
        ["Claim", "What it measures", "Value", "Quote", "Attribution", "Characters"],
        rows,
        [f"claim-{c}" for c in claims["claim_id"]],
        css="data-table ledger",
    )
    return Fragment(markup, f"Claims ledger: {len(claims)} claims")


def excluded_table(excluded: pd.DataFrame) -> Fragment:
    rows = [[f"“{escape(row.figure)}”", f"“{escape(row.quote)}”", escape(row.reason)] for row in excluded.itertuples()]
    return Fragment(
        _table("Number-like words of the article left out of the ledger", ["Words", "In", "Why left out"], rows),
        f"{len(excluded)} exclusions",
    )


def derived_table(derived: pd.DataFrame) -> Fragment:
    rows = []
    for row in derived.itertuples():
        links = ", ".join(
            f'<a href="#{anchor("claim-" + escape(c))}"><code>{escape(c)}</code></a>' for c in row.derived_from.split(";")
        )
        rows.append(
            [escape(row.label), f"<strong>{row.value:g}</strong> {escape(row.unit)}", escape(row.formula), links]
        )
    return Fragment(
        _table(
            "Figures we computed from the claims (not stated in the article)",
            ["Figure", "Value", "Formula", "From claims"],
            rows,
            [f"derived-{f}" for f in derived["figure_id"]],
        ),
        f"{len(derived)} derived figures",
    )


def data_dictionary(package: dict, row_counts: dict[str, int]) -> Fragment:
    """Each table of the data package: description, row count and its columns."""
    sections = []
    for resource in package["resources"]:
        rows = [
            [
                f"<code>{escape(f['name'])}</code>",
                escape(f["type"]),
                escape(f["description"]),
                escape(constraints_in_words(f.get("constraints", {}))),
            ]
            for f in resource["schema"]["fields"]
        ]
        count = row_counts[resource["path"]]
        sections.append(
            f'<section class="table-entry" id="{anchor("table-" + escape(resource["name"]))}">'
            f"<h3><code>{escape(resource['path'])}</code>: {escape(resource['title'])}</h3>"
            f"<p>{escape(resource['description'])} <strong>{count} {'row' if count == 1 else 'rows'}.</strong></p>"
            + _table(f"Columns of {resource['path']}", ["Column", "Type", "Description", "Constraints"], rows)
            + "</section>"
        )
    return Fragment("".join(sections), f"Data dictionary of {len(sections)} tables")


def corrections(log: pd.DataFrame) -> Fragment:
    if log.empty:
        return Fragment('<p class="corrections-empty">No corrections so far.</p>', "No corrections")
    rows = [
        [
            escape(row.date.isoformat()),
            f'<a href="#{anchor("claim-" + escape(row.claim_id))}"><code>{escape(row.claim_id)}</code></a>',
            escape(row.action),
            escape(row.reason),
        ]
        for row in log.itertuples()
    ]
    return Fragment(_table("Corrections", ["Date", "Claim", "Action", "Reason"], rows), f"{len(log)} corrections")


def article_facts(article) -> Fragment:
    """The seed's headline, outlet and the editor-supplied reference date (``seed.Article``)."""
    link = article.article_url or article.outlet_url
    reference = article.reference_date
    markup = (
        '<dl class="article-facts">'
        f"<dt>Article</dt><dd>“{escape(article.headline)}”</dd>"
        f'<dt>Outlet</dt><dd><a href="{escape(link)}" rel="external">{escape(article.outlet)} ({escape(article.edition)})</a></dd>'
        f"<dt>Dateline</dt><dd>{escape(article.dateline)}</dd>"
        f'<dt>Reference date</dt><dd><time datetime="{reference.isoformat()}">{reference:%A} {day(reference)}</time>, '
        f"{escape(article.reference_date_source)}. {escape(article.reference_date_note)}</dd></dl>"
    )
    return Fragment(markup, f"Article: {article.headline}")

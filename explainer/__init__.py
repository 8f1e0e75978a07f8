"""What the explainer's notebooks share: seed and claims, tidy tables, charts, the site build.

The flow runs one way: seed article -> claims ledger -> tidy tables -> charts -> pages -> site.
"""

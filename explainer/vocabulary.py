"""The words the annotations may use, in one place: the input schema (``inputs.py``) accepts only
these, and the tables' schema (``schema.py``) publishes them as the columns' allowed values."""

KINDS = ("count", "date")
STATUSES = ("happened", "planned", "expected")
ROLES = ("key-figure", "attacks", "us-response", "us-response-count")
ABOUT_LABELS = ("country", "action", "location")
CORRECTION_ACTIONS = ("corrected", "added", "removed")

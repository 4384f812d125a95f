"""Forms of the 28 CFR Part 23 workflow: ``records`` (intelligence records) and ``groups``
(groups, memberships and challenges)."""

"""Pages of the 28 CFR Part 23 workflow, one module per entry: records, groups, challenges."""

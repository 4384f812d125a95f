"""Forms of the priority-offender pages, one module per section; the rules live in the
services."""

"""Forms of the priority-offender pages, by topic. They parse input; the rules live in the
services."""

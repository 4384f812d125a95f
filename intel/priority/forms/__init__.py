"""Forms of the priority-offender pages: they parse input; the rules live in the services."""

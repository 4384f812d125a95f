"""Records police and courts send, and where they happened: agencies, zone layers and their
boundaries, incidents, arrests, shootings, calls and cases; the offense lookup."""

"""People: search by any name, identifier or date of birth, the person page, entity resolution
of arrests (``resolution/``), the review queue, merges and the associate network."""

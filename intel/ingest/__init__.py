"""Imports of police extracts: reading (``reading`` → CSV or XLSX reader → ``extract``),
mapping, parsing and normalising, loading, and the import workflow (``services``)."""

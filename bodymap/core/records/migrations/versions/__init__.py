"""One file per schema revision; the first creates the schema."""

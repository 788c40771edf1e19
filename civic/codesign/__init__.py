"""Co-design processes (co-progettazione, Art. 55 of the Third Sector Code)."""

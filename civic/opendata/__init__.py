"""Open data: every public dataset as CSV and JSON, streamed, under CC BY 4.0 (/opendata)."""

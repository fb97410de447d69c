"""competition."""

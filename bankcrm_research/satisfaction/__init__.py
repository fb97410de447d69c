"""satisfaction."""

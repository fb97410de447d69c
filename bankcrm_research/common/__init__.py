"""Small statistical cores shared by more than one research strand, so that no strand imports another."""

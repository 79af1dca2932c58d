"""Clients that lack exactly one behaviour each, so that every check is seen to fail."""

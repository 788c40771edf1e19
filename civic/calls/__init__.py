"""Calls for ideas: a city's call with its phases, its evaluation and its published results."""

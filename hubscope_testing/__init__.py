"""Test tooling (the stand-in Hub), shared by tests/ and bench/. Not part of the product package."""

"""The default world that ships with Imaginary (built on first start)."""

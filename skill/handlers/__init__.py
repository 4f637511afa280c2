"""Request handlers, one module per feature; skill/builder.py registers them in order."""

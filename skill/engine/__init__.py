"""Guided techniques as data: scripts → timeline → segments → SSML, and the session state machine."""

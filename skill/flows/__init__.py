"""Conversation flows shared by several handlers: the handlers call these, never each other."""

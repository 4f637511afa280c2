"""Personal touches: preferences, the last technique, practice streaks and the morning check-in."""

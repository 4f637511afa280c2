"""The cramp diary: entries, dates, red flags and statistics (pure: no ask-sdk or storage imports)."""

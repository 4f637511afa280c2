"""Speech: SSML building and validation, response assembly."""

"""State below the handlers (see ``skill.state.schema`` for everything the skill stores)."""

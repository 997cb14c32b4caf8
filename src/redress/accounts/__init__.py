"""People who sign in, their roles, API tokens, and the object-level access rules."""

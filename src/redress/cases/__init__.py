"""Case handling: the lifecycle, assignments, and the rules on who may read a case."""

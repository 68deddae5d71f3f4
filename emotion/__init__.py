"""vbranch.emotion."""

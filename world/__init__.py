"""vbranch.world."""

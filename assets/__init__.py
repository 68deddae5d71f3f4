"""vbranch.assets."""

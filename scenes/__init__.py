"""vbranch.scenes."""
